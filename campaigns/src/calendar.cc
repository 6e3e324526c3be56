#include "campaigns/calendar.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>
#include <utility>

#include <unicode/timezone.h>
#include <unicode/unistr.h>

namespace sondeo::campaigns {

using std::chrono::days;
using std::chrono::local_days;
using std::chrono::local_time;
using std::chrono::milliseconds;
using std::chrono::minutes;

namespace {

constexpr minutes kBogotaOffset{-5 * 60};
// How far NextCallable looks ahead before giving up (about ten years).
constexpr int kMaxLookaheadDays = 3700;

bool ParseInt(std::string_view s, int* out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

Day NextMonday(Day d) {
  const std::chrono::weekday wd{d};
  // Days to add to reach Monday (0 when already Monday).
  const unsigned delta = (8 - wd.c_encoding()) % 7;
  return d + days{delta};
}

Day ToDay(int y, unsigned m, unsigned d) {
  return Day{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

}  // namespace

std::string FormatDate(Date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

Result<Date> ParseDate(std::string_view text) {
  int y = 0;
  int m = 0;
  int d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !ParseInt(text.substr(0, 4), &y) ||
      !ParseInt(text.substr(5, 2), &m) || !ParseInt(text.substr(8, 2), &d)) {
    return Status::InvalidArgument("se esperaba una fecha AAAA-MM-DD, no \"" + std::string(text) +
                                   "\"");
  }
  const Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
                  std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok()) {
    return Status::InvalidArgument("fecha inexistente \"" + std::string(text) + "\"");
  }
  return date;
}

// ---------------------------------------------------------------------------------------
// Holidays

Date EasterSunday(int y) {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher), domain.md §2.
  const int a = y % 19;
  const int b = y / 100;
  const int c = y % 100;
  const int d = b / 4;
  const int e = b % 4;
  const int f = (b + 8) / 25;
  const int g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4;
  const int k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = ((h + l - 7 * m + 114) % 31) + 1;
  return Date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(month)},
              std::chrono::day{static_cast<unsigned>(day)}};
}

std::vector<Holiday> ColombianHolidays(int year) {
  const Day easter{EasterSunday(year)};
  // In order of their original (unmoved) date, so coinciding names read in calendar order.
  const std::pair<Day, const char*> raw[] = {
      {ToDay(year, 1, 1), "Año Nuevo"},
      {NextMonday(ToDay(year, 1, 6)), "Día de los Reyes Magos"},
      {NextMonday(ToDay(year, 3, 19)), "Día de San José"},
      {easter - days{3}, "Jueves Santo"},
      {easter - days{2}, "Viernes Santo"},
      {ToDay(year, 5, 1), "Día del Trabajo"},
      {easter + days{43}, "Ascensión del Señor"},
      {easter + days{64}, "Corpus Christi"},
      {easter + days{71}, "Sagrado Corazón de Jesús"},
      {NextMonday(ToDay(year, 6, 29)), "San Pedro y San Pablo"},
      {ToDay(year, 7, 20), "Día de la Independencia"},
      {ToDay(year, 8, 7), "Batalla de Boyacá"},
      {NextMonday(ToDay(year, 8, 15)), "La Asunción de la Virgen"},
      {NextMonday(ToDay(year, 10, 12)), "Día de la Raza"},
      {NextMonday(ToDay(year, 11, 1)), "Día de Todos los Santos"},
      {NextMonday(ToDay(year, 11, 11)), "Independencia de Cartagena"},
      {ToDay(year, 12, 8), "Día de la Inmaculada Concepción"},
      {ToDay(year, 12, 25), "Navidad"},
  };
  std::vector<std::pair<Day, std::string>> list;
  for (const auto& [day, name] : raw) list.emplace_back(day, name);
  std::stable_sort(list.begin(), list.end(),
                   [](const auto& x, const auto& y) { return x.first < y.first; });
  std::vector<Holiday> out;
  for (auto& [day, name] : list) {
    if (!out.empty() && Day{out.back().date} == day) {
      out.back().name += " y " + name;
    } else {
      out.push_back({Date{day}, std::move(name)});
    }
  }
  return out;
}

bool IsColombianHoliday(Day day) {
  const Date date{day};
  const unsigned m = static_cast<unsigned>(date.month());
  const unsigned d = static_cast<unsigned>(date.day());
  // Fixed dates first (cheap); then the full list for everything else.
  if ((m == 1 && d == 1) || (m == 5 && d == 1) || (m == 7 && d == 20) || (m == 8 && d == 7) ||
      (m == 12 && (d == 8 || d == 25))) {
    return true;
  }
  const std::chrono::weekday wd{day};
  const bool monday = wd == std::chrono::Monday;
  const bool thu_fri = wd == std::chrono::Thursday || wd == std::chrono::Friday;
  if (!monday && !thu_fri) return false;
  for (const auto& h : ColombianHolidays(static_cast<int>(date.year()))) {
    if (Day{h.date} == day) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Time zones

struct TimeZone::Impl {
  std::unique_ptr<icu::TimeZone> tz;
};

TimeZone::TimeZone() : name_("America/Bogota"), fixed_offset_(kBogotaOffset) {}

Result<TimeZone> TimeZone::Find(std::string_view name) {
  TimeZone zone;
  zone.name_ = std::string(name);
  // America/Bogota is UTC-5 since 1993: the fixed path is exact and needs no ICU.
  if (name == "America/Bogota") return zone;
  if (name == "UTC" || name == "Etc/UTC") {
    zone.fixed_offset_ = minutes{0};
    return zone;
  }
  if (name.size() == 9 && name.substr(0, 3) == "UTC" && (name[3] == '+' || name[3] == '-') &&
      name[6] == ':') {
    int h = 0;
    int m = 0;
    if (ParseInt(name.substr(4, 2), &h) && ParseInt(name.substr(7, 2), &m) && h <= 14 && m < 60) {
      const minutes off{h * 60 + m};
      zone.fixed_offset_ = name[3] == '-' ? -off : off;
      return zone;
    }
  }
  auto impl = std::make_shared<Impl>();
  impl->tz.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(
      icu::StringPiece(name.data(), static_cast<int32_t>(name.size())))));
  if (impl->tz == nullptr || *impl->tz == icu::TimeZone::getUnknown() || name.empty()) {
    return Status::InvalidArgument("zona horaria desconocida \"" + std::string(name) +
                                   "\" (use un nombre IANA como America/Bogota, o UTC-05:00)");
  }
  zone.impl_ = std::move(impl);
  return zone;
}

minutes TimeZone::OffsetAt(TimePoint t) const {
  if (impl_ == nullptr) return fixed_offset_;
  int32_t raw = 0;
  int32_t dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  impl_->tz->getOffset(static_cast<UDate>(t.time_since_epoch().count()), false, raw, dst, status);
  if (U_FAILURE(status)) return fixed_offset_;
  return minutes{(raw + dst) / 60000};
}

local_time<milliseconds> TimeZone::ToLocal(TimePoint t) const {
  return local_time<milliseconds>{(t + OffsetAt(t)).time_since_epoch()};
}

TimePoint TimeZone::FromLocal(local_time<milliseconds> local) const {
  const TimePoint as_utc{local.time_since_epoch()};
  if (impl_ == nullptr) return as_utc - fixed_offset_;
  // The offsets in force a day before and a day after: a local time maps to at most these two.
  const minutes before = OffsetAt(as_utc - days{1});
  const minutes after = OffsetAt(as_utc + days{1});
  const TimePoint a = as_utc - before;
  const TimePoint b = as_utc - after;
  const bool a_ok = OffsetAt(a) == before;
  const bool b_ok = OffsetAt(b) == after;
  if (a_ok && b_ok) return std::min(a, b);  // overlap: the earlier instant
  if (a_ok) return a;
  if (b_ok) return b;
  return a;  // gap: 02:30 in a spring-forward gap becomes 03:30
}

// ---------------------------------------------------------------------------------------
// Windows

WeekWindows DefaultWindows() {
  WeekWindows w;
  for (unsigned d = 1; d <= 5; ++d) w[d] = {{minutes{8 * 60}, minutes{17 * 60}}};
  return w;
}

WeekWindows LegalLimits() {
  WeekWindows w;
  for (unsigned d = 1; d <= 5; ++d) w[d] = {{minutes{7 * 60}, minutes{19 * 60}}};
  w[6] = {{minutes{8 * 60}, minutes{15 * 60}}};
  return w;
}

std::string FormatTimeOfDay(minutes m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(m.count() / 60),
                static_cast<int>(m.count() % 60));
  return buf;
}

Result<minutes> ParseTimeOfDay(std::string_view text) {
  const auto colon = text.find(':');
  int h = 0;
  int m = 0;
  if (colon == std::string_view::npos || colon == 0 || colon > 2 || text.size() != colon + 3 ||
      !ParseInt(text.substr(0, colon), &h) || !ParseInt(text.substr(colon + 1), &m) || m > 59 ||
      h > 24 || (h == 24 && m != 0)) {
    return Status::InvalidArgument("se esperaba una hora HH:MM (00:00 a 24:00), no \"" +
                                   std::string(text) + "\"");
  }
  return minutes{h * 60 + m};
}

std::string_view WeekdayName(unsigned c_encoding) {
  static constexpr std::string_view kNames[] = {"domingo", "lunes",   "martes", "miércoles",
                                                "jueves",  "viernes", "sábado"};
  return kNames[c_encoding % 7];
}

std::vector<WindowViolation> CheckLegalWindows(const WeekWindows& windows) {
  const WeekWindows legal = LegalLimits();
  std::vector<WindowViolation> out;
  for (unsigned d = 0; d < 7; ++d) {
    for (const Window& w : windows[d]) {
      const std::string span = std::string(WeekdayName(d)) + " " + FormatTimeOfDay(w.start) + "-" +
                               FormatTimeOfDay(w.end);
      if (legal[d].empty()) {
        out.push_back({d, w, span + ": no se permite llamar los domingos (Ley 2300 de 2023)"});
        continue;
      }
      const Window& l = legal[d].front();
      if (w.start < l.start || w.end > l.end) {
        out.push_back({d, w,
                       span + " fuera del horario legal " + FormatTimeOfDay(l.start) + "-" +
                           FormatTimeOfDay(l.end) + " (Ley 2300 de 2023)"});
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Calendar

Calendar::Calendar() : Calendar(CalendarRules{}) {}

Calendar::Calendar(CalendarRules rules) : rules_(std::move(rules)) {
  for (auto& day : rules_.windows) {
    std::sort(day.begin(), day.end(),
              [](const Window& a, const Window& b) { return a.start < b.start; });
  }
  for (const Date& d : rules_.extra_non_working) extra_sorted_.push_back(Day{d});
  std::sort(extra_sorted_.begin(), extra_sorted_.end());
}

Day Calendar::LocalDay(TimePoint t) const {
  const auto local = rules_.zone.ToLocal(t);
  return Day{std::chrono::floor<days>(local).time_since_epoch()};
}

TimePoint Calendar::StartOfLocalDay(Day day) const {
  return rules_.zone.FromLocal(local_time<milliseconds>{day.time_since_epoch()});
}

bool Calendar::IsWorkingDay(Day day) const {
  if (rules_.start_date && day < Day{*rules_.start_date}) return false;
  if (rules_.end_date && day > Day{*rules_.end_date}) return false;
  const std::chrono::weekday wd{day};
  if (rules_.windows[wd.c_encoding()].empty()) return false;
  if (std::binary_search(extra_sorted_.begin(), extra_sorted_.end(), day)) return false;
  return !IsColombianHoliday(day);
}

bool Calendar::IsCallable(TimePoint t) const { return WindowEnd(t).has_value(); }

std::optional<TimePoint> Calendar::WindowEnd(TimePoint t) const {
  const auto local = rules_.zone.ToLocal(t);
  const auto local_day = std::chrono::floor<days>(local);
  const Day day{local_day.time_since_epoch()};
  const auto tod = local - local_day;
  const std::chrono::weekday wd{day};
  for (const Window& w : rules_.windows[wd.c_encoding()]) {
    if (tod >= w.start && tod < w.end) {
      if (!IsWorkingDay(day)) return std::nullopt;
      return rules_.zone.FromLocal(local_day + w.end);
    }
  }
  return std::nullopt;
}

std::optional<TimePoint> Calendar::NextCallable(TimePoint t) const {
  if (IsCallable(t)) return t;
  Day day = LocalDay(t);
  if (rules_.start_date && day < Day{*rules_.start_date}) day = Day{*rules_.start_date};
  for (int i = 0; i < kMaxLookaheadDays; ++i, day += days{1}) {
    if (rules_.end_date && day > Day{*rules_.end_date}) return std::nullopt;
    if (!IsWorkingDay(day)) continue;
    const local_days ld{day.time_since_epoch()};
    for (const Window& w : rules_.windows[std::chrono::weekday{day}.c_encoding()]) {
      const TimePoint start = rules_.zone.FromLocal(ld + w.start);
      const TimePoint end = rules_.zone.FromLocal(ld + w.end);
      if (end <= t) continue;
      const TimePoint candidate = std::max(start, t);
      if (IsCallable(candidate)) return candidate;
    }
  }
  return std::nullopt;
}

}  // namespace sondeo::campaigns
