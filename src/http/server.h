// The HTTP server: RESTinio on Asio, with our traits and settings.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "http/route_table.h"

namespace eventface::http {

// How the server listens and what it tolerates from clients.
struct HttpServerSettings {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port; Start() says which
  int threads = 2;            // I/O threads; handlers run on them
  // Longest wait for the next request on an open connection, and so the
  // longest a slow or idle client holds one.
  std::chrono::steady_clock::duration read_timeout = std::chrono::seconds(60);
  std::chrono::steady_clock::duration write_timeout = std::chrono::seconds(60);
  // Longest a handler may take to answer before RESTinio gives up on it.
  std::chrono::steady_clock::duration handle_request_timeout =
      std::chrono::seconds(30);
  // A bigger body is refused while it is read; see HttpServer.
  std::uint64_t max_body_bytes = 31 * 1024 * 1024;  // a 30 MB photo + slack
  // How long Stop() lets requests in flight finish.
  std::chrono::steady_clock::duration stop_grace = std::chrono::seconds(10);
};

// "127.0.0.1:8080" or "[::1]:8080" as address and port (0 allowed).
// Fails with kInvalidArgument, quoting the text.
struct ListenAddress {
  std::string address;
  std::uint16_t port = 0;
};
Result<ListenAddress> ParseListenAddress(std::string_view text);

// Serves a RouteTable's routes on a pool of I/O threads. Start() once,
// Stop() once (the destructor stops it too); both from one thread.
//
// Limits RESTinio 0.6 imposes: a request whose body exceeds
// max_body_bytes, or that does not parse as HTTP, gets no answer: its
// connection is closed and a warning logged. And there is no limit on
// open connections: RESTinio's limiter is unsafe at shutdown (server.cc).
class HttpServer {
 public:
  HttpServer(HttpServerSettings settings, RouteTable routes);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the I/O threads. Returns the bound port.
  // Fails with kIoError naming the address when it cannot listen there.
  Result<std::uint16_t> Start();

  // Stops accepting connections, lets requests in flight finish for up to
  // settings.stop_grace, then closes every connection and joins the
  // threads. Does nothing when the server is not running.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eventface::http
