// face-api's 68-point landmark net, rebuilt layer by layer on OpenCV DNN
// from the tfjs weights. The input, 112x112 RGB normalised as
// (x - mean) / 255, goes through four dense blocks; each halves the side
// (112, 56, 28, 14, 7) and doubles the channels (32 to 256). A 7x7 average
// pool and a fully connected layer then give 136 values.
//
// A dense block with convolutions c0..c3 (c0 at stride 2, the rest at
// stride 1) computes
//   a = relu(c0(x)), b = c1(a), c = c2(relu(a + b)), d = c3(relu(a + b + c))
// and outputs relu(a + b + c + d). Every convolution but dense0's c0 is
// separable: a depthwise 3x3 without bias, a pointwise 1x1, then the bias.
// Padding is TensorFlow's `same`, which for a 3x3 kernel at stride 2 on an
// even side puts nothing before and one row or column after.
#include "engine/landmark_detector.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <string>
#include <utility>
#include <vector>

#include "engine/face_aligner.h"
#include "engine/internal/dnn_weights.h"
#include "engine/internal/input_blob.h"
#include "engine/internal/legacy_resize.h"
#include "engine/internal/net_flops.h"
#include "engine/tfjs_weights.h"

namespace eventface::engine {
namespace {

constexpr char kManifestName[] = "face_landmark_68_model-weights_manifest.json";
constexpr int kBlocks = 4;
constexpr int kOutputs = 136;
constexpr int kPoints = kOutputs / 2;

// face-api subtracts this mean, then divides by 255, both in float32.
constexpr std::array<float, 3> kMean = {122.782f, 117.001f, 104.298f};

// One convolution's weights as OpenCV blobs.
struct ConvWeights {
  cv::Mat depthwise;  // [in, 1, 3, 3]; empty for a plain convolution
  cv::Mat filters;    // [out, in, k, k]
  cv::Mat bias;       // [1, out]
};

Result<ConvWeights> LoadConvWeights(const TfjsWeights& weights,
                                    const std::string& prefix, int in, int out,
                                    bool is_separable) {
  ConvWeights conv;
  auto bias = weights.Get(prefix + "/bias", {out});
  if (!bias) return std::move(bias).error();
  conv.bias = internal::ToRow((*bias)->values);

  if (!is_separable) {
    auto filters = weights.Get(prefix + "/filters", {3, 3, in, out});
    if (!filters) return std::move(filters).error();
    conv.filters = internal::ToOpenCvFilters(**filters);
    return conv;
  }

  auto depthwise = weights.Get(prefix + "/depthwise_filter", {3, 3, in, 1});
  if (!depthwise) return std::move(depthwise).error();
  auto pointwise = weights.Get(prefix + "/pointwise_filter", {1, 1, in, out});
  if (!pointwise) return std::move(pointwise).error();
  conv.depthwise = internal::ToOpenCvDepthwiseFilters(**depthwise);
  conv.filters = internal::ToOpenCvFilters(**pointwise);
  return conv;
}

// Adds named layers to a net and wires each to the layers it reads. Layer
// id 0 is the net's input.
class NetBuilder {
 public:
  static constexpr int kInput = 0;

  // A convolution with TensorFlow's `same` padding. OpenCV 4.6 refuses
  // explicit asymmetric pads for convolutions, but its "SAME" mode follows
  // TensorFlow: a pad of 0 on both sides for 3x3 at stride 2 on an even
  // side, and an output of half that side, whose last window reads one
  // row and column of zeros past the end.
  int Convolution(const std::string& name, int input, const cv::Mat& filters,
                  const cv::Mat& bias, int stride, int groups) {
    cv::dnn::LayerParams params;
    params.set("kernel_size", filters.size[2]);
    params.set("stride", stride);
    params.set("pad_mode", "SAME");
    params.set("num_output", filters.size[0]);
    params.set("group", groups);
    params.set("bias_term", !bias.empty());
    params.blobs.push_back(filters);
    if (!bias.empty()) params.blobs.push_back(bias);
    return Add(name, "Convolution", params, {input});
  }

  int Relu(const std::string& name, int input) {
    cv::dnn::LayerParams params;
    return Add(name, "ReLU", params, {input});
  }

  int Sum(const std::string& name, const std::vector<int>& inputs) {
    cv::dnn::LayerParams params;
    params.set("operation", "sum");
    return Add(name, "Eltwise", params, inputs);
  }

  int AveragePool(const std::string& name, int input, int kernel, int stride) {
    cv::dnn::LayerParams params;
    params.set("pool", "ave");
    params.set("kernel_size", kernel);
    params.set("stride", stride);
    params.set("ceil_mode", false);
    return Add(name, "Pooling", params, {input});
  }

  int FullyConnected(const std::string& name, int input, const cv::Mat& weights,
                     const cv::Mat& bias) {
    cv::dnn::LayerParams params;
    params.set("num_output", weights.rows);
    params.set("bias_term", true);
    params.set("axis", 1);
    params.blobs = {weights, bias};
    return Add(name, "InnerProduct", params, {input});
  }

  cv::dnn::Net Release() { return std::move(net_); }

 private:
  int Add(const std::string& name, const std::string& type,
          cv::dnn::LayerParams& params, const std::vector<int>& inputs) {
    params.name = name;
    params.type = type;
    int id = net_.addLayer(name, type, params);
    for (size_t slot = 0; slot < inputs.size(); ++slot) {
      net_.connect(inputs[slot], 0, id, static_cast<int>(slot));
    }
    return id;
  }

  cv::dnn::Net net_;
};

// Adds one convolution, plain or separable, and returns its output layer.
int AddConv(NetBuilder& builder, const std::string& name, int input,
            const ConvWeights& conv, int stride) {
  if (conv.depthwise.empty()) {
    return builder.Convolution(name, input, conv.filters, conv.bias, stride,
                               /*groups=*/1);
  }
  int channels = conv.depthwise.size[0];
  int depthwise = builder.Convolution(
      name + "/depthwise", input, conv.depthwise, cv::Mat(), stride, channels);
  return builder.Convolution(name + "/pointwise", depthwise, conv.filters,
                             conv.bias, /*stride=*/1, /*groups=*/1);
}

// Adds dense block `block`, reading layer `input`, and returns its output
// layer.
Result<int> AddDenseBlock(NetBuilder& builder, const TfjsWeights& weights,
                          int block, int input) {
  std::string prefix = "dense" + std::to_string(block);
  int out = 32 << block;
  int in = block == 0 ? 3 : out / 2;
  std::vector<ConvWeights> convs;
  for (int i = 0; i < 4; ++i) {
    bool is_separable = block > 0 || i > 0;
    auto conv = LoadConvWeights(weights, prefix + "/conv" + std::to_string(i),
                                i == 0 ? in : out, out, is_separable);
    if (!conv) return std::move(conv).error();
    convs.push_back(std::move(conv).value());
  }

  auto name = [&](const char* suffix) { return prefix + suffix; };
  int a = builder.Relu(name("/a"),
                       AddConv(builder, name("/conv0"), input, convs[0], 2));
  int b = AddConv(builder, name("/conv1"), a, convs[1], 1);
  int ab = builder.Relu(name("/relu_ab"), builder.Sum(name("/ab"), {a, b}));
  int c = AddConv(builder, name("/conv2"), ab, convs[2], 1);
  int abc =
      builder.Relu(name("/relu_abc"), builder.Sum(name("/abc"), {a, b, c}));
  int d = AddConv(builder, name("/conv3"), abc, convs[3], 1);
  return builder.Relu(name("/out"), builder.Sum(name("/abcd"), {a, b, c, d}));
}

// May throw cv::Exception.
Result<cv::dnn::Net> BuildNet(const TfjsWeights& weights) {
  NetBuilder builder;
  int layer = NetBuilder::kInput;
  int side = LandmarkDetector::kInputSide;
  for (int block = 0; block < kBlocks; ++block) {
    auto output = AddDenseBlock(builder, weights, block, layer);
    if (!output) return std::move(output).error();
    layer = *output;
    side = (side + 1) / 2;  // `same` padding at stride 2
  }

  int channels = 32 << (kBlocks - 1);
  auto fc_weights = weights.Get("fc/weights", {channels, kOutputs});
  if (!fc_weights) return std::move(fc_weights).error();
  auto fc_bias = weights.Get("fc/bias", {kOutputs});
  if (!fc_bias) return std::move(fc_bias).error();
  // The pool's one window covers the whole 7x7 map: a mean per channel.
  int pooled = builder.AveragePool("pool", layer, side, /*stride=*/2);
  builder.FullyConnected("fc", pooled, internal::ToOpenCvMatrix(**fc_weights),
                         internal::ToRow((*fc_bias)->values));

  cv::dnn::Net net = builder.Release();
  net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
  net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  return net;
}

}  // namespace

Result<LandmarkDetector> LandmarkDetector::Load(
    const std::filesystem::path& model_dir) {
  std::filesystem::path manifest = model_dir / kManifestName;
  auto weights = TfjsWeights::Load(manifest);
  if (!weights) return std::move(weights).error();

  try {
    auto net = BuildNet(*weights);
    if (!net) return std::move(net).error();
    LandmarkDetector detector(std::move(net).value());
    // OpenCV checks shapes and allocates on the first run: do it now, so a
    // net it cannot run fails here and not in the middle of a job.
    detector.RunNetwork(cv::Mat::zeros(kInputSide, kInputSide, CV_32FC3));
    return detector;
  } catch (const cv::Exception& e) {
    return Error{ErrorCode::kInternal,
                 "model file " + manifest.string() +
                     ": OpenCV cannot build the landmark net: " + e.err};
  }
}

std::array<float, 136> LandmarkDetector::RunNetwork(const cv::Mat& input) {
  assert(input.type() == CV_32FC3);
  assert(input.rows == kInputSide && input.cols == kInputSide);
  net_.setInput(internal::ToMeanNormalisedBlob(input, kMean));
  cv::Mat output = net_.forward();
  assert(output.isContinuous() && output.total() == kOutputs);

  std::array<float, kOutputs> raw;
  std::copy_n(output.ptr<float>(), kOutputs, raw.begin());
  return raw;
}

Landmarks LandmarkDetector::Detect(const cv::Mat& rgb, const cv::Rect2d& box) {
  assert(rgb.type() == CV_8UC3);
  cv::Rect crop = ClipAndFloor(box, rgb.size());
  assert(!crop.empty());
  internal::CentredPadding padding = internal::CentreInSquare(crop.size());
  cv::Mat input = internal::LegacyResize(
      rgb(crop), padding.square, padding.offset, {kInputSide, kInputSide});
  return MapLandmarksToImage(RunNetwork(input), crop.size(), box.tl());
}

Landmarks MapLandmarksToImage(const std::array<float, 136>& raw, cv::Size crop,
                              cv::Point2d box_origin) {
  // The crop's sides scaled to fit the input, unrounded, and the padding
  // face-api assumes from them: half the difference on each side.
  double scale = static_cast<double>(LandmarkDetector::kInputSide) /
                 std::max(crop.width, crop.height);
  double width = crop.width * scale;
  double height = crop.height * scale;
  double pad_x = width < height ? (height - width) / 2 : 0;
  double pad_y = height < width ? (width - height) / 2 : 0;

  // The library finds each point's fraction of the crop in float32, then
  // scales it to the crop and shifts it in double.
  const auto side = static_cast<float>(LandmarkDetector::kInputSide);
  Landmarks points;
  for (int i = 0; i < kPoints; ++i) {
    float fx = (raw[2 * i] * side - static_cast<float>(pad_x)) /
               static_cast<float>(width);
    float fy = (raw[2 * i + 1] * side - static_cast<float>(pad_y)) /
               static_cast<float>(height);
    points[i] = {fx * static_cast<double>(crop.width) + box_origin.x,
                 fy * static_cast<double>(crop.height) + box_origin.y};
  }
  return points;
}

int64_t LandmarkDetector::FlopsPerForward() const {
  return internal::CountFlops(net_, {1, 3, kInputSide, kInputSide});
}

}  // namespace eventface::engine
