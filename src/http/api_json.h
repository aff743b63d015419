// How the API spells times, dates and the service's records in JSON.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "jobs/job.h"
#include "service/accounts.h"
#include "service/attendees.h"
#include "store/event_store.h"
#include "store/invite_store.h"
#include "store/photo_store.h"
#include "store/user_store.h"

namespace eventface::http {

// "2026-12-04T20:58:01.250Z": UTC, milliseconds.
std::string FormatTime(Timestamp time);

// "2026-12-04" for the day `time` falls on in UTC.
std::string FormatDate(Timestamp time);

// Midnight UTC of a "YYYY-MM-DD" date; kInvalidArgument naming `field`
// for anything else, including dates that do not exist.
Result<Timestamp> ParseDate(std::string_view text, std::string_view field);

nlohmann::json UserJson(const store::User& user);
nlohmann::json PrincipalJson(const service::Principal& principal);
nlohmann::json EventJson(const store::Event& event);
nlohmann::json InviteJson(const store::Invite& invite);
nlohmann::json JobJson(const jobs::Job& job);

// A photo as its event's manager sees it, with the URLs of its files.
nlohmann::json PhotoJson(const store::Photo& photo);

// A photo matched to an attendee, with the URLs of its files.
nlohmann::json MyPhotoJson(const service::MyPhoto& mine);

// What the first bytes of an image file say it is.
struct ImageType {
  std::string media_type;  // "image/jpeg"
  std::string extension;   // "jpg"
};

// The type of the image file at `path`; uploads were vetted, so it is one
// of the formats we accept.
ImageType ImageTypeOfFile(const std::filesystem::path& path);

// The URL of photo `id`'s file `kind` ("original", "preview",
// "thumbnail").
std::string PhotoFileUrl(int64_t id, std::string_view kind);

}  // namespace eventface::http
