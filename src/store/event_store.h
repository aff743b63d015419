#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "store/transaction.h"

namespace eventface::store {

struct NewEvent {
  int64_t owner_id = 0;  // the photographer
  std::string name;
  std::string code;  // 8 characters, unique: how attendees join
  Timestamp event_date;
  int retention_days = 90;  // selfies are erased this long after the date
  std::optional<double> match_threshold;  // the default when unset
  Timestamp created_at;
};

struct Event {
  int64_t id = 0;
  int64_t owner_id = 0;
  std::string name;
  std::string code;
  Timestamp event_date;
  int retention_days = 90;
  std::optional<double> match_threshold;
  Timestamp created_at;
};

// What an edit may change; unset members stay as they are.
struct EventChanges {
  std::optional<std::string> name = std::nullopt;
  std::optional<Timestamp> event_date = std::nullopt;
  std::optional<int> retention_days = std::nullopt;
  std::optional<double> match_threshold = std::nullopt;
};

// Events and their members. A short-lived view on one transaction, like
// PhotoStore; not thread-safe. Fails with kInternal when the database does.
class EventStore {
 public:
  explicit EventStore(Transaction& tx) : tx_(tx) {}

  // Adds `event`; kConflict when its code is taken.
  Result<int64_t> Add(const NewEvent& event);

  // kNotFound when there is no such event.
  Result<Event> Get(int64_t id);
  Result<Event> FindByCode(const std::string& code);

  // Newest event date first.
  Result<std::vector<Event>> ListAll();
  Result<std::vector<Event>> ListByOwner(int64_t owner_id);
  Result<std::vector<Event>> ListForMember(int64_t user_id);

  // kNotFound when there is no such event.
  Status Update(int64_t id, const EventChanges& changes);

  // Deletes event `id` and everything in it (photos, faces, matches,
  // invites, memberships); the media files are the caller's. kNotFound
  // when absent.
  Status Delete(int64_t id);

  // Makes `user_id` a member of `event_id`; a member already is one.
  Status AddMember(int64_t event_id, int64_t user_id, Timestamp joined_at);
  Result<bool> IsMember(int64_t event_id, int64_t user_id);

 private:
  Transaction& tx_;
};

}  // namespace eventface::store
