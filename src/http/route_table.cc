#include "http/route_table.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <random>
#include <restinio/router/method_matcher.hpp>
#include <restinio/sendfile.hpp>
#include <type_traits>
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

using ExtraHeaders = std::vector<std::pair<std::string, std::string>>;

}  // namespace

struct RouteExchange {
  restinio::request_handle_t req;
  restinio::router::route_params_t params;
  std::string id;
  std::string route;  // as metrics label it
  Clock::time_point start;
  std::shared_ptr<InFlightGuard> guard;
  HttpMetrics metrics;
  RouteRuntime runtime;

  Request request() const { return Request(*req, params, id); }
};

namespace {

// What `call` returns; when it throws, what it threw is logged and
// `on_throw` returned instead, as the last line of defence for the
// handler thread.
template <typename Call, typename T = std::invoke_result_t<Call>>
T Guarded(const RouteExchange& exchange, Call call, T on_throw) {
  try {
    return call();
  } catch (const std::exception& e) {
    spdlog::error("[req:{}] handler failed: {}", exchange.id, e.what());
  } catch (...) {
    spdlog::error("[req:{}] handler failed", exchange.id);
  }
  return on_throw;
}

Error InternalError() { return {ErrorCode::kInternal, "internal error"}; }

// The request metrics and the access log line; `note` ends the line.
void Record(const RouteExchange& exchange, int status,
            std::string_view note = "") {
  double seconds =
      std::chrono::duration<double>(Clock::now() - exchange.start).count();
  const auto& header = exchange.req->header();
  std::string method = header.method().c_str();
  exchange.metrics.requests->Increment(
      {method, exchange.route, std::to_string(status)});
  exchange.metrics.latency->Observe({method, exchange.route}, seconds);
  spdlog::info("[req:{}] {} {} {} {:.1f} ms{}", exchange.id, method,
               std::string_view(header.path()).substr(0, 200), status,
               seconds * 1000, note);
}

restinio::http_status_line_t StatusLine(int status) {
  return restinio::http_status_line_t(
      restinio::http_status_code_t(static_cast<std::uint16_t>(status)),
      std::string(ReasonPhrase(status)));
}

// The head every answer shares: status, date, type, request id, extras.
template <typename Output>
restinio::response_builder_t<Output> StartResponse(
    const RouteExchange& exchange, int status, std::string content_type,
    ExtraHeaders headers) {
  auto response =
      exchange.req->template create_response<Output>(StatusLine(status));
  response.append_header_date_field();
  response.append_header(restinio::http_field::content_type,
                         std::move(content_type));
  response.append_header("X-Request-Id", exchange.id);
  for (auto& [name, value] : headers) {
    response.append_header(std::move(name), std::move(value));
  }
  return response;
}

// `path` as RESTinio's sendfile source, or nothing when it is not a
// regular file that opens.
std::optional<restinio::sendfile_t> OpenForSending(
    const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return std::nullopt;
  try {
    return restinio::sendfile(path.string());
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

// Records `reply`, then queues it for writing. Recording first means the
// client never sees an answer its metrics do not count yet.
void Answer(RouteExchange& exchange, Reply reply) {
  std::optional<restinio::sendfile_t> file;
  if (reply.file) {
    file = OpenForSending(*reply.file);
    if (!file) {
      spdlog::warn("[req:{}] cannot open {}", exchange.id,
                   reply.file->string());
      reply = ErrorReply(ErrorCode::kNotFound, "file not found");
    }
  }
  Record(exchange, reply.status);

  auto response = StartResponse<restinio::restinio_controlled_output_t>(
      exchange, reply.status, std::move(reply.content_type),
      std::move(reply.headers));
  if (file) {
    response.set_body(std::move(*file));
  } else {
    response.set_body(std::move(reply.body));
  }
  response.done([guard = exchange.guard](const asio::error_code&) {});
}

// The ResponseStream of a streamed answer: chunked, one piece in flight.
// The head goes out with the first piece, so that until then the request
// can still be answered with a JSON error instead.
class ChunkedStream final : public ResponseStream {
 public:
  ChunkedStream(RouteExchange& exchange, StreamReply& head)
      : exchange_(exchange), head_(head) {}

  Status Write(std::string_view piece) override {
    Status ready = WaitForPreviousPiece();
    if (!ready.ok() || piece.empty()) return ready;
    if (!response_) Start();
    {
      std::lock_guard lock(progress_->mutex);
      progress_->writing = true;
    }
    response_->append_chunk(std::string(piece));
    response_->flush([progress = progress_](const asio::error_code& error) {
      {
        std::lock_guard lock(progress->mutex);
        progress->writing = false;
        progress->failed = progress->failed || static_cast<bool>(error);
      }
      progress->written.notify_all();
    });
    return {};
  }

  // Whether the head has gone out, so that no other answer can.
  bool started() const { return response_.has_value(); }

  // Ends the body (sending the head first if no piece did); the request
  // counts as in flight until it is written.
  void Finish() {
    if (!response_) Start();
    response_->done([guard = exchange_.guard](const asio::error_code&) {});
  }

  // Closes the connection without ending the body, so that the client
  // sees a failed download. RESTinio 0.6 offers no public way: this
  // queues an empty last part that asks for the connection to close.
  void Abort() {
    if (!connection_) return;
    connection_->write_response_parts(
        exchange_.req->request_id(),
        restinio::response_output_flags_t{
            restinio::response_parts_attr_t::final_parts,
            restinio::response_connection_attr_t::connection_close},
        restinio::write_group_t{restinio::writable_items_container_t{}});
  }

 private:
  struct Progress {
    std::mutex mutex;
    std::condition_variable written;
    bool writing = false;  // a piece is queued or being written
    bool failed = false;   // a write failed: the connection is gone
  };

  void Start() {
    // Creating the response moves the connection out of the request: keep
    // a handle for Abort() first.
    connection_ = restinio::impl::access_req_connection(*exchange_.req);
    response_.emplace(StartResponse<restinio::chunked_output_t>(
        exchange_, head_.status, std::move(head_.content_type),
        std::move(head_.headers)));
  }

  bool Stopping() const {
    return exchange_.runtime.stopping && exchange_.runtime.stopping->load();
  }

  Status WaitForPreviousPiece() {
    std::unique_lock lock(progress_->mutex);
    // Polls the stop flag too: at Stop() a write to a client that does not
    // read would otherwise hold this thread until the write timeout.
    while (progress_->writing && !Stopping()) {
      progress_->written.wait_for(lock, std::chrono::milliseconds(100));
    }
    if (progress_->failed) {
      return Error{ErrorCode::kUnavailable, "the client has gone"};
    }
    if (Stopping()) {
      return Error{ErrorCode::kUnavailable, "the server is stopping"};
    }
    return {};
  }

  RouteExchange& exchange_;
  StreamReply& head_;
  std::optional<restinio::response_builder_t<restinio::chunked_output_t>>
      response_;
  restinio::impl::connection_handle_t connection_;
  std::shared_ptr<Progress> progress_ = std::make_shared<Progress>();
};

void RespondPlain(RouteExchange& exchange, const Handler& handler) {
  Reply reply = Guarded(
      exchange, [&] { return handler(exchange.request()); },
      ErrorReply(InternalError()));
  Answer(exchange, std::move(reply));
}

void RespondStream(RouteExchange& exchange, const StreamHandler& handler) {
  Result<StreamReply> head = Guarded(
      exchange, [&] { return handler(exchange.request()); },
      Result<StreamReply>(InternalError()));
  if (!head) {
    Answer(exchange, ErrorReply(head.error()));
    return;
  }

  ChunkedStream stream(exchange, *head);
  Status written = Guarded(
      exchange, [&] { return head->write_body(stream); },
      Status(InternalError()));
  if (written.ok()) {
    Record(exchange, head->status);
    stream.Finish();
  } else if (!stream.started()) {
    Answer(exchange, ErrorReply(written.error()));
  } else {
    stream.Abort();
    Record(exchange, head->status,
           " (aborted: " + written.error().message + ")");
  }
}

void RespondEvents(RouteExchange& exchange, const EventsHandler& handler) {
  using SourceResult = Result<std::shared_ptr<EventSource>>;
  SourceResult source = Guarded(
      exchange, [&] { return handler(exchange.request()); },
      SourceResult(InternalError()));
  if (source.ok() && !*source) source = InternalError();
  if (!source.ok() || !exchange.runtime.events) {
    Error error = source.ok() ? InternalError() : source.error();
    Answer(exchange, ErrorReply(error));
    return;
  }

  auto response = StartResponse<restinio::chunked_output_t>(
      exchange, 200, "text/event-stream",
      {{"Cache-Control", "no-cache"}, {"X-Accel-Buffering", "no"}});
  Record(exchange, 200, " (event stream)");
  response.flush();
  exchange.runtime.events->Subscribe(std::move(*source), std::move(response),
                                     exchange.id, exchange.guard);
}

// Hands a request from its I/O thread to a handler thread.
struct Dispatch {
  HttpMetrics metrics;
  RouteRuntime runtime;

  restinio::request_handling_status_t operator()(
      restinio::request_handle_t req, restinio::router::route_params_t params,
      const std::string& route,
      std::shared_ptr<const std::function<void(RouteExchange&)>> respond)
      const {
    auto incoming = req->header().try_get_field("X-Request-Id");
    auto exchange = std::make_shared<RouteExchange>(RouteExchange{
        std::move(req), std::move(params),
        ChooseRequestId(incoming ? *incoming : ""), route, Clock::now(),
        std::make_shared<InFlightGuard>(runtime.in_flight), metrics, runtime});
    bool queued = runtime.pool->Submit(
        [exchange, respond = std::move(respond)] { (*respond)(*exchange); });
    if (!queued) {
      Answer(*exchange,
             ErrorReply(ErrorCode::kUnavailable, "the server is stopping"));
    }
    return restinio::request_accepted();
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
  AddResponder(method, std::move(path),
               [handler = std::move(handler)](RouteExchange& exchange) {
                 RespondPlain(exchange, handler);
               });
}

void RouteTable::GetStream(std::string path, StreamHandler handler) {
  AddResponder(restinio::http_method_get(), std::move(path),
               [handler = std::move(handler)](RouteExchange& exchange) {
                 RespondStream(exchange, handler);
               });
}

void RouteTable::GetEvents(std::string path, EventsHandler handler) {
  AddResponder(restinio::http_method_get(), std::move(path),
               [handler = std::move(handler)](RouteExchange& exchange) {
                 RespondEvents(exchange, handler);
               });
}

void RouteTable::AddResponder(restinio::http_method_id_t method,
                              std::string path, Responder respond) {
  routes_.push_back({method, std::move(path),
                     std::make_shared<const Responder>(std::move(respond))});
}

std::unique_ptr<Router> RouteTable::Build(const RouteRuntime& runtime) && {
  assert(runtime.pool);
  auto router = std::make_unique<Router>();
  Dispatch dispatch{metrics_, runtime};
  auto add = [&](auto matcher, const std::string& path,
                 std::shared_ptr<const Responder> respond) {
    router->add_handler(std::move(matcher), path,
                        [dispatch, label = RouteLabel(path),
                         respond = std::move(respond)](auto req, auto params) {
                          return dispatch(std::move(req), std::move(params),
                                          label, respond);
                        });
  };

  std::vector<std::string> paths;  // each once, in registration order
  for (Route& route : routes_) {
    if (std::find(paths.begin(), paths.end(), route.path) == paths.end()) {
      paths.push_back(route.path);
    }
    add(route.method, route.path, route.respond);
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
    add(std::move(others), path,
        std::make_shared<const Responder>(
            [not_allowed](RouteExchange& exchange) {
              RespondPlain(exchange, not_allowed);
            }));
  }

  // No route's path: 404. One metrics label for all of them, so that
  // scanners cannot grow the metrics without bound.
  auto not_found =
      std::make_shared<const Responder>([](RouteExchange& exchange) {
        RespondPlain(exchange, [](const Request& request) {
          std::string_view path = request.raw().header().path();
          return ErrorReply(
              ErrorCode::kNotFound,
              "no such resource: " + std::string(path.substr(0, 200)));
        });
      });
  router->non_matched_request_handler([dispatch, not_found](auto req) {
    return dispatch(std::move(req), {}, "unmatched", not_found);
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
