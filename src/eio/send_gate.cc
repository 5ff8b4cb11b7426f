// See send_gate.h.
#include "eio/send_gate.h"

#include "eio/loop.h"

namespace parley::eio {

boost::asio::execution_context::id SendGate::id;

bool SendGate::park() {
  parked_ = true;
  if (!loop_) return false;
  loop_->schedule_pass();
  return true;
}

void SendGate::run() {
  parked_ = false;  // first: whatever the drain parks anew is drained by the next call
  if (drain_) drain_();
}

}  // namespace parley::eio
