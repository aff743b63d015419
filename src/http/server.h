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
  int threads = 2;            // I/O threads: sockets, parsing, writing
  // Threads that run route handlers and event sources, so that a handler
  // waiting on the database or hashing a password stalls no connection.
  int handler_threads = 8;
  // How often each event stream's source is asked for new events, and the
  // longest silence before a heartbeat comment (kept below
  // handle_request_timeout, which would otherwise close the stream).
  std::chrono::milliseconds event_poll_interval = std::chrono::seconds(1);
  std::chrono::milliseconds event_heartbeat_interval = std::chrono::seconds(15);
  // Longest wait for the next request on an open connection, and so the
  // longest a slow or idle client holds one.
  std::chrono::steady_clock::duration read_timeout = std::chrono::seconds(60);
  std::chrono::steady_clock::duration write_timeout = std::chrono::seconds(60);
  // Longest a handler may take to answer, or a streamed answer may stay
  // silent, before RESTinio closes the connection.
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

// Serves a RouteTable's routes: I/O threads read requests and write
// answers, handler threads run the routes' handlers. Start() once, Stop()
// once (the destructor stops it too); both from one thread.
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

  // Stops accepting connections, ends every event stream, lets requests in
  // flight (streamed answers too) finish for up to settings.stop_grace,
  // then fails the writes of streams still going, closes every connection
  // and joins the threads; no handler runs after it returns. Does nothing
  // when the server is not running.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace eventface::http
