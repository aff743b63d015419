#include "match/face_index.h"

#include <algorithm>
#include <cmath>

namespace eventface::match {

namespace {

// Floats summed side by side. Addition of floats is not associative, so
// the compiler may not split one running sum across vector lanes itself;
// written out as independent partial sums, the inner loop maps onto SIMD
// registers (16 floats: four SSE or two AVX registers).
constexpr size_t kLanes = 16;
static_assert(FaceIndex::kDimensions % kLanes == 0);

float SquaredDistance(const float* a, const float* b) {
  float partial[kLanes] = {};
  // Unrolled whole, the partial sums stay in registers instead of going
  // through memory on each step.
#pragma GCC unroll 8
  for (size_t i = 0; i < FaceIndex::kDimensions; i += kLanes) {
    for (size_t lane = 0; lane < kLanes; ++lane) {
      float difference = a[i + lane] - b[i + lane];
      partial[lane] += difference * difference;
    }
  }
  float sum = 0;
  for (float value : partial) sum += value;
  return sum;
}

}  // namespace

void FaceIndex::Reserve(size_t faces) {
  embeddings_.reserve(faces * kDimensions);
  face_ids_.reserve(faces);
}

void FaceIndex::Add(int64_t face_id, const engine::Embedding& embedding) {
  embeddings_.insert(embeddings_.end(), embedding.begin(), embedding.end());
  face_ids_.push_back(face_id);
}

std::vector<float> FaceIndex::SquaredDistances(
    const engine::Embedding& query) const {
  std::vector<float> distances(size());
  const float* face = embeddings_.data();
  for (size_t i = 0; i < distances.size(); ++i, face += kDimensions) {
    distances[i] = SquaredDistance(query.data(), face);
  }
  return distances;
}

std::vector<FaceMatch> FaceIndex::Search(const engine::Embedding& query,
                                         double threshold) const {
  // Comparing squares spares a square root per face.
  const float limit = static_cast<float>(threshold * threshold);
  std::vector<FaceMatch> matches;
  const float* face = embeddings_.data();
  for (size_t i = 0; i < face_ids_.size(); ++i, face += kDimensions) {
    float squared = SquaredDistance(query.data(), face);
    if (squared < limit) {
      matches.push_back(FaceMatch{face_ids_[i], std::sqrt(double(squared))});
    }
  }
  return matches;
}

std::vector<FaceMatch> FaceIndex::Nearest(const engine::Embedding& query,
                                          size_t k) const {
  std::vector<float> squared = SquaredDistances(query);
  std::vector<size_t> order(squared.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  k = std::min(k, order.size());
  auto closer = [&](size_t a, size_t b) {
    return squared[a] < squared[b] || (squared[a] == squared[b] && a < b);
  };
  std::partial_sort(order.begin(), order.begin() + k, order.end(), closer);

  std::vector<FaceMatch> nearest;
  nearest.reserve(k);
  for (size_t i = 0; i < k; ++i) {
    nearest.push_back(
        FaceMatch{face_ids_[order[i]], std::sqrt(double(squared[order[i]]))});
  }
  return nearest;
}

}  // namespace eventface::match
