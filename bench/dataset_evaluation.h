#pragma once

// Accuracy of the engine on ../shared/datasets/bbt, as the bench prints it
// and a test guards it: verification over the reference crops and
// retrieval of the group photos with each crop as a selfie.

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/face.h"
#include "engine/face_analyzer.h"

namespace eventface::bench {

// One labelled reference crop and the embedding made from it.
struct ReferenceFace {
  std::string person;
  std::filesystem::path path;
  engine::Embedding embedding{};
};

// One group photo: who is labelled present, and the faces found in it with
// the person each is taken to be ("" for a face no label accounts for).
struct GroupPhoto {
  std::filesystem::path path;
  std::set<std::string> present;
  std::vector<engine::Embedding> faces;
  std::vector<std::string> face_person;
};

// How a selfie becomes an embedding.
enum class SelfieMethod {
  kEngine,     // FaceAnalyzer::AnalyzeSelfie: detect (padding if need be),
               // align, embed the chip
  kWholeCrop,  // the crop fed whole to the recognition net, as face-api's
               // examples do for such crops
};

struct Dataset {
  std::vector<ReferenceFace> references;
  std::vector<GroupPhoto> groups;
  int selfies_without_face = 0;  // crops the engine found no face in
};

// Reads labels.json under `shared`/datasets, analyses every reference
// crop (as `method` says) and every group photo, and labels the group
// photos' faces: each present person goes to the nearest unclaimed face,
// by the mean of their reference embeddings. Faces left over are the
// unlabelled background faces. A crop without a face keeps a zero
// embedding and counts in selfies_without_face.
Result<Dataset> LoadDataset(const std::filesystem::path& shared,
                            engine::FaceAnalyzer& analyzer,
                            SelfieMethod method);

// Pairs of reference crops below a threshold.
struct Verification {
  int same_pairs = 0, same_below = 0;
  int different_pairs = 0, different_below = 0;
};
Verification Verify(const std::vector<ReferenceFace>& references,
                    double threshold);

// Each reference crop as a selfie against every group photo: a photo is
// returned when one of its faces lies below the threshold. Returned photos
// in which the person is labelled are true positives, missed ones false
// negatives; a photo returned only through an unlabelled face counts
// neither way.
struct Retrieval {
  int true_positives = 0, false_positives = 0, false_negatives = 0;
  double precision() const;
  double recall() const;
};
Retrieval Retrieve(const Dataset& dataset, double threshold);

}  // namespace eventface::bench
