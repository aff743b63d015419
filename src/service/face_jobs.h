// The face work of the job queue: indexing photos, matching selfies,
// rematching events and erasing expired selfies.
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "core/result.h"
#include "engine/face_analyzer.h"
#include "engine/photo_renditions.h"
#include "jobs/job.h"
#include "service/service_context.h"
#include "store/selfie_store.h"

namespace eventface::service {

// How FaceJobs makes the renditions of photos it indexes.
struct FaceJobsOptions {
  engine::RenditionOptions renditions;
};

// Runs the jobs of service/job_kinds.h. Each job is idempotent: running it
// again (a lease that expired mid-way) gives the same outcome as running
// it once. A job returns an error only for what a retry may cure (the
// database or the media folder failing); an input that can never succeed
// (a corrupt photo, a selfie without a face) is recorded on its row for a
// person to read, and the job succeeds.
//
// Not thread-safe: the analyzer is not, so each worker thread builds its
// own FaceJobs around its own analyzer. `context` and `analyzer` must
// outlive it.
class FaceJobs {
 public:
  FaceJobs(ServiceContext& context, engine::FaceAnalyzer& analyzer,
           FaceJobsOptions options = {});

  // Parses `job`'s payload and runs the job of its kind. kInvalidArgument
  // for an unknown kind or a malformed payload.
  Status Run(const jobs::Job& job);

  // kIndexPhotoJob: makes the renditions of photo `photo_id` and finds its
  // faces, then in one transaction stores faces, rendition keys and the
  // matches of the faces against the ready selfies of the event's members.
  // An undecodable photo is marked failed; a deleted one is skipped.
  Status IndexPhoto(int64_t photo_id);

  // kMatchSelfieJob: embeds the selfie of `user_id` and replaces the user's
  // matches in every event they are a member of. A selfie without a usable
  // face is marked failed; a deleted or replaced one is skipped.
  Status MatchSelfie(int64_t user_id);

  // kRematchEventJob: recomputes every match of `event_id` from its faces
  // and its members' ready selfies. "Not me" marks are kept.
  Status RematchEvent(int64_t event_id);

  // kEraseExpiredJob: for each event whose retention has passed by `now`,
  // deletes its matches, and the selfie (row, embedding and file) of each
  // member all of whose events have expired; records the event as erased.
  Status EraseExpiredSelfies(Timestamp now);

 private:
  // Record an image that can never be used on its row, for a person to
  // read, and succeed; other errors come back for a retry.
  Status MarkPhotoFailed(int64_t photo_id, const Error& error);
  Status MarkSelfieFailed(const store::Selfie& selfie, const Error& error);

  ServiceContext& context_;
  engine::FaceAnalyzer& analyzer_;
  FaceJobsOptions options_;
};

}  // namespace eventface::service
