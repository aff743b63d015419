// Events, invites, photo uploads and rematch requests, as managers use them.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "service/events.h"
#include "service/job_kinds.h"
#include "service/photos.h"
#include "service/tokens.h"
#include "service_fixture.h"

namespace eventface::service {
namespace {

using ::eventface::testing::ServiceTest;
using store::Role;

constexpr char kPng[] = EVENTFACE_TEST_DATA "/grey_64.png";

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class EventsTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    owner_ = MakeUser("owner@example.test", Role::kPhotographer);
    other_ = MakeUser("other@example.test", Role::kPhotographer);
    admin_ = MakeUser("admin@example.test", Role::kAdmin);
    attendee_ = MakeUser("guest@example.test", Role::kAttendee);
  }

  store::Event MakeEvent(const Principal& who) {
    auto event =
        Events(context()).Create(who, {"Wedding", Timestamp(), 90, {}});
    EXPECT_TRUE(event) << event.error().message;
    return event ? *event : store::Event{};
  }

  Principal owner_, other_, admin_, attendee_;
};

TEST(EventCodeTest, CodesUseOnlyTheUnambiguousAlphabet) {
  for (int i = 0; i < 200; ++i) {
    std::string code = NewEventCode();
    ASSERT_EQ(code.size(), kEventCodeLength);
    EXPECT_EQ(code.find_first_not_of(kEventCodeAlphabet), std::string::npos)
        << code;
  }
  for (char confusable : std::string("01ILO")) {
    EXPECT_EQ(kEventCodeAlphabet.find(confusable), std::string::npos);
  }
  EXPECT_EQ(NormalizeEventCode(" abcd-efgh "), "ABCDEFGH");
}

TEST_P(EventsTest, PhotographerManagesOwnEventsOnly) {
  Events events(context());
  store::Event event = MakeEvent(owner_);
  EXPECT_EQ(event.owner_id, owner_.user_id);
  EXPECT_EQ(event.code.size(), kEventCodeLength);

  EXPECT_EQ(events.Get(other_, event.id).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(events.Update(other_, event.id, {.name = "Mine now"}).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(events.Delete(other_, event.id).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(
      events.Create(attendee_, {"Party", Timestamp(), 90, {}}).error().code,
      ErrorCode::kForbidden);
  EXPECT_EQ(events.Get(attendee_, event.id).error().code,
            ErrorCode::kForbidden);

  auto renamed = events.Update(owner_, event.id, {.name = "Reception"});
  ASSERT_TRUE(renamed) << renamed.error().message;
  EXPECT_EQ(renamed->name, "Reception");
  EXPECT_EQ(renamed->code, event.code);
  EXPECT_TRUE(events.Get(admin_, event.id));
  EXPECT_EQ(events.List(other_)->size(), 0u);
  EXPECT_EQ(events.List(owner_)->size(), 1u);
  EXPECT_EQ(events.List(admin_)->size(), 1u);

  ASSERT_TRUE(events.Delete(owner_, event.id));
  EXPECT_EQ(events.Get(owner_, event.id).error().code, ErrorCode::kNotFound);
}

TEST_P(EventsTest, BadEventFieldsAreRefused) {
  Events events(context());
  EXPECT_EQ(events.Create(owner_, {" ", Timestamp(), 90, {}}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(events.Create(owner_, {"E", Timestamp(), 0, {}}).error().code,
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(events.Create(owner_, {"E", Timestamp(), 90, 1.5}).error().code,
            ErrorCode::kInvalidArgument);
  store::Event event = MakeEvent(owner_);
  EXPECT_EQ(
      events.Update(owner_, event.id, {.retention_days = 5000}).error().code,
      ErrorCode::kInvalidArgument);
  EXPECT_EQ(events.List(owner_)->size(), 1u);
}

TEST_P(EventsTest, InvitesAreIssuedByManagersWithHashedTokens) {
  Events events(context());
  store::Event event = MakeEvent(owner_);
  auto invite = events.CreateInvite(
      owner_, event.id, {"Guest@Example.test", std::chrono::hours(1)});
  ASSERT_TRUE(invite) << invite.error().message;
  EXPECT_EQ(invite->invite.email, "guest@example.test");
  EXPECT_EQ(invite->invite.token_hash, TokenHash(invite->token));
  EXPECT_EQ(invite->invite.expires_at, clock().Now() + std::chrono::hours(1));
  EXPECT_EQ(events.CreateInvite(other_, event.id, {}).error().code,
            ErrorCode::kForbidden);
  auto listed = events.ListInvites(owner_, event.id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_NE(listed->front().token_hash, invite->token);
}

TEST_P(EventsTest, UploadStoresThePhotoAndQueuesItsIndexJobOnce) {
  store::Event event = MakeEvent(owner_);
  Photos photos(context());
  std::string png = ReadBytes(kPng);
  auto first = photos.Upload(owner_, event.id, png);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->is_new);
  EXPECT_EQ(wakes(), 1);
  auto job = queue().Get(first->job_id);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->kind, kIndexPhotoJob);
  EXPECT_EQ(job->lane, jobs::Lane::kBulk);
  EXPECT_EQ(nlohmann::json::parse(job->payload)["photo_id"], first->photo_id);

  auto again = photos.Upload(owner_, event.id, png);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->is_new);
  EXPECT_EQ(again->photo_id, first->photo_id);
  EXPECT_EQ(*queue().Depth(jobs::Lane::kBulk), 1);

  auto listed = photos.List(owner_, event.id);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().state, store::PhotoState::kQueued);
  EXPECT_TRUE(media().Read(listed->front().media_key));
}

TEST_P(EventsTest, BadUploadsAreRefusedAndNothingIsStored) {
  store::Event event = MakeEvent(owner_);
  Photos small_photos(context(), {.max_bytes = 50});
  Photos photos(context());
  std::string png = ReadBytes(kPng);
  EXPECT_EQ(photos.Upload(other_, event.id, png).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(photos.Upload(owner_, event.id + 1000, png).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(photos.Upload(owner_, event.id, "GIF89a not really").error().code,
            ErrorCode::kUnsupportedFormat);
  auto truncated = photos.Upload(owner_, event.id, png.substr(0, 30));
  ASSERT_FALSE(truncated);
  EXPECT_EQ(truncated.error().code, ErrorCode::kCorruptData);
  EXPECT_EQ(small_photos.Upload(owner_, event.id, png).error().code,
            ErrorCode::kTooLarge);
  EXPECT_EQ(photos.List(owner_, event.id)->size(), 0u);
  EXPECT_EQ(*queue().Depth(jobs::Lane::kBulk), 0);
  EXPECT_FALSE(std::filesystem::exists(media().root()) &&
               !std::filesystem::is_empty(media().root()));
}

TEST_P(EventsTest, DeletingAPhotoRemovesItsFileUnlessSharedElsewhere) {
  store::Event first = MakeEvent(owner_);
  store::Event second = MakeEvent(owner_);
  Photos photos(context());
  std::string png = ReadBytes(kPng);
  auto in_first = photos.Upload(owner_, first.id, png);
  auto in_second = photos.Upload(owner_, second.id, png);
  ASSERT_TRUE(in_first && in_second);
  std::string key = photos.List(owner_, first.id)->front().media_key;

  EXPECT_EQ(photos.Delete(other_, in_first->photo_id).error().code,
            ErrorCode::kForbidden);
  ASSERT_TRUE(photos.Delete(owner_, in_first->photo_id));
  EXPECT_TRUE(media().Read(key)) << "the second event still uses the file";
  ASSERT_TRUE(photos.Delete(admin_, in_second->photo_id));
  EXPECT_EQ(media().Read(key).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(photos.Delete(owner_, in_second->photo_id).error().code,
            ErrorCode::kNotFound);
}

TEST_P(EventsTest, RematchIsCoalescedAndRouteChecked) {
  Events events(context());
  store::Event event = MakeEvent(owner_);
  using Route = Events::RematchRoute;
  auto first = events.Rematch(owner_, event.id, Route::kPhotographer);
  ASSERT_TRUE(first) << first.error().message;
  auto second = events.Rematch(admin_, event.id, Route::kAdmin);
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(events.Rematch(owner_, event.id, Route::kAdmin).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(events.Rematch(other_, event.id, Route::kPhotographer).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(
      events.Rematch(attendee_, event.id, Route::kPhotographer).error().code,
      ErrorCode::kForbidden);

  EXPECT_EQ(events.GetJob(owner_, *first)->kind, kRematchEventJob);
  EXPECT_TRUE(events.GetJob(admin_, *first));
  EXPECT_EQ(events.GetJob(other_, *first).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(events.GetJob(attendee_, *first).error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(events.GetJob(admin_, *first + 100).error().code,
            ErrorCode::kNotFound);
}

EVENTFACE_ALL_BACKENDS(EventsTest);

}  // namespace
}  // namespace eventface::service
