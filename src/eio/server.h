// eio::Server: the Engine.IO v4 server behind /socket.io/ (net::HttpHandler). Handshakes on both
// transports, long-polling GET/POST, WebSocket upgrades and their probes; errors answered exactly
// as the reference engine.io server does. Sessions are handed to a ServerHandler (the Socket.IO
// layer) as they open.
//
// Threading: the server is given the same event loops as the HttpServer(s) in front of it. A
// session lives on the loop that took its handshake. Polling requests that arrive on another loop
// find the session in a thread-safe table and hop to its loop; a WebSocket that upgrades a session
// living elsewhere has its socket moved to the session's loop (see upgrade()).
//
// Shutdown: close_all(), let the loops drain briefly, stop them, then destroy the server.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "eio/loop.h"
#include "eio/options.h"
#include "eio/session.h"
#include "eio/session_table.h"
#include "net/http_types.h"

namespace parley::eio {

class ServerHandler {
 public:
  virtual ~ServerHandler() = default;
  // A session opened (called on its loop). Attach a listener with session->set_listener(); what
  // is sent now follows the open packet.
  virtual void on_open(const SessionPtr& session) = 0;
};

class Server final : public net::HttpHandler {
 public:
  Server(std::vector<boost::asio::io_context*> loops, Options options, ServerHandler& handler);
  ~Server() override;
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint64_t body_limit(const net::RequestHeader& header) override;
  boost::asio::awaitable<net::http::message_generator> handle(net::Request req,
                                                              net::ConnInfo info) override;
  bool wants_upgrade(const net::Request& req) override;
  boost::asio::awaitable<void> upgrade(net::beast::tcp_stream stream, net::Request req,
                                       net::ConnInfo info, net::ConnectionSlotPtr slot) override;

  // Closes every open session (queued packets still go out). Callable from any thread.
  void close_all(std::string reason = "forced close");
  std::size_t session_count() const { return table_.size(); }
  const Options& options() const { return options_; }
  // The per-loop state of the loop `ex` belongs to; nullptr for a loop not given to the server.
  Loop* loop_for(const boost::asio::any_io_executor& ex) const;
  // The loops' counters summed (for /metrics; any thread).
  StatsTotal stats() const;

 private:
  bool matches_path(std::string_view path) const;
  SessionPtr create_session(Loop& loop, net::ConnInfo info);
  void start_probe(const SessionPtr& session, boost::asio::ip::tcp::socket socket, net::Request req,
                   net::ConnectionSlotPtr slot);

  Options options_;
  ServerHandler& handler_;
  std::vector<std::unique_ptr<Loop>> loops_;
  SessionTable table_;
};

}  // namespace parley::eio
