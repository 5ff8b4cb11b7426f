// SqliteStore: messages (timestamps, paging, readers, reactions) and file records (see
// sqlite_store.h).
#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "store/sqlite/records.h"
#include "store/sqlite/sqlite_store.h"

namespace parley::store::sqlite {

namespace {

// Ids per INSERT of mark_read_job: one statement text (and one cached statement) per length up to
// this, so a merged batch of marks costs a few statements instead of one per id.
constexpr size_t kMarkChunk = 32;

// "INSERT ... WHERE +room_id = ?3 AND id IN (?4, ..., ?(3+n))", built once per length. The unary
// + keeps the planner on the primary key for the ids instead of scanning the room by its index.
const std::string& mark_read_sql(size_t n) {
  static const std::vector<std::string> texts = [] {
    std::vector<std::string> out(kMarkChunk + 1);
    for (size_t len = 1; len <= kMarkChunk; ++len) {
      std::string sql =
          "INSERT OR IGNORE INTO readers (message_id, user_id, read_at) "
          "SELECT id, ?1, ?2 FROM messages WHERE +room_id = ?3 AND id IN (";
      for (size_t i = 0; i < len; ++i) {
        if (i) sql += ", ";
        sql += "?" + std::to_string(4 + i);
      }
      sql += ")";
      out[len] = std::move(sql);
    }
    return out;
  }();
  return texts[n];
}

// One job per mark_read call: the group commit batches concurrent calls into one transaction,
// which is what keeps "every member reads every message" affordable, and the ids of one call go
// in chunks of kMarkChunk per statement (ChatSockets merges a reader's queued marks into one
// call). The room condition skips unknown ids and ids of other rooms; OR IGNORE keeps the first
// read_at of a reader.
auto mark_read_job(Id room_id, std::vector<Id> message_ids, Id user_id, Millis now) {
  return [room_id = std::move(room_id), ids = std::move(message_ids), user_id = std::move(user_id),
          now](Connection& db) -> Result<void> {
    const std::span<const Id> all(ids);
    for (size_t i = 0; i < all.size(); i += kMarkChunk) {
      const auto chunk = all.subspan(i, std::min(kMarkChunk, all.size() - i));
      db.run_with_list(mark_read_sql(chunk.size()), chunk, user_id, now, room_id);
    }
    return {};
  };
}

}  // namespace

Millis SqliteStore::next_timestamp(Connection& db, const Id& room_id, Millis requested) {
  auto it = last_timestamp_.find(room_id);
  if (it != last_timestamp_.end()) return std::max(requested, it->second + 1);
  Query q = db.query("SELECT max(timestamp) FROM messages WHERE room_id = ?1", room_id);
  if (!q.step() || q.is_null(0)) return requested;  // the room's first message
  return std::max(requested, q.int64(0) + 1);
}

asio::awaitable<Result<chat::Message>> SqliteStore::append_message(chat::Message message) {
  return write([this, m = std::move(message)](Connection& db) mutable -> Result<chat::Message> {
    m.timestamp = next_timestamp(db, m.room_id, m.timestamp);
    db.run("INSERT INTO messages (" PARLEY_SQLITE_MESSAGE_COLUMNS
           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
           m.id, m.room_id, m.content, m.sender_id, chat::to_string(m.type), m.file_id, m.ai_type,
           m.timestamp, m.metadata_json, mentions_to_json(m.mentions), m.is_deleted);
    if (!m.reactions.empty() || !m.readers.empty()) {
      for (const auto& [emoji, users] : m.reactions) {
        for (const Id& u : users) {
          db.run(
              "INSERT OR IGNORE INTO reactions (message_id, emoji, user_id) "
              "VALUES (?1, ?2, ?3)",
              m.id, emoji, u);
        }
      }
      for (const chat::Reader& r : m.readers) {
        db.run(
            "INSERT OR IGNORE INTO readers (message_id, user_id, read_at) "
            "VALUES (?1, ?2, ?3)",
            m.id, r.user_id, r.read_at);
      }
      load_reactions(db, m);  // return what is stored (duplicates dropped)
      load_readers(db, m);
    }
    // Last, so a failed insert leaves the cache alone (a failed batch clears it).
    last_timestamp_[m.room_id] = m.timestamp;
    return std::move(m);
  });
}

asio::awaitable<Result<std::optional<Id>>> SqliteStore::find_message_room(Id message_id) {
  return read([id = std::move(message_id)](Connection& db) -> Result<std::optional<Id>> {
    Query q = db.query("SELECT room_id FROM messages WHERE id = ?1", id);
    if (!q.step()) return std::optional<Id>{};
    return std::optional<Id>{q.text(0)};
  });
}

asio::awaitable<Result<std::optional<chat::Message>>> SqliteStore::get_message(Id room_id, Id id) {
  return read([room_id = std::move(room_id),
               id = std::move(id)](Connection& db) -> Result<std::optional<chat::Message>> {
    auto m = load_message(db, id);
    if (m && m->room_id != room_id) return std::optional<chat::Message>{};
    return m;
  });
}

asio::awaitable<Result<MessagePage>> SqliteStore::fetch_messages(Id room_id, Millis before,
                                                                 int limit, Id reader, Millis now) {
  // The page is read on a reader thread; only the readers insert goes through the writer, so
  // history loads do not occupy the single write connection with SELECTs.
  auto load = [room_id = std::move(room_id), before,
               limit = std::max(limit, 0)](Connection& db) -> Result<MessagePage> {
    MessagePage page;
    {
      // One row more than asked tells whether older messages remain.
      Query q = db.query("SELECT " PARLEY_SQLITE_MESSAGE_COLUMNS
                         " FROM messages WHERE room_id = ?1 AND timestamp < ?2 AND "
                         "is_deleted = 0 ORDER BY timestamp DESC LIMIT ?3",
                         room_id, before, static_cast<int64_t>(limit) + 1);
      while (q.step())
        page.messages.push_back(message_from_row(q));
    }
    if (page.messages.size() > static_cast<size_t>(limit)) {
      page.has_more = true;
      page.messages.resize(static_cast<size_t>(limit));
    }
    std::reverse(page.messages.begin(), page.messages.end());
    for (chat::Message& m : page.messages) {
      load_reactions(db, m);
      load_readers(db, m);
    }
    return page;
  };
  auto page = co_await read(std::move(load));
  if (!page.ok() || reader.empty() || page->messages.empty()) co_return page;

  std::vector<Id> ids;
  ids.reserve(page->messages.size());
  for (const chat::Message& m : page->messages)
    ids.push_back(m.id);
  auto mark = mark_read_job(page->messages.front().room_id, std::move(ids), reader, now);
  Result<void> marked = co_await write(std::move(mark));
  if (!marked.ok()) co_return marked.error();
  // Mirror the insert in what we return: the reader is added where it was absent.
  for (chat::Message& m : page->messages) {
    bool present = std::any_of(m.readers.begin(), m.readers.end(),
                               [&](const chat::Reader& r) { return r.user_id == reader; });
    if (!present) m.readers.push_back({reader, now});
  }
  co_return page;
}

asio::awaitable<Result<void>> SqliteStore::mark_read(Id room_id, std::vector<Id> message_ids,
                                                     Id user_id, Millis now) {
  if (message_ids.empty()) co_return Result<void>{};
  auto job = mark_read_job(std::move(room_id), std::move(message_ids), std::move(user_id), now);
  co_return co_await write(std::move(job));
}

asio::awaitable<Result<std::map<std::string, std::vector<Id>>>> SqliteStore::update_reaction(
    Id room_id, Id message_id, std::string emoji, Id user_id, bool add) {
  using Reactions = std::map<std::string, std::vector<Id>>;
  return write([room_id = std::move(room_id), message_id = std::move(message_id),
                emoji = std::move(emoji), user_id = std::move(user_id),
                add](Connection& db) -> Result<Reactions> {
    if (db.scalar("SELECT 1 FROM messages WHERE id = ?1 AND room_id = ?2", 0, message_id,
                  room_id) != 1) {
      return Error::not_found("message " + message_id);
    }
    if (add) {
      db.run("INSERT OR IGNORE INTO reactions (message_id, emoji, user_id) VALUES (?1, ?2, ?3)",
             message_id, emoji, user_id);
    } else {
      // Reactions are rows, so removing the last user of an emoji drops the key by itself.
      db.run("DELETE FROM reactions WHERE message_id = ?1 AND emoji = ?2 AND user_id = ?3",
             message_id, emoji, user_id);
    }
    return reactions_of(db, message_id);
  });
}

// ---- files

asio::awaitable<Result<void>> SqliteStore::create_file(chat::FileRecord file) {
  return write([f = std::move(file)](Connection& db) -> Result<void> {
    db.run(
        "INSERT INTO files (id, filename, originalname, mimetype, size, path, user_id, "
        "upload_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        f.id, f.filename, f.originalname, f.mimetype, f.size, f.path, f.user_id, f.upload_date);
    return {};
  });
}

asio::awaitable<Result<std::optional<chat::FileRecord>>> SqliteStore::get_file(Id id) {
  return read([id = std::move(id)](Connection& db) -> Result<std::optional<chat::FileRecord>> {
    return load_file(db, id);
  });
}

asio::awaitable<Result<std::optional<chat::FileRecord>>> SqliteStore::get_file_by_filename(
    std::string filename) {
  return read(
      [name = std::move(filename)](Connection& db) -> Result<std::optional<chat::FileRecord>> {
        return load_file_by_filename(db, name);
      });
}

asio::awaitable<Result<void>> SqliteStore::delete_file(Id id) {
  return write([id = std::move(id)](Connection& db) -> Result<void> {
    db.run("DELETE FROM files WHERE id = ?1", id);
    return {};
  });
}

asio::awaitable<Result<std::vector<Id>>> SqliteStore::rooms_referencing_file(Id file_id) {
  return read([file_id = std::move(file_id)](Connection& db) -> Result<std::vector<Id>> {
    std::vector<Id> rooms;
    if (file_id.empty()) return rooms;
    // "file_id <> ''" repeats the partial index's condition so the planner may use it.
    Query q = db.query(
        "SELECT room_id FROM messages WHERE file_id = ?1 AND file_id <> '' AND is_deleted = 0 "
        "GROUP BY room_id ORDER BY min(timestamp)",
        file_id);
    while (q.step())
      rooms.push_back(q.text(0));
    return rooms;
  });
}

}  // namespace parley::store::sqlite
