// face-api's SSD MobileNet v1, rebuilt layer by layer in cv::dnn::Net from
// the tfjs weights. The layout follows shared/reference/README.md: a
// MobileNet v1 trunk (conv 0, then 13 depthwise-separable blocks), eight
// extra layers, and on six feature maps a box head and a class head, both
// 1x1 convolutions. TensorFlow pads `same` layers unevenly at stride 2 (the
// extra row and column go at the bottom and right, none at the top and
// left), so every convolution gets its pads worked out from its input side.
#include "engine/face_detector.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "engine/internal/dnn_weights.h"
#include "engine/internal/legacy_resize.h"
#include "engine/internal/net_flops.h"
#include "engine/tfjs_weights.h"

namespace eventface::engine {
namespace {

constexpr char kManifestName[] = "ssd_mobilenetv1_model-weights_manifest.json";
constexpr double kBatchNormEpsilon = 0.0010000000474974513;
constexpr double kNmsIouThreshold = 0.5;

// Output channels of the pointwise convolution of blocks 1..13, and the
// stride of their depthwise convolution.
constexpr std::array<int, 13> kBlockChannels = {
    64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
constexpr std::array<int, 13> kBlockStrides = {1, 2, 1, 2, 1, 2, 1,
                                               1, 1, 1, 1, 2, 1};

// The extra layers after the trunk alternate a 1x1 convolution with a 3x3
// stride-2 one; each 3x3 output is a feature map.
constexpr std::array<int, 8> kExtraChannels = {256, 512, 128, 256,
                                               128, 256, 64,  128};

// Anchors per cell of each of the six feature maps (box channels = 4x,
// class channels = 3x).
constexpr std::array<int, 6> kAnchorsPerCell = {3, 6, 6, 6, 6, 6};

std::string HeadScope(int index) {
  return "Prediction/BoxPredictor_" + std::to_string(index);
}

// The names of the twelve head layers, in the order RunNetwork reads them:
// box 0, class 0, box 1, class 1, ...
std::vector<std::string> HeadLayerNames() {
  std::vector<std::string> names;
  for (int i = 0; i < static_cast<int>(kAnchorsPerCell.size()); ++i) {
    names.push_back(HeadScope(i) + "/BoxEncodingPredictor");
    names.push_back(HeadScope(i) + "/ClassPredictor");
  }
  return names;
}

// A layer's output inside the net being built.
struct Node {
  int layer = 0;
  int side = 0;  // feature maps are square
  int channels = 0;
};

// TensorFlow's `same` padding for one axis, as (before, after): the output
// has ceil(in / stride) cells, and when the padding that needs is odd, the
// extra one goes after.
std::pair<int, int> SamePadding(int in, int kernel, int stride) {
  int out = (in + stride - 1) / stride;
  int total = std::max((out - 1) * stride + kernel - in, 0);
  return {total / 2, total - total / 2};
}

// Builds the detector's net from its weights. The first failure (a tensor
// missing or shaped otherwise) is kept; later steps then do nothing, so
// Load checks once at the end.
class SsdNetBuilder {
 public:
  explicit SsdNetBuilder(const TfjsWeights& weights) : weights_(weights) {
    net_.setInputsNames({"input"});
  }

  const Status& status() const { return weights_.status(); }
  cv::dnn::Net net() const { return net_; }

  // Layer 0 is the net's input: the normalised image, NCHW.
  Node Input() const { return {0, FaceDetector::kInputSide, 3}; }

  // A convolution of the trunk or the extra layers: batch norm is already
  // folded into its bias, and ReLU6 follows.
  Node ConvRelu6(const Node& in, const std::string& scope, int kernel, int out,
                 int stride) {
    return Conv(in, scope, "convolution_bn_offset", kernel, out, stride,
                /*relu6=*/true);
  }

  // A 3x3 depthwise convolution with its batch norm folded in (in double),
  // then ReLU6.
  Node DepthwiseBatchNorm(const Node& in, const std::string& scope,
                          int stride) {
    const int c = in.channels;
    const WeightTensor* filter =
        weights_.Get(scope + "/depthwise_weights", {3, 3, c, 1});
    const WeightTensor* gamma = weights_.Get(scope + "/BatchNorm/gamma", {c});
    const WeightTensor* beta = weights_.Get(scope + "/BatchNorm/beta", {c});
    const WeightTensor* mean =
        weights_.Get(scope + "/BatchNorm/moving_mean", {c});
    const WeightTensor* variance =
        weights_.Get(scope + "/BatchNorm/moving_variance", {c});
    if (!status().ok()) return in;

    cv::Mat filters = internal::ToOpenCvDepthwiseFilters(*filter);
    std::vector<float> bias(c);
    for (int i = 0; i < c; ++i) {
      double scale =
          gamma->values[i] / std::sqrt(variance->values[i] + kBatchNormEpsilon);
      float* taps = filters.ptr<float>(i);
      for (int k = 0; k < 9; ++k) taps[k] = static_cast<float>(taps[k] * scale);
      bias[i] = static_cast<float>(beta->values[i] - mean->values[i] * scale);
    }
    return AddConv(in, scope, filters, internal::ToRow(bias), stride,
                   /*group=*/c, /*relu6=*/true);
  }

  // The box and class heads on feature map `index`: 1x1 convolutions with
  // bias and no activation.
  void Heads(const Node& feature_map, int index) {
    const int anchors = kAnchorsPerCell[index];
    Conv(feature_map, HeadScope(index) + "/BoxEncodingPredictor", "biases", 1,
         anchors * 4, 1, /*relu6=*/false);
    Conv(feature_map, HeadScope(index) + "/ClassPredictor", "biases", 1,
         anchors * 3, 1, /*relu6=*/false);
  }

 private:
  Node Conv(const Node& in, const std::string& scope,
            const std::string& bias_name, int kernel, int out, int stride,
            bool relu6) {
    const WeightTensor* filter =
        weights_.Get(scope + "/weights", {kernel, kernel, in.channels, out});
    const WeightTensor* bias = weights_.Get(scope + "/" + bias_name, {out});
    if (!status().ok()) return in;
    return AddConv(in, scope, internal::ToOpenCvFilters(*filter),
                   internal::ToRow(bias->values), stride, /*group=*/1, relu6);
  }

  Node AddConv(const Node& in, const std::string& name, cv::Mat filters,
               cv::Mat bias, int stride, int group, bool relu6) {
    const int out = filters.size[0];
    const int kernel = filters.size[2];
    auto [pad_before, pad_after] = SamePadding(in.side, kernel, stride);

    cv::dnn::LayerParams params;
    params.set("kernel_h", kernel);
    params.set("kernel_w", kernel);
    params.set("stride_h", stride);
    params.set("stride_w", stride);
    if (pad_before == pad_after) {
      params.set("pad_t", pad_before);
      params.set("pad_l", pad_before);
      params.set("pad_b", pad_after);
      params.set("pad_r", pad_after);
    } else {
      // OpenCV 4.6's convolution refuses uneven pads, but its SAME mode
      // applies TensorFlow's rule: nothing before, and windows reaching past
      // the bottom and right edges read zeros. Its output equals that of an
      // explicit Padding layer bit for bit, and saves copying each stride-2
      // layer's input (about 5 % of a forward pass).
      params.set("pad_mode", "SAME");
    }
    params.set("num_output", out);
    params.set("group", group);
    params.set("bias_term", true);
    params.blobs = {filters, bias};
    int layer = net_.addLayer(name, "Convolution", params);
    net_.connect(in.layer, 0, layer, 0);
    Node node{layer, (in.side + stride - 1) / stride, out};
    return relu6 ? AddRelu6(node, name + "/Relu6") : node;
  }

  Node AddRelu6(const Node& in, const std::string& name) {
    cv::dnn::LayerParams params;
    params.set("min_value", 0.0f);
    params.set("max_value", 6.0f);
    int layer = net_.addLayer(name, "ReLU6", params);
    net_.connect(in.layer, 0, layer, 0);
    return {layer, in.side, in.channels};
  }

  internal::WeightFetcher weights_;
  cv::dnn::Net net_;
};

// Builds the whole detector from its weights.
Result<cv::dnn::Net> BuildNet(const TfjsWeights& weights) {
  SsdNetBuilder b(weights);
  Node x = b.ConvRelu6(b.Input(), "MobilenetV1/Conv2d_0_pointwise", 3, 32, 2);
  std::vector<Node> feature_maps;
  for (int i = 1; i <= 13; ++i) {
    const std::string scope = "MobilenetV1/Conv2d_" + std::to_string(i);
    x = b.DepthwiseBatchNorm(x, scope + "_depthwise", kBlockStrides[i - 1]);
    x = b.ConvRelu6(x, scope + "_pointwise", 1, kBlockChannels[i - 1], 1);
    if (i == 11 || i == 13) feature_maps.push_back(x);
  }
  for (int i = 0; i < 8; ++i) {
    const bool is_3x3 = i % 2 == 1;
    x = b.ConvRelu6(x, "Prediction/Conv2d_" + std::to_string(i) + "_pointwise",
                    is_3x3 ? 3 : 1, kExtraChannels[i], is_3x3 ? 2 : 1);
    if (is_3x3) feature_maps.push_back(x);
  }
  for (int i = 0; i < 6; ++i) b.Heads(feature_maps[i], i);

  if (!b.status().ok()) return b.status().error();
  cv::dnn::Net net = b.net();
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);

  // OpenCV creates layers only when it first needs them. Working out every
  // layer's output shape creates them all, so a net OpenCV rejects throws
  // here, inside Load's try, rather than in RunNetwork.
  std::vector<std::vector<cv::dnn::MatShape>> inputs, outputs;
  std::vector<int> layer_ids;
  net.getLayersShapes(cv::dnn::MatShape{1, 3, FaceDetector::kInputSide,
                                        FaceDetector::kInputSide},
                      layer_ids, inputs, outputs);
  return net;
}

// Appends a head's NCHW output to `dst` in NHWC order, which is the
// [y][x][anchor][value] order the anchors are stored in.
void AppendNhwc(const cv::Mat& nchw, std::vector<float>& dst) {
  const int channels = nchw.size[1];
  const int cells = nchw.size[2] * nchw.size[3];
  const float* src = nchw.ptr<float>();
  for (int cell = 0; cell < cells; ++cell) {
    for (int c = 0; c < channels; ++c) dst.push_back(src[c * cells + cell]);
  }
}

// IoU of two (ymin, xmin, ymax, xmax) boxes in double, as face-api's NMS
// computes it: corners may come in either order, and an empty box overlaps
// nothing.
double IntersectionOverUnion(const float* a, const float* b) {
  auto area = [](const float* box) {
    return (std::fabs(double{box[2]} - box[0])) *
           (std::fabs(double{box[3]} - box[1]));
  };
  double area_a = area(a), area_b = area(b);
  if (area_a <= 0 || area_b <= 0) return 0;
  double ymin = std::max(std::min(a[0], a[2]), std::min(b[0], b[2]));
  double xmin = std::max(std::min(a[1], a[3]), std::min(b[1], b[3]));
  double ymax = std::min(std::max(a[0], a[2]), std::max(b[0], b[2]));
  double xmax = std::min(std::max(a[1], a[3]), std::max(b[1], b[3]));
  double overlap = std::max(ymax - ymin, 0.0) * std::max(xmax - xmin, 0.0);
  return overlap / (area_a + area_b - overlap);
}

// JavaScript's Math.round: halves go up.
double RoundHalfUp(double value) { return std::floor(value + 0.5); }

}  // namespace

Result<FaceDetector> FaceDetector::Load(
    const std::filesystem::path& model_dir) {
  const std::filesystem::path manifest = model_dir / kManifestName;
  auto weights = TfjsWeights::Load(manifest);
  if (!weights) return std::move(weights).error();

  auto anchors = weights->Get("Output/extra_dim", {1, kAnchorCount, 4});
  if (!anchors) return std::move(anchors).error();

  try {
    auto net = BuildNet(*weights);
    if (!net) return std::move(net).error();
    return FaceDetector(std::move(*net), (*anchors)->values);
  } catch (const cv::Exception& e) {
    return Error{ErrorCode::kInternal,
                 "model file " + manifest.string() +
                     ": OpenCV rejected the network: " + e.what()};
  }
}

SsdOutputs FaceDetector::RunNetwork(const cv::Mat& input) {
  CV_Assert(input.type() == CV_32FC3 && input.rows == kInputSide &&
            input.cols == kInputSide);

  // The net's own normalisation, x / 127.5 - 1, done while moving HWC to
  // NCHW: in float, as tfjs does it, and cheaper than an extra layer.
  const int plane = kInputSide * kInputSide;
  cv::Mat blob({1, 3, kInputSide, kInputSide}, CV_32F);
  float* dst = blob.ptr<float>();
  cv::Mat pixels = input.isContinuous() ? input : input.clone();
  const float* src = pixels.ptr<float>();
  for (int i = 0; i < plane; ++i) {
    for (int c = 0; c < 3; ++c) {
      dst[c * plane + i] = src[i * 3 + c] / 127.5f - 1.0f;
    }
  }

  net_.setInput(blob);
  std::vector<cv::Mat> heads;
  net_.forward(heads, HeadLayerNames());

  SsdOutputs outputs;
  outputs.box_encodings.reserve(kAnchorCount * 4);
  outputs.class_logits.reserve(kAnchorCount * 3);
  for (size_t i = 0; i < heads.size(); i += 2) {
    AppendNhwc(heads[i], outputs.box_encodings);
    AppendNhwc(heads[i + 1], outputs.class_logits);
  }
  return outputs;
}

SsdCandidates FaceDetector::Decode(const SsdOutputs& outputs) const {
  SsdCandidates candidates;
  candidates.boxes.resize(kAnchorCount * 4);
  candidates.scores.resize(kAnchorCount);
  // Every step in float, in the order tfjs runs its ops, so the result
  // stays within a rounding or two of the library's.
  for (int i = 0; i < kAnchorCount; ++i) {
    const float* anchor = &anchors_[i * 4];
    const float* t = &outputs.box_encodings[i * 4];
    float anchor_h = anchor[2] - anchor[0];
    float anchor_w = anchor[3] - anchor[1];
    float centre_y = t[0] / 10.0f * anchor_h + (anchor[0] + anchor_h / 2.0f);
    float centre_x = t[1] / 10.0f * anchor_w + (anchor[1] + anchor_w / 2.0f);
    float half_h =
        static_cast<float>(std::exp(double{t[2] / 5.0f})) * anchor_h / 2.0f;
    float half_w =
        static_cast<float>(std::exp(double{t[3] / 5.0f})) * anchor_w / 2.0f;
    float* box = &candidates.boxes[i * 4];
    box[0] = centre_y - half_h;
    box[1] = centre_x - half_w;
    box[2] = centre_y + half_h;
    box[3] = centre_x + half_w;

    double logit = outputs.class_logits[i * 3 + 1];
    candidates.scores[i] = static_cast<float>(1.0 / (1.0 + std::exp(-logit)));
  }
  return candidates;
}

std::vector<int> SelectAnchors(const SsdCandidates& candidates,
                               const DetectOptions& options) {
  std::vector<int> order;
  for (size_t i = 0; i < candidates.scores.size(); ++i) {
    if (candidates.scores[i] > options.min_score) {
      order.push_back(static_cast<int>(i));
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return candidates.scores[a] > candidates.scores[b];
  });

  std::vector<int> kept;
  for (int anchor : order) {
    if (static_cast<int>(kept.size()) >= options.max_results) break;
    const float* box = &candidates.boxes[anchor * 4];
    bool overlaps = std::any_of(kept.begin(), kept.end(), [&](int other) {
      return IntersectionOverUnion(box, &candidates.boxes[other * 4]) >
             kNmsIouThreshold;
    });
    if (!overlaps) kept.push_back(anchor);
  }
  return kept;
}

std::vector<Detection> FaceDetector::Detect(const cv::Mat& rgb,
                                            const DetectOptions& options) {
  if (rgb.empty()) return {};
  const int side = std::max(rgb.cols, rgb.rows);
  cv::Mat input = internal::LegacyResize(rgb, {side, side}, {0, 0},
                                         {kInputSide, kInputSide});
  SsdCandidates candidates = Decode(RunNetwork(input));

  // face-api scales boxes back with the extent the image would have in the
  // 512 input rounded to whole pixels, so the short side's factor is a
  // little off. Kept: the library's boxes were made this way.
  const double to_input = static_cast<double>(kInputSide) / side;
  const double scale_x = kInputSide / RoundHalfUp(rgb.cols * to_input);
  const double scale_y = kInputSide / RoundHalfUp(rgb.rows * to_input);

  std::vector<Detection> faces;
  for (int anchor : SelectAnchors(candidates, options)) {
    const float* box = &candidates.boxes[anchor * 4];
    double top = std::max(0.0, double{box[0]}) * scale_y;
    double left = std::max(0.0, double{box[1]}) * scale_x;
    double bottom = std::min(1.0, double{box[2]}) * scale_y;
    double right = std::min(1.0, double{box[3]}) * scale_x;
    faces.push_back(
        {cv::Rect2d(left * rgb.cols, top * rgb.rows, (right - left) * rgb.cols,
                    (bottom - top) * rgb.rows),
         candidates.scores[anchor]});
  }
  return faces;
}

int64_t FaceDetector::FlopsPerForward() const {
  return internal::CountFlops(net_, {1, 3, kInputSide, kInputSide});
}

}  // namespace eventface::engine
