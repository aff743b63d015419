// The whole story through the real server: a photographer's event, the
// bbt group photos, and attendees whose selfies find their photos.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api_fixture.h"
#include "testing/shared_data.h"

namespace eventface::testing {
namespace {

class ApiStoryTest : public ApiTest {};

TEST_P(ApiStoryTest, PennyFindsExactlyHerPhotos) {
  EVENTFACE_REQUIRE_SHARED(shared);
  std::string bbt = (shared / "datasets/bbt").string();
  AddUser("photographer", "amy@example.test");
  std::string amy = Login("amy@example.test");
  HttpResponse created =
      PostJson("/api/events", {{"name", "BBT"}, {"date", "2026-12-01"}}, amy);
  ASSERT_EQ(created.status, 201) << created.body;
  nlohmann::json event = BodyJson(created);
  std::string event_path = "/api/events/" + event["id"].dump();

  std::vector<MultipartPart> files;
  for (int i = 1; i <= 5; ++i) {
    std::string name = "bbt" + std::to_string(i) + ".jpg";
    files.push_back(
        {"photos", ReadTestFile(bbt + "/groups/" + name), name, "image/jpeg"});
  }
  HttpResponse uploaded = PostMultipart(event_path + "/photos", files, amy);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  std::map<int64_t, std::string> names;
  nlohmann::json uploaded_body = BodyJson(uploaded);
  for (const auto& photo : uploaded_body["photos"]) {
    names[photo["id"]] = photo["name"];
  }
  ASSERT_EQ(names.size(), 5u);

  HttpResponse registered =
      PostMultipart("/api/register-with-event-code",
                    {{"name", "Penny"},
                     {"email", "penny@example.test"},
                     {"password", "password123"},
                     {"event_code", event["code"]},
                     {"consent", "true"},
                     {"selfie", ReadTestFile(bbt + "/penny/penny1.png"),
                      "me.png", "image/png"}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  std::string penny = BodyJson(registered)["token"];

  std::string mine = "/api/me/events/" + event["id"].dump() + "/photos";
  std::set<std::string> found;
  ASSERT_TRUE(WaitFor(
      [&] {
        found.clear();
        nlohmann::json listed = BodyJson(Get(mine, penny));
        for (const auto& photo : listed["photos"]) {
          found.insert(names[photo["id"]]);
        }
        return found.size() >= 3;
      },
      std::chrono::seconds(60)));
  EXPECT_EQ(found, (std::set<std::string>{"bbt3.jpg", "bbt4.jpg", "bbt5.jpg"}));
}

EVENTFACE_SERVER_BACKENDS(ApiStoryTest);

}  // namespace
}  // namespace eventface::testing
