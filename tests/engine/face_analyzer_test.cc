// End to end through the whole engine: image bytes in, faces out, checked
// against what face-api 1.7.15 itself found on the same images
// (reference/fixtures/pipeline.json and distances.json).
#include "engine/face_analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>
#include <vips/vips8>

#include "engine/face_aligner.h"
#include "engine/image_decoder.h"
#include "testing/images.h"
#include "testing/reference_fixtures.h"
#include "testing/shared_data.h"

namespace eventface::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// face-api's usual decision: two faces are one person below this distance.
constexpr double kSamePersonThreshold = 0.6;

fs::path FixtureDir(const fs::path& shared) {
  return shared / "reference" / "fixtures";
}

// How far apart two boxes are: the largest shift of any edge.
double BoxDifference(const cv::Rect2d& a, const cv::Rect2d& b) {
  return std::max({std::abs(a.x - b.x), std::abs(a.y - b.y),
                   std::abs(a.br().x - b.br().x),
                   std::abs(a.br().y - b.br().y)});
}

// The largest distance between a landmark and the reference's [x, y].
double LandmarkDifference(const Landmarks& landmarks, const json& expected) {
  EXPECT_EQ(expected.size(), landmarks.size());
  double worst = 0;
  for (size_t i = 0; i < landmarks.size() && i < expected.size(); ++i) {
    cv::Point2d want(expected[i][0].get<double>(),
                     expected[i][1].get<double>());
    worst = std::max(worst, cv::norm(landmarks[i] - want));
  }
  return worst;
}

// Pairs each reference face, in order, with the face of ours whose box is
// nearest among those not yet paired. Decoders differ on JPEGs, so scores
// and with them the order of faces may differ a little; boxes do not.
std::vector<const Face*> PairByNearestBox(const json& expected,
                                          const std::vector<Face>& faces) {
  std::vector<const Face*> pairs;
  std::vector<bool> taken(faces.size(), false);
  for (const json& want : expected) {
    const cv::Rect2d box = testing::RectFromJson<cv::Rect2d>(want["box"]);
    int nearest = -1;
    for (size_t i = 0; i < faces.size(); ++i) {
      if (taken[i]) continue;
      if (nearest < 0 || BoxDifference(faces[i].box, box) <
                             BoxDifference(faces[nearest].box, box)) {
        nearest = static_cast<int>(i);
      }
    }
    pairs.push_back(nearest < 0 ? nullptr : &faces[nearest]);
    if (nearest >= 0) taken[nearest] = true;
  }
  return pairs;
}

// A bbt reference crop, fed whole to the recognition net by the library.
struct ReferenceCrop {
  std::string person;
  Embedding embedding;
};

std::vector<ReferenceCrop> ReferenceCrops(const json& pipeline) {
  std::vector<ReferenceCrop> crops;
  for (const json& entry : pipeline["images"]) {
    if (!entry.contains("whole_crop_descriptor")) continue;
    crops.push_back(
        {entry["person"].get<std::string>(),
         testing::EmbeddingFromJson(entry["whole_crop_descriptor"])});
  }
  return crops;
}

struct NearestCrop {
  std::string person;
  double distance = std::numeric_limits<double>::infinity();
};

NearestCrop FindNearestCrop(const Embedding& embedding,
                            const std::vector<ReferenceCrop>& crops) {
  NearestCrop nearest;
  for (const ReferenceCrop& crop : crops) {
    double distance = EmbeddingDistance(embedding, crop.embedding);
    if (distance < nearest.distance) nearest = {crop.person, distance};
  }
  return nearest;
}

// Re-encodes a JPEG as a camera held sideways would write it: pixels
// stored turned, and an EXIF `orientation` (3, 6 or 8) saying how to turn
// them back upright. Quality 95, as phones write.
std::string TurnedJpeg(const std::string& upright_jpeg, int orientation) {
  vips::VImage upright = vips::VImage::new_from_buffer(upright_jpeg, "");
  // Orientation 6 tells a viewer to turn the stored pixels a quarter
  // clockwise, so they are stored a quarter anticlockwise; 8 the other way.
  const VipsAngle stored_turn = orientation == 6   ? VIPS_ANGLE_D270
                                : orientation == 8 ? VIPS_ANGLE_D90
                                                   : VIPS_ANGLE_D180;
  vips::VImage stored = upright.rot(stored_turn);
  stored.set(VIPS_META_ORIENTATION, orientation);
  VipsBlob* blob = stored.jpegsave_buffer(vips::VImage::option()->set("Q", 95));
  size_t size = 0;
  const void* data = vips_blob_get(blob, &size);
  std::string bytes(static_cast<const char*>(data), size);
  vips_area_unref(VIPS_AREA(blob));
  return bytes;
}

// The pixels of a JPEG as stored, orientation ignored, turned upright here
// with OpenCV rather than by the engine's decoder.
cv::Mat StoredPixelsTurnedUpright(const std::string& jpeg, int orientation) {
  vips::VImage stored = vips::VImage::new_from_buffer(jpeg, "");
  EXPECT_EQ(stored.bands(), 3);
  cv::Mat rgb = testing::ToRgbMat(stored);

  const int turn = orientation == 6   ? cv::ROTATE_90_CLOCKWISE
                   : orientation == 8 ? cv::ROTATE_90_COUNTERCLOCKWISE
                                      : cv::ROTATE_180;
  cv::Mat upright;
  cv::rotate(rgb, upright, turn);
  return upright;
}

// The largest differences between faces of one image found twice, paired
// by nearest box.
struct FaceDifferences {
  double box = 0;
  double landmark = 0;
  double descriptor = 0;
};

FaceDifferences CompareFaces(const std::vector<Face>& expected,
                             const std::vector<Face>& actual) {
  FaceDifferences worst;
  for (const Face& face : expected) {
    const Face* nearest = nullptr;
    for (const Face& candidate : actual) {
      if (!nearest || BoxDifference(candidate.box, face.box) <
                          BoxDifference(nearest->box, face.box)) {
        nearest = &candidate;
      }
    }
    if (nearest == nullptr) return worst;
    for (size_t i = 0; i < face.landmarks.size(); ++i) {
      worst.landmark = std::max(
          worst.landmark, cv::norm(face.landmarks[i] - nearest->landmarks[i]));
    }
    worst.box = std::max(worst.box, BoxDifference(nearest->box, face.box));
    worst.descriptor =
        std::max(worst.descriptor,
                 EmbeddingDistance(nearest->embedding, face.embedding));
  }
  return worst;
}

class FaceAnalyzerTest : public ::testing::Test {
 protected:
  // Loads the networks once for the whole suite, and remembers the
  // analyses of fixture images, which several tests look at.
  static void SetUpTestSuite() {
    // The tests build images of their own with vips, before the decoder
    // would start it.
    if (!testing::StartVips()) {
      load_error_ = "vips failed to start";
      return;
    }
    auto loaded = FaceAnalyzer::Load(testing::ModelDir());
    if (loaded) {
      analyzer_.emplace(std::move(loaded).value());
    } else {
      load_error_ = loaded.error().message;
    }
  }
  static void TearDownTestSuite() {
    analyzer_.reset();
    analyses_.clear();
  }

  void SetUp() override {
    ASSERT_TRUE(analyzer_.has_value()) << "loading failed: " << load_error_;
  }

  // AnalyzePhoto on a fixture image, computed once per run. Fails the test
  // and returns nullptr when the image cannot be analysed.
  static const Analysis* AnalyzeFixture(const fs::path& shared,
                                        const std::string& name) {
    auto cached = analyses_.find(name);
    if (cached != analyses_.end()) return &cached->second;
    auto analysis = analyzer_->AnalyzePhoto(
        testing::ReadBytes(testing::FixtureImagePath(shared, name)));
    if (!analysis) {
      ADD_FAILURE() << name << ": " << analysis.error().message;
      return nullptr;
    }
    return &analyses_.emplace(name, std::move(analysis).value()).first->second;
  }

  static std::optional<FaceAnalyzer> analyzer_;
  static std::string load_error_;
  static std::map<std::string, Analysis> analyses_;
};

std::optional<FaceAnalyzer> FaceAnalyzerTest::analyzer_;
std::string FaceAnalyzerTest::load_error_;
std::map<std::string, Analysis> FaceAnalyzerTest::analyses_;

// ---------------------------------------------------------------------------
// Photos against the library.

// PNGs decode to exactly the reference's pixels, so every number must
// agree to float precision, crops included.
TEST_F(FaceAnalyzerTest, MatchesTheLibraryOnEveryPng) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const json pipeline = testing::ReadPipelineFixture(shared);

  int images = 0, faceless = 0, faces = 0;
  double worst_box = 0, worst_landmark = 0, worst_descriptor = 0;
  for (const json& entry : pipeline["images"]) {
    const std::string name = entry["image"];
    if (!name.ends_with(".png")) continue;
    SCOPED_TRACE(name);
    ++images;

    // Without the same pixels, nothing below could match to 1e-3.
    auto decoded = DecodeImage(
        testing::ReadBytes(testing::FixtureImagePath(shared, name)));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    ASSERT_EQ(testing::RgbSha256(decoded->rgb),
              entry["decoded_rgb_sha256"].get<std::string>());
    const cv::Size size = decoded->rgb.size();

    const Analysis* analysis = AnalyzeFixture(shared, name);
    ASSERT_NE(analysis, nullptr);
    const json& expected = entry["faces"];
    ASSERT_EQ(analysis->faces.size(), expected.size());
    if (expected.empty()) ++faceless;

    // Same pixels, same order: by descending score.
    for (size_t i = 0; i < expected.size(); ++i) {
      const Face& face = analysis->faces[i];
      const json& want = expected[i];
      ++faces;

      // The integer crops first: one pixel off moves a descriptor by ~0.1.
      const cv::Rect landmark_crop = ClipAndFloor(face.box, size);
      EXPECT_EQ(landmark_crop,
                testing::RectFromJson<cv::Rect>(want["landmark_crop"]));
      EXPECT_EQ(AlignedChip(face.landmarks, landmark_crop.size(), size),
                testing::RectFromJson<cv::Rect>(want["recognition_crop"]));

      const double box = BoxDifference(
          face.box, testing::RectFromJson<cv::Rect2d>(want["box"]));
      const double landmark =
          LandmarkDifference(face.landmarks, want["landmarks"]);
      const double descriptor = EmbeddingDistance(
          face.embedding, testing::EmbeddingFromJson(want["descriptor"]));
      EXPECT_LT(box, 1.0);
      EXPECT_LT(landmark, 0.05);
      EXPECT_LT(descriptor, 1e-3);
      EXPECT_NEAR(face.score, want["score"].get<double>(), 1e-4);
      worst_box = std::max(worst_box, box);
      worst_landmark = std::max(worst_landmark, landmark);
      worst_descriptor = std::max(worst_descriptor, descriptor);
    }
  }
  EXPECT_EQ(images, 41);    // the 40 bbt crops and portraits/32bit.png
  EXPECT_EQ(faceless, 34);  // crops too tight for the detector
  std::printf(
      "png: %d images, %d faces; box %.3g px, landmarks %.3g px, "
      "descriptor %.3g at most\n",
      images, faces, worst_box, worst_landmark, worst_descriptor);
}

// libvips and the reference's jpeg-js decode JPEGs a little differently
// (the reference README's decoder study), so faces are compared as
// outcomes: the same faces, boxes within a few pixels.
TEST_F(FaceAnalyzerTest, FindsTheLibrarysFacesInEveryJpeg) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const json pipeline = testing::ReadPipelineFixture(shared);

  int images = 0;
  double worst_box = 0, worst_descriptor = 0, total_ms = 0;
  for (const json& entry : pipeline["images"]) {
    const std::string name = entry["image"];
    if (!name.ends_with(".jpg")) continue;
    SCOPED_TRACE(name);
    ++images;

    const Analysis* analysis = AnalyzeFixture(shared, name);
    ASSERT_NE(analysis, nullptr);
    EXPECT_EQ(analysis->image_size,
              cv::Size(entry["width"].get<int>(), entry["height"].get<int>()));
    const json& expected = entry["faces"];
    ASSERT_EQ(analysis->faces.size(), expected.size());

    const std::vector<const Face*> ours =
        PairByNearestBox(expected, analysis->faces);
    double image_box = 0, image_descriptor = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_NE(ours[i], nullptr);
      const double box = BoxDifference(
          ours[i]->box, testing::RectFromJson<cv::Rect2d>(expected[i]["box"]));
      const double descriptor = EmbeddingDistance(
          ours[i]->embedding,
          testing::EmbeddingFromJson(expected[i]["descriptor"]));
      EXPECT_LT(box, 3.0) << "face " << i;
      // Decoder noise moves a descriptor by up to ~0.13 (its crop moves a
      // pixel); twice that would be a different face or a broken chip.
      EXPECT_LT(descriptor, 0.25) << "face " << i;
      image_box = std::max(image_box, box);
      image_descriptor = std::max(image_descriptor, descriptor);
    }
    const StageTimes& t = analysis->times;
    const double ms = t.decode_ms + t.detect_ms + t.landmarks_ms + t.embed_ms;
    total_ms += ms;
    std::printf("%s: %zu faces, box %.3g px, descriptor %.3g; %.0f ms\n",
                name.c_str(), expected.size(), image_box, image_descriptor, ms);
    worst_box = std::max(worst_box, image_box);
    worst_descriptor = std::max(worst_descriptor, image_descriptor);
  }
  EXPECT_EQ(images, 17);  // 5 bbt groups, 6 portraits, 6 demo photos
  std::printf(
      "jpeg: %d images; box %.3g px, descriptor %.3g at most; %.0f ms per "
      "image on average\n",
      images, worst_box, worst_descriptor, total_ms / images);
}

// Each face of a group photo is named as the library names it: the person
// of the nearest of the 40 reference crops, and a match or not at 0.6.
TEST_F(FaceAnalyzerTest, NamesGroupPhotoFacesAsTheLibraryDoes) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const std::vector<ReferenceCrop> crops =
      ReferenceCrops(testing::ReadPipelineFixture(shared));
  ASSERT_EQ(crops.size(), 40u);
  const json groups =
      testing::ReadJson(FixtureDir(shared) / "distances.json")["groups"];
  ASSERT_EQ(groups.size(), 5u);

  int faces = 0;
  double widest_gap = 0;
  for (const auto& [name, group] : groups.items()) {
    SCOPED_TRACE(name);
    const Analysis* analysis = AnalyzeFixture(shared, name);
    ASSERT_NE(analysis, nullptr);
    const json& expected = group["faces"];
    ASSERT_EQ(analysis->faces.size(), expected.size());

    const std::vector<const Face*> ours =
        PairByNearestBox(expected, analysis->faces);
    for (size_t i = 0; i < expected.size(); ++i) {
      ASSERT_NE(ours[i], nullptr);
      const NearestCrop nearest = FindNearestCrop(ours[i]->embedding, crops);
      const double want = expected[i]["distance"].get<double>();
      EXPECT_EQ(nearest.person,
                expected[i]["nearest_person"].get<std::string>())
          << "face " << i;
      EXPECT_EQ(nearest.distance < kSamePersonThreshold,
                want < kSamePersonThreshold)
          << "face " << i << ": " << nearest.distance << " against " << want;
      widest_gap = std::max(widest_gap, std::abs(nearest.distance - want));
      ++faces;
    }
  }
  EXPECT_EQ(faces, 23);
  std::printf("groups: %d faces named alike; nearest distance %.3g apart\n",
              faces, widest_gap);
}

// Every Obama portrait lies within 0.6 of every other; Biden lies beyond
// 0.6 of them all.
TEST_F(FaceAnalyzerTest, TellsObamaFromBidenInThePortraits) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const json portraits = testing::ReadJson(
      FixtureDir(shared) / "distances.json")["portraits"]["faces"];
  ASSERT_EQ(portraits.size(), 7u);

  struct Portrait {
    std::string name;
    bool is_obama;
    Embedding embedding;
  };
  std::vector<Portrait> faces;
  for (const json& portrait : portraits) {
    const std::string name = portrait["image"];
    const Analysis* analysis = AnalyzeFixture(shared, name);
    ASSERT_NE(analysis, nullptr);
    ASSERT_EQ(analysis->faces.size(), 1u) << name;
    faces.push_back({name,
                     portrait["person"].get<std::string>().starts_with("obama"),
                     analysis->faces[0].embedding});
  }

  double obama_widest = 0, biden_nearest = 1e9;
  for (size_t i = 0; i < faces.size(); ++i) {
    for (size_t j = i + 1; j < faces.size(); ++j) {
      const double distance =
          EmbeddingDistance(faces[i].embedding, faces[j].embedding);
      const bool same_person = faces[i].is_obama && faces[j].is_obama;
      EXPECT_EQ(distance < kSamePersonThreshold, same_person)
          << faces[i].name << " and " << faces[j].name << ": " << distance;
      if (same_person) {
        obama_widest = std::max(obama_widest, distance);
      } else {
        biden_nearest = std::min(biden_nearest, distance);
      }
    }
  }
  std::printf("portraits: obama pairs within %.3g, biden at least %.3g away\n",
              obama_widest, biden_nearest);
}

// ---------------------------------------------------------------------------
// Decoding as part of the pipeline.

// A photo stored turned, with an EXIF orientation saying how to turn it
// back, gives the faces of the upright photo, in upright coordinates.
TEST_F(FaceAnalyzerTest, FindsFacesOfTurnedPhotosWhereTheyStandUpright) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const std::string name = "datasets/bbt/groups/bbt3.jpg";
  const std::string upright_bytes = testing::ReadBytes(shared / name);
  const Analysis* upright = AnalyzeFixture(shared, name);
  ASSERT_NE(upright, nullptr);
  ASSERT_EQ(upright->faces.size(), 5u);

  for (int orientation : {6, 8, 3}) {
    SCOPED_TRACE(::testing::Message() << "orientation " << orientation);
    const std::string turned_bytes = TurnedJpeg(upright_bytes, orientation);

    // The copy really is stored turned and tagged.
    vips::VImage stored = vips::VImage::new_from_buffer(turned_bytes, "");
    ASSERT_EQ(stored.get_int(VIPS_META_ORIENTATION), orientation);
    const cv::Size size = upright->image_size;
    ASSERT_EQ(cv::Size(stored.width(), stored.height()),
              orientation == 3 ? size : cv::Size(size.height, size.width));

    auto turned = analyzer_->AnalyzePhoto(turned_bytes);
    ASSERT_TRUE(turned.ok()) << turned.error().message;
    EXPECT_EQ(turned->image_size, size);

    // Exactly the faces of the same pixels turned upright by hand...
    const std::vector<Face> by_hand = analyzer_->FindFaces(
        StoredPixelsTurnedUpright(turned_bytes, orientation));
    ASSERT_EQ(turned->faces.size(), by_hand.size());
    for (size_t i = 0; i < by_hand.size(); ++i) {
      EXPECT_EQ(turned->faces[i].box, by_hand[i].box);
      EXPECT_EQ(turned->faces[i].embedding, by_hand[i].embedding);
    }

    // ...and nearly those of the original file. Re-encoding alone, without
    // a turn, moves bbt3's descriptors by up to 0.165 at quality 95 (0.146
    // at 100): a chip that shifts by a pixel.
    ASSERT_EQ(turned->faces.size(), upright->faces.size());
    const FaceDifferences worst = CompareFaces(upright->faces, turned->faces);
    EXPECT_LT(worst.box, 3.0);
    EXPECT_LT(worst.descriptor, 0.25);
    std::printf(
        "orientation %d: box %.3g px, landmarks %.3g px, descriptor %.3g at "
        "most\n",
        orientation, worst.box, worst.landmark, worst.descriptor);
  }
}

// A JPEG shrunk on load is analysed small, but its faces come back in
// pixels of the full image.
TEST_F(FaceAnalyzerTest, ShrinkOnLoadGivesFacesInFullImagePixels) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const std::string name = "npm:@vladmandic/face-api/demo/sample1.jpg";
  const Analysis* full = AnalyzeFixture(shared, name);
  ASSERT_NE(full, nullptr);
  ASSERT_EQ(full->image_size.width, 1920);

  AnalyzerOptions options;
  options.decode.min_long_side = 960;
  auto shrinking = FaceAnalyzer::Load(testing::ModelDir(), options);
  ASSERT_TRUE(shrinking.ok()) << shrinking.error().message;
  auto shrunk = shrinking->AnalyzePhoto(
      testing::ReadBytes(testing::FixtureImagePath(shared, name)));
  ASSERT_TRUE(shrunk.ok()) << shrunk.error().message;
  EXPECT_EQ(shrunk->image_size, full->image_size);
  ASSERT_EQ(shrunk->faces.size(), full->faces.size());

  double worst_box = 0;
  for (const Face& face : full->faces) {
    double nearest = 1e9;
    for (const Face& candidate : shrunk->faces) {
      nearest = std::min(nearest, BoxDifference(candidate.box, face.box));
    }
    EXPECT_LT(nearest, 4.0);
    worst_box = std::max(worst_box, nearest);
  }
  std::printf("shrink-on-load to 960: %zu faces, box %.3g px at most\n",
              full->faces.size(), worst_box);
}

// ---------------------------------------------------------------------------
// Selfies.

// The bbt crops are as tight as a close selfie: one face each, found
// directly or after padding, and embedded whole, as the library's examples
// embed such crops.
TEST_F(FaceAnalyzerTest, EmbedsEachReferenceCropWhole) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const json pipeline = testing::ReadPipelineFixture(shared);

  int crops = 0, padded = 0;
  double worst = 0;
  for (const json& entry : pipeline["images"]) {
    if (!entry.contains("whole_crop_descriptor")) continue;
    const std::string name = entry["image"];
    SCOPED_TRACE(name);
    ++crops;
    const std::string bytes = testing::ReadBytes(shared / name);

    auto selfie = analyzer_->AnalyzeSelfie(bytes);
    ASSERT_TRUE(selfie.ok()) << selfie.error().message;
    EXPECT_EQ(selfie->other_faces, 0);
    EXPECT_TRUE(selfie->embedded_whole);
    if (selfie->found_after_padding) ++padded;

    auto decoded = DecodeImage(bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(selfie->face.embedding, analyzer_->EmbedWholeImage(decoded->rgb));
    const double distance = EmbeddingDistance(
        selfie->face.embedding,
        testing::EmbeddingFromJson(entry["whole_crop_descriptor"]));
    EXPECT_LT(distance, 1e-3);
    worst = std::max(worst, distance);
  }
  EXPECT_EQ(crops, 40);
  std::printf(
      "selfie crops: %d, %d found after padding; distance to the library's "
      "whole-crop descriptor %.3g at most\n",
      crops, padded, worst);
}

TEST_F(FaceAnalyzerTest, SelfieWithSeveralFacesKeepsTheLargest) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const std::string bytes =
      testing::ReadBytes(shared / "datasets/bbt/groups/bbt3.jpg");
  auto selfie = analyzer_->AnalyzeSelfie(bytes);
  ASSERT_TRUE(selfie.ok()) << selfie.error().message;
  EXPECT_EQ(selfie->other_faces, 4);
  EXPECT_FALSE(selfie->found_after_padding);
  EXPECT_FALSE(selfie->embedded_whole);

  auto decoded = DecodeImage(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const std::vector<Face> faces = analyzer_->FindFaces(decoded->rgb);
  ASSERT_EQ(faces.size(), 5u);
  const Face& largest = *std::max_element(
      faces.begin(), faces.end(),
      [](const Face& a, const Face& b) { return a.box.area() < b.box.area(); });
  EXPECT_EQ(selfie->face.box, largest.box);
  EXPECT_EQ(selfie->face.embedding, largest.embedding);
}

TEST_F(FaceAnalyzerTest, SelfieWithoutAFaceFailsWithNoFace) {
  const std::string bytes =
      testing::ReadBytes(fs::path(EVENTFACE_TEST_DATA) / "grey_64.png");
  auto selfie = analyzer_->AnalyzeSelfie(bytes);
  ASSERT_FALSE(selfie.ok());
  EXPECT_EQ(selfie.error().code, ErrorCode::kNoFace) << selfie.error().message;
}

// A selfie with room around the face is embedded through its aligned chip,
// exactly as the same image is when analysed as a photo.
TEST_F(FaceAnalyzerTest, PhotoLikeSelfieIsEmbeddedLikeAPhoto) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const std::string name = "datasets/portraits/obama.jpg";
  auto selfie = analyzer_->AnalyzeSelfie(testing::ReadBytes(shared / name));
  ASSERT_TRUE(selfie.ok()) << selfie.error().message;
  EXPECT_EQ(selfie->other_faces, 0);
  EXPECT_FALSE(selfie->found_after_padding);
  EXPECT_FALSE(selfie->embedded_whole);

  const Analysis* photo = AnalyzeFixture(shared, name);
  ASSERT_NE(photo, nullptr);
  ASSERT_EQ(photo->faces.size(), 1u);
  EXPECT_LT(
      EmbeddingDistance(selfie->face.embedding, photo->faces[0].embedding),
      1e-3);
  EXPECT_EQ(selfie->face.box, photo->faces[0].box);
}

// ---------------------------------------------------------------------------
// Bad input.

void ExpectError(const Result<Analysis>& photo,
                 const Result<SelfieAnalysis>& selfie, ErrorCode code) {
  ASSERT_FALSE(photo.ok());
  EXPECT_EQ(photo.error().code, code) << photo.error().message;
  ASSERT_FALSE(selfie.ok());
  EXPECT_EQ(selfie.error().code, code) << selfie.error().message;
}

TEST_F(FaceAnalyzerTest, PassesOnTheDecodersErrors) {
  EVENTFACE_REQUIRE_SHARED(shared);
  const std::string jpeg =
      testing::ReadBytes(shared / "datasets/bbt/groups/bbt3.jpg");
  std::string png = testing::ReadBytes(shared / "datasets/bbt/amy/amy1.png");
  // Inside the pixel data, whose checksum then fails.
  for (size_t i = 0; i < 8; ++i) png[png.size() / 2 + i] ^= 0x5A;

  struct BadInput {
    const char* what;
    std::string bytes;
    ErrorCode code;
  };
  const BadInput inputs[] = {
      {"empty", "", ErrorCode::kUnsupportedFormat},
      {"text", "name,score\nsheldon,0.91\n", ErrorCode::kUnsupportedFormat},
      {"jpeg cut in its header", jpeg.substr(0, 100), ErrorCode::kCorruptData},
      {"jpeg cut in half", jpeg.substr(0, jpeg.size() / 2),
       ErrorCode::kCorruptData},
      {"png with damaged pixel data", png, ErrorCode::kCorruptData},
  };
  for (const BadInput& input : inputs) {
    SCOPED_TRACE(input.what);
    ExpectError(analyzer_->AnalyzePhoto(input.bytes),
                analyzer_->AnalyzeSelfie(input.bytes), input.code);
  }
}

TEST_F(FaceAnalyzerTest, ImageOverThePixelLimitIsTooLarge) {
  const std::string bytes =
      testing::ReadBytes(fs::path(EVENTFACE_TEST_DATA) / "grey_64.png");
  AnalyzerOptions options;
  options.decode.max_pixels = 64 * 64 - 1;
  auto limited = FaceAnalyzer::Load(testing::ModelDir(), options);
  ASSERT_TRUE(limited.ok()) << limited.error().message;
  ExpectError(limited->AnalyzePhoto(bytes), limited->AnalyzeSelfie(bytes),
              ErrorCode::kTooLarge);
}

}  // namespace
}  // namespace eventface::engine
