// Prints how well the engine tells the people of ../shared/datasets/bbt
// apart, for both ways of turning a selfie into an embedding and a range
// of thresholds: the figures behind match::kDefaultThreshold.
//
//   accuracy [SHARED_DIR]
#include <cstdio>
#include <cstdlib>

#include "dataset_evaluation.h"
#include "engine/tfjs_weights.h"
#include "match/photo_ranking.h"

using namespace eventface;

namespace {

void PrintTable(const char* title, const bench::Dataset& dataset) {
  std::printf("\n%s (%d of 40 crops without a detected face)\n", title,
              dataset.selfies_without_face);
  std::printf("threshold  same<t  diff<t   TP  FP  FN  precision  recall\n");
  for (int step = 40; step <= 70; step += 2) {
    double threshold = step / 100.0;
    bench::Verification v = bench::Verify(dataset.references, threshold);
    bench::Retrieval r = bench::Retrieve(dataset, threshold);
    std::printf("  %.2f%s   %2d/%d  %3d/%d  %3d %3d %3d    %.3f    %.3f\n",
                threshold, threshold == match::kDefaultThreshold ? "*" : " ",
                v.same_below, v.same_pairs, v.different_below,
                v.different_pairs, r.true_positives, r.false_positives,
                r.false_negatives, r.precision(), r.recall());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* from_env = std::getenv("EVENTFACE_SHARED");
  std::filesystem::path shared =
      argc > 1 ? argv[1] : (from_env ? from_env : "../shared");
  auto models = engine::ResolveModelDirectory();
  if (!models) {
    std::fprintf(stderr, "accuracy: %s\n", models.error().message.c_str());
    return 1;
  }
  auto analyzer = engine::FaceAnalyzer::Load(*models);
  if (!analyzer) {
    std::fprintf(stderr, "accuracy: %s\n", analyzer.error().message.c_str());
    return 1;
  }

  std::printf(
      "bbt: 40 reference crops (780 pairs: 80 same, 700 different),"
      "\n5 group photos; * marks the default threshold\n");
  for (auto [method, title] :
       {std::pair{bench::SelfieMethod::kEngine,
                  "selfie: engine (detect, "
                  "align, embed the chip)"},
        std::pair{bench::SelfieMethod::kWholeCrop,
                  "selfie: whole crop (face-api's way for crops)"}}) {
    auto dataset = bench::LoadDataset(shared, *analyzer, method);
    if (!dataset) {
      std::fprintf(stderr, "accuracy: %s\n", dataset.error().message.c_str());
      return 1;
    }
    PrintTable(title, *dataset);
  }
  return 0;
}
