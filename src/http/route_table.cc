#include "http/route_table.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <exception>
#include <random>
#include <restinio/router/method_matcher.hpp>
#include <utility>

#include "http/error_response.h"

namespace eventface::http {
namespace {

using Clock = std::chrono::steady_clock;

// Keeps a request counted as in flight until the last copy of its
// answer's write callback is gone: written, failed, or dropped.
class InFlightGuard {
 public:
  explicit InFlightGuard(std::atomic<int>* counter) : counter_(counter) {
    if (counter_) ++*counter_;
  }
  ~InFlightGuard() {
    if (counter_) --*counter_;
  }
  InFlightGuard(const InFlightGuard&) = delete;
  InFlightGuard& operator=(const InFlightGuard&) = delete;

 private:
  std::atomic<int>* counter_;
};

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
  }
  return "Unknown";
}

// What one route does with a request around its handler.
struct Dispatch {
  HttpMetrics metrics;
  std::atomic<int>* in_flight;

  restinio::request_handling_status_t operator()(
      const restinio::request_handle_t& req,
      const restinio::router::route_params_t& params, const std::string& route,
      const Handler& handler) const {
    Clock::time_point start = Clock::now();
    auto guard = std::make_shared<InFlightGuard>(in_flight);
    auto incoming = req->header().try_get_field("X-Request-Id");
    std::string id = ChooseRequestId(incoming ? *incoming : "");

    Reply reply = Run(Request(*req, params, id), handler);
    int status = reply.status;
    Send(*req, id, std::move(reply), std::move(guard));

    // Latency runs to the moment the answer is queued for writing.
    double seconds =
        std::chrono::duration<double>(Clock::now() - start).count();
    std::string method = req->header().method().c_str();
    metrics.requests->Increment({method, route, std::to_string(status)});
    metrics.latency->Observe({method, route}, seconds);
    spdlog::info("[req:{}] {} {} {} {:.1f} ms", id, method,
                 std::string_view(req->header().path()).substr(0, 200), status,
                 seconds * 1000);
    return restinio::request_accepted();
  }

  // The handler's reply; a 500 when it throws, as the last line of
  // defence for the I/O thread it runs on.
  static Reply Run(const Request& request, const Handler& handler) {
    try {
      return handler(request);
    } catch (const std::exception& e) {
      spdlog::error("[req:{}] handler failed: {}", request.request_id(),
                    e.what());
    } catch (...) {
      spdlog::error("[req:{}] handler failed", request.request_id());
    }
    return ErrorReply(ErrorCode::kInternal, "internal error");
  }

  static void Send(restinio::request_t& req, const std::string& id, Reply reply,
                   std::shared_ptr<InFlightGuard> guard) {
    auto response = req.create_response(restinio::http_status_line_t(
        restinio::http_status_code_t(static_cast<std::uint16_t>(reply.status)),
        std::string(ReasonPhrase(reply.status))));
    response.append_header_date_field();
    response.append_header(restinio::http_field::content_type,
                           std::move(reply.content_type));
    response.append_header("X-Request-Id", id);
    for (auto& [name, value] : reply.headers) {
      response.append_header(std::move(name), std::move(value));
    }
    response.set_body(std::move(reply.body));
    response.done([guard = std::move(guard)](const asio::error_code&) {});
  }
};

}  // namespace

HttpMetrics HttpMetrics::Register(MetricsRegistry& registry) {
  HttpMetrics metrics;
  metrics.requests = registry.AddCounter("eventface_http_requests_total",
                                         "HTTP requests answered.",
                                         {"method", "route", "status"});
  metrics.latency = registry.AddHistogram(
      "eventface_http_request_duration_seconds",
      "Time from a request's arrival at the router to its answer.",
      {"method", "route"}, DefaultLatencyBounds());
  return metrics;
}

void RouteTable::Add(restinio::http_method_id_t method, std::string path,
                     Handler handler) {
  routes_.push_back({method, std::move(path), std::move(handler)});
}

std::unique_ptr<Router> RouteTable::Build(std::atomic<int>* in_flight) && {
  auto router = std::make_unique<Router>();
  Dispatch dispatch{metrics_, in_flight};

  std::vector<std::string> paths;  // each once, in registration order
  for (Route& route : routes_) {
    if (std::find(paths.begin(), paths.end(), route.path) == paths.end()) {
      paths.push_back(route.path);
    }
    router->add_handler(
        route.method, route.path,
        [dispatch, label = RouteLabel(route.path),
         handler = std::move(route.handler)](auto req, auto params) {
          return dispatch(req, params, label, handler);
        });
  }

  // A known path asked with another method: 405, naming the methods it
  // has. These come after every route, so they never shadow one.
  for (const std::string& path : paths) {
    restinio::router::dynamic_none_of_methods_matcher_t others;
    std::string allow;
    for (const Route& route : routes_) {
      if (route.path != path) continue;
      others.add(route.method);
      allow += (allow.empty() ? "" : ", ") + std::string(route.method.c_str());
    }
    Handler not_allowed = [allow](const Request& request) {
      Reply reply =
          ErrorReply(ErrorCode::kMethodNotAllowed,
                     std::string(request.raw().header().method().c_str()) +
                         " is not allowed here; allowed: " + allow);
      reply.headers.emplace_back("Allow", allow);
      return reply;
    };
    router->add_handler(std::move(others), path,
                        [dispatch, label = RouteLabel(path), not_allowed](
                            auto req, auto params) {
                          return dispatch(req, params, label, not_allowed);
                        });
  }

  // No route's path: 404. One metrics label for all of them, so that
  // scanners cannot grow the metrics without bound.
  router->non_matched_request_handler([dispatch](auto req) {
    static const restinio::router::route_params_t kNoParams;
    Handler not_found = [](const Request& request) {
      std::string_view path = request.raw().header().path();
      return ErrorReply(
          ErrorCode::kNotFound,
          "no such resource: " + std::string(path.substr(0, 200)));
    };
    return dispatch(req, kNoParams, "unmatched", not_found);
  });
  return router;
}

std::string ChooseRequestId(std::string_view incoming) {
  bool is_sane = !incoming.empty() && incoming.size() <= 64;
  for (char c : incoming) {
    is_sane = is_sane && (std::isalnum(static_cast<unsigned char>(c)) ||
                          c == '.' || c == '_' || c == '-');
  }
  if (is_sane) return std::string(incoming);

  thread_local std::mt19937_64 random(std::random_device{}());
  char id[17];
  std::snprintf(id, sizeof id, "%016llx",
                static_cast<unsigned long long>(random()));
  return id;
}

std::string RouteLabel(std::string_view path) {
  std::string label;
  int depth = 0;  // inside a parameter's regex "(...)"
  for (char c : path) {
    if (c == '(') ++depth;
    if (depth == 0) label += c;
    if (c == ')' && depth > 0) --depth;
  }
  return label;
}

}  // namespace eventface::http
