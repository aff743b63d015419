#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>

#include "core/result.h"
#include "engine/face.h"

namespace eventface::engine {

// face-api's recognition ResNet (the dlib face model) on OpenCV DNN: a
// face chip in, a 128-d embedding out. Not thread-safe: give each thread
// its own.
class FaceEmbedder {
 public:
  static constexpr int kInputSide = 150;

  // Move-only: copies of a cv::dnn::Net would share one network, which
  // two threads must not run at once.
  FaceEmbedder(FaceEmbedder&&) = default;
  FaceEmbedder& operator=(FaceEmbedder&&) = default;

  // Builds the network from `model_dir`'s face_recognition_model files.
  // Fails, naming the file, when one is missing or corrupt.
  static Result<FaceEmbedder> Load(const std::filesystem::path& model_dir);

  // Floating-point operations in one forward pass, for benchmarks.
  int64_t FlopsPerForward() const;

  // Runs the network on a 150x150 CV_32FC3 RGB input with values 0..255.
  Embedding RunNetwork(const cv::Mat& input);

  // Embeds the chip `chip` of an RGB CV_8UC3 image: centred pad to a
  // square, resize to 150, run. REQUIRES: chip lies inside the image and
  // is not empty.
  Embedding Embed(const cv::Mat& rgb, const cv::Rect& chip);

 private:
  explicit FaceEmbedder(cv::dnn::Net net) : net_(std::move(net)) {}

  cv::dnn::Net net_;
};

}  // namespace eventface::engine
