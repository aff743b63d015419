#pragma once

#include <opencv2/core.hpp>

#include "engine/face.h"

namespace eventface::engine {

// face-api's crop rule: clip a box to the image (origin at least 0, far
// edge at most the image's), then floor x, y, width and height each on its
// own. May return an empty rectangle for a box outside the image.
cv::Rect ClipAndFloor(const cv::Rect2d& box, cv::Size image);

// The square, in image pixels, that dlib's alignment gives a face:
// centred on the eyes and mouth, its side from their spread. Neither
// clipped nor capped, so it may reach past the image.
cv::Rect2d AlignedFaceRegion(const Landmarks& landmarks);

// The chip the recognition net sees for a face, as face-api's "dlib"
// alignment cuts it from the landmarks: centred on the eyes and mouth,
// side from their spread, capped by the size of the landmark crop (a
// library quirk kept so results match), then clipped and floored.
cv::Rect AlignedChip(const Landmarks& landmarks, cv::Size landmark_crop,
                     cv::Size image);

}  // namespace eventface::engine
