// A tfjs weights manifest is a JSON list of groups; each group names its
// `.bin` files in `paths` and lists its tensors in `weights`, each as
// {name, shape, dtype, quantization?}. The group's files, concatenated, hold
// the tensors back to back in manifest order with no alignment: one byte per
// value for uint8 quantisation, two for uint16, four for float32 and int32.
#include "engine/tfjs_weights.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <numeric>

namespace eventface::engine {
namespace {

using nlohmann::json;

Error CorruptModel(const std::filesystem::path& file, const std::string& why) {
  return Error{ErrorCode::kCorruptData,
               "model file " + file.string() + ": " + why};
}

Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Error{ErrorCode::kNotFound,
                 "model file " + path.string() + ": cannot be opened"};
  }
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  if (in.bad()) {
    return Error{ErrorCode::kIoError,
                 "model file " + path.string() + ": read failed"};
  }
  return bytes;
}

size_t BytesPerValue(const json& entry) {
  if (entry.contains("quantization")) {
    std::string dtype = entry["quantization"].at("dtype");
    if (dtype == "uint8") return 1;
    if (dtype == "uint16") return 2;
    return 0;
  }
  std::string dtype = entry.at("dtype");
  return (dtype == "float32" || dtype == "int32") ? 4 : 0;
}

// Decodes `count` values starting at `bytes` as `entry` describes them.
std::vector<float> DecodeValues(const json& entry, const char* bytes,
                                size_t count) {
  std::vector<float> values(count);
  if (!entry.contains("quantization")) {
    std::memcpy(values.data(), bytes, count * sizeof(float));
    return values;
  }
  const json& q = entry["quantization"];
  double scale = q.at("scale");
  double min = q.at("min");
  bool wide = q.at("dtype") == "uint16";
  auto raw = reinterpret_cast<const unsigned char*>(bytes);
  for (size_t i = 0; i < count; ++i) {
    unsigned level = wide ? raw[2 * i] | (raw[2 * i + 1] << 8) : raw[i];
    values[i] = static_cast<float>(level * scale + min);
  }
  return values;
}

}  // namespace

Result<TfjsWeights> TfjsWeights::Load(const std::filesystem::path& manifest) {
  auto text = ReadWholeFile(manifest);
  if (!text) return std::move(text).error();

  TfjsWeights weights;
  weights.manifest_ = manifest;
  try {
    json groups = json::parse(*text);
    for (const json& group : groups) {
      // Concatenate the group's files: a tensor may span two of them.
      std::string data;
      for (const json& name : group.at("paths")) {
        auto part =
            ReadWholeFile(manifest.parent_path() / name.get<std::string>());
        if (!part) return std::move(part).error();
        data += *part;
      }
      size_t offset = 0;
      for (const json& entry : group.at("weights")) {
        std::vector<int> shape = entry.at("shape");
        size_t count = std::accumulate(shape.begin(), shape.end(), size_t{1},
                                       std::multiplies<>());
        size_t width = BytesPerValue(entry);
        std::string name = entry.at("name");
        if (width == 0) {
          return CorruptModel(manifest,
                              "tensor " + name + " has an unsupported dtype");
        }
        if (offset + count * width > data.size()) {
          return CorruptModel(manifest, "weights end before tensor " + name);
        }
        if (entry.at("dtype") != "int32") {
          weights.tensors_[name] = WeightTensor{
              shape, DecodeValues(entry, data.data() + offset, count)};
        }
        offset += count * width;
      }
      if (offset != data.size()) {
        return CorruptModel(manifest, "weights hold " +
                                          std::to_string(data.size()) +
                                          " bytes, the manifest describes " +
                                          std::to_string(offset));
      }
    }
  } catch (const json::exception& e) {
    return CorruptModel(manifest,
                        std::string("malformed manifest: ") + e.what());
  }
  return weights;
}

Result<const WeightTensor*> TfjsWeights::Get(
    std::string_view name, const std::vector<int>& shape) const {
  auto found = tensors_.find(name);
  if (found == tensors_.end()) {
    return CorruptModel(manifest_,
                        "tensor " + std::string(name) + " is missing");
  }
  if (found->second.shape != shape) {
    return CorruptModel(
        manifest_, "tensor " + std::string(name) + " has an unexpected shape");
  }
  return &found->second;
}

Result<std::filesystem::path> ResolveModelDirectory() {
  const char* from_env = std::getenv("EVENTFACE_MODELS");
  std::filesystem::path dir =
      (from_env && *from_env) ? from_env : EVENTFACE_DEFAULT_MODELS;
  std::error_code ignored;
  if (!std::filesystem::is_directory(dir, ignored)) {
    return Error{ErrorCode::kNotFound,
                 "model folder " + dir.string() +
                     " does not exist: run `npm ci --ignore-scripts` in the "
                     "source tree or set EVENTFACE_MODELS"};
  }
  return dir;
}

}  // namespace eventface::engine
