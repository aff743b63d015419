#include "testing/images.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "testing/sha256.h"

namespace eventface::testing {

bool StartVips() {
  static const bool started = VIPS_INIT("eventface_tests") == 0;
  return started;
}

cv::Mat ToRgbMat(const vips::VImage& image) {
  size_t size = 0;
  void* pixels = image.write_to_memory(&size);
  cv::Mat rgb(image.height(), image.width(), CV_8UC3);
  EXPECT_EQ(size, rgb.total() * rgb.elemSize()) << "bytes vips wrote";
  std::memcpy(rgb.data, pixels, std::min(size, rgb.total() * rgb.elemSize()));
  g_free(pixels);
  return rgb;
}

cv::Mat DecodeRgb(const std::filesystem::path& path) {
  if (!StartVips()) {
    ADD_FAILURE() << "vips failed to start";
    return {};
  }
  try {
    vips::VImage image = vips::VImage::new_from_file(path.c_str());
    image = image.cast(VIPS_FORMAT_UCHAR);
    if (image.has_alpha()) {
      image = image.extract_band(
          0, vips::VImage::option()->set("n", image.bands() - 1));
    }
    if (image.bands() == 1) {
      image = vips::VImage::bandjoin({image, image, image});
    }
    if (image.bands() != 3) {
      ADD_FAILURE() << path << " has " << image.bands() << " bands";
      return {};
    }
    return ToRgbMat(image);
  } catch (const vips::VError& e) {
    ADD_FAILURE() << path << ": " << e.what();
    return {};
  }
}

std::string RgbSha256(const cv::Mat& rgb) {
  Sha256 sha;
  for (int y = 0; y < rgb.rows; ++y) {
    sha.Update(rgb.ptr<uint8_t>(y), rgb.cols * 3);
  }
  return sha.HexDigest();
}

}  // namespace eventface::testing
