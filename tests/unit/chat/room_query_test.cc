// Tests for chat/room_query: parameter defaults and clamping, and the paging metadata.
#include "chat/room_query.h"

#include <gtest/gtest.h>

namespace parley::chat {
namespace {

RoomQuery parse(std::optional<std::string> page, std::optional<std::string> size,
                std::optional<std::string> field = std::nullopt,
                std::optional<std::string> order = std::nullopt,
                std::optional<std::string> search = std::nullopt) {
  return parse_room_query({page, size, field, order, search});
}

TEST(RoomQuery, Defaults) {
  const RoomQuery q = parse_room_query({});
  EXPECT_EQ(q.page, 0);
  EXPECT_EQ(q.page_size, 10);
  EXPECT_EQ(q.sort_field, RoomSortField::created_at);
  EXPECT_EQ(q.sort_order, SortOrder::desc);
  EXPECT_EQ(q.search, std::nullopt);
  EXPECT_STREQ(to_string(q.sort_field), "createdAt");
  EXPECT_STREQ(to_string(q.sort_order), "desc");
}

TEST(RoomQuery, FrontendQuery) {
  const RoomQuery q = parse("0", "10", "createdAt", "desc");
  EXPECT_EQ(q.page, 0);
  EXPECT_EQ(q.page_size, 10);
  EXPECT_EQ(q.offset(), 0);
  EXPECT_EQ(parse("3", "20").offset(), 60);
}

TEST(RoomQuery, PageFallbacks) {
  EXPECT_EQ(parse("-1", std::nullopt).page, 0);
  EXPECT_EQ(parse("abc", std::nullopt).page, 0);
  EXPECT_EQ(parse("", std::nullopt).page, 0);
  EXPECT_EQ(parse("2x", std::nullopt).page, 0);
  EXPECT_EQ(parse("+7", std::nullopt).page, 7);
  EXPECT_EQ(parse("1.5", std::nullopt).page, 0);
  const RoomQuery huge = parse("99999999999999999999999", "50");
  EXPECT_GT(huge.page, 1'000'000'000);
  EXPECT_GT(huge.offset(), 0);  // no overflow
}

TEST(RoomQuery, PageSizeClamp) {
  EXPECT_EQ(parse(std::nullopt, "0").page_size, 1);
  EXPECT_EQ(parse(std::nullopt, "-5").page_size, 1);
  EXPECT_EQ(parse(std::nullopt, "1").page_size, 1);
  EXPECT_EQ(parse(std::nullopt, "50").page_size, 50);
  EXPECT_EQ(parse(std::nullopt, "51").page_size, 50);
  EXPECT_EQ(parse(std::nullopt, "100000000000000000000").page_size, 50);
  EXPECT_EQ(parse(std::nullopt, "ten").page_size, 10);
}

TEST(RoomQuery, Sorting) {
  EXPECT_EQ(parse({}, {}, "name").sort_field, RoomSortField::name);
  EXPECT_EQ(parse({}, {}, "participantsCount").sort_field, RoomSortField::participants_count);
  EXPECT_EQ(parse({}, {}, "participantIds").sort_field, RoomSortField::created_at);
  EXPECT_EQ(parse({}, {}, "Name").sort_field, RoomSortField::created_at);
  EXPECT_EQ(parse({}, {}, {}, "asc").sort_order, SortOrder::asc);
  EXPECT_EQ(parse({}, {}, {}, "ASC").sort_order, SortOrder::desc);
  EXPECT_EQ(parse({}, {}, {}, "sideways").sort_order, SortOrder::desc);
  EXPECT_STREQ(to_string(RoomSortField::participants_count), "participantsCount");
  EXPECT_STREQ(to_string(SortOrder::asc), "asc");
}

TEST(RoomQuery, Search) {
  EXPECT_EQ(parse({}, {}, {}, {}, "").search, std::nullopt);
  EXPECT_EQ(parse({}, {}, {}, {}, "  ").search, std::nullopt);
  EXPECT_EQ(parse({}, {}, {}, {}, " Ramp ").search, " Ramp ");
  EXPECT_TRUE(room_name_matches("Ramp-Up Test Room #3", "up test"));
  EXPECT_TRUE(room_name_matches("Ramp-Up Test Room #3", "ROOM #3"));
  EXPECT_TRUE(room_name_matches("anything", ""));
  EXPECT_TRUE(room_name_matches("프로젝트 방", "젝트"));
  EXPECT_FALSE(room_name_matches("Room", "rooms"));
  EXPECT_FALSE(room_name_matches("a.c", "a_c"));  // literal, not a pattern
}

TEST(RoomQuery, PageMeta) {
  RoomQuery q;  // page 0, size 10
  PageMeta m = page_meta(0, q, 0);
  EXPECT_EQ(m.total_pages, 0);
  EXPECT_FALSE(m.has_more);

  m = page_meta(10, q, 10);
  EXPECT_EQ(m.total_pages, 1);
  EXPECT_FALSE(m.has_more);

  m = page_meta(11, q, 10);
  EXPECT_EQ(m.total, 11);
  EXPECT_EQ(m.page, 0);
  EXPECT_EQ(m.page_size, 10);
  EXPECT_EQ(m.total_pages, 2);
  EXPECT_TRUE(m.has_more);
  EXPECT_EQ(m.current_count, 10);

  q.page = 1;
  m = page_meta(11, q, 1);
  EXPECT_FALSE(m.has_more);
  EXPECT_EQ(m.current_count, 1);

  q.page = 5;  // past the end
  m = page_meta(11, q, 0);
  EXPECT_EQ(m.total_pages, 2);
  EXPECT_FALSE(m.has_more);

  q = parse("0", "1");
  EXPECT_EQ(page_meta(3, q, 1).total_pages, 3);
  EXPECT_TRUE(page_meta(3, q, 1).has_more);
}

}  // namespace
}  // namespace parley::chat
