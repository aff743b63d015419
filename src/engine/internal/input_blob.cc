#include "engine/internal/input_blob.h"

#include <cassert>
#include <vector>

namespace eventface::engine::internal {

cv::Mat ToMeanNormalisedBlob(const cv::Mat& rgb,
                             const std::array<float, 3>& mean) {
  assert(rgb.type() == CV_32FC3);
  cv::Mat blob(std::vector<int>{1, 3, rgb.rows, rgb.cols}, CV_32F);
  for (int c = 0; c < 3; ++c) {
    float* plane = blob.ptr<float>(0, c);
    for (int y = 0; y < rgb.rows; ++y) {
      const auto* row = rgb.ptr<cv::Vec3f>(y);
      for (int x = 0; x < rgb.cols; ++x) {
        *plane++ = (row[x][c] - mean[c]) / 255.0f;
      }
    }
  }
  return blob;
}

}  // namespace eventface::engine::internal
