#include "testing/shared_data.h"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

#include "engine/tfjs_weights.h"

namespace eventface::testing {

std::optional<std::filesystem::path> SharedDir() {
  const char* from_env = std::getenv("EVENTFACE_SHARED");
  std::filesystem::path dir =
      (from_env && *from_env)
          ? std::filesystem::path(from_env)
          : std::filesystem::path(EVENTFACE_SOURCE_DIR).parent_path() /
                "shared";
  if (!std::filesystem::is_directory(dir / "reference")) return std::nullopt;
  return dir;
}

std::filesystem::path ModelDir() {
  auto dir = engine::ResolveModelDirectory();
  if (!dir) ADD_FAILURE() << dir.error().message;
  return dir ? *dir : std::filesystem::path();
}

std::vector<float> ReadF32(const std::filesystem::path& path, size_t count) {
  std::string bytes = ReadBytes(path);
  if (bytes.size() != count * sizeof(float)) {
    ADD_FAILURE() << path << " holds " << bytes.size() << " bytes, expected "
                  << count * sizeof(float);
    return {};
  }
  std::vector<float> values(count);
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

std::string ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot open " << path;
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

}  // namespace eventface::testing
