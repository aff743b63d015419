#include "http/zip_writer.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "testing/process.h"
#include "testing/temp_dir.h"

namespace eventface::http {
namespace {

// 2026-05-17 13:45:30 UTC.
const Timestamp kModified = FromMillis(1779025530000);

// CRC-32 (IEEE), bit by bit: slow, but independent of zlib's.
uint32_t Crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFF;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
    }
  }
  return ~crc;
}

uint64_t Read(std::string_view bytes, size_t at, int width) {
  if (at + width > bytes.size()) {
    ADD_FAILURE() << "read past the end at " << at;
    return 0;
  }
  uint64_t value = 0;
  for (int i = width - 1; i >= 0; --i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  }
  return value;
}

// What the central directory says of one entry.
struct CentralEntry {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint16_t dos_time = 0;
  uint16_t dos_date = 0;
  uint32_t crc = 0;
  uint64_t size = 0;
  uint64_t stored_size = 0;
  uint64_t offset = 0;
  bool has_zip64_field = false;
  bool is_size_in_zip64 = false;  // the 4-byte size field read 0xFFFFFFFF
};

struct CentralDirectory {
  std::vector<CentralEntry> entries;
  bool has_zip64_end = false;
};

// Reads the central directory of an archive of `archive_size` bytes whose
// last tail.size() bytes are `tail`, as a reader that seeks from the end
// does. Reports malformed structures as test failures.
CentralDirectory ReadCentralDirectory(std::string_view tail,
                                      uint64_t archive_size) {
  CentralDirectory directory;
  uint64_t tail_start = archive_size - tail.size();
  // No archive comment: the end record is the last 22 bytes.
  size_t end = tail.size() - 22;
  EXPECT_EQ(Read(tail, end, 4), 0x06054b50u);
  uint64_t count = Read(tail, end + 10, 2);
  uint64_t directory_size = Read(tail, end + 12, 4);
  uint64_t directory_offset = Read(tail, end + 16, 4);
  if (count == 0xFFFF || directory_size == 0xFFFFFFFF ||
      directory_offset == 0xFFFFFFFF) {
    size_t locator = end - 20;
    EXPECT_EQ(Read(tail, locator, 4), 0x07064b50u);
    uint64_t zip64_end = Read(tail, locator + 8, 8) - tail_start;
    EXPECT_EQ(Read(tail, zip64_end, 4), 0x06064b50u);
    EXPECT_EQ(Read(tail, zip64_end + 4, 8), 44u);
    EXPECT_EQ(Read(tail, zip64_end + 24, 8), Read(tail, zip64_end + 32, 8));
    count = Read(tail, zip64_end + 32, 8);
    directory_size = Read(tail, zip64_end + 40, 8);
    directory_offset = Read(tail, zip64_end + 48, 8);
    EXPECT_EQ(directory_offset + directory_size, tail_start + zip64_end);
    directory.has_zip64_end = true;
  } else {
    EXPECT_EQ(directory_offset + directory_size, tail_start + end);
  }

  size_t at = directory_offset - tail_start;
  for (uint64_t i = 0; i < count; ++i) {
    CentralEntry entry;
    EXPECT_EQ(Read(tail, at, 4), 0x02014b50u) << "entry " << i;
    entry.flags = Read(tail, at + 8, 2);
    entry.method = Read(tail, at + 10, 2);
    entry.dos_time = Read(tail, at + 12, 2);
    entry.dos_date = Read(tail, at + 14, 2);
    entry.crc = Read(tail, at + 16, 4);
    entry.stored_size = Read(tail, at + 20, 4);
    entry.size = Read(tail, at + 24, 4);
    entry.is_size_in_zip64 = entry.size == 0xFFFFFFFF;
    size_t name_length = Read(tail, at + 28, 2);
    size_t extra_length = Read(tail, at + 30, 2);
    size_t comment_length = Read(tail, at + 32, 2);
    entry.offset = Read(tail, at + 42, 4);
    entry.name = std::string(tail.substr(at + 46, name_length));

    // The ZIP64 field holds, in order, the values whose field is full.
    size_t extra = at + 46 + name_length;
    size_t extra_end = extra + extra_length;
    while (extra < extra_end) {
      uint64_t id = Read(tail, extra, 2);
      size_t length = Read(tail, extra + 2, 2);
      size_t value = extra + 4;
      if (id == 0x0001) {
        entry.has_zip64_field = true;
        for (uint64_t* field :
             {&entry.size, &entry.stored_size, &entry.offset}) {
          if (*field != 0xFFFFFFFF) continue;
          *field = Read(tail, value, 8);
          value += 8;
        }
        EXPECT_EQ(value, extra + 4 + length);
      }
      extra += 4 + length;
    }
    directory.entries.push_back(entry);
    at = extra_end + comment_length;
  }
  EXPECT_EQ(at, directory_offset + directory_size - tail_start);
  return directory;
}

// Checks each entry's local header, bytes and data descriptor against the
// central directory of the whole `archive`; returns the entries' bytes.
std::vector<std::string> ReadEntries(std::string_view archive,
                                     const CentralDirectory& directory) {
  std::vector<std::string> contents;
  for (const CentralEntry& entry : directory.entries) {
    SCOPED_TRACE(entry.name);
    size_t at = entry.offset;
    EXPECT_EQ(Read(archive, at, 4), 0x04034b50u);
    EXPECT_EQ(Read(archive, at + 6, 2), entry.flags);
    EXPECT_EQ(Read(archive, at + 8, 2), 0u);
    size_t name_length = Read(archive, at + 26, 2);
    size_t extra_length = Read(archive, at + 28, 2);
    EXPECT_EQ(archive.substr(at + 30, name_length), entry.name);
    bool is_announced = extra_length > 0;

    size_t data = at + 30 + name_length + extra_length;
    std::string bytes(archive.substr(data, entry.size));
    EXPECT_EQ(bytes.size(), entry.size);
    EXPECT_EQ(Crc32(bytes), entry.crc);
    contents.push_back(bytes);

    size_t descriptor = data + entry.size;
    EXPECT_EQ(Read(archive, descriptor, 4), 0x08074b50u);
    EXPECT_EQ(Read(archive, descriptor + 4, 4), entry.crc);
    // 8-byte sizes when the local header announced ZIP64 or the size
    // needs it (the size was unknown when the header was written).
    int width = is_announced || entry.is_size_in_zip64 ? 8 : 4;
    EXPECT_EQ(Read(archive, descriptor + 8, width), entry.size);
    EXPECT_EQ(Read(archive, descriptor + 8 + width, width), entry.size);
  }
  return contents;
}

// Writes `text` in pieces of `piece` bytes.
ZipContent Text(std::string text, size_t piece = 7) {
  return [text = std::move(text), piece](const ZipSink& write) -> Status {
    for (size_t at = 0; at < text.size(); at += piece) {
      Status written = write(std::string_view(text).substr(at, piece));
      if (!written.ok()) return written;
    }
    return Status();
  };
}

std::string Pattern(size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>(i * 31 % 251);
  return bytes;
}

bool HasUnzip() { return std::filesystem::exists("/usr/bin/unzip"); }

class ZipWriterTest : public testing::TempDirTest {
 protected:
  ZipWriterTest() : TempDirTest("zip_writer_test") {}

  // A sink that keeps everything and remembers the largest piece.
  ZipSink Keep() {
    return [this](std::string_view piece) {
      archive_ += piece;
      largest_piece_ = std::max(largest_piece_, piece.size());
      return Status();
    };
  }

  // `unzip -t` on the archive; "" when it finds no error.
  std::string UnzipErrors() {
    std::filesystem::path path = temp_dir() / "archive.zip";
    Write("archive.zip", archive_);
    testing::ProcessResult result =
        testing::RunProcess({"/usr/bin/unzip", "-t", path.string()});
    if (result.exit_code == 0) return "";
    return "exit " + std::to_string(result.exit_code) + ": " + result.out +
           result.err;
  }

  std::string archive_;
  size_t largest_piece_ = 0;
};

TEST_F(ZipWriterTest, WritesAnArchiveThatReadersAccept) {
  Write("photo.jpg", Pattern(300000));
  std::string large = Pattern(2500000);

  ZipWriter zip(Keep());
  EXPECT_EQ(zip.AddEntry("hello.txt", kModified, Text("hello, zip")).value(),
            "hello.txt");
  EXPECT_EQ(zip.AddEntry("empty", kModified, Text("")).value(), "empty");
  EXPECT_EQ(
      zip.AddEntry("Zoë/café.jpg", kModified, Text(large, 100003)).value(),
      "Zoë/café.jpg");
  auto file = zip.AddFile("photo.jpg", kModified, temp_dir() / "photo.jpg");
  ASSERT_TRUE(file.ok()) << file.error().message;
  ASSERT_TRUE(zip.Finish().ok());
  EXPECT_EQ(zip.bytes_written(), archive_.size());
  EXPECT_LE(largest_piece_, size_t{1} << 20);

  CentralDirectory directory = ReadCentralDirectory(archive_, archive_.size());
  EXPECT_FALSE(directory.has_zip64_end);
  ASSERT_EQ(directory.entries.size(), 4u);
  std::vector<std::string> contents = ReadEntries(archive_, directory);
  EXPECT_EQ(contents, (std::vector<std::string>{"hello, zip", "", large,
                                                Pattern(300000)}));
  for (const CentralEntry& entry : directory.entries) {
    EXPECT_EQ(entry.flags, 0x0808) << "descriptor and UTF-8 flags";
    EXPECT_EQ(entry.method, 0) << "stored";
    EXPECT_EQ(entry.dos_time, (13 << 11) | (45 << 5) | 15);
    EXPECT_EQ(entry.dos_date, (46 << 9) | (5 << 5) | 17);
    EXPECT_FALSE(entry.has_zip64_field);
  }

  if (!HasUnzip()) GTEST_SKIP() << "unzip is not installed: not run on it";
  EXPECT_EQ(UnzipErrors(), "");
}

// The ZIP64 records with limits lowered so that a small archive needs them
// all: sizes, offsets and the entry count.
TEST_F(ZipWriterTest, WritesZip64RecordsPastTheLimits) {
  ZipWriter zip(Keep(), {.zip64_size_limit = 1000, .zip64_entry_limit = 3});
  ASSERT_TRUE(zip.AddEntry("small.txt", kModified, Text("tiny")).ok());
  ASSERT_TRUE(
      zip.AddEntry("announced.bin", kModified, Text(Pattern(5000)), 5000).ok());
  ASSERT_TRUE(
      zip.AddEntry("unannounced.bin", kModified, Text(Pattern(3000))).ok());
  ASSERT_TRUE(
      zip.AddEntry("late.txt", kModified, Text("past the offset")).ok());
  ASSERT_TRUE(zip.Finish().ok());

  CentralDirectory directory = ReadCentralDirectory(archive_, archive_.size());
  EXPECT_TRUE(directory.has_zip64_end);
  ASSERT_EQ(directory.entries.size(), 4u);
  EXPECT_FALSE(directory.entries[0].has_zip64_field);
  EXPECT_TRUE(directory.entries[1].has_zip64_field);
  EXPECT_TRUE(directory.entries[2].has_zip64_field);
  EXPECT_TRUE(directory.entries[3].has_zip64_field) << "offset past limit";
  std::vector<std::string> contents = ReadEntries(archive_, directory);
  EXPECT_EQ(contents,
            (std::vector<std::string>{"tiny", Pattern(5000), Pattern(3000),
                                      "past the offset"}));

  if (!HasUnzip()) GTEST_SKIP() << "unzip is not installed: not run on it";
  EXPECT_EQ(UnzipErrors(), "");
}

// A real entry of just over 4 GiB, generated and discarded on the fly: the
// sink keeps only the first bytes and the tail, where the directory is.
TEST_F(ZipWriterTest, AnEntryOver4GiBGetsZip64Records) {
  constexpr uint64_t kSize = (uint64_t{1} << 32) + 5;
  std::string head;
  std::string tail;
  uint64_t total = 0;
  ZipSink sink = [&](std::string_view piece) {
    if (head.size() < 100) head += piece.substr(0, 100 - head.size());
    if (piece.size() >= 4096) {
      tail = piece.substr(piece.size() - 4096);
    } else {
      tail += piece;
      if (tail.size() > 4096) tail.erase(0, tail.size() - 4096);
    }
    total += piece.size();
    return Status();
  };
  const std::string block(1 << 20, 'z');
  ZipContent generate = [&](const ZipSink& write) -> Status {
    for (uint64_t left = kSize; left > 0;) {
      size_t piece =
          static_cast<size_t>(std::min<uint64_t>(left, block.size()));
      Status written = write(std::string_view(block).substr(0, piece));
      if (!written.ok()) return written;
      left -= piece;
    }
    return Status();
  };

  ZipWriter zip(sink);
  ASSERT_TRUE(zip.AddEntry("big.bin", kModified, generate).ok());
  ASSERT_TRUE(zip.AddEntry("after.txt", kModified, Text("after")).ok());
  ASSERT_TRUE(zip.Finish().ok());

  CentralDirectory directory = ReadCentralDirectory(tail, total);
  ASSERT_EQ(directory.entries.size(), 2u);
  const CentralEntry& big = directory.entries[0];
  EXPECT_TRUE(big.has_zip64_field);
  EXPECT_EQ(big.size, kSize);
  EXPECT_EQ(big.stored_size, kSize);
  EXPECT_EQ(big.offset, 0u);
  const CentralEntry& after = directory.entries[1];
  EXPECT_TRUE(after.has_zip64_field) << "its offset is past 4 GiB";
  EXPECT_EQ(after.size, 5u);
  EXPECT_EQ(after.crc, Crc32("after"));
  EXPECT_TRUE(directory.has_zip64_end) << "the directory is past 4 GiB";

  // The big entry's descriptor ends where the next local header starts.
  size_t name_length = Read(head, 26, 2);
  uint64_t descriptor = 30 + name_length + kSize;
  EXPECT_EQ(after.offset, descriptor + 4 + 4 + 8 + 8);
}

TEST_F(ZipWriterTest, ASinkErrorStopsTheWriter) {
  int calls = 0;
  ZipSink failing = [&](std::string_view) -> Status {
    if (++calls == 3) return Error{ErrorCode::kIoError, "client went away"};
    return Status();
  };
  ZipWriter zip(failing, {.piece_size = 64});
  auto added = zip.AddEntry("a.bin", kModified, Text(Pattern(1000), 10));
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::kIoError);
  EXPECT_EQ(added.error().message, "client went away");
  EXPECT_EQ(calls, 3);

  auto next = zip.AddEntry("b.txt", kModified, Text("b"));
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.error().message, "client went away");
  Status finished = zip.Finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().message, "client went away");
  EXPECT_EQ(calls, 3);
}

TEST_F(ZipWriterTest, AContentErrorStopsTheWriter) {
  ZipWriter zip(Keep());
  ZipContent broken = [](const ZipSink& write) -> Status {
    Status written = write("half a photo");
    if (!written.ok()) return written;
    return Error{ErrorCode::kIoError, "photo 7: read failed"};
  };
  auto added = zip.AddEntry("7.jpg", kModified, broken);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().message, "photo 7: read failed");
  Status finished = zip.Finish();
  ASSERT_FALSE(finished.ok());
  EXPECT_EQ(finished.error().message, "photo 7: read failed");
}

TEST_F(ZipWriterTest, AMissingFileIsReportedAndTheArchiveGoesOn) {
  ZipWriter zip(Keep());
  auto missing = zip.AddFile("gone.jpg", kModified, temp_dir() / "gone.jpg");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(zip.AddEntry("kept.txt", kModified, Text("kept")).ok());
  ASSERT_TRUE(zip.Finish().ok());
  CentralDirectory directory = ReadCentralDirectory(archive_, archive_.size());
  ASSERT_EQ(directory.entries.size(), 1u);
  EXPECT_EQ(directory.entries[0].name, "kept.txt");
}

TEST_F(ZipWriterTest, RejectsEntriesAfterFinish) {
  ZipWriter zip(Keep());
  ASSERT_TRUE(zip.Finish().ok());
  EXPECT_FALSE(zip.AddEntry("late.txt", kModified, Text("x")).ok());
  EXPECT_FALSE(zip.Finish().ok());
  // An empty archive is the end record alone.
  EXPECT_EQ(archive_.size(), 22u);
  EXPECT_TRUE(ReadCentralDirectory(archive_, archive_.size()).entries.empty());
}

TEST_F(ZipWriterTest, RejectsANameTooLongForTheFormat) {
  ZipWriter zip(Keep());
  auto added = zip.AddEntry(std::string(70000, 'a'), kModified, Text("x"));
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(zip.AddEntry("short.txt", kModified, Text("x")).ok());
}

TEST(ZipWriterNameTest, MakesNamesSafeRelativePaths) {
  EXPECT_EQ(ZipWriter::SafeName("../../etc/passwd"), "etc/passwd");
  EXPECT_EQ(ZipWriter::SafeName("/abs/x.jpg"), "abs/x.jpg");
  EXPECT_EQ(ZipWriter::SafeName("C:\\Users\\me\\a.jpg"), "C_/Users/me/a.jpg");
  EXPECT_EQ(ZipWriter::SafeName("a/./b//c/.."), "a/b/c");
  EXPECT_EQ(ZipWriter::SafeName(""), "file");
  EXPECT_EQ(ZipWriter::SafeName("../.."), "file");
  EXPECT_EQ(ZipWriter::SafeName("bad\x01name?.jpg"), "bad_name_.jpg");
  EXPECT_EQ(ZipWriter::SafeName("\xff\xc3.jpg"), "__.jpg");
  EXPECT_EQ(ZipWriter::SafeName("caf\xc3\xa9 \xf0\x9f\x93\xb7.jpg"),
            "caf\xc3\xa9 \xf0\x9f\x93\xb7.jpg");
  EXPECT_EQ(ZipWriter::SafeName("\xed\xa0\x80.jpg"), "___.jpg")
      << "a UTF-16 surrogate is not UTF-8";
}

TEST_F(ZipWriterTest, MakesDuplicateNamesUnique) {
  ZipWriter zip(Keep());
  std::vector<std::string> names;
  for (const char* name :
       {"photo.jpg", "photo.jpg", "photo.jpg", "Photo.JPG", "photo (2).jpg",
        "album/.hidden", "album/.hidden", "noext", "noext", "../photo.jpg"}) {
    auto added = zip.AddEntry(name, kModified, Text("x"));
    ASSERT_TRUE(added.ok()) << added.error().message;
    names.push_back(*added);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "photo.jpg", "photo (2).jpg", "photo (3).jpg", "Photo (4).JPG",
                "photo (2) (2).jpg", "album/.hidden", "album/.hidden (2)",
                "noext", "noext (2)", "photo (5).jpg"}));
}

}  // namespace
}  // namespace eventface::http
