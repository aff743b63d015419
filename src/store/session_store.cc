#include "store/session_store.h"

#include <soci/soci.h>

#include "store/sql_call.h"

namespace eventface::store {

Status SessionStore::Add(const Session& session) {
  return RunSql("add session", [&]() -> Status {
    long long user_id = session.user_id;
    long long created_at = ToMillis(session.created_at);
    long long expires_at = ToMillis(session.expires_at);
    tx_.sql() << "INSERT INTO sessions (token_hash, user_id, created_at, "
                 "expires_at) VALUES (:hash, :user, :created, :expires)",
        soci::use(session.token_hash), soci::use(user_id),
        soci::use(created_at), soci::use(expires_at);
    return Status();
  });
}

Result<Session> SessionStore::FindLive(const std::string& token_hash,
                                       Timestamp now) {
  return RunSql("find session", [&]() -> Result<Session> {
    long long at = ToMillis(now);
    long long user_id = 0;
    long long created_at = 0;
    long long expires_at = 0;
    tx_.sql() << "SELECT user_id, created_at, expires_at FROM sessions "
                 "WHERE token_hash = :hash AND expires_at > :now",
        soci::use(token_hash), soci::use(at), soci::into(user_id),
        soci::into(created_at), soci::into(expires_at);
    if (!tx_.sql().got_data()) {
      return Error{ErrorCode::kUnauthenticated,
                   "the session is unknown or has expired; log in again"};
    }
    return Session{token_hash, user_id, FromMillis(created_at),
                   FromMillis(expires_at)};
  });
}

Status SessionStore::Delete(const std::string& token_hash) {
  return RunSql("delete session", [&]() -> Status {
    tx_.sql() << "DELETE FROM sessions WHERE token_hash = :hash",
        soci::use(token_hash);
    return Status();
  });
}

Result<int64_t> SessionStore::DeleteExpired(Timestamp now) {
  return RunSql("delete expired sessions", [&]() -> Result<int64_t> {
    long long at = ToMillis(now);
    soci::statement remove =
        (tx_.sql().prepare << "DELETE FROM sessions WHERE expires_at <= :now",
         soci::use(at));
    remove.execute(true);
    return static_cast<int64_t>(remove.get_affected_rows());
  });
}

}  // namespace eventface::store
