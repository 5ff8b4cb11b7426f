// NamedCounters: one counter per name out of a set fixed at start-up, plus "other" for every
// name outside it (so client-chosen names, e.g. Socket.IO event names, cannot grow the series
// without bound). One Cell per name per loop; the name -> index lookup is an immutable hash map,
// safe to read from every loop. The loop is found from an executor or the calling thread
// (LoopSet); calls from other threads are not counted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "metrics/cell.h"
#include "metrics/per_loop.h"

namespace parley::metrics {

class NamedCounters {
 public:
  NamedCounters(std::vector<std::string> names, const LoopSet& loops)
      : loops_(loops), names_(std::move(names)), cells_(loops.size()) {
    names_.reserve(names_.size() + 1);  // the index views these strings: no reallocation after
    for (size_t i = 0; i < names_.size(); ++i)
      index_.emplace(names_[i], i);
    names_.push_back("other");
    for (size_t l = 0; l < loops.size(); ++l)
      cells_[l] = std::vector<Cell>(names_.size());
  }
  size_t loops() const { return cells_.size(); }
  // On the loop that runs `ex`, from that loop's thread.
  void add(const boost::asio::any_io_executor& ex, std::string_view name, uint64_t n = 1) {
    add(loops_.index_of(ex), name, n);
  }
  // On the loop running the calling thread.
  void add_here(std::string_view name, uint64_t n = 1) { add(loops_.current(), name, n); }
  // On loop `loop` only; an out-of-range loop (not an event loop) is not counted.
  void add(size_t loop, std::string_view name, uint64_t n = 1) {
    if (loop >= cells_.size()) return;
    auto it = index_.find(name);
    cells_[loop][it == index_.end() ? names_.size() - 1 : it->second].add(n);
  }
  // name, sum over the loops (scrape time).
  template <class F>
  void each(F&& f) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      uint64_t sum = 0;
      cells_.each([&](const std::vector<Cell>& c) { sum += c[i].get(); });
      f(std::string_view(names_[i]), sum);
    }
  }

 private:
  const LoopSet& loops_;
  std::vector<std::string> names_;
  std::unordered_map<std::string_view, size_t> index_;
  PerLoop<std::vector<Cell>> cells_;
};

}  // namespace parley::metrics
