// What the HTTP tests that run a real server on 127.0.0.1 share: the
// server fixture, a client that reads an answer as it arrives, and a
// decoder for chunked bodies.
#pragma once

#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/route_table.h"
#include "http/server.h"
#include "testing/http_client.h"

namespace eventface::http {

class ServingTest : public ::testing::Test {
 protected:
  // Starts a server with `routes` filled by `add`, on settings `tweak`
  // may change.
  void Serve(const std::function<void(RouteTable&)>& add,
             const std::function<void(HttpServerSettings&)>& tweak = {}) {
    RouteTable routes(HttpMetrics::Register(metrics_));
    add(routes);
    HttpServerSettings settings;
    settings.port = 0;
    if (tweak) tweak(settings);
    server_ = std::make_unique<HttpServer>(settings, std::move(routes));
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.error().message;
    port_ = *port;
  }

  MetricsRegistry metrics_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

// A client connection that sends a GET and reads what arrives, bit by bit.
class StreamingClient {
 public:
  explicit StreamingClient(int port) : fd_(testing::ConnectTo(port)) {}
  ~StreamingClient() { Close(); }
  StreamingClient(const StreamingClient&) = delete;
  StreamingClient& operator=(const StreamingClient&) = delete;

  // Sends GET `path`, asking the server to close the connection after
  // its answer unless `keep_alive`, as browsers do.
  bool Get(const std::string& path, bool keep_alive = false) {
    std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                          (keep_alive ? "" : "Connection: close\r\n") + "\r\n";
    return fd_ >= 0 &&
           ::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(request.size());
  }

  // Appends what arrives to received() until it holds `text`, the server
  // closes, or `timeout` passes. Returns whether `text` arrived.
  bool ReadUntil(std::string_view text,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_.find(text) == std::string::npos) {
      if (!ReadSome(deadline)) return false;
    }
    return true;
  }

  // Reads until the server closes the connection or `timeout` passes;
  // returns whether it closed.
  bool ReadToClose(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (ReadSome(deadline)) {
    }
    return closed_;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  const std::string& received() const { return received_; }
  bool closed() const { return closed_; }

 private:
  bool ReadSome(std::chrono::steady_clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (fd_ < 0 || left.count() <= 0 ||
        ::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      return false;
    }
    char buffer[65536];
    ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    received_.append(buffer, static_cast<size_t>(n));
    return true;
  }

  int fd_;
  std::string received_;
  bool closed_ = false;
};

// The body a chunked transfer encoding carries in `encoded`, or nullopt
// when it is malformed or lacks its final zero-size chunk.
inline std::optional<std::string> DecodeChunked(std::string_view encoded) {
  std::string body;
  for (;;) {
    size_t line_end = encoded.find("\r\n");
    if (line_end == std::string_view::npos) return std::nullopt;
    size_t size = std::strtoul(std::string(encoded.substr(0, line_end)).c_str(),
                               nullptr, 16);
    encoded.remove_prefix(line_end + 2);
    if (size == 0) return body;
    if (encoded.size() < size + 2 || encoded.substr(size, 2) != "\r\n") {
      return std::nullopt;
    }
    body.append(encoded.substr(0, size));
    encoded.remove_prefix(size + 2);
  }
}

}  // namespace eventface::http
