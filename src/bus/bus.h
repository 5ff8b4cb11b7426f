// Bus: what the chat publishes through. A frame (an already-encoded Socket.IO packet) goes to a
// group ("<roomId>", "user:<id>", "room-list") and reaches every member socket, wherever it is:
// bus::Hub delivers to this process's sockets; bus::RedisBus (bus/redis/) also carries the frame
// to the other nodes of a cluster. api/ is written against this interface only.
#pragma once

#include <functional>
#include <string>

#include "sio/socket.h"

namespace parley::bus {

class Bus {
 public:
  virtual ~Bus() = default;

  // From any thread: delivers `frame` to every member of `group` (on this node: every loop; on a
  // cluster: every node), except `except` (a local socket; may be null). Frames of one publisher
  // reach each member in publish order.
  virtual void publish(const std::string& group, sio::Frame frame,
                       const sio::Socket* except = nullptr) = 0;

  // Called (on some bus thread; post to your loop) when frames published to `group` by other
  // nodes may have been lost: the subscription was moved or its connection dropped. An
  // in-process bus never loses frames and never calls it.
  using GapHandler = std::function<void(const std::string& group)>;
  virtual void set_gap_handler(GapHandler handler) { (void)handler; }

  // Whether the bus can reach what it needs (health checks); an in-process bus always can.
  virtual bool healthy() const { return true; }
};

}  // namespace parley::bus
