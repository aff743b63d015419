// eventface find --selfie SELFIE DIR: the photos under DIR in which the
// selfie's person appears. Each photo is analysed once: its faces are
// cached by content, so a second run does no face work.
#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <opencv2/core.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/face_cache.h"
#include "cli/face_json.h"
#include "cli/progress_bar.h"
#include "core/logging.h"
#include "match/photo_ranking.h"

namespace eventface::cli {
namespace {

namespace fs = std::filesystem;

struct FindOptions {
  std::string selfie;
  std::string dir;
  double threshold = match::kDefaultThreshold;
  bool json = false;
  int jobs = 0;
  std::string cache;
  std::string models;
};

// What became of one photo of the folder.
struct PhotoOutcome {
  bool analysed = false;
  bool from_cache = false;
  std::vector<engine::Embedding> embeddings;
  std::string error;  // why it was skipped, when !analysed
};

bool IsPhotoName(const fs::path& path) {
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static const char* kExtensions[] = {".jpg",  ".jpeg", ".png",
                                      ".webp", ".heic", ".heif"};
  return std::find(std::begin(kExtensions), std::end(kExtensions), extension) !=
         std::end(kExtensions);
}

// Every photo under `dir`, sorted; unreadable folders are skipped.
Result<std::vector<fs::path>> ListPhotos(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) {
    return Error{ErrorCode::kNotFound, dir.string() + ": not a folder"};
  }
  std::vector<fs::path> photos;
  auto walk = fs::recursive_directory_iterator(
      dir, fs::directory_options::skip_permission_denied, error);
  for (const fs::directory_entry& entry : walk) {
    if (entry.is_regular_file(error) && IsPhotoName(entry.path())) {
      photos.push_back(entry.path());
    }
  }
  std::sort(photos.begin(), photos.end());
  return photos;
}

// Works through `photos` from a shared counter, filling the outcome of
// each photo it claims. Loads the engine only when a photo misses the
// cache, so a fully cached run starts at once. Fails only when the engine
// cannot be loaded.
Status AnalysePhotos(const std::vector<fs::path>& photos,
                     const FaceCache& cache, const std::string& models,
                     std::atomic<size_t>& next,
                     std::vector<PhotoOutcome>& outcomes,
                     ProgressBar& progress) {
  std::optional<engine::FaceAnalyzer> analyzer;
  for (size_t i = next++; i < photos.size(); i = next++) {
    PhotoOutcome& outcome = outcomes[i];
    auto bytes = ReadFile(photos[i]);
    if (!bytes) {
      outcome.error = bytes.error().message;
      progress.Advance();
      continue;
    }
    std::string key = FaceCache::ContentKey(*bytes);
    std::optional<std::vector<engine::Face>> faces = cache.Find(key);
    outcome.from_cache = faces.has_value();
    if (!faces) {
      if (!analyzer) {
        auto loaded = LoadAnalyzer(models);
        if (!loaded) return std::move(loaded).error();
        analyzer.emplace(std::move(*loaded));
      }
      auto analysis = analyzer->AnalyzePhoto(*bytes);
      if (!analysis) {
        outcome.error = analysis.error().message;
        progress.Advance();
        continue;
      }
      const engine::StageTimes& ms = analysis->times;
      spdlog::info(
          "[photo:{}] analysed: {} faces; decode {:.0f} ms, detect {:.0f} ms, "
          "landmarks {:.0f} ms, embed {:.0f} ms",
          photos[i].string(), analysis->faces.size(), ms.decode_ms,
          ms.detect_ms, ms.landmarks_ms, ms.embed_ms);
      faces = std::move(analysis->faces);
      if (Status stored = cache.Store(key, *faces); !stored.ok()) {
        spdlog::warn("{}", stored.error().message);
      }
    }
    for (const engine::Face& face : *faces) {
      outcome.embeddings.push_back(face.embedding);
    }
    outcome.analysed = true;
    progress.Advance();
  }
  return {};
}

// Analyses every photo on `jobs` threads, each with its own engine.
Result<std::vector<PhotoOutcome>> AnalyseFolder(
    const std::vector<fs::path>& photos, const FaceCache& cache,
    const std::string& models, int jobs) {
  std::vector<PhotoOutcome> outcomes(photos.size());
  ProgressBar progress(stderr, "analysing photos",
                       static_cast<int>(photos.size()));
  std::atomic<size_t> next{0};
  std::vector<Status> statuses(jobs);
  std::vector<std::thread> threads;
  for (int i = 0; i < jobs; ++i) {
    threads.emplace_back([&, i] {
      statuses[i] =
          AnalysePhotos(photos, cache, models, next, outcomes, progress);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Status& status : statuses) {
    if (!status.ok()) return status.error();
  }
  return outcomes;
}

void PrintText(const std::vector<match::PhotoMatch>& matches) {
  for (const match::PhotoMatch& match : matches) {
    std::printf("%.4f  %s\n", match.distance, match.photo.c_str());
  }
}

void PrintJson(const FindOptions& options, const engine::SelfieAnalysis& selfie,
               const std::vector<match::PhotoMatch>& matches,
               const std::vector<fs::path>& photos,
               const std::vector<PhotoOutcome>& outcomes) {
  nlohmann::json out = {{"selfie",
                         {{"path", options.selfie},
                          {"box", BoxToJson(selfie.face.box)},
                          {"score", selfie.face.score},
                          {"other_faces", selfie.other_faces},
                          {"found_after_padding", selfie.found_after_padding}}},
                        {"threshold", options.threshold},
                        {"photos", photos.size()},
                        {"matches", nlohmann::json::array()},
                        {"skipped", nlohmann::json::array()}};
  for (const match::PhotoMatch& match : matches) {
    out["matches"].push_back({{"photo", match.photo},
                              {"distance", match.distance},
                              {"face", match.face}});
  }
  for (size_t i = 0; i < photos.size(); ++i) {
    if (outcomes[i].analysed) continue;
    out["skipped"].push_back(
        {{"photo", photos[i].string()}, {"error", outcomes[i].error}});
  }
  std::printf("%s\n", out.dump(2).c_str());
}

// Reads and analyses the selfie; prints why and returns the exit code
// when it has no usable face.
Result<engine::SelfieAnalysis> AnalyseSelfie(const FindOptions& options) {
  auto bytes = ReadFile(options.selfie);
  if (!bytes) return std::move(bytes).error();
  auto analyzer = LoadAnalyzer(options.models);
  if (!analyzer) return std::move(analyzer).error();
  auto selfie = analyzer->AnalyzeSelfie(*bytes);
  if (!selfie) {
    Error error = std::move(selfie).error();
    error.message = options.selfie + ": " + error.message;
    return error;
  }
  if (selfie->other_faces > 0) {
    std::fprintf(stderr,
                 "eventface find: the selfie shows %d faces; using the "
                 "largest\n",
                 selfie->other_faces + 1);
  }
  return selfie;
}

int RunFind(const FindOptions& options) {
  auto selfie = AnalyseSelfie(options);
  if (!selfie) {
    std::fprintf(stderr, "eventface find: %s\n",
                 selfie.error().message.c_str());
    return selfie.error().code == ErrorCode::kNoFace ? kExitNoFace
                                                     : kExitFailure;
  }
  auto photos = ListPhotos(options.dir);
  if (!photos) {
    std::fprintf(stderr, "eventface find: %s\n",
                 photos.error().message.c_str());
    return kExitFailure;
  }

  // Photo-level threads use the cores best: one more than the cores keeps
  // both busy while a thread waits on decoding or memory (bench/speed.sh:
  // 6.6 to 7.2 photos/s with 3 threads on 2 cores, 5.5 to 6.5 with 2).
  // OpenCV's own threads take whatever a smaller batch leaves idle.
  int cores =
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  int jobs = options.jobs > 0 ? options.jobs : cores + 1;
  jobs = std::clamp(jobs, 1, std::max<int>(1, photos->size()));
  cv::setNumThreads(std::max(1, cores / jobs));

  FaceCache cache(options.cache.empty() ? FaceCache::DefaultDirectory()
                                        : fs::path(options.cache));
  auto outcomes = AnalyseFolder(*photos, cache, options.models, jobs);
  if (!outcomes) {
    std::fprintf(stderr, "eventface find: %s\n",
                 outcomes.error().message.c_str());
    return kExitFailure;
  }

  std::vector<match::PhotoFaces> analysed;
  int skipped = 0, from_cache = 0;
  for (size_t i = 0; i < photos->size(); ++i) {
    PhotoOutcome& outcome = (*outcomes)[i];
    from_cache += outcome.from_cache;
    if (!outcome.analysed) {
      ++skipped;
      std::fprintf(stderr, "eventface find: skipped %s: %s\n",
                   (*photos)[i].c_str(), outcome.error.c_str());
      continue;
    }
    analysed.push_back({(*photos)[i].string(), std::move(outcome.embeddings)});
  }
  std::vector<match::PhotoMatch> matches =
      match::RankPhotos(selfie->face.embedding, analysed, options.threshold);

  if (options.json) {
    PrintJson(options, *selfie, matches, *photos, *outcomes);
  } else {
    PrintText(matches);
  }
  std::fprintf(stderr,
               "eventface find: %zu of %zu photos match (threshold %.2f); "
               "%d from cache, %d skipped\n",
               matches.size(), photos->size(), options.threshold, from_cache,
               skipped);
  return kExitOk;
}

}  // namespace

Command AddFindCommand(CLI::App& app) {
  auto options = std::make_shared<FindOptions>();
  CLI::App* command = app.add_subcommand(
      "find",
      "List the photos under DIR in which the selfie's person appears, "
      "nearest first, with the distance. Photos are analysed once and "
      "cached by content.");
  command
      ->add_option("--selfie", options->selfie,
                   "a photo of the person to look for")
      ->required();
  command
      ->add_option("DIR", options->dir,
                   "folder of photos (JPEG, PNG, WebP, HEIC), searched "
                   "recursively")
      ->required();
  command
      ->add_option("--threshold", options->threshold,
                   "largest embedding distance that counts as a match")
      ->check(CLI::Range(0.0, 2.0))
      ->capture_default_str();
  command->add_flag("--json", options->json, "print JSON instead of lines");
  command
      ->add_option("--jobs", options->jobs,
                   "photos analysed at once (default: one more than the cores)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--cache", options->cache,
                   "folder of cached faces (default: "
                   "$XDG_CACHE_HOME/eventface or ~/.cache/eventface)")
      ->envname("EVENTFACE_CACHE");
  command
      ->add_option("--models", options->models,
                   "folder of the face-api model files")
      ->envname("EVENTFACE_MODELS");
  return {command, [options] { return RunFind(*options); }};
}

}  // namespace eventface::cli
