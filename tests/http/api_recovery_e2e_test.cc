// A server killed or stopped while it indexes photos loses no work and
// does none twice once it runs again on the same database and media.
#include <gtest/gtest.h>
#include <signal.h>

#include <map>
#include <set>

#include "api_fixture.h"
#include "testing/shared_data.h"

namespace eventface::testing {
namespace {

constexpr int kNoisePhotos = 20;

class ApiRecoveryTest : public ApiTest {
 protected:
  // Two workers, and a lease short enough that the jobs of a killed
  // server are free again soon after it dies.
  std::vector<std::string> ServerArgs() const override {
    return {"--workers", "2", "--job-lease-seconds", "2"};
  }

  // Registers Penny with her selfie in the event with `code`; returns her
  // user id.
  int64_t RegisterPenny(const std::filesystem::path& shared,
                        const std::string& code) {
    HttpResponse registered = PostMultipart(
        "/api/register-with-event-code",
        {{"name", "Penny"},
         {"email", "penny@example.test"},
         {"password", "password123"},
         {"event_code", code},
         {"consent", "true"},
         {"selfie",
          ReadTestFile((shared / "datasets/bbt/penny/penny1.png").string()),
          "me.png", "image/png"}});
    EXPECT_EQ(registered.status, 201) << registered.body;
    return BodyJson(registered)["user"]["id"].get<int64_t>();
  }

  // Uploads the bbt groups, then noise, to `event_id`; returns each
  // photo's name by id.
  std::map<int64_t, std::string> UploadBatch(const std::string& token,
                                             int64_t event_id) {
    std::vector<MultipartPart> parts = BbtGroupParts(*SharedDir());
    for (int i = 0; i < kNoisePhotos; ++i) {
      parts.push_back({"photos", NoisePng(1000 + i, 320, 240),
                       "noise" + std::to_string(i) + ".png", "image/png"});
    }
    HttpResponse uploaded = PostMultipart(
        "/api/events/" + std::to_string(event_id) + "/photos", parts, token);
    EXPECT_EQ(uploaded.status, 201) << uploaded.body;
    std::map<int64_t, std::string> names;
    nlohmann::json body = BodyJson(uploaded);
    for (const auto& photo : body["photos"]) {
      names[photo["id"]] = photo["name"];
    }
    EXPECT_EQ(names.size(), parts.size());
    return names;
  }

  long long UnfinishedJobs() {
    return QueryInt(
        "SELECT COUNT(*) FROM jobs WHERE state IN ('queued', 'running')");
  }

  // Waits until the first photo is indexed, so that a stop lands while
  // the workers are busy, and checks that work is still left.
  void WaitUntilIndexing() {
    ASSERT_TRUE(WaitFor(
        [&] {
          return QueryInt(
                     "SELECT COUNT(*) FROM photos "
                     "WHERE state = 'indexed'") > 0;
        },
        std::chrono::seconds(60)));
    ASSERT_GT(QueryInt("SELECT COUNT(*) FROM photos WHERE state = 'queued'"), 0)
        << "every photo was indexed before the stop: nothing to recover";
  }

  void WaitUntilEveryJobIsDone() {
    bool done = WaitFor([&] { return UnfinishedJobs() == 0; },
                        std::chrono::seconds(120));
    ASSERT_TRUE(done) << UnfinishedJobs() << " jobs unfinished\n"
                      << server().ErrorOutput();
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs WHERE state <> 'done'"), 0);
  }

  // Every photo of `event_id` indexed once: state, one index job each,
  // face rows as many as face_count, and no face stored twice.
  void ExpectIndexedOnce(int64_t event_id, size_t photo_count) {
    std::string event = std::to_string(event_id);
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM photos WHERE event_id = " + event +
                       " AND state = 'indexed'"),
              static_cast<long long>(photo_count));
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs WHERE kind = 'index_photo' "
                       "AND state = 'done'"),
              QueryInt("SELECT COUNT(*) FROM photos"));
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM photos p WHERE p.face_count <> "
                       "(SELECT COUNT(*) FROM faces f "
                       "WHERE f.photo_id = p.id)"),
              0);
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM (SELECT photo_id FROM faces "
                       "GROUP BY photo_id, box_x, box_y, box_w, box_h "
                       "HAVING COUNT(*) > 1) AS twice"),
              0);
  }

  // Penny's matches: one per face, one face per photo, in exactly the
  // group photos she is in.
  void ExpectPennysMatches(int64_t penny,
                           const std::map<int64_t, std::string>& names) {
    std::string user = std::to_string(penny);
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM matches WHERE user_id = " + user),
              QueryInt("SELECT COUNT(DISTINCT face_id) FROM matches "
                       "WHERE user_id = " +
                       user));
    EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM matches WHERE user_id = " + user),
              QueryInt("SELECT COUNT(DISTINCT photo_id) FROM matches "
                       "WHERE user_id = " +
                       user));
    std::set<std::string> found;
    for (const auto& [id, name] : names) {
      if (QueryInt("SELECT COUNT(*) FROM matches WHERE user_id = " + user +
                   " AND photo_id = " + std::to_string(id)) > 0) {
        found.insert(name);
      }
    }
    EXPECT_EQ(found,
              (std::set<std::string>{"bbt3.jpg", "bbt4.jpg", "bbt5.jpg"}));
  }

  // Faces per photo name in `event_id`.
  std::map<std::string, long long> FaceCounts(
      int64_t event_id, const std::map<int64_t, std::string>& names) {
    std::map<std::string, long long> counts;
    for (const auto& [id, name] : names) {
      counts[name] = QueryInt(
          "SELECT COUNT(*) FROM faces WHERE photo_id = " + std::to_string(id) +
          " AND event_id = " + std::to_string(event_id));
    }
    return counts;
  }
};

TEST_P(ApiRecoveryTest, KilledWhileIndexingEveryPhotoIsIndexedOnce) {
  EVENTFACE_REQUIRE_SHARED(shared);
  AddUser("photographer", "amy@example.test");
  std::string amy = Login("amy@example.test");
  nlohmann::json event = CreateEvent(amy);
  int64_t penny = RegisterPenny(shared, event["code"]);
  std::map<int64_t, std::string> names = UploadBatch(amy, event["id"]);
  ASSERT_NO_FATAL_FAILURE(WaitUntilIndexing());

  EXPECT_EQ(StopServer(SIGKILL), -1);
  long long left = UnfinishedJobs();
  std::cout << "[ recovery ] killed with " << left << " jobs unfinished ("
            << QueryInt("SELECT COUNT(*) FROM jobs WHERE state = 'running'")
            << " running)\n";
  RecordProperty("jobs_unfinished_at_kill", std::to_string(left));
  ASSERT_GT(left, 0);

  auto restarted = std::chrono::steady_clock::now();
  ASSERT_NO_FATAL_FAILURE(StartServer(ServerArgs()));
  ASSERT_NO_FATAL_FAILURE(WaitUntilEveryJobIsDone());
  auto recovery = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - restarted);
  std::cout << "[ recovery ] restart to every job done: " << recovery.count()
            << " ms\n";
  RecordProperty("recovery_ms", std::to_string(recovery.count()));
  // With the default 60 s lease the killed server's jobs would wait a
  // minute: the short lease is what frees them.
  EXPECT_LT(recovery, std::chrono::seconds(30));
  ExpectIndexedOnce(event["id"], names.size());
  ExpectPennysMatches(penny, names);

  // A fresh run of the same photos, never interrupted, in another event:
  // it finds as many faces in each.
  nlohmann::json fresh = CreateEvent(amy, "Fresh");
  std::map<int64_t, std::string> fresh_names = UploadBatch(amy, fresh["id"]);
  ASSERT_NO_FATAL_FAILURE(WaitUntilEveryJobIsDone());
  std::map<std::string, long long> recovered = FaceCounts(event["id"], names);
  EXPECT_EQ(recovered, FaceCounts(fresh["id"], fresh_names));
  EXPECT_GT(recovered["bbt1.jpg"], 0);
}

TEST_P(ApiRecoveryTest, StoppedWhileIndexingExitsCleanlyAndResumes) {
  EVENTFACE_REQUIRE_SHARED(shared);
  AddUser("photographer", "amy@example.test");
  std::string amy = Login("amy@example.test");
  nlohmann::json event = CreateEvent(amy);
  int64_t penny = RegisterPenny(shared, event["code"]);
  std::map<int64_t, std::string> names = UploadBatch(amy, event["id"]);
  ASSERT_NO_FATAL_FAILURE(WaitUntilIndexing());

  auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(StopServer(SIGTERM), 0) << server().ErrorOutput();
  auto stop = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - stopping);
  std::cout << "[ recovery ] SIGTERM to exit: " << stop.count() << " ms\n";
  RecordProperty("sigterm_exit_ms", std::to_string(stop.count()));
  // A graceful stop leaves no job leased to the stopped workers.
  EXPECT_EQ(QueryInt("SELECT COUNT(*) FROM jobs WHERE state = 'running'"), 0);
  ASSERT_GT(UnfinishedJobs(), 0);

  ASSERT_NO_FATAL_FAILURE(StartServer(ServerArgs()));
  ASSERT_NO_FATAL_FAILURE(WaitUntilEveryJobIsDone());
  ExpectIndexedOnce(event["id"], names.size());
  ExpectPennysMatches(penny, names);
}

EVENTFACE_SERVER_BACKENDS(ApiRecoveryTest);

}  // namespace
}  // namespace eventface::testing
