// Counter and gauge cells for the hot paths. A Cell has exactly one writer (the event loop or
// worker thread that owns it), so an increment is a relaxed load and a relaxed store: no
// read-modify-write, no lock, no cache line shared with another writer. A scrape from any thread
// reads the cells with relaxed loads and sums them (metrics/per_loop.h).
// SharedCell is for the few counters written by several non-loop threads (the hashing pool).
#pragma once

#include <atomic>
#include <cstdint>

namespace parley::metrics {

// A monotonic counter with one writer.
class Cell {
 public:
  void add(uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A level that goes up and down, with one writer. Per-loop levels are summed at scrape time,
// so one loop's cell may be negative while the sum is right (a session counted where it
// opened and uncounted where it closed is always the same loop here, though).
class GaugeCell {
 public:
  void add(int64_t d) {
    value_.store(value_.load(std::memory_order_relaxed) + d, std::memory_order_relaxed);
  }
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// A counter with several writers; only for paths where an atomic add is negligible.
class SharedCell {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace parley::metrics
