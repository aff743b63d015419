// eventface worker: face workers without HTTP, for more machines sharing
// one PostgreSQL database and one media folder.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "cli/commands.h"
#include "cli/service_runtime.h"
#include "store/database_url.h"

namespace eventface::cli {
namespace {

constexpr std::chrono::seconds kJobGrace(30);

int RunWorker(const RuntimeOptions& options) {
  auto fail = [](const std::string& message) {
    std::fprintf(stderr, "eventface worker: %s\n", message.c_str());
    return kExitFailure;
  };
  auto url = store::ParseDatabaseUrl(options.database);
  if (!url) return fail(url.error().message);
  if (url->backend != store::Backend::kPostgres) {
    return fail(
        "workers on their own need a database every node shares: set "
        "--db or EVENTFACE_DB to a postgresql:// URL (eventface serve "
        "runs workers itself on SQLite)");
  }
  if (options.workers == 0) return fail("--workers must be at least 1");
  RuntimeOptions runtime_options = options;
  runtime_options.database_sessions = options.workers + 2;
  auto runtime = ServiceRuntime::Open(runtime_options);
  if (!runtime) return fail(runtime.error().message);

  sigset_t stop_signals = BlockStopSignals();
  Status started = (*runtime)->StartWorkers(
      [](std::string_view, jobs::JobOutcome, std::chrono::milliseconds) {});
  if (!started) return fail(started.error().message);

  int signal = WaitForStopSignal(stop_signals);
  spdlog::info("worker: {} received, stopping", strsignal(signal));
  (*runtime)->StopWorkers(kJobGrace);
  spdlog::info("worker: stopped");
  return kExitOk;
}

}  // namespace

Command AddWorkerCommand(CLI::App& app) {
  auto options = std::make_shared<RuntimeOptions>(DefaultRuntimeOptions());
  CLI::App* command = app.add_subcommand(
      "worker",
      "Run face workers alone, against PostgreSQL, until SIGINT or SIGTERM.");
  AddRuntimeOptions(*command, *options);
  return {command, [options] { return RunWorker(*options); }};
}

}  // namespace eventface::cli
