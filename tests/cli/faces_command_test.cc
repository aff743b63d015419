// End to end: `eventface faces` on real photos through the real binary.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/process.h"
#include "testing/shared_data.h"

namespace eventface::cli {
namespace {

namespace fs = std::filesystem;
using testing::EventfaceBinary;
using testing::RunProcess;

TEST(FacesCommandTest, ListsEveryFaceOfAGroupPhotoAsJson) {
  EVENTFACE_REQUIRE_SHARED(shared);
  auto result =
      RunProcess({EventfaceBinary(), "faces", "--json",
                  (shared / "datasets/bbt/groups/bbt3.jpg").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["width"], 594);
  EXPECT_EQ(json["height"], 383);
  ASSERT_EQ(json["faces"].size(), 5u);
  for (const auto& face : json["faces"]) {
    EXPECT_EQ(face["landmarks"].size(), 68u);
    EXPECT_GT(face["score"].get<double>(), 0.5);
    EXPECT_GE(face["quality"].get<double>(), 0.0);
    EXPECT_LE(face["quality"].get<double>(), 1.0);
    EXPECT_GT(face["box"]["width"].get<double>(), 10.0);
  }
}

TEST(FacesCommandTest, WritesAnAnnotatedImage) {
  EVENTFACE_REQUIRE_SHARED(shared);
  fs::path out = fs::temp_directory_path() /
                 ("faces_annotated_" + std::to_string(::getpid()) + ".png");
  auto result =
      RunProcess({EventfaceBinary(), "faces", "--annotate", out.string(),
                  (shared / "datasets/bbt/groups/bbt3.jpg").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("5 face(s)"), std::string::npos) << result.out;
  ASSERT_TRUE(fs::exists(out));
  EXPECT_GT(fs::file_size(out), 1000u);
  fs::remove(out);
}

TEST(FacesCommandTest, ImageWithoutFacesListsNone) {
  auto result =
      RunProcess({EventfaceBinary(), "faces",
                  (fs::path(EVENTFACE_TEST_DATA) / "grey_64.png").string()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("0 face(s)"), std::string::npos) << result.out;
}

TEST(FacesCommandTest, CorruptImageIsAClearError) {
  fs::path bad = fs::temp_directory_path() /
                 ("faces_corrupt_" + std::to_string(::getpid()) + ".jpg");
  std::ofstream(bad) << "\xff\xd8\xff\xe0 truncated";
  auto result = RunProcess({EventfaceBinary(), "faces", bad.string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(bad.string()), std::string::npos) << result.err;
  fs::remove(bad);
}

TEST(FacesCommandTest, MissingFileIsAClearError) {
  auto result = RunProcess({EventfaceBinary(), "faces", "/no/such/photo.jpg"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("/no/such/photo.jpg"), std::string::npos);
}

}  // namespace
}  // namespace eventface::cli
