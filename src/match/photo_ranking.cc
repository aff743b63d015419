#include "match/photo_ranking.h"

#include <algorithm>
#include <tuple>

namespace eventface::match {

std::vector<PhotoMatch> RankPhotos(const engine::Embedding& selfie,
                                   const std::vector<PhotoFaces>& photos,
                                   double threshold) {
  std::vector<PhotoMatch> matches;
  for (const PhotoFaces& photo : photos) {
    PhotoMatch best{photo.photo, -1, threshold};
    for (size_t i = 0; i < photo.embeddings.size(); ++i) {
      double distance = engine::EmbeddingDistance(selfie, photo.embeddings[i]);
      if (distance < best.distance) {
        best.face = static_cast<int>(i);
        best.distance = distance;
      }
    }
    if (best.face >= 0) matches.push_back(best);
  }
  std::sort(matches.begin(), matches.end(),
            [](const PhotoMatch& a, const PhotoMatch& b) {
              return std::tie(a.distance, a.photo) <
                     std::tie(b.distance, b.photo);
            });
  return matches;
}

}  // namespace eventface::match
