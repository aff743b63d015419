#include "dataset_evaluation.h"

#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

namespace eventface::bench {
namespace {

namespace fs = std::filesystem;

Result<std::string> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kNotFound, path.string() + ": missing"};
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

Result<engine::Embedding> EmbedSelfie(const fs::path& path,
                                      engine::FaceAnalyzer& analyzer,
                                      SelfieMethod method) {
  auto bytes = ReadBytes(path);
  if (!bytes) return std::move(bytes).error();
  if (method == SelfieMethod::kWholeCrop) {
    auto image = engine::DecodeImage(*bytes);
    if (!image) return std::move(image).error();
    return analyzer.EmbedWholeImage(image->rgb);
  }
  auto selfie = analyzer.AnalyzeSelfie(*bytes);
  if (!selfie) return std::move(selfie).error();
  return selfie->face.embedding;
}

engine::Embedding MeanEmbedding(const std::vector<ReferenceFace>& references,
                                const std::string& person) {
  engine::Embedding mean{};
  int count = 0;
  for (const ReferenceFace& reference : references) {
    if (reference.person != person) continue;
    for (size_t i = 0; i < mean.size(); ++i) mean[i] += reference.embedding[i];
    ++count;
  }
  for (float& value : mean) value /= std::max(count, 1);
  return mean;
}

// Gives each present person the nearest face no one has claimed yet,
// closest pairs first.
void LabelFaces(GroupPhoto& group,
                const std::vector<ReferenceFace>& references) {
  group.face_person.assign(group.faces.size(), "");
  std::vector<std::tuple<double, size_t, std::string>> pairs;
  for (const std::string& person : group.present) {
    engine::Embedding mean = MeanEmbedding(references, person);
    for (size_t i = 0; i < group.faces.size(); ++i) {
      pairs.emplace_back(engine::EmbeddingDistance(mean, group.faces[i]), i,
                         person);
    }
  }
  std::sort(pairs.begin(), pairs.end());
  std::set<std::string> placed;
  for (const auto& [distance, face, person] : pairs) {
    if (placed.count(person) || !group.face_person[face].empty()) continue;
    group.face_person[face] = person;
    placed.insert(person);
  }
}

}  // namespace

Result<Dataset> LoadDataset(const fs::path& shared,
                            engine::FaceAnalyzer& analyzer,
                            SelfieMethod method) {
  fs::path datasets = shared / "datasets";
  auto text = ReadBytes(datasets / "labels.json");
  if (!text) return std::move(text).error();
  nlohmann::json labels = nlohmann::json::parse(*text);
  const nlohmann::json& bbt = labels.at("bbt");

  Dataset dataset;
  for (const std::string person : bbt.at("people")) {
    for (int n = 1; n <= 5; ++n) {
      ReferenceFace reference{
          person,
          datasets / "bbt" / person / (person + std::to_string(n) + ".png")};
      auto embedding = EmbedSelfie(reference.path, analyzer, method);
      if (embedding) {
        reference.embedding = *embedding;
      } else if (embedding.error().code == ErrorCode::kNoFace) {
        ++dataset.selfies_without_face;
      } else {
        return std::move(embedding).error();
      }
      dataset.references.push_back(std::move(reference));
    }
  }

  for (const auto& [name, group] : bbt.at("groups").items()) {
    GroupPhoto photo{datasets / name, group.at("present"), {}, {}};
    auto bytes = ReadBytes(photo.path);
    if (!bytes) return std::move(bytes).error();
    auto analysis = analyzer.AnalyzePhoto(*bytes);
    if (!analysis) return std::move(analysis).error();
    for (const engine::Face& face : analysis->faces) {
      photo.faces.push_back(face.embedding);
    }
    LabelFaces(photo, dataset.references);
    dataset.groups.push_back(std::move(photo));
  }
  return dataset;
}

Verification Verify(const std::vector<ReferenceFace>& references,
                    double threshold) {
  Verification counts;
  for (size_t i = 0; i < references.size(); ++i) {
    for (size_t j = i + 1; j < references.size(); ++j) {
      bool below =
          engine::EmbeddingDistance(references[i].embedding,
                                    references[j].embedding) < threshold;
      if (references[i].person == references[j].person) {
        ++counts.same_pairs;
        counts.same_below += below;
      } else {
        ++counts.different_pairs;
        counts.different_below += below;
      }
    }
  }
  return counts;
}

Retrieval Retrieve(const Dataset& dataset, double threshold) {
  Retrieval counts;
  for (const ReferenceFace& selfie : dataset.references) {
    for (const GroupPhoto& group : dataset.groups) {
      bool present = group.present.count(selfie.person) > 0;
      bool returned = false, through_labelled_face = false;
      for (size_t i = 0; i < group.faces.size(); ++i) {
        if (engine::EmbeddingDistance(selfie.embedding, group.faces[i]) <
            threshold) {
          returned = true;
          through_labelled_face |= !group.face_person[i].empty();
        }
      }
      if (present) {
        (returned ? counts.true_positives : counts.false_negatives)++;
      } else if (through_labelled_face) {
        ++counts.false_positives;
      }
    }
  }
  return counts;
}

double Retrieval::precision() const {
  int returned = true_positives + false_positives;
  return returned ? static_cast<double>(true_positives) / returned : 1.0;
}

double Retrieval::recall() const {
  int relevant = true_positives + false_negatives;
  return relevant ? static_cast<double>(true_positives) / relevant : 1.0;
}

}  // namespace eventface::bench
