// See PubSub in cluster.h. One subscriber connection per master (RESP2 pushes: "smessage",
// "ssubscribe", "sunsubscribe", "pong"), one SSUBSCRIBE per channel (channels of one command
// must share a slot). Every command sent on a subscriber connection is an Op in that node's
// FIFO, so that an error reply (e.g. MOVED) can be matched to the channel it is about. A
// channel whose subscription is lost is re-placed after a slot map refresh and reported as a gap.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <deque>

#include "redis/cluster_impl.h"
#include "redis/codec.h"
#include "redis/endpoint.h"
#include "redis/redirect.h"
#include "redis/slot.h"

namespace parley::redis {

namespace {

using Clock = std::chrono::steady_clock;

struct SubOp {
  enum class Kind { subscribe, unsubscribe, ping };
  Kind kind;
  std::string channel;
};

struct Node {
  explicit Node(asio::io_context& io) : ping_timer(io) {}
  std::string name;
  std::shared_ptr<Connection> conn;
  std::deque<SubOp> ops;
  Clock::time_point last_rx = Clock::now();
  std::optional<Clock::time_point> ping_sent;
  asio::steady_timer ping_timer;
};

struct Channel {
  int slot = 0;
  std::string node;  // where it is subscribed or being subscribed; empty = waiting to be placed
  bool subscribed = false;
  bool gap_reported = false;  // one gap per outage, however many attempts it takes
};

// All state lives on the cluster's I/O thread; callbacks hold weak references to it.
class Core : public std::enable_shared_from_this<Core> {
 public:
  Core(Cluster::Impl& cluster, PubSub::Handlers handlers)
      : cluster_(cluster), handlers_(std::move(handlers)) {}

  void subscribe(const std::string& ch) {
    if (stopping_ || channels_.count(ch)) return;
    channels_[ch] = Channel{key_slot(ch), {}, false};
    place(ch);
  }

  void unsubscribe(const std::string& ch) {
    auto it = channels_.find(ch);
    if (it == channels_.end()) return;
    const std::string node = it->second.node;
    channels_.erase(it);
    auto n = nodes_.find(node);
    if (n != nodes_.end()) send(*n->second, SubOp{SubOp::Kind::unsubscribe, ch});
  }

  void stop() {
    stopping_ = true;
    auto nodes = std::move(nodes_);
    nodes_.clear();
    for (auto& [name, n] : nodes) {
      n->ping_timer.cancel();
      n->conn->close(Error::unavailable("pubsub stopped"));
    }
    channels_.clear();
  }

 private:
  void place(const std::string& ch) {
    auto it = channels_.find(ch);
    if (stopping_ || it == channels_.end() || !it->second.node.empty()) return;
    const Endpoint* master = cluster_.map.master(it->second.slot);
    if (!master) {
      replace_later(ch);
      return;
    }
    auto& node = node_for(*master);
    it->second.node = node.name;
    it->second.subscribed = false;
    send(node, SubOp{SubOp::Kind::subscribe, ch});
  }

  // After the next slot map reload (rate-limited by the cluster), try the channel again.
  void replace_later(const std::string& ch) {
    cluster_.request_refresh([weak = weak_from_this(), ch](bool) {
      if (auto self = weak.lock()) self->place(ch);
    });
  }

  void lost(const std::string& ch, const std::string& why) {
    auto it = channels_.find(ch);
    if (it == channels_.end()) return;
    if (!it->second.gap_reported)
      spdlog::info("redis pubsub: {} lost ({}); resubscribing", ch, why);
    it->second.node.clear();
    it->second.subscribed = false;
    if (!it->second.gap_reported) {
      it->second.gap_reported = true;
      if (handlers_.gap) handlers_.gap(ch);
    }
    replace_later(ch);
  }

  Node& node_for(const Endpoint& e) {
    const auto name = to_string(e);
    auto it = nodes_.find(name);
    if (it != nodes_.end()) return *it->second;
    auto node = std::make_shared<Node>(cluster_.io);
    node->name = name;
    node->conn = Connection::open(cluster_.io.get_executor(), e, cluster_.connection_options());
    std::weak_ptr<Core> weak = weak_from_this();
    std::weak_ptr<Node> wnode = node;
    node->conn->set_push_handler([weak, wnode](Reply r) {
      auto self = weak.lock();
      auto n = wnode.lock();
      if (self && n) self->on_push(*n, std::move(r));
    });
    node->conn->set_close_handler([weak, wnode](const Error& why) {
      auto self = weak.lock();
      auto n = wnode.lock();
      if (self && n) self->on_close(n, why);
    });
    nodes_[name] = node;
    tick(node);
    return *node;
  }

  void send(Node& node, SubOp op) {
    const char* verb = op.kind == SubOp::Kind::subscribe     ? "SSUBSCRIBE"
                       : op.kind == SubOp::Kind::unsubscribe ? "SUNSUBSCRIBE"
                                                             : "PING";
    std::string bytes =
        op.kind == SubOp::Kind::ping ? encode_command({verb}) : encode_command({verb, op.channel});
    node.ops.push_back(std::move(op));
    // No FIFO entry on the connection: every answer arrives as a push, matched here.
    node.conn->send(std::move(bytes), 0, nullptr);
  }

  // Removes and returns the first pending op of `kind` (for `channel` unless a ping).
  std::optional<SubOp> take(Node& node, SubOp::Kind kind, std::string_view channel) {
    for (auto it = node.ops.begin(); it != node.ops.end(); ++it) {
      if (it->kind == kind && (kind == SubOp::Kind::ping || it->channel == channel)) {
        SubOp op = std::move(*it);
        node.ops.erase(it);
        return op;
      }
    }
    return std::nullopt;
  }

  void on_push(Node& node, Reply r) {
    node.last_rx = Clock::now();
    if (r.is_error()) {
      if (node.ops.empty()) return;
      SubOp op = std::move(node.ops.front());
      node.ops.pop_front();
      if (op.kind != SubOp::Kind::subscribe) return;
      if (auto redirect = parse_redirect(r); redirect && redirect->kind == Redirect::Kind::moved) {
        Endpoint target = redirect->target;
        if (target.host.empty()) target.host = node.conn->endpoint().host;
        cluster_.map.set_master(redirect->slot, target);
      }
      auto it = channels_.find(op.channel);
      if (it != channels_.end() && it->second.node == node.name) lost(op.channel, r.str);
      return;
    }
    if (r.is_string() && r.str == "PONG") {  // PING before any subscription is confirmed
      if (take(node, SubOp::Kind::ping, {})) node.ping_sent.reset();
      return;
    }
    if (!r.is_array() || r.elements.empty() || !r.elements[0].is_string()) return;
    const std::string& kind = r.elements[0].str;
    const std::string_view ch =
        r.elements.size() > 1 && r.elements[1].is_string() ? r.elements[1].str : std::string_view();
    if (kind == "smessage" && r.elements.size() >= 3) {
      auto it = channels_.find(std::string(ch));
      if (it != channels_.end() && it->second.node == node.name && handlers_.message)
        handlers_.message(ch, r.elements[2].str);
    } else if (kind == "ssubscribe") {
      take(node, SubOp::Kind::subscribe, ch);
      auto it = channels_.find(std::string(ch));
      if (it != channels_.end() && it->second.node == node.name) {
        it->second.subscribed = true;
        it->second.gap_reported = false;
      }
    } else if (kind == "sunsubscribe") {
      if (take(node, SubOp::Kind::unsubscribe, ch)) return;  // ours
      // The server dropped us (the slot moved, or this master was demoted by a failover).
      auto it = channels_.find(std::string(ch));
      if (it != channels_.end() && it->second.node == node.name)
        lost(std::string(ch), "unsubscribed by " + node.name);
    } else if (kind == "pong") {
      if (take(node, SubOp::Kind::ping, {})) node.ping_sent.reset();
    }
  }

  void on_close(const std::shared_ptr<Node>& node, const Error& why) {
    node->ping_timer.cancel();
    auto it = nodes_.find(node->name);
    if (it != nodes_.end() && it->second == node) nodes_.erase(it);
    if (stopping_) return;
    std::vector<std::string> affected;
    for (const auto& [ch, c] : channels_)
      if (c.node == node->name) affected.push_back(ch);
    for (const auto& ch : affected)
      lost(ch, why.detail);
  }

  // The liveness probe: PING when idle, close when the pong is late.
  void tick(const std::shared_ptr<Node>& node) {
    const auto& o = cluster_.options;
    const auto step = std::max<std::chrono::milliseconds>(
        std::chrono::milliseconds(10), std::min(o.pubsub_ping_interval, o.pubsub_ping_timeout) / 4);
    node->ping_timer.expires_after(step);
    std::weak_ptr<Core> weak = weak_from_this();
    std::weak_ptr<Node> wnode = node;
    node->ping_timer.async_wait([weak, wnode](boost::system::error_code ec) {
      auto self = weak.lock();
      auto n = wnode.lock();
      if (ec || !self || !n || self->stopping_ || n->conn->closed()) return;
      const auto now = Clock::now();
      const auto& o = self->cluster_.options;
      if (n->ping_sent && now - *n->ping_sent > o.pubsub_ping_timeout) {
        n->conn->close(Error::unavailable("redis " + n->name + ": no pong within " +
                                          std::to_string(o.pubsub_ping_timeout.count()) + " ms"));
        return;
      }
      if (!n->ping_sent && now - n->last_rx >= o.pubsub_ping_interval) {
        n->ping_sent = now;
        self->send(*n, SubOp{SubOp::Kind::ping, {}});
      }
      self->tick(n);
    });
  }

  Cluster::Impl& cluster_;
  PubSub::Handlers handlers_;
  bool stopping_ = false;
  std::map<std::string, Channel> channels_;
  std::map<std::string, std::shared_ptr<Node>> nodes_;
};

}  // namespace

class PubSub::Impl {
 public:
  Impl(Cluster& cluster, Handlers handlers)
      : cluster(cluster), core(std::make_shared<Core>(*cluster.impl_, std::move(handlers))) {}
  Cluster& cluster;
  std::shared_ptr<Core> core;
};

PubSub::PubSub(Cluster& cluster, Handlers handlers)
    : impl_(std::make_unique<Impl>(cluster, std::move(handlers))) {}

PubSub::~PubSub() {
  auto core = impl_->core;
  auto& io = *impl_->cluster.impl_;
  if (io.thread.joinable())
    io.run_sync([core] { core->stop(); });
  else
    core->stop();  // the cluster has stopped already: no other thread touches the state
}

void PubSub::subscribe(std::string channel) {
  asio::post(impl_->cluster.impl_->io,
             [core = impl_->core, ch = std::move(channel)] { core->subscribe(ch); });
}

void PubSub::unsubscribe(std::string channel) {
  asio::post(impl_->cluster.impl_->io,
             [core = impl_->core, ch = std::move(channel)] { core->unsubscribe(ch); });
}

asio::awaitable<Result<int64_t>> PubSub::publish(std::string channel, std::string payload) {
  Command cmd{"SPUBLISH", channel, std::move(payload)};
  auto r = co_await impl_->cluster.command(channel, std::move(cmd));
  if (!r) co_return r.error();
  if (r->is_error()) co_return Error::internal("SPUBLISH " + channel + ": " + r->str);
  if (!r->is_integer()) co_return Error::internal("SPUBLISH " + channel + ": unexpected reply");
  co_return r->integer;
}

}  // namespace parley::redis
