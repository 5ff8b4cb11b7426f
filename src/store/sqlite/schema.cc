// Schema migrations for the SQLite store (see schema.h). The layout in short:
//   users, sessions (one row per user), rooms (+ participants in join order), messages
//   (+ reactions and readers as side tables, in insertion order), files.
// Ids are the caller's 24-hex strings. Child rows reference their parent with ON DELETE
// CASCADE; messages deliberately do not reference users or rooms, because a deleted user's
// messages stay (shown without a sender).
#include "store/sqlite/schema.h"

#include <string>

namespace parley::store::sqlite {

namespace {

constexpr const char* kV1 = R"sql(
CREATE TABLE users (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  email         TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  profile_image TEXT NOT NULL DEFAULT '',
  created_at    INTEGER NOT NULL
) WITHOUT ROWID;
CREATE UNIQUE INDEX users_email ON users(email);

CREATE TABLE sessions (
  user_id       TEXT PRIMARY KEY,
  session_id    TEXT NOT NULL,
  created_at    INTEGER NOT NULL,
  last_activity INTEGER NOT NULL,
  user_agent    TEXT NOT NULL DEFAULT '',
  ip_address    TEXT NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- participant_count mirrors COUNT(room_participants) so sorting by it can use an index; only
-- the writer changes participants, and it updates both in the same transaction.
CREATE TABLE rooms (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL,
  creator_id        TEXT NOT NULL,
  password_hash     TEXT NOT NULL DEFAULT '',
  created_at        INTEGER NOT NULL,
  participant_count INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX rooms_created ON rooms(created_at, id);
CREATE INDEX rooms_name ON rooms(name, id);
CREATE INDEX rooms_participants ON rooms(participant_count, id);

-- seq (the rowid) only grows, so ORDER BY seq is join order.
CREATE TABLE room_participants (
  seq     INTEGER PRIMARY KEY,
  room_id TEXT NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  UNIQUE (room_id, user_id)
);
CREATE INDEX room_participants_user ON room_participants(user_id);

CREATE TABLE messages (
  id            TEXT PRIMARY KEY,
  room_id       TEXT NOT NULL,
  content       TEXT NOT NULL DEFAULT '',
  sender_id     TEXT NOT NULL DEFAULT '',
  type          TEXT NOT NULL,
  file_id       TEXT NOT NULL DEFAULT '',
  ai_type       TEXT NOT NULL DEFAULT '',
  timestamp     INTEGER NOT NULL,
  metadata_json TEXT NOT NULL DEFAULT '{}',
  mentions_json TEXT NOT NULL DEFAULT '[]',
  is_deleted    INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE INDEX messages_room_time ON messages(room_id, timestamp);
CREATE INDEX messages_file ON messages(file_id) WHERE file_id <> '';

CREATE TABLE reactions (
  seq        INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  emoji      TEXT NOT NULL,
  user_id    TEXT NOT NULL,
  UNIQUE (message_id, emoji, user_id)
);

CREATE TABLE readers (
  seq        INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  user_id    TEXT NOT NULL,
  read_at    INTEGER NOT NULL,
  UNIQUE (message_id, user_id)
);

CREATE TABLE files (
  id           TEXT PRIMARY KEY,
  filename     TEXT NOT NULL UNIQUE,
  originalname TEXT NOT NULL DEFAULT '',
  mimetype     TEXT NOT NULL DEFAULT '',
  size         INTEGER NOT NULL DEFAULT 0,
  path         TEXT NOT NULL DEFAULT '',
  user_id      TEXT NOT NULL DEFAULT '',
  upload_date  INTEGER NOT NULL
) WITHOUT ROWID;
)sql";

constexpr Migration kMigrations[] = {
    {1, kV1},
};

}  // namespace

std::span<const Migration> migrations() {
  return kMigrations;
}

int schema_version(Connection& db) {
  return static_cast<int>(db.scalar("PRAGMA user_version", 0));
}

int migrate(Connection& db, std::span<const Migration> steps) {
  int target = steps.empty() ? 0 : steps.back().version;
  // BEGIN IMMEDIATE before reading the version: two processes opening the same file at once
  // must not both decide to run the same step.
  db.exec("BEGIN IMMEDIATE");
  try {
    int current = schema_version(db);
    if (current > target) {
      throw SqliteError(SQLITE_ERROR, "database schema version " + std::to_string(current) +
                                          " is newer than this build (" + std::to_string(target) +
                                          ")");
    }
    int applied = 0;
    for (const Migration& m : steps) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      // user_version cannot be bound as a parameter; the value is our own integer.
      db.exec(("PRAGMA user_version = " + std::to_string(m.version)).c_str());
      ++applied;
    }
    db.exec("COMMIT");
    return applied;
  } catch (...) {
    try {
      if (db.in_transaction()) db.exec("ROLLBACK");
    } catch (const SqliteError&) {
      // keep the original failure; the connection is closed by the caller anyway
    }
    throw;
  }
}

}  // namespace parley::store::sqlite
