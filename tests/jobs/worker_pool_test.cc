#include "jobs/worker_pool.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "store/test_database.h"

namespace eventface::jobs {
namespace {

using ::eventface::testing::DatabaseTest;
using std::chrono::milliseconds;
using std::chrono::seconds;
using SteadyClock = std::chrono::steady_clock;

// Waits up to `timeout` for `condition`; returns its last value.
bool WaitFor(const std::function<bool()>& condition,
             milliseconds timeout = seconds(20)) {
  auto deadline = SteadyClock::now() + timeout;
  while (!condition()) {
    if (SteadyClock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

// What a pool's observer heard, in order.
class RecordingObserver {
 public:
  JobObserver Observer() {
    return [this](std::string_view kind, JobOutcome outcome, milliseconds) {
      std::lock_guard lock(mutex_);
      heard_.emplace_back(std::string(kind), outcome);
    };
  }
  std::vector<std::pair<std::string, JobOutcome>> heard() {
    std::lock_guard lock(mutex_);
    return heard_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<std::string, JobOutcome>> heard_;
};

// A gate a handler waits at until the test opens it.
class Gate {
 public:
  void Open() {
    {
      std::lock_guard lock(mutex_);
      is_open_ = true;
    }
    opened_.notify_all();
  }
  void Wait() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [&] { return is_open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool is_open_ = false;
};

// Runs on real time: leases, their renewal and the pool's waits all need
// a clock that moves by itself.
class WorkerPoolTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    queue_ = std::make_unique<JobQueue>(
        database(), clock_,
        JobQueueOptions{.max_attempts = 3,
                        .base_backoff = milliseconds(10),
                        .max_backoff = milliseconds(40)});
  }

  int64_t MustEnqueue(const NewJob& job) {
    auto id = queue().Enqueue(job);
    EXPECT_TRUE(id.ok()) << id.error().message;
    return id.ok() ? *id : 0;
  }

  Job MustGet(int64_t id) {
    auto job = queue().Get(id);
    EXPECT_TRUE(job.ok()) << job.error().message;
    return job.ok() ? *job : Job{};
  }

  bool HasState(int64_t id, JobState state) {
    auto job = queue().Get(id);
    return job.ok() && job->state == state;
  }

  JobQueue& queue() { return *queue_; }

  SystemClock clock_;
  std::unique_ptr<JobQueue> queue_;
};

NewJob Bulk(const std::string& kind = "index_photo") {
  return NewJob{.kind = kind, .lane = Lane::kBulk};
}

TEST_P(WorkerPoolTest, SeveralWorkersDoEveryJobExactlyOnce) {
  constexpr int kJobs = 60;
  std::vector<int64_t> ids;
  for (int i = 0; i < kJobs; ++i) ids.push_back(MustEnqueue(Bulk()));

  std::mutex mutex;
  std::map<int64_t, int> runs;
  RecordingObserver observer;
  WorkerPool pool(queue(), {.workers = 3, .poll_interval = milliseconds(20)});
  pool.Register("index_photo", [&](const Job& job) {
    std::lock_guard lock(mutex);
    ++runs[job.id];
    return Status();
  });
  pool.SetObserver(observer.Observer());
  pool.Start();
  ASSERT_TRUE(WaitFor([&] { return observer.heard().size() >= kJobs; }));
  pool.Stop(seconds(5));

  for (int64_t id : ids) {
    EXPECT_EQ(runs[id], 1) << id;
    EXPECT_EQ(MustGet(id).state, JobState::kDone) << id;
  }
  EXPECT_EQ(runs.size(), ids.size());
  for (const auto& [kind, outcome] : observer.heard()) {
    EXPECT_EQ(kind, "index_photo");
    EXPECT_EQ(outcome, JobOutcome::kDone);
  }
}

TEST_P(WorkerPoolTest, WorkerIdsAreDistinctAcrossPools) {
  WorkerPool first(queue(), {.workers = 2});
  WorkerPool second(queue(), {.workers = 2});
  std::set<std::string> ids;
  for (const auto* pool : {&first, &second}) {
    for (const std::string& id : pool->worker_ids()) {
      EXPECT_NE(id.find(":" + std::to_string(getpid()) + ":"),
                std::string::npos)
          << id;
      ids.insert(id);
    }
  }
  EXPECT_EQ(ids.size(), 4u);
}

TEST_P(WorkerPoolTest, RetriesAFailingJobThenFailsItWithTheError) {
  int64_t id = MustEnqueue(Bulk());
  std::atomic<int> runs{0};
  RecordingObserver observer;
  WorkerPool pool(queue(), {.poll_interval = milliseconds(5)});
  pool.Register("index_photo", [&](const Job& job) -> Status {
    ++runs;
    return Error{ErrorCode::kCorruptData,
                 "truncated jpeg on attempt " + std::to_string(job.attempts)};
  });
  pool.SetObserver(observer.Observer());
  pool.Start();
  ASSERT_TRUE(WaitFor([&] { return HasState(id, JobState::kFailed); }));
  pool.Stop(seconds(5));

  Job failed = MustGet(id);
  EXPECT_EQ(failed.attempts, 3);
  EXPECT_EQ(failed.error, "truncated jpeg on attempt 3");
  EXPECT_EQ(runs.load(), 3);
  using Heard = std::vector<std::pair<std::string, JobOutcome>>;
  EXPECT_EQ(observer.heard(), (Heard{{"index_photo", JobOutcome::kRetried},
                                     {"index_photo", JobOutcome::kRetried},
                                     {"index_photo", JobOutcome::kFailed}}));
}

TEST_P(WorkerPoolTest, AHandlerThatThrowsFailsTheAttempt) {
  int64_t id = MustEnqueue(NewJob{.kind = "index_photo", .max_attempts = 1});
  WorkerPool pool(queue(), {.poll_interval = milliseconds(5)});
  pool.Register("index_photo", [](const Job&) -> Status {
    throw std::runtime_error("out of memory");
  });
  pool.Start();
  ASSERT_TRUE(WaitFor([&] { return HasState(id, JobState::kFailed); }));
  pool.Stop(seconds(5));
  EXPECT_EQ(MustGet(id).error, "handler threw: out of memory");
}

TEST_P(WorkerPoolTest, AJobOfAnUnknownKindFailsWithAClearError) {
  int64_t id = MustEnqueue(NewJob{.kind = "resize_video", .max_attempts = 1});
  RecordingObserver observer;
  WorkerPool pool(queue(), {.poll_interval = milliseconds(5)});
  pool.Register("index_photo", [](const Job&) { return Status(); });
  pool.SetObserver(observer.Observer());
  pool.Start();
  ASSERT_TRUE(WaitFor([&] { return HasState(id, JobState::kFailed); }));
  pool.Stop(seconds(5));
  EXPECT_EQ(MustGet(id).error, "no handler for job kind \"resize_video\"");
  using Heard = std::vector<std::pair<std::string, JobOutcome>>;
  EXPECT_EQ(observer.heard(), (Heard{{"resize_video", JobOutcome::kFailed}}));
}

TEST_P(WorkerPoolTest, NotifyWakesAnIdleWorkerAtOnce) {
  std::atomic<int> runs{0};
  WorkerPool pool(queue(), {.poll_interval = seconds(30)});
  pool.Register("index_photo", [&](const Job&) {
    ++runs;
    return Status();
  });
  pool.Start();
  // Let the worker find the queue empty and go to sleep.
  std::this_thread::sleep_for(milliseconds(200));

  int64_t id = MustEnqueue(Bulk());
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(runs.load(), 0) << "the idle worker should wait for its poll";

  auto notified = SteadyClock::now();
  pool.Notify();
  ASSERT_TRUE(WaitFor([&] { return HasState(id, JobState::kDone); }));
  EXPECT_LT(SteadyClock::now() - notified, seconds(5));
  pool.Stop(seconds(5));
  EXPECT_EQ(runs.load(), 1);
}

TEST_P(WorkerPoolTest, StopLetsARunningJobFinishWithinTheGrace) {
  int64_t id = MustEnqueue(Bulk());
  std::atomic<bool> started{false};
  WorkerPool pool(queue(), {.poll_interval = milliseconds(5)});
  pool.Register("index_photo", [&](const Job&) {
    started = true;
    std::this_thread::sleep_for(milliseconds(300));
    return Status();
  });
  pool.Start();
  ASSERT_TRUE(WaitFor([&] { return started.load(); }));
  pool.Stop(seconds(10));
  EXPECT_EQ(MustGet(id).state, JobState::kDone);
}

TEST_P(WorkerPoolTest, StopReleasesAJobStillRunningAfterTheGrace) {
  int64_t id = MustEnqueue(Bulk());
  Gate gate;
  std::atomic<bool> started{false};
  std::atomic<bool> returned{false};
  RecordingObserver observer;
  auto pool = std::make_unique<WorkerPool>(
      queue(), WorkerPoolOptions{.poll_interval = milliseconds(5)});
  pool->Register("index_photo", [&](const Job&) {
    started = true;
    gate.Wait();
    returned = true;
    return Status();
  });
  pool->SetObserver(observer.Observer());
  pool->Start();
  ASSERT_TRUE(WaitFor([&] { return started.load(); }));

  auto stopping = SteadyClock::now();
  pool->Stop(milliseconds(200));
  EXPECT_LT(SteadyClock::now() - stopping, seconds(5));
  pool.reset();  // the handler's thread must not need the pool any more
  Job released = MustGet(id);
  EXPECT_EQ(released.state, JobState::kQueued);
  EXPECT_EQ(released.attempts, 0);
  using Heard = std::vector<std::pair<std::string, JobOutcome>>;
  EXPECT_EQ(observer.heard(), (Heard{{"index_photo", JobOutcome::kReleased}}));

  // Another process takes the job over and finishes it.
  WorkerPool successor(queue(), {.poll_interval = milliseconds(5)});
  successor.Register("index_photo", [](const Job&) { return Status(); });
  successor.Start();
  ASSERT_TRUE(WaitFor([&] { return HasState(id, JobState::kDone); }));
  successor.Stop(seconds(5));

  // The abandoned handler returns late; its outcome must change nothing.
  gate.Open();
  ASSERT_TRUE(WaitFor([&] { return returned.load(); }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(MustGet(id).state, JobState::kDone);
  EXPECT_EQ(MustGet(id).attempts, 1);
}

TEST_P(WorkerPoolTest, RenewsTheLeaseOfAJobThatOutlastsIt) {
  int64_t id = MustEnqueue(Bulk());
  constexpr milliseconds kLease(300);
  std::atomic<int> runs{0};
  std::atomic<bool> running{false};
  WorkerPool pool(queue(), {.lease = kLease, .poll_interval = milliseconds(5)});
  pool.Register("index_photo", [&](const Job&) {
    ++runs;
    running = true;
    std::this_thread::sleep_for(4 * kLease);
    running = false;
    return Status();
  });
  pool.Start();
  ASSERT_TRUE(WaitFor([&] { return running.load(); }));

  // Another worker looks for work all along: the job is never due.
  int stolen = 0;
  while (running) {
    auto claimed = queue().Claim("thief", kLease);
    ASSERT_TRUE(claimed.ok()) << claimed.error().message;
    if (claimed->has_value()) ++stolen;
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_TRUE(WaitFor([&] { return HasState(id, JobState::kDone); }));
  pool.Stop(seconds(5));
  EXPECT_EQ(stolen, 0);
  EXPECT_EQ(runs.load(), 1);
  EXPECT_EQ(MustGet(id).attempts, 1);
}

TEST_P(WorkerPoolTest, RunsInteractiveJobsBeforeBulkJobs) {
  std::vector<int64_t> bulk;
  for (int i = 0; i < 3; ++i) bulk.push_back(MustEnqueue(Bulk()));
  int64_t selfie =
      MustEnqueue(NewJob{.kind = "match_selfie", .lane = Lane::kInteractive});

  std::mutex mutex;
  std::vector<int64_t> order;
  auto record = [&](const Job& job) {
    std::lock_guard lock(mutex);
    order.push_back(job.id);
    return Status();
  };
  WorkerPool pool(queue(), {.poll_interval = milliseconds(5)});
  pool.Register("index_photo", record);
  pool.Register("match_selfie", record);
  pool.Start();
  ASSERT_TRUE(WaitFor([&] {
    std::lock_guard lock(mutex);
    return order.size() == 4;
  }));
  pool.Stop(seconds(5));
  EXPECT_EQ(order, (std::vector<int64_t>{selfie, bulk[0], bulk[1], bulk[2]}));
}

TEST_P(WorkerPoolTest, StopWithoutStartAndTwiceIsHarmless) {
  WorkerPool idle(queue());
  idle.Stop(seconds(1));
  WorkerPool pool(queue(), {.workers = 2, .poll_interval = milliseconds(5)});
  pool.Start();
  pool.Stop(seconds(1));
  pool.Stop(seconds(1));
  pool.Notify();
}

EVENTFACE_ALL_BACKENDS(WorkerPoolTest);

}  // namespace
}  // namespace eventface::jobs
