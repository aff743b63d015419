#include "engine/internal/dnn_weights.h"

#include <cassert>
#include <utility>

namespace eventface::engine::internal {

cv::Mat ToOpenCvFilters(const WeightTensor& tensor) {
  assert(tensor.shape.size() == 4);
  const int kh = tensor.shape[0], kw = tensor.shape[1];
  const int in = tensor.shape[2], out = tensor.shape[3];
  cv::Mat filters(std::vector<int>{out, in, kh, kw}, CV_32F);
  float* dst = filters.ptr<float>();
  for (int o = 0; o < out; ++o) {
    for (int i = 0; i < in; ++i) {
      for (int y = 0; y < kh; ++y) {
        for (int x = 0; x < kw; ++x) {
          *dst++ = tensor.values[((y * kw + x) * in + i) * out + o];
        }
      }
    }
  }
  return filters;
}

cv::Mat ToOpenCvDepthwiseFilters(const WeightTensor& tensor) {
  assert(tensor.shape.size() == 4 && tensor.shape[3] == 1);
  const int kh = tensor.shape[0], kw = tensor.shape[1];
  const int channels = tensor.shape[2];
  // Read as in = channels and out = 1, the filters come out as
  // [1, channels, kh, kw], which holds the bytes of [channels, 1, kh, kw].
  return ToOpenCvFilters(tensor).reshape(1, {channels, 1, kh, kw});
}

cv::Mat ToOpenCvMatrix(const WeightTensor& tensor) {
  assert(tensor.shape.size() == 2);
  cv::Mat in_by_out =
      cv::Mat(tensor.values, /*copyData=*/true).reshape(1, tensor.shape[0]);
  return in_by_out.t();
}

cv::Mat ToRow(const std::vector<float>& values) {
  return cv::Mat(values, /*copyData=*/true).reshape(1, 1);
}

const WeightTensor* WeightFetcher::Get(const std::string& name,
                                       const std::vector<int>& shape) {
  if (!status_.ok()) return nullptr;
  auto tensor = weights_.Get(name, shape);
  if (!tensor) {
    status_ = std::move(tensor).error();
    return nullptr;
  }
  return *tensor;
}

}  // namespace eventface::engine::internal
