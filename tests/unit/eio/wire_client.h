// Test helpers for the Engine.IO / Socket.IO servers: event loops on real threads, and raw Beast
// HTTP and WebSocket clients whose every operation is bounded by a timeout (each client runs its
// own io_context for at most that long, then cancels), so a misbehaving server fails a test
// instead of hanging it.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "net/http_server.h"

namespace parley::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

// N single-threaded event loops, each run by its own thread.
class Loops {
 public:
  explicit Loops(unsigned n) {
    for (unsigned i = 0; i < n; ++i) {
      loops_.push_back(std::make_unique<asio::io_context>(1));
      guards_.push_back(asio::make_work_guard(*loops_.back()));
    }
  }
  ~Loops() { stop(); }
  std::vector<asio::io_context*> ptrs() const {
    std::vector<asio::io_context*> v;
    for (const auto& l : loops_)
      v.push_back(l.get());
    return v;
  }
  asio::io_context& at(std::size_t i) { return *loops_[i]; }
  void start() {
    for (auto& l : loops_)
      threads_.emplace_back([ctx = l.get()] { ctx->run(); });
  }
  void stop() {
    guards_.clear();
    for (auto& l : loops_)
      l->stop();
    for (auto& t : threads_)
      t.join();
    threads_.clear();
  }
  // Runs `fn` on loop `i` and waits for it.
  template <class Fn>
  void run_on(std::size_t i, Fn fn) {
    std::promise<void> done;
    asio::post(*loops_[i], [&] {
      fn();
      done.set_value();
    });
    done.get_future().wait();
  }

 private:
  std::vector<std::unique_ptr<asio::io_context>> loops_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
};

// Stops accepting and waits (bounded) until no request is being handled: a request suspended
// when the loops stop would refer to the listener when its coroutine is destroyed. Close the
// sessions first so that parked long-polling GETs are answered.
inline void quiesce(net::HttpServer& http, std::chrono::milliseconds timeout = 2s) {
  http.stop_accepting();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (http.in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);
}

// Runs the asynchronous operation `start(handler)` on `ioc` for at most `timeout`; on timeout
// `cancel()` is called and asio::error::timed_out returned.
template <class Start, class Cancel>
beast::error_code run_bounded(asio::io_context& ioc, Start start, Cancel cancel,
                              std::chrono::milliseconds timeout) {
  std::optional<beast::error_code> result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run_for(timeout);
  if (result) return *result;
  cancel();
  ioc.restart();
  ioc.run_for(1s);
  return asio::error::timed_out;
}

struct HttpReply {
  beast::error_code ec;
  unsigned status = 0;
  std::string body;
  http::response<http::string_body> message;
  std::string header(http::field f) const {
    auto it = message.find(f);
    return it == message.end() ? std::string() : std::string(it->value());
  }
};

// One request on a fresh connection.
inline HttpReply http_call(uint16_t port, http::verb verb, const std::string& target,
                           std::string body = {},
                           std::vector<std::pair<http::field, std::string>> headers = {},
                           std::chrono::milliseconds timeout = 5s) {
  HttpReply reply;
  asio::io_context ioc;
  tcp::socket socket(ioc);
  auto cancel = [&] {
    beast::error_code ignored;
    socket.close(ignored);
  };
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  reply.ec = run_bounded(
      ioc, [&](auto h) { socket.async_connect(ep, std::move(h)); }, cancel, timeout);
  if (reply.ec) return reply;
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (auto& [f, v] : headers)
    req.set(f, v);
  if (verb != http::verb::get || !body.empty()) {
    req.body() = std::move(body);
    req.prepare_payload();
  }
  reply.ec = run_bounded(
      ioc, [&](auto h) { http::async_write(socket, req, std::move(h)); }, cancel, timeout);
  if (reply.ec) return reply;
  beast::flat_buffer buffer;
  reply.ec = run_bounded(
      ioc, [&](auto h) { http::async_read(socket, buffer, reply.message, std::move(h)); }, cancel,
      timeout);
  reply.status = reply.message.result_int();
  reply.body = reply.message.body();
  return reply;
}

inline HttpReply http_get(uint16_t port, const std::string& target,
                          std::chrono::milliseconds timeout = 5s) {
  return http_call(port, http::verb::get, target, {}, {}, timeout);
}
inline HttpReply http_post(uint16_t port, const std::string& target, std::string body,
                           std::chrono::milliseconds timeout = 5s) {
  return http_call(port, http::verb::post, target, std::move(body),
                   {{http::field::content_type, "text/plain;charset=UTF-8"}}, timeout);
}

// Writes `raw` on a fresh connection and returns everything read until the server closes it.
inline std::string raw_exchange(uint16_t port, const std::string& raw,
                                std::chrono::milliseconds timeout = 5s) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  auto cancel = [&] {
    beast::error_code ignored;
    socket.close(ignored);
  };
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  if (run_bounded(
          ioc, [&](auto h) { socket.async_connect(ep, std::move(h)); }, cancel, timeout))
    return {};
  if (run_bounded(
          ioc, [&](auto h) { asio::async_write(socket, asio::buffer(raw), std::move(h)); }, cancel,
          timeout))
    return {};
  std::string out;
  auto buf = asio::dynamic_buffer(out);
  run_bounded(
      ioc, [&](auto h) { asio::async_read(socket, buf, std::move(h)); }, cancel, timeout);
  return out;
}

struct WsMessage {
  beast::error_code ec;
  bool binary = false;
  std::string data;
  explicit operator bool() const { return !ec; }
};

class WsClient {
 public:
  // `receive_buffer`: a small SO_RCVBUF makes a client that stops reading back up quickly.
  explicit WsClient(uint16_t port, int receive_buffer = 0) : port_(port) {
    if (receive_buffer > 0) {
      beast::error_code ignored;
      ws_.next_layer().open(tcp::v4(), ignored);
      ws_.next_layer().set_option(asio::socket_base::receive_buffer_size(receive_buffer), ignored);
    }
  }

  beast::error_code connect(const std::string& target, std::chrono::milliseconds timeout = 5s) {
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port_);
    auto ec = run([&](auto h) { ws_.next_layer().async_connect(ep, std::move(h)); }, timeout);
    if (ec) return ec;
    return run([&](auto h) { ws_.async_handshake(response_, "127.0.0.1", target, std::move(h)); },
               timeout);
  }
  const websocket::response_type& handshake_response() const { return response_; }

  beast::error_code send(std::string_view data, bool binary = false,
                         std::chrono::milliseconds timeout = 5s) {
    ws_.binary(binary);
    return run([&](auto h) { ws_.async_write(asio::buffer(data), std::move(h)); }, timeout);
  }
  // One frame of a message; `fin` ends it.
  beast::error_code send_fragment(std::string_view data, bool fin, bool binary = false) {
    ws_.binary(binary);
    return run([&](auto h) { ws_.async_write_some(fin, asio::buffer(data), std::move(h)); }, 5s);
  }

  WsMessage read(std::chrono::milliseconds timeout = 5s) {
    WsMessage m;
    beast::flat_buffer buffer;
    m.ec = run([&](auto h) { ws_.async_read(buffer, std::move(h)); }, timeout);
    if (m.ec) return m;
    m.binary = ws_.got_binary();
    m.data = beast::buffers_to_string(buffer.data());
    return m;
  }
  // The next message that is not an Engine.IO ping; pings are answered (or not).
  WsMessage read_skip_pings(bool pong = true, std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      WsMessage m = read(std::max(left, 1ms));
      if (!m || m.binary || m.data != "2") return m;
      if (pong) send("3");
    }
  }
  // True when the server ends the connection (close frame or TCP close) within `timeout`;
  // messages before that are skipped.
  bool closed_within(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left <= 0ms) return false;
      WsMessage m = read(left);
      if (m.ec == asio::error::timed_out) return false;
      if (!m) {
        last_error_ = m.ec;
        return true;
      }
    }
  }
  beast::error_code last_error() const { return last_error_; }
  websocket::close_reason close_reason() const { return ws_.reason(); }
  websocket::stream<tcp::socket>& stream() { return ws_; }

 private:
  template <class Start>
  beast::error_code run(Start start, std::chrono::milliseconds timeout) {
    return run_bounded(
        ioc_, std::move(start),
        [this] {
          beast::error_code ignored;
          ws_.next_layer().close(ignored);
        },
        timeout);
  }

  uint16_t port_;
  asio::io_context ioc_;
  websocket::stream<tcp::socket> ws_{ioc_};
  websocket::response_type response_;
  beast::error_code last_error_;
};

}  // namespace parley::testing
