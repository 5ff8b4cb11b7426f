// The HTTP vocabulary shared by net/ and everything that serves requests: request and response
// types, what a handler sees about the connection, and the limits a listener enforces.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "core/result.h"

namespace parley::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

using Request = http::request<http::string_body>;
using RequestHeader = http::request_header<>;
using StringResponse = http::response<http::string_body>;

// Every limit a listener enforces; all configurable from the command line.
struct HttpLimits {
  uint64_t max_body_bytes = 1 << 20;      // larger bodies: 413 (routes may raise it, e.g. uploads)
  uint32_t max_header_bytes = 16 * 1024;  // larger headers: 431
  std::chrono::milliseconds header_timeout{10'000};  // first byte to end of headers
  std::chrono::milliseconds body_timeout{30'000};    // end of headers to end of body
  std::chrono::milliseconds idle_timeout{65'000};    // keep-alive wait for the next request
  int max_connections = 19'000;  // per listener; beyond it new connections are closed at once
};

// Holds one unit of a listener's connection budget; released when the last owner drops it.
// Upgraded connections (WebSocket) carry it along, so they keep counting.
class ConnectionSlot {
 public:
  virtual ~ConnectionSlot() = default;
};
using ConnectionSlotPtr = std::shared_ptr<ConnectionSlot>;

struct ConnInfo {
  std::string peer_ip;  // the TCP peer; proxies' headers are the handler's business
  uint16_t local_port = 0;
  // The request's id for logs: the client's X-Request-Id when it is a plain token, else one made
  // up by the listener. Set per request.
  std::string request_id;
};

// A request body the handler reads as it arrives (uploads), instead of the listener buffering it
// whole. Each read waits at most the listener's body timeout for progress, so a large body over a
// slow link is not cut off while a stalled one still is. Only valid during handle_stream().
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Reads the next bytes of the body into `out`; 0 means the body is complete. The first read
  // answers `Expect: 100-continue`, so a handler that rejects from the headers alone spares the
  // client from sending the body. On failure the stream stays failed.
  virtual asio::awaitable<Result<size_t>> read_some(asio::mutable_buffer out) = 0;
  // True once a read failed because the body is larger than the limit (by Content-Length, before
  // reading anything, or by counting): the handler answers 413 in its own words.
  virtual bool too_large() const = 0;
  // True when the whole body has been read; otherwise the listener closes the connection after
  // the response, because the next request would start somewhere in the unread body.
  virtual bool complete() const = 0;
};

// A response body produced asynchronously (file downloads): the listener writes the header, then
// writes each chunk next() yields, so the handler can read from disk on a worker pool and the
// event loop never waits on a disk.
class BodySource {
 public:
  virtual ~BodySource() = default;
  // The next chunk, valid until the following call; empty = the end. An error (or fewer bytes in
  // total than the header's Content-Length) aborts the connection: the header is already out.
  virtual asio::awaitable<Result<std::string_view>> next() = 0;
};

struct StreamedResponse {
  http::response_header<> header;  // carries Content-Length
  std::unique_ptr<BodySource> body;
};

// Everything a handler may answer: a complete message or a header plus a streamed body.
using Reply = std::variant<http::message_generator, StreamedResponse>;

// What a listener calls. handle() runs on the connection's event loop and must not block it.
class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  // Called once the headers are in: the body limit for this request (0 = the listener's).
  virtual uint64_t body_limit(const RequestHeader&) { return 0; }
  virtual asio::awaitable<http::message_generator> handle(Request req, ConnInfo info) = 0;
  // A response for a request the listener rejects itself (400, 413, 431, 500, 503), so that
  // errors keep the service's envelope. `version` is the request's HTTP version (11 if unknown).
  virtual StringResponse reject(http::status status, unsigned version) {
    StringResponse res{status, version};
    res.set(http::field::content_type, "text/plain");
    res.body() = std::string(http::obsolete_reason(status));
    res.prepare_payload();
    return res;
  }
  // True when this request should become a WebSocket; upgrade() then owns the stream.
  virtual bool wants_upgrade(const Request&) { return false; }
  virtual asio::awaitable<void> upgrade(beast::tcp_stream, Request, ConnInfo, ConnectionSlotPtr) {
    co_return;
  }
  // What the listener actually calls for a buffered request; a handler overrides it to answer
  // with a streamed body. The default is handle().
  virtual asio::awaitable<Reply> respond(Request req, ConnInfo info) {
    auto message = co_await handle(std::move(req), std::move(info));
    co_return Reply{std::move(message)};
  }
  // True when this request's body should not be buffered: handle_stream() then reads it.
  virtual bool wants_stream(const RequestHeader&) { return false; }
  virtual asio::awaitable<Reply> handle_stream(RequestHeader header, BodyStream& body,
                                               ConnInfo info) {
    (void)body;
    (void)info;
    http::message_generator message{reject(http::status::not_implemented, header.version())};
    co_return Reply{std::move(message)};
  }
};

}  // namespace parley::net
