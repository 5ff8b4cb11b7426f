// See http_util.h.
#include "api/http_util.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/pct_string_view.hpp>
#include <cctype>

#include "core/ascii.h"

namespace parley::api {

namespace {

std::string_view trim_ws(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Target parse_target(std::string_view target) {
  Target out;
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) {
    auto q = target.find('?');
    out.path = std::string(target.substr(0, q));
    return out;
  }
  out.path = std::string(parsed->encoded_path());  // routes match the encoded form
  for (auto param : parsed->params()) {
    out.query.emplace(std::string(param.key), std::string(param.value));  // first value wins
  }
  return out;
}

Response json_response(const net::Request& req, http::status status, const json::value& body) {
  Response res{status, req.version()};
  res.set(http::field::content_type, "application/json; charset=utf-8");
  res.keep_alive(req.keep_alive());
  res.body() = json::serialize(body);
  res.prepare_payload();
  apply_cors(req, res);
  return res;
}

Response error_response(const net::Request& req, http::status status, std::string_view message) {
  return json_response(req, status, json::object{{"success", false}, {"message", message}});
}

Response store_error(const net::Request& req, const Error& error, std::string_view message) {
  if (error.kind == Error::Kind::unavailable) {
    return error_response(req, http::status::service_unavailable,
                          "일시적으로 서비스를 사용할 수 없습니다.");
  }
  return error_response(req, http::status::internal_server_error, message);
}

Response unauthorized(const net::Request& req) {
  return json_response(
      req, http::status::unauthorized,
      json::object{
          {"success", false}, {"code", "UNAUTHORIZED"}, {"message", "인증이 필요합니다."}});
}

void apply_cors(const net::Request& req, Response& res) {
  auto origin = req[http::field::origin];
  if (origin.empty()) return;
  res.set(http::field::access_control_allow_origin, origin);
  res.set(http::field::access_control_allow_credentials, "true");
  res.set(http::field::access_control_expose_headers,
          "x-auth-token, x-session-id, Content-Disposition");
  res.set(http::field::vary, "Origin");
}

Response preflight_response(const net::Request& req) {
  Response res{http::status::no_content, req.version()};
  res.keep_alive(req.keep_alive());
  auto origin = req[http::field::origin];
  res.set(http::field::access_control_allow_origin, origin.empty() ? "*" : origin);
  res.set(http::field::access_control_allow_credentials, "true");
  res.set(http::field::access_control_allow_methods, "GET, POST, PUT, DELETE, OPTIONS, HEAD");
  auto requested = req[http::field::access_control_request_headers];
  res.set(http::field::access_control_allow_headers,
          requested.empty() ? "Content-Type, Authorization, x-auth-token, x-session-id, "
                              "Cache-Control, Pragma"
                            : requested);
  res.set(http::field::access_control_expose_headers,
          "x-auth-token, x-session-id, Content-Disposition");
  res.set(http::field::access_control_max_age, "3600");
  res.set(http::field::vary, "Origin");
  res.prepare_payload();
  return res;
}

std::string decode_path_segment(std::string_view segment) {
  auto pct = boost::urls::make_pct_string_view(segment);
  if (!pct) return std::string(segment);
  return pct->decode();
}

std::string token_from(const net::Request& req, const Target& target) {
  if (auto h = trim_ws(req["x-auth-token"]); !h.empty()) return std::string(h);
  if (auto q = target.param("token"); q && !q->empty()) return *q;
  auto auth = trim_ws(req[http::field::authorization]);
  if (auth.size() >= 7 && ascii::iequals(auth.substr(0, 7), "bearer ")) {
    auto token = trim_ws(auth.substr(7));
    if (!token.empty()) return std::string(token);
  }
  return {};
}

std::string session_id_from(const net::Request& req, const Target& target) {
  if (auto h = trim_ws(req["x-session-id"]); !h.empty()) return std::string(h);
  if (auto q = target.param("sessionId"); q && !q->empty()) return *q;
  return {};
}

std::string client_ip(const net::Request& req, const net::ConnInfo& info) {
  if (auto xff = req["X-Forwarded-For"]; !xff.empty()) {
    auto first = trim_ws(xff.substr(0, xff.find(',')));
    if (!first.empty()) return std::string(first);
  }
  if (auto real = trim_ws(req["X-Real-IP"]); !real.empty()) return std::string(real);
  return info.peer_ip;
}

std::optional<json::value> parse_json_body(const net::Request& req) {
  std::string_view body = req.body();
  if (trim_ws(body).empty()) return json::value(json::object{});
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return std::nullopt;
  return v;
}

}  // namespace parley::api

#include "chat/validation.h"
#include "core/ascii.h"

namespace parley::api {

Response validation_error(const net::Request& req, const std::vector<chat::FieldError>& errors,
                          std::string_view path) {
  json::array list;
  for (const auto& e : errors)
    list.push_back(json::object{{"field", e.field}, {"message", e.message}});
  json::object body{{"success", false},
                    {"message", "입력값이 올바르지 않습니다."},
                    {"code", "VALIDATION_ERROR"},
                    {"errors", std::move(list)}};
  if (!path.empty()) body["path"] = path;
  return json_response(req, http::status::bad_request, body);
}

Response malformed_json(const net::Request& req) {
  return json_response(req, http::status::bad_request,
                       json::object{{"success", false},
                                    {"code", "INVALID_JSON"},
                                    {"message", "요청 본문이 올바른 JSON이 아닙니다."}});
}

}  // namespace parley::api
