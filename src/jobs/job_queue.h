#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"
#include "jobs/job.h"
#include "store/database.h"
#include "store/transaction.h"

namespace eventface::jobs {

// Retry policy of a queue.
struct JobQueueOptions {
  int max_attempts = 5;  // for jobs that do not set their own
  // A failed attempt n (1, 2, ...) waits base * 2^(n-1), at most max.
  std::chrono::milliseconds base_backoff{1000};
  std::chrono::milliseconds max_backoff{std::chrono::minutes(10)};
};

// The durable job queue of docs/ARCHITECTURE.md: jobs are rows of the
// database, so they survive restarts and are shared by every process on
// the same database. A worker claims a job for a lease; if it dies, the
// lease expires and another worker claims the job again.
//
// Thread-safe: workers in any number of threads and processes may call
// it at once. `database` and `clock` must outlive the queue. Every method
// fails with kInternal when the database does.
class JobQueue {
 public:
  JobQueue(store::Database& database, const Clock& clock,
           JobQueueOptions options = {});

  // Adds `job` as part of the caller's transaction `tx`, so that it exists
  // exactly when the change that needs it commits. If `job` has a coalesce
  // key and a queued job has the same key, adds nothing and returns that
  // job's id. Returns the job's id.
  Result<int64_t> Enqueue(store::Transaction& tx, const NewJob& job);

  // As above, in a transaction of its own.
  Result<int64_t> Enqueue(const NewJob& job);

  // Leases the next job to `worker` (an id unique among live workers) for
  // `lease`: the oldest due interactive job, else the oldest due bulk one.
  // Due: queued with run_after reached, or running with an expired lease
  // (which this call first queues again, or fails if that was the last
  // attempt). The job becomes running and its attempts count goes up by
  // one. Returns nullopt when nothing is due. Never gives one job to two
  // workers.
  Result<std::optional<Job>> Claim(std::string_view worker,
                                   std::chrono::milliseconds lease);

  // Marks the claimed `job` done, in `tx` (so its results commit with it)
  // or in a transaction of its own. Fails with kNotFound when the lease is
  // no longer this attempt's (it expired and another worker claimed the
  // job): the caller must then drop its results, which rolling back `tx`
  // does.
  Status Complete(store::Transaction& tx, const Job& job,
                  std::string_view worker);
  Status Complete(const Job& job, std::string_view worker);

  // Records that the claimed `job` failed with `error`. It is queued again
  // after a back-off, unless this was its last attempt: then it is failed
  // for good and keeps `error`. kNotFound as for Complete().
  Status Fail(store::Transaction& tx, const Job& job, std::string_view worker,
              std::string_view error);
  Status Fail(const Job& job, std::string_view worker, std::string_view error);

  // Extends the claimed `job`'s lease to `lease` from now, for long work.
  // kNotFound as for Complete().
  Status ExtendLease(const Job& job, std::string_view worker,
                     std::chrono::milliseconds lease);

  // Gives the claimed `job` back without counting the attempt: queued
  // again, due at once, so that another worker takes it (a worker that
  // stops while running it). If a queued job has the same coalesce key,
  // this one is failed instead, since that one redoes the work.
  // kNotFound as for Complete().
  Status Release(const Job& job, std::string_view worker);

  // The job with `id`; kNotFound if there is none.
  Result<Job> Get(int64_t id);

  // How many jobs there are of each kind in each state (pairs with no job
  // are left out), for metrics.
  Result<std::vector<JobCount>> CountByKindAndState();

  // How many jobs of `lane` are queued, due or not: the queue's depth.
  Result<int64_t> Depth(Lane lane);

 private:
  // The wait before attempt `attempts` + 1, after `attempts` failed.
  std::chrono::milliseconds Backoff(int attempts) const;

  store::Database& database_;
  const Clock& clock_;
  JobQueueOptions options_;
};

}  // namespace eventface::jobs
