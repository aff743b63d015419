// The threads that run route handlers, so that a handler that waits (on
// the database, a password hash, an fsync) never stalls an I/O thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace eventface::http {

// A fixed pool of threads running submitted tasks in order of submission.
// Thread-safe.
class HandlerPool {
 public:
  using Task = std::function<void()>;

  // Starts `threads` threads (at least one).
  explicit HandlerPool(int threads);
  // Stops the pool as Stop() does.
  ~HandlerPool();
  HandlerPool(const HandlerPool&) = delete;
  HandlerPool& operator=(const HandlerPool&) = delete;

  // Queues `task` for a pool thread. Returns false, dropping the task, once
  // Stop() has begun.
  bool Submit(Task task);

  // Runs the tasks already queued, then joins the threads. Tasks that
  // escape with an exception are logged. Safe to call more than once;
  // not from a pool thread.
  void Stop();

 private:
  void RunThread();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Task> tasks_;  // guarded by mutex_
  bool stopping_ = false;   // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace eventface::http
