#pragma once

#include <array>
#include <opencv2/core.hpp>

namespace eventface::engine {

// A face descriptor: the recognition net's 128 values, not normalised
// (length about 1.4). Two faces of one person lie close in Euclidean
// distance.
using Embedding = std::array<float, 128>;

// The 68 points of the iBUG 300-W markup (jaw 0-16, brows 17-26, nose
// 27-35, eyes 36-47, mouth 48-67) in image pixels.
using Landmarks = std::array<cv::Point2d, 68>;

// A face found in an image. Coordinates are pixels of the upright image,
// x to the right and y down; the box may reach past the right or bottom
// edge, as the detector reports it.
struct Face {
  cv::Rect2d box;
  float score = 0;  // detector confidence, 0..1
  Landmarks landmarks;
  Embedding embedding{};
  // How usable the face is for matching, 0..1: low for small, blurred or
  // turned faces. See FaceQuality() in face_analyzer.h.
  float quality = 0;
};

// The Euclidean distance between two embeddings, summed in double as
// face-api does.
double EmbeddingDistance(const Embedding& a, const Embedding& b);

}  // namespace eventface::engine
