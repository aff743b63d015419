#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/face.h"
#include "store/transaction.h"

namespace eventface::store {

// A face of an event's photo, as matching needs it.
struct EventFace {
  int64_t face_id = 0;
  int64_t photo_id = 0;
  engine::Embedding embedding{};
};

// The faces stored for events' photos; PhotoStore::SetIndexed writes them.
// A short-lived view on one transaction, like PhotoStore; not thread-safe.
class FaceStore {
 public:
  explicit FaceStore(Transaction& tx) : tx_(tx) {}

  // Every face of `event_id`'s indexed photos, by face id. Fails with
  // kInternal when the database does and kCorruptData on a malformed
  // embedding.
  Result<std::vector<EventFace>> ListByEvent(int64_t event_id);

  // The faces of photo `photo_id`, by face id; none if the photo is gone
  // or not indexed. Errors as ListByEvent().
  Result<std::vector<EventFace>> ListByPhoto(int64_t photo_id);

 private:
  // The faces the query `where` selects, with its `:id` bound to `id`.
  Result<std::vector<EventFace>> Select(const char* context,
                                        const std::string& where, int64_t id);

  Transaction& tx_;
};

}  // namespace eventface::store
