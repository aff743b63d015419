#include "service/events.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "service/job_kinds.h"
#include "service/media_cleanup.h"
#include "service/tokens.h"
#include "store/photo_store.h"

namespace eventface::service {
namespace {

// Codes are random among 31^8; a clash is rare, a second one rarer still.
constexpr int kCodeAttempts = 5;

Status CheckRetention(int days) {
  if (days < 1 || days > kMaxRetentionDays) {
    return Error{ErrorCode::kInvalidArgument,
                 "retention_days must be between 1 and " +
                     std::to_string(kMaxRetentionDays)};
  }
  return Status();
}

Status CheckThreshold(const std::optional<double>& threshold) {
  if (threshold &&
      (*threshold < kMinMatchThreshold || *threshold > kMaxMatchThreshold)) {
    return Error{ErrorCode::kInvalidArgument,
                 "match_threshold must be between 0.3 and 0.9"};
  }
  return Status();
}

Status CheckChanges(const store::EventChanges& changes) {
  if (changes.name) {
    if (auto name = NormalizeName(*changes.name); !name) return name.error();
  }
  if (changes.retention_days) {
    if (Status s = CheckRetention(*changes.retention_days); !s) return s;
  }
  return CheckThreshold(changes.match_threshold);
}

}  // namespace

Status RequireManager(const Principal& principal, const store::Event& event) {
  if (principal.is_admin()) return Status();
  if (principal.role == store::Role::kPhotographer &&
      event.owner_id == principal.user_id) {
    return Status();
  }
  return Error{ErrorCode::kForbidden,
               "event " + std::to_string(event.id) + " is not yours"};
}

Result<store::Event> ManagedEvent(store::Transaction& tx,
                                  const Principal& principal,
                                  int64_t event_id) {
  auto event = store::EventStore(tx).Get(event_id);
  if (!event) return event.error();
  if (Status allowed = RequireManager(principal, *event); !allowed) {
    return allowed.error();
  }
  return event;
}

Result<store::Event> Events::Create(const Principal& principal,
                                    const EventDraft& draft) {
  if (Status allowed = RequireRole(
          principal, {store::Role::kAdmin, store::Role::kPhotographer});
      !allowed) {
    return allowed.error();
  }
  auto name = NormalizeName(draft.name);
  if (!name) return name.error();
  if (Status s = CheckRetention(draft.retention_days); !s) return s.error();
  if (Status s = CheckThreshold(draft.match_threshold); !s) return s.error();

  for (int attempt = 1;; ++attempt) {
    store::NewEvent event{principal.user_id,    *name,
                          NewEventCode(),       draft.event_date,
                          draft.retention_days, draft.match_threshold,
                          context_.clock.Now()};
    auto created = context_.database.WithTransaction(
        [&](store::Transaction& tx) -> Result<store::Event> {
          auto id = store::EventStore(tx).Add(event);
          if (!id) return id.error();
          return store::EventStore(tx).Get(*id);
        });
    if (created || created.error().code != ErrorCode::kConflict ||
        attempt == kCodeAttempts) {
      if (created) {
        spdlog::info("[events] event {} created by user {}", created->id,
                     principal.user_id);
      }
      return created;
    }
  }
}

Result<std::vector<store::Event>> Events::List(const Principal& principal) {
  return context_.database.WithReadTransaction(
      [&](store::Transaction& tx) -> Result<std::vector<store::Event>> {
        store::EventStore events(tx);
        switch (principal.role) {
          case store::Role::kAdmin:
            return events.ListAll();
          case store::Role::kPhotographer:
            return events.ListByOwner(principal.user_id);
          case store::Role::kAttendee:
            return events.ListForMember(principal.user_id);
        }
        return Error{ErrorCode::kInternal, "unknown role"};
      });
}

Result<store::Event> Events::Get(const Principal& principal, int64_t event_id) {
  return context_.database.WithReadTransaction(
      [&](store::Transaction& tx) -> Result<store::Event> {
        auto event = store::EventStore(tx).Get(event_id);
        if (!event) return event.error();
        if (RequireManager(principal, *event)) return event;
        auto member =
            store::EventStore(tx).IsMember(event_id, principal.user_id);
        if (!member) return member.error();
        if (*member) return event;
        return Error{ErrorCode::kForbidden,
                     "event " + std::to_string(event_id) + " is not yours"};
      });
}

Result<store::Event> Events::Update(const Principal& principal,
                                    int64_t event_id,
                                    const store::EventChanges& changes) {
  if (Status valid = CheckChanges(changes); !valid) return valid.error();
  store::EventChanges normalized = changes;
  if (changes.name) normalized.name = *NormalizeName(*changes.name);
  return context_.database.WithTransaction(
      [&](store::Transaction& tx) -> Result<store::Event> {
        auto event = ManagedEvent(tx, principal, event_id);
        if (!event) return event.error();
        store::EventStore events(tx);
        if (Status updated = events.Update(event_id, normalized); !updated) {
          return updated.error();
        }
        return events.Get(event_id);
      });
}

Status Events::Delete(const Principal& principal, int64_t event_id) {
  std::vector<std::string> media_keys;
  Status deleted =
      context_.database.WithTransaction([&](store::Transaction& tx) -> Status {
        auto event = ManagedEvent(tx, principal, event_id);
        if (!event) return event.error();
        auto photos = store::PhotoStore(tx).ListByEvent(event_id);
        if (!photos) return photos.error();
        for (const store::Photo& photo : *photos) {
          AppendMediaKeys(photo, media_keys);
        }
        return store::EventStore(tx).Delete(event_id);
      });
  if (!deleted) return deleted;
  spdlog::info("[events] event {} deleted by user {} with {} photos", event_id,
               principal.user_id, media_keys.size());
  RemoveUnreferencedMedia(context_, media_keys);
  return Status();
}

Result<IssuedInvite> Events::CreateInvite(const Principal& principal,
                                          int64_t event_id,
                                          const InviteDraft& draft) {
  std::optional<std::string> email;
  if (draft.email) {
    auto normalized = NormalizeEmail(*draft.email);
    if (!normalized) return normalized.error();
    email = *normalized;
  }
  if (draft.lifetime <= std::chrono::milliseconds::zero()) {
    return Error{ErrorCode::kInvalidArgument,
                 "an invite must be valid for some time"};
  }
  IssuedInvite issued{NewToken(), {}};
  issued.invite.event_id = event_id;
  issued.invite.token_hash = TokenHash(issued.token);
  issued.invite.email = email;
  issued.invite.expires_at = context_.clock.Now() + draft.lifetime;
  return context_.database.WithTransaction(
      [&](store::Transaction& tx) -> Result<IssuedInvite> {
        auto event = ManagedEvent(tx, principal, event_id);
        if (!event) return event.error();
        auto id = store::InviteStore(tx).Add(issued.invite);
        if (!id) return id.error();
        issued.invite.id = *id;
        return issued;
      });
}

Result<std::vector<store::Invite>> Events::ListInvites(
    const Principal& principal, int64_t event_id) {
  return context_.database.WithReadTransaction(
      [&](store::Transaction& tx) -> Result<std::vector<store::Invite>> {
        auto event = ManagedEvent(tx, principal, event_id);
        if (!event) return event.error();
        return store::InviteStore(tx).ListByEvent(event_id);
      });
}

Result<int64_t> Events::Rematch(const Principal& principal, int64_t event_id,
                                RematchRoute route) {
  store::Role required = route == RematchRoute::kAdmin
                             ? store::Role::kAdmin
                             : store::Role::kPhotographer;
  if (Status allowed = RequireRole(principal, {required}); !allowed) {
    return allowed.error();
  }
  jobs::NewJob job{
      std::string(kRematchEventJob), jobs::Lane::kBulk,
      nlohmann::json{{"event_id", event_id}}.dump(),
      std::string(kRematchEventJob) + ":" + std::to_string(event_id)};
  auto queued = context_.database.WithTransaction(
      [&](store::Transaction& tx) -> Result<int64_t> {
        auto event = ManagedEvent(tx, principal, event_id);
        if (!event) return event.error();
        return context_.queue.Enqueue(tx, job);
      });
  if (queued) {
    spdlog::info("[events] rematch of event {} queued as job {} by user {}",
                 event_id, *queued, principal.user_id);
    context_.wake_workers();
  }
  return queued;
}

Result<jobs::Job> Events::GetJob(const Principal& principal, int64_t job_id) {
  Error not_found{ErrorCode::kNotFound,
                  "job " + std::to_string(job_id) + ": not found"};
  auto job = context_.queue.Get(job_id);
  if (!job)
    return job.error().code == ErrorCode::kNotFound ? not_found : job.error();
  if (principal.is_admin()) return job;
  nlohmann::json payload = nlohmann::json::parse(job->payload, nullptr, false);
  if (!payload.is_object()) return not_found;
  auto concerns = context_.database.WithReadTransaction(
      [&](store::Transaction& tx) -> Result<bool> {
        if (payload.contains("user_id")) {
          return payload["user_id"] == principal.user_id;
        }
        int64_t event_id = payload.value("event_id", int64_t{0});
        if (payload.contains("photo_id")) {
          auto photo =
              store::PhotoStore(tx).Get(payload.value("photo_id", int64_t{0}));
          if (!photo) return false;
          event_id = photo->event_id;
        }
        auto event = store::EventStore(tx).Get(event_id);
        return event && RequireManager(principal, *event).ok();
      });
  if (!concerns) return concerns.error();
  if (!*concerns) return not_found;
  return job;
}

}  // namespace eventface::service
