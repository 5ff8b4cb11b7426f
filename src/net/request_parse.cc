// See request_parse.h. The verdicts follow what Beast reports: end_of_stream when the peer
// closed before a request began, partial_message when it closed inside one.
#include "net/request_parse.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/error.hpp>

namespace parley::net {

void limit_head_parser(http::request_parser<http::empty_body>& head, const HttpLimits& limits) {
  head.header_limit(limits.max_header_bytes);
  head.body_limit(boost::none);
}

ReadVerdict head_verdict(const boost::system::error_code& ec) {
  if (!ec) return ReadVerdict::ok;
  if (ec == http::error::header_limit) return ReadVerdict::header_large;
  if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
      ec == asio::error::connection_reset) {
    return ReadVerdict::close;
  }
  return ReadVerdict::bad_request;
}

ReadVerdict body_verdict(const boost::system::error_code& ec) {
  if (!ec) return ReadVerdict::ok;
  if (ec == http::error::body_limit) return ReadVerdict::too_large;
  if (ec == beast::error::timeout || ec == asio::error::eof || ec == http::error::partial_message ||
      ec == asio::error::connection_reset) {
    return ReadVerdict::close;
  }
  return ReadVerdict::bad_request;
}

bool ambiguous_framing(const http::request_parser<http::empty_body>& head) {
  return head.get().count(http::field::transfer_encoding) > 1;
}

bool announced_too_large(const http::request_parser<http::empty_body>& head, uint64_t body_limit) {
  const auto length = head.content_length();
  return length && *length > body_limit;
}

namespace {

// Feeds `bytes` from `pos` to `parser` until `done()` or an error; at the end of the input,
// put_eof() reports the truncation as a read at end of stream would.
template <class Parser, class Done>
boost::system::error_code feed(Parser& parser, std::string_view bytes, std::size_t& pos,
                               Done done) {
  boost::system::error_code ec;
  while (!done()) {
    if (pos == bytes.size()) {
      // As http::read_some: nothing at all before the end is end_of_stream, not a truncation.
      if (!parser.got_some()) return http::error::end_of_stream;
      parser.put_eof(ec);
      if (!ec && !done()) ec = http::error::partial_message;
      return ec;
    }
    const std::size_t used = parser.put(asio::buffer(bytes.data() + pos, bytes.size() - pos), ec);
    pos += used;
    if (ec == http::error::need_more) {
      // Beast wants the rest of a line or a chunk before it consumes anything more.
      if (pos == bytes.size()) continue;
      if (used == 0) {
        ec = {};
        parser.put_eof(ec);
        if (!ec) ec = http::error::partial_message;
        return ec;
      }
      ec = {};
      continue;
    }
    if (ec) return ec;
  }
  return ec;
}

}  // namespace

ParsedRequest parse_request(std::string_view bytes, const HttpLimits& limits,
                            const std::function<uint64_t(const RequestHeader&)>& body_limit) {
  ParsedRequest out;
  std::size_t pos = 0;
  http::request_parser<http::empty_body> head;
  limit_head_parser(head, limits);
  auto ec = feed(head, bytes, pos, [&] { return head.is_header_done(); });
  out.verdict = head_verdict(ec);
  if (out.verdict != ReadVerdict::ok) return out;
  if (ambiguous_framing(head)) {
    out.verdict = ReadVerdict::bad_request;
    return out;
  }

  uint64_t limit = body_limit ? body_limit(head.get().base()) : 0;
  if (limit == 0) limit = limits.max_body_bytes;
  if (announced_too_large(head, limit)) {
    out.verdict = ReadVerdict::too_large;
    return out;
  }
  http::request_parser<http::string_body> parser{std::move(head)};
  parser.body_limit(limit);
  ec = feed(parser, bytes, pos, [&] { return parser.is_done(); });
  out.verdict = body_verdict(ec);
  if (out.verdict != ReadVerdict::ok) return out;
  out.request = parser.release();
  out.consumed = pos;
  return out;
}

}  // namespace parley::net
