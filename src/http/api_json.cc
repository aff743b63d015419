#include "http/api_json.h"

#include <chrono>
#include <cstdio>
#include <fstream>

namespace eventface::http {

namespace chrono = std::chrono;

std::string FormatTime(Timestamp time) {
  auto day = chrono::floor<chrono::days>(time);
  chrono::year_month_day date(day);
  chrono::hh_mm_ss clock(chrono::floor<chrono::milliseconds>(time - day));
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()),
                static_cast<int>(clock.hours().count()),
                static_cast<int>(clock.minutes().count()),
                static_cast<int>(clock.seconds().count()),
                static_cast<int>(clock.subseconds().count()));
  return text;
}

std::string FormatDate(Timestamp time) {
  return FormatTime(time).substr(0, 10);
}

Result<Timestamp> ParseDate(std::string_view text, std::string_view field) {
  Error invalid{ErrorCode::kInvalidArgument,
                "\"" + std::string(field) + "\" must be a date as YYYY-MM-DD"};
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return invalid;
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i == 4 || i == 7) continue;
    if (text[i] < '0' || text[i] > '9') return invalid;
  }
  year = std::stoi(std::string(text.substr(0, 4)));
  month = static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))));
  day = static_cast<unsigned>(std::stoi(std::string(text.substr(8, 2))));
  chrono::year_month_day date{chrono::year(year), chrono::month(month),
                              chrono::day(day)};
  if (!date.ok()) return invalid;
  return Timestamp(chrono::sys_days(date));
}

nlohmann::json UserJson(const store::User& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"name", user.name},
          {"role", store::RoleName(user.role)},
          {"created_at", FormatTime(user.created_at)}};
}

nlohmann::json PrincipalJson(const service::Principal& principal) {
  return {{"id", principal.user_id},
          {"email", principal.email},
          {"name", principal.name},
          {"role", store::RoleName(principal.role)}};
}

nlohmann::json EventJson(const store::Event& event) {
  nlohmann::json json = {{"id", event.id},
                         {"owner_id", event.owner_id},
                         {"name", event.name},
                         {"code", event.code},
                         {"date", FormatDate(event.event_date)},
                         {"retention_days", event.retention_days},
                         {"match_threshold", nullptr},
                         {"created_at", FormatTime(event.created_at)}};
  if (event.match_threshold) json["match_threshold"] = *event.match_threshold;
  return json;
}

nlohmann::json InviteJson(const store::Invite& invite) {
  nlohmann::json json = {{"id", invite.id},
                         {"event_id", invite.event_id},
                         {"email", nullptr},
                         {"expires_at", FormatTime(invite.expires_at)},
                         {"used_at", nullptr}};
  if (invite.email) json["email"] = *invite.email;
  if (invite.used_at) json["used_at"] = FormatTime(*invite.used_at);
  return json;
}

nlohmann::json JobJson(const jobs::Job& job) {
  nlohmann::json json = {{"id", job.id},
                         {"kind", job.kind},
                         {"state", jobs::JobStateName(job.state)},
                         {"attempts", job.attempts},
                         {"max_attempts", job.max_attempts},
                         {"error", nullptr},
                         {"created_at", FormatTime(job.created_at)},
                         {"updated_at", FormatTime(job.updated_at)}};
  if (job.error) json["error"] = *job.error;
  return json;
}

std::string PhotoFileUrl(int64_t id, std::string_view kind) {
  return "/api/photos/" + std::to_string(id) + "/" + std::string(kind);
}

nlohmann::json PhotoJson(const store::Photo& photo) {
  constexpr const char* kStates[] = {"queued", "indexed", "failed"};
  nlohmann::json json = {{"id", photo.id},
                         {"event_id", photo.event_id},
                         {"state", kStates[static_cast<int>(photo.state)]},
                         {"error", nullptr},
                         {"face_count", photo.face_count},
                         {"width", nullptr},
                         {"height", nullptr},
                         {"uploaded_at", FormatTime(photo.uploaded_at)},
                         {"indexed_at", nullptr},
                         {"original_url", PhotoFileUrl(photo.id, "original")},
                         {"thumbnail_url", nullptr},
                         {"preview_url", nullptr}};
  if (photo.thumbnail_key) {
    json["thumbnail_url"] = PhotoFileUrl(photo.id, "thumbnail");
  }
  if (photo.preview_key)
    json["preview_url"] = PhotoFileUrl(photo.id, "preview");
  if (photo.error) json["error"] = *photo.error;
  if (photo.width) json["width"] = *photo.width;
  if (photo.height) json["height"] = *photo.height;
  if (photo.indexed_at) json["indexed_at"] = FormatTime(*photo.indexed_at);
  return json;
}

nlohmann::json MyPhotoJson(const service::MyPhoto& mine) {
  const store::Photo& photo = mine.photo;
  return {{"id", photo.id},
          {"event_id", photo.event_id},
          {"distance", mine.distance},
          {"width", photo.width.value_or(0)},
          {"height", photo.height.value_or(0)},
          {"thumbnail_url", PhotoFileUrl(photo.id, "thumbnail")},
          {"preview_url", PhotoFileUrl(photo.id, "preview")},
          {"original_url", PhotoFileUrl(photo.id, "original")}};
}

// The type of the image file at `path` from its first bytes; uploads were
// vetted, so it is one of the formats we accept.
ImageType ImageTypeOfFile(const std::filesystem::path& path) {
  char head[12] = {};
  std::ifstream(path, std::ios::binary).read(head, sizeof head);
  std::string_view bytes(head, sizeof head);
  if (bytes.starts_with("\x89PNG")) return {"image/png", "png"};
  if (bytes.starts_with("RIFF") && bytes.substr(8, 4) == "WEBP") {
    return {"image/webp", "webp"};
  }
  if (bytes.substr(4, 4) == "ftyp") {
    return bytes.substr(8, 4) == "avif" ? ImageType{"image/avif", "avif"}
                                        : ImageType{"image/heic", "heic"};
  }
  return {"image/jpeg", "jpg"};
}

}  // namespace eventface::http
