// The whole story through the real server: a photographer's event, the
// bbt group photos, and attendees whose selfies find their photos.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "api_fixture.h"
#include "testing/shared_data.h"

namespace eventface::testing {
namespace {

constexpr auto kMatchTimeout = std::chrono::seconds(120);

class ApiStoryTest : public ApiTest {
 protected:
  // Registers an attendee of the event with `code` with the selfie at
  // `selfie_path`; returns the registration's JSON.
  nlohmann::json Register(const std::string& name, const std::string& code,
                          const std::string& selfie_path) {
    HttpResponse registered = PostMultipart(
        "/api/register-with-event-code",
        {{"name", name},
         {"email", name + "@example.test"},
         {"password", "password123"},
         {"event_code", code},
         {"consent", "true"},
         {"selfie", ReadTestFile(selfie_path), "me.png", "image/png"}});
    EXPECT_EQ(registered.status, 201) << registered.body;
    return BodyJson(registered);
  }

  // The names of `ids` in `names`.
  static std::set<std::string> NamesOf(
      const std::set<int64_t>& ids,
      const std::map<std::string, int64_t>& names) {
    std::set<std::string> found;
    for (const auto& [name, id] : names) {
      if (ids.contains(id)) found.insert(name);
    }
    return found;
  }
};

// Photos before and after the selfie, a stranger who is in none of them,
// the photographer's view, downloads, and "not me" surviving a rematch.
TEST_P(ApiStoryTest, SelfiesFindTheirPhotosWhicheverComesFirst) {
  EVENTFACE_REQUIRE_SHARED(shared);
  std::string bbt = (shared / "datasets/bbt").string();
  AddUser("photographer", "amy@example.test");
  std::string amy = Login("amy@example.test");
  nlohmann::json event = CreateEvent(amy);
  int64_t event_id = event["id"];

  auto names = UploadPhotos(
      event_id, {bbt + "/groups/bbt1.jpg", bbt + "/groups/bbt2.jpg"}, amy);
  nlohmann::json penny_reg =
      Register("penny", event["code"], bbt + "/penny/penny1.png");
  nlohmann::json stuart_reg =
      Register("stuart", event["code"], bbt + "/stuart/stuart1.png");
  std::string penny = penny_reg["token"];
  std::string stuart = stuart_reg["token"];
  EXPECT_EQ(WaitForJob(penny_reg["selfie_job_id"], penny), "done");
  EXPECT_EQ(MyPhotoIds(event_id, penny), std::set<int64_t>{});

  // Photos uploaded after her selfie find her by themselves.
  auto later = UploadPhotos(event_id,
                            {bbt + "/groups/bbt3.jpg", bbt + "/groups/bbt4.jpg",
                             bbt + "/groups/bbt5.jpg"},
                            amy);
  names.insert(later.begin(), later.end());
  const std::set<std::string> hers = {"bbt3.jpg", "bbt4.jpg", "bbt5.jpg"};
  std::set<int64_t> found;
  EXPECT_TRUE(WaitFor(
      [&] {
        found = MyPhotoIds(event_id, penny);
        return found.size() >= hers.size();
      },
      kMatchTimeout));
  EXPECT_EQ(NamesOf(found, names), hers);

  // The photographer sees every photo indexed, with its faces counted.
  nlohmann::json listed = WaitForIndexed(event_id, amy);
  // The faces labels.json counts; bbt2 has blurred faces behind its two.
  std::map<std::string, int> faces = {{"bbt1.jpg", 4},
                                      {"bbt2.jpg", 2},
                                      {"bbt3.jpg", 5},
                                      {"bbt4.jpg", 6},
                                      {"bbt5.jpg", 5}};
  ASSERT_EQ(listed["photos"].size(), 5u) << listed.dump();
  std::map<int64_t, nlohmann::json> by_id;
  for (const auto& photo : listed["photos"]) by_id[photo["id"]] = photo;
  for (const auto& [name, id] : names) {
    const nlohmann::json& photo = by_id[id];
    EXPECT_EQ(photo["state"], "indexed") << name;
    EXPECT_FALSE(photo["indexed_at"].is_null()) << name;
    if (name == "bbt2.jpg") {
      EXPECT_GE(photo["face_count"].get<int>(), faces[name]) << name;
    } else {
      EXPECT_EQ(photo["face_count"].get<int>(), faces[name]) << name;
    }
  }
  EXPECT_EQ(WaitForJob(stuart_reg["selfie_job_id"], stuart), "done");
  EXPECT_EQ(MyPhotoIds(event_id, stuart), std::set<int64_t>{});

  // Each of her photos downloads in every size; the original is the very
  // file the photographer uploaded.
  for (const std::string& name : hers) {
    std::string files = "/api/photos/" + std::to_string(names[name]) + "/";
    for (const char* kind : {"thumbnail", "preview", "original"}) {
      HttpResponse file = Get(files + kind, penny);
      ASSERT_EQ(file.status, 200) << name << " " << kind << ": " << file.body;
      EXPECT_EQ(file.header("Content-Type"), "image/jpeg") << name << kind;
      EXPECT_TRUE(file.body.starts_with("\xFF\xD8\xFF")) << name << kind;
    }
    HttpResponse original = Get(files + "original", penny);
    EXPECT_EQ(original.body, ReadTestFile(bbt + "/groups/" + name));
    EXPECT_NE(original.header("Content-Disposition").value_or(""), "");
    HttpResponse thumbnail = Get(files + "thumbnail", penny);
    EXPECT_LT(thumbnail.body.size(), original.body.size()) << name;
  }

  // "Not me" takes a photo out of her list, and a rematch keeps it out.
  int64_t disowned = names["bbt4.jpg"];
  EXPECT_EQ(Send(HttpRequest("POST", "/api/me/photos/" +
                                         std::to_string(disowned) + "/not-me"),
                 penny)
                .status,
            204);
  const std::set<std::string> kept = {"bbt3.jpg", "bbt5.jpg"};
  EXPECT_EQ(NamesOf(MyPhotoIds(event_id, penny), names), kept);
  HttpResponse rematch =
      Send(HttpRequest("POST", "/api/photographer/events/" +
                                   std::to_string(event_id) + "/rematch"),
           amy);
  ASSERT_EQ(rematch.status, 202) << rematch.body;
  EXPECT_EQ(WaitForJob(BodyJson(rematch)["job_id"], amy), "done");
  EXPECT_EQ(NamesOf(MyPhotoIds(event_id, penny), names), kept);
  EXPECT_EQ(MyPhotoIds(event_id, stuart), std::set<int64_t>{});
}

EVENTFACE_SERVER_BACKENDS(ApiStoryTest);

}  // namespace
}  // namespace eventface::testing
