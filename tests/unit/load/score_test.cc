// Counters/Sample JSON round trip, the merge of samples from several sources second by second,
// and the score table per crowd step.
#include "load/score.h"

#include <gtest/gtest.h>

#include "load/stats.h"

namespace parley::load {
namespace {

Sample sample(int64_t tick, int step, uint64_t ok, uint64_t failed, int64_t users) {
  Sample s;
  s.tick = tick;
  s.step = step;
  s.users = users;
  s.target = users;
  for (uint64_t i = 0; i < ok; ++i)
    s.interval.success(Op::login, 1000 + i);
  for (uint64_t i = 0; i < failed; ++i)
    s.interval.failure(Op::socket_connect, "HTTP 503");
  return s;
}

TEST(Counters, JsonRoundTrip) {
  Counters c;
  c.success(Op::message_send, 1500);
  c.success(Op::message_send, 2500);
  c.failure(Op::join_room, "timeout");
  c.failure(Op::join_room, "timeout");
  c.failure(Op::join_room, "joinRoomError: 채팅방을 찾을 수 없습니다.");
  c.delivery.expected = 10;
  c.delivery.delivered = 9;
  c.delivery.lost = 1;
  c.delivery.reordered = 2;
  c.msgs_out = 3;
  c.msgs_in = 12;
  auto back = Counters::from_json(c.to_json());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->op(Op::message_send).ok, 2u);
  EXPECT_EQ(back->op(Op::message_send).latency_us, c.op(Op::message_send).latency_us);
  EXPECT_EQ(back->op(Op::join_room).failed, 3u);
  EXPECT_EQ(back->op(Op::join_room).reasons.at("timeout"), 2u);
  EXPECT_EQ(back->op(Op::join_room).reasons.at("joinRoomError: 채팅방을 찾을 수 없습니다."), 1u);
  EXPECT_EQ(back->delivery.lost, 1u);
  EXPECT_EQ(back->delivery.reordered, 2u);
  EXPECT_EQ(back->msgs_in, 12u);
  EXPECT_EQ(back->ok_total(), 2u);
  EXPECT_EQ(back->failed_total(), 3u);
}

TEST(Counters, OpNamesRoundTrip) {
  for (size_t i = 0; i < kOpCount; ++i) {
    Op op;
    ASSERT_TRUE(op_from_name(op_name(static_cast<Op>(i)), op));
    EXPECT_EQ(static_cast<size_t>(op), i);
  }
  Op op;
  EXPECT_FALSE(op_from_name("teleport", op));
}

TEST(Sample, JsonRoundTrip) {
  Sample s = sample(7, 2, 3, 1, 40);
  s.connected = 39;
  s.cpu_s = 1.25;
  s.rss_kb = 2048;
  s.final = true;
  auto back = Sample::from_json(s.to_json());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->tick, 7);
  EXPECT_EQ(back->step, 2);
  EXPECT_EQ(back->users, 40);
  EXPECT_EQ(back->connected, 39);
  EXPECT_DOUBLE_EQ(back->cpu_s, 1.25);
  EXPECT_EQ(back->rss_kb, 2048);
  EXPECT_TRUE(back->final);
  EXPECT_EQ(back->interval.ok_total(), 3u);
  EXPECT_EQ(back->interval.failed_total(), 1u);
}

TEST(Aggregator, WaitsForEverySourceThenMerges) {
  Aggregator agg(2);
  EXPECT_TRUE(agg.add(0, sample(1, 0, 2, 0, 10)).empty());  // source 1 has not reported second 1
  auto pts = agg.add(1, sample(1, 0, 3, 1, 15));
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_EQ(pts[0].t, 1);
  EXPECT_EQ(pts[0].users, 25);
  EXPECT_EQ(pts[0].ok, 5u);
  EXPECT_EQ(pts[0].failed, 1u);
  // Source 0 runs ahead by two seconds; nothing is emitted until source 1 catches up.
  EXPECT_TRUE(agg.add(0, sample(2, 0, 1, 0, 10)).empty());
  EXPECT_TRUE(agg.add(0, sample(3, 1, 1, 0, 12)).empty());
  pts = agg.add(1, sample(2, 0, 1, 0, 15));
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_EQ(pts[0].t, 2);
  // Source 1 dies: its missing seconds no longer block.
  pts = agg.drop(1);
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_EQ(pts[0].t, 3);
  EXPECT_EQ(agg.total().ok_total(), 2u + 3 + 1 + 1 + 1);
  EXPECT_EQ(agg.total().failed_total(), 1u);
  EXPECT_EQ(agg.peak_users(), 25);
  EXPECT_EQ(agg.series().size(), 3u);
}

TEST(Aggregator, HistogramsMergeAcrossSources) {
  Aggregator agg(2);
  Sample a = sample(1, 0, 0, 0, 1), b = sample(1, 0, 0, 0, 1);
  for (int i = 1; i <= 99; ++i)
    a.interval.success(Op::delivery, 1000);
  b.interval.success(Op::delivery, 50000);
  agg.add(0, a);
  auto pts = agg.add(1, b);
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_GE(pts[0].delivery_p50, 1000u);  // within the 1000 µs bucket (width 8)
  EXPECT_LE(pts[0].delivery_p50, 1007u);
  EXPECT_GE(pts[0].delivery_p99, 1000u);
  EXPECT_EQ(agg.total().op(Op::delivery).latency_us.max(), 50000u);
  EXPECT_EQ(agg.total().op(Op::delivery).latency_us.count(), 100u);
}

TEST(ScoreTable, GroupsSecondsByStep) {
  Aggregator agg(1);
  agg.add(0, sample(1, 0, 5, 0, 5));
  agg.add(0, sample(2, 0, 5, 1, 5));
  agg.add(0, sample(3, 1, 7, 0, 10));
  agg.add(0, sample(4, 1, 7, 2, 10));
  Sample last = sample(5, 2, 1, 0, 15);
  last.final = true;
  agg.add(0, last);
  const auto& rows = agg.score().rows();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].step, 0);
  EXPECT_EQ(rows[0].from_s, 0);
  EXPECT_EQ(rows[0].to_s, 2);
  EXPECT_EQ(rows[0].ok, 10u);
  EXPECT_EQ(rows[0].failed, 1u);
  EXPECT_EQ(rows[1].target, 10);
  EXPECT_EQ(rows[1].ok, 14u);
  EXPECT_EQ(rows[1].failed, 2u);
  EXPECT_EQ(rows[1].ops[static_cast<size_t>(Op::socket_connect)][1], 2u);
  EXPECT_EQ(rows[2].ok, 1u);
  uint64_t ok = 0, failed = 0;
  for (const auto& r : rows) {
    ok += r.ok;
    failed += r.failed;
  }
  EXPECT_EQ(ok, agg.total().ok_total());
  EXPECT_EQ(failed, agg.total().failed_total());
}

}  // namespace
}  // namespace parley::load
