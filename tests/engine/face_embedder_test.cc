#include "engine/face_embedder.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
#include <vips/vips8>

#include "testing/shared_data.h"

namespace eventface::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kManifestName[] = "face_recognition_model-weights_manifest.json";

json ReadJson(const fs::path& path) {
  return json::parse(testing::ReadBytes(path));
}

// Decodes an image file to 8-bit RGB as the reference did: alpha dropped,
// grey copied to three channels.
cv::Mat DecodeRgb(const fs::path& path) {
  static const bool vips_ready = VIPS_INIT("engine_tests") == 0;
  EXPECT_TRUE(vips_ready);

  vips::VImage image = vips::VImage::new_from_file(path.c_str());
  image = image.cast(VIPS_FORMAT_UCHAR);
  if (image.bands() == 2 || image.bands() == 4) {
    image = image.extract_band(
        0, vips::VImage::option()->set("n", image.bands() - 1));
  }
  if (image.bands() == 1) {
    image = vips::VImage::bandjoin({image, image, image});
  }

  size_t size = 0;
  void* pixels = image.write_to_memory(&size);
  cv::Mat rgb(image.height(), image.width(), CV_8UC3);
  EXPECT_EQ(size, rgb.total() * rgb.elemSize()) << path;
  std::memcpy(rgb.data, pixels, std::min(size, rgb.total() * rgb.elemSize()));
  g_free(pixels);
  return rgb;
}

Embedding EmbeddingFromJson(const json& values) {
  Embedding embedding{};
  EXPECT_EQ(values.size(), embedding.size());
  for (size_t i = 0; i < embedding.size() && i < values.size(); ++i) {
    embedding[i] = values[i].get<float>();
  }
  return embedding;
}

double MaxAbsDifference(const Embedding& a, const Embedding& b) {
  double worst = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::abs(static_cast<double>(a[i]) - b[i]));
  }
  return worst;
}

cv::Rect RectFromJson(const json& rect) {
  return {rect["x"].get<int>(), rect["y"].get<int>(), rect["width"].get<int>(),
          rect["height"].get<int>()};
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
  const json cases = ReadJson(fixtures / "nets.json")["recognition"];
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
  const json pipeline =
      ReadJson(shared / "reference" / "fixtures" / "pipeline.json");

  int crops = 0;
  double worst = 0;
  for (const json& image : pipeline["images"]) {
    if (!image.contains("whole_crop_descriptor")) continue;
    const std::string name = image["image"];
    cv::Mat rgb = DecodeRgb(shared / name);
    ASSERT_EQ(rgb.size(), cv::Size(150, 150)) << name;

    Embedding got = embedder_->Embed(rgb, cv::Rect(0, 0, rgb.cols, rgb.rows));
    double distance = EmbeddingDistance(
        got, EmbeddingFromJson(image["whole_crop_descriptor"]));
    EXPECT_LT(distance, 1e-3) << name;
    worst = std::max(worst, distance);
    ++crops;
  }
  EXPECT_EQ(crops, 40);
  std::printf("whole crops: %d, distance %.3g at most\n", crops, worst);
}

TEST_F(FaceEmbedderTest, EmbedsRecognitionCropsOfPngsLikeFaceApi) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const json pipeline =
      ReadJson(shared / "reference" / "fixtures" / "pipeline.json");

  // PNGs only: libvips decodes them to the reference's pixels, JPEGs not.
  int faces = 0;
  double worst = 0;
  for (const json& image : pipeline["images"]) {
    const std::string name = image["image"];
    if (!name.ends_with(".png") || image["faces"].empty()) continue;
    cv::Mat rgb = DecodeRgb(shared / name);
    for (const json& face : image["faces"]) {
      cv::Rect chip = RectFromJson(face["recognition_crop"]);
      Embedding got = embedder_->Embed(rgb, chip);
      double distance =
          EmbeddingDistance(got, EmbeddingFromJson(face["descriptor"]));
      EXPECT_LT(distance, 1e-3) << name;
      worst = std::max(worst, distance);
      ++faces;
    }
  }
  EXPECT_EQ(faces, 7);
  std::printf("png faces: %d, distance %.3g at most\n", faces, worst);
}

class FaceEmbedderLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("face_embedder_test_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Write(const std::string& name, const std::string& bytes) {
    std::ofstream(dir_ / name, std::ios::binary) << bytes;
  }

  fs::path dir_;
};

TEST_F(FaceEmbedderLoadTest, MissingModelNamesTheManifest) {
  auto embedder = FaceEmbedder::Load(dir_);
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

  auto embedder = FaceEmbedder::Load(dir_);
  ASSERT_FALSE(embedder);
  EXPECT_EQ(embedder.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(embedder.error().message.find(kManifestName), std::string::npos);
}

TEST_F(FaceEmbedderLoadTest, MissingTensorNamesTheManifest) {
  Write(kManifestName, R"([{"paths": ["face_recognition_model.bin"],
      "weights": [{"name": "fc", "shape": [1], "dtype": "float32"}]}])");
  Write("face_recognition_model.bin", std::string(4, '\0'));

  auto embedder = FaceEmbedder::Load(dir_);
  ASSERT_FALSE(embedder);
  EXPECT_EQ(embedder.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(embedder.error().message.find(kManifestName), std::string::npos);
}

}  // namespace
}  // namespace eventface::engine
