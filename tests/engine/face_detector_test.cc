#include "engine/face_detector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "testing/images.h"
#include "testing/reference_fixtures.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace eventface::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

float MaxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    worst = std::max(worst, std::fabs(a[i] - b[i]));
  }
  return worst;
}

double MaxCornerDiff(const cv::Rect2d& a, const cv::Rect2d& b) {
  return std::max({std::fabs(a.x - b.x), std::fabs(a.y - b.y),
                   std::fabs(a.br().x - b.br().x),
                   std::fabs(a.br().y - b.br().y)});
}

bool IsPng(const std::string& name) {
  return name.size() > 4 && name.substr(name.size() - 4) == ".png";
}

class FaceDetectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!testing::SharedDir()) return;
    auto loaded = FaceDetector::Load(testing::ModelDir());
    if (loaded) {
      detector_.emplace(std::move(loaded).value());
    } else {
      load_error_ = loaded.error().message;
    }
  }
  static void TearDownTestSuite() { detector_.reset(); }

  static std::optional<FaceDetector> detector_;
  static std::string load_error_;
};

std::optional<FaceDetector> FaceDetectorTest::detector_;
std::string FaceDetectorTest::load_error_;

// Fails the current test when the suite could not load the detector.
#define REQUIRE_DETECTOR() \
  ASSERT_TRUE(detector_.has_value()) << "Load failed: " << load_error_

TEST_F(FaceDetectorTest, HeadsDecodingAndSelectionMatchTheLibrary) {
  EVENTFACE_REQUIRE_SHARED(shared);
  REQUIRE_DETECTOR();
  const fs::path fixtures = shared / "reference/fixtures";
  const json nets = testing::ReadJson(fixtures / "nets.json");
  ASSERT_EQ(nets["ssd"].size(), 2u);

  for (const json& c : nets["ssd"]) {
    SCOPED_TRACE(c["case"].get<std::string>());
    auto fixture = [&](const char* key, size_t count) {
      return testing::ReadF32(fixtures / c[key]["file"].get<std::string>(),
                              count);
    };
    const int n = FaceDetector::kAnchorCount;
    std::vector<float> input = fixture("input", 512 * 512 * 3);
    ASSERT_FALSE(input.empty());
    cv::Mat image(512, 512, CV_32FC3, input.data());

    SsdOutputs outputs = detector_->RunNetwork(image);
    float box_diff =
        MaxAbsDiff(outputs.box_encodings, fixture("box_encodings", n * 4));
    float logit_diff =
        MaxAbsDiff(outputs.class_logits, fixture("class_logits", n * 3));
    EXPECT_LT(box_diff, 2e-3);
    EXPECT_LT(logit_diff, 2e-3);

    SsdCandidates candidates = detector_->Decode(outputs);
    float decoded_diff =
        MaxAbsDiff(candidates.boxes, fixture("decoded_boxes", n * 4));
    float score_diff = MaxAbsDiff(candidates.scores, fixture("scores", n));
    EXPECT_LT(decoded_diff, 1e-4);
    EXPECT_LT(score_diff, 5e-5);

    std::vector<int> kept = SelectAnchors(candidates, {});
    const json& expected = c["detections"];
    ASSERT_EQ(kept.size(), expected.size());
    double pixel_diff = 0;
    for (size_t i = 0; i < kept.size(); ++i) {
      EXPECT_EQ(kept[i], expected[i]["anchor"].get<int>());
      const float* box = &candidates.boxes[kept[i] * 4];
      double ymin = std::max(0.0f, box[0]) * 512.0;
      double xmin = std::max(0.0f, box[1]) * 512.0;
      double ymax = std::min(1.0f, box[2]) * 512.0;
      double xmax = std::min(1.0f, box[3]) * 512.0;
      pixel_diff = std::max(
          pixel_diff, MaxCornerDiff({xmin, ymin, xmax - xmin, ymax - ymin},
                                    testing::RectFromJson<cv::Rect2d>(
                                        expected[i]["box_in_input_pixels"])));
    }
    EXPECT_LT(pixel_diff, 0.05);
    std::printf(
        "%s: box encodings %.3g, class logits %.3g, decoded boxes %.3g, "
        "scores %.3g, detections %.3g px (512 frame)\n",
        c["case"].get<std::string>().c_str(), box_diff, logit_diff,
        decoded_diff, score_diff, pixel_diff);
  }
}

// Decode and SelectAnchors alone, on the library's own raw heads: no
// network error in between, so the match must be near exact.
TEST_F(FaceDetectorTest, DecodesAndSelectsLikeTheLibrary) {
  EVENTFACE_REQUIRE_SHARED(shared);
  REQUIRE_DETECTOR();
  const fs::path fixtures = shared / "reference/fixtures";
  const json nets = testing::ReadJson(fixtures / "nets.json");
  const int n = FaceDetector::kAnchorCount;

  for (const json& c : nets["ssd"]) {
    SCOPED_TRACE(c["case"].get<std::string>());
    auto fixture = [&](const char* key, size_t count) {
      return testing::ReadF32(fixtures / c[key]["file"].get<std::string>(),
                              count);
    };
    SsdOutputs outputs{fixture("box_encodings", n * 4),
                       fixture("class_logits", n * 3)};
    SsdCandidates candidates = detector_->Decode(outputs);
    EXPECT_LT(MaxAbsDiff(candidates.boxes, fixture("decoded_boxes", n * 4)),
              1e-6);
    EXPECT_LT(MaxAbsDiff(candidates.scores, fixture("scores", n)), 1e-7);

    std::vector<int> expected;
    for (const json& d : c["detections"]) {
      expected.push_back(d["anchor"].get<int>());
    }
    EXPECT_EQ(SelectAnchors(candidates, {}), expected);
  }
}

TEST(SelectAnchorsTest, KeepsBestOfOverlappingBoxesAndHonoursLimits) {
  SsdCandidates candidates;
  candidates.boxes = {
      0.0f, 0.0f, 0.5f, 0.5f,  // 0: overlaps 1 with IoU 0.8
      0.0f, 0.0f, 0.5f, 0.4f,  // 1
      0.5f, 0.5f, 1.0f, 1.0f,  // 2: apart from both
      0.0f, 0.0f, 0.5f, 0.5f,  // 3: exactly at the threshold, not above
  };
  candidates.scores = {0.9f, 0.95f, 0.7f, 0.5f};

  EXPECT_EQ(SelectAnchors(candidates, {}), (std::vector<int>{1, 2}));
  EXPECT_EQ(SelectAnchors(candidates, {0.5f, 1}), (std::vector<int>{1}));
  EXPECT_EQ(SelectAnchors(candidates, {0.4f, 100}), (std::vector<int>{1, 2}));
  EXPECT_TRUE(SelectAnchors(candidates, {0.95f, 100}).empty());
}

// The smallest MaxCornerDiff between `box` and any of `found`.
double NearestCornerDiff(const cv::Rect2d& box,
                         const std::vector<Detection>& found) {
  double nearest = INFINITY;
  for (const Detection& face : found) {
    nearest = std::min(nearest, MaxCornerDiff(face.box, box));
  }
  return nearest;
}

// Detect on the pipeline's images that have faces. PNGs decode to the
// library's pixels, so faces must come in the same order with near equal
// boxes and scores. JPEGs decode differently in libvips than in jpeg-js
// (scores move by up to 0.014, so close ones may swap): each of the
// library's faces must have one of ours within 3 px.
TEST_F(FaceDetectorTest, DetectFindsThePipelinesFaces) {
  EVENTFACE_REQUIRE_SHARED(shared);
  REQUIRE_DETECTOR();
  const json pipeline = testing::ReadPipelineFixture(shared);

  double worst_png = 0, worst_png_score = 0, worst_jpeg = 0;
  int images = 0;
  for (const json& entry : pipeline["images"]) {
    const std::string name = entry["image"];
    const json& faces = entry["faces"];
    if (faces.empty()) continue;
    SCOPED_TRACE(name);
    cv::Mat rgb = testing::DecodeRgb(testing::FixtureImagePath(shared, name));
    ASSERT_FALSE(rgb.empty());
    ASSERT_EQ(rgb.cols, entry["width"].get<int>());
    ASSERT_EQ(rgb.rows, entry["height"].get<int>());

    std::vector<Detection> found = detector_->Detect(rgb);
    ++images;
    ASSERT_EQ(found.size(), faces.size());
    for (size_t i = 0; i < found.size(); ++i) {
      cv::Rect2d expected = testing::RectFromJson<cv::Rect2d>(faces[i]["box"]);
      if (IsPng(name)) {
        double diff = MaxCornerDiff(found[i].box, expected);
        double score_diff =
            std::fabs(found[i].score - faces[i]["score"].get<double>());
        EXPECT_LT(diff, 1.0) << "face " << i;
        EXPECT_LT(score_diff, 1e-4) << "face " << i;
        worst_png = std::max(worst_png, diff);
        worst_png_score = std::max(worst_png_score, score_diff);
      } else {
        double diff = NearestCornerDiff(expected, found);
        EXPECT_LT(diff, 3.0) << "face " << i;
        worst_jpeg = std::max(worst_jpeg, diff);
      }
    }
  }
  EXPECT_EQ(images, 24);
  std::printf(
      "Detect: largest box corner difference %.3g px on PNGs (scores %.3g),"
      " %.3g px on JPEGs\n",
      worst_png, worst_png_score, worst_jpeg);
}

TEST_F(FaceDetectorTest, DetectFindsNothingWhereTheLibraryFindsNothing) {
  EVENTFACE_REQUIRE_SHARED(shared);
  REQUIRE_DETECTOR();
  const json pipeline = testing::ReadPipelineFixture(shared);
  for (const json& entry : pipeline["images"]) {
    const std::string name = entry["image"];
    if (!entry["faces"].empty() || !IsPng(name)) continue;
    SCOPED_TRACE(name);
    cv::Mat rgb = testing::DecodeRgb(testing::FixtureImagePath(shared, name));
    ASSERT_FALSE(rgb.empty());
    EXPECT_TRUE(detector_->Detect(rgb).empty());
  }
}

class FaceDetectorLoadTest : public testing::TempDirTest {
 protected:
  FaceDetectorLoadTest() : TempDirTest("face_detector_test") {}
};

TEST_F(FaceDetectorLoadTest, MissingManifestIsNamed) {
  auto detector = FaceDetector::Load(temp_dir());
  ASSERT_FALSE(detector);
  EXPECT_EQ(detector.error().code, ErrorCode::kNotFound);
  EXPECT_NE(detector.error().message.find(
                "ssd_mobilenetv1_model-weights_manifest.json"),
            std::string::npos)
      << detector.error().message;
}

TEST_F(FaceDetectorLoadTest, TruncatedWeightsAreNamed) {
  const fs::path models = testing::ModelDir();
  const std::string manifest = "ssd_mobilenetv1_model-weights_manifest.json";
  fs::copy_file(models / manifest, temp_dir() / manifest);
  std::string bin = testing::ReadBytes(models / "ssd_mobilenetv1_model.bin");
  ASSERT_FALSE(bin.empty());
  std::ofstream(temp_dir() / "ssd_mobilenetv1_model.bin", std::ios::binary)
      << bin.substr(0, bin.size() / 2);

  auto detector = FaceDetector::Load(temp_dir());
  ASSERT_FALSE(detector);
  EXPECT_EQ(detector.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(detector.error().message.find(manifest), std::string::npos)
      << detector.error().message;
}

// A manifest whose tensors have the wrong shapes parses but cannot build
// the net; the error names the manifest and the tensor.
TEST_F(FaceDetectorLoadTest, MisshapenTensorIsNamed) {
  const std::string manifest = "ssd_mobilenetv1_model-weights_manifest.json";
  std::ofstream(temp_dir() / manifest) << R"([{"paths": ["w.bin"], "weights": [
      {"name": "Output/extra_dim", "shape": [1, 5118, 4], "dtype": "float32"},
      {"name": "MobilenetV1/Conv2d_0_pointwise/weights", "shape": [1],
       "dtype": "float32"}]}])";
  std::ofstream(temp_dir() / "w.bin", std::ios::binary)
      << std::string(5118 * 4 * 4 + 4, '\0');

  auto detector = FaceDetector::Load(temp_dir());
  ASSERT_FALSE(detector);
  EXPECT_NE(detector.error().message.find(manifest), std::string::npos)
      << detector.error().message;
  EXPECT_NE(detector.error().message.find("Conv2d_0_pointwise/weights"),
            std::string::npos)
      << detector.error().message;
}

}  // namespace
}  // namespace eventface::engine
