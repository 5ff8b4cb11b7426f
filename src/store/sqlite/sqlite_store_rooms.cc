// SqliteStore: rooms and their participants (see sqlite_store.h).
#include <string>
#include <unordered_set>

#include "store/sqlite/records.h"
#include "store/sqlite/sqlite_store.h"

namespace parley::store::sqlite {

namespace {

// ORDER BY cannot be a bound parameter, so every (field, direction) pair is its own constant
// statement; `id` breaks ties in the same direction so paging is stable. The WHERE clause is
// the same for all: ?1 = '' means no search, else ?2 is the escaped LIKE pattern. LIKE is
// case-insensitive for ASCII only (SQLite without ICU); names in other scripts match exactly.
#define PARLEY_ROOMS_SELECT                                            \
  "SELECT id, name, creator_id, password_hash, created_at FROM rooms " \
  "WHERE (?1 = '' OR name LIKE ?2 ESCAPE '\\') "
#define PARLEY_ROOMS_PAGE " LIMIT ?3 OFFSET ?4"

const char* list_rooms_sql(RoomSortField field, bool descending) {
  switch (field) {
    case RoomSortField::name:
      return descending ? PARLEY_ROOMS_SELECT "ORDER BY name DESC, id DESC" PARLEY_ROOMS_PAGE
                        : PARLEY_ROOMS_SELECT "ORDER BY name ASC, id ASC" PARLEY_ROOMS_PAGE;
    case RoomSortField::participants_count:
      return descending
                 ? PARLEY_ROOMS_SELECT "ORDER BY participant_count DESC, id DESC" PARLEY_ROOMS_PAGE
                 : PARLEY_ROOMS_SELECT "ORDER BY participant_count ASC, id ASC" PARLEY_ROOMS_PAGE;
    case RoomSortField::created_at:
      break;
  }
  return descending ? PARLEY_ROOMS_SELECT "ORDER BY created_at DESC, id DESC" PARLEY_ROOMS_PAGE
                    : PARLEY_ROOMS_SELECT "ORDER BY created_at ASC, id ASC" PARLEY_ROOMS_PAGE;
}

Result<ParticipantChange> room_after_change(Connection& db, const Id& room_id, bool changed) {
  auto room = load_room(db, room_id);
  if (!room) return Error::not_found("room " + room_id);
  return ParticipantChange{changed, std::move(*room)};
}

bool room_exists(Connection& db, const Id& room_id) {
  return db.scalar("SELECT 1 FROM rooms WHERE id = ?1", 0, room_id) == 1;
}

}  // namespace

asio::awaitable<Result<void>> SqliteStore::create_room(chat::Room room) {
  return write([room = std::move(room)](Connection& db) -> Result<void> {
    // The participants in order, each once (the creator is expected first).
    std::vector<Id> participants;
    std::unordered_set<Id> seen;
    for (const Id& p : room.participant_ids) {
      if (seen.insert(p).second) participants.push_back(p);
    }
    db.run(
        "INSERT INTO rooms (id, name, creator_id, password_hash, created_at, participant_count) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        room.id, room.name, room.creator_id, room.password_hash, room.created_at,
        static_cast<int64_t>(participants.size()));
    for (const Id& p : participants) {
      db.run("INSERT INTO room_participants (room_id, user_id) VALUES (?1, ?2)", room.id, p);
    }
    return {};
  });
}

asio::awaitable<Result<std::optional<chat::Room>>> SqliteStore::get_room(Id id) {
  return read([id = std::move(id)](Connection& db) -> Result<std::optional<chat::Room>> {
    return load_room(db, id);
  });
}

asio::awaitable<Result<RoomPage>> SqliteStore::list_rooms(RoomQuery query) {
  return read([query = std::move(query)](Connection& db) -> Result<RoomPage> {
    std::string pattern = "%" + escape_like(query.search) + "%";
    RoomPage page;
    page.total = db.scalar("SELECT count(*) FROM rooms WHERE (?1 = '' OR name LIKE ?2 ESCAPE '\\')",
                           0, query.search, pattern);
    int64_t size = std::max(query.page_size, 1);
    int64_t offset = static_cast<int64_t>(std::max(query.page, 0)) * size;
    {
      Query q = db.query(list_rooms_sql(query.sort, query.descending), query.search, pattern, size,
                         offset);
      while (q.step()) {
        chat::Room r;
        r.id = q.text(0);
        r.name = q.text(1);
        r.creator_id = q.text(2);
        r.password_hash = q.text(3);
        r.created_at = q.int64(4);
        page.rooms.push_back(std::move(r));
      }
    }
    for (chat::Room& r : page.rooms)
      r.participant_ids = load_participants(db, r.id);
    return page;
  });
}

asio::awaitable<Result<ParticipantChange>> SqliteStore::add_participant(Id room_id, Id user_id) {
  return write([room_id = std::move(room_id),
                user_id = std::move(user_id)](Connection& db) -> Result<ParticipantChange> {
    if (!room_exists(db, room_id)) return Error::not_found("room " + room_id);
    bool changed = db.run(
                       "INSERT OR IGNORE INTO room_participants (room_id, user_id) "
                       "VALUES (?1, ?2)",
                       room_id, user_id) > 0;
    if (changed) {
      db.run("UPDATE rooms SET participant_count = participant_count + 1 WHERE id = ?1", room_id);
    }
    return room_after_change(db, room_id, changed);
  });
}

asio::awaitable<Result<ParticipantChange>> SqliteStore::remove_participant(Id room_id, Id user_id) {
  return write([room_id = std::move(room_id),
                user_id = std::move(user_id)](Connection& db) -> Result<ParticipantChange> {
    if (!room_exists(db, room_id)) return Error::not_found("room " + room_id);
    bool changed = db.run("DELETE FROM room_participants WHERE room_id = ?1 AND user_id = ?2",
                          room_id, user_id) > 0;
    if (changed) {
      db.run("UPDATE rooms SET participant_count = participant_count - 1 WHERE id = ?1", room_id);
    }
    return room_after_change(db, room_id, changed);
  });
}

asio::awaitable<Result<std::vector<int64_t>>> SqliteStore::count_messages_since(
    std::vector<Id> room_ids, Millis since) {
  return read([room_ids = std::move(room_ids),
               since](Connection& db) -> Result<std::vector<int64_t>> {
    std::vector<int64_t> counts;
    counts.reserve(room_ids.size());
    for (const auto& room_id : room_ids) {
      counts.push_back(db.scalar(
          "SELECT count(*) FROM messages WHERE room_id = ?1 AND timestamp >= ?2 AND is_deleted = 0",
          0, room_id, since));
    }
    return counts;
  });
}

asio::awaitable<Result<std::optional<Millis>>> SqliteStore::newest_room_created_at() {
  return read([](Connection& db) -> Result<std::optional<Millis>> {
    Query q = db.query("SELECT max(created_at) FROM rooms");
    if (!q.step() || q.is_null(0)) return std::optional<Millis>{};
    return std::optional<Millis>{q.int64(0)};
  });
}

}  // namespace parley::store::sqlite
