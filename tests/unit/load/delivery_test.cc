// DeliveryChecker: what counts as expected, and detection of lost, duplicated, reordered and
// late copies. Times are plain numbers of nanoseconds.
#include "load/delivery.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

namespace parley::load {
namespace {

constexpr int64_t kTimeout = 1000;

TEST(Content, RoundTrip) {
  const std::string c = message_content(42, 7, 123456789);
  EXPECT_EQ(c, "lt 42 7 123.456.789");
  auto f = parse_content(c);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->sender, 42u);
  EXPECT_EQ(f->seq, 7u);
  EXPECT_EQ(f->send_ns, 123456789);
  auto big = parse_content(message_content(19000, 1234, 9876543210123));
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->sender, 19000u);
  EXPECT_EQ(big->seq, 1234u);
  EXPECT_EQ(big->send_ns, 9876543210123);
}

TEST(Content, NoAlphanumericRunLongerThanThree) {
  // Banned words are 4+ characters of [a-z0-9]; a shorter run can never contain one.
  const std::string c = message_content(1234567, 4294967295u, 9223372036854775807);
  size_t run = 0, longest = 0;
  for (char ch : c) {
    run = std::isalnum(static_cast<unsigned char>(ch)) ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  EXPECT_LE(longest, 3u) << c;
}

TEST(Content, RejectsOtherText) {
  for (const char* s :
       {"", "hello", "lt", "lt 1 2", "lt 1 2 3 4", "lt a 2 3", "lt 1 0 5", "LT 1 2 3", "lt 1 2 3x",
        "xlt 1 2 3", "lt 1234 2 3", "lt 1.23 2 3", "lt 1..234 2 3", "lt .123 2 3", "lt 1. 2 3"})
    EXPECT_FALSE(parse_content(s).has_value()) << s;
}

struct Room {
  DeliveryChecker c{kTimeout};
  int a = c.add_member(), b = c.add_member(), d = c.add_member();
  void send(int who, int64_t at) { c.sent(who, c.next_seq(who), at); }
};

TEST(Delivery, EveryCopyOnceInOrderIsClean) {
  Room r;
  for (int m : {r.a, r.b, r.d})
    r.c.joined(m, 0);
  for (int i = 0; i < 3; ++i)
    r.send(r.a, 10 + i);
  for (int m : {r.b, r.d})
    for (uint32_t s = 1; s <= 3; ++s)
      EXPECT_EQ(r.c.received(m, r.a, s), DeliveryChecker::Arrival::fresh);
  const DeliveryTally t = r.c.finish();
  EXPECT_EQ(t.expected, 6u);  // 3 messages x 2 other members (the sender's echo is not counted)
  EXPECT_EQ(t.delivered, 6u);
  EXPECT_EQ(t.lost + t.duplicated + t.reordered + t.late + t.foreign, 0u);
}

TEST(Delivery, MissingCopyIsLostAtSettle) {
  Room r;
  for (int m : {r.a, r.b})
    r.c.joined(m, 0);
  r.send(r.a, 10);
  r.send(r.a, 20);
  r.c.received(r.b, r.a, 2);          // #1 never arrives
  DeliveryTally t = r.c.settle(500);  // nothing older than the timeout yet
  EXPECT_EQ(t.expected, 0u);
  EXPECT_EQ(t.lost, 0u);
  t = r.c.settle(10 + kTimeout);  // #1 settles
  EXPECT_EQ(t.expected, 1u);
  EXPECT_EQ(t.lost, 1u);
  t = r.c.finish();
  EXPECT_EQ(t.expected, 1u);
  EXPECT_EQ(t.delivered, 1u);
  EXPECT_EQ(t.lost, 0u);
}

TEST(Delivery, DuplicateIsCounted) {
  Room r;
  for (int m : {r.a, r.b})
    r.c.joined(m, 0);
  r.send(r.a, 10);
  EXPECT_EQ(r.c.received(r.b, r.a, 1), DeliveryChecker::Arrival::fresh);
  EXPECT_EQ(r.c.received(r.b, r.a, 1), DeliveryChecker::Arrival::duplicate);
  const DeliveryTally t = r.c.finish();
  EXPECT_EQ(t.duplicated, 1u);
  EXPECT_EQ(t.delivered, 1u);
  EXPECT_EQ(t.lost, 0u);
}

TEST(Delivery, OutOfOrderIsReordered) {
  Room r;
  for (int m : {r.a, r.b})
    r.c.joined(m, 0);
  for (int i = 0; i < 3; ++i)
    r.send(r.a, 10 + i);
  EXPECT_EQ(r.c.received(r.b, r.a, 1), DeliveryChecker::Arrival::fresh);
  EXPECT_EQ(r.c.received(r.b, r.a, 3), DeliveryChecker::Arrival::fresh);
  EXPECT_EQ(r.c.received(r.b, r.a, 2), DeliveryChecker::Arrival::reordered);
  const DeliveryTally t = r.c.finish();
  EXPECT_EQ(t.reordered, 1u);
  EXPECT_EQ(t.delivered, 3u);
  EXPECT_EQ(t.lost, 0u);
}

TEST(Delivery, OrderIsPerSender) {
  Room r;
  for (int m : {r.a, r.b, r.d})
    r.c.joined(m, 0);
  r.send(r.a, 10);
  r.send(r.b, 11);
  // d sees b's message before a's: different senders, no ordering promise between them.
  EXPECT_EQ(r.c.received(r.d, r.b, 1), DeliveryChecker::Arrival::fresh);
  EXPECT_EQ(r.c.received(r.d, r.a, 1), DeliveryChecker::Arrival::fresh);
  EXPECT_EQ(r.c.finish().reordered, 0u);
}

TEST(Delivery, LateCopyAfterSettleIsLateNotUnlost) {
  Room r;
  for (int m : {r.a, r.b})
    r.c.joined(m, 0);
  r.send(r.a, 10);
  EXPECT_EQ(r.c.settle(10 + kTimeout).lost, 1u);
  EXPECT_EQ(r.c.received(r.b, r.a, 1), DeliveryChecker::Arrival::late);
  const DeliveryTally t = r.c.finish();
  EXPECT_EQ(t.late, 1u);
  EXPECT_EQ(t.lost, 0u);
}

TEST(Delivery, OnlyMessagesAfterJoinAndBeforeLeaveAreExpected) {
  Room r;
  r.c.joined(r.a, 0);
  r.send(r.a, 10);  // before b joined: optional for b
  r.c.joined(r.b, 15);
  r.send(r.a, 20);  // expected at b
  r.c.left(r.b, 25);
  r.send(r.a, 30);  // after b left: optional
  // d never joined: nothing is expected at it.
  const DeliveryTally t = r.c.finish();
  EXPECT_EQ(t.expected, 1u);
  EXPECT_EQ(t.lost, 1u);
}

TEST(Delivery, EarlyCopyIsAcceptedButNotRequired) {
  Room r;
  r.c.joined(r.a, 0);
  r.send(r.a, 10);
  r.c.joined(r.b, 15);
  EXPECT_EQ(r.c.received(r.b, r.a, 1), DeliveryChecker::Arrival::fresh);
  const DeliveryTally t = r.c.finish();
  EXPECT_EQ(t.expected, 0u);
  EXPECT_EQ(t.lost + t.duplicated + t.reordered, 0u);
}

TEST(Delivery, UnknownSenderOrSequenceIsForeign) {
  Room r;
  for (int m : {r.a, r.b})
    r.c.joined(m, 0);
  r.send(r.a, 10);
  EXPECT_EQ(r.c.received(r.b, -1, 1), DeliveryChecker::Arrival::foreign);
  EXPECT_EQ(r.c.received(r.b, r.a, 2), DeliveryChecker::Arrival::foreign);  // never sent
  EXPECT_EQ(r.c.received(r.b, r.a, 0), DeliveryChecker::Arrival::foreign);
  EXPECT_EQ(r.c.finish().foreign, 3u);
}

TEST(Delivery, SettleReportsEachMessageOnce) {
  Room r;
  for (int m : {r.a, r.b})
    r.c.joined(m, 0);
  r.send(r.a, 10);
  r.c.received(r.b, r.a, 1);
  EXPECT_EQ(r.c.settle(5000).delivered, 1u);
  EXPECT_EQ(r.c.settle(6000).delivered, 0u);
  EXPECT_EQ(r.c.finish().expected, 0u);
}

TEST(Delivery, WithdrawnMessageIsOwedToNobody) {
  Room r;
  for (int m : {r.a, r.b, r.d})
    r.c.joined(m, 0);
  r.send(r.a, 10);
  r.send(r.a, 20);
  r.c.withdraw(r.a, 1);  // the server refused #1 (e.g. MESSAGE_REJECTED)
  r.c.received(r.b, r.a, 2);
  r.c.received(r.d, r.a, 2);
  const DeliveryTally t = r.c.finish();
  EXPECT_EQ(t.expected, 2u);
  EXPECT_EQ(t.lost, 0u);
}

}  // namespace
}  // namespace parley::load
