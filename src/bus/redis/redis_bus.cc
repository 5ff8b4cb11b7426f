// See redis_bus.h.
#include "bus/redis/redis_bus.h"

#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>

#include "bus/channels.h"

namespace parley::bus {

RedisBus::RedisBus(Hub& hub, redis::Cluster& cluster, RedisBusOptions options)
    : hub_(hub), options_(std::move(options)), work_(asio::make_work_guard(io_)) {
  redis::PubSub::Handlers handlers;
  handlers.message = [this](std::string_view channel, std::string_view payload) {
    on_message(channel, payload);
  };
  handlers.gap = [this](std::string_view channel) { on_gap(channel); };
  pubsub_ = std::make_unique<redis::PubSub>(cluster, std::move(handlers));
  thread_ = std::thread([this] { io_.run(); });
  hub_.set_listener(this);
}

RedisBus::~RedisBus() {
  hub_.set_listener(nullptr);
  work_.reset();  // the thread ends when the publishes in flight have completed
  thread_.join();
  pubsub_.reset();
}

std::string RedisBus::channel(const std::string& group) const {
  return channel_for(group, options_.buckets);
}

void RedisBus::publish(const std::string& group, sio::Frame frame, const sio::Socket* except) {
  hub_.publish(group, frame, except);
  if (in_flight_.fetch_add(1, std::memory_order_relaxed) >= options_.max_in_flight) {
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    if (dropped_.fetch_add(1, std::memory_order_relaxed) % 1000 == 0) {
      spdlog::warn("bus: {} SPUBLISH in flight, frame for {} not sent to other nodes",
                   options_.max_in_flight, group);
    }
    return;
  }
  auto send = [this, group, frame]() -> asio::awaitable<void> {
    auto r = co_await pubsub_->publish(channel(group), encode_payload(options_.node_id, *frame));
    in_flight_.fetch_sub(1, std::memory_order_relaxed);
    if (r) {
      published_.fetch_add(1, std::memory_order_relaxed);
      consecutive_errors_.store(0, std::memory_order_relaxed);
      co_return;
    }
    publish_errors_.fetch_add(1, std::memory_order_relaxed);
    if (consecutive_errors_.fetch_add(1, std::memory_order_relaxed) % 100 == 0) {
      spdlog::warn("bus: SPUBLISH to {} failed: {}", group, r.error().detail);
    }
  };
  asio::co_spawn(io_, send, asio::detached);
}

void RedisBus::set_gap_handler(GapHandler handler) {
  std::lock_guard lock(gap_mutex_);
  gap_handler_ = std::move(handler);
}

bool RedisBus::healthy() const {
  return consecutive_errors_.load(std::memory_order_relaxed) == 0;
}

RedisBusStats RedisBus::stats() const {
  RedisBusStats s;
  s.published = published_.load();
  s.publish_errors = publish_errors_.load();
  s.dropped = dropped_.load();
  s.received = received_.load();
  s.own_skipped = own_skipped_.load();
  s.gaps = gaps_.load();
  s.subscriptions = subscriptions_.load();
  return s;
}

void RedisBus::first_member(const std::string& group) {
  subscriptions_.fetch_add(1, std::memory_order_relaxed);
  pubsub_->subscribe(channel(group));
}

void RedisBus::last_member(const std::string& group) {
  subscriptions_.fetch_sub(1, std::memory_order_relaxed);
  pubsub_->unsubscribe(channel(group));
}

void RedisBus::on_message(std::string_view channel, std::string_view payload) {
  auto group = group_of(channel);
  auto decoded = decode_payload(payload);
  if (!group || !decoded) {
    spdlog::warn("bus: ignoring a malformed message on {}", channel);
    return;
  }
  if (decoded->node_id == options_.node_id) {
    own_skipped_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  received_.fetch_add(1, std::memory_order_relaxed);
  hub_.publish(std::string(*group), std::make_shared<const std::string>(decoded->frame));
}

void RedisBus::on_gap(std::string_view channel) {
  auto group = group_of(channel);
  if (!group) return;
  gaps_.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("bus: subscription to {} was lost and re-established; frames may be missing",
               channel);
  GapHandler handler;
  {
    std::lock_guard lock(gap_mutex_);
    handler = gap_handler_;
  }
  if (handler) handler(std::string(*group));
}

}  // namespace parley::bus
