// The scenarios and their bookkeeping.
//
// Threading: a user lives on one loop (its room's loop in room scenarios) and everything about it
// runs there. Loop 0 runs the control coroutine (clock, samples, stop) and the spawner; it
// reaches other loops only by posting work to them. Counters are recorded under a per-loop mutex
// that loop 0 takes once a second to swap the interval out.
//
// Flow of a contest user: login (register on 401) → REST join → GET room → socket CONNECT →
// joinRoom; from then on it is event driven: joinRoomSuccess → fetchPreviousMessages →
// previousMessagesLoaded → the send loop; every `message` is checked (echo, delivery) and
// marked read. A once-a-second sweep per loop times out unanswered operations, detects ping
// timeouts and settles the rooms' delivery checkers.
//
// Latencies start at the intended time of an operation (a user's scheduled arrival, a message's
// scheduled send), not when the tool got round to it, so the tool's own lateness shows.
//
// GCC 12: no capturing lambda or braced temporary inside a co_await expression (named locals).
#include "load/engine.h"

#include <unistd.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <iostream>
#include <list>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>

#include "load/ack_recorder.h"
#include "load/client.h"
#include "load/resources.h"

namespace parley::load {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Clock::time_point at_ns(int64_t ns) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::nanoseconds(ns)));
}
uint64_t us_since(int64_t from_ns, int64_t now_ns) {
  return now_ns > from_ns ? static_cast<uint64_t>((now_ns - from_ns) / 1000) : 0;
}
int64_t secs_ns(double s) {
  return static_cast<int64_t>(s * 1e9);
}

std::string http_reason(const Result<HttpResponse>& r) {
  if (!r) return r.error().detail;
  return "HTTP " + std::to_string(r->status);
}

// Field lookups that tolerate any shape: a missing or mistyped field is "".
std::string str_field(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  if (o == nullptr) return {};
  const json::value* f = o->if_contains(key);
  if (f == nullptr || !f->is_string()) return {};
  return std::string(f->get_string());
}
const json::value* field(const json::value& v, std::string_view key) {
  const json::object* o = v.if_object();
  return o == nullptr ? nullptr : o->if_contains(key);
}
json::value parse_body(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  return ec ? json::value() : v;
}

}  // namespace

// --- per-loop state ----------------------------------------------------------------------------

struct User;
struct Room;

struct Loop {
  asio::io_context io{1};
  std::thread thread;
  std::mutex mu;
  Counters interval;  // guarded by mu
  std::atomic<int64_t> users{0};
  std::atomic<int64_t> connected{0};
  std::atomic<int64_t> pending{0};             // operations awaiting an answer
  std::vector<std::shared_ptr<User>> members;  // loop thread only
  size_t sweeps = 0;                           // loop thread only
  std::vector<std::shared_ptr<Room>> rooms;    // loop thread only
  std::mt19937_64 rng;

  template <class F>
  void record(F&& f) {
    std::lock_guard lock(mu);
    f(interval);
  }
  void success(Op op, uint64_t us) {
    record([&](Counters& c) { c.success(op, us); });
  }
  void failure(Op op, std::string_view reason) {
    record([&](Counters& c) { c.failure(op, reason); });
  }
  double uniform(double a, double b) { return std::uniform_real_distribution<double>(a, b)(rng); }
};

struct Room {
  Room(std::string i, Loop& l, int64_t timeout_ns)
      : id(std::move(i)), loop(l), checker(timeout_ns) {}
  std::string id;
  Loop& loop;
  DeliveryChecker checker;
  std::unordered_map<uint64_t, int> slot_of;  // user index → member slot
  int alive = 0;
};

struct Engine::Impl {
  Impl(const Config& c, int w, int ws, std::function<void(const Sample&)> s)
      : cfg(c),
        worker(w),
        workers(ws),
        sink(std::move(s)),
        sources(c.source_ips),
        acks(c.record_acks_file) {}

  const Config& cfg;
  int worker, workers;
  std::function<void(const Sample&)> sink;
  SourcePicker sources;
  AckRecorder acks;  // --record-acks
  std::vector<std::unique_ptr<Loop>> loops;
  std::atomic<bool> stopping{false};
  std::atomic<bool> interrupted{false};
  int64_t t0 = 0;
  int64_t timeout_ns = 0;
  std::chrono::milliseconds timeout{10000};
  uint64_t next_k = 0;   // this worker's users spawned so far (idx = worker + k * workers)
  size_t next_loop = 0;  // round robin
  std::unique_ptr<asio::steady_timer> spawn_timer;
  // --reuse-sessions: credentials from the preparation, by user index. Written on loop 0 before
  // the clock starts, only read afterwards.
  struct Creds {
    std::string token, session, user_id;
  };
  std::unordered_map<uint64_t, Creds> prepared;
  std::unique_ptr<asio::signal_set> signals;

  Loop& loop0() { return *loops[0]; }
  Loop& pick_loop() { return *loops[next_loop++ % loops.size()]; }
  uint64_t next_index() { return static_cast<uint64_t>(worker) + workers * next_k++; }
  int64_t alive_users() const {
    int64_t n = 0;
    for (const auto& l : loops)
      n += l->users.load(std::memory_order_relaxed);
    return n;
  }
  std::string email_of(uint64_t idx) const {
    return cfg.user_prefix + "-" + std::to_string(idx) + "@load.test";
  }

  // control
  asio::awaitable<void> control(std::function<void()> before_start);
  asio::awaitable<void> prepare();
  void keep_creds(uint64_t idx, const std::string& body);
  asio::awaitable<void> prepare_worker(std::shared_ptr<std::atomic<int64_t>> next,
                                       std::shared_ptr<std::array<std::atomic<int64_t>, 3>> tally);
  asio::awaitable<void> spawner();
  asio::awaitable<void> sleep_until(asio::steady_timer& t, int64_t ns);
  asio::awaitable<void> on_every_loop(void (Impl::*fn)(Loop&));
  void emit_sample(int64_t tick, bool final);
  void sweep(Loop& l);
  void close_all(Loop& l);
  void finish_rooms(Loop& l);
  void start_sweeps();
  asio::awaitable<void> sweep_loop(Loop& l);

  // organiser (room scenarios)
  struct Organiser {
    std::unique_ptr<HttpClient> http;
    std::string token;
    int rooms = 0;
  } org;
  asio::awaitable<bool> organiser_login();
  asio::awaitable<std::shared_ptr<Room>> create_room();
  std::shared_ptr<Room> broadcast_room;

  void spawn_user(Loop& l, std::shared_ptr<Room> room, int64_t intended_ns);
};

// --- the virtual user --------------------------------------------------------------------------

struct User : SioHandler, std::enable_shared_from_this<User> {
  User(Engine::Impl& e, Loop& l, uint64_t i) : eng(e), loop(l), idx(i), timer(l.io) {}

  Engine::Impl& eng;
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
  void on_close(const std::string& reason, bool intentional) override;
  void on_message(const json::value& m);
};

void User::die() {
  if (dead) return;
  dead = true;
  loop.users.fetch_sub(1, std::memory_order_relaxed);
  const int64_t now = mono_ns();
  if (room && member >= 0) {
    room->checker.left(member, now);
    room->alive--;
  }
  if (http) http->close();
  if (sio) sio->close();
  timer.cancel();
}

void User::fail_pending(std::string_view why) {
  if (join_sent) {
    loop.failure(Op::join_room, why);
    join_sent = 0;
    pend(-1);
  }
  if (history_sent) {
    loop.failure(Op::history_fetch, why);
    history_sent = 0;
    pend(-1);
  }
  for (size_t i = 0; i < echoes.size(); ++i)
    loop.failure(Op::message_send, why);
  pend(-static_cast<int>(echoes.size()));
  echoes.clear();
  for (size_t i = 0; i < reads.size(); ++i)
    loop.failure(Op::read_receipt, why);
  pend(-static_cast<int>(reads.size()));
  reads.clear();
  for (size_t i = 0; i < reactions.size(); ++i)
    loop.failure(Op::reaction, why);
  pend(-static_cast<int>(reactions.size()));
  reactions.clear();
}

asio::awaitable<bool> User::authenticate(int64_t started) {
  const std::string email = eng.email_of(idx);
  json::object creds;
  creds["email"] = email;
  creds["password"] = eng.cfg.password;
  const std::string login_body = json::serialize(creds);
  for (int attempt = 0; attempt < 2; ++attempt) {
    const HttpRequest login_req = request("POST", "/api/auth/login", login_body);
    auto r = co_await rest().send(login_req, eng.timeout);
    if (eng.stopping) co_return false;
    if (r && r->status == 200) {
      const json::value body = parse_body(r->body);
      token = str_field(body, "token");
      session = str_field(body, "sessionId");
      const json::value* u = field(body, "user");
      if (u != nullptr) user_id = str_field(*u, "_id");
      if (token.empty() || session.empty() || user_id.empty()) {
        loop.failure(Op::login, "login answer without token/sessionId/user._id");
        co_return false;
      }
      loop.success(Op::login, us_since(started, mono_ns()));
      co_return true;
    }
    if (!r || r->status != 401 || attempt > 0) {
      loop.failure(Op::login, http_reason(r));
      co_return false;
    }
    // 401: not registered yet (the reference load tests do the same: login, else register).
    const int64_t reg_start = mono_ns();
    json::object reg;
    reg["name"] = "Load User " + std::to_string(idx);
    reg["email"] = email;
    reg["password"] = eng.cfg.password;
    const HttpRequest reg_req = request("POST", "/api/auth/register", json::serialize(reg));
    auto rr = co_await rest().send(reg_req, eng.timeout);
    if (eng.stopping) co_return false;
    if (rr && rr->status == 201) {
      loop.success(Op::register_user, us_since(reg_start, mono_ns()));
      const json::value body = parse_body(rr->body);
      token = str_field(body, "token");
      session = str_field(body, "sessionId");
      const json::value* u = field(body, "user");
      if (u != nullptr) user_id = str_field(*u, "_id");
      // The register answer carries a session (Node superset); else log in as the Java server
      // wants.
      if (!token.empty() && !session.empty() && !user_id.empty()) co_return true;
    } else if (!(rr && rr->status == 409)) {
      loop.failure(Op::register_user, http_reason(rr));
      co_return false;
    }
    started = mono_ns();
  }
  co_return false;
}

asio::awaitable<bool> User::connect_socket() {
  const int64_t started = mono_ns();
  sio = SioClient::create(loop.io.get_executor(), ws_target(), eng.sources.next());
  json::object auth;
  auth["token"] = token;
  auth["sessionId"] = session;
  std::string auth_text = json::serialize(auth);
  auto r = co_await sio->connect(std::move(auth_text), eng.timeout);
  if (!r) {
    if (!eng.stopping) loop.failure(Op::socket_connect, r.error().detail);
    sio.reset();
    co_return false;
  }
  loop.success(Op::socket_connect, us_since(started, mono_ns()));
  counted_connected = true;
  loop.connected.fetch_add(1, std::memory_order_relaxed);
  sio->start(weak_from_this());
  if (eng.stopping) {
    sio->close();
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> User::run(int64_t intended) {
  auto self = shared_from_this();
  if (intended > mono_ns()) {
    timer.expires_at(at_ns(intended));
    co_await timer.async_wait(kTuple);
  }
  if (eng.stopping || dead) {
    die();
    co_return;
  }
  bool authenticated = false;
  if (eng.cfg.reuse_sessions) {
    if (auto it = eng.prepared.find(idx); it != eng.prepared.end()) {
      token = it->second.token;
      session = it->second.session;
      user_id = it->second.user_id;
      authenticated = true;
    }
  }
  if (!authenticated && !co_await authenticate(intended)) {
    die();
    co_return;
  }
  const Scenario sc = eng.cfg.scenario;
  if (sc == Scenario::api) {
    co_await api_loop();
    die();
    co_return;
  }
  if (sc == Scenario::contest || sc == Scenario::broadcast) {
    const int64_t join_start = mono_ns();
    const HttpRequest join_req = request("POST", "/api/rooms/" + room->id + "/join", "{}");
    auto j = co_await rest().send(join_req, eng.timeout);
    if (eng.stopping || dead) {
      die();
      co_return;
    }
    if (!j || j->status != 200) {
      loop.failure(Op::rest_join, http_reason(j));
      {
        die();
        co_return;
      }
    }
    loop.success(Op::rest_join, us_since(join_start, mono_ns()));
    if (sc == Scenario::contest) {
      const int64_t read_start = mono_ns();
      const HttpRequest read_req = request("GET", "/api/rooms/" + room->id);
      auto g = co_await rest().send(read_req, eng.timeout);
      if (eng.stopping || dead) {
        die();
        co_return;
      }
      if (!g || g->status != 200)
        loop.failure(Op::room_read, http_reason(g));
      else
        loop.success(Op::room_read, us_since(read_start, mono_ns()));
    }
  }
  // REST is done: give the descriptor back, a crowd of 19,000 needs every one.
  http.reset();
  if (sc == Scenario::churn) {
    co_await churn_loop();
    {
      die();
      co_return;
    }
  }
  if (!co_await connect_socket()) {
    die();
    co_return;
  }
  if (sc == Scenario::contest || sc == Scenario::broadcast) {
    json::value room_id = json::string(room->id);
    join_sent = mono_ns();
    pend(1);
    sio->emit("joinRoom", room_id);
  }
  // From here on the user is driven by its socket's events (and idle users just hold).
}

asio::awaitable<void> User::send_loop() {
  auto self = shared_from_this();
  const bool contest = eng.cfg.scenario == Scenario::contest;
  auto gap_ns = [&]() -> int64_t {
    if (contest) return secs_ns(loop.uniform(eng.cfg.send_min_s, eng.cfg.send_max_s));
    return secs_ns(std::max(1, room->alive) / eng.cfg.msg_rate);
  };
  int64_t next =
      mono_ns() + (contest ? gap_ns() : static_cast<int64_t>(loop.uniform(0, 1) * gap_ns()));
  for (;;) {
    timer.expires_at(at_ns(next));
    co_await timer.async_wait(kTuple);
    if (eng.stopping || dead || !sio || !sio->connected()) co_return;
    const uint32_t seq = room->checker.next_seq(member);
    json::object msg;
    msg["room"] = room->id;
    msg["type"] = "text";
    msg["content"] = message_content(idx, seq, next);
    const json::value payload(std::move(msg));
    room->checker.sent(member, seq, next);
    echoes.emplace_back(seq, next);
    pend(1);
    sio->emit("chatMessage", payload);
    loop.record([](Counters& c) { c.msgs_out++; });
    next += gap_ns();
  }
}

asio::awaitable<void> User::churn_loop() {
  auto self = shared_from_this();
  while (!eng.stopping && !dead) {
    if (co_await connect_socket()) {
      const double hold = loop.uniform(0.5, 1.5) * eng.cfg.churn_hold_s;
      timer.expires_after(std::chrono::nanoseconds(secs_ns(hold)));
      co_await timer.async_wait(kTuple);  // on_close cancels it on an unexpected disconnect
      if (sio && sio->connected()) {
        sio->close();
        timer.expires_after(std::chrono::seconds(3));
        co_await timer.async_wait(kTuple);  // until on_close
      }
      sio.reset();
    } else {
      timer.expires_after(std::chrono::seconds(1));  // back off after a failed connect
      co_await timer.async_wait(kTuple);
    }
  }
}

asio::awaitable<void> User::api_loop() {
  auto self = shared_from_this();
  std::vector<std::string> known;  // room ids seen in lists or created
  // A 1x1 PNG: uploads are validated by declared type and extension, not content.
  static const unsigned char kPngBytes[] = {
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
      0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00,
      0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78,
      0x9c, 0x63, 0xf8, 0x0f, 0x00, 0x00, 0x01, 0x01, 0x00, 0x05, 0x18, 0xd8, 0x4e, 0x00,
      0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
  static const std::string kPng(reinterpret_cast<const char*>(kPngBytes), sizeof kPngBytes);
  while (!eng.stopping && !dead) {
    timer.expires_after(
        std::chrono::nanoseconds(secs_ns(loop.uniform(0.5, 1.5) * eng.cfg.api_think_s)));
    co_await timer.async_wait(kTuple);
    if (eng.stopping || dead) break;
    const double pick = loop.uniform(0, 1);
    const int64_t started = mono_ns();
    if (pick < eng.cfg.upload_ratio) {
      const std::string boundary = "parleyload" + std::to_string(idx);
      std::string body =
          "--" + boundary +
          "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"load.png\"\r\n"
          "Content-Type: image/png\r\n\r\n" +
          kPng + "\r\n--" + boundary + "--\r\n";
      HttpRequest req = request("POST", "/api/files/upload", std::move(body));
      req.content_type = "multipart/form-data; boundary=" + boundary;
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 200)
        loop.success(Op::upload, us_since(started, mono_ns()));
      else
        loop.failure(Op::upload, http_reason(r));
    } else if (pick < 0.4) {
      const HttpRequest req =
          request("GET", "/api/rooms?page=0&pageSize=10&sortField=createdAt&sortOrder=desc");
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 200) {
        loop.success(Op::room_list, us_since(started, mono_ns()));
        const json::value body = parse_body(r->body);
        if (const json::value* data = field(body, "data"); data && data->is_array())
          for (const json::value& room : data->get_array())
            if (std::string id = str_field(room, "_id"); !id.empty() && known.size() < 100)
              known.push_back(std::move(id));
      } else {
        loop.failure(Op::room_list, http_reason(r));
      }
    } else if (pick < 0.5 || known.empty()) {
      json::object o;
      o["name"] = "Load api room " + std::to_string(idx);
      const HttpRequest req = request("POST", "/api/rooms", json::serialize(o));
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 201) {
        loop.success(Op::room_create, us_since(started, mono_ns()));
        const json::value body = parse_body(r->body);
        if (const json::value* data = field(body, "data"))
          if (std::string id = str_field(*data, "_id"); !id.empty()) known.push_back(std::move(id));
      } else {
        loop.failure(Op::room_create, http_reason(r));
      }
    } else if (pick < 0.75) {
      const std::string& id =
          known[static_cast<size_t>(loop.uniform(0, 1) * known.size()) % known.size()];
      const HttpRequest req = request("GET", "/api/rooms/" + id);
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 200)
        loop.success(Op::room_read, us_since(started, mono_ns()));
      else
        loop.failure(Op::room_read, http_reason(r));
    } else {
      const std::string& id =
          known[static_cast<size_t>(loop.uniform(0, 1) * known.size()) % known.size()];
      const HttpRequest req = request("POST", "/api/rooms/" + id + "/join", "{}");
      auto r = co_await rest().send(req, eng.timeout);
      if (eng.stopping) break;
      if (r && r->status == 200)
        loop.success(Op::rest_join, us_since(started, mono_ns()));
      else
        loop.failure(Op::rest_join, http_reason(r));
    }
  }
}

void User::on_event(std::string_view name, const json::value& arg) {
  const int64_t now = mono_ns();
  if (name == "message") {
    on_message(arg);
  } else if (name == "joinRoomSuccess") {
    if (!join_sent) return;
    loop.success(Op::join_room, us_since(join_sent, now));
    join_sent = 0;
    pend(-1);
    if (room && member >= 0) room->checker.joined(member, now);
    json::object req;
    req["roomId"] = room->id;
    req["limit"] = eng.cfg.history_limit;
    const json::value payload(std::move(req));
    history_sent = now;
    pend(1);
    sio->emit("fetchPreviousMessages", payload);
  } else if (name == "joinRoomError") {
    if (!join_sent) return;
    loop.failure(Op::join_room, "joinRoomError: " + str_field(arg, "message"));
    join_sent = 0;
    pend(-1);
    die();
  } else if (name == "previousMessagesLoaded") {
    if (!history_sent) return;
    loop.success(Op::history_fetch, us_since(history_sent, now));
    history_sent = 0;
    pend(-1);
    if (!sending && !eng.stopping) {
      sending = true;
      asio::co_spawn(loop.io, send_loop(), asio::detached);
    }
  } else if (name == "messagesRead") {
    if (str_field(arg, "userId") != user_id) return;
    const json::value* ids = field(arg, "messageIds");
    if (ids == nullptr || !ids->is_array()) return;
    for (const json::value& id : ids->get_array()) {
      if (!id.is_string()) continue;
      auto it = reads.find(std::string(id.get_string()));
      if (it == reads.end()) continue;
      loop.success(Op::read_receipt, us_since(it->second, now));
      if (room) eng.acks.record("read", room->id, it->first, user_id, eng.email_of(idx));
      reads.erase(it);
      pend(-1);
    }
  } else if (name == "messageReactionUpdate") {
    auto it = reactions.find(str_field(arg, "messageId"));
    if (it == reactions.end()) return;
    const json::value* r = field(arg, "reactions");
    const json::value* who = r ? field(*r, "👍") : nullptr;
    if (who == nullptr || !who->is_array()) return;
    for (const json::value& u : who->get_array()) {
      if (u.is_string() && u.get_string() == user_id) {
        loop.success(Op::reaction, us_since(it->second, now));
        if (room) eng.acks.record("reaction", room->id, it->first, user_id, eng.email_of(idx), "👍");
        reactions.erase(it);
        pend(-1);
        return;
      }
    }
  } else if (name == "error") {
    const std::string code = str_field(arg, "code");
    const std::string text = str_field(arg, "message");
    const std::string reason =
        "error " + (code.empty() ? std::string("(no code)") : code) + ": " + text;
    loop.record([](Counters& c) { c.error_events++; });
    // The contract's error events carry no request id; attribute by code (see docs/LOAD.md).
    if (code == "LOAD_ERROR" && history_sent) {
      loop.failure(Op::history_fetch, reason);
      history_sent = 0;
      pend(-1);
    } else if (!code.empty() && !echoes.empty()) {
      loop.failure(Op::message_send, reason);  // chatMessage errors all have a code
      // The server answers a socket's messages in order, so the oldest unanswered one was refused;
      // nobody is owed a copy of it.
      if (room && member >= 0) room->checker.withdraw(member, echoes.front().first);
      echoes.pop_front();
      pend(-1);
    } else if (code.empty() && !reads.empty()) {
      loop.failure(Op::read_receipt, reason);
      reads.erase(reads.begin());
      pend(-1);
    } else if (code.empty() && !reactions.empty()) {
      loop.failure(Op::reaction, reason);
      reactions.erase(reactions.begin());
      pend(-1);
    } else {
      loop.failure(Op::message_send, reason);
    }
  }
}

void User::on_message(const json::value& m) {
  const int64_t now = mono_ns();
  loop.record([](Counters& c) { c.msgs_in++; });
  const std::string id = str_field(m, "_id");
  const std::string content = str_field(m, "content");
  if (auto f = parse_content(content); f && room && member >= 0) {
    if (f->sender == idx) {
      for (auto it = echoes.begin(); it != echoes.end(); ++it) {
        if (it->first != f->seq) continue;
        loop.success(Op::message_send, us_since(it->second, now));
        eng.acks.record("message", room->id, id, user_id, eng.email_of(idx));
        echoes.erase(it);
        pend(-1);
        break;
      }
    }
    auto slot = room->slot_of.find(f->sender);
    const int sender = slot == room->slot_of.end() ? -1 : slot->second;
    const auto arrival = room->checker.received(member, sender, f->seq);
    if (f->sender != idx && (arrival == DeliveryChecker::Arrival::fresh ||
                             arrival == DeliveryChecker::Arrival::reordered ||
                             arrival == DeliveryChecker::Arrival::late))
      loop.record(
          [&](Counters& c) { c.op(Op::delivery).latency_us.record(us_since(f->send_ns, now)); });
  }
  if (id.empty() || eng.stopping || !sio || !room) return;
  if (eng.cfg.read_receipts) {
    json::object req;
    req["roomId"] = room->id;
    json::array ids;
    ids.emplace_back(id);
    req["messageIds"] = std::move(ids);
    const json::value payload(std::move(req));
    if (reads.emplace(id, now).second) pend(1);
    sio->emit("markMessagesAsRead", payload);
  }
  const json::value* sender = field(m, "sender");
  const bool from_other = sender != nullptr && str_field(*sender, "_id") != user_id &&
                          str_field(*sender, "id") != user_id;
  if (from_other && eng.cfg.reaction_ratio > 0 && loop.uniform(0, 1) < eng.cfg.reaction_ratio) {
    json::object req;
    req["messageId"] = id;
    req["reaction"] = "👍";
    req["type"] = "add";
    const json::value payload(std::move(req));
    if (reactions.emplace(id, now).second) pend(1);
    sio->emit("messageReaction", payload);
  }
}

void User::on_close(const std::string& reason, bool intentional) {
  if (counted_connected) {
    counted_connected = false;
    loop.connected.fetch_sub(1, std::memory_order_relaxed);
    if (intentional || eng.stopping) {
      loop.record([](Counters& c) { c.op(Op::socket_held).ok++; });
    } else {
      loop.failure(Op::socket_held, reason);
    }
  }
  if (!intentional && !eng.stopping) fail_pending("disconnected: " + reason);
  if (eng.cfg.scenario == Scenario::churn) {
    timer.cancel();  // wake the churn loop
    return;
  }
  die();
}

// --- engine ------------------------------------------------------------------------------------

void Engine::Impl::spawn_user(Loop& l, std::shared_ptr<Room> room, int64_t intended_ns) {
  const uint64_t idx = next_index();
  l.users.fetch_add(1, std::memory_order_relaxed);  // counted now so the next gap sees it
  asio::post(l.io, [this, &l, room = std::move(room), intended_ns, idx]() mutable {
    auto u = std::make_shared<User>(*this, l, idx);
    if (room) {
      u->room = room;
      u->member = room->checker.add_member();
      room->slot_of[idx] = u->member;
      room->alive++;
    }
    l.members.push_back(u);
    asio::co_spawn(l.io, u->run(intended_ns), asio::detached);
  });
}

asio::awaitable<void> Engine::Impl::sleep_until(asio::steady_timer& t, int64_t ns) {
  t.expires_at(at_ns(ns));
  co_await t.async_wait(kTuple);
}

asio::awaitable<bool> Engine::Impl::organiser_login() {
  Loop& l = loop0();
  org.http = std::make_unique<HttpClient>(l.io.get_executor(), cfg.http, sources);
  const std::string email = cfg.user_prefix + "-organiser-" + std::to_string(worker) + "@load.test";
  json::object creds;
  creds["email"] = email;
  creds["password"] = cfg.password;
  const std::string body = json::serialize(creds);
  for (int attempt = 0; attempt < 2 && !stopping; ++attempt) {
    const int64_t started = mono_ns();
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/auth/login";
    req.body = body;
    auto r = co_await org.http->send(req, timeout);
    if (r && r->status == 200) {
      org.token = str_field(parse_body(r->body), "token");
      l.success(Op::login, us_since(started, mono_ns()));
      co_return !org.token.empty();
    }
    if (!r || r->status != 401) {
      l.failure(Op::login, http_reason(r));
      co_return false;
    }
    json::object reg;
    reg["name"] = "Load Organiser " + std::to_string(worker);
    reg["email"] = email;
    reg["password"] = cfg.password;
    HttpRequest rreq;
    rreq.method = "POST";
    rreq.path = "/api/auth/register";
    rreq.body = json::serialize(reg);
    const int64_t reg_start = mono_ns();
    auto rr = co_await org.http->send(rreq, timeout);
    if (rr && rr->status == 201) {
      l.success(Op::register_user, us_since(reg_start, mono_ns()));
      org.token = str_field(parse_body(rr->body), "token");
      if (!org.token.empty()) co_return true;
    } else if (!(rr && rr->status == 409)) {
      l.failure(Op::register_user, http_reason(rr));
      co_return false;
    }
  }
  co_return false;
}

asio::awaitable<std::shared_ptr<Room>> Engine::Impl::create_room() {
  Loop& l = loop0();
  // As the reference ramp-up test: list the rooms, then create one, with only a Bearer token.
  HttpRequest list;
  list.path = "/api/rooms?page=0&pageSize=10";
  list.token = org.token;
  list.bearer = true;
  int64_t started = mono_ns();
  auto r = co_await org.http->send(list, timeout);
  if (stopping) co_return nullptr;
  if (r && r->status == 200)
    l.success(Op::room_list, us_since(started, mono_ns()));
  else
    l.failure(Op::room_list, http_reason(r));
  json::object body;
  body["name"] = "Load room " + std::to_string(worker) + "-" + std::to_string(++org.rooms);
  HttpRequest create;
  create.method = "POST";
  create.path = "/api/rooms";
  create.body = json::serialize(body);
  create.token = org.token;
  create.bearer = true;
  started = mono_ns();
  auto c = co_await org.http->send(create, timeout);
  if (stopping) co_return nullptr;
  std::string id;
  if (c && c->status == 201) {
    const json::value v = parse_body(c->body);
    if (const json::value* data = field(v, "data")) id = str_field(*data, "_id");
  }
  if (id.empty()) {
    l.failure(Op::room_create, c && c->status == 201 ? "answer without data._id" : http_reason(c));
    co_return nullptr;
  }
  l.success(Op::room_create, us_since(started, mono_ns()));
  Loop& home = pick_loop();
  auto room = std::make_shared<Room>(id, home, timeout_ns);
  asio::post(home.io, [&home, room]() { home.rooms.push_back(room); });
  co_return room;
}

asio::awaitable<void> Engine::Impl::spawner() {
  asio::steady_timer& t = *spawn_timer;
  const bool rooms = cfg.scenario == Scenario::contest || cfg.scenario == Scenario::broadcast;
  if (rooms) {
    bool ok = co_await organiser_login();
    if (!ok) {
      // Without an organiser no room exists; retry once a second so failures keep being counted.
      while (!ok && !stopping) {
        co_await sleep_until(t, mono_ns() + 1'000'000'000);
        if (!stopping) ok = co_await organiser_login();
      }
      if (!ok) co_return;
    }
  }
  if (cfg.scenario == Scenario::broadcast) {
    while (!stopping && !broadcast_room) {
      broadcast_room = co_await create_room();
      if (!broadcast_room && !stopping) co_await sleep_until(t, mono_ns() + 1'000'000'000);
    }
  }
  const Ramp& ramp = cfg.ramp;
  // Open model: arrival k (global) belongs to worker k % workers.
  int64_t next_arrival = worker;
  // Contest organises one round per second; the others check the gap ten times a second.
  const int64_t period = cfg.scenario == Scenario::contest ? 1'000'000'000 : 100'000'000;
  for (int64_t round = 0; !stopping; ++round) {
    const int64_t now = mono_ns();
    const double t_s = static_cast<double>(now - t0) / 1e9;
    // Users to start this round, each with its intended start time.
    std::vector<int64_t> starts;
    if (ramp.open()) {
      const double horizon = t_s + static_cast<double>(period) / 1e9;
      while (next_arrival < ramp.max && ramp.arrival_time(next_arrival) < horizon) {
        starts.push_back(t0 + secs_ns(ramp.arrival_time(next_arrival)));
        next_arrival += workers;
      }
    } else {
      const int64_t want = Ramp::share(ramp.target_at(t_s), worker, workers) - alive_users();
      // Bounded per round so a crowd of thousands does not open thousands of sockets at once.
      const int64_t cap = std::max<int64_t>(50, ramp.max / 10);
      for (int64_t i = 0; i < std::min(want, cap); ++i)
        starts.push_back(now);
    }
    if (cfg.scenario == Scenario::contest) {
      size_t i = 0;
      while (i < starts.size() && !stopping) {
        std::shared_ptr<Room> room = co_await create_room();
        if (!room) break;  // counted; the users wait for the next round (still measured from then)
        const auto size = static_cast<size_t>(
            std::uniform_int_distribution<int>(cfg.room_min, cfg.room_max)(loop0().rng));
        for (size_t n = 0; n < size && i < starts.size(); ++n, ++i)
          spawn_user(room->loop, room, starts[i]);
      }
      if (ramp.open() && i < starts.size())
        next_arrival -= workers * static_cast<int64_t>(starts.size() - i);
    } else if (cfg.scenario == Scenario::broadcast) {
      for (int64_t s : starts)
        spawn_user(broadcast_room->loop, broadcast_room, s);
    } else {
      for (int64_t s : starts)
        spawn_user(pick_loop(), nullptr, s);
    }
    if (stopping) break;
    co_await sleep_until(t, t0 + (round + 1) * period);
  }
}

void Engine::Impl::sweep(Loop& l) {
  const int64_t now = mono_ns();
  // Ping deadlines are tens of seconds, so each user's is checked every kPingCheckEvery sweeps:
  // an idle crowd's sweep then touches little beyond one flag per user.
  constexpr size_t kPingCheckEvery = 4;
  const size_t slice = l.sweeps++ % kPingCheckEvery;
  for (size_t i = 0; i < l.members.size(); ++i) {
    const auto& u = l.members[i];
    if (u->dead) continue;
    if (u->ops == 0) {
      if (i % kPingCheckEvery == slice && u->sio && u->sio->connected() &&
          now - u->sio->last_rx_ns() > u->sio->ping_deadline_ns())
        u->sio->abort("ping timeout");
      continue;
    }
    if (u->join_sent && now - u->join_sent > timeout_ns) {
      l.failure(Op::join_room, "timeout");
      u->join_sent = 0;
      u->pend(-1);
      u->die();
      continue;
    }
    if (u->history_sent && now - u->history_sent > timeout_ns) {
      l.failure(Op::history_fetch, "timeout");
      u->history_sent = 0;
      u->pend(-1);
      if (!u->sending && !stopping) {  // as the frontend: go on without history
        u->sending = true;
        asio::co_spawn(l.io, u->send_loop(), asio::detached);
      }
    }
    while (!u->echoes.empty() && now - u->echoes.front().second > timeout_ns) {
      l.failure(Op::message_send, "timeout (no echo)");
      u->echoes.pop_front();
      u->pend(-1);
    }
    for (auto* pending : {&u->reads, &u->reactions}) {
      for (auto it = pending->begin(); it != pending->end();) {
        if (now - it->second > timeout_ns) {
          l.failure(pending == &u->reads ? Op::read_receipt : Op::reaction, "timeout");
          it = pending->erase(it);
          u->pend(-1);
        } else {
          ++it;
        }
      }
    }
    if (u->sio && u->sio->connected() && now - u->sio->last_rx_ns() > u->sio->ping_deadline_ns())
      u->sio->abort("ping timeout");
  }
  std::erase_if(l.members, [](const std::shared_ptr<User>& u) {
    return u->dead && (!u->sio || !u->sio->connected());
  });
  for (auto& room : l.rooms) {
    const DeliveryTally t = room->checker.settle(now);
    if (t.expected == 0 && t.duplicated == 0 && t.reordered == 0 && t.late == 0 && t.foreign == 0)
      continue;
    l.record([&](Counters& c) {
      c.delivery += t;
      OpStats& d = c.op(Op::delivery);
      d.ok += t.delivered;
      d.failed += t.lost;
      if (t.lost) d.reasons["lost (not received within --timeout)"] += t.lost;
    });
  }
}

asio::awaitable<void> Engine::Impl::sweep_loop(Loop& l) {
  asio::steady_timer t(l.io);
  while (!stopping) {
    t.expires_after(std::chrono::seconds(1));
    co_await t.async_wait(kTuple);
    if (stopping) break;
    sweep(l);
  }
}

void Engine::Impl::start_sweeps() {
  for (auto& l : loops)
    asio::co_spawn(l->io, sweep_loop(*l), asio::detached);
}

void Engine::Impl::close_all(Loop& l) {
  const int64_t now = mono_ns();
  for (auto& u : l.members) {
    if (u->dead) continue;
    u->fail_pending("no answer by the end of the run");
    if (u->room && u->member >= 0) u->room->checker.left(u->member, now);
    u->die();  // sends DISCONNECT and closes; on_close counts the socket as held
  }
}

void Engine::Impl::finish_rooms(Loop& l) {
  for (auto& room : l.rooms) {
    const DeliveryTally t = room->checker.finish();
    l.record([&](Counters& c) {
      c.delivery += t;
      OpStats& d = c.op(Op::delivery);
      d.ok += t.delivered;
      d.failed += t.lost;
      if (t.lost) d.reasons["lost (not received by the end of the run)"] += t.lost;
    });
  }
  for (auto& u : l.members)
    u->fail_pending("no answer by the end of the run");
}

asio::awaitable<void> Engine::Impl::on_every_loop(void (Impl::*fn)(Loop&)) {
  // Runs fn on every loop and resumes once all are done (a timer on loop 0 as the latch).
  auto remaining = std::make_shared<std::atomic<int>>(static_cast<int>(loops.size()));
  auto latch = std::make_shared<asio::steady_timer>(loop0().io, Clock::time_point::max());
  for (auto& lp : loops) {
    Loop* l = lp.get();
    asio::post(l->io, [this, l, fn, remaining, latch]() {
      (this->*fn)(*l);
      if (remaining->fetch_sub(1) == 1) asio::post(loop0().io, [latch]() { latch->cancel(); });
    });
  }
  co_await latch->async_wait(kTuple);
}

void Engine::Impl::emit_sample(int64_t tick, bool final) {
  Sample s;
  s.tick = tick;
  s.final = final;
  for (auto& l : loops) {
    Counters c;
    {
      std::lock_guard lock(l->mu);
      std::swap(c, l->interval);
    }
    s.interval.merge(c);
    s.users += l->users.load(std::memory_order_relaxed);
    s.connected += l->connected.load(std::memory_order_relaxed);
  }
  const double t = static_cast<double>(tick) - 1e-3;
  s.target = final ? 0 : Ramp::share(cfg.ramp.target_at(t), worker, workers);
  s.step = cfg.ramp.step_at(t);
  s.cpu_s = self_usage().cpu_s();
  s.rss_kb = rss_kb();
  sink(s);
}

asio::awaitable<void> Engine::Impl::prepare_worker(
    std::shared_ptr<std::atomic<int64_t>> next,
    std::shared_ptr<std::array<std::atomic<int64_t>, 3>> tally) {
  HttpClient client(loop0().io.get_executor(), cfg.http, sources);
  for (;;) {
    const int64_t k = next->fetch_add(1);
    const int64_t idx = worker + static_cast<int64_t>(workers) * k;
    if (idx >= cfg.prepare_users || stopping) break;
    json::object reg;
    reg["name"] = "Load User " + std::to_string(idx);
    reg["email"] = email_of(static_cast<uint64_t>(idx));
    reg["password"] = cfg.password;
    HttpRequest req;
    req.method = "POST";
    req.path = "/api/auth/register";
    req.body = json::serialize(reg);
    auto r = co_await client.send(req, std::chrono::milliseconds(60'000));
    if (r && r->status == 409 && cfg.reuse_sessions) {
      // Registered by an earlier run: a login gives this run its session.
      json::object creds;
      creds["email"] = email_of(static_cast<uint64_t>(idx));
      creds["password"] = cfg.password;
      HttpRequest login;
      login.method = "POST";
      login.path = "/api/auth/login";
      login.body = json::serialize(creds);
      auto l = co_await client.send(login, std::chrono::milliseconds(60'000));
      if (l && l->status == 200) {
        (*tally)[1]++;
        keep_creds(static_cast<uint64_t>(idx), l->body);
      } else {
        (*tally)[2]++;
      }
      continue;
    }
    if (r && r->status == 201) {
      (*tally)[0]++;
      if (cfg.reuse_sessions) keep_creds(static_cast<uint64_t>(idx), r->body);
    } else if (r && r->status == 409) {
      (*tally)[1]++;
    } else {
      (*tally)[2]++;
    }
  }
}

void Engine::Impl::keep_creds(uint64_t idx, const std::string& body) {
  const json::value v = parse_body(body);
  Creds c;
  c.token = str_field(v, "token");
  c.session = str_field(v, "sessionId");
  if (const json::value* u = field(v, "user")) c.user_id = str_field(*u, "_id");
  if (!c.token.empty() && !c.session.empty()) prepared[idx] = std::move(c);
}

asio::awaitable<void> Engine::Impl::prepare() {
  const int64_t mine =
      cfg.prepare_users > worker ? (cfg.prepare_users - worker + workers - 1) / workers : 0;
  if (mine == 0) co_return;
  const int64_t started = mono_ns();
  auto next = std::make_shared<std::atomic<int64_t>>(0);
  auto tally = std::make_shared<std::array<std::atomic<int64_t>, 3>>();
  // Registration is bound by the server's password hashing: a few dozen in flight keep it busy.
  const int parallel = static_cast<int>(std::min<int64_t>(32, mine));
  auto remaining = std::make_shared<int>(parallel);
  // The last worker cancels `done`, which doubles as the 10 s progress timer.
  asio::steady_timer done(loop0().io);
  for (int i = 0; i < parallel; ++i) {
    asio::co_spawn(loop0().io, prepare_worker(next, tally), [remaining, &done](std::exception_ptr) {
      if (--*remaining == 0) done.cancel();
    });
  }
  while (*remaining > 0) {
    done.expires_after(std::chrono::seconds(10));
    co_await done.async_wait(kTuple);
    if (*remaining > 0 && !cfg.quiet)
      std::cerr << "parley-load[" << worker << "]: preparing users "
                << (*tally)[0] + (*tally)[1] + (*tally)[2] << "/" << mine << "\n";
  }
  std::cerr << "parley-load[" << worker << "]: prepared " << mine << " users (" << (*tally)[0]
            << " new, " << (*tally)[1] << " existing, " << (*tally)[2] << " failed) in "
            << (mono_ns() - started) / 1'000'000'000 << " s\n";
}

asio::awaitable<void> Engine::Impl::control(std::function<void()> before_start) {
  Loop& l0 = loop0();
  if (cfg.prepare_users > 0 && !stopping) co_await prepare();
  before_start();
  t0 = mono_ns();
  spawn_timer = std::make_unique<asio::steady_timer>(l0.io);
  start_sweeps();
  asio::co_spawn(l0.io, spawner(), asio::detached);
  asio::steady_timer tick_timer(l0.io);
  const double end_s = std::min(cfg.ramp.end_s(), cfg.duration_s);
  int64_t tick = 1;
  for (;; ++tick) {
    co_await sleep_until(tick_timer, t0 + tick * 1'000'000'000);
    emit_sample(tick, false);
    if (stopping || static_cast<double>(tick) >= end_s) break;
  }
  stopping = true;
  spawn_timer->cancel();
  // Drain: no new sends; wait for the answers still owed (bounded by --drain).
  const int64_t drain_end = mono_ns() + secs_ns(cfg.drain_s);
  for (;;) {
    int64_t pending = 0;
    for (auto& l : loops)
      pending += l->pending.load(std::memory_order_relaxed);
    if (pending <= 0 || mono_ns() >= drain_end) break;
    co_await sleep_until(tick_timer, mono_ns() + 50'000'000);
  }
  // Deliveries to other members travel with the echo; a short grace lets the last ones land.
  co_await sleep_until(tick_timer, mono_ns() + 300'000'000);
  co_await on_every_loop(&Impl::close_all);
  const int64_t close_end = mono_ns() + 3'000'000'000;
  for (;;) {
    int64_t connected = 0;
    for (auto& l : loops)
      connected += l->connected.load(std::memory_order_relaxed);
    if (connected <= 0 || mono_ns() >= close_end) break;
    co_await sleep_until(tick_timer, mono_ns() + 20'000'000);
  }
  co_await on_every_loop(&Impl::finish_rooms);
  emit_sample(tick + 1, true);
  if (signals) signals->cancel();
  for (auto& l : loops)
    l->io.stop();
}

Engine::Engine(const Config& config, int worker, int workers,
               std::function<void(const Sample&)> sink)
    : impl_(std::make_unique<Impl>(config, worker, workers, std::move(sink))) {
  Impl& im = *impl_;
  im.timeout = std::chrono::milliseconds(static_cast<int64_t>(config.timeout_s * 1000));
  im.timeout_ns = secs_ns(config.timeout_s);
  const uint64_t seed = config.seed ? config.seed + static_cast<uint64_t>(worker) * 7919
                                    : static_cast<uint64_t>(mono_ns());
  for (int i = 0; i < config.threads; ++i) {
    im.loops.push_back(std::make_unique<Loop>());
    im.loops.back()->rng.seed(seed + static_cast<uint64_t>(i) * 104729);
  }
}

Engine::~Engine() = default;

bool Engine::interrupted() const {
  return impl_->interrupted;
}

void Engine::run(const std::function<void()>& before_start) {
  Impl& im = *impl_;
  Loop& l0 = im.loop0();
  im.signals = std::make_unique<asio::signal_set>(l0.io, SIGINT, SIGTERM);
  im.signals->async_wait([&im](const boost::system::error_code& ec, int) {
    if (ec) return;
    im.interrupted = true;
    im.stopping = true;  // the control loop notices at its next tick, drains and reports
    if (im.spawn_timer) im.spawn_timer->cancel();
    // A second signal means "now": no drain, no report.
    im.signals->async_wait([](const boost::system::error_code& ec2, int) {
      if (!ec2) std::_Exit(130);
    });
  });
  asio::co_spawn(l0.io, im.control(before_start), asio::detached);
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  for (auto& l : im.loops)
    guards.push_back(asio::make_work_guard(l->io));
  for (size_t i = 1; i < im.loops.size(); ++i) {
    Loop* l = im.loops[i].get();
    l->thread = std::thread([l]() { l->io.run(); });
  }
  l0.io.run();
  for (size_t i = 1; i < im.loops.size(); ++i)
    im.loops[i]->thread.join();
  // Users hold references into the loops; drop them while the loops still exist.
  for (auto& l : im.loops) {
    l->members.clear();
    l->rooms.clear();
  }
}

}  // namespace parley::load
