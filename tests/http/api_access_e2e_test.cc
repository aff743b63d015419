// Who may call what: every API route against every kind of caller, on a
// real server. 401 without a session wherever one is needed, 403 for the
// wrong role or someone else's event, 404 where an id must reveal nothing
// (another attendee's photos and jobs).
#include <gtest/gtest.h>

#include <array>
#include <set>

#include "api_fixture.h"
#include "testing/shared_data.h"

namespace eventface::testing {
namespace {

// The callers, in the order each route is tried with them.
enum Caller {
  kNobody,
  kAttendee,           // penny: a member of amy's event, in photo P
  kOtherAttendee,      // leonard: a member too, in P and Q
  kOwner,              // amy: the photographer of the event
  kOtherPhotographer,  // bob
  kAdmin,
  kCallers
};

constexpr const char* kCallerNames[kCallers] = {
    "nobody", "attendee",           "other attendee",
    "owner",  "other photographer", "admin"};

constexpr int kUntried = 0;  // tried elsewhere: the call would change state

struct Case {
  std::string method;
  std::string path;
  std::array<int, kCallers> expected;
  nlohmann::json json = nullptr;       // sent as the body unless null
  std::vector<MultipartPart> parts{};  // sent as the body unless empty
};

class ApiAccessTest : public ApiTest {
 protected:
  // Sends `c` as each caller and checks the status.
  void Check(const Case& c) {
    for (int caller : CallOrder(c)) {
      HttpRequest request(c.method, c.path);
      if (!c.parts.empty()) {
        auto [body, type] = EncodeMultipart(c.parts);
        request.headers.emplace_back("Content-Type", type);
        request.body = body;
      } else if (!c.json.is_null()) {
        request.headers.emplace_back("Content-Type", "application/json");
        request.body = c.json.dump();
      }
      HttpResponse response = Send(request, tokens_[caller]);
      EXPECT_EQ(response.status, c.expected[caller])
          << c.method << " " << c.path << " as " << kCallerNames[caller] << ": "
          << response.body;
      if (response.status >= 400) ExpectErrorShape(response);
    }
  }

  // The callers to try `c` with: refusals first, so that a call that
  // changes something (deleting, say) comes after the ones it would
  // change the answer of.
  static std::vector<int> CallOrder(const Case& c) {
    std::vector<int> order;
    for (bool refused : {true, false}) {
      for (int caller = 0; caller < kCallers; ++caller) {
        int expected = c.expected[caller];
        if (expected != kUntried && (expected >= 400) == refused) {
          order.push_back(caller);
        }
      }
    }
    return order;
  }

  static void ExpectErrorShape(const HttpResponse& response) {
    nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << response.body;
    EXPECT_TRUE(body["error"]["code"].is_string()) << response.body;
    EXPECT_TRUE(body["error"]["message"].is_string()) << response.body;
  }

  nlohmann::json RegisterWithSelfie(const std::string& name,
                                    const std::string& code,
                                    const std::string& selfie) {
    HttpResponse registered = PostMultipart(
        "/api/register-with-event-code",
        {{"name", name},
         {"email", name + "@example.test"},
         {"password", "password123"},
         {"event_code", code},
         {"consent", "true"},
         {"selfie", ReadTestFile(selfie), "me.png", "image/png"}});
    EXPECT_EQ(registered.status, 201) << registered.body;
    return BodyJson(registered);
  }

  // The id of the user with `email`, as the admin lists them.
  int64_t UserId(const std::string& email) {
    nlohmann::json users = BodyJson(Get("/api/admin/users", tokens_[kAdmin]));
    for (const auto& user : users["users"]) {
      if (user["email"] == email) return user["id"];
    }
    ADD_FAILURE() << "no user " << email;
    return 0;
  }

  HttpResponse WithCookie(const std::string& method, const std::string& path,
                          const std::string& cookie) {
    return Send(HttpRequest(method, path, {{"Cookie", cookie}}));
  }

  std::array<std::string, kCallers> tokens_;
};

TEST_P(ApiAccessTest, EveryRouteAgainstEveryCaller) {
  EVENTFACE_REQUIRE_SHARED(shared);
  std::string bbt = (shared / "datasets/bbt").string();
  AddUser("photographer", "amy@example.test");
  AddUser("photographer", "bob@example.test");
  AddUser("admin", "root@example.test");
  AddUser("attendee", "temp@example.test");
  tokens_[kOwner] = Login("amy@example.test");
  tokens_[kOtherPhotographer] = Login("bob@example.test");
  tokens_[kAdmin] = Login("root@example.test");
  nlohmann::json event = CreateEvent(tokens_[kOwner]);
  std::string code = event["code"];
  int64_t event_id = event["id"];
  std::string spare_event = CreateEvent(tokens_[kOwner], "Spare")["id"].dump();
  std::string other_spare =
      CreateEvent(tokens_[kOwner], "Other spare")["id"].dump();
  std::string temp_user = std::to_string(UserId("temp@example.test"));

  // P has penny and leonard in it, Q leonard only.
  std::string p_file = bbt + "/groups/bbt3.jpg";
  HttpResponse uploaded =
      PostMultipart("/api/events/" + std::to_string(event_id) + "/photos",
                    {{"photos", ReadTestFile(p_file), "p.jpg", "image/jpeg"},
                     {"photos", ReadTestFile(bbt + "/groups/bbt2.jpg"), "q.jpg",
                      "image/jpeg"}},
                    tokens_[kOwner]);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  nlohmann::json uploaded_photos = BodyJson(uploaded)["photos"];
  ASSERT_EQ(uploaded_photos.size(), 2u);
  int64_t p_id = uploaded_photos[0]["id"];
  int64_t q_id = uploaded_photos[1]["id"];
  std::string p = std::to_string(p_id);
  std::string q = std::to_string(q_id);
  std::string p_index_job = uploaded_photos[0]["job_id"].dump();
  nlohmann::json penny =
      RegisterWithSelfie("penny", code, bbt + "/penny/penny1.png");
  nlohmann::json leonard =
      RegisterWithSelfie("leonard", code, bbt + "/leonard/leonard1.png");
  tokens_[kAttendee] = penny["token"];
  tokens_[kOtherAttendee] = leonard["token"];
  std::string penny_job = penny["selfie_job_id"].dump();

  // Wait for the face work, so that each photo is matched as it will stay.
  nlohmann::json listed = WaitForIndexed(event_id, tokens_[kOwner]);
  for (const auto& photo : listed["photos"]) {
    ASSERT_EQ(photo["state"], "indexed") << photo.dump();
  }
  EXPECT_EQ(WaitForJob(penny["selfie_job_id"], tokens_[kAttendee]), "done");
  EXPECT_EQ(WaitForJob(leonard["selfie_job_id"], tokens_[kOtherAttendee]),
            "done");
  const std::set<int64_t> pennys = {p_id};
  const std::set<int64_t> leonards = {p_id, q_id};
  ASSERT_EQ(MyPhotoIds(event_id, tokens_[kAttendee]), pennys);
  ASSERT_EQ(MyPhotoIds(event_id, tokens_[kOtherAttendee]), leonards);
  std::string e = "/api/events/" + std::to_string(event_id);
  MultipartPart selfie{"selfie", ReadTestFile(bbt + "/penny/penny1.png"),
                       "me.png", "image/png"};
  const std::vector<Case> cases = {
      {"GET", "/api/me", {401, 200, 200, 200, 200, 200}},
      {"GET", "/api/admin/users", {401, 403, 403, 403, 403, 200}},
      {"POST",
       "/api/admin/users",
       {401, 403, 403, 403, 403, 201},
       {{"email", "new@example.test"},
        {"name", "New"},
        {"role", "attendee"},
        {"password", "password123"}}},
      {"PUT",
       "/api/admin/users/" + temp_user,
       {401, 403, 403, 403, 403, 204},
       {{"name", "Renamed"}}},
      {"DELETE",
       "/api/admin/users/" + temp_user,
       {401, 403, 403, 403, 403, 204}},
      {"POST",
       "/api/events",
       {401, 403, 403, 201, 201, 201},
       {{"name", "Another"}, {"date", "2026-12-02"}}},
      {"GET", "/api/events", {401, 200, 200, 200, 200, 200}},
      {"GET", e, {401, 200, 200, 200, 403, 200}},
      {"PUT", e, {401, 403, 403, 200, 403, 200}, {{"name", "BBT party"}}},
      {"POST",
       e + "/invites",
       {401, 403, 403, 201, 403, 201},
       nlohmann::json::object()},
      {"GET", e + "/invites", {401, 403, 403, 200, 403, 200}},
      {"POST",
       e + "/photos",
       {401, 403, 403, 200, 403, 200},
       nullptr,
       {{"photos", ReadTestFile(p_file), "bbt3.jpg", "image/jpeg"}}},
      {"GET", e + "/photos", {401, 403, 403, 200, 403, 200}},
      {"GET", "/api/jobs/" + p_index_job, {401, 404, 404, 200, 404, 200}},
      {"GET", "/api/jobs/" + penny_job, {401, 200, 404, 404, 404, 200}},
      {"GET", "/api/jobs/999999", {401, 404, 404, 404, 404, 404}},
      {"GET", "/api/me/selfie", {401, 200, 200, 404, 404, 404}},
      {"POST",
       "/api/upload-selfie",
       {401, kUntried, kUntried, 403, 403, 403},
       nullptr,
       {{"consent", "true"}, selfie}},
      {"DELETE", "/api/me/selfie", {401, kUntried, kUntried, 404, 404, 404}},
      {"GET", "/api/me/events", {401, 200, 200, 200, 200, 200}},
      {"GET",
       "/api/me/events/" + std::to_string(event_id) + "/photos",
       {401, 200, 200, 403, 403, 403}},
      {"GET", "/api/photos/" + p + "/original", {401, 200, 200, 200, 404, 200}},
      {"GET", "/api/photos/" + p + "/preview", {401, 200, 200, 200, 404, 200}},
      {"GET",
       "/api/photos/" + p + "/thumbnail",
       {401, 200, 200, 200, 404, 200}},
      {"GET", "/api/photos/" + q + "/original", {401, 404, 200, 200, 404, 200}},
      {"GET", "/api/photos/" + q + "/preview", {401, 404, 200, 200, 404, 200}},
      {"GET",
       "/api/photos/" + q + "/thumbnail",
       {401, 404, 200, 200, 404, 200}},
      {"GET", "/api/photos/999999/original", {401, 404, 404, 404, 404, 404}},
      {"POST",
       "/api/me/photos/" + q + "/not-me",
       {401, 404, kUntried, 404, 404, 404}},
      {"POST",
       "/api/me/photos/" + p + "/not-me",
       {401, 204, 204, 404, 404, 404}},
      // Disowned, P is no longer either attendee's to download.
      {"GET", "/api/photos/" + p + "/original", {401, 404, 404, 200, 404, 200}},
      {"POST",
       "/api/events/join",
       {401, 200, 200, 403, 403, 403},
       {{"event_code", code}}},
      {"POST",
       "/api/login",
       {401, 401, 401, 401, 401, 401},
       {{"email", "amy@example.test"}, {"password", "wrong-password"}}},
      {"POST",
       "/api/register-with-event-code",
       {404, 404, 404, 404, 404, 404},
       {{"name", "X"},
        {"email", "x@example.test"},
        {"password", "password123"},
        {"event_code", "ZZZZZZZZ"}}},
      {"POST",
       "/api/register-invite-with-selfie",
       {404, 404, 404, 404, 404, 404},
       nullptr,
       {{"token", "no-such-invite"},
        {"name", "X"},
        {"email", "x@example.test"},
        {"password", "password123"},
        {"consent", "true"},
        selfie}},
      {"DELETE", "/api/photos/" + q, {401, 403, 403, 204, 403, kUntried}},
      {"DELETE", "/api/photos/" + p, {401, 403, 403, kUntried, 403, 204}},
      {"DELETE",
       "/api/events/" + spare_event,
       {401, 403, 403, 204, 403, kUntried}},
      {"DELETE",
       "/api/events/" + other_spare,
       {401, 403, 403, kUntried, 403, 204}},
      // Every photographer and the admin own an event by now.
      {"DELETE", "/api/me", {401, kUntried, kUntried, 409, 409, 409}},
      {"POST",
       "/api/admin/events/" + std::to_string(event_id) + "/rematch",
       {401, 403, 403, 403, 403, 202}},
      {"POST",
       "/api/photographer/events/" + std::to_string(event_id) + "/rematch",
       {401, 403, 403, 202, 403, 403}},
  };
  for (const Case& c : cases) Check(c);

  // Lists show each caller only their own.
  auto event_ids = [&](Caller caller) {
    std::set<int64_t> ids;
    nlohmann::json events = BodyJson(Get("/api/events", tokens_[caller]));
    for (const auto& listed_event : events["events"]) {
      ids.insert(listed_event["id"].get<int64_t>());
    }
    return ids;
  };
  EXPECT_FALSE(event_ids(kOtherPhotographer).contains(event_id));
  EXPECT_TRUE(event_ids(kOwner).contains(event_id));
  EXPECT_EQ(event_ids(kAttendee), std::set<int64_t>{event_id});
  EXPECT_EQ(MyPhotoIds(event_id, tokens_[kAttendee]), std::set<int64_t>{});
}

// Bearer tokens and the session cookie open the same sessions; anything
// else opens none, and signing out ends exactly the session it names.
TEST_P(ApiAccessTest, SessionsByTokenAndCookie) {
  AddUser("attendee", "penny@example.test");
  std::string token = Login("penny@example.test");
  ASSERT_FALSE(token.empty());

  HttpResponse login = PostJson("/api/login", {{"email", "penny@example.test"},
                                               {"password", "password123"}});
  std::string cookie = login.header("Set-Cookie").value_or("");
  std::string second = BodyJson(login)["token"];
  EXPECT_TRUE(cookie.starts_with("eventface_session=" + second)) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;

  HttpResponse by_cookie =
      WithCookie("GET", "/api/me", "eventface_session=" + token);
  ASSERT_EQ(by_cookie.status, 200) << by_cookie.body;
  EXPECT_EQ(BodyJson(by_cookie)["email"], "penny@example.test");
  EXPECT_EQ(WithCookie("GET", "/api/me",
                       "theme=dark; eventface_session=" + token + "; x=1")
                .status,
            200);

  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  for (const std::string& bad :
       {forged, token.substr(0, token.size() / 2), std::string("x"),
        std::string(token.size(), '0')}) {
    HttpResponse by_bearer = Get("/api/me", bad);
    EXPECT_EQ(by_bearer.status, 401) << bad;
    ExpectErrorShape(by_bearer);
    EXPECT_EQ(WithCookie("GET", "/api/me", "eventface_session=" + bad).status,
              401)
        << bad;
  }
  EXPECT_EQ(WithCookie("GET", "/api/me", "other_session=" + token).status, 401);
  EXPECT_EQ(
      Send(HttpRequest("GET", "/api/me", {{"Authorization", token}})).status,
      401);

  // Signing out by bearer ends that session only.
  HttpResponse logout = Send(HttpRequest("POST", "/api/logout"), second);
  EXPECT_EQ(logout.status, 204) << logout.body;
  std::string cleared = logout.header("Set-Cookie").value_or("");
  EXPECT_TRUE(cleared.starts_with("eventface_session=;")) << cleared;
  EXPECT_EQ(Get("/api/me", second).status, 401);
  EXPECT_EQ(WithCookie("GET", "/api/me", "eventface_session=" + second).status,
            401);
  EXPECT_EQ(Get("/api/me", token).status, 200);

  // Signing out by cookie ends the cookie's session.
  EXPECT_EQ(
      WithCookie("POST", "/api/logout", "eventface_session=" + token).status,
      204);
  EXPECT_EQ(Get("/api/me", token).status, 401);
  // Signing out again, or without a session, is harmless.
  EXPECT_EQ(Send(HttpRequest("POST", "/api/logout"), token).status, 204);
  EXPECT_EQ(Send(HttpRequest("POST", "/api/logout")).status, 204);

  // An attendee who deletes their account can no longer sign in.
  std::string third = Login("penny@example.test");
  EXPECT_EQ(Delete("/api/me", third).status, 204);
  EXPECT_EQ(Get("/api/me", third).status, 401);
  EXPECT_EQ(PostJson("/api/login", {{"email", "penny@example.test"},
                                    {"password", "password123"}})
                .status,
            401);
}

EVENTFACE_SERVER_BACKENDS(ApiAccessTest);

}  // namespace
}  // namespace eventface::testing
