#pragma once

#include "http/app.h"
#include "http/route_table.h"

namespace eventface::http {

// Adds every route of the HTTP API to `routes`, each bound to the handler
// that serves it. `app` must outlive the server that runs the routes.
void RegisterRoutes(RouteTable& routes, const App& app);

}  // namespace eventface::http
