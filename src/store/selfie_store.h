#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "engine/face.h"
#include "store/transaction.h"

namespace eventface::store {

// Where a selfie is in its life: waiting for its match job, embedded and
// matched, or given up on (`error` says why, for the attendee).
enum class SelfieState { kQueued, kReady, kFailed };

// An attendee's selfie: one per user at most.
struct Selfie {
  int64_t id = 0;
  int64_t user_id = 0;
  int64_t revision = 0;  // goes up each time the user replaces the selfie
  std::string media_key;
  Timestamp consent_at;
  SelfieState state = SelfieState::kQueued;
  std::optional<engine::Embedding> embedding;  // set when ready
  std::optional<std::string> error;            // set when failed
  Timestamp created_at;
};

// The embedding of a member's ready selfie, as matching needs it.
struct MemberSelfie {
  int64_t user_id = 0;
  engine::Embedding embedding{};
};

// What Put() did: the selfie's id and the media key of the selfie it
// replaced, if any, whose file the caller may remove once no selfie uses
// it (CountByMediaKey()).
struct PutSelfie {
  int64_t id = 0;
  std::optional<std::string> replaced_key;
};

// An event whose retention period has passed and whose selfies have not
// been erased yet.
struct ExpiredEvent {
  int64_t id = 0;
  Timestamp expired_at;  // event_date + retention_days
};

// Attendees' selfies, their embeddings and their retention. A short-lived
// view on one transaction, like PhotoStore; not thread-safe. Every method
// fails with kInternal when the database does, and those that read
// embeddings with kCorruptData on a malformed one.
class SelfieStore {
 public:
  explicit SelfieStore(Transaction& tx) : tx_(tx) {}

  // Stores `media_key` as the selfie of `user_id`, queued for its match
  // job, replacing any earlier selfie of the user together with that
  // selfie's embedding, error and every match made from it. Replacing
  // raises the revision, so that a job still working on the old selfie
  // cannot store its result on the new one.
  Result<PutSelfie> Put(int64_t user_id, const std::string& media_key,
                        Timestamp consent_at, Timestamp now);

  // The selfie of `user_id`; kNotFound if the user has none.
  Result<Selfie> Get(int64_t user_id);

  // Stores the embedding of `selfie`, as Get() returned it, and marks it
  // ready. kNotFound if it was deleted or replaced since.
  Status SetReady(const Selfie& selfie, const engine::Embedding& embedding);

  // Marks `selfie` failed with `error`, a sentence for the attendee, and
  // drops any embedding. kNotFound as for SetReady().
  Status MarkFailed(const Selfie& selfie, const std::string& error);

  // Deletes the selfie of `user_id`, its embedding and the user's matches;
  // the media file is the caller's to remove. kNotFound if there is none.
  Status Delete(int64_t user_id);

  // How many selfies are stored under `media_key`.
  Result<int64_t> CountByMediaKey(const std::string& media_key);

  // The ready selfies of the members of `event_id`, by user id.
  Result<std::vector<MemberSelfie>> ListReadyByEvent(int64_t event_id);

  // The events whose event_date + retention_days is at or before `now`
  // and that MarkErased() has not recorded, oldest expiry first.
  Result<std::vector<ExpiredEvent>> ListExpiredEvents(Timestamp now);

  // The members of `event_id` who have a selfie and every one of whose
  // events has expired by `now`: those whose selfie retention allows no
  // longer to keep.
  Result<std::vector<int64_t>> ListMembersToErase(int64_t event_id,
                                                  Timestamp now);

  // Records that the selfies and matches of `event_id` were erased at
  // `now`, so that ListExpiredEvents() leaves it out. kNotFound if the
  // event is gone.
  Status MarkErased(int64_t event_id, Timestamp now);

 private:
  Transaction& tx_;
};

}  // namespace eventface::store
