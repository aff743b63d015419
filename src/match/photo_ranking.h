#pragma once

#include <string>
#include <vector>

#include "engine/face.h"

namespace eventface::match {

// The distance below which two embeddings are taken to be one person.
// Chosen from ../shared/datasets (see docs/matching.md and
// bench/accuracy.cc, which prints the figures behind it).
inline constexpr double kDefaultThreshold = 0.62;

// The faces of one photo, as the engine found them.
struct PhotoFaces {
  std::string photo;  // the caller's name for it: a path, an id
  std::vector<engine::Embedding> embeddings;
};

// A photo in which the selfie's person appears.
struct PhotoMatch {
  std::string photo;
  int face = 0;         // index of the nearest face in the photo
  double distance = 0;  // to that face
};

// The photos holding a face closer than `threshold` to `selfie`, nearest
// first (ties by name, so the order is stable).
std::vector<PhotoMatch> RankPhotos(const engine::Embedding& selfie,
                                   const std::vector<PhotoFaces>& photos,
                                   double threshold);

}  // namespace eventface::match
