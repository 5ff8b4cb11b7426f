// Tests for the WebSocket outbound queue: batching of appends, shared large payloads, partial
// writes, and that staged buffers stay valid while more is appended.
#include "eio/outbound_queue.h"

#include <gtest/gtest.h>

#include <string>

namespace parley::eio {
namespace {

std::string gather(std::span<const boost::asio::const_buffer> bufs) {
  std::string out;
  for (const auto& b : bufs)
    out.append(static_cast<const char*>(b.data()), b.size());
  return out;
}

TEST(OutboundQueue, BatchesAppendsIntoOneWrite) {
  OutboundQueue q;
  q.append("h1", "payload-1");
  q.append("h2", "pay", "load-2");
  EXPECT_EQ(q.size(), 2u + 9 + 2 + 9);
  EXPECT_TRUE(q.has_pending());
  auto bufs = q.stage();
  EXPECT_EQ(bufs.size(), 1u);  // small frames are copied into one buffer
  EXPECT_EQ(gather(bufs), "h1payload-1h2payload-2");
  EXPECT_TRUE(q.writing());
  EXPECT_FALSE(q.has_pending());
  EXPECT_TRUE(q.consume(22));
  q.finish();
  EXPECT_TRUE(q.empty());
}

TEST(OutboundQueue, LargeSharedPayloadsAreReferenced) {
  OutboundQueue q;
  auto big = std::make_shared<const std::string>(OutboundQueue::kReferenceAbove, 'b');
  auto small = std::make_shared<const std::string>("s");
  q.append_shared("H", big);
  q.append_shared("h", small);
  auto bufs = q.stage();
  ASSERT_EQ(bufs.size(), 3u);
  EXPECT_EQ(bufs[1].data(), big->data());  // not copied
  EXPECT_EQ(gather(bufs), "H" + *big + "hs");
}

TEST(OutboundQueue, PartialWritesAndAppendsDuringAWrite) {
  OutboundQueue q;
  q.append("", "abcdef");
  auto staged = q.stage();
  const void* first = staged[0].data();
  q.append("", std::string(10000, 'x'));  // must not move the staged bytes
  EXPECT_EQ(q.inflight()[0].data(), first);
  EXPECT_FALSE(q.consume(4));
  EXPECT_EQ(gather(q.inflight()), "ef");
  EXPECT_EQ(q.size(), 2u + 10000);
  EXPECT_TRUE(q.consume(2));
  q.finish();
  EXPECT_EQ(q.size(), 10000u);
  EXPECT_EQ(gather(q.stage()), std::string(10000, 'x'));
  q.clear();
  EXPECT_TRUE(q.empty());
}

}  // namespace
}  // namespace parley::eio
