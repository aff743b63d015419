#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "engine/face.h"

namespace eventface::testing {

// Parses a JSON file. Fails the test when it cannot be opened; throws
// nlohmann::json::parse_error when it is not JSON.
nlohmann::json ReadJson(const std::filesystem::path& path);

// reference/fixtures/pipeline.json under the shared folder `shared`: what
// face-api found on each reference image, stage by stage.
nlohmann::json ReadPipelineFixture(const std::filesystem::path& shared);

// Where a fixture's image name points: `datasets/...` under the shared
// folder, `npm:@vladmandic/face-api/...` in the installed package.
std::filesystem::path FixtureImagePath(const std::filesystem::path& shared,
                                       const std::string& name);

// A fixture's {x, y, width, height} as a cv::Rect or cv::Rect2d. Throws
// nlohmann::json::exception when a field is missing.
template <typename Rect>
Rect RectFromJson(const nlohmann::json& box) {
  using Value = decltype(Rect().x);
  return Rect(box.at("x").get<Value>(), box.at("y").get<Value>(),
              box.at("width").get<Value>(), box.at("height").get<Value>());
}

// A fixture's descriptor as an Embedding; fails the test when it holds
// another number of values.
engine::Embedding EmbeddingFromJson(const nlohmann::json& values);

}  // namespace eventface::testing
