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
};

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
};

}  // namespace parley::net
