#include "store/match_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "store/face_store.h"
#include "store/match_fixture.h"
#include "store/photo_store.h"
#include "store/test_database.h"

namespace eventface::store {
namespace {

using ::eventface::testing::AddIndexedPhoto;
using ::eventface::testing::AddMember;
using ::eventface::testing::DatabaseTest;
using ::eventface::testing::ExecuteSql;
using ::eventface::testing::Flat;
using ::eventface::testing::IndexedPhoto;
using ::eventface::testing::SetThreshold;

constexpr Timestamp kNow = Timestamp(std::chrono::seconds(100));

class MatchStoreTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    event_ = AddEvent("AAAAAAAA");
    user_ = AddAttendee("a@x.test");
    AddMember(database(), event_, user_);
    near_ = AddIndexedPhoto(database(), event_, "near", {Flat(0.1f)});
    far_ = AddIndexedPhoto(database(), event_, "far", {Flat(0.2f), Flat(0.3f)});
  }

  template <typename Fn>
  auto Write(Fn fn) {
    return database().WithTransaction(
        [&](Transaction& tx) { return fn(MatchStore(tx)); });
  }

  Status Add(const std::vector<NewMatch>& matches) {
    return Write([&](MatchStore m) { return m.Add(matches, kNow); });
  }

  std::vector<MatchedPhoto> Photos(int64_t user, int64_t event) {
    auto photos =
        Write([&](MatchStore m) { return m.ListPhotos(user, event); });
    EXPECT_TRUE(photos.ok()) << photos.error().message;
    return photos.ok() ? *photos : std::vector<MatchedPhoto>{};
  }

  int64_t Count() {
    auto count = Write([&](MatchStore m) { return m.CountByEvent(event_); });
    return count.ok() ? *count : -1;
  }

  int64_t event_ = 0;
  int64_t user_ = 0;
  IndexedPhoto near_;
  IndexedPhoto far_;
};

TEST_P(MatchStoreTest, ListsMatchedPhotosNearestFirstWithTheBestDistance) {
  ASSERT_TRUE(Add({{user_, far_.face_ids[0], 0.5},
                   {user_, far_.face_ids[1], 0.2},
                   {user_, near_.face_ids[0], 0.3}})
                  .ok());
  std::vector<MatchedPhoto> photos = Photos(user_, event_);
  ASSERT_EQ(photos.size(), 2u);
  EXPECT_EQ(photos[0].photo_id, far_.id);
  EXPECT_DOUBLE_EQ(photos[0].distance, 0.2);
  EXPECT_EQ(photos[1].photo_id, near_.id);
  EXPECT_DOUBLE_EQ(photos[1].distance, 0.3);
}

TEST_P(MatchStoreTest, AddingTheSameMatchTwiceKeepsOne) {
  ASSERT_TRUE(Add({{user_, near_.face_ids[0], 0.3}}).ok());
  ASSERT_TRUE(
      Add({{user_, near_.face_ids[0], 0.3}, {user_, near_.face_ids[0], 0.4}})
          .ok());
  EXPECT_EQ(Count(), 1);
}

TEST_P(MatchStoreTest, SkipsMatchesOfFacesThatAreGone) {
  ASSERT_TRUE(Add({{user_, 987654, 0.3}}).ok());
  EXPECT_EQ(Count(), 0);
}

TEST_P(MatchStoreTest, NotMeHidesThePhotoAndSurvivesReplacement) {
  ASSERT_TRUE(
      Add({{user_, near_.face_ids[0], 0.3}, {user_, far_.face_ids[0], 0.4}})
          .ok());
  ASSERT_TRUE(Write([&](MatchStore m) {
                return m.Reject(user_, near_.id, kNow);
              }).ok());
  ASSERT_TRUE(Write([&](MatchStore m) {
                return m.Reject(user_, near_.id, kNow);
              }).ok());
  ASSERT_EQ(Photos(user_, event_).size(), 1u);
  EXPECT_EQ(Photos(user_, event_)[0].photo_id, far_.id);

  std::vector<NewMatch> again = {{user_, near_.face_ids[0], 0.3}};
  ASSERT_TRUE(Write([&](MatchStore m) {
                return m.ReplaceForUserInEvent(user_, event_, again, kNow);
              }).ok());
  EXPECT_TRUE(Photos(user_, event_).empty());
  EXPECT_EQ(Count(), 1);
}

TEST_P(MatchStoreTest, RejectingAMissingPhotoIsNotFound) {
  Status rejected =
      Write([&](MatchStore m) { return m.Reject(user_, 987654, kNow); });
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.error().code, ErrorCode::kNotFound);
}

TEST_P(MatchStoreTest, APhotoIsVisibleOnlyWhenMatchedAndNotRejected) {
  auto visible = [&](int64_t photo) {
    auto is = Write([&](MatchStore m) { return m.IsVisibleTo(user_, photo); });
    EXPECT_TRUE(is.ok());
    return is.ok() && *is;
  };
  ASSERT_TRUE(Add({{user_, near_.face_ids[0], 0.3}}).ok());
  EXPECT_TRUE(visible(near_.id));
  EXPECT_FALSE(visible(far_.id));
  ASSERT_TRUE(Write([&](MatchStore m) {
                return m.Reject(user_, near_.id, kNow);
              }).ok());
  EXPECT_FALSE(visible(near_.id));
}

TEST_P(MatchStoreTest, ReplacesAUsersMatchesInOneEventOnly) {
  int64_t other_event = AddEvent("BBBBBBBB");
  AddMember(database(), other_event, user_);
  IndexedPhoto elsewhere =
      AddIndexedPhoto(database(), other_event, "else", {Flat(0.1f)});
  ASSERT_TRUE(Add({{user_, near_.face_ids[0], 0.3},
                   {user_, elsewhere.face_ids[0], 0.3}})
                  .ok());

  std::vector<NewMatch> replacement = {{user_, far_.face_ids[1], 0.1}};
  ASSERT_TRUE(Write([&](MatchStore m) {
                return m.ReplaceForUserInEvent(user_, event_, replacement,
                                               kNow);
              }).ok());
  ASSERT_EQ(Photos(user_, event_).size(), 1u);
  EXPECT_EQ(Photos(user_, event_)[0].photo_id, far_.id);
  EXPECT_EQ(Photos(user_, other_event).size(), 1u);

  ASSERT_TRUE(Write([&](MatchStore m) {
                return m.ReplaceForUser(user_, replacement, kNow);
              }).ok());
  EXPECT_TRUE(Photos(user_, other_event).empty());
  EXPECT_EQ(Photos(user_, event_).size(), 1u);
}

TEST_P(MatchStoreTest, DeletesAnEventsMatches) {
  int64_t other = AddAttendee("b@x.test");
  ASSERT_TRUE(
      Add({{user_, near_.face_ids[0], 0.3}, {other, far_.face_ids[0], 0.3}})
          .ok());
  auto deleted = Write([&](MatchStore m) { return m.DeleteByEvent(event_); });
  ASSERT_TRUE(deleted.ok()) << deleted.error().message;
  EXPECT_EQ(*deleted, 2);
  EXPECT_EQ(Count(), 0);
}

TEST_P(MatchStoreTest, LockEventGivesTheEventsSettings) {
  auto settings = Write([&](MatchStore m) { return m.LockEvent(event_); });
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_FALSE(settings->threshold.has_value());
  EXPECT_FALSE(settings->selfies_erased);

  SetThreshold(database(), event_, 0.5);
  ExecuteSql(database(), "UPDATE events SET selfies_erased_at = 5");
  settings = Write([&](MatchStore m) { return m.LockEvent(event_); });
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->threshold, 0.5);
  EXPECT_TRUE(settings->selfies_erased);

  auto missing = Write([&](MatchStore m) { return m.LockEvent(987654); });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(MatchStoreTest, ListsTheEventsOfAMemberWhoseSelfiesAreKept) {
  int64_t second = AddEvent("BBBBBBBB");
  int64_t erased = AddEvent("CCCCCCCC");
  int64_t not_joined = AddEvent("DDDDDDDD");
  (void)not_joined;
  AddMember(database(), second, user_);
  AddMember(database(), erased, user_);
  ExecuteSql(database(), "UPDATE events SET selfies_erased_at = 5 WHERE id = " +
                             std::to_string(erased));
  auto events =
      Write([&](MatchStore m) { return m.ListEventsOfMember(user_); });
  ASSERT_TRUE(events.ok()) << events.error().message;
  EXPECT_EQ(*events, (std::vector<int64_t>{event_, second}));
}

TEST_P(MatchStoreTest, FacesOfOnePhoto) {
  auto faces = database().WithTransaction(
      [&](Transaction& tx) { return FaceStore(tx).ListByPhoto(far_.id); });
  ASSERT_TRUE(faces.ok()) << faces.error().message;
  ASSERT_EQ(faces->size(), 2u);
  EXPECT_EQ((*faces)[0].face_id, far_.face_ids[0]);
  EXPECT_EQ((*faces)[1].embedding, Flat(0.3f));
  EXPECT_EQ((*faces)[1].photo_id, far_.id);
}

TEST_P(MatchStoreTest, PhotoKeepsItsRenditionKeys) {
  Status set = database().WithTransaction([&](Transaction& tx) {
    return PhotoStore(tx).SetRenditions(near_.id, "aa/thumb", "bb/preview");
  });
  ASSERT_TRUE(set.ok()) << set.error().message;
  auto photo = database().WithTransaction(
      [&](Transaction& tx) { return PhotoStore(tx).Get(near_.id); });
  ASSERT_TRUE(photo.ok());
  EXPECT_EQ(photo->thumbnail_key, "aa/thumb");
  EXPECT_EQ(photo->preview_key, "bb/preview");
  auto other = database().WithTransaction(
      [&](Transaction& tx) { return PhotoStore(tx).Get(far_.id); });
  EXPECT_FALSE(other->thumbnail_key.has_value());

  Status missing = database().WithTransaction([&](Transaction& tx) {
    return PhotoStore(tx).SetRenditions(987654, "aa/t", "bb/p");
  });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

EVENTFACE_ALL_BACKENDS(MatchStoreTest);

}  // namespace
}  // namespace eventface::store
