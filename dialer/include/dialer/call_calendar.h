#pragma once
// The calendar seam the scheduler needs: is an instant callable, when is the next callable
// instant, and which local day an instant falls on (for the per-day caps). The campaign's
// calendar (campaigns/calendar.h: windows, holidays, legal limits) is adapted to it by the
// engine; WeeklyCalendar is a self-contained implementation (fixed UTC offset: America/Bogota
// has no daylight saving time) used by tests and the simulator.
#include <array>
#include <chrono>
#include <cstdint>
#include <set>
#include <vector>

#include "common/clock.h"

namespace sondeo::dialer {

class CallingCalendar {
 public:
  virtual ~CallingCalendar() = default;
  // True when a call may start at `t`.
  virtual bool IsCallable(TimePoint t) const = 0;
  // The first callable instant at or after `t` (`t` itself when callable);
  // TimePoint::max() when there is none within about a year.
  virtual TimePoint NextCallable(TimePoint t) const = 0;
  // The end (exclusive) of the window containing `t`; TimePoint::min() when !IsCallable(t).
  virtual TimePoint WindowEnd(TimePoint t) const = 0;
  // Local day number of `t` (days since 1970-01-01 in the campaign's time zone).
  virtual int64_t LocalDay(TimePoint t) const = 0;
  // The first instant of local day `day`.
  virtual TimePoint DayStart(int64_t day) const = 0;
};

// [start, end) in minutes after local midnight.
struct LocalWindow {
  int start_minute = 8 * 60;
  int end_minute = 17 * 60;
};

class WeeklyCalendar final : public CallingCalendar {
 public:
  struct Options {
    std::chrono::minutes utc_offset{-5 * 60};         // America/Bogota
    std::array<std::vector<LocalWindow>, 7> windows;  // [0] = Monday ... [6] = Sunday
    std::set<int64_t> closed_days;                    // holidays and non-working dates (LocalDay)
  };
  // Mon-Fri 08:00-17:00, UTC-5, no closed days.
  static Options Defaults();

  explicit WeeklyCalendar(Options options) : options_(std::move(options)) {}

  bool IsCallable(TimePoint t) const override;
  TimePoint NextCallable(TimePoint t) const override;
  TimePoint WindowEnd(TimePoint t) const override;
  int64_t LocalDay(TimePoint t) const override;
  TimePoint DayStart(int64_t day) const override;

  // 0 = Monday ... 6 = Sunday.
  static int Weekday(int64_t local_day);
  // LocalDay of a civil date (year, month 1-12, day 1-31).
  static int64_t DayOf(int year, unsigned month, unsigned day);

  const Options& options() const { return options_; }

 private:
  Options options_;
};

}  // namespace sondeo::dialer
