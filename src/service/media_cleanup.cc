#include "service/media_cleanup.h"

#include <spdlog/spdlog.h>

#include "store/media_references.h"

namespace eventface::service {

void RemoveUnreferencedMedia(ServiceContext& context,
                             const std::vector<std::string>& keys) {
  for (const std::string& key : keys) {
    auto referenced =
        context.database.WithReadTransaction([&](store::Transaction& tx) {
          return store::IsMediaReferenced(tx, key);
        });
    if (!referenced) {
      spdlog::warn("[media] {} kept: {}", key, referenced.error().message);
      continue;
    }
    if (*referenced) continue;
    if (Status removed = context.media.Remove(key); !removed) {
      spdlog::warn("[media] {} not removed: {}", key, removed.error().message);
    }
  }
}

void AppendMediaKeys(const store::Photo& photo,
                     std::vector<std::string>& keys) {
  keys.push_back(photo.media_key);
  if (photo.thumbnail_key) keys.push_back(*photo.thumbnail_key);
  if (photo.preview_key) keys.push_back(*photo.preview_key);
}

}  // namespace eventface::service
