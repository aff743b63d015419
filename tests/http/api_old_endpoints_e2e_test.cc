// The old service's five endpoints, which clients already call: their
// paths, statuses and meaning must not change.
#include <gtest/gtest.h>

#include <set>

#include "api_fixture.h"
#include "testing/shared_data.h"

namespace eventface::testing {
namespace {

class ApiOldEndpointsTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_NO_FATAL_FAILURE(AddUser("photographer", "amy@example.test"));
    amy_ = Login("amy@example.test");
    event_ = CreateEvent(amy_);
  }

  std::string event_path() const {
    return "/api/events/" + event_["id"].dump();
  }

  // The fields of a registration by `email`, with `extra` after them.
  static std::vector<MultipartPart> Account(
      const std::string& email, std::vector<MultipartPart> extra = {}) {
    std::vector<MultipartPart> parts = {
        {"name", "Someone"}, {"email", email}, {"password", "password123"}};
    parts.insert(parts.end(), extra.begin(), extra.end());
    return parts;
  }

  static MultipartPart Selfie(const std::string& path) {
    return {"selfie", ReadTestFile(path), "me.png", "image/png"};
  }

  // Whether `token` is a live session of `email`.
  void ExpectSignedIn(const std::string& token, const std::string& email) {
    HttpResponse me = Get("/api/me", token);
    ASSERT_EQ(me.status, 200) << me.body;
    EXPECT_EQ(BodyJson(me)["email"], email);
    EXPECT_EQ(BodyJson(me)["role"], "attendee");
  }

  HttpResponse Post(const std::string& path, const std::string& token) {
    return Send(HttpRequest("POST", path), token);
  }

  std::string amy_;
  nlohmann::json event_;
};

TEST_P(ApiOldEndpointsTest, RegisterWithEventCode) {
  EVENTFACE_REQUIRE_SHARED(shared);
  std::string selfie = (shared / "datasets/bbt/penny/penny1.png").string();
  const std::string kPath = "/api/register-with-event-code";
  std::string code = event_["code"];

  HttpResponse plain = PostMultipart(
      kPath, Account("plain@example.test", {{"event_code", code}}));
  ASSERT_EQ(plain.status, 201) << plain.body;
  nlohmann::json plain_body = BodyJson(plain);
  EXPECT_TRUE(plain_body["selfie_job_id"].is_null());
  EXPECT_EQ(plain_body["event"]["id"], event_["id"]);
  EXPECT_NE(plain.header("Set-Cookie").value_or("").find("eventface_session="),
            std::string::npos);
  ExpectSignedIn(plain_body["token"], "plain@example.test");
  EXPECT_EQ(Get("/api/me/selfie", plain_body["token"]).status, 404);

  HttpResponse with_selfie = PostMultipart(
      kPath,
      Account("selfie@example.test",
              {{"event_code", code}, {"consent", "true"}, Selfie(selfie)}));
  ASSERT_EQ(with_selfie.status, 201) << with_selfie.body;
  nlohmann::json selfie_body = BodyJson(with_selfie);
  ASSERT_TRUE(selfie_body["selfie_job_id"].is_number());
  ExpectSignedIn(selfie_body["token"], "selfie@example.test");
  EXPECT_EQ(Get("/api/me/selfie", selfie_body["token"]).status, 200);
  EXPECT_EQ(WaitForJob(selfie_body["selfie_job_id"], selfie_body["token"]),
            "done");

  HttpResponse no_consent =
      PostMultipart(kPath, Account("noconsent@example.test",
                                   {{"event_code", code}, Selfie(selfie)}));
  EXPECT_EQ(no_consent.status, 422) << no_consent.body;
  HttpResponse unknown = PostMultipart(
      kPath, Account("unknown@example.test", {{"event_code", "ZZZZZZZZ"}}));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  HttpResponse taken = PostMultipart(
      kPath, Account("plain@example.test", {{"event_code", code}}));
  EXPECT_EQ(taken.status, 409) << taken.body;
  // None of the refused registrations left an account behind.
  for (const char* email : {"noconsent@example.test", "unknown@example.test"}) {
    EXPECT_EQ(
        PostJson("/api/login", {{"email", email}, {"password", "password123"}})
            .status,
        401)
        << email;
  }
}

TEST_P(ApiOldEndpointsTest, RegisterInviteWithSelfie) {
  EVENTFACE_REQUIRE_SHARED(shared);
  std::string selfie = (shared / "datasets/bbt/penny/penny1.png").string();
  const std::string kPath = "/api/register-invite-with-selfie";
  HttpResponse open_invite =
      PostJson(event_path() + "/invites", nlohmann::json::object(), amy_);
  ASSERT_EQ(open_invite.status, 201) << open_invite.body;
  std::string token = BodyJson(open_invite)["token"];

  std::vector<MultipartPart> extra = {
      {"token", token}, {"consent", "true"}, Selfie(selfie)};
  HttpResponse first = PostMultipart(kPath, Account("one@example.test", extra));
  ASSERT_EQ(first.status, 201) << first.body;
  nlohmann::json registered = BodyJson(first);
  ExpectSignedIn(registered["token"], "one@example.test");
  EXPECT_EQ(registered["event"]["id"], event_["id"]);
  EXPECT_TRUE(registered["selfie_job_id"].is_number());
  HttpResponse again = PostMultipart(kPath, Account("two@example.test", extra));
  EXPECT_EQ(again.status, 409) << again.body;

  HttpResponse addressed = PostJson(event_path() + "/invites",
                                    {{"email", "leonard@example.test"}}, amy_);
  ASSERT_EQ(addressed.status, 201) << addressed.body;
  std::vector<MultipartPart> leonards = {
      {"token", BodyJson(addressed)["token"]},
      {"consent", "true"},
      Selfie(selfie)};
  HttpResponse stranger =
      PostMultipart(kPath, Account("sheldon@example.test", leonards));
  EXPECT_EQ(stranger.status, 403) << stranger.body;
  HttpResponse leonard =
      PostMultipart(kPath, Account("leonard@example.test", leonards));
  EXPECT_EQ(leonard.status, 201) << leonard.body;

  HttpResponse unknown = PostMultipart(
      kPath,
      Account("three@example.test",
              {{"token", "not-a-token"}, {"consent", "true"}, Selfie(selfie)}));
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  HttpResponse invites = Get(event_path() + "/invites", amy_);
  ASSERT_EQ(invites.status, 200);
  for (const auto& invite : BodyJson(invites)["invites"]) {
    EXPECT_FALSE(invite["used_at"].is_null()) << invite.dump();
  }
}

// A new selfie replaces the old one and recomputes the matches: another
// face empties the list, her own fills it again.
TEST_P(ApiOldEndpointsTest, UploadSelfieRecomputesMatches) {
  EVENTFACE_REQUIRE_SHARED(shared);
  std::string bbt = (shared / "datasets/bbt").string();
  int64_t event_id = event_["id"];
  auto photos = UploadPhotos(event_id, {bbt + "/groups/bbt3.jpg"}, amy_);
  HttpResponse registered =
      PostMultipart("/api/register-with-event-code",
                    Account("penny@example.test",
                            {{"event_code", event_["code"].get<std::string>()},
                             {"consent", "true"},
                             Selfie(bbt + "/penny/penny1.png")}));
  ASSERT_EQ(registered.status, 201) << registered.body;
  std::string penny = BodyJson(registered)["token"];
  const std::set<int64_t> hers = {photos["bbt3.jpg"]};
  EXPECT_TRUE(WaitFor([&] { return MyPhotoIds(event_id, penny) == hers; },
                      std::chrono::seconds(120)));

  auto upload = [&](const std::string& path) {
    HttpResponse uploaded = PostMultipart(
        "/api/upload-selfie", {{"consent", "true"}, Selfie(path)}, penny);
    EXPECT_EQ(uploaded.status, 202) << uploaded.body;
    nlohmann::json body = BodyJson(uploaded);
    EXPECT_EQ(body["status_url"], "/api/jobs/" + body["job_id"].dump());
    return WaitForJob(body["job_id"], penny);
  };
  EXPECT_EQ(upload(bbt + "/stuart/stuart1.png"), "done");
  EXPECT_EQ(MyPhotoIds(event_id, penny), std::set<int64_t>{});
  EXPECT_EQ(upload(bbt + "/penny/penny2.png"), "done");
  EXPECT_EQ(MyPhotoIds(event_id, penny), hers);

  HttpResponse no_consent = PostMultipart(
      "/api/upload-selfie", {Selfie(bbt + "/stuart/stuart1.png")}, penny);
  EXPECT_EQ(no_consent.status, 422) << no_consent.body;
  HttpResponse anonymous =
      PostMultipart("/api/upload-selfie",
                    {{"consent", "true"}, Selfie(bbt + "/stuart/stuart1.png")});
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  HttpResponse photographer = PostMultipart(
      "/api/upload-selfie",
      {{"consent", "true"}, Selfie(bbt + "/stuart/stuart1.png")}, amy_);
  EXPECT_EQ(photographer.status, 403) << photographer.body;
  EXPECT_EQ(MyPhotoIds(event_id, penny), hers);
}

TEST_P(ApiOldEndpointsTest, RematchRoutes) {
  ASSERT_NO_FATAL_FAILURE(AddUser("photographer", "bob@example.test"));
  ASSERT_NO_FATAL_FAILURE(AddUser("admin", "root@example.test"));
  std::string bob = Login("bob@example.test");
  std::string admin = Login("root@example.test");
  std::string id = event_["id"].dump();
  const std::string kAdminPath = "/api/admin/events/" + id + "/rematch";
  const std::string kOwnerPath = "/api/photographer/events/" + id + "/rematch";

  HttpResponse by_admin = Post(kAdminPath, admin);
  ASSERT_EQ(by_admin.status, 202) << by_admin.body;
  nlohmann::json admin_job = BodyJson(by_admin);
  EXPECT_EQ(admin_job["status_url"], "/api/jobs/" + admin_job["job_id"].dump());
  EXPECT_EQ(WaitForJob(admin_job["job_id"], admin), "done");
  HttpResponse by_owner = Post(kOwnerPath, amy_);
  ASSERT_EQ(by_owner.status, 202) << by_owner.body;
  EXPECT_EQ(WaitForJob(BodyJson(by_owner)["job_id"], amy_), "done");

  EXPECT_EQ(Post(kOwnerPath, bob).status, 403);
  EXPECT_EQ(Post(kOwnerPath, admin).status, 403);
  EXPECT_EQ(Post(kAdminPath, amy_).status, 403);
  EXPECT_EQ(Post(kAdminPath, bob).status, 403);
  EXPECT_EQ(Post(kOwnerPath, "").status, 401);
  EXPECT_EQ(Post(kAdminPath, "").status, 401);
  EXPECT_EQ(Post("/api/admin/events/999999/rematch", admin).status, 404);
  // The other photographer may not even read the owner's rematch job.
  EXPECT_EQ(Get("/api/jobs/" + BodyJson(by_owner)["job_id"].dump(), bob).status,
            404);
}

EVENTFACE_SERVER_BACKENDS(ApiOldEndpointsTest);

}  // namespace
}  // namespace eventface::testing
