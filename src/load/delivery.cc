// DeliveryChecker bookkeeping: a bit per (receiver, sender, seq), settled in send order.
#include "load/delivery.h"

#include <algorithm>
#include <charconv>

namespace parley::load {

namespace {
// 1234567 → "1.234.567"
std::string grouped(uint64_t v) {
  const std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return out;
}
}  // namespace

std::string message_content(uint64_t sender, uint32_t seq, int64_t send_ns) {
  return "lt " + grouped(sender) + " " + grouped(seq) + " " +
         grouped(static_cast<uint64_t>(std::max<int64_t>(0, send_ns)));
}

namespace {
// A number written by grouped(): 1–3 leading digits, then groups of exactly three.
template <class T>
bool take_number(std::string_view& s, T& out) {
  std::string digits;
  size_t i = 0, group = 0;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c >= '0' && c <= '9') {
      digits += c;
      if (++group > 3) return false;
    } else if (c == '.') {
      if (group == 0 || (digits.size() > group && group != 3)) return false;
      group = 0;
    } else {
      break;
    }
  }
  if (digits.empty() || group == 0 || (digits.size() > group && group != 3)) return false;
  const auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc{} || p != digits.data() + digits.size()) return false;
  s.remove_prefix(i);
  return true;
}
bool take_space(std::string_view& s) {
  if (s.empty() || s.front() != ' ') return false;
  s.remove_prefix(1);
  return true;
}
}  // namespace

std::optional<ContentFields> parse_content(std::string_view s) {
  if (!s.starts_with("lt ")) return std::nullopt;
  s.remove_prefix(3);
  ContentFields f;
  if (!take_number(s, f.sender) || !take_space(s) || !take_number(s, f.seq) || !take_space(s) ||
      !take_number(s, f.send_ns) || !s.empty() || f.seq == 0)
    return std::nullopt;
  return f;
}

DeliveryTally& DeliveryTally::operator+=(const DeliveryTally& o) {
  expected += o.expected;
  delivered += o.delivered;
  lost += o.lost;
  duplicated += o.duplicated;
  reordered += o.reordered;
  late += o.late;
  foreign += o.foreign;
  return *this;
}

int DeliveryChecker::add_member() {
  members_.emplace_back();
  return static_cast<int>(members_.size()) - 1;
}

void DeliveryChecker::joined(int m, int64_t at_ns) {
  members_[m].joined_ns = at_ns;
}

void DeliveryChecker::left(int m, int64_t at_ns) {
  if (members_[m].left_ns == kNever) members_[m].left_ns = at_ns;
}

uint32_t DeliveryChecker::next_seq(int sender) const {
  return static_cast<uint32_t>(members_[sender].send_ns.size()) + 1;
}

void DeliveryChecker::sent(int sender, uint32_t seq, int64_t send_ns) {
  auto& log = members_[sender].send_ns;
  if (seq != log.size() + 1) return;  // out-of-sequence call: a caller bug, not a server fault
  log.push_back(send_ns);
  ++sent_total_;
}

void DeliveryChecker::withdraw(int sender, uint32_t seq) {
  auto& log = members_[sender].send_ns;
  if (seq >= 1 && seq <= log.size()) log[seq - 1] = kWithdrawn;
}

DeliveryChecker::Arrival DeliveryChecker::received(int receiver, int sender, uint32_t seq) {
  if (receiver < 0 || receiver >= members() || sender < 0 || sender >= members() || seq == 0 ||
      seq > members_[sender].send_ns.size()) {
    ++pending_.foreign;
    return Arrival::foreign;
  }
  Member& r = members_[receiver];
  if (r.from.size() <= static_cast<size_t>(sender)) r.from.resize(members_.size());
  Pair& p = r.from[sender];
  if (p.got.size() <= seq) p.got.resize(seq + 1, false);
  if (p.got[seq]) {
    ++pending_.duplicated;
    return Arrival::duplicate;
  }
  p.got[seq] = true;
  const Member& s = members_[sender];
  if (seq <= s.settled) {
    // Settled already: counted lost if it was expected (nothing to undo, the loss was reported).
    const int64_t t = s.send_ns[seq - 1];
    if (t > r.joined_ns && t < r.left_ns) {
      ++pending_.late;
      return Arrival::late;
    }
  }
  if (seq < p.max_seen) {
    ++pending_.reordered;
    return Arrival::reordered;
  }
  p.max_seen = seq;
  return Arrival::fresh;
}

DeliveryTally DeliveryChecker::settle(int64_t now_ns) {
  return settle_until(now_ns - timeout_ns_);
}

DeliveryTally DeliveryChecker::settle_until(int64_t cutoff_ns) {
  DeliveryTally t = pending_;
  pending_ = {};
  for (size_t si = 0; si < members_.size(); ++si) {
    Member& s = members_[si];
    while (s.settled < s.send_ns.size() && s.send_ns[s.settled] <= cutoff_ns) {
      const uint32_t seq = ++s.settled;
      const int64_t sent_at = s.send_ns[seq - 1];
      for (size_t ri = 0; ri < members_.size(); ++ri) {
        // The sender's own copy (the echo) is checked by the send operation, not here.
        if (ri == si) continue;
        const Member& r = members_[ri];
        if (!(sent_at > r.joined_ns && sent_at < r.left_ns)) continue;
        ++t.expected;
        const bool got = si < r.from.size() && seq < r.from[si].got.size() && r.from[si].got[seq];
        if (got)
          ++t.delivered;
        else
          ++t.lost;
      }
    }
  }
  return t;
}

}  // namespace parley::load
