// RestHandler: the HTTP front door of a listening port. CORS preflights, the REST routes,
// authentication for protected routes, the 404 envelope, and the hand-off of /socket.io/
// requests (polling and WebSocket upgrades) to the Socket.IO server.
#pragma once

#include "api/router.h"
#include "net/http_types.h"

namespace parley::api {

class RestHandler final : public net::HttpHandler {
 public:
  // `socketio` serves /socket.io/ (may be null); `rest` false: a Socket.IO-only port.
  RestHandler(Services& services, net::HttpHandler* socketio, bool rest);

  uint64_t body_limit(const net::RequestHeader& header) override;
  asio::awaitable<http::message_generator> handle(net::Request req, net::ConnInfo info) override;
  net::StringResponse reject(http::status status, unsigned version) override;
  bool wants_upgrade(const net::Request& req) override;
  asio::awaitable<void> upgrade(net::beast::tcp_stream stream, net::Request req, net::ConnInfo info,
                                net::ConnectionSlotPtr slot) override;

 private:
  bool is_socketio(std::string_view target) const;
  asio::awaitable<Response> route(net::Request& req, const net::ConnInfo& info);

  Services& services_;
  net::HttpHandler* socketio_;
  bool rest_;
  Router router_;
};

}  // namespace parley::api
