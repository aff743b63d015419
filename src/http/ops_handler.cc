#include "http/ops_handler.h"

#include <spdlog/spdlog.h>

#include <exception>

#include "http/error_response.h"

namespace eventface::http {
namespace {

// A check's outcome; a check that throws has failed.
Status RunCheck(const ReadinessCheck& check) {
  try {
    return check.check();
  } catch (const std::exception& e) {
    return Error{ErrorCode::kInternal, e.what()};
  }
}

}  // namespace

Reply OpsHandler::Healthz(const Request&) const {
  return JsonReply({{"status", "ok"}});
}

Reply OpsHandler::Readyz(const Request& request) const {
  nlohmann::json checks = nlohmann::json::object();
  nlohmann::json failed = nlohmann::json::array();
  for (const ReadinessCheck& check : app_.readiness_checks) {
    Status status = RunCheck(check);
    if (status.ok()) {
      checks[check.name] = "ok";
    } else {
      checks[check.name] = status.error().message;
      failed.push_back(check.name);
      spdlog::debug("[req:{}] not ready: {}: {}", request.request_id(),
                    check.name, status.error().message);
    }
  }
  if (failed.empty()) {
    return JsonReply({{"status", "ready"}, {"checks", checks}});
  }
  return JsonReply(
      503, {{"status", "not_ready"}, {"failed", failed}, {"checks", checks}});
}

Reply OpsHandler::Metrics(const Request&) const {
  Reply reply;
  reply.content_type = kPrometheusContentType;
  reply.body = app_.metrics.RenderText();
  return reply;
}

}  // namespace eventface::http
