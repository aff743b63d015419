#include "engine/face_analyzer.h"

#include <algorithm>
#include <chrono>
#include <opencv2/core.hpp>

#include "engine/face_aligner.h"

namespace eventface::engine {
namespace {

using Clock = std::chrono::steady_clock;

double MillisecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

// Moves a face found in a scaled or padded copy back to the original:
// subtract `offset`, then divide by `scale`.
void MapFaceBack(Face& face, cv::Point2d offset, double scale) {
  face.box.x = (face.box.x - offset.x) / scale;
  face.box.y = (face.box.y - offset.y) / scale;
  face.box.width /= scale;
  face.box.height /= scale;
  for (cv::Point2d& point : face.landmarks) point = (point - offset) / scale;
}

double Area(const cv::Rect2d& box) { return box.width * box.height; }

// Whether the image is little more than the face: its aligned region
// covers most of it. Such a crop was most likely cut around the face
// already, and a chip cut from it again would be mostly padding.
bool IsCloseCrop(const Face& face, cv::Size image) {
  constexpr double kMinCoverage = 0.7;
  cv::Rect2d region = AlignedFaceRegion(face.landmarks);
  cv::Rect2d inside = region & cv::Rect2d(0, 0, image.width, image.height);
  return Area(inside) >= kMinCoverage * image.area();
}

}  // namespace

float FaceQuality(const cv::Rect2d& box, float score) {
  double side = std::min(box.width, box.height);
  double size_factor = std::clamp(side / FaceEmbedder::kInputSide, 0.0, 1.0);
  return static_cast<float>(score * size_factor);
}

Result<FaceAnalyzer> FaceAnalyzer::Load(const std::filesystem::path& model_dir,
                                        const AnalyzerOptions& options) {
  auto detector = FaceDetector::Load(model_dir);
  if (!detector) return std::move(detector).error();
  auto landmarks = LandmarkDetector::Load(model_dir);
  if (!landmarks) return std::move(landmarks).error();
  auto embedder = FaceEmbedder::Load(model_dir);
  if (!embedder) return std::move(embedder).error();
  return FaceAnalyzer(std::move(*detector), std::move(*landmarks),
                      std::move(*embedder), options);
}

Result<Analysis> FaceAnalyzer::AnalyzePhoto(std::string_view bytes) {
  Analysis analysis;
  Clock::time_point start = Clock::now();
  auto image = DecodeImage(bytes, options_.decode);
  if (!image) return std::move(image).error();
  analysis.times.decode_ms = MillisecondsSince(start);

  analysis.image_size = image->full_size;
  analysis.faces = FindFaces(image->rgb, &analysis.times);
  if (image->scale != 1.0) {
    for (Face& face : analysis.faces) MapFaceBack(face, {0, 0}, image->scale);
  }
  return analysis;
}

std::vector<Face> FaceAnalyzer::FindFaces(const cv::Mat& rgb,
                                          StageTimes* times) {
  StageTimes ignored;
  StageTimes& stage_times = times ? *times : ignored;
  Clock::time_point start = Clock::now();
  std::vector<Detection> detections = detector_.Detect(rgb, options_.detect);
  stage_times.detect_ms += MillisecondsSince(start);

  std::vector<Face> faces;
  faces.reserve(detections.size());
  for (const Detection& detection : detections) {
    // A box that lies wholly past the image's edge has nothing to crop.
    if (ClipAndFloor(detection.box, rgb.size()).empty()) continue;
    faces.push_back(DescribeFace(rgb, detection, stage_times));
  }
  return faces;
}

Face FaceAnalyzer::DescribeFace(const cv::Mat& rgb, const Detection& detection,
                                StageTimes& times) {
  Face face;
  face.box = detection.box;
  face.score = detection.score;
  face.quality = FaceQuality(detection.box, detection.score);

  Clock::time_point start = Clock::now();
  face.landmarks = landmarks_.Detect(rgb, detection.box);
  times.landmarks_ms += MillisecondsSince(start);

  start = Clock::now();
  cv::Size landmark_crop = ClipAndFloor(detection.box, rgb.size()).size();
  cv::Rect chip = AlignedChip(face.landmarks, landmark_crop, rgb.size());
  if (!chip.empty()) face.embedding = embedder_.Embed(rgb, chip);
  times.embed_ms += MillisecondsSince(start);
  return face;
}

int64_t FaceAnalyzer::FlopsPerPhoto(int faces) const {
  return detector_.FlopsPerForward() +
         faces * (landmarks_.FlopsPerForward() + embedder_.FlopsPerForward());
}

Embedding FaceAnalyzer::EmbedWholeImage(const cv::Mat& rgb) {
  return embedder_.Embed(rgb, cv::Rect(0, 0, rgb.cols, rgb.rows));
}

Result<SelfieAnalysis> FaceAnalyzer::AnalyzeSelfie(std::string_view bytes) {
  SelfieAnalysis selfie;
  Clock::time_point start = Clock::now();
  auto image = DecodeImage(bytes, options_.decode);
  if (!image) return std::move(image).error();
  selfie.times.decode_ms = MillisecondsSince(start);
  selfie.image_size = image->full_size;
  const cv::Mat& rgb = image->rgb;

  std::vector<Face> faces = FindFaces(rgb, &selfie.times);
  cv::Point2d offset(0, 0);
  if (faces.empty()) {
    // The detector was trained on faces with context around them and
    // misses close crops. A black border as wide as the image on every
    // side gives that context back: it finds a face in all 40 bbt crops,
    // where narrower, replicated or mirrored borders miss some.
    int border = std::max(rgb.cols, rgb.rows);
    cv::Mat padded;
    cv::copyMakeBorder(rgb, padded, border, border, border, border,
                       cv::BORDER_CONSTANT, cv::Scalar::all(0));
    faces = FindFaces(padded, &selfie.times);
    offset = cv::Point2d(border, border);
    selfie.found_after_padding = !faces.empty();
  }
  if (faces.empty()) {
    return Error{ErrorCode::kNoFace, "no face found in the selfie"};
  }

  auto largest = std::max_element(
      faces.begin(), faces.end(),
      [](const Face& a, const Face& b) { return Area(a.box) < Area(b.box); });
  selfie.face = *largest;
  selfie.other_faces = static_cast<int>(faces.size()) - 1;
  MapFaceBack(selfie.face, offset, 1.0);

  if (IsCloseCrop(selfie.face, rgb.size())) {
    start = Clock::now();
    selfie.face.embedding = EmbedWholeImage(rgb);
    selfie.times.embed_ms += MillisecondsSince(start);
    selfie.embedded_whole = true;
  }
  MapFaceBack(selfie.face, {0, 0}, image->scale);
  return selfie;
}

}  // namespace eventface::engine
