// RedisStore: connecting and closing, the command helpers, users, sessions and ping. Rooms and
// messages live in their own files (see redis_store.h).
#include "store/redis/redis_store.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>

#include "store/redis/gather.h"
#include "store/redis/records.h"
#include "store/redis/scripts.h"

namespace parley::store::redis {

namespace {

// Error replies that mean "not now" rather than "wrong": the caller may answer 503 and retry.
Error reply_error(const Reply& r) {
  static constexpr std::string_view kTransient[] = {
      "LOADING", "BUSY", "MASTERDOWN", "CLUSTERDOWN", "TRYAGAIN", "NOREPLICAS", "READONLY", "OOM"};
  std::string_view s = r.str;
  for (std::string_view p : kTransient) {
    if (s.substr(0, p.size()) == p) return Error::unavailable("redis: " + r.str);
  }
  return Error::internal("redis: " + r.str);
}

std::string num(int64_t v) {
  return std::to_string(v);
}

}  // namespace

Result<std::unique_ptr<RedisStore>> RedisStore::open(Options options) {
  if (options.key_prefix.find_first_of("{}") != std::string::npos) {
    return Error::invalid("redis store: the key prefix must not contain braces");
  }
  auto cluster = Cluster::start(options.cluster);
  if (!cluster) return cluster.error();
  spdlog::info(
      "redis store: connected ({} seed(s), key prefix '{}', writes wait for {} replica(s))",
      options.cluster.seeds.size(), options.key_prefix, options.cluster.wait_replicas);
  return std::unique_ptr<RedisStore>(
      new RedisStore(std::move(options), std::move(cluster.value())));
}

RedisStore::RedisStore(Options options, std::unique_ptr<Cluster> cluster)
    : options_(std::move(options)),
      keys_(options_.key_prefix),
      write_ack_(options_.cluster.wait_replicas > 0 ? Ack::replicated : Ack::master),
      touches_(options_.touch_write_interval_ms),
      cluster_(std::move(cluster)) {}

RedisStore::~RedisStore() {
  close();
}

void RedisStore::close() {
  if (closed_.load()) return;
  // A clean shutdown keeps the activity coalescing held back. close() runs off the event loops,
  // so a loop of our own may block here.
  auto pending = touches_.take_unwritten();
  if (!pending.empty()) {
    asio::io_context io;
    auto flush = [this, pending = std::move(pending)]() -> asio::awaitable<void> {
      for (const auto& p : pending) {
        auto r = co_await write_touch(p.user, p.session_id, p.activity);
        if (!r) spdlog::warn("redis store: session activity at close: {}", r.error().detail);
      }
    };
    asio::co_spawn(io, std::move(flush), asio::detached);
    io.run();
  }
  closed_ = true;
  auto s = cluster_->stats();
  spdlog::info("redis store: closed ({} commands in {} round trips, {} MOVED, {} ASK, {} retries)",
               s.commands, s.round_trips, s.moved, s.ask, s.retries);
}

// ---- command helpers

asio::awaitable<Result<Reply>> RedisStore::exec(std::string key, Command cmd, Ack ack) {
  if (closed_.load()) co_return Error::unavailable("store is closed");
  auto r = co_await cluster_->command(key, std::move(cmd), ack);
  if (!r) co_return r.error();
  if (r->is_error()) co_return reply_error(r.value());
  co_return std::move(r.value());
}

asio::awaitable<Result<std::vector<Reply>>> RedisStore::exec_pipeline(std::string key,
                                                                      std::vector<Command> cmds,
                                                                      Ack ack) {
  if (closed_.load()) co_return Error::unavailable("store is closed");
  auto r = co_await cluster_->pipeline(key, std::move(cmds), ack);
  if (!r) co_return r.error();
  for (const Reply& e : r.value()) {
    if (e.is_error()) co_return reply_error(e);
  }
  co_return std::move(r.value());
}

asio::awaitable<Result<Reply>> RedisStore::script1(const Script& script, std::string key,
                                                   std::string arg, Ack ack) {
  std::vector<std::string> keys{std::move(key)};
  std::vector<std::string> args{std::move(arg)};
  co_return co_await run_script(script, std::move(keys), std::move(args), ack);
}

asio::awaitable<Result<Reply>> RedisStore::run_script(const Script& script,
                                                      std::vector<std::string> keys,
                                                      std::vector<std::string> args, Ack ack) {
  if (closed_.load()) co_return Error::unavailable("store is closed");
  auto r = co_await cluster_->eval(script, std::move(keys), std::move(args), ack);
  if (!r) co_return r.error();
  if (r->is_error()) co_return reply_error(r.value());
  co_return std::move(r.value());
}

// ---- users
//
// Registration in three writes, because the email key and the user hash live in different
// slots and Redis has no cross-slot transaction:
//   1. SET email:<lower> <id> NX PX <claim ttl>   claims the email (the race is decided here)
//   2. create the user hash (only if the id is new)
//   3. PERSIST the claim if it is still ours       the registration is complete
// No orphan remains: a claim whose step 2 or 3 fails is deleted (compare-and-delete on our id);
// if even that fails (the cluster went away), the claim still carries its TTL and expires by
// itself, and a user hash written in step 2 is deleted when step 3 fails. A claim without TTL
// whose user hash is missing (left by a delete_user interrupted between its steps) is judged
// stale by the next registration of that email and removed.

asio::awaitable<Result<void>> RedisStore::create_user(chat::User user) {
  const std::string email_key = keys_.email(user.email);
  const std::string user_key = keys_.user(user.id);
  Command claim{"SET", email_key, user.id, "NX", "PX", num(options_.email_claim_ttl_ms)};
  auto claimed = co_await exec(email_key, claim, write_ack_);
  if (!claimed) {
    // A WAIT timeout leaves the claim in place: release it so the email is not held for the TTL.
    (void)co_await script1(scripts::del_if_equal(), email_key, user.id, Ack::master);
    co_return claimed.error();
  }
  if (claimed->is_nil()) {
    // Taken; unless by a stale claim (no TTL, no user behind it).
    std::vector<Command> probe{{"GET", email_key}, {"PTTL", email_key}};
    auto owner = co_await exec_pipeline(email_key, std::move(probe), Ack::master);
    if (!owner) co_return owner.error();
    const std::string other = (*owner)[0].str;
    const bool permanent = (*owner)[1].is_integer() && (*owner)[1].integer == -1;
    if (other.empty() || !permanent) co_return Error::conflict("email taken");
    const std::string other_key = keys_.user(other);
    Command exists{"EXISTS", other_key};
    auto present = co_await exec(other_key, std::move(exists), Ack::master);
    if (!present) co_return present.error();
    if (present->integer != 0) co_return Error::conflict("email taken");
    spdlog::warn("redis store: removing a stale email claim for user {}", other);
    (void)co_await script1(scripts::del_if_equal(), email_key, other, write_ack_);
    claimed = co_await exec(email_key, std::move(claim), write_ack_);
    if (!claimed) co_return claimed.error();
    if (claimed->is_nil()) co_return Error::conflict("email taken");
  }

  std::vector<std::string> args{
      user.id, user.name, user.email, user.password_hash, user.profile_image, num(user.created_at)};
  std::vector<std::string> user_keys{user_key};
  auto created = co_await run_script(scripts::create_user(), std::move(user_keys), std::move(args),
                                     write_ack_);
  if (!created || created->integer != 1) {
    (void)co_await script1(scripts::del_if_equal(), email_key, user.id, write_ack_);
    if (!created) co_return created.error();
    co_return Error::conflict("user id taken");
  }
  auto persisted = co_await script1(scripts::persist_if_equal(), email_key, user.id, write_ack_);
  if (!persisted || persisted->integer != 1) {
    Command undo{"DEL", user_key};
    (void)co_await exec(user_key, std::move(undo), write_ack_);
    if (!persisted) {
      (void)co_await script1(scripts::del_if_equal(), email_key, user.id, write_ack_);
      co_return persisted.error();
    }
    co_return Error::conflict("email claim expired before the user was written");
  }
  co_return Result<void>{};
}

asio::awaitable<Result<std::optional<chat::User>>> RedisStore::find_user_by_email(
    std::string email_lower) {
  const std::string email_key = keys_.email(email_lower);
  Command get{"GET", email_key};
  auto id = co_await exec(email_key, std::move(get), Ack::master);
  if (!id) co_return id.error();
  if (id->is_nil()) co_return std::optional<chat::User>{};
  auto user = co_await get_user(id->str);
  if (!user) co_return user.error();
  // A claim in progress (no user yet) or a stale claim: nobody has this email.
  if (user.value() && user.value()->email != email_lower) co_return std::optional<chat::User>{};
  co_return user;
}

asio::awaitable<Result<std::optional<chat::User>>> RedisStore::get_user(Id id) {
  std::string key = keys_.user(id);
  Command cmd{"HGETALL", key};
  auto r = co_await exec(key, std::move(cmd), Ack::master);
  if (!r) co_return r.error();
  co_return user_from(fields_of(r.value()));
}

asio::awaitable<Result<std::vector<chat::User>>> RedisStore::get_users(std::vector<Id> ids) {
  std::vector<asio::awaitable<Result<std::optional<chat::User>>>> ops;
  ops.reserve(ids.size());
  for (Id& id : ids)
    ops.push_back(get_user(std::move(id)));
  auto found = co_await gather(std::move(ops));
  std::vector<chat::User> users;
  users.reserve(found.size());
  for (auto& u : found) {
    if (!u) co_return u.error();
    if (u.value()) users.push_back(std::move(*u.value()));
  }
  co_return users;
}

asio::awaitable<Result<void>> RedisStore::update_user_field(Id id, const char* field,
                                                            std::string value) {
  std::vector<std::string> keys{keys_.user(id)};
  std::vector<std::string> args{field, std::move(value)};
  auto r =
      co_await run_script(scripts::hset_if_exists(), std::move(keys), std::move(args), write_ack_);
  if (!r) co_return r.error();
  if (r->integer != 1) co_return Error::not_found("user " + id);
  co_return Result<void>{};
}

asio::awaitable<Result<void>> RedisStore::update_user_name(Id id, std::string name) {
  return update_user_field(std::move(id), "name", std::move(name));
}

asio::awaitable<Result<void>> RedisStore::update_user_password(Id id, std::string hash) {
  return update_user_field(std::move(id), "pw", std::move(hash));
}

asio::awaitable<Result<void>> RedisStore::update_user_profile_image(Id id, std::string image) {
  return update_user_field(std::move(id), "img", std::move(image));
}

// Leave every room (keeping counts and indexes right), delete the user's slot (hash, session,
// room set) in one pipeline, then release the email. Interrupted after the second step, the
// email claim is stale and the next registration of that email removes it (see create_user).
asio::awaitable<Result<void>> RedisStore::delete_user(Id id) {
  auto user = co_await get_user(id);
  if (!user) co_return user.error();
  auto left = co_await leave_all_rooms(id);
  if (!left) co_return left.error();
  const std::string user_key = keys_.user(id);
  std::vector<Command> drop{
      {"DEL", user_key}, {"DEL", keys_.session(id)}, {"DEL", keys_.user_rooms(id)}};
  auto dropped = co_await exec_pipeline(user_key, std::move(drop), write_ack_);
  if (!dropped) co_return dropped.error();
  touches_.forget(id);
  if (user.value()) {
    std::vector<std::string> keys{keys_.email(user.value()->email)};
    std::vector<std::string> args{id};
    auto released =
        co_await run_script(scripts::del_if_equal(), std::move(keys), std::move(args), write_ack_);
    if (!released) co_return released.error();
  }
  co_return Result<void>{};
}

// ---- sessions (one hash per user, in the user's slot, expiring session_ttl_ms after the last
// written activity)

asio::awaitable<Result<void>> RedisStore::replace_session(chat::Session session) {
  std::vector<std::string> keys{keys_.session(session.user_id)};
  std::vector<std::string> args{session.session_id,         num(session.created_at),
                                num(session.last_activity), session.user_agent,
                                session.ip_address,         num(options_.session_ttl_ms)};
  auto r =
      co_await run_script(scripts::replace_session(), std::move(keys), std::move(args), write_ack_);
  if (!r) co_return r.error();
  touches_.written(session.user_id, session.session_id, session.last_activity);
  co_return Result<void>{};
}

asio::awaitable<Result<std::optional<chat::Session>>> RedisStore::get_session(Id user_id) {
  std::string key = keys_.session(user_id);
  Command cmd{"HGETALL", key};
  auto r = co_await exec(key, std::move(cmd), Ack::master);
  if (!r) co_return r.error();
  auto s = session_from(user_id, fields_of(r.value()));
  if (s) s->last_activity = touches_.freshest(s->user_id, s->session_id, s->last_activity);
  co_return s;
}

asio::awaitable<Result<bool>> RedisStore::write_touch(Id user_id, std::string session_id,
                                                      Millis now) {
  std::vector<std::string> keys{keys_.session(user_id)};
  std::vector<std::string> args{std::move(session_id), num(now), num(options_.session_ttl_ms)};
  // Activity is advisory (a lost touch costs at most one interval of idle time): no WAIT.
  auto r =
      co_await run_script(scripts::touch_session(), std::move(keys), std::move(args), Ack::master);
  if (!r) co_return r.error();
  co_return r->integer == 1;
}

asio::awaitable<Result<void>> RedisStore::touch_session(Id user_id, std::string session_id,
                                                        Millis now) {
  if (closed_.load()) co_return Error::unavailable("store is closed");
  if (!touches_.touch(user_id, session_id, now)) co_return Result<void>{};
  auto r = co_await write_touch(user_id, session_id, now);
  if (!r) {
    touches_.unwritten(user_id, session_id);
    co_return r.error();
  }
  if (r.value()) touches_.written(user_id, session_id, now);
  co_return Result<void>{};
}

asio::awaitable<Result<bool>> RedisStore::delete_session(Id user_id, std::string session_id) {
  std::vector<std::string> keys{keys_.session(user_id)};
  std::vector<std::string> args{session_id};
  auto r = co_await run_script(scripts::delete_session_if(), std::move(keys), std::move(args),
                               write_ack_);
  if (!r) co_return r.error();
  const bool deleted = r->integer == 1;
  if (deleted) touches_.forget(user_id);
  co_return deleted;
}

// ---- lifecycle

asio::awaitable<Result<int64_t>> RedisStore::ping() {
  auto start = std::chrono::steady_clock::now();
  std::string key = keys_.ping();
  Command cmd{"PING"};
  auto r = co_await exec(key, std::move(cmd), Ack::master);
  if (!r) co_return r.error();
  co_return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  start)
      .count();
}

}  // namespace parley::store::redis
