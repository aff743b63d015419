#include "engine/internal/net_flops.h"

namespace eventface::engine::internal {

int64_t CountFlops(const cv::dnn::Net& net, const cv::dnn::MatShape& input) {
  std::vector<int> ids;
  std::vector<std::vector<cv::dnn::MatShape>> in_shapes, out_shapes;
  net.getLayersShapes(input, ids, in_shapes, out_shapes);

  int64_t flops = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    cv::Ptr<cv::dnn::Layer> layer = net.getLayer(ids[i]);
    if (layer->blobs.empty() || out_shapes[i].empty()) continue;
    const cv::dnn::MatShape& out = out_shapes[i][0];
    // A convolution's weights are [out, in / groups, kh, kw]: one
    // multiply-add per weight per output position. A fully connected
    // layer has a single output position.
    int64_t positions = 1;
    if (layer->type == "Convolution") {
      positions = static_cast<int64_t>(out[2]) * out[3];
    } else if (layer->type != "InnerProduct") {
      continue;
    }
    flops += 2 * static_cast<int64_t>(layer->blobs[0].total()) * positions;
  }
  return flops;
}

}  // namespace eventface::engine::internal
