#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.h"
#include "jobs/job.h"
#include "jobs/job_queue.h"

namespace eventface::jobs {

// How one attempt at a job ended, as a WorkerPool's observer hears it.
enum class JobOutcome {
  kDone,      // the handler succeeded and the job is done
  kRetried,   // the handler failed; the job runs again after a back-off
  kFailed,    // the handler failed on the last attempt: failed for good
  kReleased,  // the pool stopped before the handler returned; requeued
  kLost,      // the outcome could not be recorded (the lease was taken
              // over, or the database failed): the job will run again
};

// "done", "retried", "failed", "released", "lost": for metrics labels.
std::string_view JobOutcomeName(JobOutcome outcome);

// Does the work of one kind of job. Must be idempotent: a job whose lease
// expired (its worker died or stalled) runs again, possibly elsewhere. An
// Error fails the attempt with its message; so does an exception.
using JobHandler = std::function<Status(const Job& job)>;

// Hears of every finished attempt: its kind, outcome and how long the
// handler ran. Called from worker threads and from Stop(): must be
// thread-safe and quick. Lets the HTTP layer count jobs without jobs/
// knowing of metrics.
using JobObserver = std::function<void(
    std::string_view kind, JobOutcome outcome, std::chrono::milliseconds)>;

struct WorkerPoolOptions {
  int workers = 1;  // threads, each running one job at a time
  // How long a claim holds a job. While its handler runs, the pool extends
  // the lease every third of it, so only a dead or stuck process loses it.
  std::chrono::milliseconds lease{std::chrono::seconds(60)};
  // How often an idle worker looks for due jobs when not notified; also
  // how long it waits after a failed claim.
  std::chrono::milliseconds poll_interval{500};
};

// Worker threads that claim jobs from a JobQueue and run the handler
// registered for each job's kind: Complete on success, Fail with the
// error's message otherwise (the queue retries with back-off and fails the
// job for good after its last attempt). A job of a kind with no handler
// fails the same way, so a process that knows the kind may still take it.
//
// Worker ids are "host:pid:token:index", unique across processes and
// machines (the random token tells apart processes that reuse a host
// name and pid, as restarted containers do).
//
// Register(), SetObserver() and Start() are for the owning thread, before
// the workers run; Notify() may be called from any thread at any time.
// `queue` must outlive Stop().
class WorkerPool {
 public:
  explicit WorkerPool(JobQueue& queue, WorkerPoolOptions options = {});

  // Stops with no grace if still running (see Stop).
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `handler` for jobs of `kind`, replacing any handler it had.
  // REQUIRES: Start() not called yet.
  void Register(std::string kind, JobHandler handler);

  // Sets the observer of finished attempts. REQUIRES: before Start().
  void SetObserver(JobObserver observer);

  // Starts the workers. REQUIRES: called at most once.
  void Start();

  // Wakes an idle worker at once, for a job just enqueued, instead of at
  // its next poll.
  void Notify();

  // Stops claiming, waits up to `grace` for running jobs to finish, then
  // releases the jobs still running (queued again, due now, the attempt
  // not counted) so that another process takes them, and returns. A
  // handler still running is left to finish on its own thread, which then
  // drops its outcome and ends without touching the queue or this pool;
  // such a handler must not rely on anything its owner frees after Stop.
  // Waits for no handler beyond `grace`; blocks only for the database
  // calls in flight. Idempotent.
  void Stop(std::chrono::milliseconds grace);

  // The id of each worker, as written in the jobs' lease_owner.
  const std::vector<std::string>& worker_ids() const { return worker_ids_; }

 private:
  struct Shared;

  // A worker's loop: claim, run, record, until Stop().
  static void RunWorker(std::shared_ptr<Shared> shared, JobQueue& queue,
                        size_t index);
  // The lease keeper's loop: extends the lease of every running job.
  void RenewLeases();
  // Whether a worker still runs this attempt of `job`.
  bool IsStillRunning(const Job& job);
  // Gives the jobs of the `abandoned` workers' slots back to the queue.
  void ReleaseAbandoned(const std::vector<size_t>& abandoned);

  JobQueue& queue_;
  WorkerPoolOptions options_;
  std::vector<std::string> worker_ids_;
  // Shared with the worker threads, so that a thread left running past
  // Stop() never touches freed memory.
  std::shared_ptr<Shared> shared_;
  std::vector<std::thread> workers_;
  std::thread lease_keeper_;
  bool started_ = false;
  bool stopped_ = false;
};

}  // namespace eventface::jobs
