#include "service/photos.h"

#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "engine/image_decoder.h"
#include "service/events.h"
#include "service/job_kinds.h"
#include "service/media_cleanup.h"

namespace eventface::service {
namespace {

// Photos go last in line: an attendee's selfie overtakes every one.
jobs::NewJob IndexJob(int64_t photo_id) {
  return jobs::NewJob{std::string(kIndexPhotoJob), jobs::Lane::kBulk,
                      nlohmann::json{{"photo_id", photo_id}}.dump()};
}

Result<engine::ImageInfo> Probe(std::string_view bytes,
                                const PhotoLimits& limits) {
  return engine::ProbeImage(
      bytes, {.max_bytes = limits.max_bytes, .max_pixels = limits.max_pixels});
}

}  // namespace

Status Photos::CheckAccess(const Principal& principal, int64_t event_id) {
  auto event =
      context_.database.WithReadTransaction([&](store::Transaction& tx) {
        return ManagedEvent(tx, principal, event_id);
      });
  if (!event) return event.error();
  return Status();
}

Status Photos::Check(std::string_view bytes) const {
  auto image = Probe(bytes, limits_);
  if (!image) return image.error();
  return Status();
}

Result<UploadedPhoto> Photos::Upload(const Principal& principal,
                                     int64_t event_id, std::string_view bytes) {
  // Refuse early what may not be stored, before any file is written.
  if (Status allowed = CheckAccess(principal, event_id); !allowed) {
    return allowed.error();
  }
  auto image = Probe(bytes, limits_);
  if (!image) return image.error();

  // The file is written (and synced) before the transaction that refers to
  // it, and outside it, so the database is never locked for an fsync. A
  // crash in between leaves a file nothing refers to, never a photo
  // without its file.
  auto key = context_.media.Put(bytes);
  if (!key) return key.error();
  store::NewPhoto photo{event_id, store::ContentHash(bytes), *key,
                        context_.clock.Now()};
  auto uploaded = context_.database.WithTransaction(
      [&](store::Transaction& tx) -> Result<UploadedPhoto> {
        auto added = store::PhotoStore(tx).Add(photo);
        if (!added) return added.error();
        UploadedPhoto result{added->id, added->is_new, 0};
        if (!added->is_new) return result;
        auto job = context_.queue.Enqueue(tx, IndexJob(added->id));
        if (!job) return job.error();
        result.job_id = *job;
        return result;
      });
  if (!uploaded) return uploaded.error();
  if (uploaded->is_new) {
    spdlog::info(
        "[photos] photo {} uploaded to event {} ({}, {}x{}, {} "
        "bytes), index job {}",
        uploaded->photo_id, event_id, image->format, image->full_size.width,
        image->full_size.height, bytes.size(), uploaded->job_id);
    context_.wake_workers();
  }
  return uploaded;
}

Result<std::vector<store::Photo>> Photos::List(const Principal& principal,
                                               int64_t event_id) {
  return context_.database.WithReadTransaction(
      [&](store::Transaction& tx) -> Result<std::vector<store::Photo>> {
        auto event = ManagedEvent(tx, principal, event_id);
        if (!event) return event.error();
        return store::PhotoStore(tx).ListByEvent(event_id);
      });
}

Status Photos::Delete(const Principal& principal, int64_t photo_id) {
  std::vector<std::string> media_keys;
  Status deleted =
      context_.database.WithTransaction([&](store::Transaction& tx) -> Status {
        store::PhotoStore photos(tx);
        auto photo = photos.Get(photo_id);
        if (!photo) return photo.error();
        auto event = ManagedEvent(tx, principal, photo->event_id);
        if (!event) return event.error();
        AppendMediaKeys(*photo, media_keys);
        return photos.Delete(photo_id);
      });
  if (!deleted) return deleted;
  spdlog::info("[photos] photo {} deleted by user {}", photo_id,
               principal.user_id);
  RemoveUnreferencedMedia(context_, media_keys);
  return Status();
}

}  // namespace eventface::service
