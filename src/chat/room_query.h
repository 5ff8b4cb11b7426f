// GET /api/rooms query handling (§2.3): turning the raw query parameters into the effective
// paging/sorting values, and computing the response's paging metadata. Invalid input is never
// an error here: every parameter falls back to a default, and the metadata echoes what was used.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::chat {

// The query parameters as received (already percent-decoded); nullopt when absent.
struct RoomQueryParams {
  std::optional<std::string> page;
  std::optional<std::string> page_size;
  std::optional<std::string> sort_field;
  std::optional<std::string> sort_order;
  std::optional<std::string> search;
};

enum class RoomSortField { created_at, name, participants_count };
enum class SortOrder { asc, desc };

struct RoomQuery {
  static constexpr int64_t kDefaultPageSize = 10;
  static constexpr int64_t kMaxPageSize = 50;

  int64_t page = 0;                      // ≥ 0
  int64_t page_size = kDefaultPageSize;  // 1..50
  RoomSortField sort_field = RoomSortField::created_at;
  SortOrder sort_order = SortOrder::desc;
  std::optional<std::string> search;  // nullopt when absent or blank; otherwise as given

  int64_t offset() const { return page * page_size; }
};

// page: absent, non-numeric or < 0 → 0 (huge values saturate, they just yield an empty page).
// pageSize: absent or non-numeric → 10, else clamped to 1..50. A number is an optional sign and
// decimal digits, nothing else ("12abc" and " 1" are non-numeric).
// sortField ∈ {createdAt, name, participantsCount} else createdAt; sortOrder ∈ {asc, desc}
// else desc (both case-sensitive, as in the reference).
RoomQuery parse_room_query(const RoomQueryParams& params);

// Wire names, as echoed in metadata.sort.
const char* to_string(RoomSortField f);
const char* to_string(SortOrder o);

// The list response's `metadata` (less `sort`, which comes from the RoomQuery).
struct PageMeta {
  int64_t total = 0;
  int64_t page = 0;
  int64_t page_size = RoomQuery::kDefaultPageSize;
  int64_t total_pages = 0;  // ceil(total / page_size); 0 when there are no rooms
  bool has_more = false;    // (page + 1) < total_pages
  int64_t current_count = 0;
};

PageMeta page_meta(int64_t total, const RoomQuery& q, int64_t current_count);

// The `search` rule for stores that filter in memory: a literal substring of the name, with
// ASCII letters compared case-insensitively. An empty needle matches everything.
bool room_name_matches(std::string_view name, std::string_view search);

}  // namespace parley::chat
