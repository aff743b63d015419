#pragma once

#include <string>

#include "core/result.h"
#include "store/transaction.h"

namespace eventface::store {

// Whether any photo (original or rendition) or selfie still refers to the
// media file `key`. Equal bytes share one file, so a file may be removed
// only when this says no after the record that used it is gone. Fails
// with kInternal when the database does.
Result<bool> IsMediaReferenced(Transaction& tx, const std::string& key);

}  // namespace eventface::store
