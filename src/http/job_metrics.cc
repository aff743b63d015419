#include "http/job_metrics.h"

#include <spdlog/spdlog.h>

#include <cassert>
#include <map>
#include <utility>

namespace eventface::http {
namespace {

using jobs::JobState;
using jobs::Lane;

constexpr JobState kStates[] = {JobState::kQueued, JobState::kRunning,
                                JobState::kDone, JobState::kFailed};

// Seconds: jobs last from milliseconds (a selfie) to minutes (a rematch).
std::vector<double> JobDurationBounds() {
  return {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600};
}

}  // namespace

JobMetrics::JobMetrics(MetricsRegistry& registry, jobs::JobQueue& queue)
    : queue_(queue),
      jobs_(registry.AddGauge("eventface_jobs", "Jobs by kind and state.",
                              {"kind", "state"})),
      queue_depth_(registry.AddGauge("eventface_job_queue_depth",
                                     "Queued jobs, due or not, by lane.",
                                     {"lane"})),
      scrape_errors_(
          registry.AddCounter("eventface_job_scrape_errors_total",
                              "Scrapes that could not read the job queue.")),
      finished_(registry.AddCounter("eventface_jobs_finished_total",
                                    "Finished job attempts by outcome.",
                                    {"kind", "outcome"})),
      duration_(registry.AddHistogram("eventface_job_duration_seconds",
                                      "Time a job's handler ran.", {"kind"},
                                      JobDurationBounds())),
      faces_indexed_(registry.AddCounter("eventface_faces_indexed_total",
                                         "Faces found in indexed photos.")) {
  // Counters without labels show 0 from the first scrape on.
  scrape_errors_->Increment({}, 0);
  faces_indexed_->Increment({}, 0);
  registry.AddCollector([this] { Collect(); });
}

jobs::JobObserver JobMetrics::Observer() {
  return [this](std::string_view kind, jobs::JobOutcome outcome,
                std::chrono::milliseconds duration) {
    RecordAttempt(kind, outcome, duration);
  };
}

void JobMetrics::RecordAttempt(std::string_view kind, jobs::JobOutcome outcome,
                               std::chrono::milliseconds duration) {
  std::string kind_label(kind);
  finished_->Increment(
      {kind_label, std::string(jobs::JobOutcomeName(outcome))});
  duration_->Observe({kind_label},
                     std::chrono::duration<double>(duration).count());
}

void JobMetrics::AddFacesIndexed(int64_t count) {
  assert(count >= 0);
  faces_indexed_->Increment({}, static_cast<double>(count));
}

void JobMetrics::Collect() {
  auto counts = queue_.CountByKindAndState();
  auto interactive = queue_.Depth(Lane::kInteractive);
  auto bulk = queue_.Depth(Lane::kBulk);
  if (!counts.ok() || !interactive.ok() || !bulk.ok()) {
    const Error& error = !counts.ok()        ? counts.error()
                         : !interactive.ok() ? interactive.error()
                                             : bulk.error();
    spdlog::warn("metrics: cannot read the job queue: {}", error.message);
    scrape_errors_->Increment({});
    return;
  }

  std::map<std::pair<std::string, JobState>, int64_t> by_key;
  for (const jobs::JobCount& count : *counts) {
    by_key[{count.kind, count.state}] = count.count;
  }
  std::lock_guard lock(mutex_);
  for (const auto& [key, count] : by_key) kinds_.insert(key.first);
  for (const std::string& kind : kinds_) {
    for (JobState state : kStates) {
      auto count = by_key.find({kind, state});
      jobs_->Set(
          {kind, std::string(jobs::JobStateName(state))},
          count == by_key.end() ? 0 : static_cast<double>(count->second));
    }
  }
  queue_depth_->Set({"interactive"}, static_cast<double>(*interactive));
  queue_depth_->Set({"bulk"}, static_cast<double>(*bulk));
}

ReadinessCheck DatabaseReadinessCheck(store::Database& database) {
  return ReadinessCheck{"database", [&database] { return database.Ping(); }};
}

}  // namespace eventface::http
