// An attendee's ZIP of their photos and the live event streams, through
// the real server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "api_fixture.h"
#include "testing/process.h"
#include "testing/shared_data.h"

namespace eventface::testing {
namespace {

// Counts the occurrences of `needle` in `text`.
int CountOf(const std::string& text, const std::string& needle) {
  int count = 0;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

// The body of a chunked answer without its chunk framing; "" if malformed
// or cut short before the last chunk.
std::string Dechunk(const std::string& chunked) {
  std::string body;
  size_t at = 0;
  while (true) {
    size_t line_end = chunked.find("\r\n", at);
    if (line_end == std::string::npos) return "";
    size_t size = std::stoul(chunked.substr(at, line_end - at), nullptr, 16);
    if (size == 0) return body;
    at = line_end + 2;
    if (at + size + 2 > chunked.size()) return "";
    body.append(chunked, at, size);
    at += size + 2;
  }
}

class ApiDownloadsTest : public ApiTest {
 protected:
  // An event with the bbt groups indexed and penny registered with her
  // selfie, her matches in place.
  void SetUpStory(const std::filesystem::path& shared) {
    AddUser("photographer", "amy@example.test");
    amy_ = Login("amy@example.test");
    nlohmann::json event = CreateEvent(amy_);
    event_id_ = event["id"];
    std::vector<std::string> paths;
    for (int i = 1; i <= 5; ++i) {
      paths.push_back((shared / "datasets/bbt/groups" /
                       ("bbt" + std::to_string(i) + ".jpg"))
                          .string());
    }
    names_ = UploadPhotos(event_id_, paths, amy_);
    HttpResponse registered = PostMultipart(
        "/api/register-with-event-code",
        {{"name", "Penny"},
         {"email", "penny@example.test"},
         {"password", "password123"},
         {"event_code", event["code"]},
         {"consent", "true"},
         {"selfie", ReadTestFile(shared / "datasets/bbt/penny/penny1.png"),
          "penny.png", "image/png"}});
    ASSERT_EQ(registered.status, 201) << registered.body;
    penny_ = BodyJson(registered)["token"];
    ASSERT_TRUE(
        WaitFor([&] { return MyPhotoIds(event_id_, penny_).size() == 3; },
                std::chrono::seconds(90)));
  }

  std::string amy_;
  std::string penny_;
  int64_t event_id_ = 0;
  std::map<std::string, int64_t> names_;
};

TEST_P(ApiDownloadsTest, ZipHoldsExactlyTheAttendeesPhotos) {
  EVENTFACE_REQUIRE_SHARED(shared);
  ASSERT_NO_FATAL_FAILURE(SetUpStory(shared));
  std::string path =
      "/api/me/events/" + std::to_string(event_id_) + "/photos.zip";
  HttpResponse answer = Get(path, penny_);
  ASSERT_EQ(answer.status, 200) << answer.body;
  EXPECT_EQ(answer.header("Content-Type"), "application/zip");
  EXPECT_EQ(answer.header("Transfer-Encoding"), "chunked");
  std::string zip = Dechunk(answer.body);
  EXPECT_EQ(zip.substr(0, 4), std::string("PK\x03\x04", 4));
  std::set<std::string> expected;
  for (const char* name : {"bbt3.jpg", "bbt4.jpg", "bbt5.jpg"}) {
    std::string entry = "photo-" + std::to_string(names_.at(name)) + ".jpg";
    expected.insert(entry);
    EXPECT_GE(CountOf(zip, entry), 1) << entry;
  }
  EXPECT_EQ(CountOf(zip, "photo-"), 2 * 3)  // local and central headers
      << "only penny's three photos";

  // The archive is whole: unzip agrees, when the machine has it.
  std::filesystem::path file =
      std::filesystem::temp_directory_path() /
      ("eventface-test-" + std::to_string(::getpid()) + ".zip");
  std::ofstream(file, std::ios::binary) << zip;
  ProcessResult tested = RunProcess({"/usr/bin/unzip", "-tq", file.string()});
  std::filesystem::remove(file);
  if (tested.exit_code != 127) {
    EXPECT_EQ(tested.exit_code, 0) << tested.out << tested.err;
  }

  EXPECT_EQ(Get(path).status, 401);
  EXPECT_EQ(Get(path, amy_).status, 403) << "a photographer is no member";
}

TEST_P(ApiDownloadsTest, LiveStreamsSendMatchesAndProgress) {
  EVENTFACE_REQUIRE_SHARED(shared);
  ASSERT_NO_FATAL_FAILURE(SetUpStory(shared));
  std::string id = std::to_string(event_id_);
  auto stream = [&](const std::string& path, const std::string& token) {
    return SendRaw(port(),
                   "GET " + path +
                       " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                       "Authorization: Bearer " +
                       token + "\r\n\r\n",
                   std::chrono::milliseconds(2500));
  };
  std::string mine = stream("/api/me/events/" + id + "/live", penny_);
  EXPECT_NE(mine.find("Content-Type: text/event-stream"), std::string::npos)
      << mine;
  EXPECT_EQ(CountOf(mine, "event: photo\n"), 3) << mine;
  for (const char* name : {"bbt3.jpg", "bbt4.jpg", "bbt5.jpg"}) {
    EXPECT_NE(mine.find("id: " + std::to_string(names_.at(name)) + "\n"),
              std::string::npos)
        << name;
  }

  std::string progress = stream("/api/events/" + id + "/live", amy_);
  EXPECT_NE(progress.find("event: progress\n"), std::string::npos) << progress;
  EXPECT_NE(progress.find("\"indexed\":5"), std::string::npos) << progress;

  std::string refused = stream("/api/events/" + id + "/live", penny_);
  EXPECT_NE(refused.find("403"), std::string::npos) << refused;
}

EVENTFACE_SERVER_BACKENDS(ApiDownloadsTest);

}  // namespace
}  // namespace eventface::testing
