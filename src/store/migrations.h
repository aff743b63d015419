#pragma once

#include <span>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "store/dialect.h"

namespace soci {
class session;
}

namespace eventface::store {

// One step of the schema, written once for both back ends: "{id}" stands
// for Dialect::id_column() and "{blob}" for Dialect::blob_type().
// Statements are separated by a semicolon at the end of a line.
struct Migration {
  int version;  // 1, 2, ...: applied in this order, each exactly once
  std::string_view name;
  std::string_view sql;
};

// Every migration, oldest first. Versions are consecutive from 1.
std::span<const Migration> AllMigrations();

// Brings the schema on `sql` up to the latest version: applies each
// migration not yet listed in schema_migrations, each in its own
// transaction, and records it there with the time from `clock`. Logs
// "migration N applied" at info. Idempotent. Safe against other processes
// migrating the same database at the same moment: on PostgreSQL they queue
// on an advisory lock, on SQLite on the write lock of BEGIN IMMEDIATE.
// Returns the first failure; the migrations before it stay applied.
Status ApplyMigrations(soci::session& sql, const Dialect& dialect,
                       const Clock& clock);

}  // namespace eventface::store
