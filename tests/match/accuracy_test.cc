// Guards the engine's accuracy on ../shared/datasets at the default
// threshold: it must stay better than face-api's own on the same data.
#include <gtest/gtest.h>

#include "dataset_evaluation.h"
#include "match/photo_ranking.h"
#include "testing/shared_data.h"

namespace eventface::match {
namespace {

// One test: CTest runs each test in its own process, and analysing the 45
// images is the expensive part.
TEST(AccuracyTest, BeatsTheReferenceLibraryAtTheDefaultThreshold) {
  EVENTFACE_REQUIRE_SHARED(shared);
  auto analyzer = engine::FaceAnalyzer::Load(testing::ModelDir());
  ASSERT_TRUE(analyzer) << analyzer.error().message;
  auto dataset =
      bench::LoadDataset(shared, *analyzer, bench::SelfieMethod::kEngine);
  ASSERT_TRUE(dataset) << dataset.error().message;

  // Every reference crop, tight as it is, yields a face.
  EXPECT_EQ(dataset->references.size(), 40u);
  EXPECT_EQ(dataset->selfies_without_face, 0);

  // face-api at its threshold 0.6: 77 of 80 same-person pairs below, 1 of
  // 700 different-person pairs.
  bench::Verification pairs =
      bench::Verify(dataset->references, kDefaultThreshold);
  EXPECT_EQ(pairs.same_pairs, 80);
  EXPECT_EQ(pairs.different_pairs, 700);
  EXPECT_GE(pairs.same_below, 78);
  EXPECT_LE(pairs.different_below, 2);

  // face-api: precision 1.000, recall 0.927. The targets: 0.99 and 0.95.
  bench::Retrieval photos = bench::Retrieve(*dataset, kDefaultThreshold);
  EXPECT_EQ(photos.true_positives + photos.false_negatives, 110);
  EXPECT_GE(photos.precision(), 0.99);
  EXPECT_GE(photos.recall(), 0.95);

  // Stuart is in no group photo: none of his crops may match any face.
  for (const bench::ReferenceFace& selfie : dataset->references) {
    if (selfie.person != "stuart") continue;
    for (const bench::GroupPhoto& group : dataset->groups) {
      for (const engine::Embedding& face : group.faces) {
        EXPECT_GE(engine::EmbeddingDistance(selfie.embedding, face),
                  kDefaultThreshold)
            << selfie.path << " in " << group.path;
      }
    }
  }
}

}  // namespace
}  // namespace eventface::match
