// sio::Server: Socket.IO v5 on top of the Engine.IO server. Each Engine.IO session becomes a
// Connection that CONNECTs to namespaces; each connected namespace is a Socket handed to the
// application's SocketHandler. It owns the eio::Server, whose HttpHandler the front door
// (api::RestHandler) forwards /socket.io/ to.
//
// Wiring:
//   sio::Options options;                       // engine (heartbeat, caps, CORS), namespaces...
//   sio::Server io{loop_ptrs, handler, groups, options};
//   api::RestHandler rest{services, &io.http(), true};
//   ...on shutdown: io.close_all(); stop the loops; destroy io.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/json/array.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "eio/server.h"
#include "metrics/named_counters.h"
#include "sio/groups.h"
#include "sio/socket.h"

namespace parley::sio {

struct Options {
  eio::Options engine;
  // An Engine.IO connection that has not CONNECTed to any namespace by then is closed.
  std::chrono::milliseconds connect_timeout{45000};
  // Namespaces clients may CONNECT to; any other gets CONNECT_ERROR "Invalid namespace".
  std::vector<std::string> namespaces{"/"};
  // Attachments one binary packet may declare (each is buffered until the last arrives).
  std::size_t max_attachments = 256;
  // Counters for /metrics (may be null; owned by the caller): events received, and events this
  // server emitted to one socket, by event name.
  metrics::NamedCounters* events_in = nullptr;
  metrics::NamedCounters* events_out = nullptr;
};

// For handlers that want binary events: SocketHandler::on_event has no room for attachments, so
// a handler that also derives from this gets BINARY_EVENTs here (with the placeholders still in
// `args` and the bytes in `attachments`). Other handlers get them through on_event, placeholders
// in place and the bytes dropped.
class BinaryEventHandler {
 public:
  virtual ~BinaryEventHandler() = default;
  virtual void on_binary_event(SocketPtr socket, std::string_view event, json::array args,
                               std::vector<std::string> attachments,
                               std::optional<uint64_t> ack_id) = 0;
};

class Server final : public eio::ServerHandler {
 public:
  // `handler` and `groups` must outlive the server. The loops are those of the HttpServer(s)
  // that will forward to http().
  Server(std::vector<boost::asio::io_context*> loops, SocketHandler& handler, Groups& groups,
         Options options);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  net::HttpHandler& http() { return engine_; }
  eio::Server& engine() { return engine_; }
  // Closes every connection (clients see a transport close). Callable from any thread.
  void close_all() { engine_.close_all(); }

  // ---- For Connection and SocketImpl ----
  void on_open(const eio::SessionPtr& session) override;
  bool has_namespace(std::string_view nsp) const;
  SocketHandler& handler() { return handler_; }
  BinaryEventHandler* binary_handler() { return binary_handler_; }
  Groups& groups() { return groups_; }
  const Options& options() const { return options_; }

 private:
  SocketHandler& handler_;
  BinaryEventHandler* binary_handler_;
  Groups& groups_;
  Options options_;
  eio::Server engine_;
};

}  // namespace parley::sio
