// Admission for generations: at most `per_room` running in one room and `total` in the process.
// A generation holds a Ticket while it runs; dropping the ticket frees the place. Used from every
// event loop, hence the mutex (taken twice per generation, never per chunk).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace parley::ai {

class Admission {
  struct State {
    std::mutex mutex;
    size_t per_room = 0;
    size_t total = 0;
    size_t active = 0;
    std::unordered_map<std::string, size_t> rooms;
  };

 public:
  // Move-only. The ticket keeps the shared counters alive, so it may outlive the Admission
  // (generations still queued on a stopped event loop are destroyed after it).
  class Ticket {
   public:
    Ticket(Ticket&& other) noexcept = default;
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { release(); }
    void release();

   private:
    friend class Admission;
    Ticket(std::shared_ptr<State> state, std::string room)
        : state_(std::move(state)), room_(std::move(room)) {}
    std::shared_ptr<State> state_;
    std::string room_;
  };

  Admission(size_t per_room, size_t total);

  // nullopt when the room or the process is at its cap.
  std::optional<Ticket> try_enter(const std::string& room);
  size_t active() const;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace parley::ai
