// Measures the job queue's throughput: enqueue N jobs, then claim and
// complete each, on a fresh SQLite file and (when EVENTFACE_BENCH_PG or
// EVENTFACE_TEST_PG names a server) in a fresh PostgreSQL schema that is
// dropped afterwards, with 1 and 4 worker threads. Prints one line per run.
//
//   job_queue_bench [JOBS]      (default 1000)

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "jobs/job_queue.h"
#include "store/database.h"
#include "store/database_url.h"

namespace {

using eventface::SystemClock;
using eventface::jobs::JobQueue;
using eventface::jobs::Lane;
using eventface::jobs::NewJob;
using eventface::store::Database;
using eventface::store::DatabaseOptions;
using Seconds = std::chrono::duration<double>;

// Claims and completes until the queue is empty; returns jobs done.
int Drain(JobQueue& queue, const std::string& worker) {
  int done = 0;
  while (true) {
    auto job = queue.Claim(worker, std::chrono::seconds(60));
    if (!job.ok()) {
      std::fprintf(stderr, "claim: %s\n", job.error().message.c_str());
      return done;
    }
    if (!job->has_value()) return done;
    eventface::Status completed = queue.Complete(**job, worker);
    if (completed.ok()) {
      ++done;
    } else {
      std::fprintf(stderr, "complete: %s\n", completed.error().message.c_str());
    }
  }
}

bool Run(const std::string& label, const DatabaseOptions& options, int jobs,
         int threads) {
  auto database = Database::Open(options);
  if (!database.ok()) {
    std::fprintf(stderr, "%s: %s\n", label.c_str(),
                 database.error().message.c_str());
    return false;
  }
  SystemClock clock;
  JobQueue queue(**database, clock);

  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < jobs; ++i) {
    if (!queue.Enqueue(NewJob{.kind = "bench", .lane = Lane::kBulk}).ok()) {
      return false;
    }
  }
  auto enqueued = std::chrono::steady_clock::now();

  std::atomic<int> done{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back(
        [&, t] { done += Drain(queue, "bench-" + std::to_string(t)); });
  }
  for (std::thread& worker : workers) worker.join();
  auto drained = std::chrono::steady_clock::now();

  double enqueue_s = Seconds(enqueued - start).count();
  double drain_s = Seconds(drained - enqueued).count();
  std::printf(
      "%-8s %d thread(s): enqueue %d jobs %.3f s (%.0f/s); claim+complete "
      "%d jobs %.3f s (%.0f/s, %.2f ms each)\n",
      label.c_str(), threads, jobs, enqueue_s, jobs / enqueue_s, done.load(),
      drain_s, done / drain_s, 1000 * drain_s / done);
  return done == jobs;
}

// Runs the benchmark in a schema of its own on the server at `url`.
bool RunOnPostgres(const std::string& url, int jobs, int threads) {
  auto parsed = eventface::store::ParseDatabaseUrl(url);
  if (!parsed.ok()) {
    std::fprintf(stderr, "%s\n", parsed.error().message.c_str());
    return false;
  }
  std::string schema = "job_queue_bench_" + std::to_string(getpid());
  try {
    soci::session admin(soci::postgresql, parsed->connect_string);
    admin << "SET client_min_messages = warning";
    admin << "CREATE SCHEMA " + schema;
    bool ok = Run("postgres",
                  {.url = url + (url.find('?') == url.npos ? "?" : "&") +
                          "options=-csearch_path%3D" + schema},
                  jobs, threads);
    admin << "DROP SCHEMA " + schema + " CASCADE";
    return ok;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "postgres: %s\n", e.what());
    return false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  int jobs = argc > 1 ? std::atoi(argv[1]) : 1000;
  std::filesystem::path folder =
      std::filesystem::temp_directory_path() /
      ("job_queue_bench-" + std::to_string(getpid()));
  bool ok = true;
  for (int threads : {1, 4}) {
    std::filesystem::remove_all(folder);
    ok &= Run("sqlite", {.url = (folder / "bench.db").string()}, jobs, threads);
  }
  std::filesystem::remove_all(folder);

  const char* pg = std::getenv("EVENTFACE_BENCH_PG");
  if (!pg) pg = std::getenv("EVENTFACE_TEST_PG");
  if (pg) {
    for (int threads : {1, 4}) ok &= RunOnPostgres(pg, jobs, threads);
  } else {
    std::printf("postgres: skipped (set EVENTFACE_BENCH_PG)\n");
  }
  return ok ? 0 : 1;
}
