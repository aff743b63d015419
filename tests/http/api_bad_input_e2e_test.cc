// Requests the service must refuse: each gets a 4xx with the JSON error
// shape {"error":{"code","message"}} and leaves the database and the media
// folder as they were.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <tuple>

#include "api_fixture.h"
#include "testing/shared_data.h"

namespace eventface::testing {
namespace {

// Photos, users, selfies, jobs, and files in the media folder.
using Footprint =
    std::tuple<long long, long long, long long, long long, size_t>;

// A small JPEG whose frame header claims `width` x `height` pixels: a
// "pixel bomb" that would take gigabytes to decode.
std::string JpegClaiming(uint16_t width, uint16_t height) {
  cv::Mat pixels(16, 16, CV_8UC3, cv::Scalar(40, 120, 200));
  std::vector<uchar> jpeg;
  EXPECT_TRUE(cv::imencode(".jpg", pixels, jpeg));
  // Walk the segments after SOI (FF D8) to the baseline frame header,
  // FF C0, length(2) precision(1) height(2) width(2).
  size_t at = 2;
  while (at + 9 < jpeg.size() && jpeg[at + 1] != 0xC0) {
    at += 2 + ((jpeg[at + 2] << 8) | jpeg[at + 3]);
  }
  EXPECT_EQ(jpeg[at + 1], 0xC0) << "no baseline frame header";
  jpeg[at + 5] = height >> 8;
  jpeg[at + 6] = height & 0xFF;
  jpeg[at + 7] = width >> 8;
  jpeg[at + 8] = width & 0xFF;
  return std::string(jpeg.begin(), jpeg.end());
}

class ApiBadInputTest : public ApiTest {
 protected:
  // Nothing here needs faces: no workers, so no models to load.
  std::vector<std::string> ServerArgs() const override {
    return {"--workers", "0"};
  }

  void SetUp() override {
    ApiTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    AddUser("photographer", "amy@example.test");
    amy_ = Login("amy@example.test");
    event_ = CreateEvent(amy_);
    photos_path_ = "/api/events/" + event_["id"].dump() + "/photos";
  }

  Footprint CurrentFootprint() {
    return {QueryInt("SELECT COUNT(*) FROM photos"),
            QueryInt("SELECT COUNT(*) FROM users"),
            QueryInt("SELECT COUNT(*) FROM selfies"),
            QueryInt("SELECT COUNT(*) FROM jobs"), CountMediaFiles()};
  }

  // Sends `request` and expects it refused with `status` and `code`, in
  // the JSON error shape, with nothing written.
  void ExpectRefused(const HttpRequest& request, int status,
                     const std::string& code, const std::string& token = "") {
    SCOPED_TRACE(request.method + " " + request.path + " (" + code + ")");
    Footprint before = CurrentFootprint();
    HttpResponse response = Send(request, token);
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.header("Content-Type"), "application/json");
    nlohmann::json body = BodyJson(response);
    ASSERT_TRUE(body.is_object() && body.size() == 1 &&
                body.contains("error") && body["error"].is_object())
        << response.body;
    const nlohmann::json& error = body["error"];
    EXPECT_EQ(error.size(), 2u) << response.body;
    EXPECT_EQ(error.value("code", ""), code) << response.body;
    ASSERT_TRUE(error.contains("message") && error["message"].is_string())
        << response.body;
    EXPECT_FALSE(error["message"].get<std::string>().empty());
    EXPECT_EQ(CurrentFootprint(), before);
  }

  void ExpectUploadRefused(const std::vector<MultipartPart>& parts, int status,
                           const std::string& code) {
    auto [body, content_type] = EncodeMultipart(parts);
    ExpectRefused(HttpRequest("POST", photos_path_,
                              {{"Content-Type", content_type}}, body),
                  status, code, amy_);
  }

  static HttpRequest Json(const std::string& path, const std::string& body) {
    return HttpRequest("POST", path, {{"Content-Type", "application/json"}},
                       body);
  }

  std::string amy_;
  nlohmann::json event_;
  std::string photos_path_;
};

TEST_P(ApiBadInputTest, PhotoOverTheSizeLimitIs413) {
  // 30.5 MB: over the 30 MB photo limit, under the 31 MB body limit, so
  // the service itself refuses it.
  std::string big = NoisePng(1);
  big.resize(30 * 1024 * 1024 + 512 * 1024, '\0');
  ExpectUploadRefused({{"photos", big, "big.png", "image/png"}}, 413,
                      "too_large");
}

TEST_P(ApiBadInputTest, BodyOverTheBodyLimitClosesOnlyItsConnection) {
  // A body over --max-body-bytes (31 MB) never reaches a handler: RESTinio
  // closes its connection without an answer. The server must live on.
  Footprint before = CurrentFootprint();
  std::string huge(32 * 1024 * 1024, 'x');
  auto response = SendHttp(port(),
                           HttpRequest("POST", photos_path_,
                                       {{"Content-Type", "image/png"},
                                        {"Authorization", "Bearer " + amy_}},
                                       huge),
                           std::chrono::seconds(30));
  EXPECT_FALSE(response && response->status < 400)
      << "accepted with " << response->status;
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/api/me", amy_).status, 200);
  EXPECT_EQ(CurrentFootprint(), before);
}

TEST_P(ApiBadInputTest, PixelBombIs413) {
  ExpectUploadRefused(
      {{"photos", JpegClaiming(20000, 20000), "bomb.jpg", "image/jpeg"}}, 413,
      "too_large");
}

TEST_P(ApiBadInputTest, ImageTypeComesFromContentNotName) {
  ExpectUploadRefused(
      {{"photos", "just some text, no image\n", "x.jpg", "image/jpeg"}}, 415,
      "unsupported_format");

  EVENTFACE_REQUIRE_SHARED(shared);
  std::string jpeg =
      ReadTestFile((shared / "datasets/bbt/groups/bbt1.jpg").string());
  // Cut inside its headers (quantisation and Huffman tables): unreadable.
  ExpectUploadRefused({{"photos", jpeg.substr(0, 200), "x.jpg", "image/jpeg"}},
                      422, "corrupt_data");

  HttpResponse png = PostMultipart(
      photos_path_, {{"photos", NoisePng(2), "x.jpg", "image/jpeg"}}, amy_);
  EXPECT_EQ(png.status, 201) << png.body;
}

TEST_P(ApiBadInputTest, BatchWithOneBadFileStoresNone) {
  ExpectUploadRefused({{"photos", NoisePng(3), "a.png", "image/png"},
                       {"photos", NoisePng(4), "b.png", "image/png"},
                       {"photos", "not an image", "c.jpg", "image/jpeg"},
                       {"photos", NoisePng(5), "d.png", "image/png"}},
                      415, "unsupported_format");
  ExpectUploadRefused(
      {{"photos", NoisePng(6), "a.png", "image/png"},
       {"photos", JpegClaiming(20000, 20000), "bomb.jpg", "image/jpeg"}},
      413, "too_large");
}

TEST_P(ApiBadInputTest, MalformedBodiesAre400) {
  ExpectRefused(Json("/api/events", "{\"name\": \"Party\", \"date\":"), 400,
                "invalid_argument", amy_);
  ExpectRefused(Json("/api/events", "[\"Party\"]"), 400, "invalid_argument",
                amy_);
  auto [body, content_type] =
      EncodeMultipart({{"photos", NoisePng(7), "a.png", "image/png"}});
  ExpectRefused(
      HttpRequest("POST", photos_path_,
                  {{"Content-Type", "multipart/form-data; boundary=elsewhere"}},
                  body),
      400, "invalid_argument", amy_);
  ExpectRefused(HttpRequest("POST", photos_path_,
                            {{"Content-Type", "multipart/form-data"}}, body),
                400, "invalid_argument", amy_);
}

TEST_P(ApiBadInputTest, FieldsAreChecked) {
  ExpectRefused(Json("/api/events",
                     R"({"name": "Party", "date": "2026-12-01", "colour": 1})"),
                400, "invalid_argument", amy_);
  ExpectRefused(
      Json("/api/events", R"({"name": ["Party"], "date": "2026-12-01"})"), 400,
      "invalid_argument", amy_);
  ExpectRefused(Json("/api/events", R"({"name": "Party", "date": "soon"})"),
                400, "invalid_argument", amy_);
  ExpectRefused(Json("/api/events", R"({"name": "Party"})"), 400,
                "invalid_argument", amy_);
  ExpectRefused(Json("/api/login", R"({"email": "amy@example.test"})"), 400,
                "invalid_argument");
}

TEST_P(ApiBadInputTest, SelfieWithoutConsentIsRefused) {
  EVENTFACE_REQUIRE_SHARED(shared);
  std::string selfie =
      ReadTestFile((shared / "datasets/bbt/penny/penny1.png").string());
  for (const char* consent : {"false", ""}) {
    std::vector<MultipartPart> parts = {{"name", "Penny"},
                                        {"email", "penny@example.test"},
                                        {"password", "password123"},
                                        {"event_code", event_["code"]},
                                        {"selfie", selfie, "me.png"}};
    if (*consent) parts.push_back({"consent", consent});
    auto [body, content_type] = EncodeMultipart(parts);
    ExpectRefused(HttpRequest("POST", "/api/register-with-event-code",
                              {{"Content-Type", content_type}}, body),
                  422, "unprocessable");
  }
}

TEST_P(ApiBadInputTest, ForgedTokenIs401) {
  std::string forged(amy_.size(), 'A');
  ExpectRefused(HttpRequest("GET", "/api/me"), 401, "unauthenticated", forged);
  auto [body, content_type] =
      EncodeMultipart({{"photos", NoisePng(8), "a.png", "image/png"}});
  ExpectRefused(
      HttpRequest("POST", photos_path_, {{"Content-Type", content_type}}, body),
      401, "unauthenticated", forged);
  ExpectRefused(
      HttpRequest("POST", photos_path_, {{"Content-Type", content_type}}, body),
      401, "unauthenticated");
}

TEST_P(ApiBadInputTest, WrongContentTypeIs415) {
  ExpectRefused(
      HttpRequest("POST", "/api/events", {{"Content-Type", "text/plain"}},
                  R"({"name": "Party", "date": "2026-12-01"})"),
      415, "unsupported_format", amy_);
  ExpectRefused(HttpRequest("POST", "/api/login",
                            {{"Content-Type",
                              "application/x-www-form-"
                              "urlencoded"}},
                            "email=amy%40example.test&password=password123"),
                415, "unsupported_format");
}

EVENTFACE_SERVER_BACKENDS(ApiBadInputTest);

}  // namespace
}  // namespace eventface::testing
