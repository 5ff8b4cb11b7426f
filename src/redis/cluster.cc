// See cluster.h. Every command is an Op on the I/O thread: routed by slot (or an ASK target,
// or a pinned node), written on that master's pipelined connection and answered there; the
// replies that are redirects are followed, the rest kept, until every command has its reply
// or the deadline passes. Completions are posted back to the caller's executor.
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>

#include "core/offload.h"
#include "core/sha1.h"
#include "redis/cluster_impl.h"
#include "redis/codec.h"
#include "redis/endpoint.h"
#include "redis/redirect.h"
#include "redis/slot.h"

namespace parley::redis {

using namespace std::chrono_literals;

namespace {

std::string ms_text(std::chrono::milliseconds ms) {
  return std::to_string(ms.count()) + " ms";
}

}  // namespace

// ---- Script -------------------------------------------------------------------------------

Script::Script(std::string source) : source_(std::move(source)) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const auto b : parley::sha1(source_)) {
    sha1_.push_back(kHex[b >> 4]);
    sha1_.push_back(kHex[b & 0xf]);
  }
}

// ---- Op -----------------------------------------------------------------------------------

struct Cluster::Impl::Op {
  explicit Op(asio::io_context& io) : deadline_timer(io), retry_timer(io) {}
  int slot = 0;
  std::vector<Command> cmds;
  Ack ack = Ack::master;
  std::optional<Endpoint> pinned;
  Done done;
  Clock::time_point deadline;
  asio::steady_timer deadline_timer;
  asio::steady_timer retry_timer;
  std::vector<std::optional<Reply>> results;
  std::vector<size_t> todo;  // indexes of cmds still without a final reply
  std::optional<Endpoint> ask_target;
  int redirects = 0;
  std::chrono::milliseconds backoff{20};
  std::string last_error;
  std::optional<Error> not_replicated;
  std::weak_ptr<Connection> in_flight;  // the connection holding the current attempt
  bool finished = false;
};

// ---- Impl ---------------------------------------------------------------------------------

Cluster::Impl::Impl(ClusterOptions o)
    : options(std::move(o)),
      work(asio::make_work_guard(io)),
      refresh_timer_(io),
      refresh_attempt_timer_(io) {
  thread = std::thread([this] {
    pthread_setname_np(pthread_self(), "redis-io");
    io.run();
  });
}

Cluster::Impl::~Impl() {
  stop();
}

void Cluster::Impl::run_sync(std::function<void()> fn) {
  std::promise<void> done;
  auto f = done.get_future();
  asio::post(io, [&] {
    fn();
    done.set_value();
  });
  f.wait();
}

void Cluster::Impl::stop() {
  if (!thread.joinable()) return;
  run_sync([this] {
    stopping_ = true;
    refresh_timer_.cancel();
    refresh_attempt_timer_.cancel();
    auto active = active_;
    for (const auto& op : active)
      finish(op, Error::unavailable("redis client shut down"));
    auto conns = std::move(conns_);
    conns_.clear();
    for (auto& [name, c] : conns)
      c->close(Error::unavailable("redis client shut down"));
    for (auto& w : refresh_waiters_)
      w(false);
    for (auto& w : next_refresh_waiters_)
      w(false);
    refresh_waiters_.clear();
    next_refresh_waiters_.clear();
  });
  work.reset();
  thread.join();
}

ConnectionOptions Cluster::Impl::connection_options() const {
  ConnectionOptions o;
  o.password = options.password;
  o.connect_timeout = options.connect_timeout;
  o.limits.max_buffered = options.max_reply_bytes;
  o.limits.max_elements = options.max_reply_elements;
  return o;
}

std::shared_ptr<Connection> Cluster::Impl::connection(const Endpoint& e) {
  const auto name = to_string(e);
  auto it = conns_.find(name);
  if (it != conns_.end() && !it->second->closed()) return it->second;
  if (!ever_opened_.insert(name).second)
    counters.reconnects.fetch_add(1, std::memory_order_relaxed);
  auto c = Connection::open(io.get_executor(), e, connection_options());
  conns_[name] = c;
  std::weak_ptr<Connection> weak = c;
  c->set_close_handler([this, name, weak](const Error& why) {
    auto it = conns_.find(name);
    if (it != conns_.end() && it->second == weak.lock()) conns_.erase(it);
    if (!stopping_) spdlog::debug("redis: {}", why.detail);
  });
  return c;
}

asio::awaitable<Result<std::vector<Reply>>> Cluster::Impl::submit(int slot,
                                                                  std::vector<Command> cmds,
                                                                  Ack ack,
                                                                  std::optional<Endpoint> pinned) {
  auto home = co_await asio::this_coro::executor;
  // Named local on purpose (GCC 12 and capturing lambdas inside co_await, see core/offload.h).
  auto initiation = [this, home](auto handler, int slot, std::vector<Command> cmds, Ack ack,
                                 std::optional<Endpoint> pinned) {
    auto h = std::make_shared<decltype(handler)>(std::move(handler));
    Done done = [h, home](Result<std::vector<Reply>> r) {
      asio::post(home, [h, r = std::move(r)]() mutable { std::move (*h)(std::move(r)); });
    };
    asio::post(io, [this, slot, cmds = std::move(cmds), ack, pinned = std::move(pinned),
                    done = std::move(done)]() mutable {
      start_op(slot, std::move(cmds), ack, std::move(pinned), std::move(done));
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                          void(Result<std::vector<Reply>>)>(
      std::move(initiation), asio::use_awaitable, slot, std::move(cmds), ack, std::move(pinned));
}

void Cluster::Impl::start_op(int slot, std::vector<Command> cmds, Ack ack,
                             std::optional<Endpoint> pinned, Done done) {
  if (stopping_) {
    done(Error::unavailable("redis client shut down"));
    return;
  }
  auto op = std::make_shared<Op>(io);
  op->slot = slot;
  op->cmds = std::move(cmds);
  op->ack = ack;
  op->pinned = std::move(pinned);
  op->done = std::move(done);
  op->results.resize(op->cmds.size());
  for (size_t i = 0; i < op->cmds.size(); ++i)
    op->todo.push_back(i);
  op->deadline = Clock::now() + options.command_timeout;
  active_.insert(op);
  op->deadline_timer.expires_at(op->deadline);
  op->deadline_timer.async_wait([this, op](boost::system::error_code ec) {
    if (ec || op->finished) return;
    counters.timeouts.fetch_add(1, std::memory_order_relaxed);
    std::string why = "redis: no answer within " + ms_text(options.command_timeout);
    if (!op->last_error.empty()) why += " (last: " + op->last_error + ")";
    auto conn = op->in_flight.lock();
    finish(op, Error::unavailable(std::move(why)));
    // A connection that has owed replies for most of a command timeout without sending a byte
    // is stuck (a frozen node, a lost reply): later replies on it could be matched to the wrong
    // command, so it goes. A busy connection (a reply is merely slow, e.g. behind a WAIT) stays:
    // the late reply arrives in order and is dropped.
    const bool stuck = conn && conn->pending() > 0 &&
                       Clock::now() - conn->owed_since() >= options.command_timeout * 3 / 4;
    if (stuck)
      conn->close(Error::unavailable("redis " + to_string(conn->endpoint()) +
                                     ": connection reset: no reply for " +
                                     ms_text(options.command_timeout)));
  });
  attempt(op);
}

void Cluster::Impl::attempt(const std::shared_ptr<Op>& op) {
  if (op->finished) return;
  const Endpoint* target = op->ask_target ? &*op->ask_target
                           : op->pinned   ? &*op->pinned
                                          : map.master(op->slot);
  if (!target) {
    request_refresh();
    retry_later(op, "no node serves slot " + std::to_string(op->slot));
    return;
  }
  const Endpoint sent_to = *target;
  const bool asked = op->ask_target.has_value();
  op->ask_target.reset();
  std::string bytes;
  size_t replies = 0;
  for (const size_t i : op->todo) {
    if (asked) {
      encode_command({"ASKING"}, bytes);
      ++replies;
    }
    encode_command(op->cmds[i], bytes);
    ++replies;
  }
  if (op->ack == Ack::replicated) {
    encode_command({"WAIT", std::to_string(options.wait_replicas),
                    std::to_string(options.wait_timeout.count())},
                   bytes);
    ++replies;
  }
  auto conn = connection(sent_to);
  op->in_flight = conn;
  conn->send(std::move(bytes), replies,
             [this, op, sent_to, asked](Result<std::vector<Reply>> r, bool written) {
               on_replies(op, sent_to, asked, written, std::move(r));
             });
}

void Cluster::Impl::on_replies(const std::shared_ptr<Op>& op, const Endpoint& sent_to, bool asked,
                               bool written, Result<std::vector<Reply>> r) {
  if (op->finished) return;
  op->in_flight.reset();
  if (!r) {
    request_refresh();
    if (written) {
      // The node may have applied the commands before the connection broke: sending them again
      // could apply a write twice, so the caller hears that the outcome is unknown.
      finish(op, Error::unavailable(r.error().detail + " (connection lost with the command sent;"
                                                       " outcome unknown)"));
      return;
    }
    counters.retries.fetch_add(1, std::memory_order_relaxed);
    retry_later(op, r.error().detail);
    return;
  }
  counters.round_trips.fetch_add(1, std::memory_order_relaxed);
  auto& replies = r.value();
  std::vector<size_t> still;
  std::optional<Redirect> first;
  std::string first_message;
  bool executed = false;
  size_t k = 0;
  for (const size_t i : op->todo) {
    if (asked) ++k;  // ASKING's +OK
    Reply& reply = replies[k++];
    auto redirect = op->pinned ? std::nullopt : parse_redirect(reply);
    if (redirect) {
      if (!first) {
        first = std::move(redirect);
        first_message = to_string(sent_to) + ": " + reply.str;
      }
      still.push_back(i);
      continue;
    }
    op->results[i] = std::move(reply);
    executed = true;
  }
  if (op->ack == Ack::replicated && executed) {
    const Reply& wait = replies[k];
    if (!wait.is_integer() || wait.integer < options.wait_replicas)
      op->not_replicated = Error::unavailable(
          "not replicated: " + (wait.is_integer() ? std::to_string(wait.integer) : wait.str) +
          " of " + std::to_string(options.wait_replicas) + " replicas acknowledged within " +
          ms_text(options.wait_timeout) + " (" + to_string(sent_to) + ")");
  }
  op->todo = std::move(still);
  if (op->todo.empty()) {
    std::vector<Reply> out;
    out.reserve(op->results.size());
    for (auto& res : op->results)
      out.push_back(std::move(*res));
    finish(op, std::move(out));
    return;
  }
  switch (first->kind) {
    case Redirect::Kind::moved:
    case Redirect::Kind::ask: {
      const bool moved = first->kind == Redirect::Kind::moved;
      (moved ? counters.moved : counters.ask).fetch_add(1, std::memory_order_relaxed);
      if (++op->redirects > options.max_redirects) {
        finish(op, Error::unavailable("redis: more than " + std::to_string(options.max_redirects) +
                                      " redirects for slot " + std::to_string(op->slot)));
        return;
      }
      Endpoint target = first->target;
      if (target.host.empty()) target.host = sent_to.host;
      if (moved) {
        map.set_master(first->slot, target);
        request_refresh();
      } else {
        op->ask_target = std::move(target);
      }
      attempt(op);
      return;
    }
    case Redirect::Kind::tryagain:
    case Redirect::Kind::clusterdown:
      counters.retries.fetch_add(1, std::memory_order_relaxed);
      if (first->kind == Redirect::Kind::clusterdown) request_refresh();
      retry_later(op, std::move(first_message));
      return;
  }
}

void Cluster::Impl::retry_later(const std::shared_ptr<Op>& op, std::string why) {
  op->last_error = std::move(why);
  const auto now = Clock::now();
  if (now + op->backoff >= op->deadline) {
    // No time for another try: the deadline timer will answer (with last_error) at the deadline.
    return;
  }
  op->retry_timer.expires_after(op->backoff);
  op->backoff = std::min<std::chrono::milliseconds>(op->backoff * 2, 500ms);
  op->retry_timer.async_wait([this, op](boost::system::error_code ec) {
    if (!ec) attempt(op);
  });
}

void Cluster::Impl::finish(const std::shared_ptr<Op>& op, Result<std::vector<Reply>> r) {
  if (op->finished) return;
  op->finished = true;
  op->deadline_timer.cancel();
  op->retry_timer.cancel();
  active_.erase(op);
  if (r && op->not_replicated) r = *op->not_replicated;
  if (r) counters.commands.fetch_add(op->cmds.size(), std::memory_order_relaxed);
  auto done = std::move(op->done);
  done(std::move(r));
}

// ---- slot map refresh ---------------------------------------------------------------------

void Cluster::Impl::request_refresh(std::function<void(bool)> after) {
  if (stopping_) {
    if (after) after(false);
    return;
  }
  if (refreshing_) {
    refresh_again_ = true;
    if (after) next_refresh_waiters_.push_back(std::move(after));
    return;
  }
  if (after) refresh_waiters_.push_back(std::move(after));
  if (refresh_scheduled_) return;
  refresh_scheduled_ = true;
  const auto earliest = last_refresh_ + refresh_backoff_;
  refresh_timer_.expires_at(std::max(earliest, Clock::now()));
  refresh_timer_.async_wait([this](boost::system::error_code ec) {
    refresh_scheduled_ = false;
    if (!ec && !stopping_) do_refresh();
  });
}

void Cluster::Impl::do_refresh() {
  refreshing_ = true;
  refresh_again_ = false;
  auto candidates = std::make_shared<std::vector<Endpoint>>();
  auto add = [&](const Endpoint& e) {
    if (std::find(candidates->begin(), candidates->end(), e) == candidates->end())
      candidates->push_back(e);
  };
  for (const auto& e : map.masters())
    add(e);
  for (const auto& e : map.nodes())
    add(e);
  for (const auto& e : options.seeds)
    add(e);
  // Start at a different node each time so that one dead node is not always asked first.
  if (!candidates->empty())
    std::rotate(candidates->begin(),
                candidates->begin() + static_cast<long>(refresh_rotation_++ % candidates->size()),
                candidates->end());
  try_refresh(std::move(candidates), 0);
}

void Cluster::Impl::try_refresh(std::shared_ptr<std::vector<Endpoint>> candidates, size_t i) {
  if (stopping_) return;
  if (i >= candidates->size()) {
    refresh_finished(false);
    return;
  }
  auto conn = connection((*candidates)[i]);
  auto answered = std::make_shared<bool>(false);
  refresh_attempt_timer_.expires_after(options.connect_timeout + options.command_timeout);
  refresh_attempt_timer_.async_wait(
      [this, answered, candidates, i,
       weak = std::weak_ptr<Connection>(conn)](boost::system::error_code ec) {
        if (ec || *answered || stopping_) return;
        *answered = true;
        // A node that accepts but does not answer: drop it and ask the next one.
        if (auto c = weak.lock()) c->close(Error::unavailable("redis: CLUSTER SHARDS timed out"));
        try_refresh(candidates, i + 1);
      });
  conn->send(encode_command({"CLUSTER", "SHARDS"}), 1,
             [this, answered, candidates, i](Result<std::vector<Reply>> r, bool) {
               if (*answered || stopping_) return;
               *answered = true;
               refresh_attempt_timer_.cancel();
               if (r) {
                 auto shards = parse_cluster_shards(r.value()[0]);
                 if (shards) {
                   auto next = SlotMap::from_shards(*shards);
                   if (!next.empty()) {
                     map = std::move(next);
                     counters.slot_refreshes.fetch_add(1, std::memory_order_relaxed);
                     refresh_finished(true);
                     return;
                   }
                 } else {
                   spdlog::warn("redis {}: {}", to_string((*candidates)[i]), shards.error().detail);
                 }
               }
               try_refresh(candidates, i + 1);
             });
}

void Cluster::Impl::refresh_finished(bool ok) {
  refreshing_ = false;
  last_refresh_ = Clock::now();
  refresh_backoff_ =
      ok ? min_refresh_interval
         : std::min<std::chrono::milliseconds>(refresh_backoff_ * 2, max_refresh_backoff);
  auto waiters = std::move(refresh_waiters_);
  refresh_waiters_ = std::move(next_refresh_waiters_);
  next_refresh_waiters_.clear();
  for (auto& w : waiters)
    w(ok);
  if (refresh_again_ || !refresh_waiters_.empty()) request_refresh();
}

// ---- Cluster ------------------------------------------------------------------------------

Cluster::Cluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Cluster::~Cluster() = default;

Result<std::unique_ptr<Cluster>> Cluster::start(ClusterOptions options) {
  if (options.seeds.empty()) return Error::invalid("redis: no seed nodes");
  if (options.command_timeout <= 0ms || options.connect_timeout <= 0ms)
    return Error::invalid("redis: timeouts must be positive");
  auto impl = std::make_unique<Impl>(std::move(options));
  std::promise<bool> loaded;
  auto f = loaded.get_future();
  asio::post(impl->io, [&impl, &loaded] {
    impl->request_refresh([&loaded](bool ok) { loaded.set_value(ok); });
  });
  if (!f.get()) {
    std::string seeds;
    for (const auto& e : impl->options.seeds)
      seeds += (seeds.empty() ? "" : ",") + to_string(e);
    impl->stop();
    return Error::unavailable("redis: no seed node answered CLUSTER SHARDS (" + seeds + ")");
  }
  bool covered = false;
  impl->run_sync([&] { covered = impl->map.covers_all(); });
  if (!covered) spdlog::warn("redis: the cluster does not serve every slot (yet)");
  return std::unique_ptr<Cluster>(new Cluster(std::move(impl)));
}

asio::awaitable<Result<Reply>> Cluster::command(std::string_view key, Command cmd, Ack ack) {
  std::vector<Command> cmds;
  cmds.push_back(std::move(cmd));
  auto r = co_await impl_->submit(key_slot(key), std::move(cmds), ack);
  if (!r) co_return r.error();
  co_return std::move(r.value()[0]);
}

asio::awaitable<Result<std::vector<Reply>>> Cluster::pipeline(std::string_view key,
                                                              std::vector<Command> cmds, Ack ack) {
  if (cmds.empty()) co_return std::vector<Reply>{};
  co_return co_await impl_->submit(key_slot(key), std::move(cmds), ack);
}

asio::awaitable<Result<Reply>> Cluster::eval(const Script& script, std::vector<std::string> keys,
                                             std::vector<std::string> args, Ack ack) {
  const std::string route = keys.empty() ? std::string() : keys.front();
  auto build = [&](const std::string& verb, const std::string& body) {
    Command c{verb, body, std::to_string(keys.size())};
    c.insert(c.end(), keys.begin(), keys.end());
    c.insert(c.end(), args.begin(), args.end());
    return c;
  };
  auto r = co_await command(route, build("EVALSHA", script.sha1()), ack);
  if (!r || !r->is_error() || r->str.rfind("NOSCRIPT", 0) != 0) co_return r;
  co_return co_await command(route, build("EVAL", script.source()), ack);
}

asio::awaitable<Result<std::vector<Reply>>> Cluster::on_all_masters(Command cmd) {
  auto* impl = impl_.get();
  auto read_masters = [impl] { return impl->map.masters(); };  // named: see core/offload.h
  const auto masters = co_await offload(impl->io, std::move(read_masters));
  std::vector<Reply> out;
  for (const auto& m : masters) {
    std::vector<Command> cmds{cmd};
    auto r = co_await impl->submit(0, std::move(cmds), Ack::master, m);
    if (!r) co_return r.error();
    out.push_back(std::move(r.value()[0]));
  }
  co_return out;
}

ClusterStats Cluster::stats() const {
  const auto& c = impl_->counters;
  constexpr auto o = std::memory_order_relaxed;
  return ClusterStats{c.commands.load(o),   c.round_trips.load(o),   c.moved.load(o),
                      c.ask.load(o),        c.retries.load(o),       c.timeouts.load(o),
                      c.reconnects.load(o), c.slot_refreshes.load(o)};
}

}  // namespace parley::redis
