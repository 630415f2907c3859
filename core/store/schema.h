#pragma once

#include "store/database.h"

namespace qn {

// The store's schema version, kept in SQLite's user_version or PostgreSQL's
// qnstudio_schema table (docs/store.md, The store; docs/store.md documents the
// tables for people who query them).
constexpr int kSchemaVersion = 8;

// Brings `db` to kSchemaVersion, one migration a version, each in its own transaction: a
// new file gets every table; an older QNStudio database keeps its rows. A database from a
// newer QNStudio, or a database with tables that are not QNStudio's, is an InputError
// (nothing is changed). Safe to call from several processes at once. `target` below the
// current version exists for tests that build an older SQLite database.
void migrate(Database& db, int target = kSchemaVersion);

// The version a database is at (0 for a new file).
int schema_version(Database& db);

}  // namespace qn
