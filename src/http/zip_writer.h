#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/result.h"

namespace eventface::http {

// Where a ZipWriter sends the archive, piece by piece (an HTTP response
// body, a file). An error stops the writer.
using ZipSink = std::function<Status(std::string_view bytes)>;

// Writes one entry's bytes by calling `write` with consecutive pieces of
// any size; returns the first error of `write`, or its own.
using ZipContent = std::function<Status(const ZipSink& write)>;

struct ZipWriterOptions {
  // The largest piece handed to the sink.
  size_t piece_size = 1 << 20;
  // Sizes and offsets from this value up, and entry counts from
  // zip64_entry_limit up, are written in ZIP64 records. The defaults are
  // the format's; tests lower them to check ZIP64 on small archives.
  uint64_t zip64_size_limit = 0xFFFFFFFF;
  uint64_t zip64_entry_limit = 0xFFFF;
};

// A streaming writer of ZIP archives, for "download all my photos of an
// event": entries are added one at a time and the archive leaves through
// the sink as it is made, so neither it nor an entry is ever held whole in
// memory (only the central directory's few dozen bytes per entry).
//
// Entries are stored, not compressed (photos already are), each followed
// by a data descriptor with its CRC-32 and sizes; names are UTF-8 and
// flagged so. ZIP64 records are written where an entry, an offset or the
// number of entries passes the classic format's limits.
//
// After any error (from the sink, a content function or a file) the
// archive is incomplete: every later call returns that first error. Not
// thread-safe.
class ZipWriter {
 public:
  explicit ZipWriter(ZipSink sink, ZipWriterOptions options = {});

  // Adds an entry named after `name` (see SafeName; made unique among the
  // archive's names: "photo (2).jpg") last modified at `modified`, with
  // the bytes `content` writes. `size`, when known, lets the local header
  // announce ZIP64 for an entry of 4 GiB or more; without it, such an
  // entry is still read correctly through the central directory. Returns
  // the name used. kInvalidArgument when the name is too long, kInternal
  // once finished.
  Result<std::string> AddEntry(std::string_view name, Timestamp modified,
                               const ZipContent& content,
                               std::optional<uint64_t> size = std::nullopt);

  // As AddEntry, with the bytes of the file at `path`, read in pieces.
  // kNotFound or kIoError when it cannot be read.
  Result<std::string> AddFile(std::string_view name, Timestamp modified,
                              const std::filesystem::path& path);

  // Writes the central directory and the end records, and hands the last
  // piece to the sink. No entry may be added afterwards.
  Status Finish();

  // Bytes handed to the sink or waiting to be.
  uint64_t bytes_written() const { return offset_; }

  // `name` as a safe relative path: backslashes become slashes; empty,
  // "." and ".." parts, leading slashes and a drive's colon go; control
  // characters and invalid UTF-8 become "_". "file" if nothing is left.
  static std::string SafeName(std::string_view name);

 private:
  // What the central directory needs of each entry.
  struct Entry {
    std::string name;
    uint16_t dos_time = 0;
    uint16_t dos_date = 0;
    uint32_t crc = 0;
    uint64_t size = 0;
    uint64_t offset = 0;  // of the local header
    bool is_zip64_announced = false;
  };

  std::string UniqueName(const std::string& safe);
  Status WriteLocalHeader(const Entry& entry);
  Status WriteEntryData(Entry& entry, const ZipContent& content);
  Status WriteDataDescriptor(const Entry& entry);
  Status WriteCentralHeader(const Entry& entry);
  Status WriteEnd(uint64_t directory_offset, uint64_t directory_size);

  // Appends to the pending piece and hands full pieces to the sink.
  Status Emit(std::string_view bytes);
  Status Flush();
  // Remembers the first error; returns it.
  Status Fail(Status status);
  bool NeedsZip64(uint64_t value) const {
    return value >= options_.zip64_size_limit;
  }

  ZipSink sink_;
  ZipWriterOptions options_;
  std::string pending_;
  uint64_t offset_ = 0;
  std::vector<Entry> entries_;
  std::set<std::string> used_names_;  // lower-cased
  std::optional<Error> error_;
  bool is_finished_ = false;
};

}  // namespace eventface::http
