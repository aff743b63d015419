#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine/face.h"

namespace eventface::match {

// A face of the index within reach of a query.
struct FaceMatch {
  int64_t face_id = 0;
  double distance = 0;  // Euclidean, to the query
};

// The faces of one event in memory, for nearest-neighbour search: every
// embedding in one contiguous array of floats with the face ids beside, so
// that a search is one pass over memory in a loop the compiler vectorises.
// An event of 100,000 faces takes 51 MB and is searched in milliseconds
// (bench/face_index_bench.cc).
//
// Not thread-safe for writing; any number of threads may search an index
// that no one is adding to.
class FaceIndex {
 public:
  // Floats per embedding.
  static constexpr size_t kDimensions = engine::Embedding{}.size();

  // Makes room for `faces` faces, to avoid regrowing while adding.
  void Reserve(size_t faces);

  // Adds a face; ids are the caller's and need not be unique or ordered.
  void Add(int64_t face_id, const engine::Embedding& embedding);

  // How many faces the index holds.
  size_t size() const { return face_ids_.size(); }

  // Every face closer than `threshold` to `query` (as match::RankPhotos
  // decides), in the order they were added.
  std::vector<FaceMatch> Search(const engine::Embedding& query,
                                double threshold) const;

  // The `k` faces nearest to `query`, nearest first (all of them when
  // there are fewer).
  std::vector<FaceMatch> Nearest(const engine::Embedding& query,
                                 size_t k) const;

 private:
  // Squared distances from `query` to every face, in index order.
  std::vector<float> SquaredDistances(const engine::Embedding& query) const;

  std::vector<float> embeddings_;  // kDimensions floats per face
  std::vector<int64_t> face_ids_;
};

}  // namespace eventface::match
