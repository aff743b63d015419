#pragma once

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "engine/face.h"

namespace eventface::cli {

// A box as JSON: {x, y, width, height}.
nlohmann::json BoxToJson(const cv::Rect2d& box);

// A face as JSON: box {x, y, width, height}, score, quality, landmarks as
// 68 [x, y] pairs and, when `with_embedding`, the 128 embedding values.
// Floats are written with enough digits to read back exactly.
nlohmann::json FaceToJson(const engine::Face& face, bool with_embedding);

// The inverse of FaceToJson(face, true). Fails with kCorruptData when a
// field is missing or of the wrong type.
Result<engine::Face> FaceFromJson(const nlohmann::json& json);

}  // namespace eventface::cli
