// The routes of photographers and admins: events, invites, photos, jobs.
#include "http/api_events.h"

#include <charconv>

#include "http/api_json.h"
#include "http/error_response.h"
#include "http/form.h"
#include "http/multipart.h"

namespace eventface::http {
namespace {

constexpr int kMaxInviteDays = 365;

// Field `name` as a whole number in [min, max].
Result<int> IntField(const Form& form, const std::string& name, int min,
                     int max) {
  std::string text = form.text(name);
  int value = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    return Error{ErrorCode::kInvalidArgument,
                 "field \"" + name + "\" must be a whole number from " +
                     std::to_string(min) + " to " + std::to_string(max)};
  }
  return value;
}

Result<double> NumberField(const Form& form, const std::string& name) {
  std::string text = form.text(name);
  double value = 0;
  auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return Error{ErrorCode::kInvalidArgument,
                 "field \"" + name + "\" must be a number"};
  }
  return value;
}

const FormField kEventFields[] = {{"name", false},
                                  {"date", false},
                                  {"retention_days", false},
                                  {"match_threshold", false}};

// The changes a create or edit form asks for.
Result<store::EventChanges> EventChangesOf(const Form& form) {
  store::EventChanges changes;
  if (form.has("name")) changes.name = form.text("name");
  if (form.has("date")) {
    auto date = ParseDate(form.text("date"), "date");
    if (!date) return date.error();
    changes.event_date = *date;
  }
  if (form.has("retention_days")) {
    auto days = IntField(form, "retention_days", 1, service::kMaxRetentionDays);
    if (!days) return days.error();
    changes.retention_days = *days;
  }
  if (form.has("match_threshold")) {
    auto threshold = NumberField(form, "match_threshold");
    if (!threshold) return threshold.error();
    changes.match_threshold = *threshold;
  }
  return changes;
}

Reply EventListReply(const std::vector<store::Event>& events) {
  nlohmann::json list = nlohmann::json::array();
  for (const store::Event& event : events) list.push_back(EventJson(event));
  return JsonReply({{"events", list}});
}

nlohmann::json UploadedJson(const service::UploadedPhoto& uploaded,
                            const std::string& name) {
  nlohmann::json json = {{"id", uploaded.photo_id},
                         {"is_new", uploaded.is_new},
                         {"job_id", nullptr},
                         {"name", name}};
  if (uploaded.is_new) json["job_id"] = uploaded.job_id;
  return json;
}

// The images of an upload: each file part of a multipart body, or the
// whole body as one image.
Result<std::vector<std::pair<std::string, std::string_view>>> UploadedFiles(
    const Request& request) {
  std::vector<std::pair<std::string, std::string_view>> files;
  if (!request.content_type().starts_with("multipart/")) {
    if (request.body().empty()) {
      return Error{ErrorCode::kInvalidArgument, "the upload is empty"};
    }
    files.emplace_back("", request.body());
    return files;
  }
  auto parts = ParseMultipart(request);
  if (!parts) return parts.error();
  for (const FormPart& part : *parts) {
    if (!part.filename) {
      return Error{ErrorCode::kInvalidArgument,
                   "field \"" + part.name + "\" is not a file"};
    }
    files.emplace_back(*part.filename, part.body);
  }
  if (files.empty()) {
    return Error{ErrorCode::kInvalidArgument, "the upload has no file"};
  }
  return files;
}

}  // namespace

Handler CreateEventRoute(const Api& api) {
  return SignedIn(
      api, [&api](const service::Principal& principal, const Request& request) {
        auto form = ParseForm(request, kEventFields);
        if (!form) return ErrorReply(form.error());
        for (const char* required : {"name", "date"}) {
          if (!form->has(required)) {
            return ErrorReply(
                ErrorCode::kInvalidArgument,
                "field \"" + std::string(required) + "\" is required");
          }
        }
        auto changes = EventChangesOf(*form);
        if (!changes) return ErrorReply(changes.error());
        service::EventDraft draft{*changes->name, *changes->event_date,
                                  changes->retention_days.value_or(90),
                                  changes->match_threshold};
        auto event = api.events.Create(principal, draft);
        if (!event) return ErrorReply(event.error());
        return JsonReply(201, EventJson(*event));
      });
}

Handler ListEventsRoute(const Api& api) {
  return SignedIn(api,
                  [&api](const service::Principal& principal, const Request&) {
                    auto events = api.events.List(principal);
                    if (!events) return ErrorReply(events.error());
                    return EventListReply(*events);
                  });
}

Handler GetEventRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request&) {
    auto event = api.events.Get(principal, id);
    if (!event) return ErrorReply(event.error());
    return JsonReply(EventJson(*event));
  });
}

Handler UpdateEventRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request& request) {
    auto form = ParseForm(request, kEventFields);
    if (!form) return ErrorReply(form.error());
    auto changes = EventChangesOf(*form);
    if (!changes) return ErrorReply(changes.error());
    auto event = api.events.Update(principal, id, *changes);
    if (!event) return ErrorReply(event.error());
    return JsonReply(EventJson(*event));
  });
}

Handler DeleteEventRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request&) {
    if (Status deleted = api.events.Delete(principal, id); !deleted) {
      return ErrorReply(deleted.error());
    }
    return NoContent();
  });
}

Handler CreateInviteRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request& request) {
    static const FormField kFields[] = {{"email", false},
                                        {"valid_days", false}};
    auto form = ParseForm(request, kFields);
    if (!form) return ErrorReply(form.error());
    service::InviteDraft draft;
    if (form->has("email")) draft.email = form->text("email");
    if (form->has("valid_days")) {
      auto days = IntField(*form, "valid_days", 1, kMaxInviteDays);
      if (!days) return ErrorReply(days.error());
      draft.lifetime = std::chrono::hours(24 * *days);
    }
    auto issued = api.events.CreateInvite(principal, id, draft);
    if (!issued) return ErrorReply(issued.error());
    nlohmann::json json = InviteJson(issued->invite);
    json["token"] = issued->token;
    json["url"] = "/invite/" + issued->token;
    return JsonReply(201, json);
  });
}

Handler ListInvitesRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request&) {
    auto invites = api.events.ListInvites(principal, id);
    if (!invites) return ErrorReply(invites.error());
    nlohmann::json list = nlohmann::json::array();
    for (const store::Invite& invite : *invites) {
      list.push_back(InviteJson(invite));
    }
    return JsonReply({{"invites", list}});
  });
}

// Every file is vetted before any is stored, so that a bad file in a batch
// changes nothing; each stored photo is then one transaction with its job.
Handler UploadPhotosRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request& request) {
    if (Status allowed = api.photos.CheckAccess(principal, id); !allowed) {
      return ErrorReply(allowed.error());
    }
    auto files = UploadedFiles(request);
    if (!files) return ErrorReply(files.error());
    for (const auto& [name, bytes] : *files) {
      if (Status valid = api.photos.Check(bytes); !valid) {
        std::string prefix = name.empty() ? "" : name + ": ";
        return ErrorReply(valid.error().code, prefix + valid.error().message);
      }
    }
    nlohmann::json uploaded = nlohmann::json::array();
    bool any_new = false;
    for (const auto& [name, bytes] : *files) {
      auto photo = api.photos.Upload(principal, id, bytes);
      if (!photo) return ErrorReply(photo.error());
      any_new = any_new || photo->is_new;
      uploaded.push_back(UploadedJson(*photo, name));
    }
    return JsonReply(any_new ? 201 : 200, {{"photos", uploaded}});
  });
}

Handler ListPhotosRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request&) {
    auto photos = api.photos.List(principal, id);
    if (!photos) return ErrorReply(photos.error());
    nlohmann::json list = nlohmann::json::array();
    for (const store::Photo& photo : *photos) list.push_back(PhotoJson(photo));
    return JsonReply({{"photos", list}});
  });
}

Handler DeletePhotoRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request&) {
    if (Status deleted = api.photos.Delete(principal, id); !deleted) {
      return ErrorReply(deleted.error());
    }
    return NoContent();
  });
}

Handler RematchRoute(const Api& api, service::Events::RematchRoute route) {
  return SignedInWithId(api, [&api, route](const service::Principal& principal,
                                           int64_t id, const Request&) {
    auto job = api.events.Rematch(principal, id, route);
    if (!job) return ErrorReply(job.error());
    return JsonReply(202,
                     {{"job_id", *job},
                      {"status_url", "/api/jobs/" + std::to_string(*job)}});
  });
}

Handler GetJobRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request&) {
    auto job = api.events.GetJob(principal, id);
    if (!job) return ErrorReply(job.error());
    return JsonReply(JobJson(*job));
  });
}

}  // namespace eventface::http
