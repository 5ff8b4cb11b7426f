// Test scaffolding for buses: a "node" is what one parley-server process has (two event loops on
// their own threads, a Hub, and the Bus the chat publishes through) and a socket that records
// the frames it is sent.
#pragma once

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bus/bus.h"
#include "bus/hub.h"

namespace parley::bus::contract {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// A socket that records the frames it is sent (from its loop; read from the test thread).
class RecordingSocket final : public sio::Socket {
 public:
  RecordingSocket(asio::io_context& loop, std::string id) : loop_(loop), id_(std::move(id)) {}
  const std::string& id() const override { return id_; }
  asio::any_io_executor executor() const override { return loop_.get_executor(); }
  bool connected() const override { return true; }
  void emit(std::string_view, const sio::json::value&) override {}
  void send(sio::Frame frame) override {
    std::lock_guard lock(mutex_);
    received_.push_back(*frame);
  }
  void ack(uint64_t, const sio::json::array&) override {}
  void join(const std::string&) override {}
  void leave(const std::string&) override {}
  bool in_group(const std::string&) const override { return false; }
  void disconnect() override {}

  std::vector<std::string> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    received_.clear();
  }

 private:
  asio::io_context& loop_;
  std::string id_;
  mutable std::mutex mutex_;
  std::vector<std::string> received_;
};

// Runs `fn` on `loop` and waits for it.
template <class F>
void on(asio::io_context& loop, F fn) {
  std::promise<void> done;
  asio::post(loop, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

class Node {
 public:
  using MakeBus = std::function<std::unique_ptr<Bus>(Hub&)>;  // null: the hub is the bus
  explicit Node(const MakeBus& make_bus) {
    for (auto& loop : loops_) {
      guards_.emplace_back(asio::make_work_guard(loop));
      threads_.emplace_back([&loop] { loop.run(); });
    }
    hub_ = std::make_unique<Hub>(std::vector<asio::io_context*>{&loops_[0], &loops_[1]});
    if (make_bus) bus_ = make_bus(*hub_);
  }
  ~Node() {
    bus_.reset();  // no more frames from other nodes
    guards_.clear();
    for (auto& t : threads_)
      t.join();
  }
  Bus& bus() { return bus_ ? *bus_ : static_cast<Bus&>(*hub_); }
  Hub& hub() { return *hub_; }
  asio::io_context& loop(int i) { return loops_[i]; }

  void join(const std::string& group, RecordingSocket& s, int loop_index) {
    on(loops_[loop_index], [&] { hub_->add(group, &s); });
  }
  void leave(const std::string& group, RecordingSocket& s, int loop_index) {
    on(loops_[loop_index], [&] { hub_->remove(group, &s); });
  }
  // Every loop has run what was posted to it so far (and what that posted).
  void settle() {
    for (int round = 0; round < 3; ++round) {
      on(loops_[0], [] {});
      on(loops_[1], [] {});
    }
  }

 private:
  asio::io_context loops_[2];
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards_;
  std::vector<std::thread> threads_;
  std::unique_ptr<Hub> hub_;
  std::unique_ptr<Bus> bus_;
};

inline sio::Frame frame(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace parley::bus::contract
