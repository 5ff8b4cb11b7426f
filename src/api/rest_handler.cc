// See rest_handler.h.
#include "api/rest_handler.h"

#include <boost/json.hpp>

namespace parley::api {

RestHandler::RestHandler(Services& services, net::HttpHandler* socketio, bool rest)
    : services_(services), socketio_(socketio), rest_(rest) {
  add_misc_routes(router_);
  add_auth_routes(router_);
  add_user_routes(router_);
  add_room_routes(router_);
}

bool RestHandler::is_socketio(std::string_view target) const {
  return socketio_ && target.starts_with("/socket.io/");
}

uint64_t RestHandler::body_limit(const net::RequestHeader& header) {
  if (is_socketio(header.target())) return socketio_->body_limit(header);
  return 0;
}

bool RestHandler::wants_upgrade(const net::Request& req) {
  return is_socketio(req.target()) && socketio_->wants_upgrade(req);
}

asio::awaitable<void> RestHandler::upgrade(net::beast::tcp_stream stream, net::Request req,
                                           net::ConnInfo info, net::ConnectionSlotPtr slot) {
  co_await socketio_->upgrade(std::move(stream), std::move(req), std::move(info), std::move(slot));
}

asio::awaitable<http::message_generator> RestHandler::handle(net::Request req, net::ConnInfo info) {
  if (is_socketio(req.target()))
    co_return co_await socketio_->handle(std::move(req), std::move(info));
  if (req.method() == http::verb::options) co_return preflight_response(req);
  Response res = co_await route(req, info);
  if (req.method() == http::verb::head) {  // headers of the GET, no body
    const auto length = res.body().size();
    res.body().clear();
    res.content_length(length);
  }
  co_return res;
}

asio::awaitable<Response> RestHandler::route(net::Request& req, const net::ConnInfo& info) {
  Target target = parse_target(req.target());
  auto match = rest_ ? router_.match(req.method(), target.path) : std::nullopt;
  if (!match) {
    co_return json_response(req, http::status::not_found,
                            json::object{{"success", false},
                                         {"message", "요청하신 리소스를 찾을 수 없습니다."},
                                         {"path", target.path}});
  }
  Ctx ctx{req, target, info, services_, std::move(match->params), std::nullopt};
  if (match->access == Access::authed) {
    auto auth = co_await authenticate(services_, token_from(req, target));
    if (auto* failure = std::get_if<AuthFailure>(&auth)) {
      if (*failure == AuthFailure::unavailable) {
        co_return error_response(req, http::status::service_unavailable,
                                 "일시적으로 서비스를 사용할 수 없습니다.");
      }
      co_return unauthorized(req);
    }
    ctx.auth = std::move(std::get<Authed>(auth));
  }
  co_return co_await (*match->fn)(ctx);
}

net::StringResponse RestHandler::reject(http::status status, unsigned version) {
  std::string_view message = "잘못된 요청입니다.";
  switch (status) {
    case http::status::payload_too_large:
      message = "요청 본문이 너무 큽니다.";
      break;
    case http::status::request_header_fields_too_large:
      message = "요청 헤더가 너무 큽니다.";
      break;
    case http::status::internal_server_error:
      message = "서버 내부 오류가 발생했습니다.";
      break;
    case http::status::service_unavailable:
      message = "일시적으로 서비스를 사용할 수 없습니다.";
      break;
    default:
      break;
  }
  net::StringResponse res{status, version};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.body() = json::serialize(json::object{{"success", false}, {"message", message}});
  res.prepare_payload();
  return res;
}

}  // namespace parley::api
