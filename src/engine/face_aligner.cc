#include "engine/face_aligner.h"

#include <algorithm>
#include <cmath>

namespace eventface::engine {
namespace {

cv::Point2d MeanOf(const Landmarks& points, int first, int last) {
  cv::Point2d sum(0, 0);
  for (int i = first; i <= last; ++i) sum += points[i];
  return sum / static_cast<double>(last - first + 1);
}

}  // namespace

cv::Rect ClipAndFloor(const cv::Rect2d& box, cv::Size image) {
  double x = std::max(box.x, 0.0);
  double y = std::max(box.y, 0.0);
  double width = std::min(box.x + box.width - x, image.width - x);
  double height = std::min(box.y + box.height - y, image.height - y);
  cv::Rect crop(static_cast<int>(std::floor(x)),
                static_cast<int>(std::floor(y)),
                static_cast<int>(std::floor(width)),
                static_cast<int>(std::floor(height)));
  // A box wholly outside the image gets a negative side; the intersection
  // turns it into an empty crop.
  return crop & cv::Rect(0, 0, image.width, image.height);
}

cv::Rect2d AlignedFaceRegion(const Landmarks& landmarks) {
  cv::Point2d left_eye = MeanOf(landmarks, 36, 41);
  cv::Point2d right_eye = MeanOf(landmarks, 42, 47);
  cv::Point2d mouth = MeanOf(landmarks, 48, 67);

  // The face's side from the eyes-to-mouth spread; 0.45 is dlib's ratio.
  double spread =
      (cv::norm(mouth - left_eye) + cv::norm(mouth - right_eye)) / 2;
  double side = std::floor(spread / 0.45);
  cv::Point2d centre = (left_eye + right_eye + mouth) / 3.0;
  return cv::Rect2d(centre.x - 0.5 * side, centre.y - 0.43 * side, side, side);
}

cv::Rect AlignedChip(const Landmarks& landmarks, cv::Size landmark_crop,
                     cv::Size image) {
  cv::Rect2d region = AlignedFaceRegion(landmarks);
  double x = std::floor(std::max(0.0, region.x));
  double y = std::floor(std::max(0.0, region.y));

  // face-api caps the chip by the landmark crop's size plus the chip's own
  // origin, which makes a face that fills its frame non-square. Kept: the
  // reference embeddings were made this way.
  double width = std::min(region.width, landmark_crop.width + x);
  double height = std::min(region.height, landmark_crop.height + y);
  return ClipAndFloor(cv::Rect2d(x, y, width, height), image);
}

}  // namespace eventface::engine
