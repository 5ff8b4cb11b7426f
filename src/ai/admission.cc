// See admission.h.
#include "ai/admission.h"

namespace parley::ai {

Admission::Admission(size_t per_room, size_t total) : state_(std::make_shared<State>()) {
  state_->per_room = per_room;
  state_->total = total;
}

std::optional<Admission::Ticket> Admission::try_enter(const std::string& room) {
  std::lock_guard lock(state_->mutex);
  if (state_->active >= state_->total) return std::nullopt;
  size_t& in_room = state_->rooms[room];
  if (in_room >= state_->per_room) {
    if (in_room == 0) state_->rooms.erase(room);
    return std::nullopt;
  }
  ++in_room;
  ++state_->active;
  return Ticket(state_, room);
}

size_t Admission::active() const {
  std::lock_guard lock(state_->mutex);
  return state_->active;
}

Admission::Ticket& Admission::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    state_ = std::move(other.state_);
    room_ = std::move(other.room_);
  }
  return *this;
}

void Admission::Ticket::release() {
  if (!state_) return;
  {
    std::lock_guard lock(state_->mutex);
    --state_->active;
    auto it = state_->rooms.find(room_);
    if (it != state_->rooms.end() && --it->second == 0) state_->rooms.erase(it);
  }
  state_.reset();
}

}  // namespace parley::ai
