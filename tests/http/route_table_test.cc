// RouteTable and HttpServer in this process, on 127.0.0.1 and a free port.
#include "http/route_table.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <future>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "http/error_response.h"
#include "http/server.h"
#include "testing/http_client.h"

namespace eventface::http {
namespace {

using testing::HttpGet;
using testing::HttpRequest;
using testing::SendHttp;

class RouteTableTest : public ::testing::Test {
 protected:
  // Starts a server with `routes` filled by `add`.
  template <typename AddRoutes>
  void Serve(AddRoutes add) {
    RouteTable routes(HttpMetrics::Register(metrics_));
    add(routes);
    HttpServerSettings settings;
    settings.port = 0;
    server_ = std::make_unique<HttpServer>(settings, std::move(routes));
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
  }

  MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

TEST_F(RouteTableTest, PathParameterReachesHandler) {
  Serve([](RouteTable& routes) {
    routes.Get("/events/:id(\\d+)", [](const Request& request) {
      auto id = request.param_as<int>("id");
      if (!id) return ErrorReply(id.error());
      return JsonReply({{"id", *id}, {"text", request.param("id")}});
    });
  });
  auto response = HttpGet(port_, "/events/42");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"id":42,"text":"42"})");

  // Digits, but too many for an int: the handler's own 400.
  response = HttpGet(port_, "/events/99999999999999");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);

  // The regex refuses what is not a number: no route, 404.
  response = HttpGet(port_, "/events/abc");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
}

TEST_F(RouteTableTest, OtherMethodsGet405WithEveryAllowedMethod) {
  Serve([](RouteTable& routes) {
    Handler ok = [](const Request&) { return JsonReply({}); };
    routes.Get("/things", ok);
    routes.Post("/things", ok);
  });
  auto response = SendHttp(port_, HttpRequest("DELETE", "/things"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(response->header("Allow"), "GET, POST");
  auto body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["error"]["code"], "method_not_allowed");
}

TEST_F(RouteTableTest, ThrowingHandlerAnswers500) {
  Serve([](RouteTable& routes) {
    routes.Get("/boom", [](const Request&) -> Reply {
      throw std::runtime_error("secret detail");
    });
  });
  auto response = HttpGet(port_, "/boom");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  auto body = nlohmann::json::parse(response->body);
  EXPECT_EQ(body["error"]["code"], "internal");
  EXPECT_EQ(response->body.find("secret"), std::string::npos);
}

TEST_F(RouteTableTest, EchoesSaneRequestIdAndReplacesOthers) {
  Serve([](RouteTable& routes) {
    routes.Get("/id", [](const Request& request) {
      return JsonReply({{"id", std::string(request.request_id())}});
    });
  });
  auto response =
      SendHttp(port_, HttpRequest("GET", "/id", {{"X-Request-Id", "abc-1"}}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->header("X-Request-Id"), "abc-1");
  EXPECT_EQ(response->body, R"({"id":"abc-1"})");

  response =
      SendHttp(port_, HttpRequest("GET", "/id", {{"X-Request-Id", "a b"}}));
  ASSERT_TRUE(response);
  auto id = response->header("X-Request-Id");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->size(), 16u);
  EXPECT_NE(*id, "a b");
}

TEST_F(RouteTableTest, RecordsRequestsByRouteAndStatus) {
  Serve([](RouteTable& routes) {
    routes.Get("/events/:id(\\d+)",
               [](const Request&) { return JsonReply({}); });
  });
  ASSERT_TRUE(HttpGet(port_, "/events/1"));
  ASSERT_TRUE(HttpGet(port_, "/events/2"));
  ASSERT_TRUE(HttpGet(port_, "/nowhere"));
  std::string text = metrics_.RenderText();
  EXPECT_NE(text.find("eventface_http_requests_total{method=\"GET\","
                      "route=\"/events/:id\",status=\"200\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("eventface_http_requests_total{method=\"GET\","
                      "route=\"unmatched\",status=\"404\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("eventface_http_request_duration_seconds_count{"
                      "method=\"GET\",route=\"/events/:id\"} 2\n"),
            std::string::npos)
      << text;
}

TEST_F(RouteTableTest, StopIsQuickWithAnIdleConnectionOpen) {
  Serve([](RouteTable& routes) {
    routes.Get("/x", [](const Request&) { return JsonReply({}); });
  });
  int idle = testing::ConnectTo(port_);
  ASSERT_GE(idle, 0);
  auto start = std::chrono::steady_clock::now();
  server_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  ::close(idle);
}

TEST_F(RouteTableTest, StopLetsRequestInFlightFinish) {
  Serve([](RouteTable& routes) {
    routes.Get("/slow", [](const Request&) {
      // Only a test may sleep in a handler: it stands for a request that
      // is being answered when the stop comes.
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      return JsonReply({{"done", true}});
    });
  });
  auto answer = std::async(std::launch::async,
                           [this] { return HttpGet(port_, "/slow"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  server_->Stop();
  auto response = answer.get();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"done":true})");
  EXPECT_FALSE(HttpGet(port_, "/slow"));  // no longer accepting
}

TEST(RequestIdTest, KeepsSaneIdsOnly) {
  EXPECT_EQ(ChooseRequestId("req-1.A_b"), "req-1.A_b");
  EXPECT_EQ(ChooseRequestId("").size(), 16u);
  EXPECT_EQ(ChooseRequestId(std::string(65, 'a')).size(), 16u);
  EXPECT_NE(ChooseRequestId("x\ny"), "x\ny");
  EXPECT_NE(ChooseRequestId(""), ChooseRequestId(""));
}

TEST(RouteLabelTest, DropsParameterRegexes) {
  EXPECT_EQ(RouteLabel("/api/admin/events/:id(\\d+)/rematch"),
            "/api/admin/events/:id/rematch");
  EXPECT_EQ(RouteLabel("/healthz"), "/healthz");
}

TEST(ListenAddressTest, ParsesHostAndPort) {
  auto parsed = ParseListenAddress("127.0.0.1:8080");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->address, "127.0.0.1");
  EXPECT_EQ(parsed->port, 8080);

  parsed = ParseListenAddress("[::1]:0");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->address, "::1");
  EXPECT_EQ(parsed->port, 0);
}

TEST(ListenAddressTest, RefusesMalformed) {
  for (const char* text :
       {"8080", ":8080", "host:", "host:65536", "h:1x", "::1:80", "[::1:80"}) {
    auto parsed = ParseListenAddress(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace eventface::http
