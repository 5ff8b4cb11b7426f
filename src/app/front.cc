// See front.h.
#include "app/front.h"

#include <sodium.h>

#include <boost/json.hpp>

#include "app/dashboard.h"
#include "core/ascii.h"
#include "core/percent.h"
#include "metrics/exposition.h"

namespace parley::app {

namespace http = net::http;

namespace {

std::string_view path_of(std::string_view target) {
  return target.substr(0, target.find('?'));
}

// The value of query parameter `name`, percent-decoded; empty when absent or malformed.
std::string query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name && eq != std::string_view::npos) {
      auto decoded = percent_decode(pair.substr(eq + 1));
      return decoded ? std::move(*decoded) : std::string{};
    }
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
  return {};
}

net::StringResponse text(http::status status, unsigned version, std::string_view content_type,
                         std::string body) {
  net::StringResponse res{status, version};
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

net::StringResponse not_found(unsigned version) {
  return text(http::status::not_found, version, "application/json; charset=utf-8",
              boost::json::serialize(boost::json::object{
                  {"success", false}, {"message", "요청하신 리소스를 찾을 수 없습니다."}}));
}

}  // namespace

std::vector<std::string> split_nodes(const std::string& list) {
  std::vector<std::string> out;
  std::string_view rest = list;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view item = ascii::trim_ows(rest.substr(0, comma));
    while (!item.empty() && item.back() == '/')
      item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  return out;
}

FrontHandler::FrontHandler(net::HttpHandler* inner, const metrics::Registry& registry,
                           FrontOptions options)
    : inner_(inner), registry_(registry), options_(std::move(options)) {}

bool FrontHandler::authorized(const net::Request& req) const {
  std::string given = query_param(req.target(), "token");
  if (given.empty()) {
    const std::string_view auth = req[http::field::authorization];
    if (auth.size() > 7 && ascii::iequals(auth.substr(0, 7), "bearer "))
      given = ascii::trim_ows(auth.substr(7));
  }
  const std::string& want = options_.admin_token;
  return !want.empty() && given.size() == want.size() &&
         sodium_memcmp(given.data(), want.data(), want.size()) == 0;
}

std::optional<net::StringResponse> FrontHandler::answer(const net::Request& req) const {
  const std::string_view path = path_of(req.target());
  const bool get = req.method() == http::verb::get || req.method() == http::verb::head;
  if (path == "/metrics" && get) {
    auto res = text(http::status::ok, req.version(), metrics::kContentType, registry_.scrape());
    res.set(http::field::access_control_allow_origin, "*");
    if (req.method() == http::verb::head) res.body().clear();
    return res;
  }
  if (path == "/dashboard" && get) {
    if (options_.admin_token.empty()) return not_found(req.version());
    if (!authorized(req)) {
      auto res = text(http::status::unauthorized, req.version(), "application/json; charset=utf-8",
                      boost::json::serialize(boost::json::object{
                          {"success", false}, {"message", "인증이 필요합니다."}}));
      res.set(http::field::www_authenticate, "Bearer");
      return res;
    }
    auto res = text(http::status::ok, req.version(), "text/html; charset=utf-8",
                    dashboard_page(options_.dashboard_nodes));
    res.set("Content-Security-Policy",
            "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
            "connect-src *; img-src data:");
    return res;
  }
  return std::nullopt;
}

uint64_t FrontHandler::body_limit(const net::RequestHeader& header) {
  return inner_ ? inner_->body_limit(header) : 0;
}

net::asio::awaitable<http::message_generator> FrontHandler::handle(net::Request req,
                                                                   net::ConnInfo info) {
  if (auto res = answer(req)) co_return http::message_generator{std::move(*res)};
  if (!inner_) co_return http::message_generator{not_found(req.version())};
  co_return co_await inner_->handle(std::move(req), std::move(info));
}

net::asio::awaitable<net::Reply> FrontHandler::respond(net::Request req, net::ConnInfo info) {
  if (auto res = answer(req)) {
    http::message_generator message{std::move(*res)};
    co_return net::Reply{std::move(message)};
  }
  if (!inner_) {
    http::message_generator message{not_found(req.version())};
    co_return net::Reply{std::move(message)};
  }
  co_return co_await inner_->respond(std::move(req), std::move(info));
}

net::StringResponse FrontHandler::reject(http::status status, unsigned version) {
  return inner_ ? inner_->reject(status, version) : net::HttpHandler::reject(status, version);
}

bool FrontHandler::wants_upgrade(const net::Request& req) {
  return inner_ && inner_->wants_upgrade(req);
}

net::asio::awaitable<void> FrontHandler::upgrade(net::beast::tcp_stream stream, net::Request req,
                                                 net::ConnInfo info, net::ConnectionSlotPtr slot) {
  co_await inner_->upgrade(std::move(stream), std::move(req), std::move(info), std::move(slot));
}

bool FrontHandler::wants_stream(const net::RequestHeader& header) {
  return inner_ && inner_->wants_stream(header);
}

net::asio::awaitable<net::Reply> FrontHandler::handle_stream(net::RequestHeader header,
                                                             net::BodyStream& body,
                                                             net::ConnInfo info) {
  co_return co_await inner_->handle_stream(std::move(header), body, std::move(info));
}

}  // namespace parley::app
