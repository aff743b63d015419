#include "http/cookies.h"

#include <gtest/gtest.h>

#include "http/error_response.h"
#include "serving_fixture.h"

namespace eventface::http {
namespace {

TEST(FindCookieTest, FindsOneAmongSeveral) {
  std::string_view header = "theme=dark; session=abc123;lang=en";
  EXPECT_EQ(FindCookie(header, "session"), "abc123");
  EXPECT_EQ(FindCookie(header, "theme"), "dark");
  EXPECT_EQ(FindCookie(header, "lang"), "en");
}

TEST(FindCookieTest, AbsentNamesAndPrefixesGiveEmpty) {
  EXPECT_EQ(FindCookie("session_old=1; xsession=2", "session"), "");
  EXPECT_EQ(FindCookie("", "session"), "");
  EXPECT_EQ(FindCookie("novalue; session", "session"), "");
}

TEST(FindCookieTest, TrimsSpacesAndUnquotes) {
  EXPECT_EQ(FindCookie("  a = 1 ;\tsession=\"tok en\" ", "session"), "tok en");
  EXPECT_EQ(FindCookie("a = 1 ", "a"), "1");
  EXPECT_EQ(FindCookie("q=\"\"", "q"), "");
  EXPECT_EQ(FindCookie("q=\"", "q"), "\"");  // a lone quote stays
}

TEST(FindCookieTest, FirstOfRepeatedNamesWins) {
  EXPECT_EQ(FindCookie("s=first; s=second", "s"), "first");
}

TEST(FindCookieTest, KeepsEqualsSignsInValues) {
  EXPECT_EQ(FindCookie("t=YWJj==; u=2", "t"), "YWJj==");
}

TEST(SetCookieValueTest, HasTheSessionAttributes) {
  EXPECT_EQ(SetCookieValue("session", "abc", std::chrono::hours(1), false),
            "session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax");
  EXPECT_EQ(SetCookieValue("session", "abc", std::chrono::seconds(60), true),
            "session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure");
}

TEST(SetCookieValueTest, ZeroOrNegativeAgeDeletes) {
  EXPECT_EQ(SetCookieValue("s", "", std::chrono::seconds(0), false),
            "s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
  EXPECT_EQ(SetCookieValue("s", "", std::chrono::seconds(-5), false),
            "s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
}

using RequestCookieTest = ServingTest;

TEST_F(RequestCookieTest, HandlerReadsCookieHeader) {
  Serve([](RouteTable& routes) {
    routes.Get("/who", [](const Request& request) {
      return JsonReply({{"session", request.cookie("session")},
                        {"missing", request.cookie("missing")}});
    });
  });
  auto response = testing::SendHttp(
      port_, testing::HttpRequest("GET", "/who",
                                  {{"Cookie", "a=1; session=\"t0k\"; b=2"}}));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, R"({"missing":"","session":"t0k"})");

  response = testing::HttpGet(port_, "/who");  // no Cookie header
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body, R"({"missing":"","session":""})");
}

}  // namespace
}  // namespace eventface::http
