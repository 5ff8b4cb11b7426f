// The WebSocket opening handshake, server side (RFC 6455 §4.2): checks an upgrade request and
// builds the raw bytes of the answer, 101 Switching Protocols or the error that refuses it.
// No extensions (permessage-deflate is not offered back) and no subprotocol.
#pragma once

#include <string>
#include <string_view>

#include "net/http_types.h"

namespace parley::eio {

struct WsHandshake {
  bool ok = false;
  std::string response;  // the whole HTTP response, ready to write
};

WsHandshake answer_ws_upgrade(const net::Request& req);

// base64(SHA-1(key + the RFC's GUID)).
std::string ws_accept_key(std::string_view client_key);

}  // namespace parley::eio
