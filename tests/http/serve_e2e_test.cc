// `eventface serve` as a real process on 127.0.0.1, driven over TCP.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>
#include <vector>

#include "testing/http_client.h"
#include "testing/process.h"
#include "testing/server_process.h"

namespace eventface {
namespace {

using testing::HttpGet;
using testing::HttpRequest;
using testing::SendHttp;
using testing::ServerProcess;

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GT(server_.port(), 0) << "serve did not start:\n"
                                 << server_.ErrorOutput();
  }
  int port() const { return server_.port(); }

  ServerProcess server_;
};

void ExpectJsonError(const testing::HttpResponse& response, int status,
                     const std::string& code) {
  EXPECT_EQ(response.status, status);
  EXPECT_EQ(response.header("Content-Type"), "application/json");
  auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["code"], code) << response.body;
  EXPECT_TRUE(body["error"]["message"].is_string()) << response.body;
}

TEST_F(ServeTest, HealthzAnswersOk) {
  auto response = HttpGet(port(), "/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(nlohmann::json::parse(response->body),
            nlohmann::json({{"status", "ok"}}));
  EXPECT_TRUE(response->header("X-Request-Id"));
}

TEST_F(ServeTest, ReadyzIsReadyWithModels) {
  auto response = HttpGet(port(), "/readyz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200) << response->body;
  auto body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["status"], "ready");
  EXPECT_EQ(body["checks"]["models"], "ok");
}

TEST(ServeReadinessTest, ReadyzIs503NamingFailedCheck) {
  ServerProcess server({"--models", "/nonexistent/eventface-models"});
  ASSERT_GT(server.port(), 0) << server.ErrorOutput();
  auto response = HttpGet(server.port(), "/readyz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 503);
  auto body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["status"], "not_ready");
  EXPECT_EQ(body["failed"], nlohmann::json::array({"models"}));
}

TEST_F(ServeTest, MetricsCountHealthzRequests) {
  ASSERT_TRUE(HttpGet(port(), "/healthz"));
  ASSERT_TRUE(HttpGet(port(), "/healthz"));
  auto response = HttpGet(port(), "/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Content-Type"),
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(response->body.find("eventface_http_requests_total{method=\"GET\","
                                "route=\"/healthz\",status=\"200\"} 2\n"),
            std::string::npos)
      << response->body;
  EXPECT_NE(response->body.find("# TYPE eventface_http_request_duration_"
                                "seconds histogram\n"),
            std::string::npos);
}

TEST_F(ServeTest, UnknownPathIs404JsonError) {
  auto response = HttpGet(port(), "/no/such/thing");
  ASSERT_TRUE(response);
  ExpectJsonError(*response, 404, "not_found");
}

TEST_F(ServeTest, WrongMethodIs405WithAllow) {
  auto response = SendHttp(port(), HttpRequest("POST", "/healthz", {}, "{}"));
  ASSERT_TRUE(response);
  ExpectJsonError(*response, 405, "method_not_allowed");
  EXPECT_EQ(response->header("Allow"), "GET");
}

// RESTinio 0.6 answers nothing to a request it cannot parse: it closes the
// connection. What matters here is that the client is not left hanging
// and the server goes on serving.
TEST_F(ServeTest, MalformedRequestLineClosesConnection) {
  auto start = std::chrono::steady_clock::now();
  std::string answer = testing::SendRaw(port(), "GARBAGE\x01 / HTTP/9\r\n\r\n");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(answer.empty() || answer.starts_with("HTTP/1.1 400")) << answer;
  auto response = HttpGet(port(), "/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST_F(ServeTest, IdleConnectionDoesNotBlockOthers) {
  // One connection that never sends, one that sent half a request line.
  int idle = testing::ConnectTo(port());
  int half = testing::ConnectTo(port());
  ASSERT_GE(idle, 0);
  ASSERT_GE(half, 0);
  ASSERT_EQ(::write(half, "GET /hea", 8), 8);

  auto start = std::chrono::steady_clock::now();
  auto response = HttpGet(port(), "/healthz");
  auto elapsed = std::chrono::steady_clock::now() - start;
  ::close(idle);
  ::close(half);
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST_F(ServeTest, FiftyConcurrentConnectionsAllSucceed) {
  std::vector<std::future<int>> statuses;
  for (int i = 0; i < 50; ++i) {
    statuses.push_back(std::async(std::launch::async, [this] {
      auto response = HttpGet(port(), "/healthz");
      return response ? response->status : 0;
    }));
  }
  for (auto& status : statuses) EXPECT_EQ(status.get(), 200);
}

TEST_F(ServeTest, SigtermExitsZeroPromptly) {
  ASSERT_TRUE(HttpGet(port(), "/healthz"));
  int idle = testing::ConnectTo(port());  // must not hold up the exit
  server_.Signal(SIGTERM);
  auto exit_code = server_.WaitForExit(std::chrono::seconds(5));
  ::close(idle);
  ASSERT_TRUE(exit_code) << "still running 5 s after SIGTERM";
  EXPECT_EQ(*exit_code, 0) << server_.ErrorOutput();
}

TEST(ServeBodyLimitTest, OverLimitBodyClosesConnection) {
  ServerProcess server({"--max-body-bytes", "1000"});
  ASSERT_GT(server.port(), 0) << server.ErrorOutput();
  std::string raw =
      "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n"
      "Connection: close\r\n\r\n" +
      std::string(5000, 'x');
  std::string answer = testing::SendRaw(server.port(), raw);
  EXPECT_TRUE(answer.empty() || answer.starts_with("HTTP/1.1 413")) << answer;
  auto response = HttpGet(server.port(), "/healthz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
}

TEST(ServeCommandTest, HelpNamesFlagsAndEnvironment) {
  auto result =
      testing::RunProcess({testing::EventfaceBinary(), "serve", "--help"});
  EXPECT_EQ(result.exit_code, 0);
  for (const char* text : {"--listen", "EVENTFACE_LISTEN", "--port-file",
                           "--http-threads", "--max-body-bytes"}) {
    EXPECT_NE(result.out.find(text), std::string::npos) << text;
  }
}

TEST(ServeCommandTest, BadListenAddressFails) {
  auto result = testing::RunProcess(
      {testing::EventfaceBinary(), "serve", "--listen", "nonsense"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("not HOST:PORT"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace eventface
