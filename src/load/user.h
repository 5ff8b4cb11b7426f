// Private to the engine: one virtual user. It lives on one loop and everything about it runs
// there. Its REST phase and send/churn/api loops are coroutines (user.cc, user_loops.cc); once
// its socket is up it is driven by socket events (user_events.cc); the loop's sweep (sweep.cc)
// times out what it still waits for.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "load/client.h"
#include "load/engine_impl.h"
#include "load/loop.h"

namespace parley::load::engine_detail {

namespace json = boost::json;

struct User : SioHandler, std::enable_shared_from_this<User> {
  User(Impl& e, Loop& l, uint64_t i) : eng(e), loop(l), idx(i), timer(l.io) {}

  Impl& eng;
  Loop& loop;
  uint64_t idx;
  std::string token, session, user_id;
  std::shared_ptr<Room> room;
  int member = -1;
  std::unique_ptr<HttpClient> http;
  std::shared_ptr<SioClient> sio;
  asio::steady_timer timer;
  bool dead = false;
  bool counted_connected = false;
  bool sending = false;
  // Pending operations and when they started (ns).
  int64_t join_sent = 0;
  int64_t history_sent = 0;
  // (seq, intended send time). A list: an empty std::deque allocates ~600 bytes, per user.
  std::list<std::pair<uint32_t, int64_t>> echoes;
  std::unordered_map<std::string, int64_t> reads;
  std::unordered_map<std::string, int64_t> reactions;

  int ops = 0;  // operations of this user awaiting an answer (the sweep skips users with none)
  void pend(int d) {
    ops += d;
    loop.pending.fetch_add(d, std::memory_order_relaxed);
  }
  const Target& ws_target() const { return eng.cfg.ws[idx % eng.cfg.ws.size()]; }

  HttpClient& rest() {
    if (!http)
      http = std::make_unique<HttpClient>(loop.io.get_executor(), eng.cfg.http, eng.sources);
    return *http;
  }
  HttpRequest request(std::string method, std::string path, std::string body = {}) const {
    HttpRequest r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    r.token = token;
    r.session_id = session;
    return r;
  }

  asio::awaitable<bool> authenticate(int64_t started);
  asio::awaitable<bool> connect_socket();
  asio::awaitable<void> run(int64_t intended);
  asio::awaitable<void> send_loop();
  asio::awaitable<void> churn_loop();
  asio::awaitable<void> api_loop();
  void die();
  void fail_pending(std::string_view why);

  void on_event(std::string_view name, const json::value& arg) override;
  bool wants(std::string_view packet) override;
  void on_close(const std::string& reason, bool intentional) override;
  void on_message(const json::value& m);
};

}  // namespace parley::load::engine_detail
