// Photos of events, as photographers upload, list and delete them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "service/accounts.h"
#include "service/service_context.h"
#include "store/photo_store.h"

namespace eventface::service {

struct PhotoLimits {
  size_t max_bytes = 30u << 20;  // 30 MB
  uint64_t max_pixels = 100'000'000;
};

// What one upload did.
struct UploadedPhoto {
  int64_t photo_id = 0;
  bool is_new = false;  // false: the event already had these bytes
  int64_t job_id = 0;   // the index job; 0 when is_new is false
};

// Use cases of photos. Thread-safe; holds `context` by reference.
class Photos {
 public:
  explicit Photos(ServiceContext& context, PhotoLimits limits = {})
      : context_(context), limits_(limits) {}

  // kForbidden or kNotFound unless `principal` may upload to `event_id`.
  Status CheckAccess(const Principal& principal, int64_t event_id);

  // Vets `bytes` from the image's header as Upload() does, storing nothing:
  // lets a batch be refused whole before any of it is stored.
  Status Check(std::string_view bytes) const;

  // Stores `bytes` as a photo of `event_id` and queues its index job, in
  // one transaction: an accepted photo always has its job. The same bytes
  // uploaded again give the existing photo. The image is vetted from its
  // header first: kTooLarge (bytes or pixels), kUnsupportedFormat (not a
  // JPEG, PNG, WebP or HEIC, whatever its name says), kCorruptData. Only
  // the event's manager may upload (kForbidden, kNotFound).
  Result<UploadedPhoto> Upload(const Principal& principal, int64_t event_id,
                               std::string_view bytes);

  // The event's photos with their states, oldest first; managers only.
  Result<std::vector<store::Photo>> List(const Principal& principal,
                                         int64_t event_id);

  // Deletes a photo with its faces, matches and "not me" marks, then its
  // files; managers only.
  Status Delete(const Principal& principal, int64_t photo_id);

 private:
  ServiceContext& context_;
  PhotoLimits limits_;
};

}  // namespace eventface::service
