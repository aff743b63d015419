#include "http/multipart.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "http/error_response.h"
#include "serving_fixture.h"

namespace eventface::http {
namespace {

constexpr std::string_view kType = "multipart/form-data; boundary=XyZ42";

// A part as a browser would send it.
std::string Part(std::string_view disposition, std::string_view body,
                 std::string_view content_type = "") {
  std::string part = "--XyZ42\r\nContent-Disposition: ";
  part += disposition;
  part += "\r\n";
  if (!content_type.empty()) {
    part += "Content-Type: " + std::string(content_type) + "\r\n";
  }
  return part + "\r\n" + std::string(body) + "\r\n";
}

const std::string kClosing = "--XyZ42--\r\n";

TEST(ParseMultipartTest, FieldsAndFilesInOrder) {
  std::string binary("\xff\xd8\r\n--XyZ\r\n\0\r\n\r\nend", 19);
  std::string body = Part("form-data; name=\"event\"", "42") +
                     Part("form-data; name=\"photo\"; filename=\"a b.jpg\"",
                          binary, "image/jpeg") +
                     kClosing;
  auto parts = ParseMultipart(kType, body);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 2u);

  EXPECT_EQ((*parts)[0].name, "event");
  EXPECT_FALSE((*parts)[0].filename);
  EXPECT_EQ((*parts)[0].content_type, "");
  EXPECT_EQ((*parts)[0].body, "42");

  EXPECT_EQ((*parts)[1].name, "photo");
  EXPECT_EQ((*parts)[1].filename, "a b.jpg");
  EXPECT_EQ((*parts)[1].content_type, "image/jpeg");
  EXPECT_EQ((*parts)[1].body, binary);
  // A view into the body, not a copy.
  EXPECT_GE((*parts)[1].body.data(), body.data());
  EXPECT_LT((*parts)[1].body.data(), body.data() + body.size());
}

TEST(ParseMultipartTest, ManyFilesInOneBody) {
  std::string body;
  for (int i = 0; i < 150; ++i) {
    body += Part("form-data; name=\"photos\"; filename=\"p" +
                     std::to_string(i) + ".jpg\"",
                 std::string(static_cast<size_t>(i) * 37, char('a' + i % 26)),
                 "image/jpeg");
  }
  body += kClosing;
  auto parts = ParseMultipart(kType, body);
  ASSERT_TRUE(parts.ok()) << parts.error().message;
  ASSERT_EQ(parts->size(), 150u);
  for (int i = 0; i < 150; ++i) {
    const FormPart& part = (*parts)[static_cast<size_t>(i)];
    EXPECT_EQ(part.filename, "p" + std::to_string(i) + ".jpg");
    EXPECT_EQ(part.body.size(), static_cast<size_t>(i) * 37);
  }
}

TEST(ParseMultipartTest, OtherMediaTypesAreUnsupported) {
  for (std::string_view type :
       {"application/json", "", "multipart/mixed; boundary=XyZ42",
        "text/plain; boundary=XyZ42"}) {
    auto parts = ParseMultipart(type, kClosing);
    ASSERT_FALSE(parts.ok()) << type;
    EXPECT_EQ(parts.error().code, ErrorCode::kUnsupportedFormat) << type;
    EXPECT_EQ(HttpStatusFor(parts.error().code), 415);
  }
}

TEST(ParseMultipartTest, BoundaryMustBeThereAndValid) {
  std::string body = Part("form-data; name=\"a\"", "1") + kClosing;
  auto parts = ParseMultipart("multipart/form-data", body);
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(parts.error().message.find("boundary"), std::string::npos);

  std::string too_long(71, 'b');
  parts = ParseMultipart("multipart/form-data; boundary=" + too_long, body);
  ASSERT_FALSE(parts.ok());
  EXPECT_EQ(parts.error().code, ErrorCode::kInvalidArgument);
}

TEST(ParseMultipartTest, MalformedBodiesAreInvalid) {
  std::string one = Part("form-data; name=\"a\"", "1");
  struct Case {
    std::string body;
    std::string_view says;
  } cases[] = {
      {one, "closing boundary"},  // unterminated
      {kClosing, "no parts"},     // nothing in it
      {"garbage", "no parts"},    // no boundary at all
      {"--XyZ42\r\nNo colon here\r\n\r\nx\r\n" + kClosing, "headers"},
      {"--XyZ42\r\nContent-Type: text/plain\r\n\r\nx\r\n" + kClosing,
       "Content-Disposition"},
      {Part("attachment; name=\"a\"", "1") + kClosing, "form-data"},
      {Part("form-data; filename=\"x.jpg\"", "1") + kClosing, "no name"},
      {one + Part("form-data; name=\"\"", "2") + kClosing, "part 2"},
  };
  for (const Case& c : cases) {
    auto parts = ParseMultipart(kType, c.body);
    ASSERT_FALSE(parts.ok()) << c.body;
    EXPECT_EQ(parts.error().code, ErrorCode::kInvalidArgument) << c.body;
    EXPECT_NE(parts.error().message.find(c.says), std::string::npos)
        << parts.error().message;
  }
}

using MultipartRequestTest = ServingTest;

TEST_F(MultipartRequestTest, HandlerParsesPostedForm) {
  Serve([](RouteTable& routes) {
    routes.Post("/upload", [](const Request& request) {
      auto parts = ParseMultipart(request);
      if (!parts) return ErrorReply(parts.error());
      nlohmann::json names = nlohmann::json::array();
      for (const FormPart& part : *parts) {
        names.push_back(part.name + ":" + std::to_string(part.body.size()));
      }
      return JsonReply({{"parts", names}});
    });
  });
  std::string body = Part("form-data; name=\"a\"", "hello") +
                     Part("form-data; name=\"f\"; filename=\"x\"",
                          std::string(5000, '\r'), "image/png") +
                     kClosing;
  auto response = testing::SendHttp(
      port_,
      testing::HttpRequest("POST", "/upload",
                           {{"Content-Type", std::string(kType)}}, body));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, R"({"parts":["a:5","f:5000"]})");

  response = testing::SendHttp(
      port_,
      testing::HttpRequest("POST", "/upload",
                           {{"Content-Type", "application/json"}}, "{}"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 415);
}

}  // namespace
}  // namespace eventface::http
