#include "store/match_store.h"

#include <soci/soci.h>

#include <string>

#include "store/sql_call.h"

namespace eventface::store {

namespace {

constexpr char kNotRejected[] =
    "NOT EXISTS (SELECT 1 FROM rejections r WHERE r.user_id = m.user_id "
    "AND r.photo_id = m.photo_id)";

}  // namespace

Result<MatchSettings> MatchStore::LockEvent(int64_t event_id) {
  return RunSql("lock event", [&]() -> Result<MatchSettings> {
    long long event = event_id;
    double threshold = 0;
    long long erased_at = 0;
    soci::indicator threshold_null = soci::i_null;
    soci::indicator erased_null = soci::i_null;
    // SQLite has no row locks and needs none: BEGIN IMMEDIATE already lets
    // one writer in at a time. NO KEY UPDATE leaves inserts that refer to
    // the event (an upload's photo row) free to go on.
    std::string lock = tx_.dialect().backend() == Backend::kPostgres
                           ? " FOR NO KEY UPDATE"
                           : "";
    tx_.sql() << "SELECT match_threshold, selfies_erased_at FROM events "
                 "WHERE id = :id" +
                     lock,
        soci::use(event), soci::into(threshold, threshold_null),
        soci::into(erased_at, erased_null);
    if (!tx_.sql().got_data()) {
      return Error{ErrorCode::kNotFound,
                   "event " + std::to_string(event_id) + ": not found"};
    }
    MatchSettings settings;
    if (threshold_null == soci::i_ok) settings.threshold = threshold;
    settings.selfies_erased = erased_null == soci::i_ok;
    return settings;
  });
}

Result<std::vector<int64_t>> MatchStore::ListEventsOfMember(int64_t user_id) {
  return RunSql("list events of member", [&]() -> Result<std::vector<int64_t>> {
    long long user = user_id;
    long long event = 0;
    soci::statement select =
        (tx_.sql().prepare << "SELECT e.id FROM members m JOIN events e ON "
                              "e.id = m.event_id WHERE m.user_id = :user AND "
                              "e.selfies_erased_at IS NULL ORDER BY e.id",
         soci::use(user), soci::into(event));
    select.execute();
    std::vector<int64_t> events;
    while (select.fetch()) events.push_back(event);
    return events;
  });
}

Status MatchStore::Add(std::span<const NewMatch> matches, Timestamp now) {
  return RunSql("add matches",
                [&]() -> Status { return Insert(matches, now); });
}

Status MatchStore::ReplaceForUserInEvent(int64_t user_id, int64_t event_id,
                                         std::span<const NewMatch> matches,
                                         Timestamp now) {
  return RunSql("replace matches", [&]() -> Status {
    long long user = user_id;
    long long event = event_id;
    tx_.sql() << "DELETE FROM matches WHERE user_id = :user AND "
                 "event_id = :event",
        soci::use(user), soci::use(event);
    return Insert(matches, now);
  });
}

Status MatchStore::ReplaceForUser(int64_t user_id,
                                  std::span<const NewMatch> matches,
                                  Timestamp now) {
  return RunSql("replace matches", [&]() -> Status {
    long long user = user_id;
    tx_.sql() << "DELETE FROM matches WHERE user_id = :user", soci::use(user);
    return Insert(matches, now);
  });
}

Result<int64_t> MatchStore::DeleteByEvent(int64_t event_id) {
  return RunSql("delete matches of event", [&]() -> Result<int64_t> {
    long long event = event_id;
    soci::statement remove =
        (tx_.sql().prepare << "DELETE FROM matches WHERE event_id = :event",
         soci::use(event));
    remove.execute(true);
    return static_cast<int64_t>(remove.get_affected_rows());
  });
}

Result<int64_t> MatchStore::CountByEvent(int64_t event_id) {
  return RunSql("count matches", [&]() -> Result<int64_t> {
    long long event = event_id;
    long long count = 0;
    tx_.sql() << "SELECT COUNT(*) FROM matches WHERE event_id = :event",
        soci::use(event), soci::into(count);
    return static_cast<int64_t>(count);
  });
}

Result<std::vector<MatchedPhoto>> MatchStore::ListPhotos(int64_t user_id,
                                                         int64_t event_id) {
  return RunSql(
      "list matched photos", [&]() -> Result<std::vector<MatchedPhoto>> {
        long long user = user_id;
        long long event = event_id;
        long long photo = 0;
        double distance = 0;
        soci::statement select =
            (tx_.sql().prepare
                 << std::string(
                        "SELECT m.photo_id, MIN(m.distance) AS best FROM "
                        "matches m WHERE m.user_id = :user AND "
                        "m.event_id = :event AND ") +
                        kNotRejected +
                        " GROUP BY m.photo_id ORDER BY best, m.photo_id",
             soci::use(user), soci::use(event), soci::into(photo),
             soci::into(distance));
        select.execute();
        std::vector<MatchedPhoto> photos;
        while (select.fetch()) photos.push_back(MatchedPhoto{photo, distance});
        return photos;
      });
}

Status MatchStore::Reject(int64_t user_id, int64_t photo_id, Timestamp now) {
  return RunSql("reject photo", [&]() -> Status {
    long long user = user_id;
    long long photo = photo_id;
    long long at = ToMillis(now);
    int count = 0;
    tx_.sql() << "SELECT COUNT(*) FROM photos WHERE id = :photo",
        soci::use(photo), soci::into(count);
    if (count == 0) {
      return Error{ErrorCode::kNotFound,
                   "photo " + std::to_string(photo_id) + ": not found"};
    }
    tx_.sql() << "INSERT INTO rejections (user_id, photo_id, created_at) "
                 "VALUES (:user, :photo, :at) ON CONFLICT DO NOTHING",
        soci::use(user), soci::use(photo), soci::use(at);
    return Status();
  });
}

Result<bool> MatchStore::IsVisibleTo(int64_t user_id, int64_t photo_id) {
  return RunSql("check photo visibility", [&]() -> Result<bool> {
    long long user = user_id;
    long long photo = photo_id;
    int count = 0;
    tx_.sql() << std::string(
                     "SELECT COUNT(*) FROM matches m WHERE "
                     "m.user_id = :user AND m.photo_id = :photo AND ") +
                     kNotRejected,
        soci::use(user), soci::use(photo), soci::into(count);
    return count > 0;
  });
}

// Copies the photo and event of each match from its face, so that a match
// can never name a photo its face is not in. The WHERE clause also keeps
// SQLite from reading ON CONFLICT as part of a join; the casts tell
// PostgreSQL the types of parameters in a select list.
Status MatchStore::Insert(std::span<const NewMatch> matches, Timestamp now) {
  if (matches.empty()) return Status();
  long long user = 0;
  long long face = 0;
  double distance = 0;
  long long at = ToMillis(now);
  soci::statement insert =
      (tx_.sql().prepare
           << "INSERT INTO matches (user_id, face_id, photo_id, event_id, "
              "distance, created_at) SELECT CAST(:user AS BIGINT), f.id, "
              "f.photo_id, f.event_id, CAST(:distance AS DOUBLE PRECISION), "
              "CAST(:at AS BIGINT) FROM faces f WHERE f.id = :face "
              "ON CONFLICT DO NOTHING",
       soci::use(user), soci::use(distance), soci::use(at), soci::use(face));
  for (const NewMatch& match : matches) {
    user = match.user_id;
    face = match.face_id;
    distance = match.distance;
    insert.execute(true);
  }
  return Status();
}

}  // namespace eventface::store
