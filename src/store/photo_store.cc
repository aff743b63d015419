#include "store/photo_store.h"

#include <soci/soci.h>

#include <cassert>
#include <string>
#include <utility>

#include "store/embedding_blob.h"
#include "store/sql_call.h"

namespace eventface::store {

namespace {

constexpr char kPhotoColumns[] =
    "id, event_id, content_hash, media_key, state, error, width, height, "
    "face_count, uploaded_at, indexed_at, thumbnail_key, preview_key";

PhotoState ParsePhotoState(const std::string& name) {
  if (name == "indexed") return PhotoState::kIndexed;
  if (name == "failed") return PhotoState::kFailed;
  assert(name == "queued");
  return PhotoState::kQueued;
}

// One photo row as SOCI fills it; bind() ties each column to a member.
struct PhotoRow {
  long long id = 0;
  long long event_id = 0;
  std::string content_hash;
  std::string media_key;
  std::string state;
  std::string error;
  int width = 0;
  int height = 0;
  int face_count = 0;
  long long uploaded_at = 0;
  long long indexed_at = 0;
  std::string thumbnail_key;
  std::string preview_key;
  soci::indicator error_null = soci::i_null;
  soci::indicator width_null = soci::i_null;
  soci::indicator height_null = soci::i_null;
  soci::indicator indexed_at_null = soci::i_null;
  soci::indicator thumbnail_key_null = soci::i_null;
  soci::indicator preview_key_null = soci::i_null;

  void Bind(soci::statement& statement) {
    statement.exchange(soci::into(id));
    statement.exchange(soci::into(event_id));
    statement.exchange(soci::into(content_hash));
    statement.exchange(soci::into(media_key));
    statement.exchange(soci::into(state));
    statement.exchange(soci::into(error, error_null));
    statement.exchange(soci::into(width, width_null));
    statement.exchange(soci::into(height, height_null));
    statement.exchange(soci::into(face_count));
    statement.exchange(soci::into(uploaded_at));
    statement.exchange(soci::into(indexed_at, indexed_at_null));
    statement.exchange(soci::into(thumbnail_key, thumbnail_key_null));
    statement.exchange(soci::into(preview_key, preview_key_null));
  }

  Photo ToPhoto() const {
    Photo photo;
    photo.id = id;
    photo.event_id = event_id;
    photo.content_hash = content_hash;
    photo.media_key = media_key;
    photo.state = ParsePhotoState(state);
    if (error_null == soci::i_ok) photo.error = error;
    if (width_null == soci::i_ok) photo.width = width;
    if (height_null == soci::i_ok) photo.height = height;
    photo.face_count = face_count;
    photo.uploaded_at = FromMillis(uploaded_at);
    if (indexed_at_null == soci::i_ok)
      photo.indexed_at = FromMillis(indexed_at);
    if (thumbnail_key_null == soci::i_ok) photo.thumbnail_key = thumbnail_key;
    if (preview_key_null == soci::i_ok) photo.preview_key = preview_key;
    return photo;
  }
};

// Runs `select` (with `id` bound once) and returns every photo it yields.
std::vector<Photo> SelectPhotos(soci::session& sql, const std::string& select,
                                long long id) {
  PhotoRow row;
  soci::statement statement(sql);
  row.Bind(statement);
  statement.exchange(soci::use(id));
  statement.alloc();
  statement.prepare(select);
  statement.define_and_bind();
  statement.execute();
  std::vector<Photo> photos;
  while (statement.fetch()) photos.push_back(row.ToPhoto());
  return photos;
}

Error PhotoNotFound(int64_t id) {
  return Error{ErrorCode::kNotFound,
               "photo " + std::to_string(id) + ": not found"};
}

}  // namespace

Result<AddedPhoto> PhotoStore::Add(const NewPhoto& photo) {
  return RunSql("add photo", [&]() -> Result<AddedPhoto> {
    long long event_id = photo.event_id;
    long long uploaded_at = ToMillis(photo.uploaded_at);
    long long id = 0;
    // ON CONFLICT waits for a concurrent insert of the same bytes and then
    // yields no row; the SELECT below then sees the winner's photo.
    tx_.sql() << "INSERT INTO photos (event_id, content_hash, media_key, "
                 "state, uploaded_at) VALUES (:event, :hash, :key, 'queued', "
                 ":at) ON CONFLICT DO NOTHING RETURNING id",
        soci::use(event_id), soci::use(photo.content_hash),
        soci::use(photo.media_key), soci::use(uploaded_at), soci::into(id);
    if (tx_.sql().got_data()) return AddedPhoto{id, true};

    tx_.sql() << "SELECT id FROM photos WHERE event_id = :event AND "
                 "content_hash = :hash",
        soci::use(event_id), soci::use(photo.content_hash), soci::into(id);
    if (!tx_.sql().got_data()) {
      return Error{ErrorCode::kInternal,
                   "add photo: insert conflicted but no photo has its hash"};
    }
    return AddedPhoto{id, false};
  });
}

Result<Photo> PhotoStore::Get(int64_t id) {
  return RunSql("get photo", [&]() -> Result<Photo> {
    std::vector<Photo> photos = SelectPhotos(
        tx_.sql(),
        std::string("SELECT ") + kPhotoColumns + " FROM photos WHERE id = :id",
        id);
    if (photos.empty()) return PhotoNotFound(id);
    return std::move(photos.front());
  });
}

Result<std::vector<Photo>> PhotoStore::ListByEvent(int64_t event_id) {
  return RunSql("list photos", [&]() -> Result<std::vector<Photo>> {
    return SelectPhotos(tx_.sql(),
                        std::string("SELECT ") + kPhotoColumns +
                            " FROM photos WHERE event_id = :event "
                            "ORDER BY uploaded_at, id",
                        event_id);
  });
}

Result<std::vector<int64_t>> PhotoStore::SetIndexed(
    int64_t id, int width, int height, std::span<const engine::Face> faces,
    Timestamp indexed_at) {
  return RunSql("set photo indexed", [&]() -> Result<std::vector<int64_t>> {
    soci::session& sql = tx_.sql();
    long long photo_id = id;
    long long event_id = 0;
    sql << "SELECT event_id FROM photos WHERE id = :id", soci::use(photo_id),
        soci::into(event_id);
    if (!sql.got_data()) return PhotoNotFound(id);

    // A second run (a job whose lease expired mid-way) replaces the first.
    sql << "DELETE FROM matches WHERE photo_id = :id", soci::use(photo_id);
    sql << "DELETE FROM faces WHERE photo_id = :id", soci::use(photo_id);

    const Dialect& dialect = tx_.dialect();
    std::string insert =
        "INSERT INTO faces (photo_id, event_id, box_x, box_y, box_w, box_h, "
        "score, quality, embedding) VALUES (:photo, :event, :x, :y, :w, :h, "
        ":score, :quality, " +
        dialect.BlobParameter("embedding") + ") RETURNING id";
    std::vector<int64_t> face_ids;
    for (const engine::Face& face : faces) {
      double score = face.score;
      double quality = face.quality;
      std::string blob = dialect.BlobValue(EncodeEmbedding(face.embedding));
      long long face_id = 0;
      sql << insert, soci::use(photo_id), soci::use(event_id),
          soci::use(face.box.x), soci::use(face.box.y),
          soci::use(face.box.width), soci::use(face.box.height),
          soci::use(score), soci::use(quality), soci::use(blob),
          soci::into(face_id);
      face_ids.push_back(face_id);
    }

    int face_count = static_cast<int>(faces.size());
    long long at = ToMillis(indexed_at);
    sql << "UPDATE photos SET state = 'indexed', error = NULL, width = :w, "
           "height = :h, face_count = :count, indexed_at = :at "
           "WHERE id = :id",
        soci::use(width), soci::use(height), soci::use(face_count),
        soci::use(at), soci::use(photo_id);
    return face_ids;
  });
}

Status PhotoStore::SetRenditions(int64_t id, const std::string& thumbnail_key,
                                 const std::string& preview_key) {
  return RunSql("set photo renditions", [&]() -> Status {
    long long photo_id = id;
    soci::statement update =
        (tx_.sql().prepare << "UPDATE photos SET thumbnail_key = :thumbnail, "
                              "preview_key = :preview WHERE id = :id",
         soci::use(thumbnail_key), soci::use(preview_key), soci::use(photo_id));
    update.execute(true);
    if (update.get_affected_rows() == 0) return PhotoNotFound(id);
    return Status();
  });
}

Status PhotoStore::MarkFailed(int64_t id, const std::string& error) {
  return RunSql("mark photo failed", [&]() -> Status {
    long long photo_id = id;
    soci::statement update =
        (tx_.sql().prepare << "UPDATE photos SET state = 'failed', "
                              "error = :error WHERE id = :id",
         soci::use(error), soci::use(photo_id));
    update.execute(true);
    if (update.get_affected_rows() == 0) return PhotoNotFound(id);
    return Status();
  });
}

Status PhotoStore::Delete(int64_t id) {
  return RunSql("delete photo", [&]() -> Status {
    soci::session& sql = tx_.sql();
    long long photo_id = id;
    // Explicit rather than left to ON DELETE CASCADE, so that the outcome
    // does not hang on SQLite's per-connection foreign_keys setting.
    sql << "DELETE FROM matches WHERE photo_id = :id", soci::use(photo_id);
    sql << "DELETE FROM rejections WHERE photo_id = :id", soci::use(photo_id);
    sql << "DELETE FROM faces WHERE photo_id = :id", soci::use(photo_id);
    soci::statement remove =
        (sql.prepare << "DELETE FROM photos WHERE id = :id",
         soci::use(photo_id));
    remove.execute(true);
    if (remove.get_affected_rows() == 0) return PhotoNotFound(id);
    return Status();
  });
}

}  // namespace eventface::store
