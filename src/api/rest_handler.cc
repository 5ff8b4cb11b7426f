// See rest_handler.h.
#include "api/rest_handler.h"

#include <boost/asio/this_coro.hpp>
#include <boost/json.hpp>
#include <chrono>

namespace parley::api {

namespace {
void add_routes(Router& r) {
  add_misc_routes(r);
  add_auth_routes(r);
  add_user_routes(r);
  add_room_routes(r);
  add_file_routes(r);
}
}  // namespace

RestHandler::RestHandler(Services& services, net::HttpHandler* socketio, bool rest,
                         const WebClient* web)
    : services_(services), socketio_(socketio), rest_(rest), web_(web) {
  add_routes(router_);
}

std::vector<std::string> RestHandler::route_patterns() {
  Router r;
  add_routes(r);  // as the constructor does
  return r.patterns();
}

bool RestHandler::is_socketio(std::string_view target) const {
  return socketio_ && target.starts_with("/socket.io/");
}

uint64_t RestHandler::body_limit(const net::RequestHeader& header) {
  if (is_socketio(header.target())) return socketio_->body_limit(header);
  if (wants_stream(header)) return services_.files.limits.request_bytes;
  return 0;
}

bool RestHandler::wants_stream(const net::RequestHeader& header) {
  if (!rest_ || is_socketio(header.target())) return false;
  const std::string_view target = header.target();
  return streams_body(header.method(), target.substr(0, target.find('?')));
}

bool RestHandler::wants_upgrade(const net::Request& req) {
  return is_socketio(req.target()) && socketio_->wants_upgrade(req);
}

asio::awaitable<void> RestHandler::upgrade(net::beast::tcp_stream stream, net::Request req,
                                           net::ConnInfo info, net::ConnectionSlotPtr slot) {
  co_await socketio_->upgrade(std::move(stream), std::move(req), std::move(info), std::move(slot));
}

asio::awaitable<http::message_generator> RestHandler::handle(net::Request req, net::ConnInfo info) {
  // Preflights get the contract's CORS answer on every path, /socket.io/ included (§0).
  if (req.method() != http::verb::options && is_socketio(req.target()))
    co_return co_await socketio_->handle(std::move(req), std::move(info));
  net::Reply reply = co_await answer(req, info, nullptr);
  if (auto* message = std::get_if<http::message_generator>(&reply)) co_return std::move(*message);
  // A streamed body requested through handle() rather than respond() (direct callers only; the
  // listener uses respond()): gather it into one message.
  auto& streamed = std::get<net::StreamedResponse>(reply);
  Response res{std::move(streamed.header)};
  for (;;) {
    auto chunk = co_await streamed.body->next();
    if (!chunk) co_return reject(http::status::internal_server_error, req.version());
    if (chunk->empty()) break;
    res.body().append(*chunk);
  }
  co_return res;
}

asio::awaitable<net::Reply> RestHandler::respond(net::Request req, net::ConnInfo info) {
  if (req.method() != http::verb::options && is_socketio(req.target()))
    co_return co_await socketio_->respond(std::move(req), std::move(info));
  co_return co_await answer(req, info, nullptr);
}

asio::awaitable<net::Reply> RestHandler::handle_stream(net::RequestHeader header,
                                                       net::BodyStream& body, net::ConnInfo info) {
  net::Request req{std::move(header)};
  co_return co_await answer(req, info, &body);
}

asio::awaitable<net::Reply> RestHandler::answer(net::Request& req, const net::ConnInfo& info,
                                                net::BodyStream* body) {
  const auto started = std::chrono::steady_clock::now();
  HttpStats* stats = services_.metrics ? &services_.metrics->http : nullptr;
  const auto loop = co_await asio::this_coro::executor;
  if (req.method() == http::verb::options) {
    auto answer = preflight_response(req);
    if (stats)
      stats->record(loop, stats->preflight_row(), answer.result_int(),
                    std::chrono::steady_clock::now() - started);
    http::message_generator preflight{std::move(answer)};
    co_return net::Reply{std::move(preflight)};
  }
  Routed routed = co_await route(req, info, body);
  Response& res = routed.res;
  if (stats)
    stats->record(loop, routed.row, res.result_int(), std::chrono::steady_clock::now() - started);
  if (req.method() == http::verb::head) {  // headers of the GET, no body
    // A file route answers HEAD with an empty body and the real Content-Length: keep it (and a
    // 304 carries no length at all).
    if (!res.body().empty() ||
        (!res.has_content_length() && res.result() != http::status::not_modified)) {
      const auto length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
    routed.body.reset();
  }
  // A streamed request body left unread: the connection cannot carry another request.
  if (body && !body->complete()) res.keep_alive(false);
  if (routed.body) {
    net::StreamedResponse streamed{std::move(res.base()), std::move(routed.body)};
    co_return net::Reply{std::move(streamed)};
  }
  http::message_generator message{std::move(res)};
  co_return net::Reply{std::move(message)};
}

asio::awaitable<RestHandler::Routed> RestHandler::route(net::Request& req,
                                                        const net::ConnInfo& info,
                                                        net::BodyStream* body) {
  Target target = parse_target(req.target());
  auto match = rest_ ? router_.match(req.method(), target.path) : std::nullopt;
  const size_t unmatched = services_.metrics ? services_.metrics->http.unmatched_row() : 0;
  if (!match) {
    if (rest_) {
      if (auto rejected = file_path_rejection(req, target))
        co_return Routed{std::move(*rejected), nullptr, unmatched};
      if (web_) {
        if (auto page = web_->serve(req)) co_return Routed{std::move(*page), nullptr, unmatched};
      }
    }
    co_return Routed{json_response(req, http::status::not_found,
                                   json::object{{"success", false},
                                                {"message", "요청하신 리소스를 찾을 수 없습니다."},
                                                {"path", target.path}}),
                     nullptr, unmatched};
  }
  const size_t row = match->index;
  Ctx ctx{req, target, info, services_, std::move(match->params), std::nullopt, body, nullptr};
  if (match->access == Access::authed) {
    auto auth = co_await authenticate(services_, token_from(req, target));
    if (auto* failure = std::get_if<AuthFailure>(&auth)) {
      if (*failure == AuthFailure::unavailable) {
        co_return Routed{error_response(req, http::status::service_unavailable,
                                        "일시적으로 서비스를 사용할 수 없습니다."),
                         nullptr, row};
      }
      co_return Routed{unauthorized(req), nullptr, row};
    }
    ctx.auth = std::move(std::get<Authed>(auth));
  }
  Response res = co_await (*match->fn)(ctx);
  co_return Routed{std::move(res), std::move(ctx.stream_body), row};
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
