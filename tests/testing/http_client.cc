#include "testing/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace eventface::testing {
namespace {

using Clock = std::chrono::steady_clock;

bool SameIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Reads until the peer closes, an error, or the deadline.
std::string ReadToEnd(int fd, Clock::time_point deadline) {
  std::string data;
  char buffer[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    data.append(buffer, static_cast<size_t>(n));
  }
  return data;
}

std::optional<HttpResponse> ParseResponse(const std::string& data) {
  size_t head_end = data.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  std::string_view head(data.data(), head_end);

  size_t line_end = head.find("\r\n");
  std::string_view status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.") || status_line.size() < 12) {
    return std::nullopt;
  }
  HttpResponse response;
  response.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());

  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    response.headers.emplace_back(std::string(line.substr(0, colon)),
                                  std::string(value));
  }
  // With Connection: close the body runs to the end of the stream;
  // Content-Length, when given, trims it.
  response.body = data.substr(head_end + 4);
  if (auto length = response.header("Content-Length")) {
    size_t n = std::strtoul(length->c_str(), nullptr, 10);
    if (response.body.size() < n) return std::nullopt;
    response.body.resize(n);
  }
  return response;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (SameIgnoringCase(key, name)) return value;
  }
  return std::nullopt;
}

int ConnectTo(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) !=
      0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string SendRaw(int port, std::string_view raw,
                    std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  int fd = ConnectTo(port);
  if (fd < 0) return "";
  std::string answer;
  if (WriteAll(fd, raw)) answer = ReadToEnd(fd, deadline);
  ::close(fd);
  return answer;
}

std::optional<HttpResponse> SendHttp(int port, const HttpRequest& request,
                                     std::chrono::milliseconds timeout) {
  std::string raw = request.method + " " + request.path + " HTTP/1.1\r\n";
  raw += "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  raw += "Connection: close\r\n";
  for (const auto& [name, value] : request.headers) {
    raw += name + ": " + value + "\r\n";
  }
  if (!request.body.empty()) {
    raw += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  }
  raw += "\r\n" + request.body;
  return ParseResponse(SendRaw(port, raw, timeout));
}

std::optional<HttpResponse> HttpGet(int port, const std::string& path) {
  return SendHttp(port, HttpRequest("GET", path));
}

}  // namespace eventface::testing
