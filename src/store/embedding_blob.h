#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "engine/face.h"

namespace eventface::store {

// The size of an encoded embedding: 128 float32 values.
inline constexpr size_t kEmbeddingBlobSize = 128 * 4;

// The bytes stored in an embedding column for `embedding`; the layout is
// described in embedding_blob.cc. Exact: decoding gives back the same
// floats bit for bit.
std::string EncodeEmbedding(const engine::Embedding& embedding);

// The embedding in `bytes`; fails with kCorruptData when they are not
// kEmbeddingBlobSize long.
Result<engine::Embedding> DecodeEmbedding(std::string_view bytes);

}  // namespace eventface::store
