#include "dialer/call_calendar.h"

namespace sondeo::dialer {
namespace {

constexpr int64_t kDayMs = 24LL * 3600 * 1000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

WeeklyCalendar::Options WeeklyCalendar::Defaults() {
  Options o;
  for (int d = 0; d < 5; ++d) o.windows[static_cast<size_t>(d)] = {LocalWindow{8 * 60, 17 * 60}};
  return o;
}

int WeeklyCalendar::Weekday(int64_t local_day) {
  // 1970-01-01 was a Thursday (3 with Monday = 0).
  return static_cast<int>(((local_day % 7) + 7 + 3) % 7);
}

int64_t WeeklyCalendar::DayOf(int year, unsigned month, unsigned day) {
  const std::chrono::sys_days d =
      std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day};
  return d.time_since_epoch().count();
}

int64_t WeeklyCalendar::LocalDay(TimePoint t) const {
  const int64_t local_ms = ToUnixMillis(t) + options_.utc_offset.count() * 60000;
  return FloorDiv(local_ms, kDayMs);
}

TimePoint WeeklyCalendar::DayStart(int64_t day) const {
  return FromUnixMillis(day * kDayMs - options_.utc_offset.count() * 60000);
}

bool WeeklyCalendar::IsCallable(TimePoint t) const {
  const int64_t day = LocalDay(t);
  if (options_.closed_days.count(day) != 0) return false;
  const int64_t minute_ms = ToUnixMillis(t) - ToUnixMillis(DayStart(day));
  for (const auto& w : options_.windows[static_cast<size_t>(Weekday(day))]) {
    if (minute_ms >= int64_t{w.start_minute} * 60000 && minute_ms < int64_t{w.end_minute} * 60000)
      return true;
  }
  return false;
}

TimePoint WeeklyCalendar::WindowEnd(TimePoint t) const {
  const int64_t day = LocalDay(t);
  if (options_.closed_days.count(day) != 0) return TimePoint::min();
  const TimePoint start = DayStart(day);
  for (const auto& w : options_.windows[static_cast<size_t>(Weekday(day))]) {
    if (t >= start + std::chrono::minutes(w.start_minute) &&
        t < start + std::chrono::minutes(w.end_minute))
      return start + std::chrono::minutes(w.end_minute);
  }
  return TimePoint::min();
}

TimePoint WeeklyCalendar::NextCallable(TimePoint t) const {
  int64_t day = LocalDay(t);
  for (int i = 0; i < 400; ++i, ++day) {
    if (options_.closed_days.count(day) != 0) continue;
    const TimePoint start = DayStart(day);
    TimePoint best = TimePoint::max();
    for (const auto& w : options_.windows[static_cast<size_t>(Weekday(day))]) {
      const TimePoint ws = start + std::chrono::minutes(w.start_minute);
      const TimePoint we = start + std::chrono::minutes(w.end_minute);
      if (t >= we) continue;
      const TimePoint cand = t > ws ? t : ws;
      if (cand < best) best = cand;
    }
    if (best != TimePoint::max()) return best;
  }
  return TimePoint::max();
}

}  // namespace sondeo::dialer
