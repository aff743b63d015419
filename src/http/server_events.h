// Server-sent events (text/event-stream): live updates pushed to a page,
// such as an attendee's new matches or a photographer's indexing progress.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <restinio/request_handler.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "http/handler.h"
#include "http/handler_pool.h"

namespace eventface::http {

// One event as the browser's EventSource receives it. `event` and `id` may
// be empty (then not sent); `data` may span lines.
struct ServerEvent {
  std::string event;
  std::string data;
  std::string id;
};

// The events of one subscriber's stream, asked for on a timer. Owned by
// the server while its client stays connected.
class EventSource {
 public:
  virtual ~EventSource() = default;

  // The events that happened since the last call, oldest first; often
  // none. Runs on a handler thread (never two calls at once for one
  // source), so it may read the database. An error ends the stream.
  virtual Result<std::vector<ServerEvent>> Poll() = 0;
};

// An events route's handler: the source of a new subscriber's events, or
// the Error answered as JSON instead of a stream.
using EventsHandler =
    std::function<Result<std::shared_ptr<EventSource>>(const Request&)>;

// `event` in the text/event-stream format: its fields, one "data:" line
// per line of data, and the blank line that ends an event. Line breaks in
// `event` and `id` are dropped, since they would end the field.
std::string FormatServerEvent(const ServerEvent& event);

// Drives every open event stream of a server: one timer thread asks each
// source for events every poll interval, on the handler pool, and writes
// what it gets. An idle subscriber holds no thread, only its connection.
// A client that went away is noticed when writes to it fail, so within
// two heartbeats at most. Thread-safe.
class EventHub {
 public:
  using Response = restinio::response_builder_t<restinio::chunked_output_t>;

  struct Settings {
    std::chrono::milliseconds poll_interval{1000};
    // A comment line is sent after this long without a write, so that
    // proxies and RESTinio's handling timeout keep the stream open.
    std::chrono::milliseconds heartbeat_interval{15000};
  };

  // `pool` must outlive every task the hub submits to it: stop the pool
  // after Stop() and before destroying the hub.
  EventHub(HandlerPool& pool, Settings settings);
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Adds a subscriber: its `response`, whose head has been flushed, is
  // fed from `source` until the client goes away, Poll fails or Stop().
  // `keep` (the in-flight count's guard, say) is released with it.
  void Subscribe(std::shared_ptr<EventSource> source, Response response,
                 std::string request_id, std::shared_ptr<void> keep);

  // The subscribers not yet dropped.
  size_t subscriber_count() const;

  // Ends every stream with a complete answer (the client's EventSource
  // will reconnect elsewhere) and stops the timer. New subscribers are
  // ended at once. Safe to call more than once.
  void Stop();

 private:
  struct Subscriber;

  void RunTimer();
  void Poll(const std::shared_ptr<Subscriber>& subscriber);
  void End(Subscriber& subscriber);

  HandlerPool& pool_;
  const Settings settings_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<std::shared_ptr<Subscriber>> subscribers_;  // guarded
  bool stopping_ = false;                                 // guarded
  std::atomic<bool> stopped_{false};  // read by Poll without the lock
  std::thread timer_;
};

}  // namespace eventface::http
