// SendGate: lets broadcasts wait for their loop's next write pass without changing what any
// client sees. bus::Hub parks the frames that a loop's groups receive and registers a drain
// here; the drain runs before anything else is queued or written on that loop (the write pass
// itself, a direct send to any session, a membership change on the hub's side), so every client
// receives frames in exactly the order they were produced. What the wait buys: a burst of
// broadcasts to one group reaches each member in one go (socket-major), so a member's state is
// touched once per burst instead of once per frame, and the burst is framed once for all of the
// group's WebSocket members.
//
// One SendGate per io_context (an Asio service, so it lives exactly as long as the loop).
// Threading: used only from its io_context's thread.
#pragma once

#include <boost/asio/execution_context.hpp>
#include <functional>

namespace parley::eio {

class Loop;

class SendGate final : public boost::asio::execution_context::service {
 public:
  using key_type = SendGate;
  static boost::asio::execution_context::id id;

  explicit SendGate(boost::asio::execution_context& ctx) : service(ctx) {}

  // What runs the parked work (the hub); null to unregister.
  void set_drain(std::function<void()> drain) { drain_ = std::move(drain); }

  // Work is parked: the drain must run before the next send. Returns false when no Loop serves
  // this io_context (no write pass will come), so the caller schedules the drain itself.
  bool park();

  // Runs the drain if work is parked. Cheap when nothing is: every send calls it.
  void drain() {
    if (parked_) run();
  }

  // The Loop of this io_context, which runs drain() at the start of every write pass.
  void attach(Loop* loop) { loop_ = loop; }

 private:
  void run();
  void shutdown() override { drain_ = nullptr; }

  std::function<void()> drain_;
  Loop* loop_ = nullptr;
  bool parked_ = false;
};

}  // namespace parley::eio
