#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace eventface::engine {

// One weight tensor as TensorFlow laid it out: row-major over `shape`
// (convolution filters are [kh, kw, in, out]), dequantised to float32.
struct WeightTensor {
  std::vector<int> shape;
  std::vector<float> values;
};

// The weights of one tfjs model: a `*-weights_manifest.json` and the `.bin`
// files it names. Immutable after Load, so safe to share between threads.
class TfjsWeights {
 public:
  // Reads the manifest and every file it names. Entries quantised to uint8
  // or uint16 are dequantised as tfjs does (q * scale + min in double,
  // stored as float32); int32 entries are skipped. Fails with kNotFound for
  // a missing file and kCorruptData for one that breaks the format; either
  // message names the file.
  static Result<TfjsWeights> Load(const std::filesystem::path& manifest);

  // The tensor called `name`, checked against `shape`. Fails with
  // kCorruptData, naming the manifest, when it is absent or shaped
  // otherwise. The pointer lives as long as this object.
  Result<const WeightTensor*> Get(std::string_view name,
                                  const std::vector<int>& shape) const;

  const std::filesystem::path& manifest() const { return manifest_; }

 private:
  std::filesystem::path manifest_;
  std::map<std::string, WeightTensor, std::less<>> tensors_;
};

// The folder holding the face-api models: $EVENTFACE_MODELS when set, else
// the node_modules folder of the source tree this binary was built from.
// Fails with kNotFound, naming the folder it tried, when it does not exist.
Result<std::filesystem::path> ResolveModelDirectory();

}  // namespace eventface::engine
