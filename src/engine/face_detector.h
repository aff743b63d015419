#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <vector>

#include "core/result.h"

namespace eventface::engine {

// A face the detector found: box in pixels of the image it was given,
// unfloored, possibly reaching past the right or bottom edge.
struct Detection {
  cv::Rect2d box;
  float score = 0;
};

// The raw heads of the SSD for one 512x512 input, anchors in the order the
// weights store them.
struct SsdOutputs {
  std::vector<float> box_encodings;  // 5118 x (ty, tx, th, tw)
  std::vector<float> class_logits;   // 5118 x 3; score = sigmoid(logit 1)
};

// Per anchor, after box decoding and sigmoid, before selection.
struct SsdCandidates {
  std::vector<float> boxes;   // 5118 x (ymin, xmin, ymax, xmax), 0..1
  std::vector<float> scores;  // 5118
};

struct DetectOptions {
  float min_score = 0.5f;  // candidates must score strictly above it
  int max_results = 100;
};

// The anchors Detect keeps, best first: those scoring strictly above
// options.min_score, by descending score (ties in anchor order), dropping
// any whose IoU with a kept box (decoded, unclipped) exceeds 0.5, at most
// options.max_results. Face-api's selection, exposed so it can be checked
// against the library's on the same candidates.
std::vector<int> SelectAnchors(const SsdCandidates& candidates,
                               const DetectOptions& options);

// face-api's SSD MobileNet v1 face detector on OpenCV DNN. Not thread-safe:
// give each thread its own (Load is cheap next to a forward pass).
class FaceDetector {
 public:
  static constexpr int kInputSide = 512;
  static constexpr int kAnchorCount = 5118;

  // Move-only: copies of a cv::dnn::Net would share one network, which
  // two threads must not run at once.
  FaceDetector(FaceDetector&&) = default;
  FaceDetector& operator=(FaceDetector&&) = default;

  // Builds the network from `model_dir`'s ssd_mobilenetv1_model files.
  // Fails, naming the file, when one is missing or corrupt.
  static Result<FaceDetector> Load(const std::filesystem::path& model_dir);

  // Floating-point operations in one forward pass, for benchmarks.
  int64_t FlopsPerForward() const;

  // Runs the network on a 512x512 CV_32FC3 RGB input with values 0..255
  // (before the network's own x / 127.5 - 1).
  SsdOutputs RunNetwork(const cv::Mat& input);

  // Decodes the raw heads against the anchors.
  SsdCandidates Decode(const SsdOutputs& outputs) const;

  // Faces in an RGB CV_8UC3 image, best first: pad to a square (zeros
  // after), resize to 512, run, decode, greedy NMS at IoU 0.5, and map the
  // boxes back to image pixels exactly as face-api does.
  std::vector<Detection> Detect(const cv::Mat& rgb,
                                const DetectOptions& options = {});

 private:
  FaceDetector(cv::dnn::Net net, std::vector<float> anchors)
      : net_(std::move(net)), anchors_(std::move(anchors)) {}

  cv::dnn::Net net_;
  std::vector<float> anchors_;  // 5118 x (ymin, xmin, ymax, xmax)
};

}  // namespace eventface::engine
