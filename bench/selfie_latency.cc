// Measures what an attendee waits for, on an event of many indexed faces:
// registering with a selfie (the request), replacing the selfie (the
// request), and the match job that makes the matches visible (embedding
// the selfie and searching every face of the event). Uses a fresh SQLite
// file; the event's faces are random vectors, so none match. Prints the
// median and range of each over several runs.
//
//   selfie_latency SELFIE [FACES] [RUNS]      (defaults 5000 and 7)

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "core/clock.h"
#include "engine/face_analyzer.h"
#include "engine/tfjs_weights.h"
#include "jobs/job_queue.h"
#include "service/accounts.h"
#include "service/attendees.h"
#include "service/events.h"
#include "service/face_jobs.h"
#include "store/database.h"
#include "store/photo_store.h"

namespace {

namespace fs = std::filesystem;
using namespace eventface;
using Millis = std::chrono::duration<double, std::milli>;

constexpr int kFacesPerPhoto = 5;

[[noreturn]] void Die(const std::string& what, const Error& error) {
  std::fprintf(stderr, "selfie_latency: %s: %s\n", what.c_str(),
               error.message.c_str());
  std::exit(1);
}

template <typename T>
T Must(Result<T> result, const std::string& what) {
  if (!result) Die(what, result.error());
  return std::move(result).value();
}

// Adds `faces` random faces to `event_id`, kFacesPerPhoto per photo.
void SeedFaces(store::Database& database, int64_t event_id, int faces) {
  std::mt19937 random(42);
  std::normal_distribution<float> value(0.0f, 0.09f);
  Status seeded = database.WithTransaction([&](store::Transaction& tx) {
    store::PhotoStore photos(tx);
    for (int p = 0; p * kFacesPerPhoto < faces; ++p) {
      std::string hash = "seed" + std::to_string(p);
      auto added = photos.Add({event_id, hash, "00/" + hash, Timestamp()});
      if (!added) return Status(added.error());
      std::vector<engine::Face> found(kFacesPerPhoto);
      for (engine::Face& face : found) {
        face.box = cv::Rect2d(10, 10, 50, 50);
        for (float& x : face.embedding) x = value(random);
      }
      auto stored = photos.SetIndexed(added->id, 800, 600, found, Timestamp());
      if (!stored) return Status(stored.error());
    }
    return Status();
  });
  if (!seeded) Die("seeding faces", seeded.error());
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

void Report(const char* what, const std::vector<double>& ms) {
  std::printf("%-34s median %7.1f ms  (min %.1f, max %.1f, %zu runs)\n", what,
              Median(ms), *std::min_element(ms.begin(), ms.end()),
              *std::max_element(ms.begin(), ms.end()), ms.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: selfie_latency SELFIE [FACES] [RUNS]\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::string selfie(std::istreambuf_iterator<char>(in), {});
  int faces = argc > 2 ? std::atoi(argv[2]) : 5000;
  int runs = argc > 3 ? std::atoi(argv[3]) : 7;

  fs::path dir = fs::temp_directory_path() /
                 ("eventface-latency-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  auto database =
      Must(store::Database::Open({"sqlite:" + (dir / "db").string(), 2}),
           "database");
  store::MediaFolder media(dir / "media");
  SystemClock clock;
  jobs::JobQueue queue(*database, clock);
  service::ServiceContext context{*database, media, queue, clock};
  service::Accounts accounts(context);
  service::Attendees attendees(context, accounts);
  auto owner = Must(accounts.Create({"owner@bench.test", "Owner",
                                     store::Role::kPhotographer, "password1"}),
                    "owner");
  auto event = Must(
      service::Events(context).Create(owner, {"Bench", Timestamp(), 90, {}}),
      "event");
  SeedFaces(*database, event.id, faces);
  auto model_dir = Must(engine::ResolveModelDirectory(), "models");
  auto analyzer = Must(engine::FaceAnalyzer::Load(model_dir), "analyzer");
  service::FaceJobs face_jobs(context, analyzer);

  std::vector<double> register_ms, match_ms, upload_ms;
  for (int run = 0; run < runs; ++run) {
    std::string email = "guest" + std::to_string(run) + "@bench.test";
    auto start = std::chrono::steady_clock::now();
    auto registered = Must(
        attendees.RegisterWithEventCode(
            event.code,
            {"Guest", email, "password1", service::SelfieUpload{selfie, true}}),
        "register");
    auto registered_at = std::chrono::steady_clock::now();
    if (Status ok = face_jobs.MatchSelfie(registered.session.user.user_id);
        !ok) {
      Die("match", ok.error());
    }
    auto matched_at = std::chrono::steady_clock::now();
    std::string other = selfie + std::to_string(run);  // new bytes, new file
    Must(attendees.UploadSelfie(registered.session.user, {other, true}),
         "upload");
    auto uploaded_at = std::chrono::steady_clock::now();
    register_ms.push_back(Millis(registered_at - start).count());
    match_ms.push_back(Millis(matched_at - registered_at).count());
    upload_ms.push_back(Millis(uploaded_at - matched_at).count());
  }
  std::printf("event of %d indexed faces, SQLite\n", faces);
  Report("register with selfie (request)", register_ms);
  Report("upload selfie (request)", upload_ms);
  Report("selfie to matches (match job)", match_ms);
  fs::remove_all(dir);
  return 0;
}
