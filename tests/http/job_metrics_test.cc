#include "http/job_metrics.h"

#include <gtest/gtest.h>
#include <soci/soci.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "core/clock.h"
#include "store/test_database.h"

namespace eventface::http {
namespace {

using ::eventface::testing::DatabaseTest;
using ::eventface::testing::TestBackend;
using jobs::JobOutcome;
using jobs::Lane;
using jobs::NewJob;
using std::chrono::milliseconds;
using std::chrono::seconds;

bool Contains(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

class JobMetricsTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    queue_ = std::make_unique<jobs::JobQueue>(database(), clock_);
  }

  void MustEnqueue(const NewJob& job) {
    auto id = queue_->Enqueue(job);
    ASSERT_TRUE(id.ok()) << id.error().message;
  }

  void TearDown() override {
    if (!lost_role_.empty()) {
      Status dropped = database().WithTransaction([&](store::Transaction& tx) {
        tx.sql() << "DROP ROLE IF EXISTS " + lost_role_;
        return Status();
      });
      EXPECT_TRUE(dropped.ok()) << dropped.error().message;
    }
    DatabaseTest::TearDown();
  }

  // The test's database opened as a role that is then barred from logging
  // in and cut off: a database gone away, which reconnecting cannot fix.
  // PostgreSQL only.
  std::unique_ptr<store::Database> OpenLostDatabase() {
    lost_role_ = "lost_" + std::to_string(getpid());
    Status created = database().WithTransaction([&](store::Transaction& tx) {
      tx.sql() << "CREATE ROLE " + lost_role_ + " LOGIN SUPERUSER";
      return Status();
    });
    EXPECT_TRUE(created.ok()) << created.error().message;
    store::DatabaseOptions options = this->options();
    size_t user = options.url.find("://") + 3;
    size_t at = options.url.find('@', user);
    EXPECT_NE(at, std::string::npos) << "EVENTFACE_TEST_PG names no user";
    if (at == std::string::npos) return nullptr;
    options.url.replace(user, at - user, lost_role_);
    options.pool_size = 1;
    auto lost = store::Database::Open(options);
    EXPECT_TRUE(lost.ok()) << lost.error().message;
    if (!lost.ok()) return nullptr;

    Status cut = database().WithTransaction([&](store::Transaction& tx) {
      tx.sql() << "ALTER ROLE " + lost_role_ + " NOLOGIN";
      int terminated = 0;
      tx.sql() << "SELECT COUNT(pg_terminate_backend(pid)) FROM "
                  "pg_stat_activity WHERE usename = :role",
          soci::use(lost_role_), soci::into(terminated);
      return Status();
    });
    EXPECT_TRUE(cut.ok()) << cut.error().message;
    return std::move(*lost);
  }

  FakeClock clock_;
  std::unique_ptr<jobs::JobQueue> queue_;
  MetricsRegistry registry_;
  std::string lost_role_;
};

TEST_P(JobMetricsTest, ScrapesReadJobCountsAndQueueDepth) {
  JobMetrics metrics(registry_, *queue_);
  MustEnqueue(NewJob{.kind = "index_photo", .lane = Lane::kBulk});
  MustEnqueue(NewJob{.kind = "index_photo", .lane = Lane::kBulk});
  MustEnqueue(NewJob{.kind = "match_selfie", .lane = Lane::kInteractive});

  std::string text = registry_.RenderText();
  EXPECT_TRUE(Contains(text,
                       "eventface_jobs{kind=\"index_photo\","
                       "state=\"queued\"} 2"))
      << text;
  EXPECT_TRUE(Contains(text,
                       "eventface_jobs{kind=\"match_selfie\","
                       "state=\"queued\"} 1"));
  EXPECT_TRUE(Contains(text,
                       "eventface_jobs{kind=\"index_photo\","
                       "state=\"done\"} 0"));
  EXPECT_TRUE(
      Contains(text, "eventface_job_queue_depth{lane=\"interactive\"} 1"));
  EXPECT_TRUE(Contains(text, "eventface_job_queue_depth{lane=\"bulk\"} 2"));
  EXPECT_TRUE(Contains(text, "eventface_job_scrape_errors_total 0"));

  // The next scrape sees the selfie done, and its queued count back at 0.
  auto selfie = queue_->Claim("w", seconds(30));
  ASSERT_TRUE(selfie.ok() && selfie->has_value());
  ASSERT_TRUE(queue_->Complete(**selfie, "w").ok());
  text = registry_.RenderText();
  EXPECT_TRUE(Contains(text,
                       "eventface_jobs{kind=\"match_selfie\","
                       "state=\"queued\"} 0"))
      << text;
  EXPECT_TRUE(Contains(text,
                       "eventface_jobs{kind=\"match_selfie\","
                       "state=\"done\"} 1"));
  EXPECT_TRUE(
      Contains(text, "eventface_job_queue_depth{lane=\"interactive\"} 0"));
}

TEST_P(JobMetricsTest, CountsFinishedAttemptsAndTheirDuration) {
  JobMetrics metrics(registry_, *queue_);
  jobs::JobObserver observe = metrics.Observer();
  observe("index_photo", JobOutcome::kDone, milliseconds(812));
  observe("index_photo", JobOutcome::kRetried, milliseconds(40));
  observe("index_photo", JobOutcome::kDone, milliseconds(188));

  std::string text = registry_.RenderText();
  EXPECT_TRUE(Contains(text,
                       "eventface_jobs_finished_total{kind="
                       "\"index_photo\",outcome=\"done\"} 2"))
      << text;
  EXPECT_TRUE(Contains(text,
                       "eventface_jobs_finished_total{kind="
                       "\"index_photo\",outcome=\"retried\"} 1"));
  EXPECT_TRUE(Contains(text,
                       "eventface_job_duration_seconds_bucket{kind="
                       "\"index_photo\",le=\"0.05\"} 1"));
  EXPECT_TRUE(Contains(text,
                       "eventface_job_duration_seconds_bucket{kind="
                       "\"index_photo\",le=\"1\"} 3"));
  EXPECT_TRUE(Contains(
      text, "eventface_job_duration_seconds_sum{kind=\"index_photo\"} 1.04"));
  EXPECT_TRUE(Contains(
      text, "eventface_job_duration_seconds_count{kind=\"index_photo\"} 3"));
}

TEST_P(JobMetricsTest, CountsIndexedFacesFromZero) {
  JobMetrics metrics(registry_, *queue_);
  EXPECT_TRUE(
      Contains(registry_.RenderText(), "eventface_faces_indexed_total 0"));
  metrics.AddFacesIndexed(3);
  metrics.AddFacesIndexed(4);
  EXPECT_TRUE(
      Contains(registry_.RenderText(), "eventface_faces_indexed_total 7"));
}

TEST_P(JobMetricsTest, AScrapeThatCannotReadTheQueueCountsAnError) {
  if (GetParam() != TestBackend::kPostgres) {
    GTEST_SKIP() << "only a PostgreSQL connection can be cut off";
  }
  std::unique_ptr<store::Database> lost = OpenLostDatabase();
  ASSERT_NE(lost, nullptr);
  jobs::JobQueue queue(*lost, clock_);
  JobMetrics metrics(registry_, queue);
  std::string text = registry_.RenderText();
  EXPECT_TRUE(Contains(text, "eventface_job_scrape_errors_total 1")) << text;
  EXPECT_FALSE(Contains(text, "eventface_job_queue_depth{lane=\"bulk\"} 0"));
}

TEST_P(JobMetricsTest, DatabaseReadinessPassesOnAWorkingDatabase) {
  ReadinessCheck check = DatabaseReadinessCheck(database());
  EXPECT_EQ(check.name, "database");
  Status status = check.check();
  EXPECT_TRUE(status.ok()) << status.error().message;
}

TEST_P(JobMetricsTest, DatabaseReadinessFailsOnALostConnection) {
  if (GetParam() != TestBackend::kPostgres) {
    GTEST_SKIP() << "only a PostgreSQL connection can be cut off";
  }
  std::unique_ptr<store::Database> lost = OpenLostDatabase();
  ASSERT_NE(lost, nullptr);
  Status status = DatabaseReadinessCheck(*lost).check();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  EXPECT_EQ(status.error().message.rfind("database unreachable: ", 0), 0u)
      << status.error().message;
}

EVENTFACE_ALL_BACKENDS(JobMetricsTest);

}  // namespace
}  // namespace eventface::http
