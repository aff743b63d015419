#pragma once

#include <cstdint>
#include <opencv2/dnn.hpp>

namespace eventface::engine::internal {

// Floating-point operations of one forward pass of `net` on an input of
// `input` shape (NCHW): two per multiply-add of every convolution and
// fully connected layer, the rest being too cheap to count. OpenCV's own
// Net::getFLOPS counts a depthwise convolution as if it were dense, which
// overstates MobileNet eightfold.
int64_t CountFlops(const cv::dnn::Net& net, const cv::dnn::MatShape& input);

}  // namespace eventface::engine::internal
