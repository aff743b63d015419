// Handlers of the event, photo and job routes; RegisterApiRoutes() says
// which path each answers.
#pragma once

#include "http/api.h"

namespace eventface::http {

Handler CreateEventRoute(const Api& api);  // {name, date, ...} -> 201
Handler ListEventsRoute(const Api& api);   // by role
Handler GetEventRoute(const Api& api);
Handler UpdateEventRoute(const Api& api);
Handler DeleteEventRoute(const Api& api);
Handler CreateInviteRoute(const Api& api);  // {email?, valid_days?} -> 201
Handler ListInvitesRoute(const Api& api);
Handler UploadPhotosRoute(const Api& api);  // multipart files or one raw body
Handler ListPhotosRoute(const Api& api);
Handler DeletePhotoRoute(const Api& api);
Handler RematchRoute(const Api& api, service::Events::RematchRoute route);
Handler GetJobRoute(const Api& api);

}  // namespace eventface::http
