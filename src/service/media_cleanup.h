#pragma once

#include <string>
#include <vector>

#include "service/service_context.h"
#include "store/photo_store.h"

namespace eventface::service {

// Removes the media files under `keys` that no record refers to any more.
// Called after the transaction that deleted the records has committed, so
// a crash in between leaves an unreferenced file, never a record without
// its file. A file that cannot be removed is logged with its key, not
// returned: the deletion the user asked for has committed either way.
void RemoveUnreferencedMedia(ServiceContext& context,
                             const std::vector<std::string>& keys);

// Appends the keys of `photo`'s files (original and renditions) to `keys`.
void AppendMediaKeys(const store::Photo& photo, std::vector<std::string>& keys);

}  // namespace eventface::service
