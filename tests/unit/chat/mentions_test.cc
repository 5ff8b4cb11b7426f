// Tests for chat/mentions: `@(names)\b` matching, order and uniqueness, and the query text.
#include "chat/mentions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace parley::chat {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<std::string> find(std::string_view s) {
  return find_mentions(s, default_assistant_names());
}

TEST(Mentions, FindsUniqueInOrder) {
  EXPECT_THAT(find("@wayneAI 안녕"), ElementsAre("wayneAI"));
  EXPECT_THAT(find("hi @consultingAI and @wayneAI, then @consultingAI again"),
              ElementsAre("consultingAI", "wayneAI"));
  EXPECT_THAT(find("@wayneAI@wayneAI"), ElementsAre("wayneAI"));
  EXPECT_THAT(find("no mentions here"), IsEmpty());
  EXPECT_THAT(find(""), IsEmpty());
}

TEST(Mentions, WordBoundaryAndCase) {
  EXPECT_THAT(find("@wayneAIx"), IsEmpty());
  EXPECT_THAT(find("@wayneAI_"), IsEmpty());
  EXPECT_THAT(find("@wayneAI9"), IsEmpty());
  EXPECT_THAT(find("@wayneai"), IsEmpty());
  EXPECT_THAT(find("@WayneAI"), IsEmpty());
  EXPECT_THAT(find("wayneAI"), IsEmpty());
  EXPECT_THAT(find("@wayneAI."), ElementsAre("wayneAI"));
  EXPECT_THAT(find("@wayneAI님 도와주세요"), ElementsAre("wayneAI"));  // non-ASCII is not \w
  EXPECT_THAT(find("mail me@wayneAI"), ElementsAre("wayneAI"));        // no \b before '@'
  EXPECT_THAT(find("@@consultingAI"), ElementsAre("consultingAI"));
  EXPECT_THAT(find("@"), IsEmpty());
  EXPECT_THAT(find("@wayne"), IsEmpty());
}

TEST(Mentions, ThirdAssistantIsConfigurationOnly) {
  const std::vector<std::string> names{"wayneAI", "consultingAI", "lawyerAI"};
  EXPECT_THAT(find_mentions("@lawyerAI @wayneAI", names), ElementsAre("lawyerAI", "wayneAI"));
  EXPECT_THAT(find("@lawyerAI"), IsEmpty());
}

TEST(Mentions, AlternativesTriedInOrderLikeRegex) {
  // `@(ab|abc)\b` on "@abc": "ab" fails \b, so "abc" is tried next.
  const std::vector<std::string> names{"ab", "abc"};
  EXPECT_THAT(find_mentions("@abc", names), ElementsAre("abc"));
  EXPECT_THAT(find_mentions("@ab @abc", names), ElementsAre("ab", "abc"));
}

TEST(Mentions, Query) {
  EXPECT_EQ(mention_query("  @wayneAI 오늘 날씨 어때?  ", "wayneAI"), "오늘 날씨 어때?");
  EXPECT_EQ(mention_query("질문: @wayneAI 이거 뭐야 @wayneAI", "wayneAI"), "질문:  이거 뭐야");
  EXPECT_EQ(mention_query("@wayneAI @consultingAI hi", "wayneAI"), "@consultingAI hi");
  EXPECT_EQ(mention_query("@wayneAI @consultingAI hi", "consultingAI"), "@wayneAI  hi");
  EXPECT_EQ(mention_query("@wayneAIx keep", "wayneAI"), "@wayneAIx keep");
  EXPECT_EQ(mention_query("@wayneAI", "wayneAI"), "");
  EXPECT_EQ(mention_query("", "wayneAI"), "");
}

}  // namespace
}  // namespace parley::chat
