#include "store/media_folder.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <thread>
#include <vector>

namespace eventface::store {
namespace {

class MediaFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string folder =
        (std::filesystem::temp_directory_path() / "eventface-media-XXXXXX")
            .string();
    ASSERT_NE(::mkdtemp(folder.data()), nullptr);
    root_ = folder;
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  // Every regular file under the root, temporary ones included.
  int CountFiles() const {
    int count = 0;
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(root_)) {
      count += entry.is_regular_file();
    }
    return count;
  }

  std::filesystem::path root_;
};

TEST_F(MediaFolderTest, HashesWithSha256) {
  EXPECT_EQ(ContentHash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_F(MediaFolderTest, NamesFilesByTheirContent) {
  MediaFolder media(root_ / "media");
  auto key = media.Put("abc");
  ASSERT_TRUE(key.ok()) << key.error().message;
  EXPECT_EQ(
      *key,
      "ba/7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_TRUE(std::filesystem::is_regular_file(
      root_ / "media" / "ba" /
      "7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

TEST_F(MediaFolderTest, ReadsBackWhatItStored) {
  MediaFolder media(root_);
  std::string bytes("\x00\xff\x10 photo", 9);
  auto key = media.Put(bytes);
  ASSERT_TRUE(key.ok());
  auto read = media.Read(*key);
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(*read, bytes);
}

TEST_F(MediaFolderTest, StoresEqualBytesOnceAndLeavesNoTemporaryFiles) {
  MediaFolder media(root_);
  std::vector<std::thread> writers;
  for (int i = 0; i < 4; ++i) {
    writers.emplace_back([&] { EXPECT_TRUE(media.Put("same").ok()); });
  }
  for (std::thread& writer : writers) writer.join();
  ASSERT_TRUE(media.Put("other").ok());
  EXPECT_EQ(CountFiles(), 2);
}

TEST_F(MediaFolderTest, RemovesFilesAndToleratesMissingOnes) {
  MediaFolder media(root_);
  auto key = media.Put("gone soon");
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(media.Remove(*key).ok());
  EXPECT_EQ(media.Read(*key).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(media.Remove(*key).ok());
}

TEST_F(MediaFolderTest, RejectsKeysThatCouldLeaveTheRoot) {
  MediaFolder media(root_);
  EXPECT_EQ(media.Read("../../etc/passwd").error().code,
            ErrorCode::kInvalidArgument);
  std::string almost(65, 'a');
  almost[2] = '/';
  almost[10] = '.';
  EXPECT_EQ(media.Remove(almost).error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace eventface::store
