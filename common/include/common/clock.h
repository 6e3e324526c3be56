#pragma once
// Clock: the one seam for time. Production code takes a Clock&; tests use ManualClock.
#include <chrono>
#include <cstdint>
#include <mutex>

namespace sondeo {

using TimePoint = std::chrono::sys_time<std::chrono::milliseconds>;
using Duration = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC), millisecond resolution. Thread-safe.
  virtual TimePoint Now() const = 0;
};

// The system clock.
class SystemClock final : public Clock {
 public:
  TimePoint Now() const override;
  static SystemClock& Instance();
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start) {}
  TimePoint Now() const override;
  void Set(TimePoint t);
  void Advance(Duration d);

 private:
  mutable std::mutex mu_;
  TimePoint now_;
};

// Milliseconds since the Unix epoch, and back (what the database stores).
int64_t ToUnixMillis(TimePoint t);
TimePoint FromUnixMillis(int64_t ms);
// "2026-11-28T17:12:47.000Z"
std::string FormatUtc(TimePoint t);

}  // namespace sondeo
