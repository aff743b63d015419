// Handlers of the attendee routes (the old service's three among them);
// RegisterApiRoutes() says which path each answers.
#pragma once

#include "http/api.h"
#include "http/response_stream.h"
#include "http/server_events.h"

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

// Every photo of an event matched to the attendee, as one ZIP archive
// streamed as it is made.
StreamHandler MyPhotosZipRoute(const Api& api);

// Live updates for an attendee: a "photo" event for each photo matched to
// them in the event, those already matched first.
EventsHandler MyPhotosLiveRoute(const Api& api);

// Live indexing progress of an event for its manager: a "progress" event
// with the count of photos in each state whenever it changes.
EventsHandler EventProgressLiveRoute(const Api& api);

}  // namespace eventface::http
