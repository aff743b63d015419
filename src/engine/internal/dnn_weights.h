#pragma once

#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "engine/tfjs_weights.h"

namespace eventface::engine::internal {

// TensorFlow convolution filters [kh, kw, in, out] as the OpenCV blob
// [out, in, kh, kw] a Convolution layer takes. The result owns its data.
cv::Mat ToOpenCvFilters(const WeightTensor& tensor);

// TensorFlow depthwise filters [kh, kw, channels, 1] as the OpenCV blob
// [channels, 1, kh, kw] of a Convolution layer with one group per channel.
cv::Mat ToOpenCvDepthwiseFilters(const WeightTensor& tensor);

// TensorFlow fully connected weights [in, out] as the OpenCV matrix
// [out, in] an InnerProduct layer takes. The result owns its data.
cv::Mat ToOpenCvMatrix(const WeightTensor& tensor);

// Per-channel values (biases, scales) as the 1 x N row OpenCV takes for
// them. The result owns a copy of `values`.
cv::Mat ToRow(const std::vector<float>& values);

// Hands out the tensors of one model while its net is built, and keeps the
// first failure: after a tensor is missing or shaped otherwise, every later
// Get returns nullptr too. A builder can then fetch all of a layer's
// tensors, skip the layer when status() is not ok, and check once at the
// end, instead of returning after each fetch. Not thread-safe.
class WeightFetcher {
 public:
  // `weights` must outlive this object.
  explicit WeightFetcher(const TfjsWeights& weights) : weights_(weights) {}

  // The tensor `name` checked against `shape`, or nullptr when it or an
  // earlier one failed. The pointer lives as long as the weights.
  const WeightTensor* Get(const std::string& name,
                          const std::vector<int>& shape);

  // The first failure, naming the manifest and the tensor; ok when none.
  const Status& status() const { return status_; }

 private:
  const TfjsWeights& weights_;
  Status status_;
};

}  // namespace eventface::engine::internal
