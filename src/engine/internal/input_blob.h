#pragma once

#include <array>
#include <opencv2/core.hpp>

namespace eventface::engine::internal {

// The image `rgb` (CV_32FC3, values 0..255) as the NCHW blob
// [1, 3, rows, cols] that face-api's landmark and recognition nets take:
// each value becomes (x - mean[c]) / 255, both steps in float32 as tfjs
// computes them, so the blob equals the library's bit for bit.
cv::Mat ToMeanNormalisedBlob(const cv::Mat& rgb,
                             const std::array<float, 3>& mean);

}  // namespace eventface::engine::internal
