#include "engine/internal/legacy_resize.h"

#include <gtest/gtest.h>

namespace eventface::engine::internal {
namespace {

TEST(LegacyResizeTest, SamplesWithoutHalfPixelOffset) {
  cv::Mat image(1, 2, CV_8UC3);
  image.at<cv::Vec3b>(0, 0) = {0, 10, 20};
  image.at<cv::Vec3b>(0, 1) = {100, 110, 120};
  cv::Mat out = LegacyResize(image, image.size(), {0, 0}, {4, 1});
  // Column c samples x = c / 2; past the last column, it repeats.
  EXPECT_FLOAT_EQ(out.at<cv::Vec3f>(0, 0)[0], 0.0f);
  EXPECT_FLOAT_EQ(out.at<cv::Vec3f>(0, 1)[0], 50.0f);
  EXPECT_FLOAT_EQ(out.at<cv::Vec3f>(0, 2)[1], 110.0f);
  EXPECT_FLOAT_EQ(out.at<cv::Vec3f>(0, 3)[2], 120.0f);
}

TEST(LegacyResizeTest, ReadsZeroOutsideTheImage) {
  cv::Mat image(1, 1, CV_8UC3, cv::Scalar(200, 200, 200));
  cv::Mat out = LegacyResize(image, {2, 2}, {1, 1}, {2, 2});
  EXPECT_FLOAT_EQ(out.at<cv::Vec3f>(0, 0)[0], 0.0f);
  EXPECT_FLOAT_EQ(out.at<cv::Vec3f>(1, 1)[0], 200.0f);
}

TEST(LegacyResizeTest, CentresOddDifferenceWithExtraAfter) {
  CentredPadding tall = CentreInSquare({175, 306});
  EXPECT_EQ(tall.square, cv::Size(306, 306));
  EXPECT_EQ(tall.offset, cv::Point(65, 0));  // 65 left, 66 right
  CentredPadding wide = CentreInSquare({48, 47});
  EXPECT_EQ(wide.offset, cv::Point(0, 0));  // the one row goes below
}

}  // namespace
}  // namespace eventface::engine::internal
