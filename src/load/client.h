// The two wire clients of a virtual user, both driven by the user's event loop (no locks: a client
// is only touched from its executor):
//  - HttpClient: HTTP/1.1 keep-alive requests (Boost.Beast) to the REST API, one connection at a
//  time,
//    reconnecting (and retrying once) when a reused connection turns out to be closed;
//  - SioClient: Socket.IO v5 over Engine.IO v4 on a WebSocket
//    (/socket.io/?EIO=4&transport=websocket): CONNECT with {"token","sessionId"}, answers the
//    server's pings, hands events to a handler, queues writes. Framed by hand (eio's frame
//    reader in the client role, masked frames written straight to the socket) because a crowd
//    of mostly idle sockets must cost the tool less than it costs the server: an idle client
//    holds no read buffer and a ping costs one read and one write.
// Every socket is bound to a source address from the --source-ips list before connecting, so a
// large crowd never runs out of ephemeral ports on one address pair. Failures come back as values
// whose detail is the reason shown in the report ("connect: Connection refused", "timeout", …).
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "load/guard.h"

namespace parley::load {

namespace asio = boost::asio;

// Hands out the configured source addresses round-robin (thread-safe).
class SourcePicker {
 public:
  explicit SourcePicker(std::vector<std::string> ips) : ips_(std::move(ips)) {}
  // "" when no list was given: the kernel picks.
  const std::string& next() const;

 private:
  std::vector<std::string> ips_;
  mutable std::atomic<size_t> next_{0};
};

int64_t mono_ns();  // CLOCK_MONOTONIC: one clock for every thread and worker process

struct HttpRequest {
  std::string method = "GET";
  std::string path;
  std::string body;
  std::string content_type = "application/json";
  std::string token;
  std::string session_id;
  bool bearer = false;  // Authorization: Bearer only (as the reference load test's organiser)
};

struct HttpResponse {
  int status = 0;
  std::string body;
};

class HttpClient {
 public:
  HttpClient(asio::any_io_executor ex, const Target& target, const SourcePicker& sources);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  asio::awaitable<Result<HttpResponse>> send(const HttpRequest& req,
                                             std::chrono::milliseconds timeout);
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What a SioClient reports to its owner; called on the client's executor.
class SioHandler {
 public:
  virtual ~SioHandler() = default;
  virtual void on_event(std::string_view name, const boost::json::value& arg) = 0;
  // Asked with the raw packet (`42["name",…]`) before it is parsed: false drops it unparsed.
  // Lets the owner skip events it would ignore anyway (other members' read receipts).
  virtual bool wants(std::string_view packet) {
    (void)packet;
    return true;
  }
  // The socket is gone. `intentional` when close() started it; else `reason` says what happened
  // ("io server disconnect", "transport close", "ping timeout", "transport error: …").
  virtual void on_close(const std::string& reason, bool intentional) = 0;
};

class SioClient : public std::enable_shared_from_this<SioClient> {
 public:
  static std::shared_ptr<SioClient> create(asio::any_io_executor ex, const Target& target,
                                           const std::string& source_ip);
  ~SioClient();

  // TCP connect, WebSocket handshake, Engine.IO open, then CONNECT with `auth` (a JSON object
  // text). Succeeds when the server answers CONNECT; the detail of an error is the reason
  // ("CONNECT_ERROR: Invalid session", "timeout", …).
  asio::awaitable<Result<void>> connect(std::string auth, std::chrono::milliseconds timeout);
  // Starts reading; events and the final close go to `handler` (held weakly).
  void start(std::weak_ptr<SioHandler> handler);
  // Queues 42["event",arg].
  void emit(std::string_view event, const boost::json::value& arg);
  // Queues an already encoded Socket.IO packet (e.g. `42["event",{…}]`), for the hot path.
  void emit_frame(std::string_view packet);
  // Sends DISCONNECT and closes the WebSocket; on_close(…, true) follows.
  void close();
  // Drops the connection at once (ping timeout detected by the owner); on_close follows.
  void abort(std::string reason);

  bool connected() const { return connected_; }
  // Last frame received (mono_ns) and the server's pingInterval + pingTimeout, for the owner's
  // ping-timeout check.
  int64_t last_rx_ns() const { return last_rx_ns_; }
  int64_t ping_deadline_ns() const { return ping_deadline_ns_; }

 private:
  struct Impl;
  SioClient() = default;
  void read();
  void on_readable(const boost::system::error_code& ec);
  void handle_message(std::string_view frame);
  void queue(std::string_view frame);
  void flush();
  void finish(std::string reason);

  std::unique_ptr<Impl> impl_;
  bool connected_ = false;
  bool closing_ = false;
  bool finished_ = false;
  int64_t last_rx_ns_ = 0;
  int64_t ping_deadline_ns_ = 85'000'000'000;
  std::string abort_reason_;
};

}  // namespace parley::load
