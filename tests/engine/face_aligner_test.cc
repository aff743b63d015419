#include "engine/face_aligner.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "testing/reference_fixtures.h"
#include "testing/shared_data.h"

namespace eventface::engine {
namespace {

using nlohmann::json;

Landmarks LandmarksFromJson(const json& points) {
  Landmarks landmarks;
  EXPECT_EQ(points.size(), landmarks.size());
  for (size_t i = 0; i < landmarks.size() && i < points.size(); ++i) {
    landmarks[i] = {points[i][0].get<double>(), points[i][1].get<double>()};
  }
  return landmarks;
}

TEST(ClipAndFloorTest, FloorsEachFieldOnItsOwn) {
  // The far edge is x + width = 13.7, yet the width floors to 10.
  EXPECT_EQ(ClipAndFloor({2.9, 3.5, 10.8, 4.2}, {100, 100}),
            cv::Rect(2, 3, 10, 4));
}

TEST(ClipAndFloorTest, ClipsToTheImage) {
  EXPECT_EQ(ClipAndFloor({-5.5, 90.5, 20, 20}, {100, 100}),
            cv::Rect(0, 90, 14, 9));
}

TEST(ClipAndFloorTest, BoxOutsideTheImageIsEmpty) {
  EXPECT_TRUE(ClipAndFloor({120, 10, 5, 5}, {100, 100}).empty());
}

TEST(ClipAndFloorTest, ReproducesLandmarkCropsOfThePipeline) {
  EVENTFACE_REQUIRE_SHARED(shared);
  int faces = 0;
  const json pipeline = testing::ReadPipelineFixture(shared);
  for (const json& image : pipeline["images"]) {
    const cv::Size size(image["width"].get<int>(), image["height"].get<int>());
    for (const json& face : image["faces"]) {
      const json& box = face["box"];
      cv::Rect2d detected(box["x"].get<double>(), box["y"].get<double>(),
                          box["width"].get<double>(),
                          box["height"].get<double>());
      EXPECT_EQ(ClipAndFloor(detected, size),
                testing::RectFromJson<cv::Rect>(face["landmark_crop"]))
          << image["image"] << " face " << faces;
      ++faces;
    }
  }
  EXPECT_EQ(faces, 58);
}

TEST(AlignedChipTest, ReproducesRecognitionCropsOfThePipeline) {
  EVENTFACE_REQUIRE_SHARED(shared);
  // Pure geometry on the reference's own landmarks, so JPEGs count too.
  int faces = 0;
  const json pipeline = testing::ReadPipelineFixture(shared);
  for (const json& image : pipeline["images"]) {
    const cv::Size size(image["width"].get<int>(), image["height"].get<int>());
    for (const json& face : image["faces"]) {
      cv::Rect landmark_crop =
          testing::RectFromJson<cv::Rect>(face["landmark_crop"]);
      EXPECT_EQ(AlignedChip(LandmarksFromJson(face["landmarks"]),
                            landmark_crop.size(), size),
                testing::RectFromJson<cv::Rect>(face["recognition_crop"]))
          << image["image"] << " face " << faces;
      ++faces;
    }
  }
  EXPECT_EQ(faces, 58);
}

}  // namespace
}  // namespace eventface::engine
