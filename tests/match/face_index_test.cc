#include "match/face_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace eventface::match {
namespace {

using engine::Embedding;

Embedding RandomEmbedding(std::mt19937& random) {
  std::normal_distribution<float> value(0.0f, 0.12f);
  Embedding embedding;
  for (float& x : embedding) x = value(random);
  return embedding;
}

// `base` moved by `step` along every axis: at distance step * sqrt(128).
Embedding Shifted(const Embedding& base, float step) {
  Embedding shifted = base;
  for (float& x : shifted) x += step;
  return shifted;
}

TEST(FaceIndexTest, EmptyIndexFindsNothing) {
  FaceIndex index;
  std::mt19937 random(1);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.Search(RandomEmbedding(random), 10.0).empty());
  EXPECT_TRUE(index.Nearest(RandomEmbedding(random), 3).empty());
}

TEST(FaceIndexTest, GivesTheSameDistancesAsTheEngine) {
  std::mt19937 random(2);
  FaceIndex index;
  std::vector<Embedding> faces;
  for (int i = 0; i < 50; ++i) {
    faces.push_back(RandomEmbedding(random));
    index.Add(100 + i, faces.back());
  }
  Embedding query = RandomEmbedding(random);
  std::vector<FaceMatch> all = index.Search(query, 1e9);
  ASSERT_EQ(all.size(), faces.size());
  for (size_t i = 0; i < faces.size(); ++i) {
    EXPECT_EQ(all[i].face_id, static_cast<int64_t>(100 + i));
    EXPECT_NEAR(all[i].distance, engine::EmbeddingDistance(query, faces[i]),
                1e-5);
  }
}

TEST(FaceIndexTest, ReturnsEveryFaceCloserThanTheThresholdAndNoOther) {
  std::mt19937 random(3);
  Embedding query = RandomEmbedding(random);
  FaceIndex index;
  // sqrt(128) = 11.31: steps of 0.05 put faces at 0.57 and 0.68.
  index.Add(1, Shifted(query, 0.05f));
  index.Add(2, Shifted(query, 0.06f));
  index.Add(3, query);
  index.Add(4, Shifted(query, -0.05f));
  std::vector<FaceMatch> found = index.Search(query, 0.62);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].face_id, 1);
  EXPECT_EQ(found[1].face_id, 3);
  EXPECT_EQ(found[2].face_id, 4);
  EXPECT_NEAR(found[0].distance, 0.05 * std::sqrt(128.0), 1e-5);
  EXPECT_NEAR(found[1].distance, 0.0, 1e-6);
}

TEST(FaceIndexTest, LeavesOutFacesAtExactlyTheThreshold) {
  Embedding origin{};
  Embedding one_away{};
  one_away[0] = 1.0f;
  FaceIndex index;
  index.Add(7, one_away);
  EXPECT_TRUE(index.Search(origin, 1.0).empty());
  EXPECT_EQ(index.Search(origin, 1.0001).size(), 1u);
}

TEST(FaceIndexTest, NearestGivesTheKClosestInOrder) {
  std::mt19937 random(4);
  Embedding query = RandomEmbedding(random);
  FaceIndex index;
  for (int i = 0; i < 1000; ++i) index.Add(i, RandomEmbedding(random));
  index.Add(5000, Shifted(query, 0.01f));
  index.Add(5001, Shifted(query, 0.02f));

  std::vector<FaceMatch> nearest = index.Nearest(query, 5);
  ASSERT_EQ(nearest.size(), 5u);
  EXPECT_EQ(nearest[0].face_id, 5000);
  EXPECT_EQ(nearest[1].face_id, 5001);
  EXPECT_TRUE(std::is_sorted(nearest.begin(), nearest.end(),
                             [](const FaceMatch& a, const FaceMatch& b) {
                               return a.distance < b.distance;
                             }));
  // Nothing outside the five is closer than the fifth.
  std::vector<FaceMatch> all = index.Search(query, 1e9);
  int closer = 0;
  for (const FaceMatch& face : all) {
    if (face.distance < nearest[4].distance) ++closer;
  }
  EXPECT_EQ(closer, 4);
}

TEST(FaceIndexTest, NearestGivesAllFacesWhenThereAreFewerThanK) {
  std::mt19937 random(5);
  FaceIndex index;
  index.Add(1, RandomEmbedding(random));
  index.Add(2, RandomEmbedding(random));
  EXPECT_EQ(index.Nearest(RandomEmbedding(random), 10).size(), 2u);
}

}  // namespace
}  // namespace eventface::match
