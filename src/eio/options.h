// Engine.IO server settings: heartbeat, payload and queue limits, CORS policy, upgrade timing.
// Defaults match what the chat contract advertises (pingInterval 25000, pingTimeout 60000,
// maxPayload 1000000); the conformance modes override them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace parley::eio {

struct Options {
  // Requests whose target starts with this are ours (the reference server matches a prefix too).
  std::string path = "/socket.io/";
  std::chrono::milliseconds ping_interval{25000};
  std::chrono::milliseconds ping_timeout{60000};
  // Largest message (WebSocket) or POST body (polling) a client may send; advertised in the open
  // packet as maxPayload.
  std::uint64_t max_payload = 1000000;
  // A probing WebSocket must complete the upgrade ("5") within this.
  std::chrono::milliseconds upgrade_timeout{10000};
  // A polling session closed by the server waits this long for the GET that carries its last
  // packets and the close packet; then it is dropped.
  std::chrono::milliseconds close_linger{30000};
  // A graceful WebSocket close (close frame, then teardown) is cut short after this.
  std::chrono::milliseconds ws_close_timeout{5000};
  // CORS on polling responses: false echoes the request's Origin with credentials allowed;
  // true answers "*" (what the official conformance suites run against).
  bool cors_any = false;
  // Bytes a session may have queued for the client (WebSocket: encoded and not yet written to the
  // socket; polling: not yet fetched by a GET). Over it the session is closed as a slow consumer.
  std::size_t outbound_queue_bytes = 4 * 1024 * 1024;
  bool allow_polling = true;
  bool allow_websocket = true;
  bool allow_upgrades = true;
  // Resolution of the per-loop timer wheel that drives heartbeats and timeouts; 0 picks one from
  // the heartbeat settings (1/20 of the shorter one, between 5 and 100 ms).
  std::chrono::milliseconds timer_tick{0};
  // Prepended to every session id ("<node id>-"), so a load balancer can route a session's
  // polling requests and upgrade to the node that owns it by the sid's prefix.
  std::string sid_prefix;
};

}  // namespace parley::eio
