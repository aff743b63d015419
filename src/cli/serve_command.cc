// eventface serve: the HTTP API on this machine.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "cli/service_runtime.h"
#include "http/api.h"
#include "http/app.h"
#include "http/job_metrics.h"
#include "http/routes.h"
#include "http/server.h"
#include "service/accounts.h"
#include "service/attendees.h"
#include "service/events.h"
#include "service/photos.h"

namespace eventface::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string port_file;
  int http_threads = 2;
  int handler_threads = http::HttpServerSettings{}.handler_threads;
  std::uint64_t max_body_bytes = http::HttpServerSettings{}.max_body_bytes;
  bool secure_cookies = false;
  RuntimeOptions runtime = DefaultRuntimeOptions();
};

// How long running jobs may finish after SIGTERM before they go back to
// the queue; longer than any one photo takes.
constexpr std::chrono::seconds kJobGrace(30);

// Writes `port` to `path` through a temporary file and a rename, so a
// reader polling for the file never sees it half written.
Status WritePortFile(const std::string& path, std::uint16_t port) {
  std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << port << '\n';
    if (!out.flush()) {
      return Error{ErrorCode::kIoError, temporary + ": cannot write"};
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    return Error{ErrorCode::kIoError, path + ": " + error.message()};
  }
  return {};
}

int Fail(const Error& error) {
  std::fprintf(stderr, "eventface serve: %s\n", error.message.c_str());
  return kExitFailure;
}

// On a database without accounts nobody can sign in: say how to begin.
void SuggestFirstAdmin(service::Accounts& accounts,
                       const RuntimeOptions& runtime) {
  auto count = accounts.Count();
  if (!count || *count > 0) return;
  std::fprintf(stderr,
               "eventface serve: no accounts yet. Create the first admin "
               "with:\n  eventface user add --role admin --email "
               "you@example.com --db %s\n",
               runtime.database.c_str());
}

http::HttpServerSettings ServerSettings(const ServeOptions& options,
                                        const http::ListenAddress& listen) {
  http::HttpServerSettings settings;
  settings.address = listen.address;
  settings.port = listen.port;
  settings.threads = options.http_threads;
  settings.handler_threads = options.handler_threads;
  settings.max_body_bytes = options.max_body_bytes;
  return settings;
}

int RunServe(const ServeOptions& options) {
  auto listen = http::ParseListenAddress(options.listen);
  if (!listen) return Fail(listen.error());
  // Handlers, workers and housekeeping may each hold a session at once.
  RuntimeOptions runtime_options = options.runtime;
  runtime_options.database_sessions =
      options.handler_threads + runtime_options.workers + 2;
  auto runtime = ServiceRuntime::Open(runtime_options);
  if (!runtime) return Fail(runtime.error());
  service::ServiceContext& context = (*runtime)->context();

  sigset_t stop_signals = BlockStopSignals();
  http::MetricsRegistry metrics;
  http::JobMetrics job_metrics(metrics, (*runtime)->queue());
  context.faces_indexed = [&job_metrics](int64_t count) {
    job_metrics.AddFacesIndexed(count);
  };
  // Without models the service still takes uploads and selfies, which wait
  // in the queue; /readyz says why nothing gets indexed.
  Status workers = (*runtime)->StartWorkers(job_metrics.Observer());
  if (!workers) {
    spdlog::error("serve: face workers not started: {}",
                  workers.error().message);
  }
  http::App app{metrics,
                {{"models", [workers] { return workers; }},
                 http::DatabaseReadinessCheck((*runtime)->database())}};
  service::Accounts accounts(context);
  service::Events events(context);
  service::Photos photos(context);
  service::Attendees attendees(context, accounts);
  http::Api api{accounts, events, photos, attendees, options.secure_cookies};
  http::RouteTable routes(http::HttpMetrics::Register(metrics));
  http::RegisterRoutes(routes, app);
  http::RegisterApiRoutes(routes, api);
  SuggestFirstAdmin(accounts, options.runtime);

  http::HttpServer server(ServerSettings(options, *listen), std::move(routes));
  auto port = server.Start();
  if (!port) return Fail(port.error());
  if (!options.port_file.empty()) {
    Status written = WritePortFile(options.port_file, *port);
    if (!written) return Fail(written.error());
  }
  spdlog::info("serve: listening on {}:{} with {} face workers",
               listen->address, *port, options.runtime.workers);

  int signal = WaitForStopSignal(stop_signals);
  spdlog::info("serve: {} received, stopping", strsignal(signal));
  server.Stop();
  (*runtime)->StopWorkers(kJobGrace);
  spdlog::info("serve: stopped");
  return kExitOk;
}

}  // namespace

Command AddServeCommand(CLI::App& app) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* command =
      app.add_subcommand("serve", "Run the HTTP API until SIGINT or SIGTERM.");
  command
      ->add_option("--listen", options->listen,
                   "HOST:PORT to listen on; port 0 picks a free port")
      ->envname("EVENTFACE_LISTEN")
      ->capture_default_str();
  command
      ->add_option("--port-file", options->port_file,
                   "write the port listened on to this file once serving")
      ->envname("EVENTFACE_PORT_FILE");
  command
      ->add_option("--http-threads", options->http_threads,
                   "threads serving HTTP connections")
      ->envname("EVENTFACE_HTTP_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  command
      ->add_option("--max-body-bytes", options->max_body_bytes,
                   "largest request body accepted; a bigger one closes "
                   "its connection")
      ->envname("EVENTFACE_MAX_BODY_BYTES")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command
      ->add_option("--handler-threads", options->handler_threads,
                   "threads running request handlers (database work)")
      ->envname("EVENTFACE_HANDLER_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  command
      ->add_flag("--secure-cookies", options->secure_cookies,
                 "mark the session cookie Secure (when served over HTTPS)")
      ->envname("EVENTFACE_SECURE_COOKIES");
  AddRuntimeOptions(*command, options->runtime);
  return {command, [options] { return RunServe(*options); }};
}

}  // namespace eventface::cli
