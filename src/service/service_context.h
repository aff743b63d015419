#pragma once

#include <cstdint>
#include <functional>

#include "core/clock.h"
#include "jobs/job_queue.h"
#include "store/database.h"
#include "store/media_folder.h"

namespace eventface::service {

// What every use case works with: the database, the media folder, the job
// queue and the clock. Built once by the command that runs the service;
// everything it refers to outlives the use cases. Thread-safe, as each
// part is.
struct ServiceContext {
  store::Database& database;
  const store::MediaFolder& media;
  jobs::JobQueue& queue;
  const Clock& clock;
  // Called after a transaction that enqueued jobs commits, so that idle
  // workers in this process start at once instead of at their next poll.
  std::function<void()> wake_workers = [] {};
  // Told how many faces each indexed photo added, for metrics.
  std::function<void(int64_t)> faces_indexed = [](int64_t) {};
};

}  // namespace eventface::service
