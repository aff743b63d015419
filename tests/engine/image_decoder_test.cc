#include "engine/image_decoder.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>
#include <vips/vips8>

#include "testing/images.h"
#include "testing/reference_fixtures.h"
#include "testing/shared_data.h"

namespace eventface::engine {
namespace {

// ---------------------------------------------------------------------------
// Test inputs are made here with libvips from pictures drawn with OpenCV, so
// each test states exactly what its file holds.

void StartVipsForTests() { ASSERT_TRUE(testing::StartVips()); }

// Smooth gradients (kind to lossy codecs) and a bright block in the upper
// left, so that a flip or a quarter turn cannot go unnoticed.
cv::Mat MakePicture(int width = 160, int height = 96) {
  cv::Mat picture(height, width, CV_8UC3);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      picture.at<cv::Vec3b>(y, x) = {
          static_cast<uint8_t>(40 + x * 160 / width),
          static_cast<uint8_t>(60 + y * 150 / height),
          static_cast<uint8_t>(200 - (x + y) * 120 / (width + height))};
    }
  }
  cv::rectangle(picture, cv::Rect(width / 8, height / 6, width / 4, height / 3),
                cv::Scalar(250, 235, 40), cv::FILLED);
  return picture;
}

// Noise compresses badly, which gives JPEG a long entropy-coded segment to
// damage.
cv::Mat MakeNoise(int side) {
  cv::Mat noise(side, side, CV_8UC3);
  cv::RNG rng(7);
  rng.fill(noise, cv::RNG::UNIFORM, 0, 256);
  return noise;
}

// A vips image holding its own copy of `pixels` (8 or 16 bits, 1 to 4
// channels), so the cv::Mat may go away first.
vips::VImage ToVips(const cv::Mat& pixels) {
  StartVipsForTests();
  const bool wide = pixels.depth() == CV_16U;
  const int bands = pixels.channels();
  VipsImage* copy = vips_image_new_from_memory_copy(
      pixels.data, pixels.total() * pixels.elemSize(), pixels.cols, pixels.rows,
      bands, wide ? VIPS_FORMAT_USHORT : VIPS_FORMAT_UCHAR);
  if (copy == nullptr) throw vips::VError();
  VipsInterpretation interpretation =
      bands >= 3
          ? (wide ? VIPS_INTERPRETATION_RGB16 : VIPS_INTERPRETATION_sRGB)
          : (wide ? VIPS_INTERPRETATION_GREY16 : VIPS_INTERPRETATION_B_W);
  return vips::VImage(copy).copy(
      vips::VImage::option()->set("interpretation", interpretation));
}

// Encodes with the saver vips picks for `suffix` (".jpg", ".png"...).
std::string Encode(const vips::VImage& image, const char* suffix,
                   vips::VOption* options = nullptr) {
  void* buffer = nullptr;
  size_t size = 0;
  image.write_to_buffer(suffix, &buffer, &size, options);
  std::string bytes(static_cast<const char*>(buffer), size);
  g_free(buffer);
  return bytes;
}

std::string Encode(const cv::Mat& pixels, const char* suffix,
                   vips::VOption* options = nullptr) {
  return Encode(ToVips(pixels), suffix, options);
}

// HEIF through libheif; empty when this machine has no encoder for it.
std::string EncodeHeif(const vips::VImage& image,
                       VipsForeignHeifCompression how) {
  try {
    return Encode(image, ".heic",
                  vips::VImage::option()->set("compression", how));
  } catch (const vips::VError&) {
    vips_error_clear();
    return {};
  }
}

std::string EncodeHeif(const cv::Mat& pixels, VipsForeignHeifCompression how) {
  return EncodeHeif(ToVips(pixels), how);
}

// The same picture tagged with an EXIF orientation, stored so that applying
// the orientation gives `upright` back.
vips::VImage StoreWithOrientation(const cv::Mat& upright, int orientation) {
  vips::VImage image = ToVips(upright);
  switch (orientation) {
    case 2:
      image = image.flip(VIPS_DIRECTION_HORIZONTAL);
      break;
    case 3:
      image = image.rot(VIPS_ANGLE_D180);
      break;
    case 4:
      image = image.flip(VIPS_DIRECTION_VERTICAL);
      break;
    case 5:  // transpose
      image = image.rot(VIPS_ANGLE_D90).flip(VIPS_DIRECTION_HORIZONTAL);
      break;
    case 6:  // shown turned a quarter clockwise, so stored anticlockwise
      image = image.rot(VIPS_ANGLE_D270);
      break;
    case 7:  // transverse
      image = image.rot(VIPS_ANGLE_D90).flip(VIPS_DIRECTION_VERTICAL);
      break;
    case 8:
      image = image.rot(VIPS_ANGLE_D90);
      break;
  }
  image = image.copy_memory();
  image.set(VIPS_META_ORIENTATION, orientation);
  return image;
}

// vips writes a PNG's orientation only into an EXIF block the image already
// has (JPEG and WebP get one made), so borrow a block from a tiny JPEG.
// Attaching the block resets the orientation from it, so set it again.
vips::VImage WithExifBlock(vips::VImage image) {
  const int orientation = image.get_int(VIPS_META_ORIENTATION);
  vips::VImage tiny = ToVips(cv::Mat(1, 1, CV_8UC3, cv::Scalar(0, 0, 0)));
  tiny.set(VIPS_META_ORIENTATION, 1);
  vips::VImage loaded = vips::VImage::new_from_buffer(Encode(tiny, ".jpg"), "");
  size_t size = 0;
  const void* exif = loaded.get_blob(VIPS_META_EXIF_NAME, &size);
  image = image.copy();
  vips_image_set_blob_copy(image.get_image(), VIPS_META_EXIF_NAME, exif, size);
  image.set(VIPS_META_ORIENTATION, orientation);
  return image;
}

double MeanAbsDifference(const cv::Mat& a, const cv::Mat& b) {
  return cv::norm(a, b, cv::NORM_L1) / (a.total() * a.channels());
}

double MaxAbsDifference(const cv::Mat& a, const cv::Mat& b) {
  return cv::norm(a, b, cv::NORM_INF);
}

// The picture as the decoder should give it: RGB, 8 bits, three channels.
void ExpectRgbImage(const DecodedImage& decoded, cv::Size size) {
  EXPECT_EQ(decoded.rgb.type(), CV_8UC3);
  EXPECT_EQ(decoded.rgb.size(), size);
  EXPECT_EQ(decoded.full_size, size);
  EXPECT_DOUBLE_EQ(decoded.scale, 1.0);
}

void ExpectError(const Result<DecodedImage>& result, ErrorCode code) {
  ASSERT_FALSE(result.ok()) << "decoded, expected " << ErrorCodeName(code);
  EXPECT_EQ(ErrorCodeName(result.error().code), ErrorCodeName(code))
      << result.error().message;
  EXPECT_FALSE(result.error().message.empty());
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos)
      << result.error().message;
}

// Puts a marker (0xFF then `code`) into a JPEG `fraction` of the way
// through its bytes: libjpeg stops there and fills the rest with grey.
std::string WithMarkerAt(std::string jpeg, double fraction, uint8_t code) {
  size_t at = static_cast<size_t>(fraction * jpeg.size());
  jpeg[at] = static_cast<char>(0xFF);
  jpeg[at + 1] = static_cast<char>(code);
  return jpeg;
}

// ---------------------------------------------------------------------------
// CRC-32, to forge PNG headers.

uint32_t Crc32(std::string_view bytes) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char byte : bytes) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
  }
  return ~crc;
}

void PutBigEndian32(std::string& bytes, size_t at, uint32_t value) {
  for (int i = 0; i < 4; ++i) {
    bytes[at + i] = static_cast<char>(value >> (24 - 8 * i));
  }
}

// ---------------------------------------------------------------------------
// Formats.

TEST(ImageDecoderTest, DecodesBaselineJpeg) {
  cv::Mat picture = MakePicture();
  auto decoded = DecodeImage(
      Encode(picture, ".jpg", vips::VImage::option()->set("Q", 95)));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->format, "jpeg");
  ExpectRgbImage(*decoded, picture.size());
  EXPECT_LT(MeanAbsDifference(decoded->rgb, picture), 2.0);
}

TEST(ImageDecoderTest, DecodesProgressiveJpeg) {
  cv::Mat picture = MakePicture();
  auto decoded = DecodeImage(
      Encode(picture, ".jpg",
             vips::VImage::option()->set("Q", 95)->set("interlace", true)));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->format, "jpeg");
  ExpectRgbImage(*decoded, picture.size());
  EXPECT_LT(MeanAbsDifference(decoded->rgb, picture), 2.0);
}

// The picture with its colours pulled halfway to grey: saturated sRGB
// colours lie outside a printing gamut and could not survive CMYK.
cv::Mat MakePrintablePicture() {
  cv::Mat muted;
  MakePicture().convertTo(muted, CV_8U, 0.5, 64);
  return muted;
}

std::string EncodeCmykJpeg(const cv::Mat& picture, bool keep_profile) {
  vips::VImage cmyk = ToVips(picture).icc_export(
      vips::VImage::option()->set("output_profile", "cmyk"));
  EXPECT_EQ(cmyk.interpretation(), VIPS_INTERPRETATION_CMYK);
  return Encode(
      cmyk, ".jpg",
      vips::VImage::option()->set("Q", 95)->set("strip", !keep_profile));
}

TEST(ImageDecoderTest, ConvertsCmykJpegToSrgbWithItsEmbeddedProfile) {
  cv::Mat picture = MakePrintablePicture();
  auto decoded = DecodeImage(EncodeCmykJpeg(picture, true));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, picture.size());
  // Taking C, M, Y as inverted R, G, B would be off by tens of levels.
  EXPECT_LT(MeanAbsDifference(decoded->rgb, picture), 2.5);
  EXPECT_LE(MaxAbsDifference(decoded->rgb, picture), 16);
}

TEST(ImageDecoderTest, ConvertsCmykJpegWithoutProfileToSrgb) {
  cv::Mat picture = MakePrintablePicture();
  auto decoded = DecodeImage(EncodeCmykJpeg(picture, false));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, picture.size());
  EXPECT_LT(MeanAbsDifference(decoded->rgb, picture), 2.5);
  EXPECT_LE(MaxAbsDifference(decoded->rgb, picture), 16);
}

TEST(ImageDecoderTest, DecodesRgbPngExactly) {
  cv::Mat picture = MakePicture();
  auto decoded = DecodeImage(Encode(picture, ".png"));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->format, "png");
  ExpectRgbImage(*decoded, picture.size());
  EXPECT_EQ(MaxAbsDifference(decoded->rgb, picture), 0);
}

TEST(ImageDecoderTest, DropsAlphaWithoutBlending) {
  cv::Mat picture = MakePicture();
  cv::Mat alpha(picture.size(), CV_8UC1, cv::Scalar(255));
  alpha(cv::Rect(0, 0, picture.cols / 2, picture.rows)) = 0;  // see-through
  cv::Mat rgba;
  cv::merge(std::vector<cv::Mat>{picture, alpha}, rgba);
  auto decoded = DecodeImage(Encode(rgba, ".png"));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, picture.size());
  EXPECT_EQ(MaxAbsDifference(decoded->rgb, picture), 0);
}

TEST(ImageDecoderTest, ExpandsGreyPngToThreeEqualChannels) {
  cv::Mat grey;
  cv::cvtColor(MakePicture(), grey, cv::COLOR_RGB2GRAY);
  auto decoded = DecodeImage(Encode(grey, ".png"));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, grey.size());
  cv::Mat expected;
  cv::cvtColor(grey, expected, cv::COLOR_GRAY2RGB);
  EXPECT_EQ(MaxAbsDifference(decoded->rgb, expected), 0);
}

TEST(ImageDecoderTest, ExpandsGreyWithAlphaPng) {
  cv::Mat grey;
  cv::cvtColor(MakePicture(), grey, cv::COLOR_RGB2GRAY);
  cv::Mat alpha(grey.size(), CV_8UC1, cv::Scalar(0));
  cv::Mat grey_alpha;
  cv::merge(std::vector<cv::Mat>{grey, alpha}, grey_alpha);
  auto decoded = DecodeImage(Encode(grey_alpha, ".png"));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, grey.size());
  cv::Mat expected;
  cv::cvtColor(grey, expected, cv::COLOR_GRAY2RGB);
  EXPECT_EQ(MaxAbsDifference(decoded->rgb, expected), 0);
}

// 16-bit samples must round to the nearest 8-bit level, v / 257, as the
// reference decoder does: dropping the low byte would turn 0x00FF into 0
// (rounding gives 1) and 0xFF00 into 255 (rounding gives 254).
TEST(ImageDecoderTest, RoundsSixteenBitPngToEightBits) {
  cv::Mat wide(4, 8, CV_16UC3);
  const std::array<uint16_t, 8> kSamples = {0,      0x00FF, 0x0080, 0x7FFF,
                                            0x80FF, 0x8080, 0xFF00, 0xFFFF};
  for (int y = 0; y < wide.rows; ++y) {
    for (int x = 0; x < wide.cols; ++x) {
      uint16_t v = kSamples[x];
      wide.at<cv::Vec3w>(y, x) = {v, kSamples[(x + y) % 8],
                                  static_cast<uint16_t>(65535 - v)};
    }
  }
  auto decoded = DecodeImage(Encode(wide, ".png"));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, wide.size());
  for (int y = 0; y < wide.rows; ++y) {
    for (int x = 0; x < wide.cols; ++x) {
      for (int c = 0; c < 3; ++c) {
        int expected = (wide.at<cv::Vec3w>(y, x)[c] * 2 + 257) / 514;
        EXPECT_EQ(decoded->rgb.at<cv::Vec3b>(y, x)[c], expected)
            << "sample " << wide.at<cv::Vec3w>(y, x)[c];
      }
    }
  }
}

TEST(ImageDecoderTest, RoundsSixteenBitGreyPng) {
  cv::Mat wide(2, 3, CV_16UC1);
  wide.at<uint16_t>(0, 0) = 0x00FF;
  wide.at<uint16_t>(0, 1) = 0xFF00;
  wide.at<uint16_t>(0, 2) = 0xFFFF;
  wide.row(1).setTo(0x0101 * 200);
  auto decoded = DecodeImage(Encode(wide, ".png"));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, wide.size());
  EXPECT_EQ(decoded->rgb.at<cv::Vec3b>(0, 0), cv::Vec3b(1, 1, 1));
  EXPECT_EQ(decoded->rgb.at<cv::Vec3b>(0, 1), cv::Vec3b(254, 254, 254));
  EXPECT_EQ(decoded->rgb.at<cv::Vec3b>(0, 2), cv::Vec3b(255, 255, 255));
  EXPECT_EQ(decoded->rgb.at<cv::Vec3b>(1, 1), cv::Vec3b(200, 200, 200));
}

TEST(ImageDecoderTest, DecodesPalettePng) {
  // Four flat colours fit any palette exactly, so the decode is exact.
  cv::Mat picture(48, 64, CV_8UC3, cv::Scalar(10, 20, 30));
  picture(cv::Rect(0, 0, 32, 24)).setTo(cv::Scalar(250, 0, 0));
  picture(cv::Rect(32, 24, 32, 24)).setTo(cv::Scalar(0, 200, 90));
  picture(cv::Rect(8, 30, 10, 10)).setTo(cv::Scalar(255, 255, 255));
  for (int bitdepth : {8, 2}) {
    std::string png = Encode(picture, ".png",
                             vips::VImage::option()
                                 ->set("palette", true)
                                 ->set("bitdepth", bitdepth));
    ASSERT_NE(png[25], 2) << "colour type 2 is truecolour, not a palette";
    auto decoded = DecodeImage(png);
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    ExpectRgbImage(*decoded, picture.size());
    EXPECT_EQ(MaxAbsDifference(decoded->rgb, picture), 0) << bitdepth;
  }
}

TEST(ImageDecoderTest, DecodesLosslessWebpExactly) {
  cv::Mat picture = MakePicture();
  auto decoded = DecodeImage(
      Encode(picture, ".webp", vips::VImage::option()->set("lossless", true)));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->format, "webp");
  ExpectRgbImage(*decoded, picture.size());
  EXPECT_EQ(MaxAbsDifference(decoded->rgb, picture), 0);
}

TEST(ImageDecoderTest, DecodesLossyWebpWithAlpha) {
  cv::Mat picture = MakePicture();
  cv::Mat alpha(picture.size(), CV_8UC1, cv::Scalar(128));
  cv::Mat rgba;
  cv::merge(std::vector<cv::Mat>{picture, alpha}, rgba);
  auto decoded =
      DecodeImage(Encode(rgba, ".webp", vips::VImage::option()->set("Q", 95)));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, picture.size());
  EXPECT_LT(MeanAbsDifference(decoded->rgb, picture), 3.0);
}

TEST(ImageDecoderTest, DecodesHeic) {
  cv::Mat picture = MakePicture();
  std::string heic = EncodeHeif(picture, VIPS_FOREIGN_HEIF_COMPRESSION_HEVC);
  if (heic.empty()) {
    GTEST_SKIP() << "libheif on this machine has no HEVC encoder (x265), so "
                    "no HEIC input can be made";
  }
  auto decoded = DecodeImage(heic);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->format, "heif");
  ExpectRgbImage(*decoded, picture.size());
  EXPECT_LT(MeanAbsDifference(decoded->rgb, picture), 4.0);
}

TEST(ImageDecoderTest, DecodesAvifAsHeifFamily) {
  cv::Mat picture = MakePicture();
  std::string avif = EncodeHeif(picture, VIPS_FOREIGN_HEIF_COMPRESSION_AV1);
  if (avif.empty()) {
    GTEST_SKIP() << "libheif on this machine has no AV1 encoder (aom), so "
                    "no AVIF input can be made";
  }
  auto decoded = DecodeImage(avif);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->format, "avif");
  ExpectRgbImage(*decoded, picture.size());
  EXPECT_LT(MeanAbsDifference(decoded->rgb, picture), 4.0);
}

// ---------------------------------------------------------------------------
// Orientation.

TEST(ImageDecoderTest, TurnsJpegWithOrientationSixUpright) {
  cv::Mat upright = MakePicture(160, 96);
  vips::VImage stored = StoreWithOrientation(upright, 6);
  ASSERT_EQ(stored.width(), 96);  // stored sideways
  auto decoded =
      DecodeImage(Encode(stored, ".jpg", vips::VImage::option()->set("Q", 95)));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, upright.size());
  EXPECT_LT(MeanAbsDifference(decoded->rgb, upright), 2.0);
}

// Lossless WebP and PNG, so the upright result must be exact.
TEST(ImageDecoderTest, AppliesEveryExifOrientation) {
  cv::Mat upright = MakePicture(40, 24);
  for (int orientation = 1; orientation <= 8; ++orientation) {
    SCOPED_TRACE(::testing::Message() << "orientation " << orientation);
    vips::VImage stored = StoreWithOrientation(upright, orientation);
    for (const std::string& bytes :
         {Encode(stored, ".webp",
                 vips::VImage::option()->set("lossless", true)),
          Encode(WithExifBlock(stored), ".png")}) {
      auto decoded = DecodeImage(bytes);
      ASSERT_TRUE(decoded.ok()) << decoded.error().message;
      ExpectRgbImage(*decoded, upright.size());
      EXPECT_EQ(MaxAbsDifference(decoded->rgb, upright), 0) << decoded->format;
    }
  }
}

// A HEIF keeps its rotation in the container (irot), which libheif
// applies; its EXIF orientation is informative only and vips drops it, so
// a phone photo, which carries both, is not turned twice.
TEST(ImageDecoderTest, LeavesHeicOrientationToTheContainer) {
  vips::VImage stored = ToVips(MakePicture(160, 96));
  stored.set(VIPS_META_ORIENTATION, 6);
  std::string heic = EncodeHeif(stored, VIPS_FOREIGN_HEIF_COMPRESSION_HEVC);
  if (heic.empty()) {
    GTEST_SKIP() << "libheif on this machine has no HEVC encoder (x265), so "
                    "no HEIC input can be made";
  }
  auto decoded = DecodeImage(heic);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  ExpectRgbImage(*decoded, cv::Size(160, 96));
}

// ---------------------------------------------------------------------------
// Shrink-on-load.

TEST(ImageDecoderTest, ShrinksJpegOnLoadByThePowerOfTwoThatFits) {
  cv::Mat picture = MakePicture(400, 240);
  std::string jpeg = Encode(picture, ".jpg");
  struct Case {
    int min_long_side;
    int expected_width;
  };
  for (Case c :
       {Case{0, 400}, Case{50, 50}, Case{51, 100}, Case{100, 100},
        Case{101, 200}, Case{200, 200}, Case{201, 400}, Case{1000, 400}}) {
    auto decoded = DecodeImage(jpeg, {.min_long_side = c.min_long_side});
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->rgb.cols, c.expected_width) << c.min_long_side;
    EXPECT_EQ(decoded->rgb.rows, c.expected_width * 240 / 400);
    EXPECT_EQ(decoded->full_size, picture.size());
    EXPECT_DOUBLE_EQ(decoded->scale, c.expected_width / 400.0);
  }
}

TEST(ImageDecoderTest, ShrunkJpegLooksLikeTheFullOneMadeSmaller) {
  cv::Mat picture = MakePicture(400, 240);
  auto decoded =
      DecodeImage(Encode(picture, ".jpg", vips::VImage::option()->set("Q", 95)),
                  {.min_long_side = 100});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  cv::Mat expected;
  cv::resize(picture, expected, decoded->rgb.size(), 0, 0, cv::INTER_AREA);
  EXPECT_LT(MeanAbsDifference(decoded->rgb, expected), 3.0);
}

TEST(ImageDecoderTest, RoundsShrunkSizesDown) {
  std::string jpeg = Encode(MakePicture(203, 101), ".jpg");
  auto decoded = DecodeImage(jpeg, {.min_long_side = 25});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->rgb.size(), cv::Size(25, 12));  // 203 / 8, 101 / 8
  EXPECT_DOUBLE_EQ(decoded->scale, 25.0 / 203.0);
  // One pixel more than 203 / 8 gives: the next smaller shrink.
  decoded = DecodeImage(jpeg, {.min_long_side = 26});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->rgb.size(), cv::Size(50, 25));
}

TEST(ImageDecoderTest, ShrinksSidewaysJpegAndReportsUprightSizes) {
  cv::Mat upright = MakePicture(240, 400);
  vips::VImage stored = StoreWithOrientation(upright, 6);  // 400x240 stored
  auto decoded =
      DecodeImage(Encode(stored, ".jpg", vips::VImage::option()->set("Q", 95)),
                  {.min_long_side = 100});
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->rgb.size(), cv::Size(60, 100));
  EXPECT_EQ(decoded->full_size, cv::Size(240, 400));
  EXPECT_DOUBLE_EQ(decoded->scale, 0.25);
  cv::Mat expected;
  cv::resize(upright, expected, decoded->rgb.size(), 0, 0, cv::INTER_AREA);
  EXPECT_LT(MeanAbsDifference(decoded->rgb, expected), 3.0);
}

TEST(ImageDecoderTest, DecodesOtherFormatsAtFullSizeWhenAskedToShrink) {
  cv::Mat picture = MakePicture(400, 240);
  for (const char* suffix : {".png", ".webp"}) {
    auto decoded = DecodeImage(Encode(picture, suffix), {.min_long_side = 50});
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    ExpectRgbImage(*decoded, picture.size());
  }
}

// ---------------------------------------------------------------------------
// Input we refuse.

TEST(ImageDecoderTest, RefusesEmptyInput) {
  ExpectError(DecodeImage(""), ErrorCode::kUnsupportedFormat);
}

TEST(ImageDecoderTest, RefusesRandomBytes) {
  std::string noise(4096, '\0');
  cv::RNG rng(11);
  for (char& byte : noise) byte = static_cast<char>(rng.uniform(0, 256));
  ExpectError(DecodeImage(noise), ErrorCode::kUnsupportedFormat);
}

TEST(ImageDecoderTest, RefusesText) {
  ExpectError(DecodeImage("name,score\nsheldon,0.91\npenny,0.88\n"),
              ErrorCode::kUnsupportedFormat);
}

TEST(ImageDecoderTest, RefusesPdfAndSvg) {
  const std::string pdf =
      "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
      "2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
      "trailer << /Root 1 0 R >>\n%%EOF\n";
  ExpectError(DecodeImage(pdf), ErrorCode::kUnsupportedFormat);
  const std::string svg =
      "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
      "width=\"64\" height=\"64\"><rect width=\"64\" height=\"64\" "
      "fill=\"red\"/></svg>\n";
  ExpectError(DecodeImage(svg), ErrorCode::kUnsupportedFormat);
}

TEST(ImageDecoderTest, RefusesGifAndTiff) {
  cv::Mat picture = MakePicture();
  for (const char* suffix : {".gif", ".tif"}) {
    auto result = DecodeImage(Encode(picture, suffix));
    ExpectError(result, ErrorCode::kUnsupportedFormat);
  }
}

TEST(ImageDecoderTest, ReportsTruncatedFilesAsCorrupt) {
  cv::Mat picture = MakeNoise(128);
  std::vector<std::pair<std::string, std::string>> files = {
      {"jpeg", Encode(picture, ".jpg")},
      {"progressive jpeg",
       Encode(picture, ".jpg", vips::VImage::option()->set("interlace", true))},
      {"png", Encode(picture, ".png")},
      {"webp", Encode(picture, ".webp")},
  };
  std::string heic = EncodeHeif(picture, VIPS_FOREIGN_HEIF_COMPRESSION_HEVC);
  if (!heic.empty()) files.emplace_back("heic", heic);
  for (const auto& [name, bytes] : files) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(DecodeImage(bytes).ok());
    ExpectError(
        DecodeImage(std::string_view(bytes).substr(0, bytes.size() / 2)),
        ErrorCode::kCorruptData);
  }
}

TEST(ImageDecoderTest, ReportsJpegCutInsideItsHeaderAsCorrupt) {
  std::string jpeg = Encode(MakePicture(), ".jpg");
  ExpectError(DecodeImage(std::string_view(jpeg).substr(0, 100)),
              ErrorCode::kCorruptData);
}

// libjpeg stops at a marker in the middle of the data and fills the rest
// with grey; the decode must fail instead of handing that on. vips notices
// the warning only before reading its next strip of rows, so near the end,
// and all the more when a shrink-on-load leaves few strips (0.97 and 0.995
// with min_long_side 32), only the warning logged as the loader closes
// shows it.
TEST(ImageDecoderTest, ReportsJpegCutShortByAMarkerAsCorrupt) {
  std::string jpeg = Encode(MakeNoise(256), ".jpg");
  for (double fraction : {0.3, 0.5, 0.7, 0.97, 0.995}) {
    for (int min_long_side : {0, 32}) {
      SCOPED_TRACE(::testing::Message() << "marker at " << fraction
                                        << ", min_long_side " << min_long_side);
      ExpectError(DecodeImage(WithMarkerAt(jpeg, fraction, 0xD9),
                              {.min_long_side = min_long_side}),
                  ErrorCode::kCorruptData);
    }
  }
}

TEST(ImageDecoderTest, ReportsPngWithDamagedPixelDataAsCorrupt) {
  std::string png = Encode(MakeNoise(64), ".png");
  size_t middle = png.size() / 2;  // inside IDAT: its CRC no longer matches
  for (size_t i = 0; i < 8; ++i) png[middle + i] ^= 0x5A;
  ExpectError(DecodeImage(png), ErrorCode::kCorruptData);
}

TEST(ImageDecoderTest, ChecksTheByteLimitBeforeLookingAtTheBytes) {
  std::string png = Encode(MakePicture(), ".png");
  ExpectError(DecodeImage(png, {.max_bytes = png.size() - 1}),
              ErrorCode::kTooLarge);
  EXPECT_TRUE(DecodeImage(png, {.max_bytes = png.size()}).ok());
  ExpectError(DecodeImage(std::string(1000, 'x'), {.max_bytes = 999}),
              ErrorCode::kTooLarge);
}

TEST(ImageDecoderTest, RefusesImageOverThePixelLimit) {
  cv::Mat picture = MakePicture(160, 96);
  std::string jpeg = Encode(picture, ".jpg");
  ExpectError(DecodeImage(jpeg, {.max_pixels = 160 * 96 - 1}),
              ErrorCode::kTooLarge);
  EXPECT_TRUE(DecodeImage(jpeg, {.max_pixels = 160 * 96}).ok());
}

// A decompression bomb: a few dozen bytes whose header declares 10^10
// pixels. Only the header may be read.
TEST(ImageDecoderTest, RefusesPngDeclaringAHugeSizeFromItsHeader) {
  std::string png = Encode(cv::Mat(1, 1, CV_8UC1, cv::Scalar(0)), ".png",
                           vips::VImage::option()->set("strip", true));
  // Signature (8), IHDR length (4), "IHDR" (4), width, height, ..., CRC.
  ASSERT_EQ(png.substr(12, 4), "IHDR");
  PutBigEndian32(png, 16, 100000);
  PutBigEndian32(png, 20, 100000);
  PutBigEndian32(png, 29, Crc32(std::string_view(png).substr(12, 17)));
  ASSERT_LT(png.size(), 1024u);
  ExpectError(DecodeImage(png), ErrorCode::kTooLarge);
}

TEST(ImageDecoderTest, RefusesJpegDeclaringAHugeSizeFromItsHeader) {
  std::string jpeg = Encode(cv::Mat(8, 8, CV_8UC3, cv::Scalar(9, 9, 9)), ".jpg",
                            vips::VImage::option()->set("strip", true));
  // Walk the marker segments to the frame header (SOF0).
  size_t at = 2;
  while (at + 4 < jpeg.size() && static_cast<uint8_t>(jpeg[at + 1]) != 0xC0) {
    at += 2 + (static_cast<uint8_t>(jpeg[at + 2]) << 8 |
               static_cast<uint8_t>(jpeg[at + 3]));
  }
  ASSERT_LT(at + 9, jpeg.size());
  // After the marker: length (2), precision (1), height (2), width (2).
  for (size_t field : {at + 5, at + 7}) {
    jpeg[field] = static_cast<char>(0xFD);  // 65000
    jpeg[field + 1] = static_cast<char>(0xE8);
  }
  ExpectError(DecodeImage(jpeg), ErrorCode::kTooLarge);
}

// ---------------------------------------------------------------------------
// Threads.

TEST(ImageDecoderTest, DecodesFromManyThreadsAtOnce) {
  cv::Mat picture = MakePicture(320, 192);
  const std::string good = Encode(picture, ".jpg");
  const std::string png = Encode(picture, ".png");
  // Damage only the closing warning reveals: a thread must not take
  // another thread's warning for its own, nor miss its own.
  const std::string damaged =
      WithMarkerAt(Encode(MakeNoise(256), ".jpg"), 0.995, 0xD9);
  auto reference = DecodeImage(good);
  ASSERT_TRUE(reference.ok());

  // Each thread counts what went wrong: good JPEG, PNG, damaged JPEG.
  std::vector<std::array<int, 3>> failures(4, {0, 0, 0});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 12; ++i) {
        auto jpeg = DecodeImage(good);
        if (!jpeg.ok() || MaxAbsDifference(jpeg->rgb, reference->rgb) != 0) {
          ++failures[t][0];
        }
        auto lossless = DecodeImage(png);
        if (!lossless.ok() || MaxAbsDifference(lossless->rgb, picture) != 0) {
          ++failures[t][1];
        }
        auto broken = DecodeImage(damaged, {.min_long_side = 32});
        if (broken.ok() || broken.error().code != ErrorCode::kCorruptData) {
          ++failures[t][2];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) {
    EXPECT_EQ(failures[t], (std::array<int, 3>{0, 0, 0})) << "thread " << t;
  }
}

// ---------------------------------------------------------------------------
// The reference library's own images.

TEST(ImageDecoderTest, GivesTheReferencePixelsForEveryPngFixture) {
  EVENTFACE_REQUIRE_SHARED(shared);
  int checked = 0;
  const nlohmann::json pipeline = testing::ReadPipelineFixture(shared);
  for (const auto& entry : pipeline["images"]) {
    const std::string name = entry["image"];
    if (!name.ends_with(".png")) continue;
    SCOPED_TRACE(name);
    auto decoded = DecodeImage(testing::ReadBytes(shared / name));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->rgb.cols, entry["width"].get<int>());
    EXPECT_EQ(decoded->rgb.rows, entry["height"].get<int>());
    EXPECT_EQ(testing::RgbSha256(decoded->rgb),
              entry["decoded_rgb_sha256"].get<std::string>());
    ++checked;
  }
  EXPECT_EQ(checked, 41);  // 40 bbt crops and portraits/32bit.png
}

// JPEG pixels differ from the reference's decoder (jpeg-js) by design; the
// sizes must not.
TEST(ImageDecoderTest, DecodesEveryJpegFixtureAtItsSize) {
  EVENTFACE_REQUIRE_SHARED(shared);
  int checked = 0;
  const nlohmann::json pipeline = testing::ReadPipelineFixture(shared);
  for (const auto& entry : pipeline["images"]) {
    const std::string name = entry["image"];
    if (!name.ends_with(".jpg")) continue;
    SCOPED_TRACE(name);
    auto decoded = DecodeImage(
        testing::ReadBytes(testing::FixtureImagePath(shared, name)));
    ASSERT_TRUE(decoded.ok()) << decoded.error().message;
    EXPECT_EQ(decoded->format, "jpeg");
    EXPECT_EQ(decoded->rgb.cols, entry["width"].get<int>());
    EXPECT_EQ(decoded->rgb.rows, entry["height"].get<int>());
    ++checked;
  }
  EXPECT_EQ(checked, 17);
}

TEST(ProbeImageTest, ReportsUprightSizeAndFormatFromTheHeader) {
  std::string jpeg = Encode(StoreWithOrientation(MakePicture(), 6), ".jpg");
  auto info = ProbeImage(jpeg);
  ASSERT_TRUE(info.ok()) << info.error().message;
  // Stored 96 wide and 160 high, shown turned.
  EXPECT_EQ(info->full_size, cv::Size(160, 96));
  EXPECT_EQ(info->format, "jpeg");
  auto png = ProbeImage(Encode(MakePicture(), ".png"));
  ASSERT_TRUE(png.ok());
  EXPECT_EQ(png->format, "png");
}

TEST(ProbeImageTest, RefusesWhatDecodingRefuses) {
  std::string jpeg = Encode(MakePicture(), ".jpg");
  EXPECT_EQ(ProbeImage(jpeg, {.max_pixels = 160 * 96 - 1}).error().code,
            ErrorCode::kTooLarge);
  EXPECT_EQ(ProbeImage(jpeg, {.max_bytes = jpeg.size() - 1}).error().code,
            ErrorCode::kTooLarge);
  EXPECT_EQ(ProbeImage("plain text, not an image").error().code,
            ErrorCode::kUnsupportedFormat);
  EXPECT_EQ(ProbeImage(jpeg.substr(0, 20)).error().code,
            ErrorCode::kCorruptData);
}

}  // namespace
}  // namespace eventface::engine
