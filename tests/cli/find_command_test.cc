// End to end: the real binary, the real engine, real photos.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/process.h"
#include "testing/shared_data.h"
#include "testing/temp_dir.h"

namespace eventface::cli {
namespace {

namespace fs = std::filesystem;
using testing::EventfaceBinary;
using testing::RunProcess;

class FindCommandTest : public testing::TempDirTest {
 protected:
  FindCommandTest() : TempDirTest("find_command_test") {}

  testing::ProcessResult Find(const fs::path& selfie, const fs::path& dir,
                              std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {EventfaceBinary(),
                                     "find",
                                     "--selfie",
                                     selfie.string(),
                                     dir.string(),
                                     "--cache",
                                     (temp_dir() / "cache").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(args);
  }

  // The file names of the photos `find` printed, in order.
  static std::vector<std::string> MatchedNames(const std::string& out) {
    std::vector<std::string> names;
    nlohmann::json json = nlohmann::json::parse(out);
    for (const auto& match : json["matches"]) {
      names.push_back(
          fs::path(match["photo"].get<std::string>()).filename().string());
    }
    return names;
  }
};

TEST_F(FindCommandTest, FindsPennyInExactlyTheGroupPhotosSheIsIn) {
  EVENTFACE_REQUIRE_SHARED(shared);
  auto result = Find(shared / "datasets/bbt/penny/penny1.png",
                     shared / "datasets/bbt/groups", {"--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> names = MatchedNames(result.out);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names,
            (std::vector<std::string>{"bbt3.jpg", "bbt4.jpg", "bbt5.jpg"}));
}

TEST_F(FindCommandTest, FindsNothingForStuart) {
  EVENTFACE_REQUIRE_SHARED(shared);
  for (int i = 1; i <= 5; ++i) {
    std::string crop = "stuart" + std::to_string(i) + ".png";
    auto result = Find(shared / "datasets/bbt/stuart" / crop,
                       shared / "datasets/bbt/groups", {"--json"});
    ASSERT_EQ(result.exit_code, 0) << crop << ": " << result.err;
    EXPECT_TRUE(MatchedNames(result.out).empty()) << crop;
  }
}

TEST_F(FindCommandTest, SecondRunTakesEveryPhotoFromTheCache) {
  EVENTFACE_REQUIRE_SHARED(shared);
  fs::path selfie = shared / "datasets/bbt/penny/penny1.png";
  fs::path groups = shared / "datasets/bbt/groups";
  auto first = Find(selfie, groups);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("0 from cache"), std::string::npos) << first.err;

  auto second = Find(selfie, groups);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("5 from cache"), std::string::npos) << second.err;
  EXPECT_EQ(first.out, second.out);
}

TEST_F(FindCommandTest, PrintsNearestFirstWithDistances) {
  EVENTFACE_REQUIRE_SHARED(shared);
  auto result = Find(shared / "datasets/bbt/penny/penny1.png",
                     shared / "datasets/bbt/groups");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  double distance = 0, previous = 0;
  std::string path;
  int count = 0;
  while (lines >> distance >> path) {
    EXPECT_GE(distance, previous);
    EXPECT_LT(distance, 0.6);
    previous = distance;
    ++count;
  }
  EXPECT_EQ(count, 3) << result.out;
}

TEST_F(FindCommandTest, SelfieWithoutFaceExitsWithTwo) {
  EVENTFACE_REQUIRE_SHARED(shared);
  // A flat grey image: decodable, but no face in it.
  fs::path blank = temp_dir() / "blank.png";
  std::ofstream(blank, std::ios::binary)
      << testing::ReadBytes(fs::path(EVENTFACE_TEST_DATA) / "grey_64.png");
  auto result = Find(blank, shared / "datasets/bbt/groups");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("no face"), std::string::npos) << result.err;
}

TEST_F(FindCommandTest, UnreadablePhotosAreListedAndSkipped) {
  EVENTFACE_REQUIRE_SHARED(shared);
  fs::path photos = temp_dir() / "photos";
  fs::create_directories(photos / "nested");
  fs::copy_file(shared / "datasets/bbt/groups/bbt3.jpg",
                photos / "nested/bbt3.jpg");
  std::ofstream(photos / "broken.jpg") << "not a jpeg at all";
  std::ofstream(photos / "notes.txt") << "ignored: not a photo name";

  auto result =
      Find(shared / "datasets/bbt/penny/penny1.png", photos, {"--json"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  nlohmann::json json = nlohmann::json::parse(result.out);
  EXPECT_EQ(json["photos"], 2);
  ASSERT_EQ(json["skipped"].size(), 1u);
  EXPECT_NE(json["skipped"][0]["photo"].get<std::string>().find("broken.jpg"),
            std::string::npos);
  EXPECT_EQ(MatchedNames(result.out), std::vector<std::string>{"bbt3.jpg"});
  EXPECT_NE(result.err.find("skipped"), std::string::npos);
}

TEST_F(FindCommandTest, MissingFolderIsAnError) {
  EVENTFACE_REQUIRE_SHARED(shared);
  auto result = Find(shared / "datasets/bbt/penny/penny1.png",
                     temp_dir() / "no-such-folder");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("not a folder"), std::string::npos);
}

TEST_F(FindCommandTest, MissingModelsNameTheFolder) {
  EVENTFACE_REQUIRE_SHARED(shared);
  auto result = Find(shared / "datasets/bbt/penny/penny1.png",
                     shared / "datasets/bbt/groups",
                     {"--models", (temp_dir() / "no-models").string()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("no-models"), std::string::npos) << result.err;
}

TEST(FindCommandHelpTest, HelpDescribesEveryFlag) {
  auto result = RunProcess({EventfaceBinary(), "find", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* flag :
       {"--selfie", "--threshold", "--json", "--cache", "--jobs", "--models"}) {
    EXPECT_NE(result.out.find(flag), std::string::npos) << flag;
  }
}

}  // namespace
}  // namespace eventface::cli
