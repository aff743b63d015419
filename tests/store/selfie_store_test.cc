#include "store/selfie_store.h"

#include <gtest/gtest.h>

#include <chrono>

#include "store/match_fixture.h"
#include "store/match_store.h"
#include "store/test_database.h"

namespace eventface::store {
namespace {

using ::eventface::testing::AddIndexedPhoto;
using ::eventface::testing::AddMember;
using ::eventface::testing::DatabaseTest;
using ::eventface::testing::Flat;
using ::eventface::testing::SetEventDate;

constexpr Timestamp kNow = Timestamp(std::chrono::hours(24 * 1000));
constexpr int64_t kDay = 24 * 3600 * 1000;

class SelfieStoreTest : public DatabaseTest {
 protected:
  template <typename Fn>
  auto Write(Fn fn) {
    return database().WithTransaction(
        [&](Transaction& tx) { return fn(SelfieStore(tx)); });
  }

  Result<PutSelfie> Put(int64_t user, const std::string& key) {
    return Write([&](SelfieStore selfies) {
      return selfies.Put(user, key, kNow, kNow);
    });
  }

  Result<Selfie> Get(int64_t user) {
    return Write([&](SelfieStore selfies) { return selfies.Get(user); });
  }

  Status SetReady(const Selfie& selfie, const engine::Embedding& embedding) {
    return Write([&](SelfieStore selfies) {
      return selfies.SetReady(selfie, embedding);
    });
  }

  int64_t CountMatches(int64_t event) {
    auto count = database().WithTransaction(
        [&](Transaction& tx) { return MatchStore(tx).CountByEvent(event); });
    return count.ok() ? *count : -1;
  }

  void AddMatch(int64_t user, int64_t face) {
    Status added = database().WithTransaction([&](Transaction& tx) {
      std::vector<NewMatch> matches = {{user, face, 0.3}};
      return MatchStore(tx).Add(matches, kNow);
    });
    ASSERT_TRUE(added.ok()) << added.error().message;
  }
};

TEST_P(SelfieStoreTest, PutsAQueuedSelfie) {
  int64_t user = AddAttendee("a@x.test");
  auto put = Put(user, "ab/cd");
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_FALSE(put->replaced_key.has_value());
  auto selfie = Get(user);
  ASSERT_TRUE(selfie.ok()) << selfie.error().message;
  EXPECT_EQ(selfie->id, put->id);
  EXPECT_EQ(selfie->media_key, "ab/cd");
  EXPECT_EQ(selfie->state, SelfieState::kQueued);
  EXPECT_EQ(selfie->consent_at, kNow);
  EXPECT_FALSE(selfie->embedding.has_value());
}

TEST_P(SelfieStoreTest, GetOfUserWithoutSelfieIsNotFound) {
  auto selfie = Get(AddAttendee("a@x.test"));
  ASSERT_FALSE(selfie.ok());
  EXPECT_EQ(selfie.error().code, ErrorCode::kNotFound);
}

TEST_P(SelfieStoreTest, SetReadyStoresTheEmbeddingExactly) {
  int64_t user = AddAttendee("a@x.test");
  ASSERT_TRUE(Put(user, "ab/cd").ok());
  engine::Embedding embedding = Flat(0.125f);
  embedding[7] = -1.0e-7f;
  ASSERT_TRUE(SetReady(*Get(user), embedding).ok());
  auto selfie = Get(user);
  ASSERT_TRUE(selfie.ok());
  EXPECT_EQ(selfie->state, SelfieState::kReady);
  ASSERT_TRUE(selfie->embedding.has_value());
  EXPECT_EQ(*selfie->embedding, embedding);
}

TEST_P(SelfieStoreTest, MarkFailedKeepsTheReason) {
  int64_t user = AddAttendee("a@x.test");
  ASSERT_TRUE(Put(user, "ab/cd").ok());
  Selfie selfie = *Get(user);
  Status failed = Write([&](SelfieStore selfies) {
    return selfies.MarkFailed(selfie, "no face found in the selfie");
  });
  ASSERT_TRUE(failed.ok()) << failed.error().message;
  EXPECT_EQ(Get(user)->state, SelfieState::kFailed);
  EXPECT_EQ(Get(user)->error, "no face found in the selfie");
}

TEST_P(SelfieStoreTest, ReplacingResetsToQueuedAndDropsTheMatches) {
  int64_t event = AddEvent();
  int64_t user = AddAttendee("a@x.test");
  AddMember(database(), event, user);
  ASSERT_TRUE(Put(user, "ab/old").ok());
  ASSERT_TRUE(SetReady(*Get(user), Flat(0.1f)).ok());
  auto photo = AddIndexedPhoto(database(), event, "h1", {Flat(0.1f)});
  AddMatch(user, photo.face_ids[0]);
  ASSERT_EQ(CountMatches(event), 1);

  auto put = Put(user, "ab/new");
  ASSERT_TRUE(put.ok()) << put.error().message;
  EXPECT_EQ(put->replaced_key, "ab/old");
  auto selfie = Get(user);
  EXPECT_EQ(selfie->state, SelfieState::kQueued);
  EXPECT_EQ(selfie->media_key, "ab/new");
  EXPECT_FALSE(selfie->embedding.has_value());
  EXPECT_EQ(CountMatches(event), 0);
}

// A match job that read the old selfie must not store its result on the
// new one, even when the new one has the same bytes.
TEST_P(SelfieStoreTest, ResultForAReplacedSelfieIsRefused) {
  int64_t user = AddAttendee("a@x.test");
  ASSERT_TRUE(Put(user, "ab/cd").ok());
  Selfie old_selfie = *Get(user);
  ASSERT_TRUE(Put(user, "ab/cd").ok());
  Status ready = SetReady(old_selfie, Flat(0.1f));
  ASSERT_FALSE(ready.ok());
  EXPECT_EQ(ready.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(Get(user)->state, SelfieState::kQueued);
  EXPECT_TRUE(SetReady(*Get(user), Flat(0.1f)).ok());
}

TEST_P(SelfieStoreTest, DeleteRemovesTheSelfieAndItsMatches) {
  int64_t event = AddEvent();
  int64_t user = AddAttendee("a@x.test");
  AddMember(database(), event, user);
  ASSERT_TRUE(Put(user, "ab/cd").ok());
  auto photo = AddIndexedPhoto(database(), event, "h1", {Flat(0.1f)});
  AddMatch(user, photo.face_ids[0]);

  ASSERT_TRUE(Write([&](SelfieStore s) { return s.Delete(user); }).ok());
  EXPECT_EQ(Get(user).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(CountMatches(event), 0);
  Status again = Write([&](SelfieStore s) { return s.Delete(user); });
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST_P(SelfieStoreTest, CountsSelfiesByMediaKey) {
  ASSERT_TRUE(Put(AddAttendee("a@x.test"), "ab/same").ok());
  ASSERT_TRUE(Put(AddAttendee("b@x.test"), "ab/same").ok());
  auto count =
      Write([&](SelfieStore s) { return s.CountByMediaKey("ab/same"); });
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
  EXPECT_EQ(*Write([&](SelfieStore s) { return s.CountByMediaKey("ab/x"); }),
            0);
}

TEST_P(SelfieStoreTest, ListsOnlyReadySelfiesOfTheEventsMembers) {
  int64_t event = AddEvent("AAAAAAAA");
  int64_t other_event = AddEvent("BBBBBBBB");
  int64_t ready = AddAttendee("ready@x.test");
  int64_t queued = AddAttendee("queued@x.test");
  int64_t elsewhere = AddAttendee("elsewhere@x.test");
  AddMember(database(), event, ready);
  AddMember(database(), event, queued);
  AddMember(database(), other_event, elsewhere);
  for (int64_t user : {ready, queued, elsewhere}) {
    ASSERT_TRUE(Put(user, "ab/" + std::to_string(user)).ok());
  }
  ASSERT_TRUE(SetReady(*Get(ready), Flat(0.2f)).ok());
  ASSERT_TRUE(SetReady(*Get(elsewhere), Flat(0.3f)).ok());

  auto selfies =
      Write([&](SelfieStore s) { return s.ListReadyByEvent(event); });
  ASSERT_TRUE(selfies.ok()) << selfies.error().message;
  ASSERT_EQ(selfies->size(), 1u);
  EXPECT_EQ((*selfies)[0].user_id, ready);
  EXPECT_EQ((*selfies)[0].embedding, Flat(0.2f));
}

TEST_P(SelfieStoreTest, ListsEventsWhoseRetentionHasPassed) {
  int64_t old_event = AddEvent("AAAAAAAA");
  int64_t recent = AddEvent("BBBBBBBB");
  SetEventDate(database(), old_event, ToMillis(kNow) - 40 * kDay, 30);
  SetEventDate(database(), recent, ToMillis(kNow) - 10 * kDay, 30);

  auto expired =
      Write([&](SelfieStore s) { return s.ListExpiredEvents(kNow); });
  ASSERT_TRUE(expired.ok()) << expired.error().message;
  ASSERT_EQ(expired->size(), 1u);
  EXPECT_EQ((*expired)[0].id, old_event);
  EXPECT_EQ(ToMillis((*expired)[0].expired_at), ToMillis(kNow) - 10 * kDay);

  ASSERT_TRUE(
      Write([&](SelfieStore s) { return s.MarkErased(old_event, kNow); }).ok());
  EXPECT_TRUE(
      Write([&](SelfieStore s) { return s.ListExpiredEvents(kNow); })->empty());
}

TEST_P(SelfieStoreTest, ErasesOnlyMembersWhoseEveryEventHasExpired) {
  int64_t old_event = AddEvent("AAAAAAAA");
  int64_t recent = AddEvent("BBBBBBBB");
  SetEventDate(database(), old_event, ToMillis(kNow) - 40 * kDay, 30);
  SetEventDate(database(), recent, ToMillis(kNow) - 10 * kDay, 30);
  int64_t only_old = AddAttendee("old@x.test");
  int64_t both = AddAttendee("both@x.test");
  int64_t no_selfie = AddAttendee("none@x.test");
  AddMember(database(), old_event, only_old);
  AddMember(database(), old_event, both);
  AddMember(database(), recent, both);
  AddMember(database(), old_event, no_selfie);
  ASSERT_TRUE(Put(only_old, "ab/1").ok());
  ASSERT_TRUE(Put(both, "ab/2").ok());

  auto users = Write(
      [&](SelfieStore s) { return s.ListMembersToErase(old_event, kNow); });
  ASSERT_TRUE(users.ok()) << users.error().message;
  EXPECT_EQ(*users, std::vector<int64_t>{only_old});
}

TEST_P(SelfieStoreTest, MarkErasedOfMissingEventIsNotFound) {
  Status marked = Write([&](SelfieStore s) { return s.MarkErased(999, kNow); });
  ASSERT_FALSE(marked.ok());
  EXPECT_EQ(marked.error().code, ErrorCode::kNotFound);
}

EVENTFACE_ALL_BACKENDS(SelfieStoreTest);

}  // namespace
}  // namespace eventface::store
