// Registration, invites and selfies, as attendees use them. Matching
// itself is face_jobs_test.cc's; the whole story runs end to end in
// tests/http/api_e2e_test.cc.
#include "service/attendees.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "service/events.h"
#include "service/job_kinds.h"
#include "service_fixture.h"

namespace eventface::service {
namespace {

using ::eventface::testing::ServiceTest;
using store::Role;

std::string GreyPng() {
  std::ifstream in(EVENTFACE_TEST_DATA "/grey_64.png", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class AttendeesTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    accounts_ = std::make_unique<Accounts>(context());
    attendees_ = std::make_unique<Attendees>(context(), *accounts_);
    owner_ = MakeUser("owner@example.test", Role::kPhotographer);
    auto event =
        Events(context()).Create(owner_, {"Wedding", Timestamp(), 90, {}});
    ASSERT_TRUE(event) << event.error().message;
    event_ = *event;
    selfie_ = GreyPng();
  }

  Registration Guest(const std::string& email, bool with_selfie,
                     bool consent = true) {
    Registration registration{"Guest", email, "password1", std::nullopt};
    if (with_selfie) registration.selfie = SelfieUpload{selfie_, consent};
    return registration;
  }

  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<Attendees> attendees_;
  Principal owner_;
  store::Event event_;
  std::string selfie_;
};

TEST_P(AttendeesTest, RegisteringWithTheCodeJoinsAndQueuesTheSelfie) {
  auto registered = attendees_->RegisterWithEventCode(
      event_.code, Guest("guest@example.test", true));
  ASSERT_TRUE(registered) << registered.error().message;
  EXPECT_EQ(registered->event.id, event_.id);
  ASSERT_TRUE(registered->selfie_job_id);
  auto job = queue().Get(*registered->selfie_job_id);
  EXPECT_EQ(job->kind, kMatchSelfieJob);
  EXPECT_EQ(job->lane, jobs::Lane::kInteractive);
  EXPECT_EQ(wakes(), 1);

  Principal guest = registered->session.user;
  EXPECT_EQ(guest.role, Role::kAttendee);
  EXPECT_EQ(accounts_->Authenticate(registered->session.token)->user_id,
            guest.user_id);
  auto selfie = attendees_->GetSelfie(guest);
  ASSERT_TRUE(selfie);
  EXPECT_EQ(selfie->state, store::SelfieState::kQueued);
  EXPECT_EQ(selfie->consent_at, clock().Now());
  auto joined = Events(context()).List(guest);
  ASSERT_EQ(joined->size(), 1u);
}

TEST_P(AttendeesTest, CodeIsReadForgivingly) {
  std::string typed = event_.code.substr(0, 4) + "-" + event_.code.substr(4);
  for (char& c : typed) c = static_cast<char>(std::tolower(c));
  auto registered = attendees_->RegisterWithEventCode(
      typed, Guest("guest@example.test", false));
  ASSERT_TRUE(registered) << registered.error().message;
  EXPECT_FALSE(registered->selfie_job_id);
  EXPECT_EQ(attendees_->GetSelfie(registered->session.user).error().code,
            ErrorCode::kNotFound);
}

TEST_P(AttendeesTest, RefusedRegistrationsLeaveNothingBehind) {
  auto no_consent = attendees_->RegisterWithEventCode(
      event_.code, Guest("a@example.test", true, false));
  EXPECT_EQ(no_consent.error().code, ErrorCode::kUnprocessable);
  auto bad_code = attendees_->RegisterWithEventCode(
      "ZZZZZZZZ", Guest("b@example.test", true));
  EXPECT_EQ(bad_code.error().code, ErrorCode::kNotFound);
  Registration not_image = Guest("c@example.test", false);
  not_image.selfie = SelfieUpload{"%PDF-1.4 not a selfie", true};
  EXPECT_EQ(
      attendees_->RegisterWithEventCode(event_.code, not_image).error().code,
      ErrorCode::kUnsupportedFormat);
  EXPECT_EQ(*accounts_->Count(), 1);  // the owner alone
  EXPECT_EQ(*queue().Depth(jobs::Lane::kInteractive), 0);

  ASSERT_TRUE(attendees_->RegisterWithEventCode(
      event_.code, Guest("d@example.test", false)));
  auto taken = attendees_->RegisterWithEventCode(event_.code,
                                                 Guest("D@example.test", true));
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_EQ(*queue().Depth(jobs::Lane::kInteractive), 0);
}

TEST_P(AttendeesTest, InviteWorksOnceForItsEmailBeforeItExpires) {
  Events events(context());
  auto invite = events.CreateInvite(
      owner_, event_.id, {"guest@example.test", std::chrono::hours(1)});
  ASSERT_TRUE(invite);
  auto wrong_email = attendees_->RegisterWithInvite(
      invite->token, Guest("other@example.test", true));
  EXPECT_EQ(wrong_email.error().code, ErrorCode::kForbidden);
  auto no_selfie = attendees_->RegisterWithInvite(
      invite->token, Guest("guest@example.test", false));
  EXPECT_EQ(no_selfie.error().code, ErrorCode::kInvalidArgument);
  auto forged = attendees_->RegisterWithInvite(
      invite->token + "x", Guest("guest@example.test", true));
  EXPECT_EQ(forged.error().code, ErrorCode::kNotFound);

  auto registered = attendees_->RegisterWithInvite(
      invite->token, Guest("guest@example.test", true));
  ASSERT_TRUE(registered) << registered.error().message;
  EXPECT_EQ(registered->event.id, event_.id);
  EXPECT_TRUE(registered->selfie_job_id);
  auto again = attendees_->RegisterWithInvite(
      invite->token, Guest("guest@example.test", true));
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);

  auto open = events.CreateInvite(owner_, event_.id,
                                  {std::nullopt, std::chrono::hours(1)});
  clock().Advance(std::chrono::hours(1));
  auto expired = attendees_->RegisterWithInvite(
      open->token, Guest("late@example.test", true));
  EXPECT_EQ(expired.error().code, ErrorCode::kForbidden);
}

TEST_P(AttendeesTest, NewSelfieReplacesTheOldAndItsFile) {
  auto registered = attendees_->RegisterWithEventCode(
      event_.code, Guest("guest@example.test", true));
  ASSERT_TRUE(registered);
  Principal guest = registered->session.user;
  std::string old_key = attendees_->GetSelfie(guest)->media_key;

  std::string other = selfie_;
  other.append("trailing bytes make other content");
  EXPECT_EQ(attendees_->UploadSelfie(guest, {other, false}).error().code,
            ErrorCode::kUnprocessable);
  auto job = attendees_->UploadSelfie(guest, {other, true});
  ASSERT_TRUE(job) << job.error().message;
  std::string new_key = attendees_->GetSelfie(guest)->media_key;
  EXPECT_NE(new_key, old_key);
  EXPECT_EQ(media().Read(old_key).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(media().Read(new_key));
  // One queued match job per attendee: it reads the current selfie.
  EXPECT_EQ(*job, *registered->selfie_job_id);
  EXPECT_EQ(attendees_->UploadSelfie(owner_, {other, true}).error().code,
            ErrorCode::kForbidden);
}

TEST_P(AttendeesTest, DeletingTheSelfieOrTheAccountRemovesTheFile) {
  auto first = attendees_->RegisterWithEventCode(
      event_.code, Guest("one@example.test", true));
  ASSERT_TRUE(first);
  Principal one = first->session.user;
  std::string key = attendees_->GetSelfie(one)->media_key;
  ASSERT_TRUE(attendees_->DeleteSelfie(one));
  EXPECT_EQ(media().Read(key).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(attendees_->DeleteSelfie(one).error().code, ErrorCode::kNotFound);

  auto second = attendees_->RegisterWithEventCode(
      event_.code, Guest("two@example.test", true));
  ASSERT_TRUE(second);
  Principal two = second->session.user;
  ASSERT_TRUE(attendees_->DeleteAccount(two));
  EXPECT_EQ(media().Read(key).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(accounts_->Authenticate(second->session.token).error().code,
            ErrorCode::kUnauthenticated);
}

TEST_P(AttendeesTest, OnlyMembersSeeTheirPhotosAndNobodyElsesFiles) {
  auto registered = attendees_->RegisterWithEventCode(
      event_.code, Guest("guest@example.test", false));
  ASSERT_TRUE(registered);
  Principal guest = registered->session.user;
  Principal stranger = MakeUser("stranger@example.test", Role::kAttendee);
  EXPECT_TRUE(attendees_->MyPhotos(guest, event_.id)->empty());
  EXPECT_EQ(attendees_->MyPhotos(stranger, event_.id).error().code,
            ErrorCode::kForbidden);

  auto photo = Photos(context()).Upload(owner_, event_.id, selfie_);
  ASSERT_TRUE(photo);
  EXPECT_TRUE(
      attendees_->PhotoFile(owner_, photo->photo_id, PhotoFileKind::kOriginal));
  EXPECT_EQ(
      attendees_->PhotoFile(owner_, photo->photo_id, PhotoFileKind::kThumbnail)
          .error()
          .code,
      ErrorCode::kNotFound);
  EXPECT_EQ(
      attendees_->PhotoFile(guest, photo->photo_id, PhotoFileKind::kOriginal)
          .error()
          .code,
      ErrorCode::kNotFound);
  EXPECT_EQ(attendees_->NotMe(guest, photo->photo_id).error().code,
            ErrorCode::kNotFound);
}

TEST_P(AttendeesTest, JoiningAnotherEventRequeuesTheSelfie) {
  auto registered = attendees_->RegisterWithEventCode(
      event_.code, Guest("guest@example.test", true));
  ASSERT_TRUE(registered);
  Principal guest = registered->session.user;
  auto second =
      Events(context()).Create(owner_, {"Party", Timestamp(), 90, {}});
  ASSERT_TRUE(second);
  auto joined = attendees_->Join(guest, second->code);
  ASSERT_TRUE(joined) << joined.error().message;
  EXPECT_EQ(joined->id, second->id);
  EXPECT_EQ(Events(context()).List(guest)->size(), 2u);
  EXPECT_EQ(attendees_->Join(guest, "ZZZZZZZZ").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(attendees_->Join(owner_, second->code).error().code,
            ErrorCode::kForbidden);
}

EVENTFACE_ALL_BACKENDS(AttendeesTest);

}  // namespace
}  // namespace eventface::service
