// Handlers on the handler pool, off the I/O threads, and file replies.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "http/error_response.h"
#include "http/handler_pool.h"
#include "serving_fixture.h"

namespace eventface::http {
namespace {

using Clock = std::chrono::steady_clock;

TEST(HandlerPoolTest, RunsTasksOnSeveralThreadsAtOnce) {
  HandlerPool pool(3);
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::mutex mutex;
  std::set<std::thread::id> threads;
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(pool.Submit([&] {
      int now = ++running;
      most = std::max(most.load(), now);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      {
        std::lock_guard lock(mutex);
        threads.insert(std::this_thread::get_id());
      }
      --running;
    }));
  }
  pool.Stop();
  EXPECT_EQ(threads.size(), 3u);
  EXPECT_GE(most.load(), 2);
}

TEST(HandlerPoolTest, StopRunsQueuedTasksThenRefusesMore) {
  HandlerPool pool(1);
  std::atomic<int> done{0};
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(pool.Submit([&] { ++done; }));
  }
  pool.Stop();
  EXPECT_EQ(done.load(), 20);
  EXPECT_FALSE(pool.Submit([&] { ++done; }));
  EXPECT_EQ(done.load(), 20);
}

TEST(HandlerPoolTest, SurvivesATaskThatThrows) {
  HandlerPool pool(1);
  std::atomic<bool> ran{false};
  ASSERT_TRUE(pool.Submit([] { throw std::runtime_error("boom"); }));
  ASSERT_TRUE(pool.Submit([&] { ran = true; }));
  pool.Stop();
  EXPECT_TRUE(ran);
}

using HandlerThreadsTest = ServingTest;

TEST_F(HandlerThreadsTest, SlowHandlerDoesNotDelayFastRoute) {
  std::promise<void> entered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Serve(
      [&](RouteTable& routes) {
        routes.Get("/slow", [&, released](const Request&) {
          entered.set_value();
          released.wait();  // a database transaction, say
          return JsonReply({{"slow", true}});
        });
        routes.Get("/fast", [](const Request&) {
          return JsonReply({{"fast", true}});
        });
      },
      [](HttpServerSettings& settings) {
        settings.threads = 1;  // so a blocked I/O thread would block all
        settings.handler_threads = 2;
      });

  auto slow = std::async(std::launch::async,
                         [this] { return testing::HttpGet(port_, "/slow"); });
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(5)),
            std::future_status::ready);
  auto start = Clock::now();
  auto fast = testing::SendHttp(port_, testing::HttpRequest("GET", "/fast"),
                                std::chrono::seconds(2));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(1));
  release.set_value();
  ASSERT_TRUE(fast);
  EXPECT_EQ(fast->body, R"({"fast":true})");
  auto slow_response = slow.get();
  ASSERT_TRUE(slow_response);
  EXPECT_EQ(slow_response->body, R"({"slow":true})");
}

TEST_F(HandlerThreadsTest, StopWaitsForHandlerStillRunning) {
  std::promise<void> entered;
  std::atomic<bool> finished{false};
  Serve(
      [&](RouteTable& routes) {
        routes.Get("/slow", [&](const Request&) {
          entered.set_value();
          std::this_thread::sleep_for(std::chrono::milliseconds(700));
          finished = true;
          return JsonReply({});
        });
      },
      [](HttpServerSettings& settings) {
        settings.stop_grace = std::chrono::milliseconds(100);
      });
  auto answer = std::async(std::launch::async,
                           [this] { return testing::HttpGet(port_, "/slow"); });
  ASSERT_EQ(entered.get_future().wait_for(std::chrono::seconds(5)),
            std::future_status::ready);
  server_->Stop();  // past its grace, yet the handler still runs
  EXPECT_TRUE(finished);
  answer.wait();
}

class FileReplyTest : public ServingTest {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("file_reply_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
};

TEST_F(FileReplyTest, SendsFileWithItsLength) {
  std::string content;
  for (int i = 0; i < 300000; ++i) content += static_cast<char>(i * 13 % 256);
  std::ofstream(dir_ / "photo.jpg", std::ios::binary) << content;

  Serve([this](RouteTable& routes) {
    routes.Get("/download/:name", [this](const Request& request) {
      Reply reply;
      reply.content_type = "image/jpeg";
      reply.file = dir_ / std::string(request.param("name"));
      reply.headers.emplace_back("Content-Disposition", "attachment");
      return reply;
    });
  });
  auto response = testing::HttpGet(port_, "/download/photo.jpg");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Content-Length"), std::to_string(content.size()));
  EXPECT_EQ(response->header("Content-Type"), "image/jpeg");
  EXPECT_EQ(response->header("Content-Disposition"), "attachment");
  EXPECT_TRUE(response->header("X-Request-Id"));
  EXPECT_TRUE(response->body == content);

  // A file that is missing, or a directory, is a JSON 404.
  for (std::string path : {"/download/nothing.jpg", "/download/."}) {
    response = testing::HttpGet(port_, path);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 404) << path;
    EXPECT_EQ(response->header("Content-Type"), "application/json");
    auto body = nlohmann::json::parse(response->body);
    EXPECT_EQ(body["error"]["code"], "not_found");
  }
}

}  // namespace
}  // namespace eventface::http
