#include "service/face_jobs.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "match/face_index.h"
#include "match/photo_ranking.h"
#include "service/job_kinds.h"
#include "store/face_store.h"
#include "store/match_store.h"
#include "store/photo_store.h"
#include "store/selfie_store.h"

namespace eventface::service {

namespace {

using SteadyClock = std::chrono::steady_clock;

int64_t MillisecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now() - start)
      .count();
}

// Errors that say the image itself cannot be read: trying again would give
// the same answer.
bool IsUnreadableImage(const Error& error) {
  return error.code == ErrorCode::kCorruptData ||
         error.code == ErrorCode::kUnsupportedFormat ||
         error.code == ErrorCode::kTooLarge;
}

// What the photographer or attendee reads about an image we cannot use.
std::string UnreadableImageSentence(std::string_view what, const Error& error) {
  switch (error.code) {
    case ErrorCode::kTooLarge:
      return std::string(what) + " is too large to process (" + error.message +
             ").";
    case ErrorCode::kUnsupportedFormat:
      return std::string(what) +
             " is not in a format we read (JPEG, PNG, WebP or HEIC).";
    default:
      return std::string(what) + " is damaged and cannot be read.";
  }
}

bool IsNotFound(const Status& status) {
  return !status.ok() && status.error().code == ErrorCode::kNotFound;
}

Error WithContext(const std::string& context, const Error& error) {
  return Error{error.code, context + ": " + error.message};
}

double ThresholdOf(const store::MatchSettings& settings) {
  return settings.threshold.value_or(match::kDefaultThreshold);
}

// The matches between `faces` and `selfies` closer than `threshold`.
std::vector<store::NewMatch> MatchFaces(
    const std::vector<store::EventFace>& faces,
    const std::vector<store::MemberSelfie>& selfies, double threshold) {
  match::FaceIndex index;
  index.Reserve(faces.size());
  for (const store::EventFace& face : faces) {
    index.Add(face.face_id, face.embedding);
  }
  std::vector<store::NewMatch> matches;
  for (const store::MemberSelfie& selfie : selfies) {
    for (const match::FaceMatch& found :
         index.Search(selfie.embedding, threshold)) {
      matches.push_back({selfie.user_id, found.face_id, found.distance});
    }
  }
  return matches;
}

Result<int64_t> IdField(const nlohmann::json& payload, const char* name) {
  auto field = payload.find(name);
  if (field == payload.end() || !field->is_number_integer()) {
    return Error{ErrorCode::kInvalidArgument,
                 std::string("payload has no integer \"") + name + "\""};
  }
  return field->get<int64_t>();
}

// A job whose subject is gone (deleted by its owner meanwhile) has nothing
// left to do: success. Any other error goes back to the queue for a retry.
Status SkipIfGone(const std::string& tag, std::string_view what,
                  const Error& error) {
  if (error.code != ErrorCode::kNotFound) return WithContext(tag, error);
  spdlog::info("[job] {} {}: nothing to do", tag, what);
  return Status();
}

// The ids of a photo's faces as SetIndexed stored them, with their
// embeddings.
std::vector<store::EventFace> StoredFaces(
    int64_t photo_id, const std::vector<int64_t>& ids,
    const std::vector<engine::Face>& faces) {
  std::vector<store::EventFace> stored;
  for (size_t i = 0; i < faces.size(); ++i) {
    stored.push_back({ids[i], photo_id, faces[i].embedding});
  }
  return stored;
}

struct RenditionKeys {
  std::string thumbnail;
  std::string preview;
};

// IndexPhoto's one transaction: faces, renditions, and the matches of the
// new faces against the ready selfies of the event's members. Returns the
// number of matches; kNotFound if the photo or its event is gone.
Result<size_t> SaveIndexedPhoto(store::Transaction& tx,
                                const store::Photo& photo,
                                const engine::Analysis& analysis,
                                const RenditionKeys& keys, Timestamp now) {
  store::MatchStore matches(tx);
  auto settings = matches.LockEvent(photo.event_id);
  if (!settings.ok()) return settings.error();
  store::PhotoStore photos(tx);
  auto face_ids =
      photos.SetIndexed(photo.id, analysis.image_size.width,
                        analysis.image_size.height, analysis.faces, now);
  if (!face_ids.ok()) return face_ids.error();
  Status stored = photos.SetRenditions(photo.id, keys.thumbnail, keys.preview);
  if (!stored.ok()) return stored.error();
  if (settings->selfies_erased) return size_t{0};

  auto selfies = store::SelfieStore(tx).ListReadyByEvent(photo.event_id);
  if (!selfies.ok()) return selfies.error();
  std::vector<store::NewMatch> found =
      MatchFaces(StoredFaces(photo.id, *face_ids, analysis.faces), *selfies,
                 ThresholdOf(*settings));
  Status added = matches.Add(found, now);
  if (!added.ok()) return added.error();
  return found.size();
}

struct SelfieMatches {
  size_t events = 0;
  size_t matches = 0;
};

// MatchSelfie's one transaction: the selfie ready with `embedding`, and
// the user's matches replaced by those in each of their events. kNotFound
// if the selfie was replaced or deleted since it was read.
Result<SelfieMatches> SaveSelfieMatches(store::Transaction& tx,
                                        const store::Selfie& selfie,
                                        const engine::Embedding& embedding,
                                        Timestamp now) {
  store::MatchStore matches(tx);
  auto events = matches.ListEventsOfMember(selfie.user_id);
  if (!events.ok()) return events.error();
  Status ready = store::SelfieStore(tx).SetReady(selfie, embedding);
  if (!ready.ok()) return ready.error();

  const std::vector<store::MemberSelfie> selfies = {
      {selfie.user_id, embedding}};
  std::vector<store::NewMatch> found;
  for (int64_t event_id : *events) {  // in id order, as LockEvent asks
    auto settings = matches.LockEvent(event_id);
    if (!settings.ok()) return settings.error();
    auto faces = store::FaceStore(tx).ListByEvent(event_id);
    if (!faces.ok()) return faces.error();
    for (const store::NewMatch& match :
         MatchFaces(*faces, selfies, ThresholdOf(*settings))) {
      found.push_back(match);
    }
  }
  Status replaced = matches.ReplaceForUser(selfie.user_id, found, now);
  if (!replaced.ok()) return replaced.error();
  return SelfieMatches{events->size(), found.size()};
}

// RematchEvent's one transaction; returns the number of matches.
// kNotFound if the event is gone.
Result<size_t> RecomputeMatches(store::Transaction& tx, int64_t event_id,
                                Timestamp now) {
  store::MatchStore matches(tx);
  auto settings = matches.LockEvent(event_id);
  if (!settings.ok()) return settings.error();
  auto deleted = matches.DeleteByEvent(event_id);
  if (!deleted.ok()) return deleted.error();
  if (settings->selfies_erased) return size_t{0};

  auto faces = store::FaceStore(tx).ListByEvent(event_id);
  if (!faces.ok()) return faces.error();
  auto selfies = store::SelfieStore(tx).ListReadyByEvent(event_id);
  if (!selfies.ok()) return selfies.error();
  std::vector<store::NewMatch> found =
      MatchFaces(*faces, *selfies, ThresholdOf(*settings));
  Status added = matches.Add(found, now);
  if (!added.ok()) return added.error();
  return found.size();
}

struct ErasedEvent {
  int64_t matches = 0;
  int64_t selfies = 0;
  std::vector<std::string> unused_keys;  // selfie files no selfie uses now
};

// Erases one expired event's matches and the selfies of its members whose
// every event has expired, and marks the event erased. kNotFound if the
// event is gone.
Result<ErasedEvent> EraseEvent(store::Transaction& tx, int64_t event_id,
                               Timestamp now) {
  store::MatchStore matches(tx);
  store::SelfieStore selfies(tx);
  auto settings = matches.LockEvent(event_id);
  if (!settings.ok()) return settings.error();
  ErasedEvent erased;
  auto deleted = matches.DeleteByEvent(event_id);
  if (!deleted.ok()) return deleted.error();
  erased.matches = *deleted;

  auto users = selfies.ListMembersToErase(event_id, now);
  if (!users.ok()) return users.error();
  std::set<std::string> keys;
  for (int64_t user_id : *users) {
    auto selfie = selfies.Get(user_id);
    if (!selfie.ok()) return selfie.error();
    Status removed = selfies.Delete(user_id);
    if (!removed.ok()) return removed.error();
    keys.insert(selfie->media_key);
  }
  erased.selfies = static_cast<int64_t>(users->size());

  // The same bytes may be another user's selfie too.
  for (const std::string& key : keys) {
    auto count = selfies.CountByMediaKey(key);
    if (!count.ok()) return count.error();
    if (*count == 0) erased.unused_keys.push_back(key);
  }
  Status marked = selfies.MarkErased(event_id, now);
  if (!marked.ok()) return marked.error();
  return erased;
}

}  // namespace

FaceJobs::FaceJobs(ServiceContext& context, engine::FaceAnalyzer& analyzer,
                   FaceJobsOptions options)
    : context_(context), analyzer_(analyzer), options_(std::move(options)) {}

Status FaceJobs::Run(const jobs::Job& job) {
  const std::string tag = "job " + std::to_string(job.id);
  nlohmann::json payload =
      nlohmann::json::parse(job.payload, nullptr, /*allow_exceptions=*/false);
  if (!payload.is_object()) {
    return Error{ErrorCode::kInvalidArgument,
                 tag + ": payload is not a JSON object"};
  }
  auto run_with_id = [&](const char* field, auto method) -> Status {
    auto id = IdField(payload, field);
    if (!id.ok()) return WithContext(tag, id.error());
    return (this->*method)(*id);
  };
  if (job.kind == kIndexPhotoJob) {
    return run_with_id("photo_id", &FaceJobs::IndexPhoto);
  }
  if (job.kind == kMatchSelfieJob) {
    return run_with_id("user_id", &FaceJobs::MatchSelfie);
  }
  if (job.kind == kRematchEventJob) {
    return run_with_id("event_id", &FaceJobs::RematchEvent);
  }
  if (job.kind == kEraseExpiredJob) {
    return EraseExpiredSelfies(context_.clock.Now());
  }
  return Error{ErrorCode::kInvalidArgument,
               tag + ": unknown kind \"" + job.kind + "\""};
}

Status FaceJobs::IndexPhoto(int64_t photo_id) {
  const SteadyClock::time_point start = SteadyClock::now();
  const std::string tag = "photo " + std::to_string(photo_id);
  auto photo =
      context_.database.WithReadTransaction([&](store::Transaction& tx) {
        return store::PhotoStore(tx).Get(photo_id);
      });
  if (!photo.ok()) return SkipIfGone(tag, "is gone", photo.error());

  // A photo deleted meanwhile loses its file too; the retry then finds the
  // row gone.
  auto bytes = context_.media.Read(photo->media_key);
  if (!bytes.ok()) return WithContext(tag, bytes.error());
  auto renditions = engine::MakeRenditions(*bytes, options_.renditions);
  Result<engine::Analysis> analysis =
      renditions.ok() ? analyzer_.AnalyzePhoto(*bytes)
                      : Result<engine::Analysis>(renditions.error());
  if (!analysis.ok()) return MarkPhotoFailed(photo_id, analysis.error());

  auto thumbnail_key = context_.media.Put(renditions->thumbnail);
  if (!thumbnail_key.ok()) return WithContext(tag, thumbnail_key.error());
  auto preview_key = context_.media.Put(renditions->preview);
  if (!preview_key.ok()) return WithContext(tag, preview_key.error());

  auto match_count =
      context_.database.WithTransaction([&](store::Transaction& tx) {
        return SaveIndexedPhoto(tx, *photo, *analysis,
                                {*thumbnail_key, *preview_key},
                                context_.clock.Now());
      });
  if (!match_count.ok()) {
    return SkipIfGone(tag, "was deleted while being indexed",
                      match_count.error());
  }
  spdlog::info("[job] {} indexed: {} faces, {} matches in {} ms", tag,
               analysis->faces.size(), *match_count, MillisecondsSince(start));
  context_.faces_indexed(static_cast<int64_t>(analysis->faces.size()));
  return Status();
}

Status FaceJobs::MatchSelfie(int64_t user_id) {
  const SteadyClock::time_point start = SteadyClock::now();
  const std::string tag = "selfie of user " + std::to_string(user_id);
  auto selfie =
      context_.database.WithReadTransaction([&](store::Transaction& tx) {
        return store::SelfieStore(tx).Get(user_id);
      });
  if (!selfie.ok()) return SkipIfGone(tag, "is gone", selfie.error());

  auto bytes = context_.media.Read(selfie->media_key);
  if (!bytes.ok()) return WithContext(tag, bytes.error());
  auto analysis = analyzer_.AnalyzeSelfie(*bytes);
  if (!analysis.ok()) return MarkSelfieFailed(*selfie, analysis.error());

  auto outcome = context_.database.WithTransaction([&](store::Transaction& tx) {
    return SaveSelfieMatches(tx, *selfie, analysis->face.embedding,
                             context_.clock.Now());
  });
  if (!outcome.ok()) {
    return SkipIfGone(tag, "was replaced or deleted while being matched",
                      outcome.error());
  }
  spdlog::info("[job] {} matched: {} matches in {} events in {} ms", tag,
               outcome->matches, outcome->events, MillisecondsSince(start));
  return Status();
}

Status FaceJobs::RematchEvent(int64_t event_id) {
  const SteadyClock::time_point start = SteadyClock::now();
  const std::string tag = "event " + std::to_string(event_id);
  auto match_count =
      context_.database.WithTransaction([&](store::Transaction& tx) {
        return RecomputeMatches(tx, event_id, context_.clock.Now());
      });
  if (!match_count.ok()) {
    return SkipIfGone(tag, "is gone", match_count.error());
  }
  spdlog::info("[job] {} rematched: {} matches in {} ms", tag, *match_count,
               MillisecondsSince(start));
  return Status();
}

Status FaceJobs::EraseExpiredSelfies(Timestamp now) {
  auto expired =
      context_.database.WithReadTransaction([&](store::Transaction& tx) {
        return store::SelfieStore(tx).ListExpiredEvents(now);
      });
  if (!expired.ok()) return expired.error();

  Status outcome;
  for (const store::ExpiredEvent& event : *expired) {
    const std::string tag = "event " + std::to_string(event.id);
    auto erased = context_.database.WithTransaction(
        [&](store::Transaction& tx) { return EraseEvent(tx, event.id, now); });
    if (!erased.ok()) {
      Status skipped = SkipIfGone(tag, "is gone", erased.error());
      if (!skipped.ok()) return skipped;
      continue;
    }
    // Only after the commit: a rollback must not leave a selfie without
    // its file.
    for (const std::string& key : erased->unused_keys) {
      Status removed = context_.media.Remove(key);
      if (!removed.ok()) {
        spdlog::error("[job] {}: a selfie file stays after erasure: {}", tag,
                      removed.error().message);
        outcome = removed;
      }
    }
    spdlog::info("[job] {} expired: {} selfies and {} matches erased", tag,
                 erased->selfies, erased->matches);
  }
  return outcome;
}

Status FaceJobs::MarkPhotoFailed(int64_t photo_id, const Error& error) {
  const std::string tag = "photo " + std::to_string(photo_id);
  if (!IsUnreadableImage(error)) return WithContext(tag, error);
  spdlog::info("[job] {} failed: {}", tag, error.message);
  Status marked =
      context_.database.WithTransaction([&](store::Transaction& tx) {
        return store::PhotoStore(tx).MarkFailed(
            photo_id, UnreadableImageSentence("This photo", error));
      });
  return IsNotFound(marked) ? Status() : marked;
}

Status FaceJobs::MarkSelfieFailed(const store::Selfie& selfie,
                                  const Error& error) {
  const std::string tag = "selfie of user " + std::to_string(selfie.user_id);
  if (error.code != ErrorCode::kNoFace && !IsUnreadableImage(error)) {
    return WithContext(tag, error);
  }
  spdlog::info("[job] {} failed: {}", tag, error.message);
  std::string sentence = error.code == ErrorCode::kNoFace
                             ? "no face found in the selfie"
                             : UnreadableImageSentence("The selfie", error);
  Status marked =
      context_.database.WithTransaction([&](store::Transaction& tx) {
        return store::SelfieStore(tx).MarkFailed(selfie, sentence);
      });
  return IsNotFound(marked) ? Status() : marked;
}

}  // namespace eventface::service
