#include "store/media_references.h"

#include <soci/soci.h>

#include "store/sql_call.h"

namespace eventface::store {

Result<bool> IsMediaReferenced(Transaction& tx, const std::string& key) {
  return RunSql("check media references", [&]() -> Result<bool> {
    long long count = 0;
    tx.sql() << "SELECT (SELECT COUNT(*) FROM photos WHERE media_key = :k1 "
                "OR thumbnail_key = :k2 OR preview_key = :k3) + "
                "(SELECT COUNT(*) FROM selfies WHERE media_key = :k4)",
        soci::use(key), soci::use(key), soci::use(key), soci::use(key),
        soci::into(count);
    return count > 0;
  });
}

}  // namespace eventface::store
