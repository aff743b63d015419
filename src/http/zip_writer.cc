// The archive, as written (PKWARE APPNOTE 6.3; little-endian integers):
//
//   for each entry:
//     local file header   signature 0x04034b50, flags 0x0808 (sizes in the
//                         data descriptor, UTF-8 name), method 0 (stored),
//                         CRC and sizes zero; a ZIP64 extra field (0x0001)
//                         with zero sizes when the entry is announced as
//                         4 GiB or more
//     the entry's bytes
//     data descriptor     signature 0x08074b50, CRC-32, stored size and
//                         size: 8 bytes each when the local header has the
//                         ZIP64 field or the size needs it, else 4
//   central directory     one header per entry (signature 0x02014b50) with
//                         the CRC, sizes and local header offset; a value
//                         too large for its 4-byte field reads 0xFFFFFFFF
//                         and sits in a ZIP64 extra field instead
//   ZIP64 end record and  only when the entry count, the directory's size
//   its locator           or its offset is too large for the end record
//   end record            signature 0x06054b50, entry count, directory size
//                         and offset (0xFFFF / 0xFFFFFFFF when in ZIP64)
//
// Readers find entries through the central directory, so the local headers
// need not know sizes in advance: that is what makes streaming possible.

#include "http/zip_writer.h"

#include <zlib.h>

#include <algorithm>
#include <cassert>
#include <ctime>
#include <fstream>
#include <system_error>
#include <utility>

namespace eventface::http {
namespace {

constexpr uint32_t kLocalHeaderSignature = 0x04034b50;
constexpr uint32_t kDataDescriptorSignature = 0x08074b50;
constexpr uint32_t kCentralHeaderSignature = 0x02014b50;
constexpr uint32_t kZip64EndSignature = 0x06064b50;
constexpr uint32_t kZip64LocatorSignature = 0x07064b50;
constexpr uint32_t kEndSignature = 0x06054b50;

constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint16_t kFlags = 0x0808;  // bit 3: data descriptor; 11: UTF-8
constexpr uint16_t kMethodStored = 0;
constexpr uint16_t kVersionClassic = 20;  // 2.0: folders, descriptors
constexpr uint16_t kVersionZip64 = 45;    // 4.5: ZIP64
// Made by Unix, spec 4.5, so that the external attributes hold a mode.
constexpr uint16_t kVersionMadeBy = (3 << 8) | kVersionZip64;
constexpr uint32_t kRegularFileMode = 0100644;
constexpr uint32_t kMax32 = 0xFFFFFFFF;
constexpr uint16_t kMax16 = 0xFFFF;
constexpr size_t kFileReadPiece = 256 * 1024;

void Put16(std::string& out, uint16_t value) {
  out += static_cast<char>(value & 0xFF);
  out += static_cast<char>(value >> 8);
}

void Put32(std::string& out, uint32_t value) {
  Put16(out, static_cast<uint16_t>(value & 0xFFFF));
  Put16(out, static_cast<uint16_t>(value >> 16));
}

void Put64(std::string& out, uint64_t value) {
  Put32(out, static_cast<uint32_t>(value & kMax32));
  Put32(out, static_cast<uint32_t>(value >> 32));
}

// MS-DOS time and date, the only times every reader understands; they
// have no time zone, so UTC is written. Clamped to 1980..2107.
std::pair<uint16_t, uint16_t> DosTimeAndDate(Timestamp when) {
  std::time_t seconds = ToMillis(when) / 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  int year = utc.tm_year + 1900;
  if (year < 1980) return {0, (1 << 5) | 1};  // 1980-01-01 00:00:00
  if (year > 2107)
    return {(23 << 11) | (59 << 5) | 29, (127 << 9) | (12 << 5) | 31};
  auto time = static_cast<uint16_t>((utc.tm_hour << 11) | (utc.tm_min << 5) |
                                    (utc.tm_sec / 2));
  auto date = static_cast<uint16_t>(((year - 1980) << 9) |
                                    ((utc.tm_mon + 1) << 5) | utc.tm_mday);
  return {time, date};
}

// The length of the valid UTF-8 sequence at the start of `text`, or 0.
size_t Utf8SequenceLength(std::string_view text) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t length;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (text.size() < length) return 0;
  if (byte(1) < low || byte(1) > high) return 0;
  for (size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
  }
  return length;
}

// One path part with characters no file system takes replaced by "_".
std::string SafePart(std::string_view part) {
  std::string out;
  while (!part.empty()) {
    size_t length = Utf8SequenceLength(part);
    unsigned char c = static_cast<unsigned char>(part[0]);
    bool is_reserved =
        c < 0x20 || c == 0x7F ||
        std::string_view("<>:\"|?*").find(static_cast<char>(c)) !=
            std::string_view::npos;
    if (length == 0 || (length == 1 && is_reserved)) {
      out += '_';
      part.remove_prefix(1);
    } else {
      out += part.substr(0, length);
      part.remove_prefix(length);
    }
  }
  return out;
}

std::string AsciiLower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace

ZipWriter::ZipWriter(ZipSink sink, ZipWriterOptions options)
    : sink_(std::move(sink)), options_(options) {
  assert(options_.piece_size > 0);
}

std::string ZipWriter::SafeName(std::string_view name) {
  std::string path;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view part = name.substr(start, end - start);
    if (!part.empty() && part != "." && part != "..") {
      if (!path.empty()) path += '/';
      path += SafePart(part);
    }
    start = end + 1;
  }
  return path.empty() ? "file" : path;
}

std::string ZipWriter::UniqueName(const std::string& safe) {
  // Case is ignored: Windows and macOS would extract "A.jpg" over "a.jpg".
  if (used_names_.insert(AsciiLower(safe)).second) return safe;

  size_t base = safe.rfind('/') + 1;  // npos + 1 == 0
  size_t dot = safe.rfind('.');
  if (dot == std::string::npos || dot <= base) dot = safe.size();
  std::string stem = safe.substr(0, dot);
  std::string extension = safe.substr(dot);
  for (int copy = 2;; ++copy) {
    std::string candidate =
        stem + " (" + std::to_string(copy) + ")" + extension;
    if (used_names_.insert(AsciiLower(candidate)).second) return candidate;
  }
}

Result<std::string> ZipWriter::AddEntry(std::string_view name,
                                        Timestamp modified,
                                        const ZipContent& content,
                                        std::optional<uint64_t> size) {
  if (error_) return *error_;
  if (is_finished_) {
    return Error{ErrorCode::kInternal, "zip: entry added after Finish"};
  }
  std::string safe = SafeName(name);
  // The suffix of a duplicate adds at most a dozen bytes.
  if (safe.size() > kMax16 - 16) {
    return Error{ErrorCode::kInvalidArgument, "zip: entry name of " +
                                                  std::to_string(safe.size()) +
                                                  " bytes is too long"};
  }

  Entry entry;
  entry.name = UniqueName(safe);
  std::tie(entry.dos_time, entry.dos_date) = DosTimeAndDate(modified);
  entry.offset = offset_;
  entry.is_zip64_announced = size && NeedsZip64(*size);

  Status written = WriteLocalHeader(entry);
  if (written.ok()) written = WriteEntryData(entry, content);
  if (written.ok()) written = WriteDataDescriptor(entry);
  if (!written.ok()) return written.error();
  entries_.push_back(entry);
  return entry.name;
}

Result<std::string> ZipWriter::AddFile(std::string_view name,
                                       Timestamp modified,
                                       const std::filesystem::path& path) {
  std::error_code error;
  uint64_t size = std::filesystem::file_size(path, error);
  if (error) {
    ErrorCode code = error == std::errc::no_such_file_or_directory
                         ? ErrorCode::kNotFound
                         : ErrorCode::kIoError;
    return Error{code, path.string() + ": " + error.message()};
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return Error{ErrorCode::kIoError, path.string() + ": cannot open"};

  auto read = [&](const ZipSink& write) -> Status {
    std::string piece(kFileReadPiece, '\0');
    while (file) {
      file.read(piece.data(), static_cast<std::streamsize>(piece.size()));
      auto count = static_cast<size_t>(file.gcount());
      if (count == 0) break;
      Status written = write(std::string_view(piece.data(), count));
      if (!written.ok()) return written;
    }
    if (file.bad()) {
      return Error{ErrorCode::kIoError, path.string() + ": read failed"};
    }
    return Status();
  };
  return AddEntry(name, modified, read, size);
}

Status ZipWriter::Finish() {
  if (error_) return *error_;
  if (is_finished_) return Error{ErrorCode::kInternal, "zip: finished twice"};
  is_finished_ = true;

  uint64_t directory_offset = offset_;
  for (const Entry& entry : entries_) {
    Status written = WriteCentralHeader(entry);
    if (!written.ok()) return written;
  }
  Status written = WriteEnd(directory_offset, offset_ - directory_offset);
  if (!written.ok()) return written;
  return Flush();
}

Status ZipWriter::WriteLocalHeader(const Entry& entry) {
  std::string header;
  Put32(header, kLocalHeaderSignature);
  Put16(header, entry.is_zip64_announced ? kVersionZip64 : kVersionClassic);
  Put16(header, kFlags);
  Put16(header, kMethodStored);
  Put16(header, entry.dos_time);
  Put16(header, entry.dos_date);
  Put32(header, 0);  // CRC-32: in the data descriptor
  // With the ZIP64 field, the sizes read "see the extra field".
  uint32_t size_field = entry.is_zip64_announced ? kMax32 : 0;
  Put32(header, size_field);
  Put32(header, size_field);
  Put16(header, static_cast<uint16_t>(entry.name.size()));
  Put16(header, entry.is_zip64_announced ? 20 : 0);
  header += entry.name;
  if (entry.is_zip64_announced) {
    Put16(header, kZip64ExtraId);
    Put16(header, 16);
    Put64(header, 0);  // size and stored size: in the data descriptor
    Put64(header, 0);
  }
  return Emit(header);
}

Status ZipWriter::WriteEntryData(Entry& entry, const ZipContent& content) {
  uLong crc = crc32_z(0, nullptr, 0);
  uint64_t size = 0;
  ZipSink write = [&](std::string_view piece) -> Status {
    crc = crc32_z(crc, reinterpret_cast<const Bytef*>(piece.data()),
                  piece.size());
    size += piece.size();
    return Emit(piece);
  };
  Status written = content(write);
  if (!written.ok()) return Fail(written);
  // The content function may have dropped an error of `write`.
  if (error_) return *error_;
  entry.crc = static_cast<uint32_t>(crc);
  entry.size = size;
  return Status();
}

Status ZipWriter::WriteDataDescriptor(const Entry& entry) {
  std::string descriptor;
  Put32(descriptor, kDataDescriptorSignature);
  Put32(descriptor, entry.crc);
  if (entry.is_zip64_announced || NeedsZip64(entry.size)) {
    Put64(descriptor, entry.size);
    Put64(descriptor, entry.size);
  } else {
    Put32(descriptor, static_cast<uint32_t>(entry.size));
    Put32(descriptor, static_cast<uint32_t>(entry.size));
  }
  return Emit(descriptor);
}

Status ZipWriter::WriteCentralHeader(const Entry& entry) {
  bool is_size_zip64 = NeedsZip64(entry.size);
  bool is_offset_zip64 = NeedsZip64(entry.offset);
  std::string extra;
  if (is_size_zip64 || is_offset_zip64) {
    Put16(extra, kZip64ExtraId);
    Put16(extra, static_cast<uint16_t>((is_size_zip64 ? 16 : 0) +
                                       (is_offset_zip64 ? 8 : 0)));
    if (is_size_zip64) {
      Put64(extra, entry.size);
      Put64(extra, entry.size);
    }
    if (is_offset_zip64) Put64(extra, entry.offset);
  }
  bool is_zip64 = !extra.empty() || entry.is_zip64_announced;

  std::string header;
  Put32(header, kCentralHeaderSignature);
  Put16(header, kVersionMadeBy);
  Put16(header, is_zip64 ? kVersionZip64 : kVersionClassic);
  Put16(header, kFlags);
  Put16(header, kMethodStored);
  Put16(header, entry.dos_time);
  Put16(header, entry.dos_date);
  Put32(header, entry.crc);
  uint32_t size_field =
      is_size_zip64 ? kMax32 : static_cast<uint32_t>(entry.size);
  Put32(header, size_field);
  Put32(header, size_field);
  Put16(header, static_cast<uint16_t>(entry.name.size()));
  Put16(header, static_cast<uint16_t>(extra.size()));
  Put16(header, 0);  // comment length
  Put16(header, 0);  // disk number
  Put16(header, 0);  // internal attributes
  Put32(header, kRegularFileMode << 16);
  Put32(header, is_offset_zip64 ? kMax32 : static_cast<uint32_t>(entry.offset));
  header += entry.name;
  header += extra;
  return Emit(header);
}

Status ZipWriter::WriteEnd(uint64_t directory_offset, uint64_t directory_size) {
  uint64_t count = entries_.size();
  bool is_count_zip64 = count >= options_.zip64_entry_limit;
  bool is_size_zip64 = NeedsZip64(directory_size);
  bool is_offset_zip64 = NeedsZip64(directory_offset);

  std::string end;
  if (is_count_zip64 || is_size_zip64 || is_offset_zip64) {
    uint64_t zip64_end_offset = offset_;
    Put32(end, kZip64EndSignature);
    Put64(end, 44);  // the record's size after this field
    Put16(end, kVersionMadeBy);
    Put16(end, kVersionZip64);
    Put32(end, 0);  // this disk
    Put32(end, 0);  // the directory's disk
    Put64(end, count);
    Put64(end, count);
    Put64(end, directory_size);
    Put64(end, directory_offset);

    Put32(end, kZip64LocatorSignature);
    Put32(end, 0);  // the ZIP64 end record's disk
    Put64(end, zip64_end_offset);
    Put32(end, 1);  // disks
  }
  Put32(end, kEndSignature);
  Put16(end, 0);  // this disk
  Put16(end, 0);  // the directory's disk
  uint16_t count_field = is_count_zip64 ? kMax16 : static_cast<uint16_t>(count);
  Put16(end, count_field);
  Put16(end, count_field);
  Put32(end, is_size_zip64 ? kMax32 : static_cast<uint32_t>(directory_size));
  Put32(end,
        is_offset_zip64 ? kMax32 : static_cast<uint32_t>(directory_offset));
  Put16(end, 0);  // comment length
  return Emit(end);
}

Status ZipWriter::Emit(std::string_view bytes) {
  if (error_) return *error_;
  if (pending_.capacity() < options_.piece_size) {
    pending_.reserve(options_.piece_size);
  }
  while (!bytes.empty()) {
    size_t room = options_.piece_size - pending_.size();
    size_t taken = std::min(room, bytes.size());
    pending_.append(bytes.substr(0, taken));
    offset_ += taken;
    bytes.remove_prefix(taken);
    if (pending_.size() == options_.piece_size) {
      Status flushed = Flush();
      if (!flushed.ok()) return flushed;
    }
  }
  return Status();
}

Status ZipWriter::Flush() {
  if (pending_.empty()) return Status();
  Status sent = sink_(pending_);
  pending_.clear();
  if (!sent.ok()) return Fail(sent);
  return Status();
}

Status ZipWriter::Fail(Status status) {
  assert(!status.ok());
  if (!error_) error_ = status.error();
  return *error_;
}

}  // namespace eventface::http
