#include "api_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <soci/soci.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>
#include <thread>

#include "testing/process.h"

namespace eventface::testing {
namespace {

nlohmann::json EmptyArray() { return nlohmann::json::array(); }

}  // namespace

std::pair<std::string, std::string> EncodeMultipart(
    const std::vector<MultipartPart>& parts) {
  std::string boundary =
      "eventface-test-" + std::to_string(std::random_device()());
  std::string body;
  for (const MultipartPart& part : parts) {
    body += "--" + boundary + "\r\n";
    body += "Content-Disposition: form-data; name=\"" + part.name + "\"";
    if (part.filename) {
      body += "; filename=\"" + *part.filename + "\"\r\n";
      body += "Content-Type: " + part.content_type;
    }
    body += "\r\n\r\n" + part.value + "\r\n";
  }
  body += "--" + boundary + "--\r\n";
  return {body, "multipart/form-data; boundary=" + boundary};
}

std::string ReadTestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

nlohmann::json BodyJson(const HttpResponse& response) {
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  EXPECT_FALSE(json.is_discarded()) << "not JSON: " << response.body;
  return json.is_discarded() ? nlohmann::json() : json;
}

std::string NoisePng(unsigned seed, int width, int height) {
  cv::Mat pixels(height, width, CV_8UC3);
  cv::RNG random(seed);
  random.fill(pixels, cv::RNG::UNIFORM, 0, 256);
  std::vector<uchar> png;
  EXPECT_TRUE(cv::imencode(".png", pixels, png));
  return std::string(png.begin(), png.end());
}

std::vector<MultipartPart> BbtGroupParts(const std::filesystem::path& shared) {
  std::vector<MultipartPart> parts;
  for (int i = 1; i <= 5; ++i) {
    std::string name = "bbt" + std::to_string(i) + ".jpg";
    parts.push_back(
        {"photos",
         ReadTestFile((shared / "datasets/bbt/groups" / name).string()), name,
         "image/jpeg"});
  }
  return parts;
}

EventfaceProcess::EventfaceProcess(std::vector<std::string> args) {
  std::string dir =
      (std::filesystem::temp_directory_path() / "eventface-child-XXXXXX")
          .string();
  EXPECT_NE(::mkdtemp(dir.data()), nullptr);
  dir_ = dir;
  std::string err_file = (dir_ / "stderr").string();
  args.insert(args.begin(), EventfaceBinary());
  pid_ = ::fork();
  if (pid_ == 0) {
    int null_fd = ::open("/dev/null", O_RDWR);
    int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(err, 2);
    if (::chdir(dir_.c_str()) != 0) ::_exit(126);
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
}

EventfaceProcess::~EventfaceProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void EventfaceProcess::Signal(int signal) {
  if (pid_ > 0) ::kill(pid_, signal);
}

std::optional<int> EventfaceProcess::WaitForExit(
    std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string EventfaceProcess::ErrorOutput() const {
  std::ifstream in(dir_ / "stderr", std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void ApiTest::SetUp() {
  DatabaseTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  std::string dir =
      (std::filesystem::temp_directory_path() / "eventface-api-XXXXXX")
          .string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  media_dir_ = dir;
  ASSERT_NO_FATAL_FAILURE(StartServer(ServerArgs()));
}

void ApiTest::TearDown() {
  server_.reset();
  if (!media_dir_.empty()) std::filesystem::remove_all(media_dir_);
  DatabaseTest::TearDown();
}

void ApiTest::StartServer(std::vector<std::string> extra_args) {
  std::vector<std::string> args = {"--db",     options().url, "--media",
                                   media_dir_, "--log-level", "info"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  server_ = std::make_unique<ServerProcess>(args);
  ASSERT_GT(server_->port(), 0) << server_->ErrorOutput();
}

std::optional<int> ApiTest::StopServer(int signal) {
  server_->Signal(signal);
  return server_->WaitForExit(std::chrono::seconds(40));
}

void ApiTest::AddUser(const std::string& role, const std::string& email,
                      const std::string& password) {
  auto result = RunProcess({EventfaceBinary(), "user", "add", "--role", role,
                            "--email", email, "--db", options().url},
                           password + "\n");
  ASSERT_EQ(result.exit_code, 0) << result.err;
}

std::string ApiTest::Login(const std::string& email,
                           const std::string& password) {
  HttpResponse response =
      PostJson("/api/login", {{"email", email}, {"password", password}});
  EXPECT_EQ(response.status, 200) << response.body;
  nlohmann::json body = BodyJson(response);
  return body.contains("token") ? body["token"].get<std::string>() : "";
}

HttpResponse ApiTest::Send(HttpRequest request, const std::string& token) {
  if (!token.empty()) {
    request.headers.emplace_back("Authorization", "Bearer " + token);
  }
  auto response = SendHttp(port(), request, std::chrono::seconds(30));
  EXPECT_TRUE(response) << request.method << " " << request.path
                        << ": no answer";
  return response ? *response : HttpResponse{};
}

HttpResponse ApiTest::Get(const std::string& path, const std::string& token) {
  return Send(HttpRequest("GET", path), token);
}

HttpResponse ApiTest::Delete(const std::string& path,
                             const std::string& token) {
  return Send(HttpRequest("DELETE", path), token);
}

HttpResponse ApiTest::PostJson(const std::string& path,
                               const nlohmann::json& body,
                               const std::string& token) {
  return Send(HttpRequest("POST", path, {{"Content-Type", "application/json"}},
                          body.dump()),
              token);
}

HttpResponse ApiTest::PutJson(const std::string& path,
                              const nlohmann::json& body,
                              const std::string& token) {
  return Send(HttpRequest("PUT", path, {{"Content-Type", "application/json"}},
                          body.dump()),
              token);
}

HttpResponse ApiTest::PostMultipart(const std::string& path,
                                    const std::vector<MultipartPart>& parts,
                                    const std::string& token) {
  auto [body, content_type] = EncodeMultipart(parts);
  return Send(HttpRequest("POST", path, {{"Content-Type", content_type}}, body),
              token);
}

nlohmann::json ApiTest::CreateEvent(const std::string& token,
                                    const std::string& name) {
  HttpResponse created =
      PostJson("/api/events", {{"name", name}, {"date", "2026-12-01"}}, token);
  EXPECT_EQ(created.status, 201) << created.body;
  return created.status == 201 ? BodyJson(created) : nlohmann::json();
}

long long ApiTest::QueryInt(const std::string& sql) {
  auto value = database().WithReadTransaction([&](store::Transaction& tx) {
    long long value = 0;
    tx.sql() << sql, soci::into(value);
    return Result<long long>(value);
  });
  EXPECT_TRUE(value.ok()) << sql << ": " << value.error().message;
  return value.ok() ? *value : -1;
}

size_t ApiTest::CountMediaFiles() const {
  size_t count = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(media_dir_)) {
    if (entry.is_regular_file()) ++count;
  }
  return count;
}

bool ApiTest::WaitFor(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

std::map<std::string, int64_t> ApiTest::UploadPhotos(
    int64_t event_id, const std::vector<std::string>& paths,
    const std::string& token) {
  std::vector<MultipartPart> files;
  for (const std::string& path : paths) {
    std::string name = std::filesystem::path(path).filename().string();
    files.push_back({"photos", ReadTestFile(path), name, "image/jpeg"});
  }
  HttpResponse uploaded = PostMultipart(
      "/api/events/" + std::to_string(event_id) + "/photos", files, token);
  EXPECT_EQ(uploaded.status, 201) << uploaded.body;
  std::map<std::string, int64_t> ids;
  for (const auto& photo : BodyJson(uploaded).value("photos", EmptyArray())) {
    ids[photo["name"]] = photo["id"];
  }
  EXPECT_EQ(ids.size(), paths.size()) << uploaded.body;
  return ids;
}

nlohmann::json ApiTest::WaitForIndexed(int64_t event_id,
                                       const std::string& token,
                                       std::chrono::milliseconds timeout) {
  std::string path = "/api/events/" + std::to_string(event_id) + "/photos";
  nlohmann::json listed;
  bool settled = WaitFor(
      [&] {
        listed = BodyJson(Get(path, token));
        for (const auto& photo : listed.value("photos", EmptyArray())) {
          if (photo["state"] == "queued") return false;
        }
        return true;
      },
      timeout);
  EXPECT_TRUE(settled) << "photos still queued: " << listed.dump();
  return settled ? listed : nlohmann::json();
}

std::string ApiTest::WaitForJob(int64_t job_id, const std::string& token,
                                std::chrono::milliseconds timeout) {
  std::string path = "/api/jobs/" + std::to_string(job_id);
  std::string state;
  bool finished = WaitFor(
      [&] {
        HttpResponse job = Get(path, token);
        if (job.status != 200) return false;
        state = BodyJson(job).value("state", "");
        return state == "done" || state == "failed";
      },
      timeout);
  EXPECT_TRUE(finished) << "job " << job_id << " is still " << state;
  return finished ? state : "";
}

std::set<int64_t> ApiTest::MyPhotoIds(int64_t event_id,
                                      const std::string& token) {
  HttpResponse listed =
      Get("/api/me/events/" + std::to_string(event_id) + "/photos", token);
  EXPECT_EQ(listed.status, 200) << listed.body;
  std::set<int64_t> ids;
  for (const auto& photo : BodyJson(listed).value("photos", EmptyArray())) {
    ids.insert(photo["id"].get<int64_t>());
  }
  return ids;
}

}  // namespace eventface::testing
