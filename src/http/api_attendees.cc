// The routes of attendees: registering, selfies, and their photos.
#include "http/api_attendees.h"

#include <filesystem>

#include "http/api_json.h"
#include "http/error_response.h"
#include "http/form.h"

namespace eventface::http {
namespace {

// The selfie of `form`, if it has one, with the consent answer.
Result<std::optional<service::SelfieUpload>> SelfieOf(const Form& form) {
  auto consent = form.flag("consent");
  if (!consent) return consent.error();
  if (!form.has("selfie")) {
    return std::optional<service::SelfieUpload>();
  }
  return std::optional<service::SelfieUpload>(
      service::SelfieUpload{form.file("selfie"), *consent});
}

Reply RegisteredReply(const Api& api, const service::Registered& registered) {
  nlohmann::json extra = {{"event", EventJson(registered.event)},
                          {"selfie_job_id", nullptr}};
  if (registered.selfie_job_id) {
    extra["selfie_job_id"] = *registered.selfie_job_id;
  }
  return SessionReply(api, 201, registered.session, extra);
}

nlohmann::json SelfieJson(const store::Selfie& selfie) {
  constexpr const char* kStates[] = {"queued", "ready", "failed"};
  nlohmann::json json = {{"state", kStates[static_cast<int>(selfie.state)]},
                         {"error", nullptr},
                         {"consent_at", FormatTime(selfie.consent_at)},
                         {"uploaded_at", FormatTime(selfie.created_at)}};
  if (selfie.error) json["error"] = *selfie.error;
  return json;
}

Result<service::PhotoFileKind> FileKind(std::string_view name) {
  if (name == "original") return service::PhotoFileKind::kOriginal;
  if (name == "preview") return service::PhotoFileKind::kPreview;
  if (name == "thumbnail") return service::PhotoFileKind::kThumbnail;
  return Error{ErrorCode::kNotFound, "no such photo file"};
}

const FormField kRegistrationFields[] = {
    {"name"},       {"email"},          {"password"},
    {"event_code"}, {"consent", false}, {"selfie", false, true}};

const FormField kInviteFields[] = {{"token"},          {"name"},
                                   {"email"},          {"password"},
                                   {"consent", false}, {"selfie", true, true}};

}  // namespace

Handler RegisterWithEventCodeRoute(const Api& api) {
  return [&api](const Request& request) {
    auto form = ParseForm(request, kRegistrationFields);
    if (!form) return ErrorReply(form.error());
    auto selfie = SelfieOf(*form);
    if (!selfie) return ErrorReply(selfie.error());
    service::Registration registration{form->text("name"), form->text("email"),
                                       form->text("password"), *selfie};
    auto registered = api.attendees.RegisterWithEventCode(
        form->text("event_code"), registration);
    if (!registered) return ErrorReply(registered.error());
    return RegisteredReply(api, *registered);
  };
}

Handler RegisterWithInviteRoute(const Api& api) {
  return [&api](const Request& request) {
    auto form = ParseForm(request, kInviteFields);
    if (!form) return ErrorReply(form.error());
    auto selfie = SelfieOf(*form);
    if (!selfie) return ErrorReply(selfie.error());
    service::Registration registration{form->text("name"), form->text("email"),
                                       form->text("password"), *selfie};
    auto registered =
        api.attendees.RegisterWithInvite(form->text("token"), registration);
    if (!registered) return ErrorReply(registered.error());
    return RegisteredReply(api, *registered);
  };
}

Handler UploadSelfieRoute(const Api& api) {
  return SignedIn(
      api, [&api](const service::Principal& principal, const Request& request) {
        static const FormField kFields[] = {{"consent", false},
                                            {"selfie", true, true}};
        auto form = ParseForm(request, kFields);
        if (!form) return ErrorReply(form.error());
        auto selfie = SelfieOf(*form);
        if (!selfie) return ErrorReply(selfie.error());
        auto job = api.attendees.UploadSelfie(principal, **selfie);
        if (!job) return ErrorReply(job.error());
        return JsonReply(202,
                         {{"job_id", *job},
                          {"status_url", "/api/jobs/" + std::to_string(*job)}});
      });
}

Handler JoinEventRoute(const Api& api) {
  return SignedIn(
      api, [&api](const service::Principal& principal, const Request& request) {
        static const FormField kFields[] = {{"event_code"}};
        auto form = ParseForm(request, kFields);
        if (!form) return ErrorReply(form.error());
        auto event = api.attendees.Join(principal, form->text("event_code"));
        if (!event) return ErrorReply(event.error());
        return JsonReply(EventJson(*event));
      });
}

Handler GetSelfieRoute(const Api& api) {
  return SignedIn(api,
                  [&api](const service::Principal& principal, const Request&) {
                    auto selfie = api.attendees.GetSelfie(principal);
                    if (!selfie) return ErrorReply(selfie.error());
                    return JsonReply(SelfieJson(*selfie));
                  });
}

Handler DeleteSelfieRoute(const Api& api) {
  return SignedIn(
      api, [&api](const service::Principal& principal, const Request&) {
        if (Status deleted = api.attendees.DeleteSelfie(principal); !deleted) {
          return ErrorReply(deleted.error());
        }
        return NoContent();
      });
}

Handler MyPhotosRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request&) {
    auto photos = api.attendees.MyPhotos(principal, id);
    if (!photos) return ErrorReply(photos.error());
    nlohmann::json list = nlohmann::json::array();
    for (const service::MyPhoto& mine : *photos) {
      list.push_back(MyPhotoJson(mine));
    }
    return JsonReply({{"photos", list}});
  });
}

Handler NotMeRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request&) {
    if (Status marked = api.attendees.NotMe(principal, id); !marked) {
      return ErrorReply(marked.error());
    }
    return NoContent();
  });
}

Handler PhotoFileRoute(const Api& api) {
  return SignedInWithId(api, [&api](const service::Principal& principal,
                                    int64_t id, const Request& request) {
    auto kind = FileKind(request.param("kind"));
    if (!kind) return ErrorReply(kind.error());
    auto path = api.attendees.PhotoFile(principal, id, *kind);
    if (!path) return ErrorReply(path.error());
    // Renditions are JPEG; an original is in whatever format was uploaded.
    ImageType type = *kind == service::PhotoFileKind::kOriginal
                         ? ImageTypeOfFile(*path)
                         : ImageType{"image/jpeg", "jpg"};
    Reply reply;
    reply.content_type = type.media_type;
    reply.file = *path;
    reply.headers.emplace_back("Cache-Control", "private, max-age=3600");
    reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
    if (*kind == service::PhotoFileKind::kOriginal) {
      reply.headers.emplace_back("Content-Disposition",
                                 "attachment; filename=\"photo-" +
                                     std::to_string(id) + "." + type.extension +
                                     "\"");
    }
    return reply;
  });
}

}  // namespace eventface::http
