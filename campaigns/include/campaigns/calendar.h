#pragma once
// The calling calendar: Colombian holidays (Ley 51 de 1983, "Ley Emiliani"), time zones,
// calling windows per weekday, the legal contact hours (Ley 2300 de 2023 art. 3:
// Mon-Fri 07:00-19:00, Sat 08:00-15:00, never on Sundays or holidays), and the two
// questions the dialer asks: "may I call now?" and "when may I call next?".
//
// Pure: no I/O, no clock. Every function takes the instant it reasons about. Thread-safe
// (all const; a Calendar may be shared between threads once built).
//
// Time zones: any IANA zone name ICU knows ("America/Bogota", default; DST zones work too,
// offsets are looked up per instant), or a fixed offset "UTC", "UTC-05:00", "UTC+01:30".
// America/Bogota is UTC-5 all year (no DST since 1993).
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"

namespace sondeo::campaigns {

using Date = std::chrono::year_month_day;  // a civil (local) date
using Day = std::chrono::sys_days;         // the same, as a day count

// "2026-01-12" (always 10 characters for years 0..9999).
std::string FormatDate(Date d);
// Parses "YYYY-MM-DD" (a valid Gregorian date). kInvalidArgument otherwise.
Result<Date> ParseDate(std::string_view text);

// ---------------------------------------------------------------------------------------
// Holidays

struct Holiday {
  Date date;
  // Spanish name, e.g. "Día de los Reyes Magos". When two holidays fall on the same date
  // (2025-06-30) the names are joined with " y ".
  std::string name;
};

// Western (Gregorian) Easter Sunday of `year` (anonymous/Meeus algorithm). Years 1583..9999.
Date EasterSunday(int year);

// The Colombian national holidays of `year`, sorted by date, one entry per date (2025 has 17
// entries, 2026 has 18). Fixed: Jan 1, May 1, Jul 20, Aug 7, Dec 8, Dec 25, Jueves Santo
// (E-3), Viernes Santo (E-2). Moved to the next Monday unless on a Monday: Jan 6, Mar 19,
// Jun 29, Aug 15, Oct 12, Nov 1, Nov 11. Easter-based Mondays: Ascensión E+43, Corpus Christi
// E+64, Sagrado Corazón E+71.
std::vector<Holiday> ColombianHolidays(int year);

// True when `day` is a Colombian national holiday.
bool IsColombianHoliday(Day day);

// ---------------------------------------------------------------------------------------
// Time zones

class TimeZone {
 public:
  // America/Bogota.
  TimeZone();
  // An IANA name known to ICU, or "UTC" / "UTC±HH:MM". kInvalidArgument for anything else.
  static Result<TimeZone> Find(std::string_view name);

  const std::string& name() const { return name_; }
  // Local time minus UTC at instant `t` (e.g. -5 h for Bogotá).
  std::chrono::minutes OffsetAt(TimePoint t) const;
  // The local wall-clock time of `t` (as if it were UTC).
  std::chrono::local_time<std::chrono::milliseconds> ToLocal(TimePoint t) const;
  // The instant of a local wall-clock time. A time inside a DST gap moves forward by the
  // gap's length (02:30 -> 03:30); in an overlap, the earlier instant.
  TimePoint FromLocal(std::chrono::local_time<std::chrono::milliseconds> local) const;

 private:
  struct Impl;
  std::string name_;
  std::chrono::minutes fixed_offset_{0};
  std::shared_ptr<const Impl> impl_;  // null for fixed offsets
};

// ---------------------------------------------------------------------------------------
// Windows

// A half-open local time-of-day interval [start, end), minutes since local midnight,
// 0 <= start < end <= 24 h.
struct Window {
  std::chrono::minutes start{0};
  std::chrono::minutes end{0};
  bool operator==(const Window&) const = default;
};

// Calling windows per weekday, indexed by std::chrono::weekday::c_encoding() (0 = Sunday ..
// 6 = Saturday). Windows of a day are sorted and do not overlap.
using WeekWindows = std::array<std::vector<Window>, 7>;

// Mon-Fri 08:00-17:00 (the seed's operation hours).
WeekWindows DefaultWindows();
// Ley 2300 de 2023 art. 3: Mon-Fri 07:00-19:00, Sat 08:00-15:00, nothing on Sunday.
WeekWindows LegalLimits();

// One window outside the legal limits.
struct WindowViolation {
  unsigned weekday = 0;  // c_encoding
  Window window;
  std::string message;  // Spanish, e.g. "sábado 07:00-15:00 fuera del horario legal 08:00-15:00"
};
// Every window (or part of one) outside LegalLimits(). Empty when all are legal.
std::vector<WindowViolation> CheckLegalWindows(const WeekWindows& windows);

// "08:00" / "17:30"; "24:00" for the end of day.
std::string FormatTimeOfDay(std::chrono::minutes m);
// Parses "HH:MM" (00:00..24:00). kInvalidArgument otherwise.
Result<std::chrono::minutes> ParseTimeOfDay(std::string_view text);
// Spanish weekday name ("lunes" .. "domingo") for a c_encoding.
std::string_view WeekdayName(unsigned c_encoding);

// ---------------------------------------------------------------------------------------
// The calendar of one campaign

struct CalendarRules {
  TimeZone zone;                           // default America/Bogota
  WeekWindows windows = DefaultWindows();  // local times
  std::optional<Date> start_date;          // first callable local date (inclusive)
  std::optional<Date> end_date;            // last callable local date (inclusive)
  std::vector<Date> extra_non_working;     // e.g. a "día cívico"; any order
};

class Calendar {
 public:
  Calendar();  // default rules
  explicit Calendar(CalendarRules rules);

  const CalendarRules& rules() const { return rules_; }

  // The local civil date of `t`.
  Day LocalDay(TimePoint t) const;
  // The instant of local midnight at the start of `day`.
  TimePoint StartOfLocalDay(Day day) const;

  // A working day: within start/end dates, not a holiday, not an extra non-working date,
  // and with at least one window on its weekday. (Sundays are working days only if the
  // campaign has Sunday windows, which only an exempt campaign may have.)
  bool IsWorkingDay(Day local_day) const;

  // True when `t` lies inside a window of a working day.
  bool IsCallable(TimePoint t) const;

  // The first instant >= t that is callable: t itself when IsCallable(t), else the start
  // of the next window of the next working day. nullopt when there is none (after the
  // end date, or no windows at all, or nothing in the next ~10 years).
  std::optional<TimePoint> NextCallable(TimePoint t) const;

  // The end (exclusive) of the window containing `t`; nullopt when !IsCallable(t).
  std::optional<TimePoint> WindowEnd(TimePoint t) const;

 private:
  CalendarRules rules_;
  std::vector<Day> extra_sorted_;
};

}  // namespace sondeo::campaigns
