#pragma once

#include <functional>

#include "core/result.h"
#include "store/dialect.h"

namespace soci {
class session;
}

namespace eventface::store {

// An open database transaction on one pooled session, handed to the code
// that Database::WithTransaction runs. Stores and the job queue take a
// Transaction& so that a caller can group their writes (a photo and the job
// that indexes it) into one atomic change.
//
// Not thread-safe: it belongs to the thread inside WithTransaction, and it
// is valid only until that call returns. Do not open another transaction
// from inside one: the pool may have no second session to give.
class Transaction {
 public:
  enum class Mode {
    kWrite,  // may write; on SQLite takes the write lock at once
    kRead,   // reads only; on SQLite runs beside writers (WAL)
  };

  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // The SOCI session the transaction runs on, for store/ and jobs/ code.
  soci::session& sql() { return sql_; }
  const Dialect& dialect() const { return dialect_; }

  // Runs `body` between BEGIN and COMMIT on `sql`; rolls back when `body`
  // returns an error or throws, and returns that error. A failed BEGIN or
  // COMMIT is an error too. For Database and migrations; everyone else goes
  // through Database::WithTransaction.
  static Status Run(soci::session& sql, const Dialect& dialect, Mode mode,
                    const std::function<Status(Transaction&)>& body);

 private:
  Transaction(soci::session& sql, const Dialect& dialect)
      : sql_(sql), dialect_(dialect) {}

  soci::session& sql_;
  const Dialect& dialect_;
};

}  // namespace eventface::store
