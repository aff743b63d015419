#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "core/result.h"
#include "store/database_url.h"
#include "store/dialect.h"
#include "store/transaction.h"

namespace soci {
class connection_pool;
}

namespace eventface::store {

// How to open the database.
struct DatabaseOptions {
  // See ParseDatabaseUrl(): a SQLite path or a postgresql:// URL.
  std::string url = std::string(kDefaultDatabaseUrl);
  // Sessions in the pool: at most this many threads use the database at
  // once; the others wait. SQLite in memory always gets one session, since
  // each connection to ":memory:" is a database of its own.
  size_t pool_size = 4;
};

// The eventface database on SQLite or PostgreSQL: a pool of SOCI sessions
// with the schema migrated to the latest version. All SQL runs inside
// WithTransaction().
//
// Thread-safe: any number of threads may call WithTransaction() at once.
// Must outlive every transaction it runs.
class Database {
 public:
  // Connects, configures each session (SQLite: WAL, foreign keys, busy
  // timeout, synchronous NORMAL) and applies pending migrations. Creates
  // the SQLite file and its folder if missing. Fails with kInvalidArgument
  // on a malformed URL and kIoError when the database cannot be reached or
  // migrated; the message never contains a password.
  static Result<std::unique_ptr<Database>> Open(const DatabaseOptions& options);

  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Backend backend() const { return dialect_.backend(); }
  const Dialect& dialect() const { return dialect_; }

  // Runs `fn(Transaction&)` in a transaction that may write, and commits
  // if `fn` returns success. `fn` returns a Status or a Result<T>, and so
  // does WithTransaction. On an error from `fn`, an exception from it, or
  // a failed commit, the transaction is rolled back and the error returned.
  // Blocks while every pooled session is in use. Do not nest calls.
  template <typename Fn>
  std::invoke_result_t<Fn&, Transaction&> WithTransaction(Fn&& fn) {
    return Run(Transaction::Mode::kWrite, fn);
  }

  // Whether the database answers a trivial query now: kUnavailable, with
  // the reason, when it does not. For readiness checks.
  Status Ping();

  // As WithTransaction(), for work that only reads: on SQLite it does not
  // wait for writers; on PostgreSQL a write in it fails.
  template <typename Fn>
  std::invoke_result_t<Fn&, Transaction&> WithReadTransaction(Fn&& fn) {
    return Run(Transaction::Mode::kRead, fn);
  }

 private:
  Database(const Dialect& dialect, std::unique_ptr<soci::connection_pool> pool,
           std::string redacted_url);

  // Leases a session and runs `body` in a transaction on it.
  Status RunOnPool(Transaction::Mode mode,
                   const std::function<Status(Transaction&)>& body);

  template <typename Fn>
  std::invoke_result_t<Fn&, Transaction&> Run(Transaction::Mode mode, Fn& fn) {
    using R = std::invoke_result_t<Fn&, Transaction&>;
    if constexpr (std::is_same_v<R, Status>) {
      return RunOnPool(mode, fn);
    } else {
      // Keep the value across the type-erased call; an error travels
      // back as the Status.
      std::optional<R> result;
      Status status = RunOnPool(mode, [&](Transaction& tx) -> Status {
        result.emplace(fn(tx));
        if (!result->ok()) return result->error();
        return Status();
      });
      if (!status.ok()) return R(status.error());
      return std::move(*result);
    }
  }

  const Dialect& dialect_;
  std::unique_ptr<soci::connection_pool> pool_;
  std::string redacted_url_;
};

}  // namespace eventface::store
