#include "cli/face_json.h"

namespace eventface::cli {

using nlohmann::json;

json BoxToJson(const cv::Rect2d& box) {
  return {
      {"x", box.x}, {"y", box.y}, {"width", box.width}, {"height", box.height}};
}

json FaceToJson(const engine::Face& face, bool with_embedding) {
  json landmarks = json::array();
  for (const cv::Point2d& point : face.landmarks) {
    landmarks.push_back({point.x, point.y});
  }
  json out = {
      {"box", BoxToJson(face.box)},
      {"score", face.score},
      {"quality", face.quality},
      {"landmarks", std::move(landmarks)},
  };
  if (with_embedding) out["embedding"] = face.embedding;
  return out;
}

Result<engine::Face> FaceFromJson(const json& in) {
  try {
    engine::Face face;
    const json& box = in.at("box");
    face.box =
        cv::Rect2d(box.at("x"), box.at("y"), box.at("width"), box.at("height"));
    face.score = in.at("score");
    face.quality = in.at("quality");
    const json& landmarks = in.at("landmarks");
    if (landmarks.size() != face.landmarks.size()) {
      return Error{ErrorCode::kCorruptData, "face: expected 68 landmarks"};
    }
    for (size_t i = 0; i < landmarks.size(); ++i) {
      face.landmarks[i] = cv::Point2d(landmarks[i].at(0), landmarks[i].at(1));
    }
    face.embedding = in.at("embedding").get<engine::Embedding>();
    return face;
  } catch (const json::exception& e) {
    return Error{ErrorCode::kCorruptData, std::string("face: ") + e.what()};
  }
}

}  // namespace eventface::cli
