// Conformance servers for the official protocol test suites (socketio/engine.io-protocol and
// socketio/socket.io-protocol), which expect the reference servers' test setup on port 3000:
//
//  "engine.io": a bare Engine.IO server at /engine.io/ echoing every message packet (text or
//               binary) back to its session.
//  "socket.io": Socket.IO at /socket.io/ with namespaces "/" and "/custom", connectTimeout 1000;
//               both emit "auth" with the CONNECT payload right after connecting; on "/",
//               "message" is answered with "message-back" (same arguments, attachments too),
//               "message-with-ack" is acknowledged with its own arguments, and "emit-with-ack"
//               is emitted back expecting an ack whose arguments are emitted back again.
//
// Both run with CORS origin "*", pingInterval 300, pingTimeout 200 and maxPayload 1000000.
#pragma once

#include <cstdint>
#include <string>

#include "eio/options.h"

namespace parley::sio {

// The Engine.IO settings both modes share.
eio::Options conformance_engine_options();

// Serves `mode` on host:port with `threads` event loops until SIGINT/SIGTERM; returns the exit
// code (2 for an unknown mode, 1 if the port cannot be bound).
int run_conformance(std::string mode, std::string host, uint16_t port, unsigned threads);

}  // namespace parley::sio
