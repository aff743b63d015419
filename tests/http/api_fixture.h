// A fixture for end-to-end API tests: the real `eventface serve` on
// 127.0.0.1 over a fresh database (a SQLite file, or a schema of the test
// PostgreSQL server) and a media folder of its own, driven over HTTP.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/test_database.h"
#include "testing/http_client.h"
#include "testing/server_process.h"

namespace eventface::testing {

// One part of a multipart/form-data body: a text field, or a file when
// `filename` is set.
struct MultipartPart {
  std::string name;
  std::string value;
  std::optional<std::string> filename = std::nullopt;
  std::string content_type = "application/octet-stream";
};

// The body and the Content-Type header value for `parts`.
std::pair<std::string, std::string> EncodeMultipart(
    const std::vector<MultipartPart>& parts);

// The bytes of the file at `path`, which must exist.
std::string ReadTestFile(const std::string& path);

// A `width` x `height` PNG of random noise from `seed`: an image with no
// face in it, distinct for distinct seeds, so that no upload dedupes.
std::string NoisePng(unsigned seed, int width = 64, int height = 48);

// The five bbt group photos (bbt1.jpg .. bbt5.jpg under `shared`) as the
// "photos" files of an upload.
std::vector<MultipartPart> BbtGroupParts(const std::filesystem::path& shared);

// `eventface args...` as a child process in a folder of its own, its
// standard error kept in a file. The destructor kills it (SIGKILL) if it
// still runs, so a failed test never leaves it behind.
class EventfaceProcess {
 public:
  explicit EventfaceProcess(std::vector<std::string> args);
  ~EventfaceProcess();
  EventfaceProcess(const EventfaceProcess&) = delete;
  EventfaceProcess& operator=(const EventfaceProcess&) = delete;

  void Signal(int signal);

  // Its exit code once it exits within `timeout`; -1 when a signal ended
  // it; nullopt when it is still running.
  std::optional<int> WaitForExit(std::chrono::milliseconds timeout);

  // Everything it has written to standard error so far.
  std::string ErrorOutput() const;

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

class ApiTest : public DatabaseTest {
 protected:
  // The arguments SetUp() starts the server with; a suite overrides it to
  // start its first server differently (fewer workers, a short lease).
  virtual std::vector<std::string> ServerArgs() const { return {}; }

  // Opens the database, then starts the server on it.
  void SetUp() override;
  void TearDown() override;

  // Starts `eventface serve` on this test's database and media folder with
  // `extra_args`; the previous server, if any, must be stopped first.
  void StartServer(std::vector<std::string> extra_args = {});

  // Stops the server with `signal` and waits up to 40 s for it to exit.
  // Returns its exit code (-1 when the signal ended it).
  std::optional<int> StopServer(int signal);

  ServerProcess& server() { return *server_; }
  int port() const { return server_->port(); }
  const std::string& media_dir() const { return media_dir_; }

  // Creates an account with `eventface user add`; fails the test if that
  // fails.
  void AddUser(const std::string& role, const std::string& email,
               const std::string& password = "password123");

  // Signs in and returns the session token ("" on failure, with a test
  // failure).
  std::string Login(const std::string& email,
                    const std::string& password = "password123");

  // Requests to the server, with `token` as a bearer token unless empty.
  // A failed connection fails the test and returns status 0.
  HttpResponse Get(const std::string& path, const std::string& token = "");
  HttpResponse Delete(const std::string& path, const std::string& token = "");
  HttpResponse PostJson(const std::string& path, const nlohmann::json& body,
                        const std::string& token = "");
  HttpResponse PutJson(const std::string& path, const nlohmann::json& body,
                       const std::string& token = "");
  HttpResponse PostMultipart(const std::string& path,
                             const std::vector<MultipartPart>& parts,
                             const std::string& token = "");
  HttpResponse Send(HttpRequest request, const std::string& token = "");

  // Creates an event of the photographer signed in with `token` and
  // returns its JSON (id, code, ...); null with a test failure.
  nlohmann::json CreateEvent(const std::string& token,
                             const std::string& name = "Party");

  // The single integer a query such as "SELECT COUNT(*) FROM photos"
  // returns, read straight from the database; -1 with a test failure.
  long long QueryInt(const std::string& sql);

  // How many files the media folder holds, in all its subfolders.
  size_t CountMediaFiles() const;

  // Polls `condition` every 50 ms until it holds or `timeout` passes;
  // returns whether it held.
  static bool WaitFor(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout);

  // Uploads the files at `paths` to event `event_id` in one request and
  // returns each file's name (without folder) to its photo id.
  std::map<std::string, int64_t> UploadPhotos(
      int64_t event_id, const std::vector<std::string>& paths,
      const std::string& token);

  // Waits up to `timeout` until every photo of `event_id` has left the
  // queue; returns the listing as `token` sees it (empty on a timeout).
  nlohmann::json WaitForIndexed(
      int64_t event_id, const std::string& token,
      std::chrono::milliseconds timeout = std::chrono::seconds(120));

  // Waits up to `timeout` until job `job_id` is done or failed; returns its
  // state ("" if it never got there).
  std::string WaitForJob(
      int64_t job_id, const std::string& token,
      std::chrono::milliseconds timeout = std::chrono::seconds(120));

  // The ids of the photos of `event_id` listed for the attendee `token`.
  std::set<int64_t> MyPhotoIds(int64_t event_id, const std::string& token);

 private:
  std::string media_dir_;
  std::unique_ptr<ServerProcess> server_;
};

// Parses `response`'s body as JSON; a test failure and null when it is
// not JSON.
nlohmann::json BodyJson(const HttpResponse& response);

// Instantiates ApiTest-derived `suite` on a SQLite file and on PostgreSQL.
#define EVENTFACE_SERVER_BACKENDS(suite)                                \
  INSTANTIATE_TEST_SUITE_P(                                             \
      Backends, suite,                                                  \
      ::testing::Values(::eventface::testing::TestBackend::kSqliteFile, \
                        ::eventface::testing::TestBackend::kPostgres),  \
      ::eventface::testing::TestBackendName)

}  // namespace eventface::testing
