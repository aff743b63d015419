#include "jobs/job.h"

namespace eventface::jobs {

std::string_view JobStateName(JobState state) {
  switch (state) {
    case JobState::kQueued:
      return "queued";
    case JobState::kRunning:
      return "running";
    case JobState::kDone:
      return "done";
    case JobState::kFailed:
      return "failed";
  }
  return "unknown";
}

std::optional<JobState> ParseJobState(std::string_view name) {
  for (JobState state : {JobState::kQueued, JobState::kRunning, JobState::kDone,
                         JobState::kFailed}) {
    if (JobStateName(state) == name) return state;
  }
  return std::nullopt;
}

}  // namespace eventface::jobs
