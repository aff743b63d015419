#include "match/photo_ranking.h"

#include <gtest/gtest.h>

namespace eventface::match {
namespace {

engine::Embedding At(float first) {
  engine::Embedding embedding{};
  embedding[0] = first;
  return embedding;
}

TEST(PhotoRankingTest, KeepsPhotosBelowThresholdNearestFirst) {
  std::vector<PhotoFaces> photos = {
      {"far.jpg", {At(0.9f)}},
      {"near.jpg", {At(0.5f), At(0.1f)}},
      {"middle.jpg", {At(0.3f)}},
      {"empty.jpg", {}},
  };
  std::vector<PhotoMatch> matches = RankPhotos(At(0.0f), photos, 0.5);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].photo, "near.jpg");
  EXPECT_EQ(matches[0].face, 1);
  EXPECT_NEAR(matches[0].distance, 0.1, 1e-6);
  EXPECT_EQ(matches[1].photo, "middle.jpg");
}

TEST(PhotoRankingTest, ThresholdIsExclusive) {
  std::vector<PhotoFaces> photos = {{"edge.jpg", {At(0.5f)}}};
  EXPECT_TRUE(RankPhotos(At(0.0f), photos, 0.5).empty());
}

TEST(PhotoRankingTest, EqualDistancesAreOrderedByName) {
  std::vector<PhotoFaces> photos = {{"b.jpg", {At(0.2f)}},
                                    {"a.jpg", {At(0.2f)}}};
  std::vector<PhotoMatch> matches = RankPhotos(At(0.0f), photos, 0.5);
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].photo, "a.jpg");
}

}  // namespace
}  // namespace eventface::match
