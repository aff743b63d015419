// Where face work runs: an attendee's selfie overtakes a photographer's
// whole upload (the interactive lane), and `eventface worker` does the
// work of a server that runs no face workers itself.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <set>
#include <thread>

#include "api_fixture.h"
#include "testing/process.h"
#include "testing/shared_data.h"

namespace eventface::testing {
namespace {

constexpr int kNoisePhotos = 150;

class ApiLanesTest : public ApiTest {
 protected:
  std::vector<std::string> ServerArgs() const override {
    return {"--workers", "1"};
  }
};

TEST_P(ApiLanesTest, SelfieMatchesComeBeforeQueuedPhotos) {
  EVENTFACE_REQUIRE_SHARED(shared);
  AddUser("photographer", "amy@example.test");
  std::string amy = Login("amy@example.test");
  nlohmann::json event = CreateEvent(amy);
  std::string photos_path = "/api/events/" + event["id"].dump() + "/photos";

  // The group photos first, indexed, so that Penny's own search finds
  // her in them; then a long queue of photos ahead of her selfie.
  HttpResponse groups = PostMultipart(photos_path, BbtGroupParts(shared), amy);
  ASSERT_EQ(groups.status, 201) << groups.body;
  ASSERT_TRUE(WaitFor(
      [&] {
        return QueryInt(
                   "SELECT COUNT(*) FROM photos "
                   "WHERE state = 'indexed'") == 5;
      },
      std::chrono::seconds(60)));
  std::vector<MultipartPart> noise;
  for (int i = 0; i < kNoisePhotos; ++i) {
    noise.push_back({"photos", NoisePng(5000 + i, 160, 120),
                     "noise" + std::to_string(i) + ".png", "image/png"});
  }
  HttpResponse queued = PostMultipart(photos_path, noise, amy);
  ASSERT_EQ(queued.status, 201) << queued.body;

  auto registering = std::chrono::steady_clock::now();
  HttpResponse registered = PostMultipart(
      "/api/register-with-event-code",
      {{"name", "Penny"},
       {"email", "penny@example.test"},
       {"password", "password123"},
       {"event_code", event["code"]},
       {"consent", "true"},
       {"selfie",
        ReadTestFile((shared / "datasets/bbt/penny/penny1.png").string()),
        "me.png", "image/png"}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  std::string penny = BodyJson(registered)["token"];

  std::string mine = "/api/me/events/" + event["id"].dump() + "/photos";
  size_t found = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        found = BodyJson(Get(mine, penny))["photos"].size();
        return found >= 3;
      },
      std::chrono::seconds(60)));
  auto latency = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - registering);
  long long still_queued =
      QueryInt("SELECT COUNT(*) FROM photos WHERE state = 'queued'");
  std::cout << "[ lanes ] registration to matches: " << latency.count()
            << " ms, with " << still_queued << " of " << kNoisePhotos
            << " photos still queued\n";
  RecordProperty("selfie_to_matches_ms", std::to_string(latency.count()));
  RecordProperty("photos_still_queued", std::to_string(still_queued));
  EXPECT_EQ(found, 3u);
  EXPECT_GT(still_queued, kNoisePhotos / 2);
}

EVENTFACE_SERVER_BACKENDS(ApiLanesTest);

class ApiWorkerTest : public ApiTest {
 protected:
  std::vector<std::string> ServerArgs() const override {
    return {"--workers", "0"};
  }
};

TEST_P(ApiWorkerTest, WorkerProcessIndexesAndMatches) {
  if (GetParam() != TestBackend::kPostgres) {
    GTEST_SKIP() << "eventface worker runs on PostgreSQL only";
  }
  EVENTFACE_REQUIRE_SHARED(shared);
  AddUser("photographer", "amy@example.test");
  std::string amy = Login("amy@example.test");
  nlohmann::json event = CreateEvent(amy);
  HttpResponse uploaded =
      PostMultipart("/api/events/" + event["id"].dump() + "/photos",
                    BbtGroupParts(shared), amy);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  std::map<int64_t, std::string> names;
  nlohmann::json uploaded_body = BodyJson(uploaded);
  for (const auto& photo : uploaded_body["photos"]) {
    names[photo["id"]] = photo["name"];
  }
  HttpResponse registered = PostMultipart(
      "/api/register-with-event-code",
      {{"name", "Penny"},
       {"email", "penny@example.test"},
       {"password", "password123"},
       {"event_code", event["code"]},
       {"consent", "true"},
       {"selfie",
        ReadTestFile((shared / "datasets/bbt/penny/penny1.png").string()),
        "me.png", "image/png"}});
  ASSERT_EQ(registered.status, 201) << registered.body;
  std::string penny = BodyJson(registered)["token"];

  // The server itself indexes nothing.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs WHERE state <> 'queued'"), 0);

  EventfaceProcess worker({"worker", "--db", options().url, "--media",
                           media_dir(), "--workers", "1", "--log-level",
                           "info"});
  std::string mine = "/api/me/events/" + event["id"].dump() + "/photos";
  std::set<std::string> found;
  bool matched = WaitFor(
      [&] {
        found.clear();
        nlohmann::json listed = BodyJson(Get(mine, penny));
        for (const auto& photo : listed["photos"]) {
          found.insert(names[photo["id"]]);
        }
        return found.size() >= 3;
      },
      std::chrono::seconds(90));
  ASSERT_TRUE(matched) << worker.ErrorOutput();
  EXPECT_EQ(found, (std::set<std::string>{"bbt3.jpg", "bbt4.jpg", "bbt5.jpg"}));
  ASSERT_TRUE(WaitFor(
      [&] {
        return QueryInt(
                   "SELECT COUNT(*) FROM photos "
                   "WHERE state = 'indexed'") == 5;
      },
      std::chrono::seconds(60)));

  worker.Signal(SIGTERM);
  EXPECT_EQ(worker.WaitForExit(std::chrono::seconds(40)), 0)
      << worker.ErrorOutput();
  EXPECT_NE(worker.ErrorOutput().find("worker: stopped"), std::string::npos)
      << worker.ErrorOutput();
}

TEST_P(ApiWorkerTest, WorkerRefusesSqlite) {
  std::string sqlite = media_dir() + "-refused.db";
  ProcessResult result = RunProcess(
      {EventfaceBinary(), "worker", "--db", sqlite, "--media", media_dir()});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("need a database every node shares"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("postgresql://"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(sqlite));
}

EVENTFACE_SERVER_BACKENDS(ApiWorkerTest);

}  // namespace
}  // namespace eventface::testing
