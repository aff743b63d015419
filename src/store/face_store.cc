#include "store/face_store.h"

#include <soci/soci.h>

#include <string>

#include "store/embedding_blob.h"
#include "store/sql_call.h"

namespace eventface::store {

Result<std::vector<EventFace>> FaceStore::ListByEvent(int64_t event_id) {
  return Select("list faces", "event_id = :id", event_id);
}

Result<std::vector<EventFace>> FaceStore::ListByPhoto(int64_t photo_id) {
  return Select("list faces of photo", "photo_id = :id", photo_id);
}

Result<std::vector<EventFace>> FaceStore::Select(const char* context,
                                                 const std::string& where,
                                                 int64_t id) {
  return RunSql(context, [&]() -> Result<std::vector<EventFace>> {
    long long bound_id = id;
    long long face_id = 0;
    long long photo_id = 0;
    std::string blob;
    soci::statement select =
        (tx_.sql().prepare << "SELECT id, photo_id, embedding FROM faces "
                              "WHERE " +
                                  where + " ORDER BY id",
         soci::use(bound_id), soci::into(face_id), soci::into(photo_id),
         soci::into(blob));
    select.execute();

    std::vector<EventFace> faces;
    while (select.fetch()) {
      auto bytes = tx_.dialect().BlobBytes(blob);
      if (!bytes.ok()) return bytes.error();
      auto embedding = DecodeEmbedding(*bytes);
      if (!embedding.ok()) {
        return Error{ErrorCode::kCorruptData,
                     "face " + std::to_string(face_id) + ": " +
                         embedding.error().message};
      }
      faces.push_back(EventFace{face_id, photo_id, *embedding});
    }
    return faces;
  });
}

}  // namespace eventface::store
