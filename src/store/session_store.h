#pragma once

#include <cstdint>
#include <string>

#include "core/clock.h"
#include "core/result.h"
#include "store/transaction.h"

namespace eventface::store {

// A login. Only the hash of its token is stored, so a copy of the
// database does not let anyone sign in.
struct Session {
  std::string token_hash;
  int64_t user_id = 0;
  Timestamp created_at;
  Timestamp expires_at;
};

// The sessions of users. A short-lived view on one transaction, like
// PhotoStore; not thread-safe. Fails with kInternal when the database does.
class SessionStore {
 public:
  explicit SessionStore(Transaction& tx) : tx_(tx) {}

  Status Add(const Session& session);

  // The session whose token hashes to `token_hash` and that has not
  // expired at `now`; kUnauthenticated otherwise.
  Result<Session> FindLive(const std::string& token_hash, Timestamp now);

  // Removes one session; succeeds when it is already gone.
  Status Delete(const std::string& token_hash);

  // Removes sessions that expired before `now`; returns how many.
  Result<int64_t> DeleteExpired(Timestamp now);

 private:
  Transaction& tx_;
};

}  // namespace eventface::store
