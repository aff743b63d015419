// Prints how fast the engine analyses photos: photos and faces per second
// for one process, the time of each stage, and peak memory.
//
//   engine_speed [--threads N] [--rounds R] PHOTO...
//
// With N threads (default: one per core) each thread owns an analyzer and
// takes photos from a shared counter; OpenCV's own threads are set to the
// cores N leaves over. Photos are read from disk once, before timing; the
// decode stage decodes them from memory every round.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <string>
#include <thread>
#include <vector>

#include "engine/face_analyzer.h"
#include "engine/tfjs_weights.h"

using namespace eventface;

namespace {

struct Options {
  int threads = static_cast<int>(std::thread::hardware_concurrency());
  int rounds = 5;
  std::vector<std::string> photos;
};

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? 0 : values[values.size() / 2];
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

double PeakRssMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // Linux reports kilobytes
}

struct Round {
  double seconds = 0;
  std::vector<int> face_counts;  // per photo
};

// One round: every photo analysed once, spread over the analyzers. Adds
// each photo's stage times to `stages`.
Round RunRound(std::vector<engine::FaceAnalyzer>& analyzers,
               const std::vector<std::string>& photos,
               std::vector<engine::StageTimes>& stages) {
  std::atomic<size_t> next{0};
  std::vector<engine::StageTimes> times(photos.size());
  std::vector<int> face_counts(photos.size());
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (engine::FaceAnalyzer& analyzer : analyzers) {
    threads.emplace_back([&] {
      for (size_t i = next++; i < photos.size(); i = next++) {
        auto analysis = analyzer.AnalyzePhoto(photos[i]);
        if (!analysis) continue;
        times[i] = analysis->times;
        face_counts[i] = static_cast<int>(analysis->faces.size());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  stages.insert(stages.end(), times.begin(), times.end());
  return {seconds, face_counts};
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--threads") && i + 1 < argc) {
      options.threads = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc) {
      options.rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      options.photos.push_back(argv[i]);
    }
  }
  if (options.photos.empty()) {
    std::fprintf(stderr,
                 "usage: engine_speed [--threads N] [--rounds R] PHOTO...\n");
    return 2;
  }

  int cores = static_cast<int>(std::thread::hardware_concurrency());
  cv::setNumThreads(std::max(1, cores / options.threads));
  auto models = engine::ResolveModelDirectory();
  if (!models) {
    std::fprintf(stderr, "engine_speed: %s\n", models.error().message.c_str());
    return 1;
  }
  std::vector<engine::FaceAnalyzer> analyzers;
  for (int i = 0; i < options.threads; ++i) {
    auto analyzer = engine::FaceAnalyzer::Load(*models);
    if (!analyzer) {
      std::fprintf(stderr, "engine_speed: %s\n",
                   analyzer.error().message.c_str());
      return 1;
    }
    analyzers.push_back(std::move(*analyzer));
  }
  std::vector<std::string> photos;
  for (const std::string& path : options.photos) {
    photos.push_back(ReadBytes(path));
  }

  // A first round warms caches and OpenCV's lazily built kernels.
  std::vector<engine::StageTimes> stages;
  Round round = RunRound(analyzers, photos, stages);
  stages.clear();
  std::vector<double> rounds;
  for (int r = 0; r < options.rounds; ++r) {
    round = RunRound(analyzers, photos, stages);
    rounds.push_back(round.seconds);
  }
  int faces = 0;
  for (int count : round.face_counts) faces += count;

  auto stage = [&](double engine::StageTimes::*field) {
    std::vector<double> values;
    for (const engine::StageTimes& times : stages)
      values.push_back(times.*field);
    return Median(values);
  };
  double round_seconds = Median(rounds);
  double gflop = 0;
  for (int count : round.face_counts) {
    gflop += analyzers.front().FlopsPerPhoto(count) / 1e9;
  }
  std::printf(
      "{\"engine\": \"eventface\", \"threads\": %d, \"opencv_threads\": %d, "
      "\"photos\": %zu, \"rounds\": %d, \"faces_per_round\": %d, "
      "\"median_round_s\": %.4f, \"photos_per_second\": %.2f, "
      "\"faces_per_second\": %.2f, \"median_photo_ms\": {\"decode\": %.1f, "
      "\"detect\": %.1f, \"landmarks\": %.1f, \"embed\": %.1f}, "
      "\"gflop_per_round\": %.2f, \"achieved_gflops\": %.1f, "
      "\"peak_rss_mb\": %.0f}\n",
      options.threads, cv::getNumThreads(), photos.size(), options.rounds,
      faces, round_seconds, photos.size() / round_seconds,
      faces / round_seconds, stage(&engine::StageTimes::decode_ms),
      stage(&engine::StageTimes::detect_ms),
      stage(&engine::StageTimes::landmarks_ms),
      stage(&engine::StageTimes::embed_ms), gflop, gflop / round_seconds,
      PeakRssMegabytes());
  return 0;
}
