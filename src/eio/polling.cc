// See polling.h.
#include "eio/polling.h"

#include <boost/asio/post.hpp>

namespace parley::eio {

std::string_view error_message(ErrorCode code) {
  switch (code) {
    case ErrorCode::unknown_transport:
      return "Transport unknown";
    case ErrorCode::unknown_sid:
      return "Session ID unknown";
    case ErrorCode::bad_handshake_method:
      return "Bad handshake method";
    case ErrorCode::bad_request:
      return "Bad request";
    case ErrorCode::forbidden:
      return "Forbidden";
    case ErrorCode::unsupported_protocol_version:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

PollReply PollReply::payload(std::string body) {
  return {net::http::status::ok, "text/plain; charset=UTF-8", std::move(body)};
}

PollReply PollReply::ok() {
  return {net::http::status::ok, "text/html", "ok"};
}

PollReply PollReply::error(ErrorCode code) {
  std::string body = "{\"code\":";
  body += std::to_string(static_cast<int>(code));
  body += ",\"message\":\"";
  body += error_message(code);  // fixed ASCII texts: nothing to escape
  body += "\"}";
  const auto status =
      code == ErrorCode::forbidden ? net::http::status::forbidden : net::http::status::bad_request;
  return {status, "application/json", std::move(body)};
}

PollReply PollReply::bare(net::http::status status) {
  return {status, {}, {}};
}

void PollWaiter::complete(PollReply reply) {
  if (!handler_) return;
  auto h = std::move(handler_);
  boost::asio::post(
      home_, [h = std::move(h), r = std::move(reply)]() mutable { std::move(h)(std::move(r)); });
}

}  // namespace parley::eio
