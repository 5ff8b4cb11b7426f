// Tests for chat/presence: 0→1 / 1→0 edges, the reload race of §3.5, and cleanup.
#include "chat/presence.h"

#include <gtest/gtest.h>

namespace parley::chat {
namespace {

TEST(Presence, EdgesOnly) {
  PresenceCounter p;
  EXPECT_FALSE(p.present("u1", "r1"));
  EXPECT_TRUE(p.enter("u1", "r1"));
  EXPECT_FALSE(p.enter("u1", "r1"));  // second tab
  EXPECT_EQ(p.sockets("u1", "r1"), 2);
  EXPECT_FALSE(p.leave("u1", "r1"));
  EXPECT_TRUE(p.present("u1", "r1"));
  EXPECT_TRUE(p.leave("u1", "r1"));
  EXPECT_FALSE(p.present("u1", "r1"));
  EXPECT_EQ(p.size(), 0u);
}

TEST(Presence, ReloadRaceKeepsUserInRoom) {
  PresenceCounter p;
  ASSERT_TRUE(p.enter("u", "r"));   // old page
  EXPECT_FALSE(p.enter("u", "r"));  // new page joins before the old socket's disconnect
  EXPECT_FALSE(p.leave("u", "r"));  // old socket's disconnect: no "left" announcement
  EXPECT_TRUE(p.present("u", "r"));
}

TEST(Presence, LeaveWithoutEnterIsNoOp) {
  PresenceCounter p;
  EXPECT_FALSE(p.leave("u", "r"));
  EXPECT_EQ(p.sockets("u", "r"), 0);
  EXPECT_EQ(p.size(), 0u);
  EXPECT_TRUE(p.enter("u", "r"));  // the count did not go negative
}

TEST(Presence, PairsAreIndependent) {
  PresenceCounter p;
  EXPECT_TRUE(p.enter("u1", "r1"));
  EXPECT_TRUE(p.enter("u1", "r2"));
  EXPECT_TRUE(p.enter("u2", "r1"));
  EXPECT_EQ(p.size(), 3u);
  EXPECT_TRUE(p.leave("u1", "r1"));
  EXPECT_TRUE(p.present("u1", "r2"));
  EXPECT_TRUE(p.present("u2", "r1"));
  // The separator keeps ("ab","c") and ("a","bc") apart.
  EXPECT_TRUE(p.enter("ab", "c"));
  EXPECT_TRUE(p.enter("a", "bc"));
}

}  // namespace
}  // namespace parley::chat
