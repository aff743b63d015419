#include "engine/face_embedder.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <string>
#include <utility>
#include <vector>

#include "engine/internal/dnn_weights.h"
#include "engine/internal/input_blob.h"
#include "engine/internal/legacy_resize.h"
#include "engine/internal/net_flops.h"
#include "engine/tfjs_weights.h"

// The network is face-api's port of dlib's face recognition ResNet. Shapes,
// for the 150x150 input (side x side x channels):
//
//   conv32_down  7x7/2 valid conv, then 3x3/2 valid max pool   35x35x32
//   conv32_1..3      residual                                35x35x32
//   conv64_down      residual down                           17x17x64
//   conv64_1..3      residual                                17x17x64
//   conv128_down     residual down                           8x8x128
//   conv128_1..2     residual                                8x8x128
//   conv256_down     residual down                           4x4x256
//   conv256_1..2     residual                                4x4x256
//   conv256_down_out residual down                           2x2x256
//   mean over positions, then fc 256->128 without bias       128
//
// Every convolution adds its bias, then a per-channel affine "scale".

namespace eventface::engine {
namespace {

namespace fs = std::filesystem;

constexpr char kManifestName[] = "face_recognition_model-weights_manifest.json";

// face-api subtracts this RGB mean, then divides by 255, in float32.
constexpr std::array<float, 3> kMeanRgb = {122.782f, 117.001f, 104.298f};

// A layer's output as the builder tracks it: the layer id and the shape
// that comes out of it, so that padding decisions can be made while
// building.
struct Tensor {
  int id;
  int channels;
  int side;
};

enum class Padding { kValid, kSame };

// Builds the recognition net layer by layer. The first weight that is
// missing or misshapen stops the build: later calls add no layers, return
// their input unchanged, and error() reports the weight.
class NetBuilder {
 public:
  explicit NetBuilder(const TfjsWeights& weights) : weights_(weights) {
    net_.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
    net_.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
  }

  // The network's input: the normalised 150x150 RGB image, NCHW.
  Tensor Input() const { return {0, 3, FaceEmbedder::kInputSide}; }

  // conv, + bias, * scale weights + scale biases, then ReLU if asked.
  Tensor ConvUnit(const std::string& name, Tensor x, int out, int kernel,
                  int stride, Padding padding, bool relu);

  // relu(x + conv2(relu(conv1(x)))), keeping the shape.
  Tensor Residual(const std::string& name, Tensor x);

  // The same with conv1 3x3 stride 2 valid and a pooled shortcut.
  Tensor ResidualDown(const std::string& name, Tensor x, int channels);

  Tensor MaxPool(const std::string& name, Tensor x, int kernel, int stride);
  Tensor AveragePool(const std::string& name, Tensor x, int kernel, int stride);
  Tensor GlobalMean(const std::string& name, Tensor x);
  Tensor FullyConnected(const std::string& name, Tensor x, int outputs);

  const Status& status() const { return weights_.status(); }
  cv::dnn::Net TakeNet() { return std::move(net_); }

 private:
  Tensor Pool(const std::string& name, Tensor x, const char* kind, int kernel,
              int stride);
  Tensor Relu(const std::string& name, Tensor x);
  Tensor Sum(const std::string& name, Tensor a, Tensor b);
  // Appends zeros: `channels` after the existing channels, and `rows` rows
  // below and as many columns to the right.
  Tensor ZeroPad(const std::string& name, Tensor x, int channels, int rows);
  Tensor Add(const std::string& name, const std::string& type,
             cv::dnn::LayerParams& params, Tensor x, int channels, int side);

  internal::WeightFetcher weights_;
  cv::dnn::Net net_;
};

Tensor NetBuilder::Add(const std::string& name, const std::string& type,
                       cv::dnn::LayerParams& params, Tensor x, int channels,
                       int side) {
  if (!status().ok()) return x;
  params.name = name;
  params.type = type;
  int id = net_.addLayer(name, type, params);
  net_.connect(x.id, 0, id, 0);
  return {id, channels, side};
}

Tensor NetBuilder::ConvUnit(const std::string& name, Tensor x, int out,
                            int kernel, int stride, Padding padding,
                            bool relu) {
  const std::vector<int> per_channel = {out};
  const WeightTensor* filters =
      weights_.Get(name + "/conv/filters", {kernel, kernel, x.channels, out});
  const WeightTensor* bias = weights_.Get(name + "/conv/bias", per_channel);
  const WeightTensor* scale =
      weights_.Get(name + "/scale/weights", per_channel);
  const WeightTensor* shift = weights_.Get(name + "/scale/biases", per_channel);
  if (!status().ok()) return x;

  // TensorFlow's `same` for a 3x3 stride-1 kernel pads one on every side.
  const int pad = padding == Padding::kSame ? (kernel - 1) / 2 : 0;
  assert(padding == Padding::kValid || stride == 1);
  cv::dnn::LayerParams conv;
  conv.set("kernel_h", kernel);
  conv.set("kernel_w", kernel);
  conv.set("stride_h", stride);
  conv.set("stride_w", stride);
  for (const char* side : {"pad_t", "pad_l", "pad_b", "pad_r"}) {
    conv.set(side, pad);
  }
  conv.set("num_output", out);
  conv.set("bias_term", true);
  conv.blobs = {internal::ToOpenCvFilters(*filters),
                internal::ToRow(bias->values)};
  const int side = (x.side + 2 * pad - kernel) / stride + 1;
  Tensor y = Add(name + "/conv", "Convolution", conv, x, out, side);

  cv::dnn::LayerParams affine;
  affine.set("bias_term", true);
  affine.blobs = {internal::ToRow(scale->values),
                  internal::ToRow(shift->values)};
  y = Add(name + "/scale", "Scale", affine, y, out, side);
  return relu ? Relu(name + "/relu", y) : y;
}

Tensor NetBuilder::Residual(const std::string& name, Tensor x) {
  const int out = x.channels;
  Tensor a = ConvUnit(name + "/conv1", x, out, 3, 1, Padding::kSame, true);
  Tensor b = ConvUnit(name + "/conv2", a, out, 3, 1, Padding::kSame, false);
  return Relu(name + "/relu", Sum(name + "/sum", b, x));
}

Tensor NetBuilder::ResidualDown(const std::string& name, Tensor x,
                                int channels) {
  Tensor a =
      ConvUnit(name + "/conv1", x, channels, 3, 2, Padding::kValid, true);
  Tensor b =
      ConvUnit(name + "/conv2", a, channels, 3, 1, Padding::kSame, false);
  if (!status().ok()) return x;  // the shapes below would not add up

  // The shortcut halves the side (dropping an odd last row and column)
  // and gains the new channels as zeros.
  Tensor shortcut = AveragePool(name + "/shortcut_pool", x, 2, 2);
  if (channels > x.channels) {
    shortcut =
        ZeroPad(name + "/shortcut_pad", shortcut, channels - x.channels, 0);
  }

  // On an even input the valid conv1 comes out one smaller than the
  // pooled shortcut (8 -> 3 against 4, 4 -> 1 against 2); face-api pads
  // the main branch with zeros below and to the right.
  const int missing = shortcut.side - b.side;
  assert(missing >= 0);
  if (missing > 0) {
    b = ZeroPad(name + "/main_pad", b, 0, missing);
  }
  return Relu(name + "/relu", Sum(name + "/sum", b, shortcut));
}

Tensor NetBuilder::Pool(const std::string& name, Tensor x, const char* kind,
                        int kernel, int stride) {
  cv::dnn::LayerParams params;
  params.set("pool", kind);
  params.set("kernel_h", kernel);
  params.set("kernel_w", kernel);
  params.set("stride_h", stride);
  params.set("stride_w", stride);
  // OpenCV rounds the output size up by default; TensorFlow's `valid`
  // rounds down (72 -> 35, 35 -> 17).
  params.set("ceil_mode", false);
  const int side = (x.side - kernel) / stride + 1;
  return Add(name, "Pooling", params, x, x.channels, side);
}

Tensor NetBuilder::MaxPool(const std::string& name, Tensor x, int kernel,
                           int stride) {
  return Pool(name, x, "max", kernel, stride);
}

Tensor NetBuilder::AveragePool(const std::string& name, Tensor x, int kernel,
                               int stride) {
  return Pool(name, x, "ave", kernel, stride);
}

Tensor NetBuilder::GlobalMean(const std::string& name, Tensor x) {
  cv::dnn::LayerParams params;
  params.set("pool", "ave");
  params.set("global_pooling", true);
  return Add(name, "Pooling", params, x, x.channels, 1);
}

Tensor NetBuilder::FullyConnected(const std::string& name, Tensor x,
                                  int outputs) {
  const WeightTensor* weights = weights_.Get(name, {x.channels, outputs});
  if (!weights) return x;
  cv::dnn::LayerParams params;
  params.set("num_output", outputs);
  params.set("bias_term", false);
  params.blobs = {internal::ToOpenCvMatrix(*weights)};
  return Add(name, "InnerProduct", params, x, outputs, 1);
}

Tensor NetBuilder::Relu(const std::string& name, Tensor x) {
  cv::dnn::LayerParams params;
  return Add(name, "ReLU", params, x, x.channels, x.side);
}

Tensor NetBuilder::Sum(const std::string& name, Tensor a, Tensor b) {
  if (!status().ok()) return a;
  assert(a.channels == b.channels && a.side == b.side);
  cv::dnn::LayerParams params;
  params.set("operation", "sum");
  Tensor sum = Add(name, "Eltwise", params, a, a.channels, a.side);
  net_.connect(b.id, 0, sum.id, 1);
  return sum;
}

Tensor NetBuilder::ZeroPad(const std::string& name, Tensor x, int channels,
                           int rows) {
  // Pairs of (before, after) for N, C, H, W.
  const int paddings[] = {0, 0, 0, channels, 0, rows, 0, rows};
  cv::dnn::LayerParams params;
  params.set("paddings", cv::dnn::DictValue::arrayInt(paddings, 8));
  params.set("value", 0.0f);
  return Add(name, "Padding", params, x, x.channels + channels, x.side + rows);
}

// Lays out the whole network; see the table at the top of this file.
void BuildNetwork(NetBuilder& builder) {
  Tensor x = builder.Input();
  x = builder.ConvUnit("conv32_down", x, 32, 7, 2, Padding::kValid, true);
  x = builder.MaxPool("conv32_down/pool", x, 3, 2);

  x = builder.Residual("conv32_1", x);
  x = builder.Residual("conv32_2", x);
  x = builder.Residual("conv32_3", x);

  // Each later stage opens with a residual down block that halves the side.
  struct Stage {
    const char* name;
    int channels;
    int residuals;
  };
  for (const Stage& stage : {Stage{"conv64", 64, 3}, Stage{"conv128", 128, 2},
                             Stage{"conv256", 256, 2}}) {
    const std::string name = stage.name;
    x = builder.ResidualDown(name + "_down", x, stage.channels);
    for (int i = 1; i <= stage.residuals; ++i) {
      x = builder.Residual(name + "_" + std::to_string(i), x);
    }
  }
  x = builder.ResidualDown("conv256_down_out", x, 256);

  x = builder.GlobalMean("mean", x);
  builder.FullyConnected("fc", x, 128);
}

}  // namespace

Result<FaceEmbedder> FaceEmbedder::Load(const fs::path& model_dir) {
  const fs::path manifest = model_dir / kManifestName;
  auto weights = TfjsWeights::Load(manifest);
  if (!weights) return std::move(weights).error();

  try {
    NetBuilder builder(*weights);
    BuildNetwork(builder);
    if (!builder.status().ok()) return builder.status().error();

    // One forward pass on a blank face makes OpenCV allocate and fuse the
    // layers now, so a shape it rejects fails here rather than per face.
    FaceEmbedder embedder(builder.TakeNet());
    embedder.RunNetwork(cv::Mat::zeros(kInputSide, kInputSide, CV_32FC3));
    return embedder;
  } catch (const cv::Exception& e) {
    return Error{
        ErrorCode::kInternal,
        manifest.string() + ": OpenCV rejected the network: " + e.what()};
  }
}

Embedding FaceEmbedder::RunNetwork(const cv::Mat& input) {
  assert(input.rows == kInputSide && input.cols == kInputSide);
  net_.setInput(internal::ToMeanNormalisedBlob(input, kMeanRgb));
  cv::Mat output = net_.forward();
  assert(output.total() == std::tuple_size_v<Embedding>);

  Embedding embedding;
  const float* values = output.ptr<float>();
  std::copy(values, values + embedding.size(), embedding.begin());
  return embedding;
}

Embedding FaceEmbedder::Embed(const cv::Mat& rgb, const cv::Rect& chip) {
  assert(!chip.empty() && (chip & cv::Rect(0, 0, rgb.cols, rgb.rows)) == chip);
  internal::CentredPadding padding = internal::CentreInSquare(chip.size());
  cv::Mat input = internal::LegacyResize(
      rgb(chip), padding.square, padding.offset, {kInputSide, kInputSide});
  return RunNetwork(input);
}

int64_t FaceEmbedder::FlopsPerForward() const {
  return internal::CountFlops(net_, {1, 3, kInputSide, kInputSide});
}

}  // namespace eventface::engine
