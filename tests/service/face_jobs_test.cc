#include "service/face_jobs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "jobs/job_queue.h"
#include "service/job_kinds.h"
#include "store/face_store.h"
#include "store/match_fixture.h"
#include "store/match_store.h"
#include "store/media_folder.h"
#include "store/photo_store.h"
#include "store/selfie_store.h"
#include "store/test_database.h"
#include "testing/shared_data.h"

namespace eventface::service {
namespace {

namespace fs = std::filesystem;
using ::eventface::testing::AddMember;
using ::eventface::testing::DatabaseTest;
using ::eventface::testing::SetEventDate;

constexpr int64_t kDay = 24 * 3600 * 1000;

// The analyzer takes a second or two to load: once per test process.
engine::FaceAnalyzer* SharedAnalyzer() {
  static engine::FaceAnalyzer* analyzer = [] {
    auto loaded = engine::FaceAnalyzer::Load(testing::ModelDir());
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    return loaded.ok() ? new engine::FaceAnalyzer(std::move(*loaded)) : nullptr;
  }();
  return analyzer;
}

class FaceJobsTest : public DatabaseTest {
 protected:
  void SetUp() override {
    auto shared = testing::SharedDir();
    if (!shared) GTEST_SKIP() << "shared data not found";
    datasets_ = *shared / "datasets/bbt";
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    analyzer_ = SharedAnalyzer();
    ASSERT_NE(analyzer_, nullptr);

    std::string folder =
        (fs::temp_directory_path() / "eventface-media-XXXXXX").string();
    ASSERT_NE(::mkdtemp(folder.data()), nullptr);
    media_root_ = folder;
    media_ = std::make_unique<store::MediaFolder>(media_root_);
    queue_ = std::make_unique<jobs::JobQueue>(database(), clock_);
    context_ = std::make_unique<ServiceContext>(
        ServiceContext{database(), *media_, *queue_, clock_});
    jobs_ = std::make_unique<FaceJobs>(*context_, *analyzer_);
    event_ = AddEvent();
  }

  void TearDown() override {
    DatabaseTest::TearDown();
    if (!media_root_.empty()) fs::remove_all(media_root_);
  }

  template <typename Fn>
  auto InTransaction(Fn fn) {
    return database().WithTransaction(fn);
  }

  // Uploads a group photo ("bbt3") or any bytes to the event.
  int64_t UploadBytes(const std::string& name, const std::string& bytes) {
    auto key = media_->Put(bytes);
    EXPECT_TRUE(key.ok());
    auto added = InTransaction([&](store::Transaction& tx) {
      return store::PhotoStore(tx).Add(
          {event_, store::ContentHash(bytes), *key, clock_.Now()});
    });
    EXPECT_TRUE(added.ok()) << added.error().message;
    names_[added->id] = name;
    return added->id;
  }

  int64_t Upload(const std::string& group) {
    return UploadBytes(
        group, testing::ReadBytes(datasets_ / "groups" / (group + ".jpg")));
  }

  int64_t UploadAndIndex(const std::string& group) {
    int64_t id = Upload(group);
    Status indexed = jobs_->IndexPhoto(id);
    EXPECT_TRUE(indexed.ok()) << indexed.error().message;
    return id;
  }

  // A member of the event with `crop` ("penny/penny1.png") as selfie.
  int64_t JoinWithSelfie(const std::string& name, const std::string& crop) {
    int64_t user = AddAttendee(name + "@x.test");
    AddMember(database(), event_, user);
    PutSelfie(user, testing::ReadBytes(datasets_ / crop));
    return user;
  }

  void PutSelfie(int64_t user, const std::string& bytes) {
    auto key = media_->Put(bytes);
    ASSERT_TRUE(key.ok());
    auto put = InTransaction([&](store::Transaction& tx) {
      return store::SelfieStore(tx).Put(user, *key, clock_.Now(), clock_.Now());
    });
    ASSERT_TRUE(put.ok()) << put.error().message;
  }

  store::Selfie GetSelfie(int64_t user) {
    auto selfie = InTransaction([&](store::Transaction& tx) {
      return store::SelfieStore(tx).Get(user);
    });
    EXPECT_TRUE(selfie.ok()) << selfie.error().message;
    return selfie.ok() ? *selfie : store::Selfie{};
  }

  store::Photo GetPhoto(int64_t id) {
    auto photo = InTransaction(
        [&](store::Transaction& tx) { return store::PhotoStore(tx).Get(id); });
    EXPECT_TRUE(photo.ok()) << photo.error().message;
    return photo.ok() ? *photo : store::Photo{};
  }

  // The names of the photos the user sees, sorted.
  std::vector<std::string> MatchedNames(int64_t user) {
    auto photos = InTransaction([&](store::Transaction& tx) {
      return store::MatchStore(tx).ListPhotos(user, event_);
    });
    EXPECT_TRUE(photos.ok()) << photos.error().message;
    std::vector<std::string> names;
    for (const store::MatchedPhoto& photo : *photos) {
      names.push_back(names_[photo.photo_id]);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  int64_t Count(const std::string& table) {
    auto count = InTransaction([&](store::Transaction& tx) {
      long long count = 0;
      tx.sql() << "SELECT COUNT(*) FROM " + table, soci::into(count);
      return Result<int64_t>(count);
    });
    return count.ok() ? *count : -1;
  }

  fs::path datasets_;
  engine::FaceAnalyzer* analyzer_ = nullptr;
  fs::path media_root_;
  FakeClock clock_;
  std::unique_ptr<store::MediaFolder> media_;
  std::unique_ptr<jobs::JobQueue> queue_;
  std::unique_ptr<ServiceContext> context_;
  std::unique_ptr<FaceJobs> jobs_;
  int64_t event_ = 0;
  std::map<int64_t, std::string> names_;
};

using Names = std::vector<std::string>;

TEST_P(FaceJobsTest, PennyMatchesExactlyTheGroupPhotosSheIsInAndStuartNone) {
  for (const char* group : {"bbt1", "bbt2", "bbt3", "bbt4", "bbt5"}) {
    UploadAndIndex(group);
  }
  int64_t penny = JoinWithSelfie("penny", "penny/penny1.png");
  int64_t stuart = JoinWithSelfie("stuart", "stuart/stuart1.png");
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  ASSERT_TRUE(jobs_->MatchSelfie(stuart).ok());

  EXPECT_EQ(MatchedNames(penny), (Names{"bbt3", "bbt4", "bbt5"}));
  EXPECT_EQ(MatchedNames(stuart), Names{});
  EXPECT_EQ(GetSelfie(penny).state, store::SelfieState::kReady);
  EXPECT_TRUE(GetSelfie(penny).embedding.has_value());
  EXPECT_EQ(GetSelfie(stuart).state, store::SelfieState::kReady);
}

TEST_P(FaceJobsTest, IndexingStoresFacesSizeAndRenditions) {
  int64_t photo_id = UploadAndIndex("bbt3");
  store::Photo photo = GetPhoto(photo_id);
  EXPECT_EQ(photo.state, store::PhotoState::kIndexed);
  EXPECT_EQ(photo.face_count, 5);
  EXPECT_GT(photo.width.value_or(0), 0);
  EXPECT_GT(photo.height.value_or(0), 0);
  ASSERT_TRUE(photo.thumbnail_key.has_value());
  ASSERT_TRUE(photo.preview_key.has_value());
  auto thumbnail = media_->Read(*photo.thumbnail_key);
  ASSERT_TRUE(thumbnail.ok());
  auto thumbnail_size = engine::MakeRenditions(*thumbnail);
  ASSERT_TRUE(thumbnail_size.ok());
  EXPECT_EQ(std::max(thumbnail_size->original_size.width,
                     thumbnail_size->original_size.height),
            std::min(400, std::max(*photo.width, *photo.height)));
  EXPECT_TRUE(media_->Read(*photo.preview_key).ok());
}

TEST_P(FaceJobsTest, APhotoIndexedAfterTheSelfieIsMatchedByIndexPhotoAlone) {
  int64_t penny = JoinWithSelfie("penny", "penny/penny1.png");
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  EXPECT_EQ(MatchedNames(penny), Names{});

  UploadAndIndex("bbt3");
  UploadAndIndex("bbt1");
  EXPECT_EQ(MatchedNames(penny), Names{"bbt3"});
}

TEST_P(FaceJobsTest, UsesTheEventsOwnThreshold) {
  testing::SetThreshold(database(), event_, 0.05);
  int64_t penny = JoinWithSelfie("penny", "penny/penny1.png");
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  UploadAndIndex("bbt3");
  EXPECT_EQ(MatchedNames(penny), Names{});
}

TEST_P(FaceJobsTest, IndexingTwiceLeavesOneSetOfFacesAndNoDuplicateMatch) {
  int64_t penny = JoinWithSelfie("penny", "penny/penny1.png");
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  int64_t photo = UploadAndIndex("bbt3");
  int64_t faces = Count("faces");
  int64_t matches = Count("matches");
  ASSERT_EQ(matches, 1);

  ASSERT_TRUE(jobs_->IndexPhoto(photo).ok());
  EXPECT_EQ(Count("faces"), faces);
  EXPECT_EQ(Count("matches"), matches);
  EXPECT_EQ(MatchedNames(penny), Names{"bbt3"});
}

TEST_P(FaceJobsTest, NotMeSurvivesRematch) {
  int64_t photo = UploadAndIndex("bbt3");
  UploadAndIndex("bbt4");
  int64_t penny = JoinWithSelfie("penny", "penny/penny1.png");
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  ASSERT_EQ(MatchedNames(penny), (Names{"bbt3", "bbt4"}));

  ASSERT_TRUE(InTransaction([&](store::Transaction& tx) {
                return store::MatchStore(tx).Reject(penny, photo, clock_.Now());
              }).ok());
  int64_t matches = Count("matches");
  ASSERT_TRUE(jobs_->RematchEvent(event_).ok());
  EXPECT_EQ(Count("matches"), matches);
  EXPECT_EQ(MatchedNames(penny), Names{"bbt4"});
}

TEST_P(FaceJobsTest, RematchRecomputesWithANewThreshold) {
  UploadAndIndex("bbt3");
  int64_t penny = JoinWithSelfie("penny", "penny/penny1.png");
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  ASSERT_EQ(MatchedNames(penny), Names{"bbt3"});
  testing::SetThreshold(database(), event_, 0.05);
  ASSERT_TRUE(jobs_->RematchEvent(event_).ok());
  EXPECT_EQ(MatchedNames(penny), Names{});
}

TEST_P(FaceJobsTest, CorruptPhotoIsMarkedFailedAndTheJobSucceeds) {
  std::string bytes =
      testing::ReadBytes(datasets_ / "groups/bbt3.jpg").substr(0, 2000);
  int64_t photo = UploadBytes("broken", bytes);
  Status indexed = jobs_->IndexPhoto(photo);
  ASSERT_TRUE(indexed.ok()) << indexed.error().message;
  store::Photo failed = GetPhoto(photo);
  EXPECT_EQ(failed.state, store::PhotoState::kFailed);
  ASSERT_TRUE(failed.error.has_value());
  EXPECT_NE(failed.error->find("damaged"), std::string::npos) << *failed.error;
  EXPECT_EQ(Count("faces"), 0);
}

TEST_P(FaceJobsTest, NotAnImageIsMarkedFailed) {
  int64_t photo = UploadBytes("text", "just some text, not a photo at all");
  ASSERT_TRUE(jobs_->IndexPhoto(photo).ok());
  store::Photo failed = GetPhoto(photo);
  EXPECT_EQ(failed.state, store::PhotoState::kFailed);
  EXPECT_NE(failed.error->find("format"), std::string::npos) << *failed.error;
}

TEST_P(FaceJobsTest, APhotoDeletedMeanwhileIsSkipped) {
  EXPECT_TRUE(jobs_->IndexPhoto(987654).ok());
  EXPECT_TRUE(jobs_->MatchSelfie(987654).ok());
  EXPECT_TRUE(jobs_->RematchEvent(987654).ok());
}

TEST_P(FaceJobsTest, AMissingFileIsAnErrorToRetry) {
  int64_t photo = Upload("bbt3");
  ASSERT_TRUE(media_->Remove(GetPhoto(photo).media_key).ok());
  Status indexed = jobs_->IndexPhoto(photo);
  EXPECT_FALSE(indexed.ok());
  EXPECT_EQ(GetPhoto(photo).state, store::PhotoState::kQueued);
}

TEST_P(FaceJobsTest, SelfieWithoutAFaceIsMarkedFailed) {
  int64_t user = AddAttendee("nobody@x.test");
  AddMember(database(), event_, user);
  PutSelfie(user,
            testing::ReadBytes(fs::path(EVENTFACE_TEST_DATA) / "grey_64.png"));
  ASSERT_TRUE(jobs_->MatchSelfie(user).ok());
  store::Selfie selfie = GetSelfie(user);
  EXPECT_EQ(selfie.state, store::SelfieState::kFailed);
  EXPECT_EQ(selfie.error, "no face found in the selfie");
}

TEST_P(FaceJobsTest, EraseRemovesSelfieEmbeddingMatchesAndFile) {
  const int64_t now = ToMillis(clock_.Now());
  SetEventDate(database(), event_, now - 40 * kDay, 30);
  UploadAndIndex("bbt3");
  int64_t penny = JoinWithSelfie("penny", "penny/penny1.png");
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  ASSERT_EQ(Count("matches"), 1);
  std::string key = GetSelfie(penny).media_key;
  ASSERT_TRUE(fs::exists(media_->PathOf(key)));

  ASSERT_TRUE(jobs_->EraseExpiredSelfies(clock_.Now()).ok());
  EXPECT_EQ(Count("matches"), 0);
  EXPECT_EQ(Count("selfies"), 0);
  EXPECT_FALSE(fs::exists(media_->PathOf(key)));
  EXPECT_EQ(Count("events WHERE selfies_erased_at IS NOT NULL"), 1);
  EXPECT_EQ(Count("faces"), 5);  // the photographer's photos stay
  EXPECT_TRUE(jobs_->EraseExpiredSelfies(clock_.Now()).ok());
}

TEST_P(FaceJobsTest, EraseKeepsTheSelfieOfAMemberOfALiveEvent) {
  const int64_t now = ToMillis(clock_.Now());
  SetEventDate(database(), event_, now - 40 * kDay, 30);
  int64_t live = AddEvent("LIVEEVNT");
  SetEventDate(database(), live, now, 30);
  UploadAndIndex("bbt3");
  int64_t penny = JoinWithSelfie("penny", "penny/penny1.png");
  AddMember(database(), live, penny);
  int64_t stuart = JoinWithSelfie("stuart", "penny/penny1.png");
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  ASSERT_TRUE(jobs_->MatchSelfie(stuart).ok());
  std::string key = GetSelfie(penny).media_key;

  ASSERT_TRUE(jobs_->EraseExpiredSelfies(clock_.Now()).ok());
  EXPECT_EQ(Count("matches"), 0);
  EXPECT_EQ(Count("selfies"), 1);
  EXPECT_EQ(GetSelfie(penny).state, store::SelfieState::kReady);
  // Stuart's selfie is gone, but the file is penny's too.
  EXPECT_TRUE(fs::exists(media_->PathOf(key)));
}

// Retention is over for the event: a member's selfie kept for another event
// must not be matched to its photos again.
TEST_P(FaceJobsTest, MatchesNothingInAnEventWhoseSelfiesWereErased) {
  const int64_t now = ToMillis(clock_.Now());
  SetEventDate(database(), event_, now - 40 * kDay, 30);
  int64_t live = AddEvent("LIVEEVNT");
  SetEventDate(database(), live, now, 30);
  int64_t penny = JoinWithSelfie("penny", "penny/penny1.png");
  AddMember(database(), live, penny);
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  ASSERT_TRUE(jobs_->EraseExpiredSelfies(clock_.Now()).ok());
  ASSERT_EQ(GetSelfie(penny).state, store::SelfieState::kReady);

  UploadAndIndex("bbt3");
  EXPECT_EQ(Count("matches"), 0);
  ASSERT_TRUE(jobs_->RematchEvent(event_).ok());
  ASSERT_TRUE(jobs_->MatchSelfie(penny).ok());
  EXPECT_EQ(Count("matches"), 0);
}

TEST_P(FaceJobsTest, RunDispatchesByKind) {
  int64_t photo = Upload("bbt3");
  jobs::Job job;
  job.id = 1;
  job.kind = std::string(kIndexPhotoJob);
  job.payload = "{\"photo_id\": " + std::to_string(photo) + "}";
  Status ran = jobs_->Run(job);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_EQ(GetPhoto(photo).state, store::PhotoState::kIndexed);

  job.kind = std::string(kRematchEventJob);
  job.payload = "{\"event_id\": " + std::to_string(event_) + "}";
  EXPECT_TRUE(jobs_->Run(job).ok());
  job.kind = std::string(kEraseExpiredJob);
  job.payload = "{}";
  EXPECT_TRUE(jobs_->Run(job).ok());
}

TEST_P(FaceJobsTest, RunRefusesUnknownKindsAndBadPayloads) {
  jobs::Job job;
  job.kind = "paint_photo";
  job.payload = "{}";
  Status ran = jobs_->Run(job);
  ASSERT_FALSE(ran.ok());
  EXPECT_EQ(ran.error().code, ErrorCode::kInvalidArgument);

  job.kind = std::string(kMatchSelfieJob);
  for (const char* payload : {"{}", "not json", "{\"user_id\": \"7\"}", "[]"}) {
    job.payload = payload;
    Status bad = jobs_->Run(job);
    ASSERT_FALSE(bad.ok()) << payload;
    EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument) << payload;
  }
}

EVENTFACE_ALL_BACKENDS(FaceJobsTest);

}  // namespace
}  // namespace eventface::service
