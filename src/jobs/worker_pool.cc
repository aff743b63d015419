#include "jobs/worker_pool.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <random>

namespace eventface::jobs {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

// "host:pid:token": the part of a worker id shared by one pool's workers.
std::string ProcessTag() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  char token[9];
  std::snprintf(token, sizeof token, "%08x",
                static_cast<unsigned>(std::random_device()()));
  return std::string(host[0] ? host : "unknown-host") + ":" +
         std::to_string(getpid()) + ":" + token;
}

std::string Attempt(const Job& job) {
  return std::to_string(job.attempts) + "/" + std::to_string(job.max_attempts);
}

}  // namespace

std::string_view JobOutcomeName(JobOutcome outcome) {
  switch (outcome) {
    case JobOutcome::kDone:
      return "done";
    case JobOutcome::kRetried:
      return "retried";
    case JobOutcome::kFailed:
      return "failed";
    case JobOutcome::kReleased:
      return "released";
    case JobOutcome::kLost:
      return "lost";
  }
  return "unknown";
}

// What the pool and its threads share. `handlers`, `observer`, `options`
// and the slots' worker ids are fixed once the workers start; the rest is
// guarded by `mutex`.
struct WorkerPool::Shared {
  // One worker's job while its handler runs.
  struct Slot {
    std::string worker_id;
    std::optional<Job> job = std::nullopt;
    Clock::time_point started = {};
    bool abandoned = false;  // released by Stop(); drop the outcome
  };

  std::map<std::string, JobHandler, std::less<>> handlers;
  JobObserver observer;
  WorkerPoolOptions options;

  std::mutex mutex;
  std::condition_variable wake;         // idle workers
  std::condition_variable keeper_wake;  // the lease keeper
  std::condition_variable finished;     // Stop() waits for running jobs
  bool stopping = false;                // no more claims
  bool keeper_stopping = false;         // no more lease renewals
  uint64_t notifications = 0;
  std::vector<Slot> slots;  // one per worker; never resized after Start()

  void Observe(const Job& job, JobOutcome outcome, milliseconds duration) {
    if (observer) observer(job.kind, outcome, duration);
  }

  bool IsAnyJobRunning() const {
    for (const Slot& slot : slots) {
      if (slot.job) return true;
    }
    return false;
  }

  // Sleeps until notified, stopped or `poll_interval` passed since the
  // worker read `seen`.
  void WaitForWork(uint64_t seen) {
    std::unique_lock lock(mutex);
    wake.wait_for(lock, options.poll_interval,
                  [&] { return stopping || notifications != seen; });
  }

  // Records the handler's `status` for `job` in the queue, logs it and
  // tells the observer.
  void RecordOutcome(JobQueue& queue, const Job& job, const std::string& worker,
                     const Status& status, milliseconds duration);

  // The handler's verdict on `job`; exceptions and unknown kinds fail it.
  Status RunHandler(const Job& job) const {
    auto handler = handlers.find(job.kind);
    if (handler == handlers.end()) {
      return Error{ErrorCode::kInvalidArgument,
                   "no handler for job kind \"" + job.kind + "\""};
    }
    try {
      return handler->second(job);
    } catch (const std::exception& e) {
      return Error{ErrorCode::kInternal,
                   std::string("handler threw: ") + e.what()};
    } catch (...) {
      return Error{ErrorCode::kInternal, "handler threw a non-exception"};
    }
  }
};

WorkerPool::WorkerPool(JobQueue& queue, WorkerPoolOptions options)
    : queue_(queue), options_(options), shared_(std::make_shared<Shared>()) {
  assert(options_.workers >= 1);
  assert(options_.lease.count() > 0);
  std::string tag = ProcessTag();
  for (int i = 0; i < options_.workers; ++i) {
    worker_ids_.push_back(tag + ":" + std::to_string(i));
  }
  shared_->options = options_;
}

WorkerPool::~WorkerPool() { Stop(milliseconds(0)); }

void WorkerPool::Register(std::string kind, JobHandler handler) {
  assert(!started_);
  shared_->handlers[std::move(kind)] = std::move(handler);
}

void WorkerPool::SetObserver(JobObserver observer) {
  assert(!started_);
  shared_->observer = std::move(observer);
}

void WorkerPool::Start() {
  assert(!started_);
  started_ = true;
  for (const std::string& id : worker_ids_) {
    shared_->slots.push_back(Shared::Slot{.worker_id = id});
  }
  spdlog::info("worker pool started: {} workers ({}:*)", worker_ids_.size(),
               worker_ids_[0].substr(0, worker_ids_[0].rfind(':')));
  for (size_t i = 0; i < worker_ids_.size(); ++i) {
    workers_.emplace_back(RunWorker, shared_, std::ref(queue_), i);
  }
  lease_keeper_ = std::thread([this] { RenewLeases(); });
}

void WorkerPool::Notify() {
  {
    std::lock_guard lock(shared_->mutex);
    ++shared_->notifications;
  }
  shared_->wake.notify_one();
}

void WorkerPool::Stop(milliseconds grace) {
  if (!started_ || stopped_) return;
  stopped_ = true;
  {
    std::lock_guard lock(shared_->mutex);
    shared_->stopping = true;
  }
  shared_->wake.notify_all();

  // Running jobs get `grace` to finish; the rest are abandoned under the
  // lock, so their workers see it before they record anything.
  std::vector<size_t> abandoned;
  {
    std::unique_lock lock(shared_->mutex);
    shared_->finished.wait_for(lock, grace,
                               [&] { return !shared_->IsAnyJobRunning(); });
    for (size_t i = 0; i < shared_->slots.size(); ++i) {
      if (!shared_->slots[i].job) continue;
      shared_->slots[i].abandoned = true;
      abandoned.push_back(i);
    }
    shared_->keeper_stopping = true;
  }
  shared_->keeper_wake.notify_all();
  lease_keeper_.join();

  ReleaseAbandoned(abandoned);
  for (size_t i = 0; i < workers_.size(); ++i) {
    bool is_abandoned =
        std::find(abandoned.begin(), abandoned.end(), i) != abandoned.end();
    if (is_abandoned) {
      workers_[i].detach();
    } else {
      workers_[i].join();
    }
  }
  spdlog::info("worker pool stopped ({} running jobs released)",
               abandoned.size());
}

void WorkerPool::ReleaseAbandoned(const std::vector<size_t>& abandoned) {
  // Abandoned slots are no longer written by their workers.
  for (size_t i : abandoned) {
    const Shared::Slot& slot = shared_->slots[i];
    const Job& job = *slot.job;
    milliseconds duration = Since(slot.started);
    Status released = queue_.Release(job, slot.worker_id);
    if (released.ok()) {
      spdlog::info("[job:{}] {} released after {} ms: still running at stop",
                   job.id, job.kind, duration.count());
      shared_->Observe(job, JobOutcome::kReleased, duration);
    } else {
      spdlog::error("[job:{}] {} could not be released: {}", job.id, job.kind,
                    released.error().message);
      shared_->Observe(job, JobOutcome::kLost, duration);
    }
  }
}

void WorkerPool::RunWorker(std::shared_ptr<Shared> shared, JobQueue& queue,
                           size_t index) {
  Shared::Slot& slot = shared->slots[index];
  const std::string& worker = slot.worker_id;
  while (true) {
    uint64_t seen;
    {
      std::lock_guard lock(shared->mutex);
      if (shared->stopping) return;
      seen = shared->notifications;
    }

    auto claimed = queue.Claim(worker, shared->options.lease);
    if (!claimed.ok()) {
      spdlog::warn("worker {}: claim failed: {}", worker,
                   claimed.error().message);
      shared->WaitForWork(seen);
      continue;
    }
    if (!claimed->has_value()) {
      shared->WaitForWork(seen);
      continue;
    }
    Job job = std::move(**claimed);

    // Stop() may have begun during the claim: hand the job straight back.
    bool is_stopping;
    {
      std::lock_guard lock(shared->mutex);
      is_stopping = shared->stopping;
      if (!is_stopping) {
        slot.job = job;
        slot.started = Clock::now();
      }
    }
    if (is_stopping) {
      Status released = queue.Release(job, worker);
      if (!released.ok()) {
        spdlog::error("[job:{}] {} could not be released: {}", job.id, job.kind,
                      released.error().message);
      }
      return;
    }

    spdlog::info("[job:{}] {} started (attempt {})", job.id, job.kind,
                 Attempt(job));
    Status status = shared->RunHandler(job);
    milliseconds duration = Since(slot.started);
    {
      std::lock_guard lock(shared->mutex);
      if (slot.abandoned) {
        // Stop() released the job and may have freed the queue.
        spdlog::info(
            "[job:{}] {} returned {} ms after it was released; "
            "its outcome is dropped",
            job.id, job.kind, duration.count());
        return;
      }
      slot.job.reset();
    }
    shared->finished.notify_all();
    shared->RecordOutcome(queue, job, worker, status, duration);
  }
}

bool WorkerPool::IsStillRunning(const Job& job) {
  std::lock_guard lock(shared_->mutex);
  for (const Shared::Slot& slot : shared_->slots) {
    if (slot.job && slot.job->id == job.id &&
        slot.job->attempts == job.attempts && !slot.abandoned) {
      return true;
    }
  }
  return false;
}

void WorkerPool::RenewLeases() {
  milliseconds period = std::max(options_.lease / 3, milliseconds(1));
  while (true) {
    std::vector<std::pair<Job, std::string>> running;
    {
      std::unique_lock lock(shared_->mutex);
      shared_->keeper_wake.wait_for(lock, period,
                                    [&] { return shared_->keeper_stopping; });
      if (shared_->keeper_stopping) return;
      for (const Shared::Slot& slot : shared_->slots) {
        if (slot.job) running.emplace_back(*slot.job, slot.worker_id);
      }
    }

    for (const auto& [job, worker] : running) {
      Status extended = queue_.ExtendLease(job, worker, options_.lease);
      // A job that finished meanwhile has no lease left to extend.
      if (!extended.ok() && IsStillRunning(job)) {
        spdlog::warn("[job:{}] {} lease not extended: {}", job.id, job.kind,
                     extended.error().message);
      }
    }
  }
}

void WorkerPool::Shared::RecordOutcome(JobQueue& queue, const Job& job,
                                       const std::string& worker,
                                       const Status& status,
                                       milliseconds duration) {
  if (status.ok()) {
    Status completed = queue.Complete(job, worker);
    if (completed.ok()) {
      spdlog::info("[job:{}] {} done in {} ms", job.id, job.kind,
                   duration.count());
      Observe(job, JobOutcome::kDone, duration);
    } else {
      spdlog::warn("[job:{}] {} done in {} ms but not recorded: {}", job.id,
                   job.kind, duration.count(), completed.error().message);
      Observe(job, JobOutcome::kLost, duration);
    }
    return;
  }

  const std::string& error = status.error().message;
  Status failed = queue.Fail(job, worker, error);
  if (!failed.ok()) {
    spdlog::warn("[job:{}] {} failed (attempt {}): {}; not recorded: {}",
                 job.id, job.kind, Attempt(job), error, failed.error().message);
    Observe(job, JobOutcome::kLost, duration);
    return;
  }
  bool is_last = job.attempts >= job.max_attempts;
  spdlog::log(is_last ? spdlog::level::err : spdlog::level::warn,
              "[job:{}] {} failed (attempt {}): {}", job.id, job.kind,
              Attempt(job), error);
  Observe(job, is_last ? JobOutcome::kFailed : JobOutcome::kRetried, duration);
}

}  // namespace eventface::jobs
