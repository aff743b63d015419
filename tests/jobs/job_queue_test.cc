#include "jobs/job_queue.h"

#include <gtest/gtest.h>
#include <soci/soci.h>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "store/test_database.h"

namespace eventface::jobs {
namespace {

using ::eventface::testing::DatabaseTest;
using std::chrono::milliseconds;
using std::chrono::seconds;
using store::Transaction;

constexpr milliseconds kLease = seconds(30);

NewJob Bulk(const std::string& kind = "index_photo") {
  return NewJob{.kind = kind, .lane = Lane::kBulk};
}

class JobQueueTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    queue_ =
        std::make_unique<JobQueue>(database(), clock_,
                                   JobQueueOptions{.max_attempts = 3,
                                                   .base_backoff = seconds(1),
                                                   .max_backoff = seconds(60)});
  }

  int64_t MustEnqueue(const NewJob& job) {
    auto id = queue().Enqueue(job);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : 0;
  }

  // The claimed job; fails the test when there is none.
  Job MustClaim(const std::string& worker) {
    auto job = queue().Claim(worker, kLease);
    EXPECT_TRUE(job.ok()) << job.error().message;
    EXPECT_TRUE(job.ok() && job->has_value()) << "nothing to claim";
    return job.ok() && job->has_value() ? **job : Job{};
  }

  bool NothingToClaim(const std::string& worker = "idle") {
    auto job = queue().Claim(worker, kLease);
    EXPECT_TRUE(job.ok()) << job.error().message;
    return job.ok() && !job->has_value();
  }

  JobState StateOf(int64_t id) {
    auto job = queue().Get(id);
    EXPECT_TRUE(job.ok()) << job.error().message;
    return job.ok() ? job->state : JobState::kQueued;
  }

  JobQueue& queue() { return *queue_; }

  FakeClock clock_;
  std::unique_ptr<JobQueue> queue_;
};

TEST_P(JobQueueTest, StoresWhatWasEnqueued) {
  int64_t id = MustEnqueue(NewJob{.kind = "match_selfie",
                                  .lane = Lane::kInteractive,
                                  .payload = R"({"user_id":7})"});
  auto job = queue().Get(id);
  ASSERT_TRUE(job.ok()) << job.error().message;
  EXPECT_EQ(job->kind, "match_selfie");
  EXPECT_EQ(job->lane, Lane::kInteractive);
  EXPECT_EQ(job->payload, R"({"user_id":7})");
  EXPECT_EQ(job->state, JobState::kQueued);
  EXPECT_EQ(job->attempts, 0);
  EXPECT_EQ(job->max_attempts, 3);
  EXPECT_EQ(job->run_after, clock_.Now());
  EXPECT_FALSE(job->lease_owner.has_value());
  EXPECT_FALSE(job->coalesce_key.has_value());
}

TEST_P(JobQueueTest, GetReportsMissingJobsAsNotFound) {
  auto job = queue().Get(12345);
  ASSERT_FALSE(job.ok());
  EXPECT_EQ(job.error().code, ErrorCode::kNotFound);
}

TEST_P(JobQueueTest, EnqueueInARolledBackTransactionLeavesNoJob) {
  Status status = database().WithTransaction([&](Transaction& tx) -> Status {
    auto id = queue().Enqueue(tx, Bulk());
    if (!id.ok()) return id.error();
    return Error{ErrorCode::kInvalidArgument, "upload rejected"};
  });
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(NothingToClaim());
  auto depth = queue().Depth(Lane::kBulk);
  ASSERT_TRUE(depth.ok());
  EXPECT_EQ(*depth, 0);
}

TEST_P(JobQueueTest, EnqueueCommitsWithTheCallersTransaction) {
  auto id = database().WithTransaction(
      [&](Transaction& tx) { return queue().Enqueue(tx, Bulk()); });
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(MustClaim("w").id, *id);
}

TEST_P(JobQueueTest, CoalescesQueuedJobsWithTheSameKey) {
  NewJob rematch{.kind = "rematch_event", .coalesce_key = "rematch_event:1"};
  int64_t first = MustEnqueue(rematch);
  EXPECT_EQ(MustEnqueue(rematch), first);
  NewJob other = rematch;
  other.coalesce_key = "rematch_event:2";
  EXPECT_NE(MustEnqueue(other), first);

  // Once the first runs, a new request needs a new job: the running one
  // may have read the event before the change that asked for it.
  Job running = MustClaim("w");
  ASSERT_EQ(running.id, first);
  int64_t next = MustEnqueue(rematch);
  EXPECT_NE(next, first);
  EXPECT_EQ(MustEnqueue(rematch), next);
}

TEST_P(JobQueueTest, ClaimsInteractiveJobsBeforeOlderBulkJobs) {
  int64_t bulk1 = MustEnqueue(Bulk());
  int64_t bulk2 = MustEnqueue(Bulk());
  int64_t selfie =
      MustEnqueue(NewJob{.kind = "match_selfie", .lane = Lane::kInteractive});
  EXPECT_EQ(MustClaim("w").id, selfie);
  EXPECT_EQ(MustClaim("w").id, bulk1);
  EXPECT_EQ(MustClaim("w").id, bulk2);
  EXPECT_TRUE(NothingToClaim());
}

TEST_P(JobQueueTest, ClaimLeasesTheJob) {
  int64_t id = MustEnqueue(Bulk());
  Job job = MustClaim("worker-1");
  EXPECT_EQ(job.id, id);
  EXPECT_EQ(job.state, JobState::kRunning);
  EXPECT_EQ(job.attempts, 1);
  EXPECT_EQ(job.lease_owner, "worker-1");
  EXPECT_EQ(job.lease_expires_at, clock_.Now() + kLease);
  EXPECT_TRUE(NothingToClaim());
}

TEST_P(JobQueueTest, CompleteMarksTheJobDone) {
  int64_t id = MustEnqueue(Bulk());
  Job job = MustClaim("w");
  Status completed = queue().Complete(job, "w");
  ASSERT_TRUE(completed.ok()) << completed.error().message;
  EXPECT_EQ(StateOf(id), JobState::kDone);
  EXPECT_TRUE(NothingToClaim());
}

TEST_P(JobQueueTest, AnExpiredLeaseMakesTheJobClaimableAgain) {
  int64_t id = MustEnqueue(Bulk());
  Job first = MustClaim("dies");
  clock_.Advance(kLease - milliseconds(1));
  EXPECT_TRUE(NothingToClaim());
  clock_.Advance(milliseconds(1));
  Job second = MustClaim("survivor");
  EXPECT_EQ(second.id, id);
  EXPECT_EQ(second.attempts, first.attempts + 1);
  EXPECT_EQ(second.lease_owner, "survivor");
}

TEST_P(JobQueueTest, AStaleWorkerCannotFinishAReclaimedJob) {
  int64_t id = MustEnqueue(Bulk());
  Job stale = MustClaim("slow");
  clock_.Advance(kLease);
  Job fresh = MustClaim("fast");

  Status completed = queue().Complete(stale, "slow");
  ASSERT_FALSE(completed.ok());
  EXPECT_EQ(completed.error().code, ErrorCode::kNotFound);
  Status failed = queue().Fail(stale, "slow", "too late");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(queue().ExtendLease(stale, "slow", kLease).ok());
  EXPECT_EQ(StateOf(id), JobState::kRunning);

  ASSERT_TRUE(queue().Complete(fresh, "fast").ok());
  EXPECT_EQ(StateOf(id), JobState::kDone);
}

TEST_P(JobQueueTest, TheSameWorkerIdCannotFinishAnEarlierAttempt) {
  MustEnqueue(Bulk());
  Job first = MustClaim("w");
  clock_.Advance(kLease);
  Job second = MustClaim("w");
  EXPECT_FALSE(queue().Complete(first, "w").ok());
  EXPECT_TRUE(queue().Complete(second, "w").ok());
}

TEST_P(JobQueueTest, ResultsRollBackWhenTheLeaseIsLost) {
  int64_t id = MustEnqueue(Bulk());
  Job stale = MustClaim("slow");
  clock_.Advance(kLease);
  MustClaim("fast");
  Status status = database().WithTransaction([&](Transaction& tx) -> Status {
    tx.sql() << "INSERT INTO users (email, name, role, password_hash, "
                "created_at) VALUES ('r@x.test', 'r', 'attendee', 'h', 0)";
    return queue().Complete(tx, stale, "slow");
  });
  ASSERT_FALSE(status.ok());
  auto users = database().WithReadTransaction([](Transaction& tx) {
    int count = 0;
    tx.sql() << "SELECT COUNT(*) FROM users", soci::into(count);
    return Result<int>(count);
  });
  ASSERT_TRUE(users.ok());
  EXPECT_EQ(*users, 0);
  EXPECT_EQ(StateOf(id), JobState::kRunning);
}

TEST_P(JobQueueTest, ExtendingTheLeaseKeepsTheJob) {
  MustEnqueue(Bulk());
  Job job = MustClaim("w");
  clock_.Advance(kLease - seconds(1));
  ASSERT_TRUE(queue().ExtendLease(job, "w", kLease).ok());
  clock_.Advance(seconds(2));
  EXPECT_TRUE(NothingToClaim());
  EXPECT_TRUE(queue().Complete(job, "w").ok());
}

TEST_P(JobQueueTest, RetriesWithBackoffThenFailsKeepingTheError) {
  int64_t id = MustEnqueue(Bulk());

  Job job = MustClaim("w");
  ASSERT_TRUE(queue().Fail(job, "w", "decoder crashed").ok());
  EXPECT_EQ(StateOf(id), JobState::kQueued);
  clock_.Advance(milliseconds(999));  // first back-off: 1 s
  EXPECT_TRUE(NothingToClaim());
  clock_.Advance(milliseconds(1));
  job = MustClaim("w");
  EXPECT_EQ(job.attempts, 2);
  EXPECT_EQ(job.error, "decoder crashed");

  ASSERT_TRUE(queue().Fail(job, "w", "decoder crashed again").ok());
  clock_.Advance(milliseconds(1999));  // second back-off: 2 s
  EXPECT_TRUE(NothingToClaim());
  clock_.Advance(milliseconds(1));
  job = MustClaim("w");
  EXPECT_EQ(job.attempts, 3);

  ASSERT_TRUE(queue().Fail(job, "w", "image too large").ok());
  auto failed = queue().Get(id);
  ASSERT_TRUE(failed.ok());
  EXPECT_EQ(failed->state, JobState::kFailed);
  EXPECT_EQ(failed->error, "image too large");
  clock_.Advance(seconds(3600));
  EXPECT_TRUE(NothingToClaim());
}

TEST_P(JobQueueTest, BackoffStopsGrowingAtItsCap) {
  JobQueue queue(database(), clock_,
                 JobQueueOptions{.max_attempts = 10,
                                 .base_backoff = seconds(1),
                                 .max_backoff = seconds(5)});
  auto id = queue.Enqueue(Bulk());
  ASSERT_TRUE(id.ok());
  for (int attempt = 1; attempt <= 5; ++attempt) {
    auto job = queue.Claim("w", kLease);
    ASSERT_TRUE(job.ok() && job->has_value());
    ASSERT_TRUE(queue.Fail(**job, "w", "again").ok());
    auto stored = queue.Get(*id);
    ASSERT_TRUE(stored.ok());
    milliseconds expected =
        std::min<milliseconds>(seconds(1) * (1 << (attempt - 1)), seconds(5));
    EXPECT_EQ(stored->run_after - clock_.Now(), expected) << attempt;
    clock_.Advance(expected);
  }
}

TEST_P(JobQueueTest, ALeaseThatExpiresOnTheLastAttemptFailsTheJob) {
  int64_t id = MustEnqueue(NewJob{.kind = "index_photo", .max_attempts = 2});
  MustClaim("dies");
  clock_.Advance(kLease);
  MustClaim("dies too");
  clock_.Advance(kLease);
  EXPECT_TRUE(NothingToClaim());
  auto job = queue().Get(id);
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->state, JobState::kFailed);
  EXPECT_EQ(job->error, "lease expired on the last attempt");
}

TEST_P(JobQueueTest, AFailedCoalescedJobGivesWayToTheQueuedOne) {
  NewJob rematch{.kind = "rematch_event", .coalesce_key = "rematch_event:1"};
  int64_t first = MustEnqueue(rematch);
  Job running = MustClaim("w");
  int64_t second = MustEnqueue(rematch);
  ASSERT_TRUE(queue().Fail(running, "w", "database busy").ok());
  EXPECT_EQ(StateOf(first), JobState::kFailed);
  EXPECT_EQ(StateOf(second), JobState::kQueued);
}

TEST_P(JobQueueTest, AnExpiredCoalescedJobGivesWayToTheQueuedOne) {
  NewJob rematch{.kind = "rematch_event", .coalesce_key = "rematch_event:1"};
  int64_t first = MustEnqueue(rematch);
  MustClaim("dies");
  int64_t second = MustEnqueue(rematch);
  clock_.Advance(kLease);
  EXPECT_EQ(MustClaim("w").id, second);
  EXPECT_EQ(StateOf(first), JobState::kFailed);
  EXPECT_TRUE(NothingToClaim());
}

TEST_P(JobQueueTest, AReclaimedJobSaysWhoseLeaseExpired) {
  int64_t id = MustEnqueue(Bulk());
  MustClaim("dies");
  clock_.Advance(kLease);
  Job again = MustClaim("w");
  EXPECT_EQ(again.id, id);
  EXPECT_EQ(again.error, "lease of dies expired");
}

TEST_P(JobQueueTest, ReleaseQueuesTheJobAgainWithoutCountingTheAttempt) {
  int64_t id = MustEnqueue(Bulk());
  Job job = MustClaim("stopping");
  ASSERT_TRUE(queue().Release(job, "stopping").ok());
  auto released = queue().Get(id);
  ASSERT_TRUE(released.ok());
  EXPECT_EQ(released->state, JobState::kQueued);
  EXPECT_EQ(released->attempts, 0);
  EXPECT_EQ(released->run_after, clock_.Now());
  EXPECT_FALSE(released->lease_owner.has_value());
  EXPECT_EQ(released->error, "released by stopping");

  Job again = MustClaim("other");
  EXPECT_EQ(again.id, id);
  EXPECT_EQ(again.attempts, 1);
}

TEST_P(JobQueueTest, ReleaseNeedsTheLease) {
  int64_t id = MustEnqueue(Bulk());
  Job stale = MustClaim("slow");
  clock_.Advance(kLease);
  Job fresh = MustClaim("fast");
  Status released = queue().Release(stale, "slow");
  ASSERT_FALSE(released.ok());
  EXPECT_EQ(released.error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(queue().Release(fresh, "someone else").ok());
  EXPECT_EQ(StateOf(id), JobState::kRunning);
  ASSERT_TRUE(queue().Release(fresh, "fast").ok());
  ASSERT_FALSE(queue().Complete(fresh, "fast").ok());
}

TEST_P(JobQueueTest, AReleasedCoalescedJobGivesWayToTheQueuedOne) {
  NewJob rematch{.kind = "rematch_event", .coalesce_key = "rematch_event:1"};
  int64_t first = MustEnqueue(rematch);
  Job running = MustClaim("w");
  int64_t second = MustEnqueue(rematch);
  ASSERT_TRUE(queue().Release(running, "w").ok());
  EXPECT_EQ(StateOf(first), JobState::kFailed);
  EXPECT_EQ(StateOf(second), JobState::kQueued);
  EXPECT_EQ(MustClaim("w").id, second);
}

TEST_P(JobQueueTest, CountsJobsByKindAndState) {
  MustEnqueue(Bulk("index_photo"));
  MustEnqueue(Bulk("index_photo"));
  MustEnqueue(NewJob{.kind = "match_selfie", .lane = Lane::kInteractive});
  Job selfie = MustClaim("w");
  ASSERT_TRUE(queue().Complete(selfie, "w").ok());
  MustClaim("w");

  auto counts = queue().CountByKindAndState();
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  std::map<std::pair<std::string, JobState>, int64_t> by_key;
  for (const JobCount& count : *counts) {
    by_key[{count.kind, count.state}] = count.count;
  }
  std::map<std::pair<std::string, JobState>, int64_t> expected = {
      {{"index_photo", JobState::kQueued}, 1},
      {{"index_photo", JobState::kRunning}, 1},
      {{"match_selfie", JobState::kDone}, 1}};
  EXPECT_EQ(by_key, expected);
  EXPECT_EQ(queue().Depth(Lane::kBulk).value(), 1);
  EXPECT_EQ(queue().Depth(Lane::kInteractive).value(), 0);
}

// Workers in several threads, each with its own session, claim until the
// queue is empty: every job must be done by exactly one of them.
TEST_P(JobQueueTest, ConcurrentWorkersNeverShareAJob) {
  constexpr int kJobs = 200;
  constexpr int kWorkers = 4;
  for (int i = 0; i < kJobs; ++i) {
    MustEnqueue(NewJob{.kind = "index_photo",
                       .lane = i % 5 == 0 ? Lane::kInteractive : Lane::kBulk});
  }

  std::vector<std::vector<int64_t>> done(kWorkers);
  std::atomic<int> errors{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&, w] {
      std::string name = "worker-" + std::to_string(w);
      while (true) {
        auto job = queue().Claim(name, kLease);
        if (!job.ok()) {
          if (++errors > 50) return;  // the assertion below reports it
          continue;
        }
        if (!job->has_value()) return;
        if (!queue().Complete(**job, name).ok()) ++errors;
        done[w].push_back((*job)->id);
      }
    });
  }
  for (std::thread& worker : workers) worker.join();

  EXPECT_EQ(errors.load(), 0);
  std::map<int64_t, int> times_done;
  for (const auto& ids : done) {
    for (int64_t id : ids) ++times_done[id];
  }
  EXPECT_EQ(static_cast<int>(times_done.size()), kJobs);
  for (const auto& [id, times] : times_done) EXPECT_EQ(times, 1) << id;
  auto counts = queue().CountByKindAndState();
  ASSERT_TRUE(counts.ok());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ((*counts)[0].state, JobState::kDone);
  EXPECT_EQ((*counts)[0].count, kJobs);
}

EVENTFACE_ALL_BACKENDS(JobQueueTest);

}  // namespace
}  // namespace eventface::jobs
