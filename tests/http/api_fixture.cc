#include "api_fixture.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iterator>
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

void ApiTest::SetUp() {
  DatabaseTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  std::string dir =
      (std::filesystem::temp_directory_path() / "eventface-api-XXXXXX")
          .string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  media_dir_ = dir;
  ASSERT_NO_FATAL_FAILURE(StartServer());
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

bool ApiTest::WaitFor(const std::function<bool()>& condition,
                      std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

nlohmann::json ApiTest::CreateEvent(const std::string& token,
                                    const std::string& name) {
  HttpResponse created =
      PostJson("/api/events", {{"name", name}, {"date", "2026-12-01"}}, token);
  EXPECT_EQ(created.status, 201) << created.body;
  return BodyJson(created);
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
