#include "http/server_events.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace eventface::http {
namespace {

using Clock = std::chrono::steady_clock;

// `text` without CR and LF, which would end an SSE field early.
std::string OneLine(std::string_view text) {
  std::string line;
  for (char c : text) {
    if (c != '\r' && c != '\n') line += c;
  }
  return line;
}

}  // namespace

std::string FormatServerEvent(const ServerEvent& event) {
  std::string text;
  if (!event.event.empty()) text += "event: " + OneLine(event.event) + "\n";
  if (!event.id.empty()) text += "id: " + OneLine(event.id) + "\n";

  // Each line of the data in its own field; CRLF, CR and LF all end one.
  std::string_view data = event.data;
  for (;;) {
    size_t end = data.find_first_of("\r\n");
    text += "data: ";
    text += data.substr(0, end);
    text += "\n";
    if (end == std::string_view::npos) break;
    bool crlf =
        data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n';
    data.remove_prefix(end + (crlf ? 2 : 1));
  }
  return text + "\n";
}

struct EventHub::Subscriber {
  Subscriber(std::shared_ptr<EventSource> source, Response response,
             std::string request_id, std::shared_ptr<void> keep)
      : source(std::move(source)),
        response(std::move(response)),
        request_id(std::move(request_id)),
        keep(std::move(keep)) {}

  std::shared_ptr<EventSource> source;
  Response response;  // used by one poll at a time, as `busy` ensures
  std::string request_id;
  std::shared_ptr<void> keep;
  Clock::time_point last_write = Clock::now();
  std::atomic<bool> busy{false};  // a poll or its write is under way
  std::atomic<bool> gone{false};  // the client left or the stream ended
};

EventHub::EventHub(HandlerPool& pool, Settings settings)
    : pool_(pool), settings_(settings), timer_([this] { RunTimer(); }) {}

EventHub::~EventHub() { Stop(); }

void EventHub::Subscribe(std::shared_ptr<EventSource> source, Response response,
                         std::string request_id, std::shared_ptr<void> keep) {
  auto subscriber =
      std::make_shared<Subscriber>(std::move(source), std::move(response),
                                   std::move(request_id), std::move(keep));
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      subscribers_.push_back(std::move(subscriber));
      return;
    }
  }
  End(*subscriber);
}

size_t EventHub::subscriber_count() const {
  std::lock_guard lock(mutex_);
  return static_cast<size_t>(
      std::count_if(subscribers_.begin(), subscribers_.end(),
                    [](const auto& subscriber) { return !subscriber->gone; }));
}

void EventHub::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopped_ = true;
  wake_.notify_all();
  if (timer_.joinable()) timer_.join();

  std::vector<std::shared_ptr<Subscriber>> subscribers;
  {
    std::lock_guard lock(mutex_);
    subscribers.swap(subscribers_);
  }
  // A poll under way owns its subscriber's response until its write is
  // done; one whose client stopped reading is left to the server's stop.
  auto deadline = Clock::now() + std::chrono::seconds(2);
  for (const auto& subscriber : subscribers) {
    while (subscriber->busy && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!subscriber->busy && !subscriber->gone) End(*subscriber);
  }
}

void EventHub::RunTimer() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, settings_.poll_interval, [this] { return stopping_; });
    if (stopping_) return;

    std::erase_if(subscribers_, [](const auto& subscriber) {
      return subscriber->gone.load();
    });
    for (const auto& subscriber : subscribers_) {
      if (subscriber->busy.exchange(true)) continue;  // still at its last
      if (!pool_.Submit([this, subscriber] { Poll(subscriber); })) {
        subscriber->busy = false;
      }
    }
  }
}

void EventHub::Poll(const std::shared_ptr<Subscriber>& subscriber) {
  if (stopped_) {
    subscriber->busy = false;
    return;
  }
  Result<std::vector<ServerEvent>> events =
      Error{ErrorCode::kInternal, "event source threw"};
  try {
    events = subscriber->source->Poll();
  } catch (const std::exception& e) {
    events = Error{ErrorCode::kInternal, e.what()};
  }
  if (!events) {
    spdlog::warn("[req:{}] event stream ends: {}", subscriber->request_id,
                 events.error().message);
    End(*subscriber);
    subscriber->busy = false;
    return;
  }

  std::string text;
  for (const ServerEvent& event : *events) text += FormatServerEvent(event);
  Clock::time_point now = Clock::now();
  if (text.empty() &&
      now - subscriber->last_write >= settings_.heartbeat_interval) {
    text = ":\n\n";
  }
  if (text.empty()) {
    subscriber->busy = false;
    return;
  }
  // A client that left is noticed here: RESTinio reads nothing while an
  // answer is under way, so only a write (the second after it left, as
  // TCP goes) fails.
  subscriber->response.append_chunk(std::move(text));
  subscriber->last_write = now;
  subscriber->response.flush([subscriber](const asio::error_code& error) {
    if (error) subscriber->gone = true;
    subscriber->busy = false;
  });
}

void EventHub::End(Subscriber& subscriber) {
  subscriber.gone = true;
  subscriber.response.done(
      [keep = subscriber.keep](const asio::error_code&) {});
}

}  // namespace eventface::http
