// See outbound_queue.h.
#include "eio/outbound_queue.h"

#include <utility>

namespace parley::eio {

namespace {

// Drained batch buffers of this thread's connections, reused by the next batch of any of them.
// Larger ones are freed: bigger batches amortize their allocation over many frames anyway.
constexpr std::size_t kPoolCapacity = 2048;
constexpr std::size_t kPoolSize = 256;

std::vector<std::string>& pool() {
  thread_local std::vector<std::string> buffers;
  return buffers;
}

std::string take_buffer() {
  auto& p = pool();
  if (p.empty()) return {};
  std::string s = std::move(p.back());
  p.pop_back();
  return s;
}

void give_buffer(std::string&& s) {
  auto& p = pool();
  if (s.capacity() <= 15 || s.capacity() > kPoolCapacity || p.size() >= kPoolSize) return;
  s.clear();
  p.push_back(std::move(s));
}

}  // namespace

std::string& OutboundQueue::tail() {
  if (pending_.empty() || pending_.back().shared) pending_.push_back(Segment{take_buffer(), {}});
  return pending_.back().bytes;
}

void OutboundQueue::append(std::string_view header, std::string_view a, std::string_view b) {
  std::string& out = tail();
  out.append(header);
  out.append(a);
  out.append(b);
  pending_bytes_ += header.size() + a.size() + b.size();
}

void OutboundQueue::append_shared(std::string_view header, const SharedText& payload) {
  if (payload->size() < kReferenceAbove) {
    append(header, *payload);
    return;
  }
  tail().append(header);
  pending_.push_back(Segment{{}, payload});
  pending_bytes_ += header.size() + payload->size();
}

void OutboundQueue::append_framed(const SharedText& bytes, std::size_t reference_above) {
  if (bytes->size() < reference_above) {
    append({}, *bytes);
    return;
  }
  pending_.push_back(Segment{{}, bytes});
  pending_bytes_ += bytes->size();
}

std::span<const boost::asio::const_buffer> OutboundQueue::stage() {
  inflight_.swap(pending_);
  inflight_bytes_ = pending_bytes_;
  pending_bytes_ = 0;
  iov_.clear();
  iov_pos_ = 0;
  for (const auto& seg : inflight_) {
    const std::string_view v = seg.view();
    if (!v.empty()) iov_.emplace_back(v.data(), v.size());
  }
  return inflight();
}

std::span<const boost::asio::const_buffer> OutboundQueue::inflight() const {
  return std::span<const boost::asio::const_buffer>(iov_).subspan(iov_pos_);
}

bool OutboundQueue::consume(std::size_t n) {
  inflight_bytes_ -= std::min(n, inflight_bytes_);
  while (n > 0 && iov_pos_ < iov_.size()) {
    auto& b = iov_[iov_pos_];
    if (n >= b.size()) {
      n -= b.size();
      ++iov_pos_;
    } else {
      b += n;
      n = 0;
    }
  }
  return iov_pos_ == iov_.size();
}

void OutboundQueue::finish() {
  for (auto& seg : inflight_)
    if (!seg.shared) give_buffer(std::move(seg.bytes));
  inflight_.clear();
  iov_.clear();
  iov_pos_ = 0;
  inflight_bytes_ = 0;
  if (pending_.empty()) {
    // Idle: the segment lists give their memory back too.
    std::vector<Segment>().swap(inflight_);
    std::vector<Segment>().swap(pending_);
    std::vector<boost::asio::const_buffer>().swap(iov_);
  }
}

void OutboundQueue::clear() {
  pending_.clear();
  inflight_.clear();
  iov_.clear();
  iov_pos_ = 0;
  pending_bytes_ = inflight_bytes_ = 0;
}

}  // namespace parley::eio
