#include "store/embedding_blob.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace eventface::store {
namespace {

TEST(EmbeddingBlobTest, StoresLittleEndianFloat32s) {
  engine::Embedding embedding{};
  embedding[0] = 1.0f;     // 0x3f800000
  embedding[127] = -2.0f;  // 0xc0000000
  std::string bytes = EncodeEmbedding(embedding);
  ASSERT_EQ(bytes.size(), kEmbeddingBlobSize);
  EXPECT_EQ(bytes.substr(0, 4), std::string("\x00\x00\x80\x3f", 4));
  EXPECT_EQ(bytes.substr(508, 4), std::string("\x00\x00\x00\xc0", 4));
}

TEST(EmbeddingBlobTest, RoundTripsEveryBit) {
  engine::Embedding embedding;
  for (size_t i = 0; i < embedding.size(); ++i) {
    embedding[i] = std::ldexp(static_cast<float>(i) - 63.7f, -int(i % 9));
  }
  embedding[5] = std::numeric_limits<float>::denorm_min();
  embedding[6] = -0.0f;
  auto decoded = DecodeEmbedding(EncodeEmbedding(embedding));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(0, std::memcmp(decoded->data(), embedding.data(),
                           sizeof(float) * embedding.size()));
}

TEST(EmbeddingBlobTest, RejectsTheWrongSize) {
  auto decoded = DecodeEmbedding(std::string(511, '\0'));
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.error().code, ErrorCode::kCorruptData);
}

}  // namespace
}  // namespace eventface::store
