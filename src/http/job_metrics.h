// The job layer's signals for operators: job counts and queue depth read
// at every /metrics scrape, attempts counted as workers finish them, and
// the database readiness check of /readyz.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "http/app.h"
#include "http/metrics.h"
#include "jobs/job_queue.h"
#include "jobs/worker_pool.h"
#include "store/database.h"

namespace eventface::http {

// Metrics of the job queue and its workers, in `registry`:
//   eventface_jobs{kind,state}                  gauge, read at each scrape
//   eventface_job_queue_depth{lane}             gauge, "interactive"/"bulk"
//   eventface_job_scrape_errors_total           counter: reads that failed
//   eventface_jobs_finished_total{kind,outcome} counter, from the observer
//   eventface_job_duration_seconds{kind}        histogram of attempts
//   eventface_faces_indexed_total               counter the service adds to
// Thread-safe. `registry` and `queue` must outlive it, and it must outlive
// the registry's last RenderText() and the pools it observes.
class JobMetrics {
 public:
  JobMetrics(MetricsRegistry& registry, jobs::JobQueue& queue);

  JobMetrics(const JobMetrics&) = delete;
  JobMetrics& operator=(const JobMetrics&) = delete;

  // An observer for WorkerPool::SetObserver that calls RecordAttempt.
  jobs::JobObserver Observer();

  // Counts one finished attempt at a job of `kind` and its duration.
  void RecordAttempt(std::string_view kind, jobs::JobOutcome outcome,
                     std::chrono::milliseconds duration);

  // Adds `count` (>= 0) faces found in indexed photos.
  void AddFacesIndexed(int64_t count);

 private:
  // Reads the queue's counts into the gauges; on failure, counts a scrape
  // error and leaves the gauges as they were.
  void Collect();

  jobs::JobQueue& queue_;
  Gauge* jobs_;
  Gauge* queue_depth_;
  Counter* scrape_errors_;
  Counter* finished_;
  Histogram* duration_;
  Counter* faces_indexed_;
  std::mutex mutex_;
  // Kinds seen in any scrape: a (kind, state) pair that empties reads 0
  // rather than keeping its last count.
  std::set<std::string> kinds_;  // guarded by mutex_
};

// The /readyz check "database": a `SELECT 1` in a read transaction. Fails
// with kUnavailable saying what went wrong. `database` must outlive it.
ReadinessCheck DatabaseReadinessCheck(store::Database& database);

}  // namespace eventface::http
