#include "store/selfie_store.h"

#include <soci/soci.h>

#include <cassert>
#include <utility>

#include "store/embedding_blob.h"
#include "store/sql_call.h"

namespace eventface::store {

namespace {

// An event's selfies expire retention_days after its date. The cast keeps
// PostgreSQL from multiplying in 32 bits.
constexpr char kExpiresAt[] =
    "event_date + CAST(retention_days AS BIGINT) * 86400000";

SelfieState ParseSelfieState(const std::string& name) {
  if (name == "ready") return SelfieState::kReady;
  if (name == "failed") return SelfieState::kFailed;
  assert(name == "queued");
  return SelfieState::kQueued;
}

Error SelfieNotFound(const std::string& what) {
  return Error{ErrorCode::kNotFound, what + ": not found"};
}

// The embedding in a blob column as SOCI read it.
Result<engine::Embedding> ReadEmbedding(const Dialect& dialect,
                                        std::string column, int64_t user_id) {
  auto bytes = dialect.BlobBytes(std::move(column));
  if (!bytes.ok()) return bytes.error();
  auto embedding = DecodeEmbedding(*bytes);
  if (!embedding.ok()) {
    return Error{ErrorCode::kCorruptData, "selfie of user " +
                                              std::to_string(user_id) + ": " +
                                              embedding.error().message};
  }
  return *embedding;
}

// Runs a prepared UPDATE or DELETE and reports whether it touched a row.
bool Changed(soci::statement statement) {
  statement.execute(true);
  return statement.get_affected_rows() > 0;
}

}  // namespace

Result<PutSelfie> SelfieStore::Put(int64_t user_id,
                                   const std::string& media_key,
                                   Timestamp consent_at, Timestamp now) {
  return RunSql("put selfie", [&]() -> Result<PutSelfie> {
    soci::session& sql = tx_.sql();
    long long user = user_id;
    long long consent = ToMillis(consent_at);
    long long created = ToMillis(now);
    PutSelfie put;
    std::string old_key;
    sql << "SELECT media_key FROM selfies WHERE user_id = :user",
        soci::use(user), soci::into(old_key);
    if (sql.got_data()) put.replaced_key = old_key;

    sql << "DELETE FROM matches WHERE user_id = :user", soci::use(user);
    long long id = 0;
    sql << "INSERT INTO selfies (user_id, media_key, consent_at, state, "
           "created_at) VALUES (:user, :key, :consent, 'queued', :created) "
           "ON CONFLICT (user_id) DO UPDATE SET media_key = "
           "excluded.media_key, "
           "consent_at = excluded.consent_at, embedding = NULL, "
           "state = 'queued', error = NULL, created_at = excluded.created_at, "
           "revision = selfies.revision + 1 RETURNING id",
        soci::use(user), soci::use(media_key), soci::use(consent),
        soci::use(created), soci::into(id);
    put.id = id;
    return put;
  });
}

Result<Selfie> SelfieStore::Get(int64_t user_id) {
  return RunSql("get selfie", [&]() -> Result<Selfie> {
    long long user = user_id;
    long long id = 0, revision = 0, consent = 0, created = 0;
    std::string media_key, state, embedding, error;
    soci::indicator embedding_null = soci::i_null, error_null = soci::i_null;
    tx_.sql() << "SELECT id, revision, media_key, consent_at, state, "
                 "embedding, error, created_at FROM selfies "
                 "WHERE user_id = :user",
        soci::use(user), soci::into(id), soci::into(revision),
        soci::into(media_key), soci::into(consent), soci::into(state),
        soci::into(embedding, embedding_null), soci::into(error, error_null),
        soci::into(created);
    if (!tx_.sql().got_data()) {
      return SelfieNotFound("selfie of user " + std::to_string(user_id));
    }
    Selfie selfie;
    selfie.id = id;
    selfie.user_id = user_id;
    selfie.revision = revision;
    selfie.media_key = media_key;
    selfie.consent_at = FromMillis(consent);
    selfie.state = ParseSelfieState(state);
    if (embedding_null == soci::i_ok) {
      auto decoded = ReadEmbedding(tx_.dialect(), embedding, user_id);
      if (!decoded.ok()) return decoded.error();
      selfie.embedding = *decoded;
    }
    if (error_null == soci::i_ok) selfie.error = error;
    selfie.created_at = FromMillis(created);
    return selfie;
  });
}

Status SelfieStore::SetReady(const Selfie& selfie,
                             const engine::Embedding& embedding) {
  return RunSql("set selfie ready", [&]() -> Status {
    long long id = selfie.id;
    long long revision = selfie.revision;
    std::string blob = tx_.dialect().BlobValue(EncodeEmbedding(embedding));
    bool changed =
        Changed((tx_.sql().prepare
                     << "UPDATE selfies SET state = 'ready', error = NULL, "
                        "embedding = " +
                            tx_.dialect().BlobParameter("embedding") +
                            " WHERE id = :id AND revision = :revision",
                 soci::use(blob), soci::use(id), soci::use(revision)));
    if (!changed) return SelfieNotFound("selfie " + std::to_string(id));
    return Status();
  });
}

Status SelfieStore::MarkFailed(const Selfie& selfie, const std::string& error) {
  return RunSql("mark selfie failed", [&]() -> Status {
    long long id = selfie.id;
    long long revision = selfie.revision;
    bool changed = Changed(
        (tx_.sql().prepare << "UPDATE selfies SET state = 'failed', error = "
                              ":error, embedding = NULL WHERE id = :id AND "
                              "revision = :revision",
         soci::use(error), soci::use(id), soci::use(revision)));
    if (!changed) return SelfieNotFound("selfie " + std::to_string(id));
    return Status();
  });
}

Status SelfieStore::Delete(int64_t user_id) {
  return RunSql("delete selfie", [&]() -> Status {
    long long user = user_id;
    tx_.sql() << "DELETE FROM matches WHERE user_id = :user", soci::use(user);
    if (!Changed(
            (tx_.sql().prepare << "DELETE FROM selfies WHERE user_id = :user",
             soci::use(user)))) {
      return SelfieNotFound("selfie of user " + std::to_string(user_id));
    }
    return Status();
  });
}

Result<int64_t> SelfieStore::CountByMediaKey(const std::string& media_key) {
  return RunSql("count selfies by key", [&]() -> Result<int64_t> {
    long long count = 0;
    tx_.sql() << "SELECT COUNT(*) FROM selfies WHERE media_key = :key",
        soci::use(media_key), soci::into(count);
    return static_cast<int64_t>(count);
  });
}

Result<std::vector<MemberSelfie>> SelfieStore::ListReadyByEvent(
    int64_t event_id) {
  return RunSql(
      "list ready selfies", [&]() -> Result<std::vector<MemberSelfie>> {
        long long event = event_id;
        long long user = 0;
        std::string blob;
        soci::statement select =
            (tx_.sql().prepare
                 << "SELECT s.user_id, s.embedding FROM selfies s JOIN members "
                    "m "
                    "ON m.user_id = s.user_id WHERE m.event_id = :event AND "
                    "s.state = 'ready' ORDER BY s.user_id",
             soci::use(event), soci::into(user), soci::into(blob));
        select.execute();
        std::vector<MemberSelfie> selfies;
        while (select.fetch()) {
          auto embedding = ReadEmbedding(tx_.dialect(), blob, user);
          if (!embedding.ok()) return embedding.error();
          selfies.push_back(MemberSelfie{user, *embedding});
        }
        return selfies;
      });
}

Result<std::vector<ExpiredEvent>> SelfieStore::ListExpiredEvents(
    Timestamp now) {
  return RunSql(
      "list expired events", [&]() -> Result<std::vector<ExpiredEvent>> {
        long long at = ToMillis(now);
        long long id = 0;
        long long expired_at = 0;
        soci::statement select =
            (tx_.sql().prepare << std::string("SELECT id, ") + kExpiresAt +
                                      " AS expires_at FROM events WHERE "
                                      "selfies_erased_at IS NULL AND " +
                                      kExpiresAt +
                                      " <= :now ORDER BY expires_at, id",
             soci::use(at), soci::into(id), soci::into(expired_at));
        select.execute();
        std::vector<ExpiredEvent> events;
        while (select.fetch()) {
          events.push_back(ExpiredEvent{id, FromMillis(expired_at)});
        }
        return events;
      });
}

Result<std::vector<int64_t>> SelfieStore::ListMembersToErase(int64_t event_id,
                                                             Timestamp now) {
  return RunSql("list members to erase", [&]() -> Result<std::vector<int64_t>> {
    long long event = event_id;
    long long at = ToMillis(now);
    long long user = 0;
    soci::statement select =
        (tx_.sql().prepare
             << std::string(
                    "SELECT m.user_id FROM members m JOIN selfies s ON "
                    "s.user_id = m.user_id WHERE m.event_id = :event AND "
                    "NOT EXISTS (SELECT 1 FROM members other JOIN events e ON "
                    "e.id = other.event_id WHERE other.user_id = m.user_id "
                    "AND e.") +
                    kExpiresAt + " > :now) ORDER BY m.user_id",
         soci::use(event), soci::use(at), soci::into(user));
    select.execute();
    std::vector<int64_t> users;
    while (select.fetch()) users.push_back(user);
    return users;
  });
}

Status SelfieStore::MarkErased(int64_t event_id, Timestamp now) {
  return RunSql("mark event erased", [&]() -> Status {
    long long event = event_id;
    long long at = ToMillis(now);
    if (!Changed((tx_.sql().prepare << "UPDATE events SET selfies_erased_at "
                                       "= :now WHERE id = :id",
                  soci::use(at), soci::use(event)))) {
      return SelfieNotFound("event " + std::to_string(event_id));
    }
    return Status();
  });
}

}  // namespace eventface::store
