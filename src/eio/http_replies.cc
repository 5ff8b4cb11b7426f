// See http_replies.h.
#include "eio/http_replies.h"

namespace parley::eio {

namespace http = net::http;

namespace {

void apply_cors(net::StringResponse& res, const net::Request& req, bool cors_any) {
  if (cors_any) {
    res.set(http::field::access_control_allow_origin, "*");
    return;
  }
  auto origin = req.find(http::field::origin);
  if (origin == req.end()) return;
  res.set(http::field::access_control_allow_origin, origin->value());
  res.set(http::field::access_control_allow_credentials, "true");
  res.set(http::field::vary, "Origin");
}

}  // namespace

net::StringResponse make_response(const net::Request& req, PollReply reply, bool cors_any) {
  net::StringResponse res{reply.status, req.version()};
  if (!reply.content_type.empty()) res.set(http::field::content_type, reply.content_type);
  if (reply.status == http::status::ok) res.set(http::field::cache_control, "no-store");
  apply_cors(res, req, cors_any);
  res.body() = std::move(reply.body);
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

net::StringResponse make_preflight(const net::Request& req, bool cors_any) {
  net::StringResponse res{http::status::no_content, req.version()};
  apply_cors(res, req, cors_any);
  res.set(http::field::access_control_allow_methods, "GET,HEAD,PUT,PATCH,POST,DELETE");
  if (auto h = req.find(http::field::access_control_request_headers); h != req.end()) {
    res.set(http::field::access_control_allow_headers, h->value());
    res.insert(http::field::vary, "Access-Control-Request-Headers");
  }
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

net::StringResponse make_not_found(const net::Request& req) {
  net::StringResponse res{http::status::not_found, req.version()};
  res.set(http::field::content_type, "text/plain");
  res.body() = "Not Found";
  res.keep_alive(req.keep_alive());
  res.prepare_payload();
  return res;
}

std::string upgrade_rejection(std::string_view message) {
  std::string out =
      "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-type: text/html\r\n"
      "Content-Length: ";
  out += std::to_string(message.size());
  out += "\r\n\r\n";
  out += message;
  return out;
}

}  // namespace parley::eio
