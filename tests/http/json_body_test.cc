#include "http/json_body.h"

#include <gtest/gtest.h>

#include <vector>

namespace eventface::http {
namespace {

const std::vector<JsonField> kFields = {
    {"name", JsonType::kString},
    {"age", JsonType::kInteger, /*required=*/false},
    {"consent", JsonType::kBoolean, /*required=*/false},
    {"tags", JsonType::kArray, /*required=*/false},
};

Result<nlohmann::json> Parse(std::string_view body,
                             std::string_view type = "application/json") {
  return ParseJsonBody(type, body, kFields);
}

TEST(JsonBodyTest, AcceptsKnownFieldsOfTheirTypes) {
  auto json = Parse(R"({"name": "Penny", "age": 30, "tags": []})");
  ASSERT_TRUE(json.ok()) << json.error().message;
  EXPECT_EQ((*json)["name"], "Penny");
  EXPECT_EQ((*json)["age"], 30);
}

TEST(JsonBodyTest, AcceptsContentTypeWithParametersAnyCase) {
  EXPECT_TRUE(
      Parse(R"({"name": "x"})", "Application/JSON; charset=utf-8").ok());
}

TEST(JsonBodyTest, RefusesOtherContentTypeWith415) {
  for (std::string_view type : {"text/plain", "", "application/jsonx"}) {
    auto json = Parse(R"({"name": "x"})", type);
    ASSERT_FALSE(json.ok()) << type;
    EXPECT_EQ(json.error().code, ErrorCode::kUnsupportedFormat);
  }
}

TEST(JsonBodyTest, MalformedJson) {
  auto json = Parse(R"({"name": )");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(json.error().message.starts_with("malformed JSON: "))
      << json.error().message;
  EXPECT_EQ(json.error().message.find("[json.exception"), std::string::npos);
}

TEST(JsonBodyTest, EmptyBodyIsMalformed) {
  auto json = Parse("");
  ASSERT_FALSE(json.ok());
  EXPECT_TRUE(json.error().message.starts_with("malformed JSON: "));
}

TEST(JsonBodyTest, NotAnObject) {
  auto json = Parse("[1, 2]");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(json.error().message, "request body must be a JSON object");
}

TEST(JsonBodyTest, UnknownFieldIsNamed) {
  auto json = Parse(R"({"name": "x", "admin": true})");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(json.error().message, "unknown field \"admin\"");
}

TEST(JsonBodyTest, WrongTypeNamesFieldAndType) {
  auto json = Parse(R"({"name": "x", "age": "thirty"})");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(json.error().message, "field \"age\" must be an integer");

  json = Parse(R"({"name": 5})");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().message, "field \"name\" must be a string");

  json = Parse(R"({"name": "x", "age": 1.5})");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().message, "field \"age\" must be an integer");
}

TEST(JsonBodyTest, NullIsAWrongType) {
  auto json = Parse(R"({"name": null})");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().message, "field \"name\" must be a string");
}

TEST(JsonBodyTest, MissingRequiredFieldIsNamed) {
  auto json = Parse(R"({"age": 3})");
  ASSERT_FALSE(json.ok());
  EXPECT_EQ(json.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(json.error().message, "missing required field \"name\"");
}

TEST(JsonBodyTest, OptionalFieldsMayBeAbsent) {
  EXPECT_TRUE(Parse(R"({"name": "x"})").ok());
}

}  // namespace
}  // namespace eventface::http
