#include "store/migrations.h"

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include <cassert>
#include <string>
#include <vector>

#include "store/sql_call.h"
#include "store/transaction.h"

namespace eventface::store {

namespace {

// Times are BIGINT milliseconds since the Unix epoch on both back ends.
// Embeddings are 512-byte blobs; see embedding_blob.cc for the layout.
// Every foreign key column that a cascade or a query follows is indexed:
// PostgreSQL does not index them by itself.
constexpr std::string_view kCreateAccountsAndPhotos = R"sql(
CREATE TABLE users (
  id {id},
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'photographer', 'attendee')),
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE TABLE events (
  id {id},
  owner_id BIGINT NOT NULL REFERENCES users (id),
  name TEXT NOT NULL,
  code TEXT NOT NULL UNIQUE CHECK (length(code) = 8),
  event_date BIGINT NOT NULL,
  retention_days INTEGER NOT NULL DEFAULT 90,
  match_threshold DOUBLE PRECISION,
  created_at BIGINT NOT NULL
);
CREATE INDEX events_by_owner ON events (owner_id);
CREATE TABLE invites (
  id {id},
  event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  email TEXT,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  used_by BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX invites_by_event ON invites (event_id);
CREATE INDEX invites_by_user ON invites (used_by);
CREATE TABLE members (
  event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (event_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id);
CREATE TABLE selfies (
  id {id},
  user_id BIGINT NOT NULL UNIQUE REFERENCES users (id) ON DELETE CASCADE,
  media_key TEXT NOT NULL,
  consent_at BIGINT NOT NULL,
  embedding {blob},
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'ready', 'failed')),
  error TEXT,
  created_at BIGINT NOT NULL
);
CREATE TABLE photos (
  id {id},
  event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  content_hash TEXT NOT NULL,
  media_key TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'indexed', 'failed')),
  error TEXT,
  width INTEGER,
  height INTEGER,
  face_count INTEGER NOT NULL DEFAULT 0,
  uploaded_at BIGINT NOT NULL,
  indexed_at BIGINT,
  UNIQUE (event_id, content_hash)
);
CREATE INDEX photos_by_event_state ON photos (event_id, state);
CREATE TABLE faces (
  id {id},
  photo_id BIGINT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  box_x DOUBLE PRECISION NOT NULL,
  box_y DOUBLE PRECISION NOT NULL,
  box_w DOUBLE PRECISION NOT NULL,
  box_h DOUBLE PRECISION NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  quality DOUBLE PRECISION NOT NULL,
  embedding {blob} NOT NULL
);
CREATE INDEX faces_by_photo ON faces (photo_id);
CREATE INDEX faces_by_event ON faces (event_id);
CREATE TABLE matches (
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  face_id BIGINT NOT NULL REFERENCES faces (id) ON DELETE CASCADE,
  photo_id BIGINT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
  event_id BIGINT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  distance DOUBLE PRECISION NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, face_id)
);
CREATE INDEX matches_by_user_event ON matches (user_id, event_id);
CREATE INDEX matches_by_face ON matches (face_id);
CREATE INDEX matches_by_photo ON matches (photo_id);
CREATE INDEX matches_by_event ON matches (event_id);
CREATE TABLE rejections (
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  photo_id BIGINT NOT NULL REFERENCES photos (id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (user_id, photo_id)
);
CREATE INDEX rejections_by_photo ON rejections (photo_id);
)sql";

// The job queue; jobs/job_queue.cc describes the states. At most one
// queued job per coalesce key (NULL keys never collide). The claim index
// holds only queued jobs, in the order they are claimed; the lease index
// finds expired leases among the few running jobs. No index on state
// alone: SQLite's planner would pick it for claims and sort every queued
// job each time.
constexpr std::string_view kCreateJobs = R"sql(
CREATE TABLE jobs (
  id {id},
  kind TEXT NOT NULL,
  lane INTEGER NOT NULL CHECK (lane IN (0, 1)),
  payload TEXT NOT NULL,
  state TEXT NOT NULL
    CHECK (state IN ('queued', 'running', 'done', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_after BIGINT NOT NULL,
  lease_owner TEXT,
  lease_expires_at BIGINT,
  error TEXT,
  coalesce_key TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX jobs_queued_by_coalesce_key ON jobs (coalesce_key)
  WHERE state = 'queued';
CREATE INDEX jobs_claimable ON jobs (lane, id)
  WHERE state = 'queued';
CREATE INDEX jobs_running_by_lease ON jobs (lease_expires_at)
  WHERE state = 'running';
)sql";

// Rendition keys of indexed photos (NULL until indexed); the time the
// retention job erased an event's selfies and matches, so that it skips
// the event afterwards; a selfie revision that goes up each time a user
// replaces their selfie, so that a match job that read the old one cannot
// store its result on the new one. The media key index lets erasure find
// out whether another selfie still uses a file before removing it.
constexpr std::string_view kAddRenditionsAndErasure = R"sql(
ALTER TABLE photos ADD COLUMN thumbnail_key TEXT;
ALTER TABLE photos ADD COLUMN preview_key TEXT;
ALTER TABLE events ADD COLUMN selfies_erased_at BIGINT;
ALTER TABLE selfies ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
CREATE INDEX selfies_by_media_key ON selfies (media_key);
)sql";

constexpr Migration kMigrations[] = {
    {1, "create accounts, events, photos, faces, matches",
     kCreateAccountsAndPhotos},
    {2, "create jobs", kCreateJobs},
    {3, "add photo renditions and selfie erasure", kAddRenditionsAndErasure},
};

// An arbitrary constant ("evfa" "migr") naming the advisory lock that
// serialises migrating processes on PostgreSQL.
constexpr long long kMigrationLockKey = 0x65766661'6d696772LL;

void ReplaceAll(std::string& text, std::string_view from, std::string_view to) {
  for (size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// The statements of `migration` in `dialect`, without their semicolons.
std::vector<std::string> Statements(const Migration& migration,
                                    const Dialect& dialect) {
  std::string sql(migration.sql);
  ReplaceAll(sql, "{id}", dialect.id_column());
  ReplaceAll(sql, "{blob}", dialect.blob_type());
  std::vector<std::string> statements;
  size_t start = 0;
  for (size_t end = sql.find(";\n"); end != std::string::npos;
       start = end + 2, end = sql.find(";\n", start)) {
    statements.push_back(sql.substr(start, end - start));
  }
  assert(sql.find_first_not_of(" \n", start) == std::string::npos);
  return statements;
}

Status CreateMigrationsTable(soci::session& sql, const Dialect& dialect) {
  return Transaction::Run(
      sql, dialect, Transaction::Mode::kWrite, [](Transaction& tx) {
        tx.sql() << "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
                    "applied_at BIGINT NOT NULL)";
        return Status();
      });
}

// Applies `migration` unless schema_migrations already lists it. The check
// is inside the transaction, under the lock, so that a process that
// waited for another's migration sees it and skips it.
Status ApplyOne(soci::session& sql, const Dialect& dialect,
                const Migration& migration, const Clock& clock) {
  bool applied = false;
  Status status = Transaction::Run(
      sql, dialect, Transaction::Mode::kWrite, [&](Transaction& tx) {
        int count = 0;
        tx.sql() << "SELECT COUNT(*) FROM schema_migrations "
                    "WHERE version = :version",
            soci::use(migration.version), soci::into(count);
        if (count > 0) return Status();
        for (const std::string& statement : Statements(migration, dialect)) {
          tx.sql() << statement;
        }
        std::string name(migration.name);
        long long now = ToMillis(clock.Now());
        tx.sql() << "INSERT INTO schema_migrations (version, name, applied_at)"
                    " VALUES (:version, :name, :now)",
            soci::use(migration.version), soci::use(name), soci::use(now);
        applied = true;
        return Status();
      });
  if (!status.ok()) {
    return Error{status.error().code, "migration " +
                                          std::to_string(migration.version) +
                                          ": " + status.error().message};
  }
  if (applied) {
    spdlog::info("[store] migration {} applied: {}", migration.version,
                 migration.name);
  }
  return Status();
}

Status ApplyAll(soci::session& sql, const Dialect& dialect,
                const Clock& clock) {
  Status status = CreateMigrationsTable(sql, dialect);
  for (const Migration& migration : kMigrations) {
    if (!status.ok()) break;
    status = ApplyOne(sql, dialect, migration, clock);
  }
  return status;
}

}  // namespace

std::span<const Migration> AllMigrations() { return kMigrations; }

Status ApplyMigrations(soci::session& sql, const Dialect& dialect,
                       const Clock& clock) {
  if (dialect.backend() == Backend::kSqlite) {
    return ApplyAll(sql, dialect, clock);
  }

  // The session-level lock spans the per-migration transactions; it is
  // released on every path, and by the server if this process dies.
  Status locked = RunSql("migration lock", [&]() -> Status {
    sql << "SELECT pg_advisory_lock(:key)", soci::use(kMigrationLockKey);
    return Status();
  });
  if (!locked.ok()) return locked;
  Status status = ApplyAll(sql, dialect, clock);
  Status unlocked = RunSql("migration unlock", [&]() -> Status {
    sql << "SELECT pg_advisory_unlock(:key)", soci::use(kMigrationLockKey);
    return Status();
  });
  return status.ok() ? unlocked : status;
}

}  // namespace eventface::store
