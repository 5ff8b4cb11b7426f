// HttpServer: one listening port served by every event loop. Each loop has its own acceptor on
// the same port (SO_REUSEPORT), so the kernel spreads connections and a connection lives its
// whole life on the loop that accepted it: no cross-thread handoff per request.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "net/access_log.h"
#include "net/http_types.h"

namespace parley::net {

class HttpServer {
 public:
  HttpServer(std::vector<asio::io_context*> loops, HttpHandler& handler, HttpLimits limits);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (port 0 picks a free one) and starts accepting on every loop.
  Result<void> listen(const std::string& host, uint16_t port);
  uint16_t port() const { return port_; }

  // Every answered request is reported to `log` (may be null: no access log). Set before listen().
  void set_access_log(AccessLog* log) { access_log_ = log; }

  // Stops accepting new connections and ends keep-alive after the current request.
  void stop_accepting();
  bool draining() const { return draining_.load(std::memory_order_relaxed); }

  // Requests read but not yet fully answered, across all loops.
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  int connections() const { return connections_->load(std::memory_order_relaxed); }

 private:
  friend class HttpConnection;
  asio::awaitable<void> accept_loop(size_t index);

  std::vector<asio::io_context*> loops_;
  HttpHandler& handler_;
  HttpLimits limits_;
  AccessLog* access_log_ = nullptr;
  std::vector<std::unique_ptr<asio::ip::tcp::acceptor>> acceptors_;
  uint16_t port_ = 0;
  std::atomic<bool> draining_{false};
  std::atomic<int> in_flight_{0};
  // Shared with connection slots, which may outlive the server during shutdown.
  std::shared_ptr<std::atomic<int>> connections_ = std::make_shared<std::atomic<int>>(0);
};

}  // namespace parley::net
