#include "http/handler_pool.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>
#include <utility>

namespace eventface::http {

HandlerPool::HandlerPool(int threads) {
  for (int i = 0; i < std::max(threads, 1); ++i) {
    threads_.emplace_back([this] { RunThread(); });
  }
}

HandlerPool::~HandlerPool() { Stop(); }

bool HandlerPool::Submit(Task task) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return false;
    tasks_.push_back(std::move(task));
  }
  wake_.notify_one();
  return true;
}

void HandlerPool::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void HandlerPool::RunThread() {
  for (;;) {
    Task task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;  // stopping, and nothing left to run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    // The last line of defence for this thread: the route table answers
    // a handler's exception itself, so this is only ever a bug of ours.
    try {
      task();
    } catch (const std::exception& e) {
      spdlog::error("http: handler thread caught: {}", e.what());
    } catch (...) {
      spdlog::error("http: handler thread caught an unknown exception");
    }
  }
}

}  // namespace eventface::http
