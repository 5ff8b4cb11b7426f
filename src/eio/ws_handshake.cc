// See ws_handshake.h.
#include "eio/ws_handshake.h"

#include <boost/beast/http/rfc7230.hpp>

#include "core/ascii.h"
#include "core/sha1.h"
#include "eio/base64.h"

namespace parley::eio {

namespace {

namespace http = boost::beast::http;

// A comma-separated header (Connection, Upgrade) lists `token`, case-insensitively.
bool lists_token(const net::Request& req, http::field field, std::string_view token) {
  const auto [first, last] = req.equal_range(field);
  for (auto it = first; it != last; ++it) {
    for (const auto& item : http::token_list(it->value())) {
      if (ascii::iequals(item, token)) return true;
    }
  }
  return false;
}

WsHandshake refuse(std::string_view status, std::string_view extra_headers, std::string_view why) {
  WsHandshake h;
  h.response.append("HTTP/1.1 ").append(status).append("\r\n");
  h.response.append(extra_headers);
  h.response.append("Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ");
  h.response.append(std::to_string(why.size())).append("\r\n\r\n").append(why);
  return h;
}

}  // namespace

std::string ws_accept_key(std::string_view client_key) {
  std::string input(client_key);
  input.append("258EAFA5-E914-47DA-95CA-C5AB0DC85B11");
  const auto digest = sha1(input);
  return base64_encode(
      std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

WsHandshake answer_ws_upgrade(const net::Request& req) {
  if (req.method() != http::verb::get || req.version() < 11)
    return refuse("400 Bad Request", {}, "WebSocket upgrade needs GET over HTTP/1.1");
  if (!lists_token(req, http::field::connection, "upgrade") ||
      !lists_token(req, http::field::upgrade, "websocket"))
    return refuse("400 Bad Request", {}, "not a WebSocket upgrade");
  const auto key = req[http::field::sec_websocket_key];
  auto decoded = base64_decode(key);
  if (key.empty() || !decoded || decoded->size() != 16)
    return refuse("400 Bad Request", {}, "bad Sec-WebSocket-Key");
  if (req[http::field::sec_websocket_version] != "13")
    return refuse("426 Upgrade Required", "Sec-WebSocket-Version: 13\r\n",
                  "unsupported WebSocket version");
  WsHandshake h;
  h.ok = true;
  h.response =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: " +
      ws_accept_key(key) + "\r\n\r\n";
  return h;
}

}  // namespace parley::eio
