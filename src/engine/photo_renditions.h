#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "engine/image_decoder.h"

namespace eventface::engine {

// How MakeRenditions() sizes and encodes the renditions, and what it
// accepts.
struct RenditionOptions {
  // The decoder's byte and pixel limits (min_long_side is not used): an
  // original over them is refused from its header, before any pixel is
  // decoded.
  DecodeOptions limits;
  // Long sides of the two renditions; an original smaller than one is
  // kept at its own size, never enlarged.
  int thumbnail_long_side = 400;
  int preview_long_side = 1600;
  int jpeg_quality = 82;
};

// The smaller copies of a photo that attendees and photographers see: both
// upright (EXIF orientation applied), in sRGB, as baseline JPEG with every
// metadata block (EXIF, XMP, IPTC, ICC, GPS) removed, so that no camera
// serial or location leaves the server.
struct PhotoRenditions {
  std::string thumbnail;   // JPEG bytes, long side thumbnail_long_side
  std::string preview;     // JPEG bytes, long side preview_long_side
  cv::Size original_size;  // the original's upright size in pixels
};

// Makes the renditions of an original photo (JPEG, PNG, WebP or HEIF, as
// DecodeImage reads). Errors, as DecodeImage's: kTooLarge (bytes or pixels
// over the limits), kUnsupportedFormat, kCorruptData; kInternal if libvips
// cannot start. Thread-safe.
Result<PhotoRenditions> MakeRenditions(std::string_view original,
                                       const RenditionOptions& options = {});

}  // namespace eventface::engine
