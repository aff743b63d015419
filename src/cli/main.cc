// eventface: event photos delivered to the people in them. This binary
// holds every command; see --help.
#include <sodium.h>

#include <cstdio>
#include <exception>
#include <vector>

#include "cli/commands.h"
#include "core/logging.h"

int main(int argc, char** argv) {
  using namespace eventface;
  try {
    if (sodium_init() < 0) {
      std::fputs("eventface: libsodium failed to initialise\n", stderr);
      return cli::kExitFailure;
    }
    CLI::App app{"eventface: finds the event photos a person appears in."};
    app.require_subcommand(1);
    app.fallthrough();  // --log-level may follow the subcommand too
    std::string log_level = "warn";
    app.add_option("--log-level", log_level,
                   "error, warn, info or debug (standard error)")
        ->envname("EVENTFACE_LOG_LEVEL");

    std::vector<cli::Command> commands = {
        cli::AddFacesCommand(app), cli::AddFindCommand(app),
        cli::AddServeCommand(app), cli::AddUserCommand(app),
        cli::AddWorkerCommand(app)};

    CLI11_PARSE(app, argc, argv);
    InitLogging(log_level);
    for (const cli::Command& command : commands) {
      if (command.subcommand->parsed()) return command.run();
    }
    return cli::kExitFailure;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "eventface: unexpected failure: %s\n", e.what());
    return cli::kExitFailure;
  }
}
