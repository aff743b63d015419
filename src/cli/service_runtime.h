// What `eventface serve` and `eventface worker` run on: the database, the
// media folder, the job queue and the pool of face workers.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/result.h"
#include "jobs/job_queue.h"
#include "jobs/worker_pool.h"
#include "service/service_context.h"
#include "store/database.h"
#include "store/media_folder.h"

namespace eventface::cli {

struct RuntimeOptions {
  std::string database;  // URL or SQLite path
  std::string media;     // the media folder
  std::string models;    // "" finds them (engine::ResolveModelDirectory)
  int workers = 1;       // face worker threads; 0 runs none
  // How long a worker's claim holds a job; a killed process's jobs wait
  // this long before another worker takes them.
  std::chrono::seconds job_lease{60};
  size_t database_sessions = 8;
  // How often housekeeping queues the retention job and drops expired
  // sessions.
  std::chrono::milliseconds housekeeping_interval = std::chrono::hours(1);
};

// The embedded defaults: everything under ./data, one worker per core.
RuntimeOptions DefaultRuntimeOptions();

// Adds --db, --media, --workers, --models and --job-lease-seconds, with their
// environment variables, to `command`.
void AddRuntimeOptions(CLI::App& command, RuntimeOptions& options);

// Owns the parts of a running service and stops them in order. Not
// thread-safe: one thread starts and stops it.
class ServiceRuntime {
 public:
  // Opens (and migrates) the database and the media folder.
  static Result<std::unique_ptr<ServiceRuntime>> Open(
      const RuntimeOptions& options);

  ~ServiceRuntime();

  // Loads one face analyzer per worker, then starts the workers, which
  // run every job kind of service/job_kinds.h, and housekeeping. `observer`
  // hears of every finished job.
  Status StartWorkers(jobs::JobObserver observer);

  // Stops housekeeping and the workers; running jobs get `grace` to
  // finish, then go back to the queue for another process.
  void StopWorkers(std::chrono::milliseconds grace);

  store::Database& database() { return *database_; }
  jobs::JobQueue& queue() { return *queue_; }
  service::ServiceContext& context() { return *context_; }
  const RuntimeOptions& options() const { return options_; }

 private:
  struct Analyzers;

  explicit ServiceRuntime(const RuntimeOptions& options);
  void RunHousekeeping();

  RuntimeOptions options_;
  SystemClock clock_;
  std::unique_ptr<store::Database> database_;
  std::unique_ptr<store::MediaFolder> media_;
  std::unique_ptr<jobs::JobQueue> queue_;
  std::unique_ptr<service::ServiceContext> context_;
  std::unique_ptr<Analyzers> analyzers_;
  std::unique_ptr<jobs::WorkerPool> pool_;

  std::mutex housekeeping_mutex_;
  std::condition_variable housekeeping_wake_;
  bool stopping_ = false;
  std::thread housekeeping_;
};

}  // namespace eventface::cli
