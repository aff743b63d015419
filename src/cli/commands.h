#pragma once

#include <signal.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <string>

#include "core/result.h"
#include "engine/face_analyzer.h"

namespace eventface::cli {

// A subcommand and what runs it once the command line names it; `run`
// returns the process exit code.
struct Command {
  CLI::App* subcommand;
  std::function<int()> run;
};

// Each adds its subcommand, with its flags and --help, to `app`.
Command AddFacesCommand(CLI::App& app);
Command AddFindCommand(CLI::App& app);
Command AddServeCommand(CLI::App& app);
Command AddUserCommand(CLI::App& app);
Command AddWorkerCommand(CLI::App& app);

// Adds --db (EVENTFACE_DB), the database URL, to `command`.
void AddDatabaseOption(CLI::App& command, std::string& url);

// Blocks SIGINT and SIGTERM in this thread and every thread it starts
// later, so that WaitForStopSignal() alone receives them. Call it before
// starting threads.
sigset_t BlockStopSignals();

// Waits for one of `signals` and returns it.
int WaitForStopSignal(const sigset_t& signals);

// Exit codes shared by the commands.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitNoFace = 2;

// The whole file at `path`. Fails with kNotFound or kIoError, naming it.
Result<std::string> ReadFile(const std::filesystem::path& path);

// Loads the engine from `model_dir`, or from ResolveModelDirectory() when
// it is empty.
Result<engine::FaceAnalyzer> LoadAnalyzer(const std::string& model_dir);

}  // namespace eventface::cli
