#include "service/attendees.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "engine/image_decoder.h"
#include "service/events.h"
#include "service/job_kinds.h"
#include "service/media_cleanup.h"
#include "service/tokens.h"
#include "store/invite_store.h"
#include "store/match_store.h"

namespace eventface::service {
namespace {

// One queued match job per attendee is enough: it reads whichever selfie
// is current when it runs.
jobs::NewJob MatchSelfieJob(int64_t user_id) {
  return jobs::NewJob{
      std::string(kMatchSelfieJob), jobs::Lane::kInteractive,
      nlohmann::json{{"user_id", user_id}}.dump(),
      std::string(kMatchSelfieJob) + ":" + std::to_string(user_id)};
}

Error PhotoNotFound(int64_t photo_id) {
  return Error{ErrorCode::kNotFound,
               "photo " + std::to_string(photo_id) + ": not found"};
}

Status RequireAttendee(const Principal& principal) {
  return RequireRole(principal, {store::Role::kAttendee});
}

}  // namespace

Status Attendees::CheckSelfie(const SelfieUpload& selfie) const {
  if (!selfie.consent) {
    return Error{ErrorCode::kUnprocessable,
                 "a selfie is used only with your consent to face matching: "
                 "send consent=true with it"};
  }
  auto image = engine::ProbeImage(
      selfie.bytes,
      {.max_bytes = limits_.max_bytes, .max_pixels = limits_.max_pixels});
  if (!image) {
    return Error{image.error().code, "selfie: " + image.error().message};
  }
  return Status();
}

Result<std::pair<int64_t, std::optional<std::string>>> Attendees::PutSelfie(
    store::Transaction& tx, int64_t user_id, const std::string& media_key) {
  Timestamp now = context_.clock.Now();
  // Consent was checked just before: it is given now, with this upload.
  auto put = store::SelfieStore(tx).Put(user_id, media_key, now, now);
  if (!put) return put.error();
  auto job = context_.queue.Enqueue(tx, MatchSelfieJob(user_id));
  if (!job) return job.error();
  return std::make_pair(*job, put->replaced_key);
}

Result<Registered> Attendees::RegisterIn(
    store::Transaction& tx, const store::Event& event,
    const Registration& registration, const std::string& password_hash,
    const std::optional<std::string>& selfie_key) {
  NewAccount account{registration.email, registration.name,
                     store::Role::kAttendee, registration.password};
  auto user = accounts_.CreateIn(tx, account, password_hash);
  if (!user) return user.error();
  Status joined = store::EventStore(tx).AddMember(event.id, user->user_id,
                                                  context_.clock.Now());
  if (!joined) return joined.error();
  Registered registered{{}, event, std::nullopt};
  if (selfie_key) {
    auto selfie = PutSelfie(tx, user->user_id, *selfie_key);
    if (!selfie) return selfie.error();
    registered.selfie_job_id = selfie->first;
  }
  auto session = accounts_.StartSession(tx, *user);
  if (!session) return session.error();
  registered.session = std::move(*session);
  return registered;
}

Result<Registered> Attendees::RegisterWithEventCode(
    std::string_view code, const Registration& registration) {
  if (registration.selfie) {
    if (Status ok = CheckSelfie(*registration.selfie); !ok) return ok.error();
  }
  auto hash = accounts_.HashNewPassword(registration.password);
  if (!hash) return hash.error();
  std::optional<std::string> selfie_key;
  if (registration.selfie) {
    auto key = context_.media.Put(registration.selfie->bytes);
    if (!key) return key.error();
    selfie_key = *key;
  }
  auto registered = context_.database.WithTransaction(
      [&](store::Transaction& tx) -> Result<Registered> {
        auto event = store::EventStore(tx).FindByCode(NormalizeEventCode(code));
        if (!event) return event.error();
        return RegisterIn(tx, *event, registration, *hash, selfie_key);
      });
  if (!registered) return registered;
  spdlog::info("[attendees] user {} registered to event {} with {}",
               registered->session.user.user_id, registered->event.id,
               selfie_key ? "a selfie" : "no selfie");
  if (registered->selfie_job_id) context_.wake_workers();
  return registered;
}

Result<Registered> Attendees::RegisterWithInvite(
    std::string_view token, const Registration& registration) {
  if (!registration.selfie) {
    return Error{ErrorCode::kInvalidArgument, "a selfie is required"};
  }
  if (Status ok = CheckSelfie(*registration.selfie); !ok) return ok.error();
  auto email = NormalizeEmail(registration.email);
  if (!email) return email.error();
  auto hash = accounts_.HashNewPassword(registration.password);
  if (!hash) return hash.error();
  auto key = context_.media.Put(registration.selfie->bytes);
  if (!key) return key.error();
  auto registered = context_.database.WithTransaction([&](store::Transaction&
                                                              tx)
                                                          -> Result<
                                                              Registered> {
    store::InviteStore invites(tx);
    auto invite = invites.FindByTokenHash(TokenHash(token));
    if (!invite) return invite.error();
    if (invite->used_at) {
      return Error{ErrorCode::kConflict, "this invite link was already used"};
    }
    if (invite->expires_at <= context_.clock.Now()) {
      return Error{ErrorCode::kForbidden, "this invite link has expired"};
    }
    if (invite->email && *invite->email != *email) {
      return Error{ErrorCode::kForbidden,
                   "this invite link is for another email address"};
    }
    auto event = store::EventStore(tx).Get(invite->event_id);
    if (!event) return event.error();
    auto registered = RegisterIn(tx, *event, registration, *hash, *key);
    if (!registered) return registered;
    Status used = invites.MarkUsed(invite->id, registered->session.user.user_id,
                                   context_.clock.Now());
    if (!used) return used.error();
    return registered;
  });
  if (!registered) return registered;
  spdlog::info("[attendees] user {} registered to event {} by invite",
               registered->session.user.user_id, registered->event.id);
  context_.wake_workers();
  return registered;
}

Result<store::Event> Attendees::Join(const Principal& attendee,
                                     std::string_view code) {
  if (Status allowed = RequireAttendee(attendee); !allowed) {
    return allowed.error();
  }
  auto joined = context_.database.WithTransaction(
      [&](store::Transaction& tx) -> Result<store::Event> {
        store::EventStore events(tx);
        auto event = events.FindByCode(NormalizeEventCode(code));
        if (!event) return event.error();
        Status added =
            events.AddMember(event->id, attendee.user_id, context_.clock.Now());
        if (!added) return added.error();
        // A ready selfie is matched against the new event too.
        auto selfie = store::SelfieStore(tx).Get(attendee.user_id);
        if (selfie) {
          auto job =
              context_.queue.Enqueue(tx, MatchSelfieJob(attendee.user_id));
          if (!job) return job.error();
        } else if (selfie.error().code != ErrorCode::kNotFound) {
          return selfie.error();
        }
        return event;
      });
  if (joined) context_.wake_workers();
  return joined;
}

Result<int64_t> Attendees::UploadSelfie(const Principal& attendee,
                                        const SelfieUpload& selfie) {
  if (Status allowed = RequireAttendee(attendee); !allowed) {
    return allowed.error();
  }
  if (Status ok = CheckSelfie(selfie); !ok) return ok.error();
  auto key = context_.media.Put(selfie.bytes);
  if (!key) return key.error();
  auto put = context_.database.WithTransaction([&](store::Transaction& tx) {
    return PutSelfie(tx, attendee.user_id, *key);
  });
  if (!put) return put.error();
  spdlog::info("[attendees] user {} uploaded a selfie, match job {}",
               attendee.user_id, put->first);
  context_.wake_workers();
  if (put->second && *put->second != *key) {
    RemoveUnreferencedMedia(context_, {*put->second});
  }
  return put->first;
}

Result<store::Selfie> Attendees::GetSelfie(const Principal& attendee) {
  return context_.database.WithReadTransaction([&](store::Transaction& tx) {
    return store::SelfieStore(tx).Get(attendee.user_id);
  });
}

Status Attendees::DeleteSelfie(const Principal& attendee) {
  std::string key;
  Status deleted =
      context_.database.WithTransaction([&](store::Transaction& tx) -> Status {
        store::SelfieStore selfies(tx);
        auto selfie = selfies.Get(attendee.user_id);
        if (!selfie) return selfie.error();
        key = selfie->media_key;
        return selfies.Delete(attendee.user_id);
      });
  if (!deleted) return deleted;
  spdlog::info("[attendees] user {} deleted their selfie", attendee.user_id);
  RemoveUnreferencedMedia(context_, {key});
  return Status();
}

Status Attendees::DeleteAccount(const Principal& user) {
  std::vector<std::string> keys;
  Status deleted =
      context_.database.WithTransaction([&](store::Transaction& tx) -> Status {
        auto selfie = store::SelfieStore(tx).Get(user.user_id);
        if (selfie) {
          keys.push_back(selfie->media_key);
        } else if (selfie.error().code != ErrorCode::kNotFound) {
          return selfie.error();
        }
        return store::UserStore(tx).Delete(user.user_id);
      });
  if (!deleted) return deleted;
  spdlog::info("[attendees] user {} deleted their account", user.user_id);
  RemoveUnreferencedMedia(context_, keys);
  return Status();
}

Result<std::vector<MyPhoto>> Attendees::MyPhotos(const Principal& attendee,
                                                 int64_t event_id) {
  return context_.database.WithReadTransaction(
      [&](store::Transaction& tx) -> Result<std::vector<MyPhoto>> {
        auto member =
            store::EventStore(tx).IsMember(event_id, attendee.user_id);
        if (!member) return member.error();
        if (!*member) {
          return Error{ErrorCode::kForbidden,
                       "you have not joined event " + std::to_string(event_id)};
        }
        auto matched =
            store::MatchStore(tx).ListPhotos(attendee.user_id, event_id);
        if (!matched) return matched.error();
        std::vector<MyPhoto> photos;
        store::PhotoStore store(tx);
        for (const store::MatchedPhoto& match : *matched) {
          auto photo = store.Get(match.photo_id);
          if (!photo) return photo.error();
          photos.push_back({std::move(*photo), match.distance});
        }
        return photos;
      });
}

Status Attendees::NotMe(const Principal& attendee, int64_t photo_id) {
  Status marked =
      context_.database.WithTransaction([&](store::Transaction& tx) -> Status {
        store::MatchStore matches(tx);
        auto visible = matches.IsVisibleTo(attendee.user_id, photo_id);
        if (!visible) return visible.error();
        if (!*visible) return PhotoNotFound(photo_id);
        return matches.Reject(attendee.user_id, photo_id, context_.clock.Now());
      });
  if (marked) {
    spdlog::info("[attendees] user {} marked photo {} not me", attendee.user_id,
                 photo_id);
  }
  return marked;
}

Result<std::filesystem::path> Attendees::PhotoFile(const Principal& principal,
                                                   int64_t photo_id,
                                                   PhotoFileKind kind) {
  auto key = context_.database.WithReadTransaction(
      [&](store::Transaction& tx) -> Result<std::string> {
        auto photo = store::PhotoStore(tx).Get(photo_id);
        if (!photo) return PhotoNotFound(photo_id);
        auto event = store::EventStore(tx).Get(photo->event_id);
        if (!event) return event.error();
        if (!RequireManager(principal, *event)) {
          auto visible =
              store::MatchStore(tx).IsVisibleTo(principal.user_id, photo_id);
          if (!visible) return visible.error();
          if (!*visible) return PhotoNotFound(photo_id);
        }
        std::optional<std::string> key = photo->media_key;
        if (kind == PhotoFileKind::kPreview) key = photo->preview_key;
        if (kind == PhotoFileKind::kThumbnail) key = photo->thumbnail_key;
        if (!key) {
          return Error{ErrorCode::kNotFound,
                       "photo " + std::to_string(photo_id) +
                           " has no rendition yet: it is not indexed"};
        }
        return *key;
      });
  if (!key) return key.error();
  return context_.media.PathOf(*key);
}

}  // namespace eventface::service
