#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "http/metrics.h"

namespace eventface::http {

// One condition /readyz requires, such as "database" or "models". `check`
// runs on an I/O thread at every /readyz, so it must be quick: report a
// state kept up to date elsewhere rather than probe something slow. It
// returns an Error saying what is wrong when the condition fails.
struct ReadinessCheck {
  std::string name;
  std::function<Status()> check;
};

// What the routes serve: built once by `eventface serve` before the server
// starts, and outliving it. The service layer's use cases join it here, as
// members the handlers hold by reference.
struct App {
  MetricsRegistry& metrics;
  std::vector<ReadinessCheck> readiness_checks;
};

}  // namespace eventface::http
