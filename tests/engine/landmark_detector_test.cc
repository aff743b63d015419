#include "engine/landmark_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/face_aligner.h"
#include "testing/images.h"
#include "testing/reference_fixtures.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace eventface::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kManifestName[] = "face_landmark_68_model-weights_manifest.json";

double MaxPointDistance(const Landmarks& actual, const json& expected) {
  double worst = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    cv::Point2d want(expected.at(i).at(0), expected.at(i).at(1));
    worst = std::max(worst, cv::norm(actual[i] - want));
  }
  return worst;
}

// Loads the net once for the whole suite: building it takes a moment.
class LandmarkDetectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto loaded = LandmarkDetector::Load(testing::ModelDir());
    if (loaded) {
      detector_.emplace(std::move(loaded).value());
    } else {
      load_error_ = loaded.error().message;
    }
  }
  static void TearDownTestSuite() { detector_.reset(); }

  void SetUp() override { ASSERT_TRUE(detector_) << load_error_; }

  static inline std::optional<LandmarkDetector> detector_;
  static inline std::string load_error_;
};

TEST_F(LandmarkDetectorTest, RawOutputMatchesFixtures) {
  EVENTFACE_REQUIRE_SHARED(shared);
  fs::path fixtures = shared / "reference/fixtures";
  json nets = testing::ReadJson(fixtures / "nets.json");
  ASSERT_EQ(nets.at("landmarks").size(), 3u);

  for (const json& fixture : nets.at("landmarks")) {
    std::string name = fixture.at("case");
    SCOPED_TRACE(name);
    std::vector<float> input = testing::ReadF32(
        fixtures / fixture.at("input").at("file").get<std::string>(),
        112 * 112 * 3);
    std::vector<float> expected = testing::ReadF32(
        fixtures / fixture.at("output").at("file").get<std::string>(), 136);
    ASSERT_FALSE(input.empty() || expected.empty());

    cv::Mat image(112, 112, CV_32FC3, input.data());
    std::array<float, 136> raw = detector_->RunNetwork(image);
    double worst = 0;
    for (size_t i = 0; i < raw.size(); ++i) {
      worst =
          std::max(worst, static_cast<double>(std::abs(raw[i] - expected[i])));
    }
    EXPECT_LT(worst, 1e-4);
    std::cout << name << ": raw output max abs diff " << worst << "\n";
  }
}

TEST(LandmarkMappingTest, ReproducesThePipelinesPoints) {
  EVENTFACE_REQUIRE_SHARED(shared);
  fs::path fixtures = shared / "reference/fixtures";
  json nets = testing::ReadJson(fixtures / "nets.json");

  for (const json& fixture : nets.at("landmarks")) {
    SCOPED_TRACE(fixture.at("case").get<std::string>());
    std::vector<float> output = testing::ReadF32(
        fixtures / fixture.at("output").at("file").get<std::string>(), 136);
    ASSERT_EQ(output.size(), 136u);
    std::array<float, 136> raw;
    std::copy(output.begin(), output.end(), raw.begin());
    const json& source = fixture.at("source");
    cv::Rect2d box =
        testing::RectFromJson<cv::Rect2d>(source.at("detection_box"));
    cv::Rect crop = testing::RectFromJson<cv::Rect>(source.at("landmark_crop"));

    Landmarks points = MapLandmarksToImage(raw, crop.size(), box.tl());
    double worst = MaxPointDistance(points, fixture.at("points_in_image"));
    EXPECT_LT(worst, 1e-3);
    std::cout << "mapping: max distance " << worst << " px\n";
  }
}

TEST_F(LandmarkDetectorTest, DetectMatchesThePipelineOnPngs) {
  EVENTFACE_REQUIRE_SHARED(shared);
  json pipeline = testing::ReadPipelineFixture(shared);

  // PNGs decode to the same pixels here as in the reference, so these
  // faces must match it to float precision.
  int faces_checked = 0;
  for (const json& entry : pipeline.at("images")) {
    std::string name = entry.at("image");
    if (!name.ends_with(".png") || entry.at("faces").empty()) continue;
    SCOPED_TRACE(name);
    cv::Mat rgb = testing::DecodeRgb(shared / name);
    ASSERT_EQ(rgb.cols, entry.at("width").get<int>());
    ASSERT_EQ(rgb.rows, entry.at("height").get<int>());

    for (const json& face : entry.at("faces")) {
      cv::Rect2d box = testing::RectFromJson<cv::Rect2d>(face.at("box"));
      cv::Rect crop = ClipAndFloor(box, rgb.size());
      EXPECT_EQ(crop,
                testing::RectFromJson<cv::Rect>(face.at("landmark_crop")));

      Landmarks points = detector_->Detect(rgb, box);
      double worst = MaxPointDistance(points, face.at("landmarks"));
      EXPECT_LT(worst, 0.05);
      std::cout << name << ": landmarks max distance " << worst << " px\n";
      ++faces_checked;
    }
  }
  EXPECT_EQ(faces_checked, 7);
}

class LandmarkDetectorLoadTest : public testing::TempDirTest {
 protected:
  LandmarkDetectorLoadTest() : TempDirTest("landmark_detector_test") {}

  // Writes the shipped manifest, changed by `edit`, and the first
  // `bin_bytes` of the shipped weights into the scratch folder.
  void WriteModel(const std::function<void(json&)>& edit, size_t bin_bytes) {
    fs::path models = testing::ModelDir();
    json manifest = testing::ReadJson(models / kManifestName);
    edit(manifest);
    std::ofstream(temp_dir() / kManifestName) << manifest.dump();
    std::string bin = testing::ReadBytes(models / "face_landmark_68_model.bin");
    std::ofstream(temp_dir() / "face_landmark_68_model.bin", std::ios::binary)
        << bin.substr(0, bin_bytes);
  }
};

TEST_F(LandmarkDetectorLoadTest, MissingModelNamesTheFile) {
  auto detector = LandmarkDetector::Load(temp_dir());
  ASSERT_FALSE(detector);
  EXPECT_EQ(detector.error().code, ErrorCode::kNotFound);
  EXPECT_NE(detector.error().message.find(kManifestName), std::string::npos);
}

TEST_F(LandmarkDetectorLoadTest, TruncatedWeightsNameTheFile) {
  WriteModel([](json&) {}, 1000);
  auto detector = LandmarkDetector::Load(temp_dir());
  ASSERT_FALSE(detector);
  EXPECT_EQ(detector.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(detector.error().message.find(kManifestName), std::string::npos);
}

TEST_F(LandmarkDetectorLoadTest, MissingTensorNamesTheFile) {
  // Drops the last tensor, fc/bias (136 bytes quantised to uint8), from the
  // manifest and the weights alike, so only the tensor is missing.
  size_t bin_bytes =
      fs::file_size(testing::ModelDir() / "face_landmark_68_model.bin");
  WriteModel(
      [](json& manifest) {
        json& entries = manifest.at(0).at("weights");
        ASSERT_EQ(entries.back().at("name"), "fc/bias");
        entries.erase(entries.size() - 1);
      },
      bin_bytes - 136);
  auto detector = LandmarkDetector::Load(temp_dir());
  ASSERT_FALSE(detector);
  EXPECT_EQ(detector.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(detector.error().message.find(kManifestName), std::string::npos);
  EXPECT_NE(detector.error().message.find("fc/bias"), std::string::npos);
}

}  // namespace
}  // namespace eventface::engine
