#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <string>
#include <vips/vips8>

namespace eventface::testing {

// Starts libvips, once per process, for tests that make or read images
// with it before the engine's decoder would start it. False when it
// failed to start.
bool StartVips();

// The pixels of `image`, which must be 8-bit with three bands, as an RGB
// CV_8UC3 matrix holding its own copy. Fails the test when vips writes a
// different number of bytes.
cv::Mat ToRgbMat(const vips::VImage& image);

// Decodes an image file to RGB CV_8UC3 with libvips, as the reference
// decoder does: 8 bits, alpha dropped (not blended), grey copied to three
// bands. Fails the test and returns an empty matrix when vips cannot read
// it.
cv::Mat DecodeRgb(const std::filesystem::path& path);

// SHA-256 of the R, G, B bytes of `rgb` (CV_8UC3) row by row, as
// pipeline.json records decoded pixels.
std::string RgbSha256(const cv::Mat& rgb);

}  // namespace eventface::testing
