// PerLoop<T>: one T per event loop, each on its own cache lines, so loops never write to a line
// another loop writes. LoopSet answers "which loop runs this thread / owns this executor" for
// code that is shared by all loops (REST handlers, the store decorator) and has no loop object
// at hand; the scan is over at most a few entries (one loop per core).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/query.hpp>
#include <cstddef>
#include <memory>
#include <vector>

namespace parley::metrics {

template <class T>
class PerLoop {
 public:
  explicit PerLoop(size_t loops) : size_(loops), slots_(std::make_unique<Slot[]>(loops)) {}
  size_t size() const { return size_; }
  T& operator[](size_t i) { return slots_[i].value; }
  const T& operator[](size_t i) const { return slots_[i].value; }
  // Visits every loop's T (scrape time: reads only).
  template <class F>
  void each(F&& f) const {
    for (size_t i = 0; i < size_; ++i)
      f(slots_[i].value);
  }

 private:
  struct alignas(64) Slot {
    T value;
  };
  size_t size_;
  std::unique_ptr<Slot[]> slots_;
};

class LoopSet {
 public:
  LoopSet() = default;
  explicit LoopSet(std::vector<boost::asio::io_context*> loops) : loops_(std::move(loops)) {}
  size_t size() const { return loops_.size(); }
  // The index of the loop running on this thread; size() on any other thread.
  size_t current() const {
    for (size_t i = 0; i < loops_.size(); ++i)
      if (loops_[i]->get_executor().running_in_this_thread()) return i;
    return loops_.size();
  }
  // The index of the loop `ex` belongs to; size() for another executor.
  size_t index_of(const boost::asio::any_io_executor& ex) const {
    auto& ctx = boost::asio::query(ex, boost::asio::execution::context);
    for (size_t i = 0; i < loops_.size(); ++i)
      if (static_cast<boost::asio::execution_context*>(loops_[i]) == &ctx) return i;
    return loops_.size();
  }

 private:
  std::vector<boost::asio::io_context*> loops_;
};

}  // namespace parley::metrics
