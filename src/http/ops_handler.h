#pragma once

#include "http/app.h"
#include "http/handler.h"

namespace eventface::http {

// The operations routes: liveness, readiness and metrics. Holds `app` by
// reference; `app` must outlive it. Thread-safe.
class OpsHandler {
 public:
  explicit OpsHandler(const App& app) : app_(app) {}

  // GET /healthz: 200 {"status": "ok"} while the process serves at all.
  Reply Healthz(const Request& request) const;

  // GET /readyz: 200 when every readiness check passes, otherwise 503
  // naming the failed ones; the body gives each check's outcome:
  // {"status": "not_ready", "failed": ["models"],
  //  "checks": {"models": "no model folder at ..."}}. A check that passes
  // reads "ok".
  Reply Readyz(const Request& request) const;

  // GET /metrics: the registry in Prometheus text format.
  Reply Metrics(const Request& request) const;

 private:
  const App& app_;
};

}  // namespace eventface::http
