// Schema: the database layout as an ordered list of migrations. PRAGMA user_version records how
// many have been applied; open() applies the missing ones, all in one transaction, so a
// database is either at the old version or the new one, never half-migrated.
#pragma once

#include <span>

#include "store/sqlite/connection.h"

namespace parley::store::sqlite {

struct Migration {
  int version;      // user_version after this step; steps are numbered 1, 2, 3, ...
  const char* sql;  // one or more statements, no parameters
};

// Parley's migrations, oldest first. Append new steps; never edit a released one.
std::span<const Migration> migrations();

// Brings `db` up to the last step of `steps`; returns how many steps ran (0 when current).
// Throws SqliteError; a database newer than `steps` knows is refused rather than guessed at.
int migrate(Connection& db, std::span<const Migration> steps);

// The database's PRAGMA user_version.
int schema_version(Connection& db);

}  // namespace parley::store::sqlite
