// Handlers of the attendee routes (the old service's three among them);
// RegisterApiRoutes() says which path each answers.
#pragma once

#include "http/api.h"

namespace eventface::http {

Handler RegisterWithEventCodeRoute(const Api& api);
Handler RegisterWithInviteRoute(const Api& api);
Handler UploadSelfieRoute(const Api& api);
Handler JoinEventRoute(const Api& api);
Handler GetSelfieRoute(const Api& api);
Handler DeleteSelfieRoute(const Api& api);
Handler MyPhotosRoute(const Api& api);
Handler NotMeRoute(const Api& api);

// A photo's file ("original", "preview", "thumbnail" in the path), to its
// event's manager or an attendee it is matched to.
Handler PhotoFileRoute(const Api& api);

}  // namespace eventface::http
