// The listener's rules for reading one HTTP/1.1 request, in one place: how the head parser is
// limited, and what each read error means for the connection (close quietly, or answer 400 / 413
// / 431). HttpConnection applies them to bytes as they arrive; parse_request() applies them to
// bytes already in hand (the fuzz target in fuzz/http_request.cc, tests), so both read requests
// the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "net/http_types.h"

namespace parley::net {

enum class ReadVerdict : std::uint8_t {
  ok,
  close,         // the peer went away, timed out or stopped mid-request: no answer
  bad_request,   // 400
  too_large,     // 413: the body is over its limit
  header_large,  // 431: the head is over max_header_bytes
};

// Sets the head parser's limits: max_header_bytes, and no body limit yet (it depends on the
// route, chosen once the head is in).
void limit_head_parser(http::request_parser<http::empty_body>& head, const HttpLimits& limits);
// What an error from reading the head means.
ReadVerdict head_verdict(const boost::system::error_code& ec);
// What an error from reading the body means.
ReadVerdict body_verdict(const boost::system::error_code& ec);
// True when the head frames its body ambiguously: more than one Transfer-Encoding field. Beast
// reads the body as chunked if the last one says so while its chunked() looks at the first
// (found by fuzz/http_request.cc); such a request is refused with 400 instead.
bool ambiguous_framing(const http::request_parser<http::empty_body>& head);
// True when the head announces a body larger than `body_limit` (413 before reading it).
bool announced_too_large(const http::request_parser<http::empty_body>& head, uint64_t body_limit);

struct ParsedRequest {
  ReadVerdict verdict = ReadVerdict::close;
  std::optional<Request> request;  // with ReadVerdict::ok
  std::size_t consumed = 0;        // bytes of `bytes` the request used (the next one starts here)
};

// Reads the first request of `bytes` as the listener would if they arrived and then the peer
// closed: the head under `limits`, then a body of at most body_limit(head) bytes (0: the
// listener's max_body_bytes).
ParsedRequest parse_request(std::string_view bytes, const HttpLimits& limits,
                            const std::function<uint64_t(const RequestHeader&)>& body_limit);

}  // namespace parley::net
