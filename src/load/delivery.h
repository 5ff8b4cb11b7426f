// Delivery check for one chat room: every member must receive every message of the room exactly
// once and, per sender, in send order.
//
// Each message carries its sender and a per-sender sequence number (1, 2, 3, …) in its content
// (see message_content()). A message is *expected* at a member other than its sender (the send
// operation checks the sender's own echo) when it was sent strictly after the member's
// joinRoomSuccess arrived and before the member left: causality on one clock then proves
// the server had the member subscribed before it saw the message. Messages sent earlier may or may
// not arrive; they are accepted and checked for duplicates and order, but never counted lost.
//
// A message is settled `timeout` after it was sent: from then on an expected copy that has not
// arrived is counted lost (a copy arriving later counts as late, not as un-lost). Settling while
// the run goes on puts losses on the timeline where they happen instead of all at the end.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::load {

// "lt <sender> <seq> <send-ns>", every number in groups of at most three digits joined by '.'
// (e.g. "lt 4.217 3 1.234.567.890"): the text every virtual user sends. send-ns is the intended
// send time (CLOCK_MONOTONIC, ns), so latency measured from it includes any lateness of the tool.
// No run of letters and digits is longer than three characters, so no banned word (all are four
// or more of [a-z0-9], contract §5.2) can ever match: a long number would contain numeric ones.
std::string message_content(uint64_t sender, uint32_t seq, int64_t send_ns);
struct ContentFields {
  uint64_t sender = 0;
  uint32_t seq = 0;
  int64_t send_ns = 0;
};
std::optional<ContentFields> parse_content(std::string_view content);

struct DeliveryTally {
  uint64_t expected = 0;    // settled copies that had to arrive
  uint64_t delivered = 0;   // expected copies that arrived before settling
  uint64_t lost = 0;        // expected copies that had not arrived when settled
  uint64_t duplicated = 0;  // copies of a message the member already had
  uint64_t reordered = 0;   // arrived after a later message of the same sender
  uint64_t late = 0;        // arrived after being counted lost
  uint64_t foreign = 0;     // unknown sender or sequence number (not sent by this room)
  DeliveryTally& operator+=(const DeliveryTally& o);
};

class DeliveryChecker {
 public:
  static constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  static constexpr int64_t kWithdrawn = std::numeric_limits<int64_t>::min();

  explicit DeliveryChecker(int64_t timeout_ns) : timeout_ns_(timeout_ns) {}

  // A new member slot (0, 1, 2, …). Not yet joined: nothing is expected at it until joined().
  int add_member();
  void joined(int member, int64_t at_ns);
  void left(int member, int64_t at_ns);

  // The sender's next sequence number; call sent() with it when the message goes out.
  uint32_t next_seq(int sender) const;
  void sent(int sender, uint32_t seq, int64_t send_ns);
  // The server refused the message (an `error` answered it): no member is owed a copy.
  void withdraw(int sender, uint32_t seq);

  enum class Arrival { fresh, reordered, duplicate, late, foreign };
  // A copy of (sender, seq) reached `receiver`. sender < 0 means the sender is not a member.
  Arrival received(int receiver, int sender, uint32_t seq);

  // Settles every message sent at or before now - timeout and returns what changed since the
  // last call; finish() settles everything (call it after the end-of-run drain).
  DeliveryTally settle(int64_t now_ns);
  DeliveryTally finish() { return settle_until(kNever); }

  int members() const { return static_cast<int>(members_.size()); }
  uint64_t sent_total() const { return sent_total_; }

 private:
  struct Pair {  // what one receiver got from one sender
    uint32_t max_seen = 0;
    std::vector<bool> got;  // indexed by seq
  };
  struct Member {
    int64_t joined_ns = kNever;
    int64_t left_ns = kNever;
    std::vector<int64_t> send_ns;  // send_ns[seq - 1]; kWithdrawn when refused
    uint32_t settled = 0;          // sequence numbers 1..settled are settled
    std::vector<Pair> from;        // indexed by sender slot
  };
  DeliveryTally settle_until(int64_t cutoff_ns);

  int64_t timeout_ns_;
  std::vector<Member> members_;
  DeliveryTally pending_;  // counted by received() since the last settle
  uint64_t sent_total_ = 0;
};

}  // namespace parley::load
