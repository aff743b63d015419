// What attendees do: join an event with its code or an invite, give a
// selfie with their consent, and see, download or disown their photos.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "service/accounts.h"
#include "service/photos.h"
#include "service/service_context.h"
#include "store/event_store.h"
#include "store/photo_store.h"
#include "store/selfie_store.h"

namespace eventface::service {

// A selfie as uploaded, with the attendee's answer to the consent
// question: a selfie is processed only with consent.
struct SelfieUpload {
  std::string_view bytes;
  bool consent = false;
};

struct Registration {
  std::string name;
  std::string email;
  std::string password;
  std::optional<SelfieUpload> selfie;
};

// A new attendee, signed in, and the work queued for their selfie.
struct Registered {
  SessionGrant session;
  store::Event event;
  std::optional<int64_t> selfie_job_id;
};

// A photo matched to an attendee.
struct MyPhoto {
  store::Photo photo;
  double distance = 0;  // of the nearest face to the selfie
};

// Which file of a photo to serve.
enum class PhotoFileKind { kOriginal, kPreview, kThumbnail };

// Use cases of attendees. Thread-safe; holds its arguments by reference.
class Attendees {
 public:
  Attendees(ServiceContext& context, Accounts& accounts,
            PhotoLimits selfie_limits = {})
      : context_(context), accounts_(accounts), limits_(selfie_limits) {}

  // Creates an attendee who joins the event with `code`, stores their
  // selfie if given and queues its matching, and signs them in: all in one
  // transaction, whatever the selfie shows (no face work happens here).
  // kNotFound for an unknown code, kConflict for a taken email,
  // kUnprocessable for a selfie without consent, the photo errors of
  // Photos::Upload for a bad selfie.
  Result<Registered> RegisterWithEventCode(std::string_view code,
                                           const Registration& registration);

  // As above with an invite token, which is then used up. The selfie is
  // required. kNotFound for an unknown token, kConflict for a used one,
  // kForbidden for an expired one or one issued to another email.
  Result<Registered> RegisterWithInvite(std::string_view token,
                                        const Registration& registration);

  // Makes a signed-in attendee a member of the event with `code`.
  Result<store::Event> Join(const Principal& attendee, std::string_view code);

  // Replaces the attendee's selfie and queues its matching, which
  // recomputes their matches in every event. Returns the job's id.
  Result<int64_t> UploadSelfie(const Principal& attendee,
                               const SelfieUpload& selfie);

  // The attendee's selfie (its state, and why it failed); kNotFound if none.
  Result<store::Selfie> GetSelfie(const Principal& attendee);

  // Deletes the selfie, its embedding, every match made from it, and its
  // file. kNotFound if there is none.
  Status DeleteSelfie(const Principal& attendee);

  // Deletes the account with everything of it, selfie file included.
  // kConflict for a photographer who still owns events.
  Status DeleteAccount(const Principal& user);

  // The photos of `event_id` matched to the attendee and not marked "not
  // me", nearest first. kForbidden unless they are a member.
  Result<std::vector<MyPhoto>> MyPhotos(const Principal& attendee,
                                        int64_t event_id);

  // Marks photo `photo_id` "not me" for the attendee; rematches keep it.
  // kNotFound unless the photo is one of theirs.
  Status NotMe(const Principal& attendee, int64_t photo_id);

  // Where the file `kind` of photo `photo_id` is, for someone who may see
  // it: the event's manager, or an attendee it is matched to. kNotFound
  // for everyone else, so that photo ids reveal nothing, and for a
  // rendition not made yet.
  Result<std::filesystem::path> PhotoFile(const Principal& principal,
                                          int64_t photo_id, PhotoFileKind kind);

 private:
  // Vets a selfie: consent given, an image within the limits.
  Status CheckSelfie(const SelfieUpload& selfie) const;

  // Creates the attendee in `event` inside `tx`; stores the selfie under
  // `selfie_key` and queues its job when given.
  Result<Registered> RegisterIn(store::Transaction& tx,
                                const store::Event& event,
                                const Registration& registration,
                                const std::string& password_hash,
                                const std::optional<std::string>& selfie_key);

  // Stores `media_key` as the selfie of `user_id` and queues its match
  // job, in `tx`. Returns the job's id and the replaced selfie's key.
  Result<std::pair<int64_t, std::optional<std::string>>> PutSelfie(
      store::Transaction& tx, int64_t user_id, const std::string& media_key);

  ServiceContext& context_;
  Accounts& accounts_;
  PhotoLimits limits_;
};

}  // namespace eventface::service
