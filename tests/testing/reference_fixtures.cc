#include "testing/reference_fixtures.h"

#include <gtest/gtest.h>

#include "testing/shared_data.h"

namespace eventface::testing {

nlohmann::json ReadJson(const std::filesystem::path& path) {
  return nlohmann::json::parse(ReadBytes(path));
}

nlohmann::json ReadPipelineFixture(const std::filesystem::path& shared) {
  return ReadJson(shared / "reference" / "fixtures" / "pipeline.json");
}

std::filesystem::path FixtureImagePath(const std::filesystem::path& shared,
                                       const std::string& name) {
  const std::string npm_prefix = "npm:@vladmandic/face-api/";
  if (name.starts_with(npm_prefix)) {
    return ModelDir().parent_path() / name.substr(npm_prefix.size());
  }
  return shared / name;
}

engine::Embedding EmbeddingFromJson(const nlohmann::json& values) {
  engine::Embedding embedding{};
  EXPECT_EQ(values.size(), embedding.size());
  for (size_t i = 0; i < embedding.size() && i < values.size(); ++i) {
    embedding[i] = values[i].get<float>();
  }
  return embedding;
}

}  // namespace eventface::testing
