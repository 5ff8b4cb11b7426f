// HTTP responses of the Engine.IO front door: polling replies with their CORS headers, CORS
// preflights, and the raw 400 the reference server writes when it refuses a WebSocket upgrade.
#pragma once

#include <string>
#include <string_view>

#include "eio/polling.h"
#include "net/http_types.h"

namespace parley::eio {

// CORS: `cors_any` answers "*"; otherwise the request's Origin is echoed with credentials
// allowed (socket.io-client sends cookies with withCredentials).
net::StringResponse make_response(const net::Request& req, PollReply reply, bool cors_any);
net::StringResponse make_preflight(const net::Request& req, bool cors_any);
net::StringResponse make_not_found(const net::Request& req);
// "HTTP/1.1 400 Bad Request" with `message` as a text/html body, then the connection closes.
std::string upgrade_rejection(std::string_view message);

}  // namespace parley::eio
