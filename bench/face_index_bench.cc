// Times FaceIndex::Search and FaceIndex::Nearest over events of 5,000 and
// 100,000 faces of random embeddings (of the length real ones have), the
// query being one more random embedding: a selfie matched against an event.
//
//   face_index_bench [--benchmark_filter=...]

#include <benchmark/benchmark.h>

#include <random>

#include "match/face_index.h"
#include "match/photo_ranking.h"

namespace {

using eventface::engine::Embedding;
using eventface::match::FaceIndex;

// Values of about the spread real embeddings have (length about 1.4).
Embedding RandomEmbedding(std::mt19937& random) {
  std::normal_distribution<float> value(0.0f, 0.12f);
  Embedding embedding;
  for (float& x : embedding) x = value(random);
  return embedding;
}

FaceIndex MakeIndex(int faces, std::mt19937& random) {
  FaceIndex index;
  index.Reserve(faces);
  for (int i = 0; i < faces; ++i) index.Add(i, RandomEmbedding(random));
  return index;
}

void BM_Search(benchmark::State& state) {
  std::mt19937 random(1);
  FaceIndex index = MakeIndex(static_cast<int>(state.range(0)), random);
  Embedding query = RandomEmbedding(random);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        index.Search(query, eventface::match::kDefaultThreshold));
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_Nearest(benchmark::State& state) {
  std::mt19937 random(2);
  FaceIndex index = MakeIndex(static_cast<int>(state.range(0)), random);
  Embedding query = RandomEmbedding(random);
  for (auto _ : state) benchmark::DoNotOptimize(index.Nearest(query, 10));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

}  // namespace

BENCHMARK(BM_Search)->Arg(5000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Nearest)->Arg(5000)->Arg(100000)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
