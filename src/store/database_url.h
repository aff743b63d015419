#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "store/dialect.h"

namespace eventface::store {

// Where the database is, as EVENTFACE_DB spells it, parsed into what SOCI
// needs to connect.
struct DatabaseUrl {
  Backend backend = Backend::kSqlite;
  // SOCI's connection string: "db=PATH" for SQLite, libpq keywords
  // ("host=... port=... dbname=...") for PostgreSQL.
  std::string connect_string;
  // SQLite only: the file, or ":memory:".
  std::string sqlite_path;
  // The URL with any password replaced by "***", for logs and errors.
  std::string redacted;
};

// The SQLite file used when nothing is configured.
inline constexpr std::string_view kDefaultDatabaseUrl = "./data/eventface.db";

// Parses one of
//   sqlite:PATH            a SQLite file, or sqlite::memory:
//   PATH                   the same, without the prefix
//   postgresql://[user[:password]@][host][:port][/dbname][?key=value&...]
//                          (also postgres://); query keys are libpq's
//                          connection keywords, e.g. host=/run/pg for a
//                          socket folder or options=-csearch_path%3Dx.
// Percent-escapes are decoded. Fails with kInvalidArgument on an empty URL,
// a malformed port, or a value containing spaces or quotes, which SOCI's
// connection-string parser cannot carry.
Result<DatabaseUrl> ParseDatabaseUrl(std::string_view url);

}  // namespace eventface::store
