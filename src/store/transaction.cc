#include "store/transaction.h"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <string>

#include "store/sql_call.h"

namespace eventface::store {

namespace {

std::string_view BeginStatement(const Dialect& dialect,
                                Transaction::Mode mode) {
  return mode == Transaction::Mode::kWrite ? dialect.begin_transaction()
                                           : dialect.begin_read_transaction();
}

// Best effort: after a failure the session may already have ended the
// transaction (PostgreSQL does on a failed COMMIT), so errors are ignored.
void RollBackQuietly(soci::session& sql) {
  try {
    sql << "ROLLBACK";
  } catch (const std::exception& e) {
    spdlog::debug("[store] rollback after failure: {}", e.what());
  }
}

}  // namespace

Status Transaction::Run(soci::session& sql, const Dialect& dialect, Mode mode,
                        const std::function<Status(Transaction&)>& body) {
  Status begun = RunSql("begin transaction", [&]() -> Status {
    sql << BeginStatement(dialect, mode);
    return Status();
  });
  if (!begun.ok()) return begun;

  Transaction transaction(sql, dialect);
  Status status = RunSql("transaction", [&] { return body(transaction); });
  if (!status.ok()) {
    RollBackQuietly(sql);
    return status;
  }

  Status committed = RunSql("commit", [&]() -> Status {
    sql << "COMMIT";
    return Status();
  });
  // SQLite keeps the transaction open when COMMIT fails (for example when
  // the database is busy); end it so the session goes back to the pool
  // clean.
  if (!committed.ok()) RollBackQuietly(sql);
  return committed;
}

}  // namespace eventface::store
