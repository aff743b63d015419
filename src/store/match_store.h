#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/transaction.h"

namespace eventface::store {

// A face of a photo found close enough to a user's selfie.
struct NewMatch {
  int64_t user_id = 0;
  int64_t face_id = 0;
  double distance = 0;
};

// A photo in which a user's face was found: the nearest of its faces.
struct MatchedPhoto {
  int64_t photo_id = 0;
  double distance = 0;
};

// What matching needs to know of an event.
struct MatchSettings {
  std::optional<double> threshold;  // the event's own, if set
  bool selfies_erased = false;  // retention erased its selfies: match no more
};

// The matches between users' selfies and the faces of event photos, and the
// "not me" marks (rejections) users put on photos. A match row names its
// face, and through it its photo and event. A short-lived view on one
// transaction, like PhotoStore; not thread-safe. Every method fails with
// kInternal when the database does.
class MatchStore {
 public:
  explicit MatchStore(Transaction& tx) : tx_(tx) {}

  // Returns `event_id`'s match settings and holds a lock on the event until
  // the transaction ends, so that matching work on one event (a photo
  // indexed, a selfie matched, a rematch) runs one at a time and none
  // misses what another commits. Call it before reading faces or selfies.
  // With several events, lock them in increasing id order. kNotFound if
  // the event is gone.
  Result<MatchSettings> LockEvent(int64_t event_id);

  // The events `user_id` is a member of whose selfies are not erased, by
  // id.
  Result<std::vector<int64_t>> ListEventsOfMember(int64_t user_id);

  // Adds `matches` at `now`, skipping any the store already holds and any
  // whose face is gone.
  Status Add(std::span<const NewMatch> matches, Timestamp now);

  // Replaces every match of `user_id` in `event_id`, or in every event,
  // with `matches`.
  Status ReplaceForUserInEvent(int64_t user_id, int64_t event_id,
                               std::span<const NewMatch> matches,
                               Timestamp now);
  Status ReplaceForUser(int64_t user_id, std::span<const NewMatch> matches,
                        Timestamp now);

  // Deletes every match of `event_id`; returns how many there were.
  // "Not me" marks stay.
  Result<int64_t> DeleteByEvent(int64_t event_id);

  // How many matches `event_id` has.
  Result<int64_t> CountByEvent(int64_t event_id);

  // The photos of `event_id` matched to `user_id`, except those the user
  // marked "not me", nearest first (then by photo id).
  Result<std::vector<MatchedPhoto>> ListPhotos(int64_t user_id,
                                               int64_t event_id);

  // Records that `user_id` says they are not in photo `photo_id`; doing it
  // twice is the same as once. kNotFound if the photo is gone.
  Status Reject(int64_t user_id, int64_t photo_id, Timestamp now);

  // Whether `user_id` may see photo `photo_id`: it is matched to them and
  // they have not marked it "not me".
  Result<bool> IsVisibleTo(int64_t user_id, int64_t photo_id);

 private:
  Status Insert(std::span<const NewMatch> matches, Timestamp now);

  Transaction& tx_;
};

}  // namespace eventface::store
