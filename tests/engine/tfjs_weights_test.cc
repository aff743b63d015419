#include "engine/tfjs_weights.h"

#include <gtest/gtest.h>

#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace eventface::engine {
namespace {

namespace fs = std::filesystem;

class TfjsWeightsTest : public testing::TempDirTest {
 protected:
  TfjsWeightsTest() : TempDirTest("tfjs_weights_test") {}
};

TEST_F(TfjsWeightsTest, DequantisesAndSkipsInt32) {
  Write("m.json", R"([{"paths": ["m.bin"], "weights": [
      {"name": "q", "shape": [3], "dtype": "float32",
       "quantization": {"dtype": "uint8", "scale": 0.5, "min": -1.0}},
      {"name": "i", "shape": [1], "dtype": "int32"},
      {"name": "f", "shape": [1], "dtype": "float32"}]}])");
  float plain = 2.25f;
  std::string bin = {'\x00', '\x02', '\xff', '\x07', '\x00', '\x00', '\x00'};
  bin.append(reinterpret_cast<const char*>(&plain), sizeof plain);
  Write("m.bin", bin);

  auto weights = TfjsWeights::Load(temp_dir() / "m.json");
  ASSERT_TRUE(weights) << weights.error().message;
  auto q = weights->Get("q", {3});
  ASSERT_TRUE(q);
  EXPECT_EQ((*q)->values, (std::vector<float>{-1.0f, 0.0f, 126.5f}));
  auto f = weights->Get("f", {1});
  ASSERT_TRUE(f);
  EXPECT_EQ((*f)->values[0], 2.25f);
  EXPECT_FALSE(weights->Get("i", {1}));
}

TEST_F(TfjsWeightsTest, TruncatedBinNamesTheFile) {
  Write("m.json", R"([{"paths": ["m.bin"], "weights": [
      {"name": "f", "shape": [2], "dtype": "float32"}]}])");
  Write("m.bin", "abcd");
  auto weights = TfjsWeights::Load(temp_dir() / "m.json");
  ASSERT_FALSE(weights);
  EXPECT_EQ(weights.error().code, ErrorCode::kCorruptData);
  EXPECT_NE(weights.error().message.find("m.json"), std::string::npos);
}

TEST_F(TfjsWeightsTest, MissingBinNamesTheFile) {
  Write("m.json", R"([{"paths": ["gone.bin"], "weights": []}])");
  auto weights = TfjsWeights::Load(temp_dir() / "m.json");
  ASSERT_FALSE(weights);
  EXPECT_EQ(weights.error().code, ErrorCode::kNotFound);
  EXPECT_NE(weights.error().message.find("gone.bin"), std::string::npos);
}

TEST_F(TfjsWeightsTest, MalformedManifestIsCorrupt) {
  Write("m.json", "[{\"paths\": ");
  auto weights = TfjsWeights::Load(temp_dir() / "m.json");
  ASSERT_FALSE(weights);
  EXPECT_EQ(weights.error().code, ErrorCode::kCorruptData);
}

TEST_F(TfjsWeightsTest, WrongShapeIsReported) {
  Write("m.json", R"([{"paths": ["m.bin"], "weights": [
      {"name": "f", "shape": [1], "dtype": "float32"}]}])");
  Write("m.bin", "abcd");
  auto weights = TfjsWeights::Load(temp_dir() / "m.json");
  ASSERT_TRUE(weights);
  auto f = weights->Get("f", {2});
  ASSERT_FALSE(f);
  EXPECT_NE(f.error().message.find("f has an unexpected shape"),
            std::string::npos);
}

TEST(TfjsWeightsModelsTest, LoadsTheShippedModelsAndAnchors) {
  fs::path models = testing::ModelDir();
  auto ssd =
      TfjsWeights::Load(models / "ssd_mobilenetv1_model-weights_manifest.json");
  ASSERT_TRUE(ssd) << ssd.error().message;
  auto anchors = ssd->Get("Output/extra_dim", {1, 5118, 4});
  ASSERT_TRUE(anchors) << anchors.error().message;

  EVENTFACE_REQUIRE_SHARED(shared);
  std::vector<float> expected = testing::ReadF32(
      shared / "reference/fixtures/nets/ssd_anchors_5118x4.f32", 5118 * 4);
  EXPECT_EQ((*anchors)->values, expected);
}

}  // namespace
}  // namespace eventface::engine
