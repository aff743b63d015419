// eventface user add: creates an account from the command line; how the
// first admin of a new installation comes to exist.
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/commands.h"
#include "core/clock.h"
#include "jobs/job_queue.h"
#include "service/accounts.h"
#include "store/database.h"
#include "store/media_folder.h"

namespace eventface::cli {
namespace {

struct UserAddOptions {
  std::string database = std::string(store::kDefaultDatabaseUrl);
  std::string role;
  std::string email;
  std::string name;
};

// Reads one line from standard input, without echo when it is a terminal.
std::string ReadSecretLine(const char* prompt) {
  bool terminal = ::isatty(STDIN_FILENO) == 1;
  termios saved{};
  if (terminal) {
    std::fputs(prompt, stderr);
    ::tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  std::getline(std::cin, line);
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::fputs("\n", stderr);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// The password from a prompt typed twice, or from the first line of
// standard input when it is not a terminal (for scripts).
Result<std::string> ReadPassword() {
  std::string password = ReadSecretLine("Password: ");
  if (::isatty(STDIN_FILENO) == 1 &&
      ReadSecretLine("Password again: ") != password) {
    return Error{ErrorCode::kInvalidArgument, "the passwords differ"};
  }
  return password;
}

int RunUserAdd(const UserAddOptions& options) {
  auto fail = [](const Error& error) {
    std::fprintf(stderr, "eventface user add: %s\n", error.message.c_str());
    return kExitFailure;
  };
  auto password = ReadPassword();
  if (!password) return fail(password.error());
  auto database = store::Database::Open({options.database, 1});
  if (!database) return fail(database.error());

  // Creating an account touches neither media nor jobs.
  SystemClock clock;
  store::MediaFolder unused_media("");
  jobs::JobQueue queue(**database, clock);
  service::ServiceContext context{**database, unused_media, queue, clock};
  service::Accounts accounts(context);
  std::string name = options.name.empty()
                         ? options.email.substr(0, options.email.find('@'))
                         : options.name;
  auto role = store::ParseRole(options.role);
  auto user = accounts.Create({options.email, name, *role, *password});
  if (!user) return fail(user.error());
  std::printf("user %lld created: %s (%s)\n",
              static_cast<long long>(user->user_id), user->email.c_str(),
              options.role.c_str());
  return kExitOk;
}

}  // namespace

void AddDatabaseOption(CLI::App& command, std::string& url) {
  command
      .add_option("--db", url,
                  "database: a SQLite file path or postgresql://USER@HOST/DB")
      ->envname("EVENTFACE_DB")
      ->capture_default_str();
}

Command AddUserCommand(CLI::App& app) {
  auto options = std::make_shared<UserAddOptions>();
  CLI::App* user = app.add_subcommand("user", "Manage accounts.");
  user->require_subcommand(1);
  CLI::App* add = user->add_subcommand(
      "add",
      "Create an account. The password is asked for twice on a terminal, "
      "else read from the first line of standard input.");
  add->add_option("--role", options->role, "admin, photographer or attendee")
      ->required()
      ->check(CLI::IsMember({"admin", "photographer", "attendee"}));
  add->add_option("--email", options->email, "the account's email")->required();
  add->add_option("--name", options->name,
                  "the name shown for it (default: the email's local part)");
  AddDatabaseOption(*add, options->database);
  return {add, [options] { return RunUserAdd(*options); }};
}

}  // namespace eventface::cli
