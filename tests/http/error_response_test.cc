#include "http/error_response.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace eventface::http {
namespace {

TEST(ErrorResponseTest, MapsEachCodeToItsStatus) {
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kForbidden), 403);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kMethodNotAllowed), 405);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kTooLarge), 413);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnsupportedFormat), 415);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnprocessable), 422);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kCorruptData), 422);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kNoFace), 422);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kInternal), 500);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kIoError), 500);
  EXPECT_EQ(HttpStatusFor(ErrorCode::kUnavailable), 503);
}

TEST(ErrorResponseTest, BodyHasCodeAndMessage) {
  Reply reply = ErrorReply(ErrorCode::kConflict, "email already registered");
  EXPECT_EQ(reply.status, 409);
  EXPECT_EQ(reply.content_type, "application/json");
  EXPECT_EQ(reply.body, R"({"error":{"code":"conflict",)"
                        R"("message":"email already registered"}})");
}

TEST(ErrorResponseTest, InvalidUtf8InMessageIsReplacedNotThrown) {
  Reply reply = ErrorReply(ErrorCode::kInvalidArgument, "bad \xff byte");
  EXPECT_EQ(reply.status, 400);
  auto body = nlohmann::json::parse(reply.body);
  EXPECT_EQ(body["error"]["message"], "bad \xEF\xBF\xBD byte");
}

TEST(ErrorResponseTest, JsonReplySerialisesWithStatus) {
  Reply reply = JsonReply(201, {{"id", 7}});
  EXPECT_EQ(reply.status, 201);
  EXPECT_EQ(reply.body, R"({"id":7})");
  EXPECT_EQ(JsonReply({{"ok", true}}).status, 200);
}

}  // namespace
}  // namespace eventface::http
