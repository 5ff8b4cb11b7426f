// OutboundQueue: the bytes waiting to go out on one WebSocket, already framed. Frames are
// appended while a write may be in flight; the next write takes everything appended so far in
// one gather write, so a burst of frames to one client costs one system call.
//
// Small frames are copied into a contiguous buffer (cheaper than a reference count and an iovec
// each); large shared payloads (a broadcast of a big message) are referenced, not copied.
// size() counts everything not yet written, which is what the slow-consumer cap is checked on.
#pragma once

#include <boost/asio/buffer.hpp>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace parley::eio {

using SharedText = std::shared_ptr<const std::string>;

class OutboundQueue {
 public:
  // Payloads at least this large are referenced instead of copied when a reference is offered.
  static constexpr std::size_t kReferenceAbove = 8 * 1024;

  // Appends `header` followed by the concatenation of `a` and `b`.
  void append(std::string_view header, std::string_view a, std::string_view b = {});
  // Appends `header` and then `payload`, sharing `payload` if it is large.
  void append_shared(std::string_view header, const SharedText& payload);
  // Appends bytes that are already framed (a burst framed once for many connections), shared
  // when at least `reference_above` bytes long.
  void append_framed(const SharedText& bytes, std::size_t reference_above);

  std::size_t size() const { return pending_bytes_ + inflight_bytes_; }
  bool empty() const { return size() == 0; }
  bool has_pending() const { return pending_bytes_ != 0; }
  bool writing() const { return !inflight_.empty(); }

  // Turns the pending bytes into the in-flight batch (none must be in flight) and returns its
  // buffers. They stay valid until the batch is finished, whatever is appended meanwhile.
  std::span<const boost::asio::const_buffer> stage();
  // The part of the in-flight batch not yet written.
  std::span<const boost::asio::const_buffer> inflight() const;
  // Marks `n` more bytes of the batch as written; returns true when the whole batch is.
  bool consume(std::size_t n);
  // Drops the finished batch; its buffer goes back to a per-thread pool for the next batch of
  // any connection, so an idle connection holds no output memory at all.
  void finish();
  // Forgets everything (the connection is gone).
  void clear();

 private:
  struct Segment {
    std::string bytes;  // copied frames...
    SharedText shared;  // ...or one shared payload
    std::string_view view() const { return shared ? std::string_view(*shared) : bytes; }
  };
  std::string& tail();

  std::vector<Segment> pending_;
  std::vector<Segment> inflight_;
  std::vector<boost::asio::const_buffer> iov_;
  std::size_t iov_pos_ = 0;
  std::size_t pending_bytes_ = 0;
  std::size_t inflight_bytes_ = 0;  // not yet written
};

}  // namespace parley::eio
