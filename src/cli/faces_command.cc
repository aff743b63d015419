// eventface faces IMAGE: the faces the engine finds in one image.
#include <cstdio>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "cli/commands.h"
#include "cli/face_json.h"

namespace eventface::cli {
namespace {

struct FacesOptions {
  std::string image;
  bool json = false;
  std::string annotate;
  std::string models;
};

// Draws each face's box, landmarks and score on a copy of `rgb`, for a
// person to check what the engine saw. Returns BGR, as imwrite wants.
cv::Mat DrawFaces(const cv::Mat& rgb, const std::vector<engine::Face>& faces) {
  cv::Mat canvas;
  cv::cvtColor(rgb, canvas, cv::COLOR_RGB2BGR);
  int thickness = std::max(1, std::max(rgb.cols, rgb.rows) / 600);
  const cv::Scalar kBoxColour(0, 220, 0), kPointColour(0, 0, 255);
  for (size_t i = 0; i < faces.size(); ++i) {
    const engine::Face& face = faces[i];
    cv::rectangle(canvas, face.box, kBoxColour, thickness);
    for (const cv::Point2d& point : face.landmarks) {
      cv::circle(canvas, point, thickness + 1, kPointColour, cv::FILLED);
    }
    char label[32];
    std::snprintf(label, sizeof label, "%zu: %.2f", i, face.score);
    cv::putText(canvas, label, face.box.tl() + cv::Point2d(0, -4),
                cv::FONT_HERSHEY_SIMPLEX, 0.4 * thickness, kBoxColour,
                thickness);
  }
  return canvas;
}

void PrintFaces(const FacesOptions& options, const engine::Analysis& analysis) {
  if (options.json) {
    nlohmann::json out = {{"image", options.image},
                          {"width", analysis.image_size.width},
                          {"height", analysis.image_size.height},
                          {"faces", nlohmann::json::array()}};
    for (const engine::Face& face : analysis.faces) {
      out["faces"].push_back(FaceToJson(face, /*with_embedding=*/false));
    }
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("%s: %dx%d, %zu face(s)\n", options.image.c_str(),
              analysis.image_size.width, analysis.image_size.height,
              analysis.faces.size());
  for (size_t i = 0; i < analysis.faces.size(); ++i) {
    const engine::Face& face = analysis.faces[i];
    std::printf(
        "  face %zu: box x=%.1f y=%.1f w=%.1f h=%.1f score=%.3f "
        "quality=%.2f\n",
        i, face.box.x, face.box.y, face.box.width, face.box.height, face.score,
        face.quality);
  }
}

int RunFaces(const FacesOptions& options) {
  auto bytes = ReadFile(options.image);
  if (!bytes) {
    std::fprintf(stderr, "eventface faces: %s\n",
                 bytes.error().message.c_str());
    return kExitFailure;
  }
  auto analyzer = LoadAnalyzer(options.models);
  if (!analyzer) {
    std::fprintf(stderr, "eventface faces: %s\n",
                 analyzer.error().message.c_str());
    return kExitFailure;
  }
  auto image = engine::DecodeImage(*bytes);
  if (!image) {
    std::fprintf(stderr, "eventface faces: %s: %s\n", options.image.c_str(),
                 image.error().message.c_str());
    return kExitFailure;
  }

  engine::Analysis analysis;
  analysis.image_size = image->full_size;
  analysis.faces = analyzer->FindFaces(image->rgb, &analysis.times);
  PrintFaces(options, analysis);

  if (!options.annotate.empty() &&
      !cv::imwrite(options.annotate, DrawFaces(image->rgb, analysis.faces))) {
    std::fprintf(stderr, "eventface faces: cannot write %s\n",
                 options.annotate.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace

Command AddFacesCommand(CLI::App& app) {
  auto options = std::make_shared<FacesOptions>();
  CLI::App* command = app.add_subcommand(
      "faces", "List the faces found in one image (JPEG, PNG, WebP, HEIC).");
  command->add_option("IMAGE", options->image, "the image to analyse")
      ->required();
  command->add_flag("--json", options->json,
                    "print JSON: box, score, quality and 68 landmarks a face");
  command->add_option("--annotate", options->annotate,
                      "also write the image with boxes and landmarks drawn "
                      "(PNG or JPEG, by the name's extension)");
  command
      ->add_option("--models", options->models,
                   "folder of the face-api model files")
      ->envname("EVENTFACE_MODELS");
  return {command, [options] { return RunFaces(*options); }};
}

}  // namespace eventface::cli
