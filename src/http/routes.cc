// Every route of the HTTP API, in one place. A route names its path
// (parameters with their regex, "/api/events/:id(\d+)") and the handler
// method that answers it; other methods on a path answer 405 by
// themselves, paths not listed here 404.
#include "http/routes.h"

#include <memory>

#include "http/ops_handler.h"

namespace eventface::http {
namespace {

// Binds a handler object's method as a route's Handler. The object is
// shared by the routes that use it.
template <typename Object>
Handler Bind(std::shared_ptr<Object> object,
             Reply (Object::*method)(const Request&) const) {
  return [object = std::move(object), method](const Request& request) {
    return ((*object).*method)(request);
  };
}

}  // namespace

void RegisterRoutes(RouteTable& routes, const App& app) {
  auto ops = std::make_shared<OpsHandler>(app);
  routes.Get("/healthz", Bind(ops, &OpsHandler::Healthz));
  routes.Get("/readyz", Bind(ops, &OpsHandler::Readyz));
  routes.Get("/metrics", Bind(ops, &OpsHandler::Metrics));
}

}  // namespace eventface::http
