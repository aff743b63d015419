#include "engine/internal/legacy_resize.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <vector>

namespace eventface::engine::internal {
namespace {

// One axis of the resize: for each output index, the two source indices
// (in canvas coordinates) and the weight of the second.
struct AxisTaps {
  std::vector<int> low;
  std::vector<int> high;
  std::vector<double> frac;
};

AxisTaps ComputeTaps(int in, int out) {
  AxisTaps taps;
  double ratio = static_cast<double>(in) / out;
  for (int i = 0; i < out; ++i) {
    double source = ratio * i;
    double floor = std::floor(source);
    taps.low.push_back(static_cast<int>(floor));
    taps.high.push_back(std::min(in - 1, static_cast<int>(std::ceil(source))));
    taps.frac.push_back(source - floor);
  }
  return taps;
}

}  // namespace

cv::Mat LegacyResize(const cv::Mat& image, cv::Size canvas, cv::Point offset,
                     cv::Size out) {
  assert(image.type() == CV_8UC3);
  AxisTaps rows = ComputeTaps(canvas.height, out.height);
  AxisTaps cols = ComputeTaps(canvas.width, out.width);

  // Reads a canvas pixel's channel: the image inside, zero around it.
  auto pixel = [&](int y, int x, int c) -> double {
    y -= offset.y;
    x -= offset.x;
    if (y < 0 || x < 0 || y >= image.rows || x >= image.cols) return 0.0;
    return image.ptr<cv::Vec3b>(y)[x][c];
  };

  cv::Mat result(out, CV_32FC3);
  for (int r = 0; r < out.height; ++r) {
    auto* dst = result.ptr<cv::Vec3f>(r);
    int y0 = rows.low[r], y1 = rows.high[r];
    double fy = rows.frac[r];
    for (int col = 0; col < out.width; ++col) {
      int x0 = cols.low[col], x1 = cols.high[col];
      double fx = cols.frac[col];
      for (int c = 0; c < 3; ++c) {
        double top =
            pixel(y0, x0, c) + (pixel(y0, x1, c) - pixel(y0, x0, c)) * fx;
        double bottom =
            pixel(y1, x0, c) + (pixel(y1, x1, c) - pixel(y1, x0, c)) * fx;
        dst[col][c] = static_cast<float>(top + (bottom - top) * fy);
      }
    }
  }
  return result;
}

CentredPadding CentreInSquare(cv::Size size) {
  int side = std::max(size.width, size.height);
  int difference = side - std::min(size.width, size.height);
  // JavaScript's Math.round: halves go up, so an odd difference puts the
  // extra pixel after the crop.
  int after = (difference + 1) / 2;
  int before = difference - after;
  cv::Point offset =
      size.width < size.height ? cv::Point(before, 0) : cv::Point(0, before);
  return {cv::Size(side, side), offset};
}

}  // namespace eventface::engine::internal
