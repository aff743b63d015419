#include "engine/image_decoder.h"

#include <glib.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <mutex>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vips/vips8>

namespace eventface::engine {
namespace {

// The formats we read. vips_foreign_find_load_buffer() names the loader
// class whose sniffer recognises the bytes; anything else it recognises
// (GIF, TIFF, PDF, SVG, ImageMagick...) is refused: photos and selfies come
// as JPEG, PNG, WebP or HEIF, and every extra loader is attack surface.
struct AcceptedFormat {
  const char* loader_class;
  const char* name;
  vips::VImage (*load)(VipsBlob* buffer, vips::VOption* options);
};

constexpr AcceptedFormat kAcceptedFormats[] = {
    {"VipsForeignLoadJpegBuffer", "jpeg", &vips::VImage::jpegload_buffer},
    {"VipsForeignLoadPngBuffer", "png", &vips::VImage::pngload_buffer},
    {"VipsForeignLoadWebpBuffer", "webp", &vips::VImage::webpload_buffer},
    {"VipsForeignLoadHeifBuffer", "heif", &vips::VImage::heifload_buffer},
};

// libjpeg reports corrupt entropy-coded data as warnings, not errors, so
// JPEG loads with fail_on=warning; other loaders report real damage as
// errors, and their warnings (an odd ancillary PNG chunk) are harmless.
VipsFailOn FailOnFor(const AcceptedFormat& format) {
  return format.load == &vips::VImage::jpegload_buffer ? VIPS_FAIL_ON_WARNING
                                                       : VIPS_FAIL_ON_ERROR;
}

// vips 8.14's JPEG loader checks fail_on only before each strip of rows, so
// damage that libjpeg notices in the last strip (a marker where data should
// be, after which libjpeg fills in grey) shows only as the warning "read
// gave N warnings", logged on the decoding thread when the loader closes.
// While a WarningCapture lives, VIPS warnings logged on its thread are kept
// from stderr and that one is remembered. (vips logs the error buffer's
// text after it, but that buffer is shared by all threads, so it is not
// trusted to describe this image.)
class WarningCapture {
 public:
  WarningCapture() : previous_(current_) { current_ = this; }
  ~WarningCapture() { current_ = previous_; }
  WarningCapture(const WarningCapture&) = delete;
  WarningCapture& operator=(const WarningCapture&) = delete;

  // "read gave N warnings" if libjpeg warned while decoding; empty if not.
  const std::string& jpeg_warning() const { return jpeg_warning_; }

  static void OnVipsLog(const gchar* domain, GLogLevelFlags level,
                        const gchar* message, gpointer user_data) {
    if (current_ == nullptr) {
      g_log_default_handler(domain, level, message, user_data);
      return;
    }
    std::string_view text = message == nullptr ? "" : message;
    if (text.starts_with("read gave")) {
      current_->jpeg_warning_ = text.substr(0, text.find('\n'));
    }
  }

 private:
  static thread_local WarningCapture* current_;
  WarningCapture* previous_;
  std::string jpeg_warning_;
};

thread_local WarningCapture* WarningCapture::current_ = nullptr;

// Starts libvips once per process. Returns false if it cannot start.
bool StartVips() {
  static std::once_flag once;
  static bool started = false;
  std::call_once(once, [] {
    if (VIPS_INIT("eventface") != 0) return;
    // Each decode is new bytes; cached operations would only hold memory.
    vips_cache_set_max(0);
    // Defence in depth: loaders vips marks as unsafe for untrusted input
    // (ImageMagick, PDF, SVG...) cannot run even if asked for by name.
    vips_block_untrusted_set(TRUE);
    g_log_set_handler("VIPS", G_LOG_LEVEL_WARNING, &WarningCapture::OnVipsLog,
                      nullptr);
    started = true;
  });
  return started;
}

// The first line of a vips error, which names the loader and the fault;
// the rest repeats it through each operation that was running.
std::string FirstLine(std::string_view text) {
  text = text.substr(0, text.find('\n'));
  return text.empty() ? std::string("decoding failed") : std::string(text);
}

// "VipsForeignLoadPdfBuffer" -> "pdf", to name a refused format.
std::string ShortLoaderName(std::string_view loader_class) {
  constexpr std::string_view kPrefix = "VipsForeignLoad";
  constexpr std::string_view kSuffix = "Buffer";
  if (loader_class.starts_with(kPrefix)) {
    loader_class.remove_prefix(kPrefix.size());
  }
  if (loader_class.ends_with(kSuffix)) {
    loader_class.remove_suffix(kSuffix.size());
  }
  std::string name(loader_class);
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return name;
}

Result<const AcceptedFormat*> FindFormat(std::string_view bytes) {
  const char* loader =
      vips_foreign_find_load_buffer(bytes.data(), bytes.size());
  if (loader == nullptr) {
    return Error{ErrorCode::kUnsupportedFormat, "not a known image format"};
  }
  for (const AcceptedFormat& format : kAcceptedFormats) {
    if (std::string_view(loader) == format.loader_class) return &format;
  }
  return Error{ErrorCode::kUnsupportedFormat,
               ShortLoaderName(loader) + " images are not accepted"};
}

// Opens the image lazily: only the header is read until pixels are asked
// for. The bytes must outlive the returned image, which does not copy them.
vips::VImage Open(const AcceptedFormat& format, std::string_view bytes,
                  int shrink) {
  VipsBlob* blob = vips_blob_new(nullptr, bytes.data(), bytes.size());
  vips::VOption* options = vips::VImage::option()
                               ->set("access", VIPS_ACCESS_SEQUENTIAL)
                               ->set("fail_on", FailOnFor(format));
  if (shrink > 1) options->set("shrink", shrink);
  try {
    vips::VImage image = format.load(blob, options);
    vips_area_unref(VIPS_AREA(blob));
    return image;
  } catch (...) {
    vips_area_unref(VIPS_AREA(blob));
    throw;
  }
}

// EXIF orientation 1..8; 1 when absent or out of range. (The HEIF loader
// has already applied the container's rotation and drops the tag.)
int Orientation(const vips::VImage& image) {
  if (image.get_typeof(VIPS_META_ORIENTATION) == 0) return 1;
  int orientation = image.get_int(VIPS_META_ORIENTATION);
  return orientation >= 1 && orientation <= 8 ? orientation : 1;
}

// Orientations 5 to 8 turn the image a quarter turn.
cv::Size UprightSize(int width, int height, int orientation) {
  return orientation >= 5 ? cv::Size(height, width) : cv::Size(width, height);
}

// The largest JPEG DCT shrink (8, 4 or 2) whose output keeps the long side
// at least min_long_side. The shrunk size is rounded down (vips crops
// libjpeg's rounded-up output), so 203 px shrunk by 8 gives 25.
int ChooseShrink(int long_side, int min_long_side) {
  for (int shrink : {8, 4, 2}) {
    if (long_side / shrink >= min_long_side) return shrink;
  }
  return 1;
}

// Keeps one grey or three colour bands, dropping alpha without blending
// (as the reference decoders do) and turning CMYK into sRGB through the
// embedded ICC profile, or vips's built-in CMYK profile when there is none.
// The ICC profile of an RGB image is ignored, as the reference does.
vips::VImage ColourBands(vips::VImage image) {
  if (image.interpretation() == VIPS_INTERPRETATION_CMYK) {
    image = image.colourspace(VIPS_INTERPRETATION_sRGB);
  }
  int bands = image.bands() >= 3 ? 3 : 1;
  if (image.bands() != bands) {
    image = image.extract_band(0, vips::VImage::option()->set("n", bands));
  }
  if (image.format() != VIPS_FORMAT_UCHAR &&
      image.format() != VIPS_FORMAT_USHORT) {
    image = image.cast(VIPS_FORMAT_UCHAR);
  }
  return image;
}

// Computes every pixel of `image` into a new cv::Mat (8 or 16 bits, one or
// three channels, as the image is), top to bottom in strips so the
// sequential loader streams and only one strip is held twice.
//
// The work runs on the calling thread, not in vips's thread pool. Through
// the pool (VImage::write), a JPEG strip that failed was now and then
// logged as "error in tile" yet the write succeeded, handing on a half-grey
// image. Here a failure throws from prepare(), and the loader closes on
// this thread, where WarningCapture hears its last warning.
cv::Mat Render(const vips::VImage& image) {
  const bool wide = image.format() == VIPS_FORMAT_USHORT;
  cv::Mat pixels(image.height(), image.width(),
                 CV_MAKETYPE(wide ? CV_16U : CV_8U, image.bands()));
  const size_t row_bytes = pixels.cols * pixels.elemSize();
  constexpr int kStripRows = 128;
  vips::VRegion region = vips::VRegion::new_from_image(image);
  for (int top = 0; top < pixels.rows; top += kStripRows) {
    const int rows = std::min(kStripRows, pixels.rows - top);
    region.prepare(0, top, pixels.cols, rows);
    for (int y = top; y < top + rows; ++y) {
      std::memcpy(pixels.ptr(y), region.addr(0, y), row_bytes);
    }
  }
  return pixels;
}

// Applies an EXIF orientation (2..8) with vips's autorot.
cv::Mat TurnUpright(const cv::Mat& stored, int orientation) {
  vips::VImage image = vips::VImage::new_from_memory(
      stored.data, stored.total() * stored.elemSize(), stored.cols, stored.rows,
      stored.channels(),
      stored.depth() == CV_16U ? VIPS_FORMAT_USHORT : VIPS_FORMAT_UCHAR);
  image.set(VIPS_META_ORIENTATION, orientation);
  return Render(image.autorot());
}

// 16-bit samples become round(v / 257), which maps 0..65535 onto 0..255
// exactly as the reference PNG decoder does; grey is copied to R, G and B.
cv::Mat ToRgb8(const cv::Mat& pixels) {
  cv::Mat narrow = pixels;
  if (pixels.depth() == CV_16U) pixels.convertTo(narrow, CV_8U, 1.0 / 257.0);
  if (narrow.channels() == 3) return narrow;
  cv::Mat rgb;
  cv::cvtColor(narrow, rgb, cv::COLOR_GRAY2RGB);
  return rgb;
}

std::string FormatName(const AcceptedFormat& format,
                       const vips::VImage& image) {
  const char* kCompression = "heif-compression";
  if (image.get_typeof(kCompression) != 0 &&
      std::string_view(image.get_string(kCompression)) == "av1") {
    return "avif";
  }
  return format.name;
}

// Opens the image's header and checks its pixel count against the limit,
// before any pixel is decoded, so that a tiny file that declares a huge
// image costs nothing. Throws vips::VError.
Result<vips::VImage> OpenWithinLimits(const AcceptedFormat& format,
                                      std::string_view bytes,
                                      const DecodeOptions& options) {
  vips::VImage image = Open(format, bytes, 1);
  const uint64_t pixel_count =
      uint64_t(image.width()) * uint64_t(image.height());
  if (pixel_count > options.max_pixels) {
    return Error{ErrorCode::kTooLarge,
                 std::string(format.name) + ": " +
                     std::to_string(image.width()) + "x" +
                     std::to_string(image.height()) + " is over the limit of " +
                     std::to_string(options.max_pixels) + " pixels"};
  }
  return image;
}

ImageInfo Describe(const AcceptedFormat& format, const vips::VImage& image) {
  return ImageInfo{
      UprightSize(image.width(), image.height(), Orientation(image)),
      FormatName(format, image)};
}

Result<ImageInfo> Probe(const AcceptedFormat& format, std::string_view bytes,
                        const DecodeOptions& options) {
  auto image = OpenWithinLimits(format, bytes, options);
  if (!image) return std::move(image).error();
  return Describe(format, *image);
}

// Everything that talks to vips; throws vips::VError.
Result<DecodedImage> Decode(const AcceptedFormat& format,
                            std::string_view bytes,
                            const DecodeOptions& options) {
  auto opened = OpenWithinLimits(format, bytes, options);
  if (!opened) return std::move(opened).error();
  vips::VImage image = *opened;
  const int orientation = Orientation(image);
  ImageInfo info = Describe(format, image);
  DecodedImage decoded;
  decoded.full_size = info.full_size;
  decoded.format = info.format;

  // Shrink-on-load works on the stored image; the long side is the same
  // either way up.
  if (options.min_long_side > 0 &&
      format.load == &vips::VImage::jpegload_buffer) {
    int shrink = ChooseShrink(std::max(image.width(), image.height()),
                              options.min_long_side);
    if (shrink > 1) image = Open(format, bytes, shrink);
  }

  // autorot needs random access, which the sequential load cannot give,
  // so the stored image is decoded first.
  cv::Mat pixels = Render(ColourBands(image));
  if (orientation != 1) pixels = TurnUpright(pixels, orientation);
  decoded.rgb = ToRgb8(pixels);
  decoded.scale = double(decoded.rgb.cols) / decoded.full_size.width;
  return decoded;
}

// Checks `bytes` against the limits, finds their format and runs
// `work(format, bytes, options)` (Probe or Decode), turning libvips'
// exceptions and the JPEG loader's warnings into errors.
template <typename T>
Result<T> RunVips(std::string_view bytes, const DecodeOptions& options,
                  Result<T> (*work)(const AcceptedFormat&, std::string_view,
                                    const DecodeOptions&)) {
  if (bytes.size() > options.max_bytes) {
    return Error{ErrorCode::kTooLarge, "image of " +
                                           std::to_string(bytes.size()) +
                                           " bytes is over the limit of " +
                                           std::to_string(options.max_bytes)};
  }
  if (bytes.empty()) {
    return Error{ErrorCode::kUnsupportedFormat, "image is empty"};
  }
  if (!StartVips()) {
    return Error{ErrorCode::kInternal, "libvips failed to start"};
  }

  auto format = FindFormat(bytes);
  vips_error_clear();  // the sniffer's "not a known format", if any
  if (!format.ok()) return std::move(format).error();

  WarningCapture warnings;
  Result<T> result = [&]() -> Result<T> {
    try {
      return work(**format, bytes, options);
    } catch (const vips::VError& error) {
      return Error{ErrorCode::kCorruptData, std::string((*format)->name) +
                                                ": " + FirstLine(error.what())};
    }
  }();
  vips_error_clear();

  // Every vips image of this call is gone by now, so the JPEG loader has
  // closed and logged any warning it kept to itself.
  if (result.ok() && !warnings.jpeg_warning().empty()) {
    return Error{ErrorCode::kCorruptData, std::string((*format)->name) +
                                              ": corrupt data (libjpeg: " +
                                              warnings.jpeg_warning() + ")"};
  }
  return result;
}

}  // namespace

Result<DecodedImage> DecodeImage(std::string_view bytes,
                                 const DecodeOptions& options) {
  return RunVips<DecodedImage>(bytes, options, &Decode);
}

Result<ImageInfo> ProbeImage(std::string_view bytes,
                             const DecodeOptions& options) {
  return RunVips<ImageInfo>(bytes, options, &Probe);
}

}  // namespace eventface::engine
