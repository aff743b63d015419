#include "engine/face_embedder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "testing/images.h"
#include "testing/reference_fixtures.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace eventface::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kManifestName[] = "face_recognition_model-weights_manifest.json";

double MaxAbsDifference(const Embedding& a, const Embedding& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
  }
  return worst;
}

class FaceEmbedderTest : public ::testing::Test {
 protected:
  // Loads the real model once for the whole suite: building it takes a
  // while and the tests only read from it.
  static void SetUpTestSuite() {
    auto embedder = FaceEmbedder::Load(testing::ModelDir());
    if (embedder) {
      embedder_.emplace(std::move(embedder).value());
    } else {
      load_error_ = embedder.error().message;
    }
  }
  static void TearDownTestSuite() { embedder_.reset(); }

  void SetUp() override {
    ASSERT_TRUE(embedder_) << "loading failed: " << load_error_;
  }

  static std::optional<FaceEmbedder> embedder_;
  static std::string load_error_;
};

std::optional<FaceEmbedder> FaceEmbedderTest::embedder_;
std::string FaceEmbedderTest::load_error_;

TEST_F(FaceEmbedderTest, MatchesReferenceOnFixtureInputs) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const fs::path fixtures = shared / "reference" / "fixtures";
  const json cases = testing::ReadJson(fixtures / "nets.json")["recognition"];
  ASSERT_EQ(cases.size(), 4u);

  double worst_distance = 0, worst_value = 0;
  for (const json& fixture : cases) {
    const int side = FaceEmbedder::kInputSide;
    std::vector<float> input =
        testing::ReadF32(fixtures / fixture["input"]["file"].get<std::string>(),
                         side * side * 3);
    std::vector<float> expected = testing::ReadF32(
        fixtures / fixture["output"]["file"].get<std::string>(), 128);
    ASSERT_FALSE(input.empty() || expected.empty());

    Embedding want;
    std::copy(expected.begin(), expected.end(), want.begin());
    Embedding got =
        embedder_->RunNetwork(cv::Mat(side, side, CV_32FC3, input.data()));
    double distance = EmbeddingDistance(got, want);
    double value = MaxAbsDifference(got, want);
    EXPECT_LT(distance, 1e-4) << fixture["case"];
    EXPECT_LT(value, 1e-4) << fixture["case"];
    worst_distance = std::max(worst_distance, distance);
    worst_value = std::max(worst_value, value);
  }
  std::printf("recognition fixtures: distance %.3g, per value %.3g at most\n",
              worst_distance, worst_value);
}

TEST_F(FaceEmbedderTest, EmbedsWholeReferenceCropsLikeFaceApi) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const json pipeline = testing::ReadPipelineFixture(shared);

  int crops = 0;
  double worst = 0;
  for (const json& image : pipeline["images"]) {
    if (!image.contains("whole_crop_descriptor")) continue;
    const std::string name = image["image"];
    cv::Mat rgb = testing::DecodeRgb(shared / name);
    ASSERT_EQ(rgb.size(), cv::Size(150, 150)) << name;

    Embedding got = embedder_->Embed(rgb, cv::Rect(0, 0, rgb.cols, rgb.rows));
    double distance = EmbeddingDistance(
        got, testing::EmbeddingFromJson(image["whole_crop_descriptor"]));
    EXPECT_LT(distance, 1e-3) << name;
    worst = std::max(worst, distance);
    ++crops;
  }
  EXPECT_EQ(crops, 40);
  std::printf("whole crops: %d, distance %.3g at most\n", crops, worst);
}

TEST_F(FaceEmbedderTest, EmbedsRecognitionCropsOfPngsLikeFaceApi) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const json pipeline = testing::ReadPipelineFixture(shared);

  // PNGs only: libvips decodes them to the reference's pixels, JPEGs not.
  int faces = 0;
  double worst = 0;
  for (const json& image : pipeline["images"]) {
    const std::string name = image["image"];
    if (!name.ends_with(".png") || image["faces"].empty()) continue;
    cv::Mat rgb = testing::DecodeRgb(shared / name);
    for (const json& face : image["faces"]) {
      cv::Rect chip = testing::RectFromJson<cv::Rect>(face["recognition_crop"]);
      Embedding got = embedder_->Embed(rgb, chip);
      double distance = EmbeddingDistance(
          got, testing::EmbeddingFromJson(face["descriptor"]));
      EXPECT_LT(distance, 1e-3) << name;
      worst = std::max(worst, distance);
      ++faces;
    }
  }
  EXPECT_EQ(faces, 7);
  std::printf("png faces: %d, distance %.3g at most\n", faces, worst);
}

class FaceEmbedderLoadTest : public testing::TempDirTest {
 protected:
  FaceEmbedderLoadTest() : TempDirTest("face_embedder_test") {}
};

TEST_F(FaceEmbedderLoadTest, MissingModelNamesTheManifest) {
  auto embedder = FaceEmbedder::Load(temp_dir());
  ASSERT_FALSE(embedder);
  EXPECT_EQ(embedder.error().code, ErrorCode::kNotFound);
  EXPECT_NE(embedder.error().message.find(kManifestName), std::string::npos);
}

TEST_F(FaceEmbedderLoadTest, TruncatedWeightsNameTheFile) {
  const fs::path models = testing::ModelDir();
  Write(kManifestName, testing::ReadBytes(models / kManifestName));
  std::string weights =
      testing::ReadBytes(models / "face_recognition_model.bin");
  Write("face_recognition_model.bin", weights.substr(0, weights.size() / 2));

  auto embedder = FaceEmbedder::Load(temp_dir());
  ASSERT_FALSE(embedder);
  EXPECT_EQ(embedder.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(embedder.error().message.find(kManifestName), std::string::npos);
}

TEST_F(FaceEmbedderLoadTest, MissingTensorNamesTheManifest) {
  Write(kManifestName, R"([{"paths": ["face_recognition_model.bin"],
      "weights": [{"name": "fc", "shape": [1], "dtype": "float32"}]}])");
  Write("face_recognition_model.bin", std::string(4, '\0'));

  auto embedder = FaceEmbedder::Load(temp_dir());
  ASSERT_FALSE(embedder);
  EXPECT_EQ(embedder.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(embedder.error().message.find(kManifestName), std::string::npos);
}

}  // namespace
}  // namespace eventface::engine
