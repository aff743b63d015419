// Rows that matching tests need but whose stores belong to other use cases
// (members, event settings), written with plain SQL, and photos with faces
// of chosen embeddings.
#pragma once

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <cstdint>
#include <string>
#include <vector>

#include "engine/face.h"
#include "store/database.h"
#include "store/photo_store.h"

namespace eventface::testing {

// Runs `statement` with no bound values; fails the test if it fails.
inline void ExecuteSql(store::Database& database,
                       const std::string& statement) {
  Status status = database.WithTransaction([&](store::Transaction& tx) {
    tx.sql() << statement;
    return Status();
  });
  ASSERT_TRUE(status.ok()) << status.error().message;
}

inline void AddMember(store::Database& database, int64_t event_id,
                      int64_t user_id) {
  ExecuteSql(database,
             "INSERT INTO members (event_id, user_id, joined_at) VALUES (" +
                 std::to_string(event_id) + ", " + std::to_string(user_id) +
                 ", 0)");
}

// Sets the event's date (milliseconds since the epoch) and retention.
inline void SetEventDate(store::Database& database, int64_t event_id,
                         int64_t event_date, int retention_days) {
  ExecuteSql(database,
             "UPDATE events SET event_date = " + std::to_string(event_date) +
                 ", retention_days = " + std::to_string(retention_days) +
                 " WHERE id = " + std::to_string(event_id));
}

inline void SetThreshold(store::Database& database, int64_t event_id,
                         double threshold) {
  ExecuteSql(database, "UPDATE events SET match_threshold = " +
                           std::to_string(threshold) +
                           " WHERE id = " + std::to_string(event_id));
}

// A face whose embedding is `embedding`, with a plausible box.
inline engine::Face FaceWith(const engine::Embedding& embedding) {
  engine::Face face;
  face.box = cv::Rect2d(10, 20, 100, 120);
  face.score = 0.9f;
  face.quality = 0.8f;
  face.embedding = embedding;
  return face;
}

// An embedding with `value` in every place: two of them lie
// |a - b| * sqrt(128) apart.
inline engine::Embedding Flat(float value) {
  engine::Embedding embedding;
  embedding.fill(value);
  return embedding;
}

struct IndexedPhoto {
  int64_t id = 0;
  std::vector<int64_t> face_ids;
};

// Adds a photo to `event_id` and indexes it with faces of `embeddings`.
inline IndexedPhoto AddIndexedPhoto(
    store::Database& database, int64_t event_id, const std::string& hash,
    const std::vector<engine::Embedding>& embeddings) {
  auto indexed = database.WithTransaction(
      [&](store::Transaction& tx) -> Result<IndexedPhoto> {
        store::PhotoStore photos(tx);
        auto added = photos.Add(
            {event_id, hash, "ab/" + hash, Timestamp(std::chrono::seconds(1))});
        if (!added.ok()) return added.error();
        std::vector<engine::Face> faces;
        for (const engine::Embedding& e : embeddings)
          faces.push_back(FaceWith(e));
        auto ids = photos.SetIndexed(added->id, 640, 480, faces,
                                     Timestamp(std::chrono::seconds(2)));
        if (!ids.ok()) return ids.error();
        return IndexedPhoto{added->id, *ids};
      });
  EXPECT_TRUE(indexed.ok()) << indexed.error().message;
  return indexed.ok() ? *indexed : IndexedPhoto{};
}

}  // namespace eventface::testing
