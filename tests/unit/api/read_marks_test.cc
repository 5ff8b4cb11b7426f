// ReadMarks: which markMessagesAsRead payloads merge, the merged ids and their order, the
// messagesRead array and the acks kept for every merged event.
#include "api/read_marks.h"

#include <gtest/gtest.h>

namespace parley::api {
namespace {

namespace json = boost::json;

const std::string kA = "aaaaaaaaaaaaaaaaaaaaaaaa";
const std::string kB = "bbbbbbbbbbbbbbbbbbbbbbbb";
const std::string kC = "cccccccccccccccccccccccc";
const std::string kRoom = "0123456789abcdef01234567";

json::value mark(const std::string& room, json::array ids) {
  json::object o{{"messageIds", std::move(ids)}};
  if (!room.empty()) o["roomId"] = room;
  return o;
}

TEST(ReadMarks, MergesIdsInArrivalOrderDroppingRepeats) {
  ReadMarks run(kRoom);
  EXPECT_TRUE(run.add(mark(kRoom, {kB.c_str()}), 7));
  EXPECT_TRUE(run.add(mark(kRoom, {kA.c_str(), kB.c_str()}), std::nullopt));
  EXPECT_TRUE(run.add(mark(kRoom, {kC.c_str()}), 9));
  EXPECT_EQ(run.ids(), (std::vector<chat::Id>{kB, kA, kC}));
  EXPECT_EQ(run.wire_ids(), (json::array{kB.c_str(), kA.c_str(), kC.c_str()}));
  EXPECT_EQ(run.acks(), (std::vector<uint64_t>{7, 9}));
  EXPECT_EQ(run.events(), 3u);
}

TEST(ReadMarks, AnotherRoomEndsTheRunAndAddsNothing) {
  ReadMarks run(kRoom);
  ASSERT_TRUE(run.add(mark(kRoom, {kA.c_str()}), 1));
  EXPECT_FALSE(run.add(mark("ffffffffffffffffffffffff", {kB.c_str()}), 2));
  EXPECT_EQ(run.ids(), std::vector<chat::Id>{kA});
  EXPECT_EQ(run.acks(), std::vector<uint64_t>{1});
  EXPECT_EQ(run.events(), 1u);
}

TEST(ReadMarks, MarksThatNeedTheirOwnReplyAreNotMergeable) {
  EXPECT_FALSE(ReadMarks::mergeable_room(mark("", {kA.c_str()})));    // no roomId: lookup
  EXPECT_FALSE(ReadMarks::mergeable_room(mark(kRoom, {})));           // nothing to mark
  EXPECT_FALSE(ReadMarks::mergeable_room(mark(kRoom, {"nope", 3})));  // "Invalid room"
  EXPECT_FALSE(ReadMarks::mergeable_room(json::value("x")));          // not an object
  EXPECT_EQ(ReadMarks::mergeable_room(mark(kRoom, {"nope", kA.c_str()})), kRoom);
  ReadMarks run(kRoom);
  EXPECT_FALSE(run.add(mark(kRoom, {"nope"}), 4));
  EXPECT_TRUE(run.ids().empty());
  EXPECT_TRUE(run.acks().empty());
}

TEST(ReadMarks, WireKeepsWhatEachEventWouldHaveEchoed) {
  // A lone mark echoes its messageIds as sent (§3.6), malformed entries included; the merged
  // array keeps them, while the store only gets well-formed ids.
  ReadMarks run(kRoom);
  ASSERT_TRUE(run.add(mark(kRoom, {"nope", kA.c_str()}), std::nullopt));
  ASSERT_TRUE(run.add(mark(kRoom, {kA.c_str(), kB.c_str()}), std::nullopt));
  EXPECT_EQ(run.ids(), (std::vector<chat::Id>{kA, kB}));
  EXPECT_EQ(run.wire_ids(), (json::array{"nope", kA.c_str(), kB.c_str()}));
}

}  // namespace
}  // namespace parley::api
