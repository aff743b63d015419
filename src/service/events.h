// Events and their invites, as photographers and admins manage them.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "service/accounts.h"
#include "service/service_context.h"
#include "store/event_store.h"
#include "store/invite_store.h"

namespace eventface::service {

struct EventDraft {
  std::string name;
  Timestamp event_date;
  int retention_days = 90;
  std::optional<double> match_threshold;
};

// A fresh invite: the token for the link (never stored) and its record.
struct IssuedInvite {
  std::string token;
  store::Invite invite;
};

struct InviteDraft {
  std::optional<std::string> email;
  std::chrono::milliseconds lifetime = std::chrono::hours(24 * 14);
};

// Limits on what an event may say about itself.
inline constexpr int kMaxRetentionDays = 3650;
inline constexpr double kMinMatchThreshold = 0.3;
inline constexpr double kMaxMatchThreshold = 0.9;

// kForbidden unless `principal` may manage `event`: an admin any event, a
// photographer their own.
Status RequireManager(const Principal& principal, const store::Event& event);

// The event `event_id` if `principal` may manage it: kNotFound when there
// is none, kForbidden when it is someone else's.
Result<store::Event> ManagedEvent(store::Transaction& tx,
                                  const Principal& principal, int64_t event_id);

// Use cases of events. Thread-safe; holds `context` by reference.
class Events {
 public:
  explicit Events(ServiceContext& context) : context_(context) {}

  // A photographer's (or an admin's) new event, with a fresh unique code.
  // kInvalidArgument for an empty name, a retention outside 1 to 3650
  // days or a threshold outside [0.3, 0.9].
  Result<store::Event> Create(const Principal& principal,
                              const EventDraft& draft);

  // An admin sees every event, a photographer their own, an attendee the
  // ones they joined.
  Result<std::vector<store::Event>> List(const Principal& principal);

  // An event its manager asks for, or a member.
  Result<store::Event> Get(const Principal& principal, int64_t event_id);

  Result<store::Event> Update(const Principal& principal, int64_t event_id,
                              const store::EventChanges& changes);

  // Deletes the event with its photos, faces, matches and invites, then
  // the media files nothing else refers to.
  Status Delete(const Principal& principal, int64_t event_id);

  Result<IssuedInvite> CreateInvite(const Principal& principal,
                                    int64_t event_id, const InviteDraft& draft);
  Result<std::vector<store::Invite>> ListInvites(const Principal& principal,
                                                 int64_t event_id);

  // Queues a recomputation of every match of the event and returns the
  // job's id: the queued one if a rematch of this event is already
  // waiting. The admin route lets an admin rematch any event; the
  // photographer route only the event's owner.
  enum class RematchRoute { kAdmin, kPhotographer };
  Result<int64_t> Rematch(const Principal& principal, int64_t event_id,
                          RematchRoute route);

  // The job `job_id`, to someone it concerns: an admin, the manager of the
  // event or photo it works on, the attendee whose selfie it matches.
  // kNotFound for a job that does not exist or does not concern them, so
  // that job ids reveal nothing.
  Result<jobs::Job> GetJob(const Principal& principal, int64_t job_id);

 private:
  ServiceContext& context_;
};

}  // namespace eventface::service
