#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace eventface {

// A point in wall-clock time at millisecond precision: what the database
// stores (as BIGINT milliseconds since the Unix epoch) and compares.
using Timestamp = std::chrono::time_point<std::chrono::system_clock,
                                          std::chrono::milliseconds>;

// Milliseconds since the Unix epoch, the form stored in the database.
inline int64_t ToMillis(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromMillis(int64_t millis) {
  return Timestamp(std::chrono::milliseconds(millis));
}

// Where code that stores or compares times gets "now", so that tests can
// control it (leases, back-off, retention). Implementations are
// thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// The system's wall clock.
class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now());
  }
};

// A clock that moves only when told to, for tests. Thread-safe: workers may
// read it while the test advances it.
class FakeClock final : public Clock {
 public:
  // Starts at `start`; the default is an arbitrary fixed date (2026-01-01).
  explicit FakeClock(Timestamp start = FromMillis(1767225600000))
      : millis_(ToMillis(start)) {}

  Timestamp Now() const override { return FromMillis(millis_.load()); }
  void Advance(std::chrono::milliseconds by) { millis_ += by.count(); }
  void Set(Timestamp t) { millis_ = ToMillis(t); }

 private:
  std::atomic<int64_t> millis_;
};

}  // namespace eventface
