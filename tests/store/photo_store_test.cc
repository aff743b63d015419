#include "store/photo_store.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <cstring>
#include <random>
#include <vector>

#include "store/face_store.h"
#include "store/test_database.h"

namespace eventface::store {
namespace {

using ::eventface::testing::DatabaseTest;

constexpr Timestamp kUploadedAt = Timestamp(std::chrono::milliseconds(1000));

NewPhoto MakePhoto(int64_t event_id, const std::string& hash) {
  return NewPhoto{event_id, hash, "ab/" + hash, kUploadedAt};
}

std::vector<engine::Face> MakeFaces(int count, unsigned seed) {
  std::mt19937 random(seed);
  std::normal_distribution<float> value(0.0f, 0.1f);
  std::vector<engine::Face> faces(count);
  for (int i = 0; i < count; ++i) {
    faces[i].box = cv::Rect2d(10.5 * i, 20.25, 30.125, 40.0625);
    faces[i].score = 0.9f - 0.1f * i;
    faces[i].quality = 0.5f;
    for (float& x : faces[i].embedding) x = value(random);
  }
  return faces;
}

class PhotoStoreTest : public DatabaseTest {
 protected:
  Result<AddedPhoto> Add(const NewPhoto& photo) {
    return database().WithTransaction(
        [&](Transaction& tx) { return PhotoStore(tx).Add(photo); });
  }

  Result<std::vector<int64_t>> Index(int64_t photo_id,
                                     const std::vector<engine::Face>& faces) {
    return database().WithTransaction([&](Transaction& tx) {
      return PhotoStore(tx).SetIndexed(photo_id, 640, 480, faces,
                                       Timestamp(std::chrono::seconds(5)));
    });
  }

  Result<std::vector<EventFace>> Faces(int64_t event_id) {
    return database().WithReadTransaction(
        [&](Transaction& tx) { return FaceStore(tx).ListByEvent(event_id); });
  }

  int Count(const std::string& table) {
    auto count = database().WithReadTransaction([&](Transaction& tx) {
      int count = 0;
      tx.sql() << "SELECT COUNT(*) FROM " + table, soci::into(count);
      return Result<int>(count);
    });
    return count.ok() ? *count : -1;
  }
};

TEST_P(PhotoStoreTest, AddingTheSameBytesTwiceGivesTheSameId) {
  int64_t event = AddEvent();
  auto first = Add(MakePhoto(event, "hash1"));
  auto second = Add(MakePhoto(event, "hash1"));
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_TRUE(first->is_new);
  EXPECT_FALSE(second->is_new);
  EXPECT_EQ(first->id, second->id);
  EXPECT_EQ(Count("photos"), 1);
}

TEST_P(PhotoStoreTest, TheSameBytesInAnotherEventAreAnotherPhoto) {
  auto first = Add(MakePhoto(AddEvent("AAAAAAAA"), "hash1"));
  auto second = Add(MakePhoto(AddEvent("BBBBBBBB"), "hash1"));
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(first->id, second->id);
}

TEST_P(PhotoStoreTest, ListsAnEventsPhotosWithStateAndFaceCount) {
  int64_t event = AddEvent();
  auto queued = Add(MakePhoto(event, "q"));
  auto indexed = Add(MakePhoto(event, "i"));
  auto failed = Add(MakePhoto(event, "f"));
  ASSERT_TRUE(queued.ok() && indexed.ok() && failed.ok());
  ASSERT_TRUE(Index(indexed->id, MakeFaces(3, 1)).ok());
  Status marked = database().WithTransaction([&](Transaction& tx) {
    return PhotoStore(tx).MarkFailed(failed->id, "not an image");
  });
  ASSERT_TRUE(marked.ok()) << marked.error().message;

  auto photos = database().WithReadTransaction(
      [&](Transaction& tx) { return PhotoStore(tx).ListByEvent(event); });
  ASSERT_TRUE(photos.ok()) << photos.error().message;
  ASSERT_EQ(photos->size(), 3u);
  EXPECT_EQ((*photos)[0].state, PhotoState::kQueued);
  EXPECT_EQ((*photos)[0].face_count, 0);
  EXPECT_FALSE((*photos)[0].width.has_value());
  EXPECT_EQ((*photos)[0].uploaded_at, kUploadedAt);
  EXPECT_EQ((*photos)[1].state, PhotoState::kIndexed);
  EXPECT_EQ((*photos)[1].face_count, 3);
  EXPECT_EQ((*photos)[1].width, 640);
  EXPECT_EQ((*photos)[1].height, 480);
  EXPECT_TRUE((*photos)[1].indexed_at.has_value());
  EXPECT_EQ((*photos)[2].state, PhotoState::kFailed);
  EXPECT_EQ((*photos)[2].error, "not an image");
}

TEST_P(PhotoStoreTest, IndexedFacesRoundTripTheirEmbeddingsExactly) {
  int64_t event = AddEvent();
  auto photo = Add(MakePhoto(event, "h"));
  ASSERT_TRUE(photo.ok());
  std::vector<engine::Face> faces = MakeFaces(4, 7);
  auto face_ids = Index(photo->id, faces);
  ASSERT_TRUE(face_ids.ok()) << face_ids.error().message;
  ASSERT_EQ(face_ids->size(), 4u);

  auto stored = Faces(event);
  ASSERT_TRUE(stored.ok()) << stored.error().message;
  ASSERT_EQ(stored->size(), 4u);
  for (size_t i = 0; i < faces.size(); ++i) {
    EXPECT_EQ((*stored)[i].face_id, (*face_ids)[i]);
    EXPECT_EQ((*stored)[i].photo_id, photo->id);
    EXPECT_EQ(
        0, std::memcmp((*stored)[i].embedding.data(), faces[i].embedding.data(),
                       sizeof(engine::Embedding)));
  }
}

TEST_P(PhotoStoreTest, IndexingAgainReplacesTheFaces) {
  int64_t event = AddEvent();
  auto photo = Add(MakePhoto(event, "h"));
  ASSERT_TRUE(photo.ok());
  ASSERT_TRUE(Index(photo->id, MakeFaces(3, 1)).ok());
  ASSERT_TRUE(Index(photo->id, MakeFaces(2, 2)).ok());
  auto stored = Faces(event);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->size(), 2u);
}

TEST_P(PhotoStoreTest, DeletingAPhotoRemovesItsFacesAndMatches) {
  int64_t event = AddEvent();
  int64_t attendee = AddAttendee("a@example.test");
  auto photo = Add(MakePhoto(event, "h"));
  auto kept = Add(MakePhoto(event, "k"));
  ASSERT_TRUE(photo.ok() && kept.ok());
  auto face_ids = Index(photo->id, MakeFaces(2, 3));
  ASSERT_TRUE(face_ids.ok() && Index(kept->id, MakeFaces(1, 4)).ok());
  Status matched = database().WithTransaction([&](Transaction& tx) -> Status {
    long long user = attendee;
    long long face = (*face_ids)[0];
    long long photo_id = photo->id;
    long long event_id = event;
    tx.sql() << "INSERT INTO matches (user_id, face_id, photo_id, event_id, "
                "distance, created_at) VALUES (:u, :f, :p, :e, 0.4, 0)",
        soci::use(user), soci::use(face), soci::use(photo_id),
        soci::use(event_id);
    return Status();
  });
  ASSERT_TRUE(matched.ok()) << matched.error().message;

  Status deleted = database().WithTransaction(
      [&](Transaction& tx) { return PhotoStore(tx).Delete(photo->id); });
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ(Count("photos"), 1);
  EXPECT_EQ(Count("faces"), 1);
  EXPECT_EQ(Count("matches"), 0);
}

TEST_P(PhotoStoreTest, ReportsMissingPhotosAsNotFound) {
  Status deleted = database().WithTransaction(
      [&](Transaction& tx) { return PhotoStore(tx).Delete(999); });
  ASSERT_FALSE(deleted.ok());
  EXPECT_EQ(deleted.error().code, ErrorCode::kNotFound);
  auto got = database().WithReadTransaction(
      [&](Transaction& tx) { return PhotoStore(tx).Get(999); });
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
  auto indexed = Index(999, MakeFaces(1, 1));
  ASSERT_FALSE(indexed.ok());
  EXPECT_EQ(indexed.error().code, ErrorCode::kNotFound);
}

EVENTFACE_ALL_BACKENDS(PhotoStoreTest);

}  // namespace
}  // namespace eventface::store
