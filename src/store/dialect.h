#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace eventface::store {

// The two database engines eventface runs on.
enum class Backend {
  kSqlite,    // embedded default, one file (or memory)
  kPostgres,  // shared by many processes and machines
};

// Everything that differs between the back ends, in one place, so that the
// rest of the SQL is written once. Immutable; safe to share between
// threads.
class Dialect {
 public:
  // The dialect of `backend`; the reference is valid for the whole program.
  static const Dialect& For(Backend backend);

  Backend backend() const { return backend_; }

  // The column type of an auto-numbered 64-bit primary key, for DDL.
  std::string_view id_column() const;

  // The column type of raw bytes (BLOB or BYTEA), for DDL and CAST.
  std::string_view blob_type() const;

  // The statement that opens a transaction that will write. SQLite takes
  // the write lock at once (BEGIN IMMEDIATE) so that two writers never
  // deadlock upgrading a read lock; PostgreSQL locks rows as it goes.
  std::string_view begin_transaction() const;

  // The statement that opens a transaction that only reads: deferred on
  // SQLite, so that it runs beside the writer (WAL); READ ONLY on
  // PostgreSQL, so that a stray write fails.
  std::string_view begin_read_transaction() const;

  // Appended to a SELECT that picks a row to claim: row locks that let
  // concurrent claimers skip each other's rows on PostgreSQL. Empty on
  // SQLite, whose BEGIN IMMEDIATE already serialises writers.
  std::string_view skip_locked() const;

  // SQL for a bound blob parameter `:name`, e.g. "CAST(:e AS BLOB)", and
  // the value to bind to it for `bytes`. SOCI binds strings as text; the
  // cast stores real bytes (SQLite) or parses PostgreSQL's hex input form.
  std::string BlobParameter(std::string_view name) const;
  std::string BlobValue(std::string_view bytes) const;

  // The bytes of a blob column as SOCI read it into a string: as they are
  // on SQLite, hex text ("\x0a1b...") on PostgreSQL. Fails with
  // kCorruptData on malformed hex.
  Result<std::string> BlobBytes(std::string column_text) const;

 private:
  explicit Dialect(Backend backend) : backend_(backend) {}

  Backend backend_;
};

}  // namespace eventface::store
