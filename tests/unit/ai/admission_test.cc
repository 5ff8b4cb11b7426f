// Tests for ai/admission (per-room and total caps) and ai/failure (client-facing texts).
#include "ai/admission.h"

#include <gtest/gtest.h>

#include "ai/failure.h"

namespace parley::ai {
namespace {

TEST(Admission, PerRoomCap) {
  Admission a(2, 10);
  auto t1 = a.try_enter("r1");
  auto t2 = a.try_enter("r1");
  ASSERT_TRUE(t1 && t2);
  EXPECT_FALSE(a.try_enter("r1"));
  EXPECT_TRUE(a.try_enter("r2"));  // another room is not affected (and released at once)
  EXPECT_EQ(a.active(), 2u);
  t1.reset();
  EXPECT_EQ(a.active(), 1u);
  EXPECT_TRUE(a.try_enter("r1"));
}

TEST(Admission, TotalCap) {
  Admission a(5, 3);
  auto t1 = a.try_enter("a");
  auto t2 = a.try_enter("b");
  auto t3 = a.try_enter("c");
  ASSERT_TRUE(t1 && t2 && t3);
  EXPECT_FALSE(a.try_enter("d"));
  t2->release();
  t2->release();  // idempotent
  EXPECT_EQ(a.active(), 2u);
  EXPECT_TRUE(a.try_enter("d"));
}

TEST(Admission, MovedTicketReleasesOnce) {
  Admission a(1, 1);
  auto t = a.try_enter("r");
  ASSERT_TRUE(t);
  Admission::Ticket moved = std::move(*t);
  t.reset();  // the moved-from ticket holds nothing
  EXPECT_EQ(a.active(), 1u);
  EXPECT_FALSE(a.try_enter("r"));
  auto other = a.try_enter("x");
  EXPECT_FALSE(other);
  moved.release();
  EXPECT_EQ(a.active(), 0u);
  auto again = a.try_enter("r");
  ASSERT_TRUE(again);
  moved = std::move(*again);  // assignment takes over the place
  again.reset();
  EXPECT_EQ(a.active(), 1u);
}

TEST(Admission, TicketMayOutliveAdmission) {
  std::optional<Admission::Ticket> t;
  {
    Admission a(1, 1);
    t = a.try_enter("r");
    ASSERT_TRUE(t);
  }
  t.reset();  // no use-after-free (checked under ASan)
}

TEST(Failure, ClientTexts) {
  using K = Failure::Kind;
  EXPECT_EQ(user_message(K::not_configured), "AI 어시스턴트가 설정되지 않았습니다.");
  EXPECT_EQ(user_message(K::busy), "AI 어시스턴트가 바쁩니다. 잠시 후 다시 시도해 주세요.");
  EXPECT_EQ(user_message(K::timeout), "AI 응답 시간이 초과되었습니다.");
  EXPECT_EQ(user_message(K::too_large), "AI 응답이 너무 깁니다.");
  for (K k : {K::http, K::malformed, K::dropped, K::connect, K::empty, K::shutdown, K::internal}) {
    EXPECT_EQ(user_message(k), "AI 응답 생성 중 오류가 발생했습니다.") << to_string(k);
  }
}

}  // namespace
}  // namespace parley::ai
