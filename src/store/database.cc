#include "store/database.h"

#include <soci/connection-pool.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <system_error>

#include "core/clock.h"
#include "store/migrations.h"
#include "store/sql_call.h"

namespace eventface::store {

namespace {

// How long a SQLite writer waits for another's lock before failing.
constexpr int kSqliteBusyTimeoutMs = 5000;

Status CreateParentFolder(const std::string& sqlite_path) {
  if (sqlite_path == ":memory:") return Status();
  std::filesystem::path parent =
      std::filesystem::path(sqlite_path).parent_path();
  if (parent.empty()) return Status();
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    return Error{ErrorCode::kIoError,
                 parent.string() + ": cannot create: " + error.message()};
  }
  return Status();
}

// Per-connection settings: SQLite keeps them per connection, not per file.
// WAL lets readers run beside the one writer; NORMAL sync is safe with WAL
// (a power cut may lose the last commits, never corrupt the file).
void ConfigureSqlite(soci::session& sql) {
  sql << "PRAGMA busy_timeout = " << kSqliteBusyTimeoutMs;
  sql << "PRAGMA journal_mode = WAL";
  sql << "PRAGMA synchronous = NORMAL";
  sql << "PRAGMA foreign_keys = ON";
}

Result<std::unique_ptr<soci::connection_pool>> Connect(const DatabaseUrl& url,
                                                       size_t pool_size) {
  auto pool = std::make_unique<soci::connection_pool>(pool_size);
  Status connected = RunSql("connect", [&]() -> Status {
    for (size_t i = 0; i < pool_size; ++i) {
      soci::session& sql = pool->at(i);
      if (url.backend == Backend::kSqlite) {
        sql.open(soci::sqlite3, url.connect_string);
        ConfigureSqlite(sql);
      } else {
        sql.open(soci::postgresql, url.connect_string);
      }
    }
    return Status();
  });
  if (!connected.ok()) {
    return Error{ErrorCode::kIoError,
                 "database " + url.redacted + ": " + connected.error().message};
  }
  return pool;
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(
    const DatabaseOptions& options) {
  auto url = ParseDatabaseUrl(options.url);
  if (!url.ok()) return url.error();
  if (url->backend == Backend::kSqlite) {
    Status created = CreateParentFolder(url->sqlite_path);
    if (!created.ok()) return created.error();
  }

  size_t pool_size = options.pool_size == 0 ? 1 : options.pool_size;
  if (url->sqlite_path == ":memory:") pool_size = 1;
  auto pool = Connect(*url, pool_size);
  if (!pool.ok()) return pool.error();

  const Dialect& dialect = Dialect::For(url->backend);
  SystemClock clock;
  Status migrated = ApplyMigrations((*pool)->at(0), dialect, clock);
  if (!migrated.ok()) {
    return Error{ErrorCode::kIoError,
                 "database " + url->redacted + ": " + migrated.error().message};
  }
  return std::unique_ptr<Database>(
      new Database(dialect, std::move(*pool), url->redacted));
}

Database::Database(const Dialect& dialect,
                   std::unique_ptr<soci::connection_pool> pool,
                   std::string redacted_url)
    : dialect_(dialect),
      pool_(std::move(pool)),
      redacted_url_(std::move(redacted_url)) {}

Database::~Database() = default;

Status Database::RunOnPool(Transaction::Mode mode,
                           const std::function<Status(Transaction&)>& body) {
  // The session constructor leases a pooled session (waiting for a free
  // one) and the destructor gives it back.
  soci::session sql(*pool_);

  // A PostgreSQL connection dies with its server; a session found broken
  // here is reconnected once before use. A connection that breaks during
  // the transaction fails that transaction and is repaired next time.
  if (dialect_.backend() == Backend::kPostgres && !sql.is_connected()) {
    Status reconnected = RunSql("reconnect", [&]() -> Status {
      sql.reconnect();
      return Status();
    });
    if (!reconnected.ok()) {
      return Error{ErrorCode::kIoError, "database " + redacted_url_ + ": " +
                                            reconnected.error().message};
    }
  }
  return Transaction::Run(sql, dialect_, mode, body);
}

Status Database::Ping() {
  Status status = WithReadTransaction([](Transaction& tx) {
    return RunSql("SELECT 1", [&]() -> Status {
      int one = 0;
      tx.sql() << "SELECT 1", soci::into(one);
      if (one == 1) return Status();
      return Error{ErrorCode::kInternal,
                   "SELECT 1 gave " + std::to_string(one)};
    });
  });
  if (status.ok()) return status;
  return Error{ErrorCode::kUnavailable,
               "database unreachable: " + status.error().message};
}

}  // namespace eventface::store
