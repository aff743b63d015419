#pragma once

#include <opencv2/core.hpp>

namespace eventface::engine::internal {

// Resizes like TensorFlow 1's bilinear resize without align_corners or
// half-pixel centres, which is what face-api feeds its networks: output row
// r samples input row r * (in / out), and rows past the last input row
// repeat it. Each value is computed in double and rounded once to float, so
// the result equals the library's bit for bit.
//
// The input is `image` (CV_8UC3) placed at `offset` inside a zero canvas of
// `canvas` size; the canvas is never materialised, so padding a photo to a
// square costs nothing. Returns a CV_32FC3 matrix of `out` size, values
// 0..255, channels in the order of `image`.
cv::Mat LegacyResize(const cv::Mat& image, cv::Size canvas, cv::Point offset,
                     cv::Size out);

// The zero padding face-api's landmark and recognition nets add to make a
// crop of `size` square, centred: with d the difference of the sides, d / 2
// rounded half up goes after the crop, the rest before it.
struct CentredPadding {
  cv::Size square;
  cv::Point offset;  // where the crop's top-left corner lands
};
CentredPadding CentreInSquare(cv::Size size);

}  // namespace eventface::engine::internal
