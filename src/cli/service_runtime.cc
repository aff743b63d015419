#include "cli/service_runtime.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <vector>

#include "cli/commands.h"
#include "engine/face_analyzer.h"
#include "service/face_jobs.h"
#include "service/job_kinds.h"
#include "store/session_store.h"

namespace eventface::cli {

// One analyzer per worker thread (an analyzer is not thread-safe): a job
// borrows a free one for its run.
struct ServiceRuntime::Analyzers {
  std::mutex mutex;
  std::condition_variable returned;
  std::vector<std::unique_ptr<engine::FaceAnalyzer>> free;

  std::unique_ptr<engine::FaceAnalyzer> Borrow() {
    std::unique_lock lock(mutex);
    returned.wait(lock, [this] { return !free.empty(); });
    auto analyzer = std::move(free.back());
    free.pop_back();
    return analyzer;
  }

  void Return(std::unique_ptr<engine::FaceAnalyzer> analyzer) {
    {
      std::lock_guard lock(mutex);
      free.push_back(std::move(analyzer));
    }
    returned.notify_one();
  }
};

RuntimeOptions DefaultRuntimeOptions() {
  RuntimeOptions options;
  options.database = std::string(store::kDefaultDatabaseUrl);
  options.media = "./data/media";
  options.workers = std::max(1u, std::thread::hardware_concurrency());
  return options;
}

void AddRuntimeOptions(CLI::App& command, RuntimeOptions& options) {
  AddDatabaseOption(command, options.database);
  command
      .add_option("--media", options.media,
                  "folder of photo and selfie files; every node must share it")
      ->envname("EVENTFACE_MEDIA")
      ->capture_default_str();
  command
      .add_option("--workers", options.workers,
                  "face worker threads (default: the number of cores)")
      ->envname("EVENTFACE_WORKERS")
      ->check(CLI::Range(0, 256))
      ->capture_default_str();
  command
      .add_option("--models", options.models,
                  "folder of the face-api model files")
      ->envname("EVENTFACE_MODELS");
  command
      .add_option_function<int>(
          "--job-lease-seconds",
          [&options](int seconds) {
            options.job_lease = std::chrono::seconds(seconds);
          },
          "how long a worker holds a job it claimed; the jobs of a killed "
          "process run again elsewhere after this long (default: 60)")
      ->envname("EVENTFACE_JOB_LEASE_SECONDS")
      ->check(CLI::Range(1, 3600));
}

Result<std::unique_ptr<ServiceRuntime>> ServiceRuntime::Open(
    const RuntimeOptions& options) {
  std::unique_ptr<ServiceRuntime> runtime(new ServiceRuntime(options));
  auto database =
      store::Database::Open({options.database, options.database_sessions});
  if (!database) return database.error();
  runtime->database_ = std::move(*database);
  runtime->media_ = std::make_unique<store::MediaFolder>(options.media);
  runtime->queue_ =
      std::make_unique<jobs::JobQueue>(*runtime->database_, runtime->clock_);
  ServiceRuntime* self = runtime.get();
  runtime->context_ = std::make_unique<service::ServiceContext>(
      service::ServiceContext{*runtime->database_, *runtime->media_,
                              *runtime->queue_, runtime->clock_, [self] {
                                if (self->pool_) self->pool_->Notify();
                              }});
  return runtime;
}

ServiceRuntime::ServiceRuntime(const RuntimeOptions& options)
    : options_(options) {}

ServiceRuntime::~ServiceRuntime() { StopWorkers(std::chrono::seconds(0)); }

Status ServiceRuntime::StartWorkers(jobs::JobObserver observer) {
  if (options_.workers == 0) return Status();
  auto started = std::chrono::steady_clock::now();
  analyzers_ = std::make_unique<Analyzers>();
  for (int i = 0; i < options_.workers; ++i) {
    auto analyzer = LoadAnalyzer(options_.models);
    if (!analyzer) return analyzer.error();
    analyzers_->free.push_back(
        std::make_unique<engine::FaceAnalyzer>(std::move(*analyzer)));
  }
  pool_ = std::make_unique<jobs::WorkerPool>(
      *queue_, jobs::WorkerPoolOptions{.workers = options_.workers,
                                       .lease = options_.job_lease});
  auto run = [this](const jobs::Job& job) {
    auto analyzer = analyzers_->Borrow();
    Status status = service::FaceJobs(*context_, *analyzer).Run(job);
    analyzers_->Return(std::move(analyzer));
    return status;
  };
  for (std::string_view kind :
       {service::kIndexPhotoJob, service::kMatchSelfieJob,
        service::kRematchEventJob, service::kEraseExpiredJob}) {
    pool_->Register(std::string(kind), run);
  }
  pool_->SetObserver(std::move(observer));
  pool_->Start();
  housekeeping_ = std::thread([this] { RunHousekeeping(); });
  spdlog::info("[workers] {} face workers started in {} ms", options_.workers,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count());
  return Status();
}

void ServiceRuntime::StopWorkers(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(housekeeping_mutex_);
    stopping_ = true;
  }
  housekeeping_wake_.notify_all();
  if (housekeeping_.joinable()) housekeeping_.join();
  if (pool_) pool_->Stop(grace);
}

// Queues the retention job (coalesced, so many processes queue one) and
// drops expired sessions, now and then every interval.
void ServiceRuntime::RunHousekeeping() {
  std::unique_lock lock(housekeeping_mutex_);
  while (!stopping_) {
    lock.unlock();
    auto queued = queue_->Enqueue({std::string(service::kEraseExpiredJob),
                                   jobs::Lane::kBulk, "{}",
                                   std::string(service::kEraseExpiredJob)});
    if (!queued) {
      spdlog::warn("[housekeeping] retention job not queued: {}",
                   queued.error().message);
    }
    auto dropped = database_->WithTransaction([&](store::Transaction& tx) {
      return store::SessionStore(tx).DeleteExpired(clock_.Now());
    });
    if (!dropped) {
      spdlog::warn("[housekeeping] expired sessions kept: {}",
                   dropped.error().message);
    }
    lock.lock();
    housekeeping_wake_.wait_for(lock, options_.housekeeping_interval,
                                [this] { return stopping_; });
  }
}

}  // namespace eventface::cli
