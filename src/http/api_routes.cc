// Every route of the service's API, in one place: a path (parameters with
// their regex) and the handler that answers it. The old service's five
// paths keep their spelling and meaning.
#include "http/api.h"
#include "http/api_accounts.h"
#include "http/api_attendees.h"
#include "http/api_events.h"

namespace eventface::http {

void RegisterApiRoutes(RouteTable& routes, const Api& api) {
  using Route = service::Events::RematchRoute;
  // Accounts.
  routes.Post("/api/login", LoginRoute(api));
  routes.Post("/api/logout", LogoutRoute(api));
  routes.Get("/api/me", MeRoute(api));
  routes.Delete("/api/me", DeleteMeRoute(api));
  routes.Get("/api/admin/users", ListUsersRoute(api));
  routes.Post("/api/admin/users", CreateUserRoute(api));
  routes.Put("/api/admin/users/:id(\\d+)", UpdateUserRoute(api));
  routes.Delete("/api/admin/users/:id(\\d+)", DeleteUserRoute(api));

  // Events, invites and photos, for their photographers and admins.
  routes.Post("/api/events", CreateEventRoute(api));
  routes.Get("/api/events", ListEventsRoute(api));
  routes.Get("/api/events/:id(\\d+)", GetEventRoute(api));
  routes.Put("/api/events/:id(\\d+)", UpdateEventRoute(api));
  routes.Delete("/api/events/:id(\\d+)", DeleteEventRoute(api));
  routes.Post("/api/events/:id(\\d+)/invites", CreateInviteRoute(api));
  routes.Get("/api/events/:id(\\d+)/invites", ListInvitesRoute(api));
  routes.Post("/api/events/:id(\\d+)/photos", UploadPhotosRoute(api));
  routes.Get("/api/events/:id(\\d+)/photos", ListPhotosRoute(api));
  routes.Delete("/api/photos/:id(\\d+)", DeletePhotoRoute(api));
  routes.Post("/api/admin/events/:id(\\d+)/rematch",
              RematchRoute(api, Route::kAdmin));
  routes.Post("/api/photographer/events/:id(\\d+)/rematch",
              RematchRoute(api, Route::kPhotographer));
  routes.Get("/api/jobs/:id(\\d+)", GetJobRoute(api));

  // Attendees.
  routes.Post("/api/register-with-event-code", RegisterWithEventCodeRoute(api));
  routes.Post("/api/register-invite-with-selfie", RegisterWithInviteRoute(api));
  routes.Post("/api/upload-selfie", UploadSelfieRoute(api));
  routes.Post("/api/events/join", JoinEventRoute(api));
  routes.Get("/api/me/selfie", GetSelfieRoute(api));
  routes.Delete("/api/me/selfie", DeleteSelfieRoute(api));
  routes.Get("/api/me/events", ListEventsRoute(api));
  routes.Get("/api/me/events/:id(\\d+)/photos", MyPhotosRoute(api));
  routes.Post("/api/me/photos/:id(\\d+)/not-me", NotMeRoute(api));
  routes.Get("/api/photos/:id(\\d+)/:kind(original|preview|thumbnail)",
             PhotoFileRoute(api));
  routes.GetStream("/api/me/events/:id(\\d+)/photos.zip",
                   MyPhotosZipRoute(api));

  // Live updates (server-sent events).
  routes.GetEvents("/api/me/events/:id(\\d+)/live", MyPhotosLiveRoute(api));
  routes.GetEvents("/api/events/:id(\\d+)/live", EventProgressLiveRoute(api));
}

}  // namespace eventface::http
