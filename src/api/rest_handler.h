// RestHandler: the HTTP front door of a listening port. CORS preflights, the REST routes,
// authentication for protected routes, the 404 envelope, and the hand-off of /socket.io/
// requests (polling and WebSocket upgrades) to the Socket.IO server. Upload routes get their
// request body streamed (handle_stream); file downloads answer with a streamed body (respond).
#pragma once

#include "api/router.h"
#include "api/web_client.h"
#include "net/http_types.h"

namespace parley::api {

class RestHandler final : public net::HttpHandler {
 public:
  // `socketio` serves /socket.io/ (may be null); `rest` false: a Socket.IO-only port.
  // `web` (may be null) serves the web client for GET/HEAD paths outside /api and /socket.io.
  RestHandler(Services& services, net::HttpHandler* socketio, bool rest,
              const WebClient* web = nullptr);

  uint64_t body_limit(const net::RequestHeader& header) override;
  asio::awaitable<http::message_generator> handle(net::Request req, net::ConnInfo info) override;
  asio::awaitable<net::Reply> respond(net::Request req, net::ConnInfo info) override;
  bool wants_stream(const net::RequestHeader& header) override;
  asio::awaitable<net::Reply> handle_stream(net::RequestHeader header, net::BodyStream& body,
                                            net::ConnInfo info) override;
  net::StringResponse reject(http::status status, unsigned version) override;
  // The route patterns, in the order Router::Match::index counts them (for HttpStats).
  static std::vector<std::string> route_patterns();
  bool wants_upgrade(const net::Request& req) override;
  asio::awaitable<void> upgrade(net::beast::tcp_stream stream, net::Request req, net::ConnInfo info,
                                net::ConnectionSlotPtr slot) override;

 private:
  bool is_socketio(std::string_view target) const;
  struct Routed {
    Response res;
    std::unique_ptr<net::BodySource> body;  // set: res is the header of a streamed body
    size_t row = 0;                         // HttpStats row: the route, or unmatched
  };
  asio::awaitable<Routed> route(net::Request& req, const net::ConnInfo& info,
                                net::BodyStream* body);
  asio::awaitable<net::Reply> answer(net::Request& req, const net::ConnInfo& info,
                                     net::BodyStream* body);

  Services& services_;
  net::HttpHandler* socketio_;
  bool rest_;
  const WebClient* web_ = nullptr;
  Router router_;
};

}  // namespace parley::api
