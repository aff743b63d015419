#include "http/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <charconv>
#include <future>
#include <restinio/all.hpp>
#include <thread>
#include <utility>
#include <vector>

#include "http/handler_pool.h"
#include "http/restinio_logger.h"
#include "http/server_events.h"

namespace eventface::http {
namespace {

// Our server's traits: Asio timers for the timeouts, spdlog through the
// adapter, the express router. No connection count limiter: in 0.6.16 a
// connection still open when the server is destroyed (an idle keep-alive
// one at Stop(), say) updates the limiter after it is freed.
using ServerTraits =
    restinio::traits_t<restinio::asio_timer_manager_t, RestinioLogger, Router>;

using RestinioServer = restinio::http_server_t<ServerTraits>;

}  // namespace

struct HttpServer::Impl {
  Impl(HttpServerSettings settings, RouteTable routes)
      : settings(std::move(settings)), routes(std::move(routes)) {}

  HttpServerSettings settings;
  RouteTable routes;
  std::shared_ptr<asio::io_context> io;
  std::unique_ptr<RestinioServer> server;
  std::vector<std::thread> threads;
  std::unique_ptr<HandlerPool> pool;
  std::unique_ptr<EventHub> events;
  std::atomic<int> in_flight{0};
  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};

  std::unique_ptr<RestinioServer> MakeServer(std::unique_ptr<Router> router);
  void RunIoThread();
  void WaitForRequestsInFlight(std::chrono::steady_clock::time_point deadline);
};

std::unique_ptr<RestinioServer> HttpServer::Impl::MakeServer(
    std::unique_ptr<Router> router) {
  auto limits = restinio::incoming_http_msg_limits_t{}.max_body_size(
      settings.max_body_bytes);
  auto server_settings =
      restinio::server_settings_t<ServerTraits>{}
          .address(settings.address)
          .port(settings.port)
          .read_next_http_message_timelimit(settings.read_timeout)
          .write_http_response_timelimit(settings.write_timeout)
          .handle_request_timeout(settings.handle_request_timeout)
          .incoming_http_msg_limits(limits)
          .concurrent_accepts_count(static_cast<std::size_t>(settings.threads))
          .acceptor_post_bind_hook([this](asio::ip::tcp::acceptor& acceptor) {
            bound_port = acceptor.local_endpoint().port();
          })
          .request_handler(std::move(router));
  return std::make_unique<RestinioServer>(restinio::io_context_holder_t(io),
                                          std::move(server_settings));
}

void HttpServer::Impl::RunIoThread() {
  // The last line of defence for this thread: log what escaped a handler
  // of RESTinio's and keep serving.
  for (;;) {
    try {
      io->run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: i/o thread caught: {}", e.what());
    } catch (...) {
      spdlog::error("http: i/o thread caught an unknown exception");
    }
  }
}

HttpServer::HttpServer(HttpServerSettings settings, RouteTable routes)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(routes))) {}

HttpServer::~HttpServer() { Stop(); }

Result<std::uint16_t> HttpServer::Start() {
  Impl& impl = *impl_;
  assert(!impl.server);
  impl.io = std::make_shared<asio::io_context>(impl.settings.threads);
  impl.stopping = false;
  impl.pool = std::make_unique<HandlerPool>(impl.settings.handler_threads);
  EventHub::Settings event_settings{
      impl.settings.event_poll_interval,
      std::min(impl.settings.event_heartbeat_interval,
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   impl.settings.handle_request_timeout / 2))};
  impl.events = std::make_unique<EventHub>(*impl.pool, event_settings);
  RouteRuntime runtime{impl.pool.get(), impl.events.get(), &impl.in_flight,
                       &impl.stopping};
  std::string where =
      impl.settings.address + ":" + std::to_string(impl.settings.port);
  try {
    impl.server = impl.MakeServer(std::move(impl.routes).Build(runtime));
    // Opening before the threads run is safe: it binds and listens here,
    // and queues the first accepts for the threads to run.
    impl.server->open_sync();
  } catch (const std::exception& e) {
    impl.server.reset();
    impl.events->Stop();
    impl.pool->Stop();
    impl.events.reset();
    impl.pool.reset();
    return Error{ErrorCode::kIoError,
                 "http: cannot listen on " + where + ": " + e.what()};
  }

  for (int i = 0; i < impl.settings.threads; ++i) {
    impl.threads.emplace_back([&impl] { impl.RunIoThread(); });
  }
  spdlog::info("http listening on {}:{} ({} i/o, {} handler threads)",
               impl.settings.address, impl.bound_port.load(),
               impl.settings.threads, impl.settings.handler_threads);
  return impl.bound_port.load();
}

void HttpServer::Stop() {
  Impl& impl = *impl_;
  if (!impl.server) return;
  auto deadline = std::chrono::steady_clock::now() + impl.settings.stop_grace;

  // First stop accepting: close the listening socket on the I/O threads.
  std::promise<void> closed;
  impl.server->close_async(
      [&closed] { closed.set_value(); },
      [&closed](std::exception_ptr) { closed.set_value(); });
  closed.get_future().wait_until(deadline);

  // Event streams never finish by themselves: end them, then wait for
  // the answers already being made or written.
  impl.events->Stop();
  impl.WaitForRequestsInFlight(deadline);

  // Streams still writing give up at their next write; idle keep-alive
  // connections would hold the threads until their read timeout, so
  // stopping the context closes them now.
  impl.stopping = true;
  impl.io->stop();
  for (std::thread& thread : impl.threads) thread.join();
  impl.threads.clear();

  // Handlers still running finish here; their answers go nowhere.
  impl.pool->Stop();
  impl.server.reset();
  impl.events.reset();
  impl.pool.reset();
  impl.io.reset();
  spdlog::info("http stopped");
}

void HttpServer::Impl::WaitForRequestsInFlight(
    std::chrono::steady_clock::time_point deadline) {
  while (in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  int abandoned = in_flight.load();
  if (abandoned > 0) {
    spdlog::warn("http: stopping with {} requests unanswered", abandoned);
  }
}

Result<ListenAddress> ParseListenAddress(std::string_view text) {
  auto invalid = [&] {
    return Error{ErrorCode::kInvalidArgument,
                 "listen address \"" + std::string(text) +
                     "\" is not HOST:PORT (e.g. 127.0.0.1:8080)"};
  };
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return invalid();
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return invalid();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return invalid();  // a bare IPv6 address needs its brackets
  }

  unsigned port = 0;
  auto [end, error] = std::from_chars(
      port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || error != std::errc() ||
      end != port_text.data() + port_text.size() || port > 65535) {
    return invalid();
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace eventface::http
