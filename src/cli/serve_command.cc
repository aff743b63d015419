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
#include "engine/tfjs_weights.h"
#include "http/app.h"
#include "http/routes.h"
#include "http/server.h"

namespace eventface::cli {
namespace {

struct ServeOptions {
  std::string listen = "127.0.0.1:8080";
  std::string port_file;
  int http_threads = 2;
  std::uint64_t max_body_bytes = http::HttpServerSettings{}.max_body_bytes;
  std::string models;
};

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

// /readyz's "models" check: the face models' folder can be found.
http::ReadinessCheck ModelsCheck(std::string models) {
  return {
      "models", [models]() -> Status {
        if (models.empty()) {
          auto resolved = engine::ResolveModelDirectory();
          if (!resolved) return resolved.error();
          return {};
        }
        if (!std::filesystem::is_directory(models)) {
          return Error{ErrorCode::kNotFound, "no model folder at " + models};
        }
        return {};
      }};
}

// Blocks SIGINT and SIGTERM in this thread and every thread it starts
// later, so that WaitForStopSignal() alone receives them.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

int WaitForStopSignal(const sigset_t& signals) {
  int signal = 0;
  sigwait(&signals, &signal);
  return signal;
}

int RunServe(const ServeOptions& options) {
  auto listen = http::ParseListenAddress(options.listen);
  if (!listen) {
    std::fprintf(stderr, "eventface serve: %s\n",
                 listen.error().message.c_str());
    return kExitFailure;
  }
  http::HttpServerSettings settings;
  settings.address = listen->address;
  settings.port = listen->port;
  settings.threads = options.http_threads;
  settings.max_body_bytes = options.max_body_bytes;

  // What the routes serve. The database and the job workers join here.
  http::MetricsRegistry metrics;
  http::App app{metrics, {ModelsCheck(options.models)}};
  http::RouteTable routes(http::HttpMetrics::Register(metrics));
  http::RegisterRoutes(routes, app);

  sigset_t stop_signals = BlockStopSignals();
  http::HttpServer server(settings, std::move(routes));
  auto port = server.Start();
  if (!port) {
    std::fprintf(stderr, "eventface serve: %s\n", port.error().message.c_str());
    return kExitFailure;
  }
  if (!options.port_file.empty()) {
    Status written = WritePortFile(options.port_file, *port);
    if (!written) {
      std::fprintf(stderr, "eventface serve: %s\n",
                   written.error().message.c_str());
      return kExitFailure;
    }
  }

  int signal = WaitForStopSignal(stop_signals);
  spdlog::info("serve: {} received, stopping", strsignal(signal));
  server.Stop();
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
      ->add_option("--models", options->models,
                   "folder of the face-api model files")
      ->envname("EVENTFACE_MODELS");
  return {command, [options] { return RunServe(*options); }};
}

}  // namespace eventface::cli
