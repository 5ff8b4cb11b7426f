// Defaults, clamping and paging arithmetic for the room list.
#include "chat/room_query.h"

#include <algorithm>
#include <limits>

namespace parley::chat {

namespace {

// Parses [+-]?[0-9]+, saturating at the int64 range instead of overflowing.
std::optional<int64_t> parse_int(std::string_view s) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    negative = s[i] == '-';
    ++i;
  }
  if (i == s.size()) return std::nullopt;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    const int d = s[i] - '0';
    v = v > (kMax - d) / 10 ? kMax : v * 10 + d;
  }
  return negative ? -v : v;
}

char fold(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

RoomQuery parse_room_query(const RoomQueryParams& params) {
  RoomQuery q;
  if (params.page) {
    if (auto v = parse_int(*params.page)) {
      // Capped so that offset() = page * 50 cannot overflow.
      q.page = std::clamp<int64_t>(*v, 0, std::numeric_limits<int64_t>::max() / 64);
    }
  }
  if (params.page_size) {
    if (auto v = parse_int(*params.page_size)) {
      q.page_size = std::clamp<int64_t>(*v, 1, RoomQuery::kMaxPageSize);
    }
  }
  if (params.sort_field) {
    if (*params.sort_field == "name")
      q.sort_field = RoomSortField::name;
    else if (*params.sort_field == "participantsCount")
      q.sort_field = RoomSortField::participants_count;
  }
  if (params.sort_order && *params.sort_order == "asc") q.sort_order = SortOrder::asc;
  if (params.search && !params.search->empty()) {
    bool blank = true;
    for (char c : *params.search) {
      if (static_cast<unsigned char>(c) > 0x20) {
        blank = false;
        break;
      }
    }
    if (!blank) q.search = *params.search;
  }
  return q;
}

const char* to_string(RoomSortField f) {
  switch (f) {
    case RoomSortField::created_at:
      return "createdAt";
    case RoomSortField::name:
      return "name";
    case RoomSortField::participants_count:
      return "participantsCount";
  }
  return "createdAt";
}

const char* to_string(SortOrder o) {
  return o == SortOrder::asc ? "asc" : "desc";
}

PageMeta page_meta(int64_t total, const RoomQuery& q, int64_t current_count) {
  PageMeta m;
  m.total = std::max<int64_t>(total, 0);
  m.page = q.page;
  m.page_size = q.page_size;
  m.total_pages = (m.total + q.page_size - 1) / q.page_size;
  m.has_more = q.page + 1 < m.total_pages;
  m.current_count = current_count;
  return m;
}

bool room_name_matches(std::string_view name, std::string_view search) {
  if (search.empty()) return true;
  if (search.size() > name.size()) return false;
  for (size_t i = 0; i + search.size() <= name.size(); ++i) {
    size_t j = 0;
    while (j < search.size() && fold(name[i + j]) == fold(search[j]))
      ++j;
    if (j == search.size()) return true;
  }
  return false;
}

}  // namespace parley::chat
