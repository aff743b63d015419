#pragma once

#include <cstdint>
#include <opencv2/core.hpp>
#include <string>
#include <string_view>

#include "core/result.h"

namespace eventface::engine {

struct DecodeOptions {
  // Checked before any pixel is decoded; over either gives kTooLarge.
  size_t max_bytes = 50u << 20;
  uint64_t max_pixels = 100'000'000;
  // When positive, a JPEG (or other format whose loader can shrink) is
  // shrunk on load by the largest power of two that keeps its long side at
  // least this many pixels. 0 decodes at full size.
  int min_long_side = 0;
};

// An image ready for the face engine: 8-bit RGB, upright (EXIF orientation
// applied), alpha dropped, grey expanded to three channels, 16-bit scaled
// to 8.
struct DecodedImage {
  cv::Mat rgb;         // CV_8UC3, owned
  cv::Size full_size;  // upright size before any shrink-on-load
  std::string format;  // "jpeg", "png", "webp", "heif", ...
  // rgb.cols / full_size.width: multiply face coordinates by 1 / scale to
  // get pixels of the full image.
  double scale = 1.0;
};

// Decodes an image from memory with libvips, recognising the format by
// content, not by name. Errors: kTooLarge (bytes or pixels over the limits,
// checked from the header before decoding), kUnsupportedFormat (not an
// image we read), kCorruptData (truncated or broken). Never crashes or
// hangs on hostile input. Thread-safe.
Result<DecodedImage> DecodeImage(std::string_view bytes,
                                 const DecodeOptions& options = {});

// What an image's header says, without decoding its pixels.
struct ImageInfo {
  cv::Size full_size;  // upright
  std::string format;  // as DecodedImage::format
};

// Checks `bytes` as DecodeImage() does (limits, format, a readable header)
// but decodes no pixel: quick enough to vet an upload in a request. An
// image that passes may still fail to decode past its header.
Result<ImageInfo> ProbeImage(std::string_view bytes,
                             const DecodeOptions& options = {});

}  // namespace eventface::engine
