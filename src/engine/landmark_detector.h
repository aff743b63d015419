#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "core/result.h"
#include "engine/face.h"

namespace eventface::engine {

// face-api's 68-point landmark net on OpenCV DNN. Not thread-safe: give
// each thread its own.
class LandmarkDetector {
 public:
  static constexpr int kInputSide = 112;

  // Move-only: copies of a cv::dnn::Net would share one network, which
  // two threads must not run at once.
  LandmarkDetector(LandmarkDetector&&) = default;
  LandmarkDetector& operator=(LandmarkDetector&&) = default;

  // Builds the network from `model_dir`'s face_landmark_68_model files.
  // Fails, naming the file, when one is missing or corrupt.
  static Result<LandmarkDetector> Load(const std::filesystem::path& model_dir);

  // Floating-point operations in one forward pass, for benchmarks.
  int64_t FlopsPerForward() const;

  // Runs the network on a 112x112 CV_32FC3 RGB input with values 0..255.
  // Returns x0, y0, x1, y1, ... as fractions of the input side.
  std::array<float, 136> RunNetwork(const cv::Mat& input);

  // The landmarks, in image pixels, of the face whose detection box (in
  // pixels of `rgb`, unfloored) is `box`: crop (ClipAndFloor), centred
  // pad to a square, resize to 112, run, and map back as face-api does.
  // REQUIRES: `rgb` is CV_8UC3 and the box overlaps it (a non-empty crop).
  Landmarks Detect(const cv::Mat& rgb, const cv::Rect2d& box);

 private:
  explicit LandmarkDetector(cv::dnn::Net net) : net_(std::move(net)) {}

  cv::dnn::Net net_;
};

// Maps the net's raw output for a crop of `crop` size back to image pixels
// as face-api does, quirks included: it removes half the size difference
// as padding (the real padding was whole pixels) and shifts by the
// detection box's unfloored origin `box_origin`, not the crop's.
Landmarks MapLandmarksToImage(const std::array<float, 136>& raw, cv::Size crop,
                              cv::Point2d box_origin);

}  // namespace eventface::engine
