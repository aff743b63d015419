#include "engine/face.h"

#include <cmath>

namespace eventface::engine {

double EmbeddingDistance(const Embedding& a, const Embedding& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    double d = static_cast<double>(a[i]) - b[i];
    sum += d * d;
  }
  return std::sqrt(sum);
}

}  // namespace eventface::engine
