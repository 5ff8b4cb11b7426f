// Groups: where a socket's group membership is recorded, so that fan-out can find it. The
// Socket.IO layer calls it on join/leave/disconnect; bus/ implements it with one registry per
// event loop (no locks: every call happens on the socket's own loop).
#pragma once

#include <string>

#include "sio/socket.h"

namespace parley::sio {

class Groups {
 public:
  virtual ~Groups() = default;
  // Both are called on `socket`'s loop.
  virtual void add(const std::string& group, Socket* socket) = 0;
  virtual void remove(const std::string& group, Socket* socket) = 0;
};

}  // namespace parley::sio
