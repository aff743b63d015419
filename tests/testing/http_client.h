// A tiny blocking HTTP/1.1 client over raw sockets, for tests that talk to
// a server they started on 127.0.0.1.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eventface::testing {

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first header named `name` (any case), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

struct HttpRequest {
  using Headers = std::vector<std::pair<std::string, std::string>>;

  HttpRequest(std::string method, std::string path, Headers headers = {},
              std::string body = {})
      : method(std::move(method)),
        path(std::move(path)),
        headers(std::move(headers)),
        body(std::move(body)) {}

  std::string method;
  std::string path;
  Headers headers;
  std::string body;  // sent with a Content-Length when not empty
};

// Sends `request` to 127.0.0.1:`port` with Connection: close and reads the
// whole answer. Returns nullopt when the connection fails, or closes
// before a complete status line and headers, or `timeout` passes.
std::optional<HttpResponse> SendHttp(
    int port, const HttpRequest& request,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// GET `path`.
std::optional<HttpResponse> HttpGet(int port, const std::string& path);

// Sends `raw` bytes as they are and returns everything the server writes
// until it closes the connection or `timeout` passes.
std::string SendRaw(
    int port, std::string_view raw,
    std::chrono::milliseconds timeout = std::chrono::seconds(10));

// A connected socket to 127.0.0.1:`port` that the caller owns; -1 on
// failure. For tests that need a connection to sit idle.
int ConnectTo(int port);

}  // namespace eventface::testing
