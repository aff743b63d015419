#include "engine/photo_renditions.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vips/vips8>

#include "testing/images.h"

namespace eventface::engine {
namespace {

// A picture with a bright block in its upper left quarter, so that a turn
// or a flip shows.
cv::Mat MakePicture(int width, int height) {
  cv::Mat picture(height, width, CV_8UC3, cv::Scalar(40, 60, 90));
  cv::rectangle(picture, cv::Rect(0, 0, width / 2, height / 2),
                cv::Scalar(250, 250, 250), cv::FILLED);
  return picture;
}

vips::VImage ToVips(const cv::Mat& rgb) {
  EXPECT_TRUE(testing::StartVips());
  VipsImage* copy =
      vips_image_new_from_memory_copy(rgb.data, rgb.total() * rgb.elemSize(),
                                      rgb.cols, rgb.rows, 3, VIPS_FORMAT_UCHAR);
  if (copy == nullptr) throw vips::VError();
  return vips::VImage(copy).copy(
      vips::VImage::option()->set("interpretation", VIPS_INTERPRETATION_sRGB));
}

std::string Encode(const vips::VImage& image, const char* suffix) {
  void* buffer = nullptr;
  size_t size = 0;
  image.write_to_buffer(suffix, &buffer, &size);
  std::string bytes(static_cast<const char*>(buffer), size);
  g_free(buffer);
  return bytes;
}

vips::VImage Decode(const std::string& bytes) {
  return vips::VImage::new_from_buffer(bytes, "").copy_memory();
}

cv::Size SizeOf(const std::string& jpeg) {
  vips::VImage image = Decode(jpeg);
  return cv::Size(image.width(), image.height());
}

bool IsJpeg(const std::string& bytes) {
  return bytes.size() > 3 && static_cast<uint8_t>(bytes[0]) == 0xFF &&
         static_cast<uint8_t>(bytes[1]) == 0xD8;
}

// The mean brightness of one quarter of `image` (0: upper left, 1: upper
// right, 2: lower left, 3: lower right).
double QuarterBrightness(const vips::VImage& image, int quarter) {
  int w = image.width() / 2;
  int h = image.height() / 2;
  return image.extract_area((quarter % 2) * w, (quarter / 2) * h, w, h).avg();
}

void ExpectError(const Result<PhotoRenditions>& result, ErrorCode code) {
  ASSERT_FALSE(result.ok())
      << "made renditions, expected " << ErrorCodeName(code);
  EXPECT_EQ(ErrorCodeName(result.error().code), ErrorCodeName(code))
      << result.error().message;
  EXPECT_EQ(result.error().message.find('\n'), std::string::npos);
}

TEST(PhotoRenditionsTest, FitsLongSidesOfLandscapePhoto) {
  std::string jpeg = Encode(ToVips(MakePicture(2400, 1600)), ".jpg");
  auto renditions = MakeRenditions(jpeg);
  ASSERT_TRUE(renditions.ok()) << renditions.error().message;
  EXPECT_EQ(renditions->original_size, cv::Size(2400, 1600));
  EXPECT_TRUE(IsJpeg(renditions->thumbnail));
  EXPECT_TRUE(IsJpeg(renditions->preview));
  EXPECT_EQ(SizeOf(renditions->thumbnail), cv::Size(400, 267));
  EXPECT_EQ(SizeOf(renditions->preview), cv::Size(1600, 1067));
}

TEST(PhotoRenditionsTest, FitsLongSideOfPortraitPhoto) {
  std::string jpeg = Encode(ToVips(MakePicture(900, 1800)), ".jpg");
  auto renditions = MakeRenditions(jpeg);
  ASSERT_TRUE(renditions.ok()) << renditions.error().message;
  EXPECT_EQ(SizeOf(renditions->thumbnail), cv::Size(200, 400));
  EXPECT_EQ(SizeOf(renditions->preview), cv::Size(800, 1600));
}

TEST(PhotoRenditionsTest, NeverEnlargesSmallPhoto) {
  std::string jpeg = Encode(ToVips(MakePicture(300, 200)), ".jpg");
  auto renditions = MakeRenditions(jpeg);
  ASSERT_TRUE(renditions.ok()) << renditions.error().message;
  EXPECT_EQ(SizeOf(renditions->thumbnail), cv::Size(300, 200));
  EXPECT_EQ(SizeOf(renditions->preview), cv::Size(300, 200));
}

// Stored turned a quarter anticlockwise with orientation 6, as a phone
// held upright writes it: the renditions must come out upright.
TEST(PhotoRenditionsTest, TurnsExifOrientedJpegUpright) {
  vips::VImage stored =
      ToVips(MakePicture(800, 400)).rot(VIPS_ANGLE_D270).copy_memory();
  stored.set(VIPS_META_ORIENTATION, 6);
  std::string jpeg = Encode(stored, ".jpg");
  ASSERT_EQ(Decode(jpeg).get_int(VIPS_META_ORIENTATION), 6);

  auto renditions = MakeRenditions(jpeg);
  ASSERT_TRUE(renditions.ok()) << renditions.error().message;
  EXPECT_EQ(renditions->original_size, cv::Size(800, 400));
  vips::VImage thumbnail = Decode(renditions->thumbnail);
  ASSERT_EQ(thumbnail.width(), 400);
  ASSERT_EQ(thumbnail.height(), 200);
  EXPECT_GT(QuarterBrightness(thumbnail, 0), 200);
  for (int quarter : {1, 2, 3}) {
    EXPECT_LT(QuarterBrightness(thumbnail, quarter), 120) << quarter;
  }
}

TEST(PhotoRenditionsTest, LeavesNoMetadataInTheRenditions) {
  vips::VImage stored = ToVips(MakePicture(800, 600)).copy_memory();
  stored.set(VIPS_META_ORIENTATION, 3);
  stored.set("exif-ifd0-Make", "TestCamera");
  std::string jpeg = Encode(stored, ".jpg");
  ASSERT_NE(Decode(jpeg).get_typeof(VIPS_META_EXIF_NAME), 0u);

  auto renditions = MakeRenditions(jpeg);
  ASSERT_TRUE(renditions.ok()) << renditions.error().message;
  for (const std::string* bytes :
       {&renditions->thumbnail, &renditions->preview}) {
    vips::VImage image = Decode(*bytes);
    EXPECT_EQ(image.get_typeof(VIPS_META_EXIF_NAME), 0u);
    EXPECT_EQ(image.get_typeof(VIPS_META_XMP_NAME), 0u);
    EXPECT_EQ(image.get_typeof(VIPS_META_ICC_NAME), 0u);
    EXPECT_EQ(image.get_typeof(VIPS_META_ORIENTATION), 0u);
    EXPECT_EQ(bytes->find("Exif"), std::string::npos);
  }
}

TEST(PhotoRenditionsTest, ReadsPng) {
  std::string png = Encode(ToVips(MakePicture(1000, 500)), ".png");
  auto renditions = MakeRenditions(png);
  ASSERT_TRUE(renditions.ok()) << renditions.error().message;
  EXPECT_EQ(renditions->original_size, cv::Size(1000, 500));
  EXPECT_TRUE(IsJpeg(renditions->thumbnail));
  EXPECT_EQ(SizeOf(renditions->thumbnail), cv::Size(400, 200));
  EXPECT_EQ(SizeOf(renditions->preview), cv::Size(1000, 500));
}

TEST(PhotoRenditionsTest, ReadsWebp) {
  std::string webp = Encode(ToVips(MakePicture(500, 1000)), ".webp");
  auto renditions = MakeRenditions(webp);
  ASSERT_TRUE(renditions.ok()) << renditions.error().message;
  EXPECT_TRUE(IsJpeg(renditions->preview));
  EXPECT_EQ(SizeOf(renditions->thumbnail), cv::Size(200, 400));
}

TEST(PhotoRenditionsTest, RefusesBytesThatAreNoImage) {
  ExpectError(MakeRenditions(std::string(4000, 'x')),
              ErrorCode::kUnsupportedFormat);
  ExpectError(MakeRenditions(""), ErrorCode::kUnsupportedFormat);
}

TEST(PhotoRenditionsTest, RefusesFormatsTheEngineDoesNotRead) {
  std::string gif = Encode(ToVips(MakePicture(64, 64)), ".gif");
  auto refused = MakeRenditions(gif);
  ExpectError(refused, ErrorCode::kUnsupportedFormat);
  EXPECT_EQ(refused.error().message, "Nsgif images are not accepted");
}

TEST(PhotoRenditionsTest, ReportsTruncatedJpegAsCorrupt) {
  std::string jpeg = Encode(ToVips(MakePicture(800, 600)), ".jpg");
  ExpectError(MakeRenditions(jpeg.substr(0, 300)), ErrorCode::kCorruptData);
}

TEST(PhotoRenditionsTest, ChecksTheByteLimit) {
  std::string jpeg = Encode(ToVips(MakePicture(64, 64)), ".jpg");
  RenditionOptions options;
  options.limits.max_bytes = jpeg.size() - 1;
  ExpectError(MakeRenditions(jpeg, options), ErrorCode::kTooLarge);
}

// A JPEG whose header declares 65000 x 65000 pixels: refused from the
// header, before a pixel is decoded.
TEST(PhotoRenditionsTest, RefusesDecompressionBomb) {
  std::string jpeg = Encode(ToVips(MakePicture(8, 8)), ".jpg");
  size_t at = 2;
  while (at + 4 < jpeg.size() && static_cast<uint8_t>(jpeg[at + 1]) != 0xC0) {
    at += 2 + (static_cast<uint8_t>(jpeg[at + 2]) << 8 |
               static_cast<uint8_t>(jpeg[at + 3]));
  }
  ASSERT_LT(at + 9, jpeg.size());
  for (size_t field : {at + 5, at + 7}) {
    jpeg[field] = static_cast<char>(0xFD);
    jpeg[field + 1] = static_cast<char>(0xE8);
  }
  ExpectError(MakeRenditions(jpeg), ErrorCode::kTooLarge);
}

TEST(PhotoRenditionsTest, RefusesImageOverThePixelLimit) {
  std::string png = Encode(ToVips(MakePicture(100, 100)), ".png");
  RenditionOptions options;
  options.limits.max_pixels = 100 * 100 - 1;
  ExpectError(MakeRenditions(png, options), ErrorCode::kTooLarge);
  options.limits.max_pixels = 100 * 100;
  EXPECT_TRUE(MakeRenditions(png, options).ok());
}

}  // namespace
}  // namespace eventface::engine
