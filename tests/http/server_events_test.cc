// Server-sent event streams on a real server on 127.0.0.1.
#include "http/server_events.h"

#include <gtest/gtest.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/error_response.h"
#include "serving_fixture.h"

namespace eventface::http {
namespace {

using Clock = std::chrono::steady_clock;

TEST(FormatServerEventTest, WritesFieldsAndEndsWithBlankLine) {
  EXPECT_EQ(FormatServerEvent({"match", R"({"photo":7})", "12"}),
            "event: match\nid: 12\ndata: {\"photo\":7}\n\n");
  EXPECT_EQ(FormatServerEvent({"", "plain", ""}), "data: plain\n\n");
  EXPECT_EQ(FormatServerEvent({"", "", ""}), "data: \n\n");
}

TEST(FormatServerEventTest, SplitsDataLinesAndDropsBreaksElsewhere) {
  EXPECT_EQ(FormatServerEvent({"a\nb", "one\ntwo\r\nthree\rfour\n", "1\r2"}),
            "event: ab\nid: 12\ndata: one\ndata: two\ndata: three\n"
            "data: four\ndata: \n\n");
}

// Events a test pushes, handed out on Poll; counts itself alive.
class QueueSource : public EventSource {
 public:
  explicit QueueSource(std::atomic<int>* alive) : alive_(alive) { ++*alive_; }
  ~QueueSource() override { --*alive_; }

  void Push(ServerEvent event) {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  void FailNextPoll() { fail_ = true; }

  Result<std::vector<ServerEvent>> Poll() override {
    ++polls;
    if (fail_) return Error{ErrorCode::kUnavailable, "database is gone"};
    std::lock_guard lock(mutex_);
    std::vector<ServerEvent> out(events_.begin(), events_.end());
    events_.clear();
    return out;
  }

  std::atomic<int> polls{0};

 private:
  std::atomic<int>* alive_;
  std::atomic<bool> fail_{false};
  std::mutex mutex_;
  std::deque<ServerEvent> events_;
};

class ServerEventsTest : public ServingTest {
 protected:
  // Serves GET /events, each subscriber a new QueueSource (the last one in
  // source_), and GET /denied, which refuses.
  void ServeEvents(std::function<void(HttpServerSettings&)> tweak = {}) {
    Serve(
        [this](RouteTable& routes) {
          routes.GetEvents("/events", [this](const Request&) {
            auto source = std::make_shared<QueueSource>(&alive_);
            std::lock_guard lock(mutex_);
            source_ = source;
            return Result<std::shared_ptr<EventSource>>(source);
          });
          routes.GetEvents(
              "/denied",
              [](const Request&) -> Result<std::shared_ptr<EventSource>> {
                return Error{ErrorCode::kUnauthenticated, "sign in first"};
              });
          routes.Get("/ping", [](const Request&) { return JsonReply({}); });
        },
        [&](HttpServerSettings& settings) {
          settings.event_poll_interval = std::chrono::milliseconds(20);
          if (tweak) tweak(settings);
        });
  }

  std::shared_ptr<QueueSource> source() {
    std::lock_guard lock(mutex_);
    return source_.lock();
  }

  // Waits until `condition` holds, for up to five seconds.
  static bool Eventually(const std::function<bool()>& condition) {
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (!condition()) {
      if (Clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }

  std::atomic<int> alive_{0};
  std::mutex mutex_;
  std::weak_ptr<QueueSource> source_;
};

TEST_F(ServerEventsTest, PushedEventsReachTheClient) {
  ServeEvents();
  StreamingClient client(port_);
  ASSERT_TRUE(client.Get("/events"));
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  EXPECT_NE(client.received().find("Content-Type: text/event-stream"),
            std::string::npos);
  EXPECT_NE(client.received().find("Cache-Control: no-cache"),
            std::string::npos);

  ASSERT_TRUE(Eventually([&] { return source() != nullptr; }));
  std::shared_ptr<QueueSource> events = source();
  ASSERT_TRUE(events);
  events->Push({"match", R"({"photo":1})", "1"});
  ASSERT_TRUE(client.ReadUntil("event: match\nid: 1\ndata: {\"photo\":1}\n\n"));
  events->Push({"progress", "2 of 9", ""});
  events->Push({"progress", "3 of 9", ""});
  EXPECT_TRUE(
      client.ReadUntil("data: 2 of 9\n\nevent: progress\n"
                       "data: 3 of 9\n\n"));
}

TEST_F(ServerEventsTest, HandlerErrorIsAJsonAnswer) {
  ServeEvents();
  auto response = testing::HttpGet(port_, "/denied");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 401);
  EXPECT_EQ(response->header("Content-Type"), "application/json");
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["message"],
            "sign in first");
}

TEST_F(ServerEventsTest, SilentStreamGetsHeartbeats) {
  ServeEvents([](HttpServerSettings& settings) {
    settings.event_heartbeat_interval = std::chrono::milliseconds(100);
  });
  StreamingClient client(port_);
  ASSERT_TRUE(client.Get("/events"));
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  // A comment line ("\n:\n\n" inside a chunk, after its size line).
  EXPECT_TRUE(client.ReadUntil("\r\n:\n\n\r\n", std::chrono::seconds(2)));
}

TEST_F(ServerEventsTest, HeartbeatsKeepAheadOfTheHandlingTimeout) {
  ServeEvents([](HttpServerSettings& settings) {
    settings.handle_request_timeout = std::chrono::milliseconds(400);
  });
  StreamingClient client(port_);
  ASSERT_TRUE(client.Get("/events"));
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  // RESTinio would close a stream silent for longer than 400 ms.
  EXPECT_FALSE(client.ReadToClose(std::chrono::milliseconds(2500)));
  EXPECT_NE(client.received().find("\r\n:\n\n\r\n"), std::string::npos);
}

TEST_F(ServerEventsTest, ClientLeavingDropsTheSubscriber) {
  ServeEvents([](HttpServerSettings& settings) {
    settings.event_heartbeat_interval = std::chrono::milliseconds(100);
  });
  {
    StreamingClient client(port_);
    ASSERT_TRUE(client.Get("/events"));
    ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
    ASSERT_TRUE(Eventually([&] { return alive_.load() == 1; }));
  }
  // No event was ever written: the heartbeats notice.
  EXPECT_TRUE(Eventually([&] { return alive_.load() == 0; }));
}

TEST_F(ServerEventsTest, FailingSourceEndsTheStream) {
  ServeEvents();
  StreamingClient client(port_);
  ASSERT_TRUE(client.Get("/events"));
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  ASSERT_TRUE(Eventually([&] { return source() != nullptr; }));
  if (auto events = source()) events->FailNextPoll();
  ASSERT_TRUE(client.ReadToClose(std::chrono::seconds(5)));
  EXPECT_TRUE(client.received().ends_with("0\r\n\r\n"));
  EXPECT_TRUE(Eventually([&] { return alive_.load() == 0; }));
}

TEST_F(ServerEventsTest, IdleSubscribersHoldNoHandlerThread) {
  ServeEvents(
      [](HttpServerSettings& settings) { settings.handler_threads = 1; });
  std::vector<std::unique_ptr<StreamingClient>> clients;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(std::make_unique<StreamingClient>(port_));
    ASSERT_TRUE(clients.back()->Get("/events"));
    ASSERT_TRUE(clients.back()->ReadUntil("\r\n\r\n"));
  }
  auto response = testing::SendHttp(port_, testing::HttpRequest("GET", "/ping"),
                                    std::chrono::seconds(2));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(alive_.load(), 5);
}

TEST_F(ServerEventsTest, StopEndsEveryStream) {
  ServeEvents();
  StreamingClient first(port_), second(port_);
  ASSERT_TRUE(first.Get("/events"));
  ASSERT_TRUE(second.Get("/events"));
  ASSERT_TRUE(first.ReadUntil("\r\n\r\n"));
  ASSERT_TRUE(second.ReadUntil("\r\n\r\n"));

  auto start = Clock::now();
  server_->Stop();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  for (StreamingClient* client : {&first, &second}) {
    ASSERT_TRUE(client->ReadToClose(std::chrono::seconds(2)));
    EXPECT_TRUE(client->received().ends_with("0\r\n\r\n"));
  }
  EXPECT_EQ(alive_.load(), 0);
}

}  // namespace
}  // namespace eventface::http
