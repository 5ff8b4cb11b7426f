// --prepare-users: registers this worker's share of the users before the clock starts,
// keeping their sessions for --reuse-sessions.
#include <boost/asio/co_spawn.hpp>
#include <boost/json.hpp>
#include <iostream>

#include "load/engine_impl.h"
#include "load/engine_util.h"

namespace parley::load::engine_detail {

asio::awaitable<void> Impl::prepare_worker(
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

void Impl::keep_creds(uint64_t idx, const std::string& body) {
  const json::value v = parse_body(body);
  Creds c;
  c.token = str_field(v, "token");
  c.session = str_field(v, "sessionId");
  if (const json::value* u = field(v, "user")) c.user_id = str_field(*u, "_id");
  if (!c.token.empty() && !c.session.empty()) prepared[idx] = std::move(c);
}

asio::awaitable<void> Impl::prepare() {
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

}  // namespace parley::load::engine_detail
