#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace eventface::jobs {

// Where a job is in its life; job_queue.cc draws the transitions.
enum class JobState { kQueued, kRunning, kDone, kFailed };

// Which work goes first: every claimable interactive job (a selfie an
// attendee waits for) before any bulk job (photos to index).
enum class Lane { kInteractive = 0, kBulk = 1 };

// The state's name as stored in the database and shown in metrics
// ("queued", "running", "done", "failed").
std::string_view JobStateName(JobState state);

// The state named `name`, or nullopt for a name JobStateName never gives.
std::optional<JobState> ParseJobState(std::string_view name);

// Work to put on the queue.
struct NewJob {
  std::string kind;  // "index_photo", "match_selfie", "rematch_event", ...
  Lane lane = Lane::kBulk;
  std::string payload = "{}";  // JSON text for the job's handler
  // Jobs with the same key are coalesced: while one is queued, enqueuing
  // another returns the queued one's id (e.g. "rematch_event:42").
  std::optional<std::string> coalesce_key = std::nullopt;
  int max_attempts = 0;  // 0: the queue's default
};

// A job as stored. A job returned by JobQueue::Claim() is also the lease:
// its id, lease_owner and attempts identify that one attempt.
struct Job {
  int64_t id = 0;
  std::string kind;
  Lane lane = Lane::kBulk;
  std::string payload;
  JobState state = JobState::kQueued;
  int attempts = 0;  // claims so far, including the current one
  int max_attempts = 0;
  Timestamp run_after;  // not claimed before this time (back-off)
  std::optional<std::string> lease_owner;
  std::optional<Timestamp> lease_expires_at;
  std::optional<std::string> error;  // the last attempt's failure
  std::optional<std::string> coalesce_key;
  Timestamp created_at;
  Timestamp updated_at;
};

// How many jobs of one kind are in one state, for metrics.
struct JobCount {
  std::string kind;
  JobState state = JobState::kQueued;
  int64_t count = 0;
};

}  // namespace eventface::jobs
