// The routes of the HTTP API and what every request goes through on its
// way to a handler: a handler thread, a request id, the access log line,
// the request metrics, a 500 for a handler that throws, and 404 or 405
// JSON errors for what no route answers.
#pragma once

#include <atomic>
#include <memory>
#include <restinio/router/express.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "http/handler.h"
#include "http/handler_pool.h"
#include "http/metrics.h"
#include "http/response_stream.h"
#include "http/server_events.h"

namespace eventface::http {

// The router RESTinio runs: its express router, as in our server traits.
using Router = restinio::router::express_router_t<>;

// The request metrics every route records.
struct HttpMetrics {
  Counter* requests = nullptr;   // by method, route, status
  Histogram* latency = nullptr;  // seconds, by method and route

  // Adds both families to `registry`.
  static HttpMetrics Register(MetricsRegistry& registry);
};

// One request on its way to a handler thread; defined in route_table.cc.
struct RouteExchange;

// What the routes share with the server that runs them.
struct RouteRuntime {
  HandlerPool* pool = nullptr;  // runs every handler; required
  EventHub* events = nullptr;   // takes events routes' subscribers
  // Counts requests from their arrival at the router until their answer
  // is written (or dropped with its connection); optional.
  std::atomic<int>* in_flight = nullptr;
  // Once set, streamed bodies' writes fail so that their writers stop.
  const std::atomic<bool>* stopping = nullptr;
};

// Collects routes, then builds the Router. Not thread-safe; it is filled
// once, before the server starts.
class RouteTable {
 public:
  explicit RouteTable(HttpMetrics metrics) : metrics_(metrics) {}

  // Answers `method` on `path`, an express route: path parameters carry
  // their regex, as in "/api/events/:id(\\d+)". Registering a path with
  // several methods makes its other methods answer 405 with Allow.
  void Add(restinio::http_method_id_t method, std::string path,
           Handler handler);
  void Get(std::string path, Handler handler) {
    Add(restinio::http_method_get(), std::move(path), std::move(handler));
  }
  void Post(std::string path, Handler handler) {
    Add(restinio::http_method_post(), std::move(path), std::move(handler));
  }
  void Put(std::string path, Handler handler) {
    Add(restinio::http_method_put(), std::move(path), std::move(handler));
  }
  void Delete(std::string path, Handler handler) {
    Add(restinio::http_method_delete(), std::move(path), std::move(handler));
  }

  // Answers GET `path` with a streamed body; see StreamReply.
  void GetStream(std::string path, StreamHandler handler);

  // Answers GET `path` with a text/event-stream fed by the EventSource the
  // handler returns; see EventHub.
  void GetEvents(std::string path, EventsHandler handler);

  // The router for these routes, which hands every request to
  // `runtime.pool`. What `runtime` points to must outlive the router.
  std::unique_ptr<Router> Build(const RouteRuntime& runtime) &&;

 private:
  // What a route does with one request, on a handler thread.
  using Responder = std::function<void(RouteExchange&)>;

  void AddResponder(restinio::http_method_id_t method, std::string path,
                    Responder respond);

  struct Route {
    restinio::http_method_id_t method;
    std::string path;
    std::shared_ptr<const Responder> respond;
  };

  HttpMetrics metrics_;
  std::vector<Route> routes_;
};

// The request id for a request that carried `incoming` in X-Request-Id:
// that value when it is 1 to 64 characters of [A-Za-z0-9._-], otherwise a
// new random 16-hex-digit id.
std::string ChooseRequestId(std::string_view incoming);

// "/api/events/:id" for "/api/events/:id(\\d+)": a route as metrics and
// logs name it.
std::string RouteLabel(std::string_view path);

}  // namespace eventface::http
