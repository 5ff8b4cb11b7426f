// A virtual user's lifecycle: log in (registering on 401), the REST phase of its scenario,
// the socket CONNECT and joinRoom; death and failing whatever it still waits for.
#include "load/user.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/json.hpp>

#include "load/engine_util.h"

namespace parley::load::engine_detail {

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

}  // namespace parley::load::engine_detail
