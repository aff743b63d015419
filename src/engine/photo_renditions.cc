#include "engine/photo_renditions.h"

#include <glib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <vips/vips8>

namespace eventface::engine {
namespace {

// The loaders DecodeImage accepts; the same list, so that a photo whose
// renditions can be made is one the face engine can read, and vips's
// other loaders (TIFF, GIF, PDF...) stay out of reach of uploads.
constexpr std::array<std::string_view, 4> kAcceptedLoaders = {
    "VipsForeignLoadJpegBuffer", "VipsForeignLoadPngBuffer",
    "VipsForeignLoadWebpBuffer", "VipsForeignLoadHeifBuffer"};

bool StartVips() {
  static std::once_flag once;
  static bool started = false;
  std::call_once(once, [] {
    if (VIPS_INIT("eventface") != 0) return;
    vips_cache_set_max(0);
    vips_block_untrusted_set(TRUE);
    started = true;
  });
  return started;
}

std::string FirstLine(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  return text.empty() ? std::string("cannot make renditions")
                      : std::string(text);
}

Result<std::string_view> FindLoader(std::string_view bytes) {
  const char* loader =
      vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  vips_error_clear();  // the sniffer's "not a known format", if any
  if (loader == nullptr) {
    return Error{ErrorCode::kUnsupportedFormat, "not a known image format"};
  }
  for (std::string_view accepted : kAcceptedLoaders) {
    if (accepted == loader) return accepted;
  }
  // "VipsForeignLoadGifBuffer" -> "Gif", to name the refused format.
  std::string_view name = loader;
  name.remove_prefix(std::min(name.size(), std::strlen("VipsForeignLoad")));
  name = name.substr(0, name.rfind("Buffer"));
  return Error{ErrorCode::kUnsupportedFormat,
               std::string(name) + " images are not accepted"};
}

// The original's upright size, from its header alone; kTooLarge when its
// pixel count is over the limit. Throws vips::VError on a broken header.
Result<cv::Size> CheckHeader(std::string_view bytes,
                             const DecodeOptions& limits) {
  vips::VImage header = vips::VImage::new_from_buffer(
      bytes.data(), bytes.size(), "",
      vips::VImage::option()->set("access", VIPS_ACCESS_SEQUENTIAL));
  const uint64_t pixels = uint64_t(header.width()) * uint64_t(header.height());
  if (pixels > limits.max_pixels) {
    return Error{ErrorCode::kTooLarge, std::to_string(header.width()) + "x" +
                                           std::to_string(header.height()) +
                                           " is over the limit of " +
                                           std::to_string(limits.max_pixels) +
                                           " pixels"};
  }
  int orientation = 1;
  if (header.get_typeof(VIPS_META_ORIENTATION) != 0) {
    orientation = header.get_int(VIPS_META_ORIENTATION);
  }
  // Orientations 5 to 8 turn the image a quarter turn.
  if (orientation >= 5 && orientation <= 8) {
    return cv::Size(header.height(), header.width());
  }
  return cv::Size(header.width(), header.height());
}

// One rendition: shrunk on load where the format allows (JPEG by a power
// of two), resized to fit `long_side` without enlarging, turned upright,
// colour-managed to sRGB, saved as JPEG without metadata. Throws
// vips::VError.
std::string Render(std::string_view bytes, std::string_view loader,
                   int long_side, const RenditionOptions& options) {
  VipsBlob* blob = vips_blob_new(nullptr, bytes.data(), bytes.size());
  vips::VImage image;
  try {
    // libjpeg reports damaged data as warnings, so JPEG fails on them.
    VipsFailOn fail_on = loader == kAcceptedLoaders[0] ? VIPS_FAIL_ON_WARNING
                                                       : VIPS_FAIL_ON_ERROR;
    image = vips::VImage::thumbnail_buffer(blob, long_side,
                                           vips::VImage::option()
                                               ->set("height", long_side)
                                               ->set("size", VIPS_SIZE_DOWN)
                                               ->set("export_profile", "srgb")
                                               ->set("fail_on", fail_on));
    vips_area_unref(VIPS_AREA(blob));
  } catch (...) {
    vips_area_unref(VIPS_AREA(blob));
    throw;
  }
  VipsBlob* jpeg = image.jpegsave_buffer(vips::VImage::option()
                                             ->set("Q", options.jpeg_quality)
                                             ->set("strip", true));
  std::string saved(static_cast<const char*>(VIPS_AREA(jpeg)->data),
                    VIPS_AREA(jpeg)->length);
  vips_area_unref(VIPS_AREA(jpeg));
  return saved;
}

Result<PhotoRenditions> MakeWithVips(std::string_view bytes,
                                     std::string_view loader,
                                     const RenditionOptions& options) {
  auto size = CheckHeader(bytes, options.limits);
  if (!size.ok()) return std::move(size).error();
  PhotoRenditions renditions;
  renditions.original_size = *size;
  renditions.thumbnail =
      Render(bytes, loader, options.thumbnail_long_side, options);
  renditions.preview =
      Render(bytes, loader, options.preview_long_side, options);
  return renditions;
}

}  // namespace

Result<PhotoRenditions> MakeRenditions(std::string_view original,
                                       const RenditionOptions& options) {
  if (original.size() > options.limits.max_bytes) {
    return Error{ErrorCode::kTooLarge,
                 "image of " + std::to_string(original.size()) +
                     " bytes is over the limit of " +
                     std::to_string(options.limits.max_bytes)};
  }
  if (original.empty()) {
    return Error{ErrorCode::kUnsupportedFormat, "image is empty"};
  }
  if (!StartVips()) {
    return Error{ErrorCode::kInternal, "libvips failed to start"};
  }
  auto loader = FindLoader(original);
  if (!loader.ok()) return std::move(loader).error();

  Result<PhotoRenditions> result = [&]() -> Result<PhotoRenditions> {
    try {
      return MakeWithVips(original, *loader, options);
    } catch (const vips::VError& error) {
      return Error{ErrorCode::kCorruptData, FirstLine(error.what())};
    }
  }();
  vips_error_clear();
  return result;
}

}  // namespace eventface::engine
