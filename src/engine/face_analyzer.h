#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "engine/face.h"
#include "engine/face_detector.h"
#include "engine/face_embedder.h"
#include "engine/image_decoder.h"
#include "engine/landmark_detector.h"

namespace eventface::engine {

// Milliseconds spent in each stage of one analysis.
struct StageTimes {
  double decode_ms = 0;
  double detect_ms = 0;
  double landmarks_ms = 0;
  double embed_ms = 0;
};

// Every face found in one image.
struct Analysis {
  cv::Size image_size;      // upright, full size
  std::vector<Face> faces;  // best detection score first
  StageTimes times;
};

// The one face of a selfie.
struct SelfieAnalysis {
  cv::Size image_size;
  Face face;
  // Faces seen besides the one chosen (the largest); a caller may warn.
  int other_faces = 0;
  // True when the face was only found after padding the image, as for a
  // tightly cropped selfie.
  bool found_after_padding = false;
  // True when the image was already a close crop of the face and was
  // embedded whole rather than through an aligned chip cut from it.
  bool embedded_whole = false;
  StageTimes times;
};

struct AnalyzerOptions {
  DecodeOptions decode;
  DetectOptions detect;
};

// How usable a face is for matching, 0..1: the detection score, scaled down
// for faces smaller than the recognition net's 150 px input, whose chips
// are enlarged and lose detail.
float FaceQuality(const cv::Rect2d& box, float score);

// The engine's one entry point: image bytes in, faces out. Holds its own
// copy of each network, so it is not thread-safe: give each thread its own
// analyzer. Load it once; it is reused for every image.
class FaceAnalyzer {
 public:
  // Loads the three networks from `model_dir`. Fails, naming the file,
  // when a model file is missing or corrupt.
  static Result<FaceAnalyzer> Load(const std::filesystem::path& model_dir,
                                   const AnalyzerOptions& options = {});

  // Decodes `bytes` and finds every face. An image without faces is a
  // success with no faces; decoding errors pass through (kTooLarge,
  // kUnsupportedFormat, kCorruptData).
  Result<Analysis> AnalyzePhoto(std::string_view bytes);

  // The faces of already decoded RGB pixels (CV_8UC3), in its pixels.
  std::vector<Face> FindFaces(const cv::Mat& rgb, StageTimes* times = nullptr);

  // Floating-point operations the networks spend on a photo in which
  // `faces` faces are found, for benchmarks.
  int64_t FlopsPerPhoto(int faces) const;

  // The embedding of the whole image taken as one face chip, as face-api's
  // examples do for crops already tight around a face.
  Embedding EmbedWholeImage(const cv::Mat& rgb);

  // The face of a selfie: the largest face found, looking again in a padded
  // copy when a tight crop hides the face from the detector. When the
  // image is itself little more than the face (a close crop), its
  // embedding is that of the whole image, which measures better on such
  // crops than a chip cut out of them. Fails with kNoFace when no face is
  // found either way.
  Result<SelfieAnalysis> AnalyzeSelfie(std::string_view bytes);

 private:
  FaceAnalyzer(FaceDetector detector, LandmarkDetector landmarks,
               FaceEmbedder embedder, const AnalyzerOptions& options)
      : detector_(std::move(detector)),
        landmarks_(std::move(landmarks)),
        embedder_(std::move(embedder)),
        options_(options) {}

  Face DescribeFace(const cv::Mat& rgb, const Detection& detection,
                    StageTimes& times);

  FaceDetector detector_;
  LandmarkDetector landmarks_;
  FaceEmbedder embedder_;
  AnalyzerOptions options_;
};

}  // namespace eventface::engine
