// Embedding blob layout (columns selfies.embedding and faces.embedding):
//
//   offset 0    float32 value 0
//   offset 4    float32 value 1
//   ...
//   offset 508  float32 value 127
//
// 512 bytes, each value an IEEE 754 binary32 in little-endian byte order,
// with no header. The order of values is the recognition net's output
// order. Fixed byte order keeps a database readable on any machine.

#include "store/embedding_blob.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

namespace eventface::store {

static_assert(sizeof(float) == 4 && std::numeric_limits<float>::is_iec559,
              "embeddings are stored as IEEE 754 binary32");

std::string EncodeEmbedding(const engine::Embedding& embedding) {
  std::string bytes(kEmbeddingBlobSize, '\0');
  for (size_t i = 0; i < embedding.size(); ++i) {
    uint32_t bits = std::bit_cast<uint32_t>(embedding[i]);
    for (int b = 0; b < 4; ++b) {
      bytes[4 * i + b] = static_cast<char>(bits >> (8 * b) & 0xff);
    }
  }
  return bytes;
}

Result<engine::Embedding> DecodeEmbedding(std::string_view bytes) {
  if (bytes.size() != kEmbeddingBlobSize) {
    return Error{ErrorCode::kCorruptData,
                 "embedding: " + std::to_string(bytes.size()) +
                     " bytes, expected " + std::to_string(kEmbeddingBlobSize)};
  }
  engine::Embedding embedding;
  for (size_t i = 0; i < embedding.size(); ++i) {
    uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) {
      bits |= uint32_t{static_cast<unsigned char>(bytes[4 * i + b])} << (8 * b);
    }
    embedding[i] = std::bit_cast<float>(bits);
  }
  return embedding;
}

}  // namespace eventface::store
