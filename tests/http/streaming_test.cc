// Streamed answers: big bodies in pieces, backpressure, clients that leave.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "http/error_response.h"
#include "serving_fixture.h"

namespace eventface::http {
namespace {

using Clock = std::chrono::steady_clock;

// The `index`th piece of a recognisable body: no two pieces alike.
std::string Piece(size_t index, size_t size) {
  std::string piece(size, '\0');
  for (size_t i = 0; i < size; ++i) {
    piece[i] = static_cast<char>((i * 31 + index * 7) % 251);
  }
  return piece;
}

// A stream reply that writes pieces until `count` or a failed write, and
// reports through `outcome` how many it wrote and how it ended.
struct PieceWriter {
  size_t count;
  size_t size;
  std::atomic<size_t>* written;
  std::shared_ptr<std::promise<Status>> outcome;

  Status operator()(ResponseStream& stream) const {
    for (size_t i = 0; i < count; ++i) {
      Status status = stream.Write(Piece(i, size));
      if (!status.ok()) {
        outcome->set_value(status);
        return status;
      }
      ++*written;
    }
    outcome->set_value(Status());
    return {};
  }
};

class StreamingTest : public ServingTest {
 protected:
  // Serves GET /stream with `count` pieces of `size` bytes.
  void ServePieces(size_t count, size_t size,
                   std::function<void(HttpServerSettings&)> tweak = {}) {
    Serve(
        [=, this](RouteTable& routes) {
          routes.GetStream("/stream", [=, this](const Request&) {
            StreamReply reply;
            reply.content_type = "application/zip";
            reply.headers.emplace_back("Content-Disposition",
                                       "attachment; filename=\"e.zip\"");
            reply.write_body = PieceWriter{count, size, &written_, outcome_};
            return Result<StreamReply>(std::move(reply));
          });
        },
        tweak);
  }

  Status WaitForWriter() {
    auto future = outcome_->get_future();
    if (future.wait_for(std::chrono::seconds(20)) !=
        std::future_status::ready) {
      return Error{ErrorCode::kInternal, "the writer never ended"};
    }
    return future.get();
  }

  std::atomic<size_t> written_{0};
  std::shared_ptr<std::promise<Status>> outcome_ =
      std::make_shared<std::promise<Status>>();
};

TEST_F(StreamingTest, FiftyMegabytesArriveIntact) {
  const size_t kPieces = 800, kSize = 64 * 1024;  // 50 MiB
  ServePieces(kPieces, kSize);
  auto response = testing::SendHttp(
      port_, testing::HttpRequest("GET", "/stream"), std::chrono::seconds(60));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->header("Transfer-Encoding"), "chunked");
  EXPECT_EQ(response->header("Content-Type"), "application/zip");
  EXPECT_EQ(response->header("Content-Disposition"),
            "attachment; filename=\"e.zip\"");
  auto body = DecodeChunked(response->body);
  ASSERT_TRUE(body);
  ASSERT_EQ(body->size(), kPieces * kSize);
  for (size_t i = 0; i < kPieces; ++i) {
    ASSERT_TRUE(std::string_view(*body).substr(i * kSize, kSize) ==
                Piece(i, kSize))
        << "piece " << i;
  }
  EXPECT_TRUE(WaitForWriter().ok());
}

TEST_F(StreamingTest, ClientLeavingFailsTheWriteAndEndsTheWriter) {
  ServePieces(1000000, 64 * 1024);  // far more than anyone reads
  {
    StreamingClient client(port_);
    ASSERT_TRUE(client.Get("/stream"));
    ASSERT_TRUE(client.ReadUntil(Piece(3, 64 * 1024).substr(0, 100)));
  }  // closed
  Status outcome = WaitForWriter();
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable);
}

TEST_F(StreamingTest, WriterWaitsForASlowClient) {
  const size_t kSize = 1024 * 1024;
  ServePieces(200, kSize);
  StreamingClient client(port_);
  ASSERT_TRUE(client.Get("/stream"));
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));

  // The client reads nothing: only what the sockets' buffers hold, and a
  // piece or two, can have been written.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  size_t while_stalled = written_.load();
  EXPECT_LT(while_stalled, 40u);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(written_.load(), while_stalled);

  // Reading on lets the writer finish.
  ASSERT_TRUE(client.ReadToClose(std::chrono::seconds(30)));
  EXPECT_EQ(written_.load(), 200u);
  EXPECT_TRUE(WaitForWriter().ok());
}

TEST_F(StreamingTest, HandlerErrorIsAJsonAnswer) {
  Serve([](RouteTable& routes) {
    routes.GetStream("/denied", [](const Request&) -> Result<StreamReply> {
      return Error{ErrorCode::kForbidden, "not your event"};
    });
    routes.GetStream("/throws", [](const Request&) -> Result<StreamReply> {
      throw std::runtime_error("secret");
    });
  });
  auto response = testing::HttpGet(port_, "/denied");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 403);
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["message"],
            "not your event");

  response = testing::HttpGet(port_, "/throws");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 500);
  EXPECT_EQ(response->body.find("secret"), std::string::npos);
}

TEST_F(StreamingTest, WriterFailingBeforeItsFirstWriteIsAJsonAnswer) {
  Serve([](RouteTable& routes) {
    routes.GetStream("/zip", [](const Request&) {
      StreamReply reply;
      reply.write_body = [](ResponseStream&) -> Status {
        return Error{ErrorCode::kNotFound, "photo 7 is gone"};
      };
      return Result<StreamReply>(std::move(reply));
    });
  });
  auto response = testing::HttpGet(port_, "/zip");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 404);
  EXPECT_EQ(nlohmann::json::parse(response->body)["error"]["message"],
            "photo 7 is gone");
}

TEST_F(StreamingTest, WriterFailingMidwayLeavesTheBodyUnfinished) {
  Serve([](RouteTable& routes) {
    routes.GetStream("/zip", [](const Request&) {
      StreamReply reply;
      reply.write_body = [](ResponseStream& stream) -> Status {
        Status written = stream.Write("PK first bytes");
        if (!written.ok()) return written;
        throw std::runtime_error("disk failed");
      };
      return Result<StreamReply>(std::move(reply));
    });
  });
  StreamingClient client(port_);
  ASSERT_TRUE(client.Get("/zip", /*keep_alive=*/true));
  auto start = Clock::now();
  ASSERT_TRUE(client.ReadToClose(std::chrono::seconds(10)));
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));  // not a timeout
  size_t head_end = client.received().find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  std::string_view chunks =
      std::string_view(client.received()).substr(head_end + 4);
  EXPECT_NE(chunks.find("PK first bytes"), std::string_view::npos);
  EXPECT_FALSE(DecodeChunked(chunks));  // no final chunk
}

TEST_F(StreamingTest, StopEndsAStreamToAClientThatDoesNotRead) {
  ServePieces(1000, 1024 * 1024, [](HttpServerSettings& settings) {
    settings.stop_grace = std::chrono::milliseconds(300);
  });
  StreamingClient client(port_);
  ASSERT_TRUE(client.Get("/stream"));
  ASSERT_TRUE(client.ReadUntil("\r\n\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));

  auto start = Clock::now();
  server_->Stop();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(3));
  Status outcome = WaitForWriter();
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace eventface::http
