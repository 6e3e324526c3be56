#include "campaigns/calendar.h"

#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/testutil/testutil.h"

namespace sondeo::campaigns {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;

Date D(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

// A UTC instant from a Bogotá local time (UTC-5).
TimePoint Bog(int y, unsigned mo, unsigned d, int h, int mi = 0) {
  return TimePoint{std::chrono::sys_days{D(y, mo, d)}.time_since_epoch()} + hours{h + 5} +
         minutes{mi};
}

std::vector<std::string> Dates(const std::vector<Holiday>& hs) {
  std::vector<std::string> out;
  for (const auto& h : hs) out.push_back(FormatDate(h.date));
  return out;
}

TEST(EasterTest, KnownYears) {
  EXPECT_EQ(EasterSunday(2024), D(2024, 3, 31));
  EXPECT_EQ(EasterSunday(2025), D(2025, 4, 20));
  EXPECT_EQ(EasterSunday(2026), D(2026, 4, 5));
  EXPECT_EQ(EasterSunday(2027), D(2027, 3, 28));
  EXPECT_EQ(EasterSunday(2038), D(2038, 4, 25));  // latest possible
  EXPECT_EQ(EasterSunday(2285), D(2285, 3, 22));  // earliest possible
}

TEST(HolidaysTest, Colombia2025) {
  const auto hs = ColombianHolidays(2025);
  EXPECT_EQ(Dates(hs),
            (std::vector<std::string>{
                "2025-01-01", "2025-01-06", "2025-03-24", "2025-04-17", "2025-04-18", "2025-05-01",
                "2025-06-02", "2025-06-23", "2025-06-30", "2025-07-20", "2025-08-07", "2025-08-18",
                "2025-10-13", "2025-11-03", "2025-11-17", "2025-12-08", "2025-12-25"}));
  ASSERT_EQ(hs.size(), 17u);
  EXPECT_EQ(hs[8].name, "Sagrado Corazón de Jesús y San Pedro y San Pablo");
  EXPECT_EQ(hs[0].name, "Año Nuevo");
  EXPECT_EQ(hs[16].name, "Navidad");
}

TEST(HolidaysTest, Colombia2026) {
  const auto hs = ColombianHolidays(2026);
  EXPECT_EQ(Dates(hs), (std::vector<std::string>{
                           "2026-01-01", "2026-01-12", "2026-03-23", "2026-04-02", "2026-04-03",
                           "2026-05-01", "2026-05-18", "2026-06-08", "2026-06-15", "2026-06-29",
                           "2026-07-20", "2026-08-07", "2026-08-17", "2026-10-12", "2026-11-02",
                           "2026-11-16", "2026-12-08", "2026-12-25"}));
  ASSERT_EQ(hs.size(), 18u);
  EXPECT_EQ(hs[1].name, "Día de los Reyes Magos");
  EXPECT_EQ(hs[6].name, "Ascensión del Señor");
  EXPECT_EQ(hs[7].name, "Corpus Christi");
  EXPECT_EQ(hs[8].name, "Sagrado Corazón de Jesús");
}

TEST(HolidaysTest, ExtraVectors) {
  struct Case {
    Date day;
    bool holiday;
  } cases[] = {
      {D(2024, 7, 20), true},                            // Saturday, fixed: stays
      {D(2024, 12, 8), true},                            // Sunday, fixed: stays
      {D(2024, 7, 1), true},                             // San Pedro moved
      {D(2024, 6, 29), false},                           // ... so not on the 29th
      {D(2027, 5, 1), true},                             // Saturday, stays
      {D(2027, 7, 5), true},                             // San Pedro
      {D(2027, 10, 18), true},                           // Raza
      {D(2027, 11, 1), true},                            // Todos los Santos, a Monday
      {D(2027, 10, 12), false}, {D(2026, 1, 6), false},  // Reyes moved to the 12th
      {D(2026, 1, 12), true},   {D(2026, 11, 30), false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(IsColombianHoliday(Day{c.day}), c.holiday) << FormatDate(c.day);
  }
}

TEST(HolidaysTest, EveryYearIsSortedDistinctAndMondaysMoved) {
  for (int y = 1984; y <= 2100; ++y) {
    const auto hs = ColombianHolidays(y);
    ASSERT_GE(hs.size(), 15u) << y;
    ASSERT_LE(hs.size(), 18u) << y;
    for (size_t i = 1; i < hs.size(); ++i) {
      EXPECT_LT(Day{hs[i - 1].date}, Day{hs[i].date}) << y;
    }
    for (const auto& h : hs) {
      EXPECT_EQ(static_cast<int>(h.date.year()), y);
      EXPECT_TRUE(IsColombianHoliday(Day{h.date})) << FormatDate(h.date);
    }
  }
}

TEST(DateTest, ParseAndFormat) {
  auto d = ParseDate("2026-02-28");
  ASSERT_OK(d);
  EXPECT_EQ(FormatDate(*d), "2026-02-28");
  EXPECT_FALSE(ParseDate("2026-02-29").ok());
  EXPECT_FALSE(ParseDate("2026-2-28").ok());
  EXPECT_FALSE(ParseDate("28/02/2026").ok());
  EXPECT_FALSE(ParseDate("").ok());
  auto t = ParseTimeOfDay("08:30");
  ASSERT_OK(t);
  EXPECT_EQ(*t, minutes{510});
  EXPECT_OK(ParseTimeOfDay("24:00"));
  EXPECT_OK(ParseTimeOfDay("7:05"));
  EXPECT_FALSE(ParseTimeOfDay("24:01").ok());
  EXPECT_FALSE(ParseTimeOfDay("08:60").ok());
  EXPECT_FALSE(ParseTimeOfDay("0800").ok());
  EXPECT_FALSE(ParseTimeOfDay("08:0").ok());
  EXPECT_EQ(FormatTimeOfDay(minutes{24 * 60}), "24:00");
}

TEST(TimeZoneTest, BogotaAndFixedAndIana) {
  const TimeZone bog;
  EXPECT_EQ(bog.name(), "America/Bogota");
  EXPECT_EQ(bog.OffsetAt(Bog(2026, 6, 1, 12)), minutes{-300});
  auto utc = TimeZone::Find("UTC");
  ASSERT_OK(utc);
  EXPECT_EQ(utc->OffsetAt(Bog(2026, 6, 1, 12)), minutes{0});
  auto plus = TimeZone::Find("UTC+01:30");
  ASSERT_OK(plus);
  EXPECT_EQ(plus->OffsetAt(Bog(2026, 6, 1, 12)), minutes{90});
  auto ny = TimeZone::Find("America/New_York");
  ASSERT_OK(ny);
  EXPECT_EQ(ny->OffsetAt(Bog(2026, 1, 15, 12)), minutes{-300});
  EXPECT_EQ(ny->OffsetAt(Bog(2026, 7, 15, 12)), minutes{-240});
  auto lima = TimeZone::Find("America/Lima");
  ASSERT_OK(lima);
  EXPECT_EQ(lima->OffsetAt(Bog(2026, 7, 15, 12)), minutes{-300});
  EXPECT_FALSE(TimeZone::Find("Mars/Olympus").ok());
  EXPECT_FALSE(TimeZone::Find("").ok());
  EXPECT_FALSE(TimeZone::Find("UTC+25:00").ok());
  // Round trip local <-> UTC.
  const auto local = bog.ToLocal(Bog(2026, 3, 2, 8, 15));
  EXPECT_EQ(bog.FromLocal(local), Bog(2026, 3, 2, 8, 15));
  // New York spring-forward gap (2026-03-08 02:30 does not exist) moves forward.
  const auto gap = std::chrono::local_days{D(2026, 3, 8)} + hours{2} + minutes{30};
  const TimePoint g = ny->FromLocal(std::chrono::time_point_cast<std::chrono::milliseconds>(gap));
  EXPECT_EQ(ny->ToLocal(g), std::chrono::local_days{D(2026, 3, 8)} + hours{3} + minutes{30});
}

TEST(LegalWindowsTest, Table) {
  struct Case {
    unsigned weekday;
    int start_h, start_m, end_h, end_m;
    bool legal;
  } cases[] = {
      {1, 8, 0, 17, 0, true},   {1, 7, 0, 19, 0, true},  {5, 6, 59, 12, 0, false},
      {3, 18, 0, 19, 1, false}, {6, 8, 0, 15, 0, true},  {6, 7, 30, 12, 0, false},
      {6, 9, 0, 15, 30, false}, {0, 9, 0, 12, 0, false}, {2, 7, 0, 7, 1, true},
  };
  for (const auto& c : cases) {
    WeekWindows w;
    w[c.weekday] = {{minutes{c.start_h * 60 + c.start_m}, minutes{c.end_h * 60 + c.end_m}}};
    const auto v = CheckLegalWindows(w);
    EXPECT_EQ(v.empty(), c.legal) << c.weekday << " " << c.start_h << ":" << c.start_m;
    if (!v.empty()) {
      EXPECT_EQ(v[0].weekday, c.weekday);
    }
  }
  EXPECT_TRUE(CheckLegalWindows(DefaultWindows()).empty());
  EXPECT_TRUE(CheckLegalWindows(LegalLimits()).empty());
  WeekWindows sunday;
  sunday[0] = {{minutes{600}, minutes{660}}};
  const auto v = CheckLegalWindows(sunday);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_NE(v[0].message.find("domingo"), std::string::npos);
}

TEST(CalendarTest, IsCallableDefaultWindows) {
  const Calendar cal;
  struct Case {
    TimePoint t;
    bool callable;
  } cases[] = {
      {Bog(2026, 3, 2, 8, 0), true},     // Monday 08:00
      {Bog(2026, 3, 2, 7, 59), false},   // before
      {Bog(2026, 3, 2, 16, 59), true},   // last minute
      {Bog(2026, 3, 2, 17, 0), false},   // end is exclusive
      {Bog(2026, 3, 7, 10, 0), false},   // Saturday: no default window
      {Bog(2026, 3, 8, 10, 0), false},   // Sunday
      {Bog(2026, 3, 23, 10, 0), false},  // San José (Monday holiday)
      {Bog(2026, 4, 2, 10, 0), false},   // Jueves Santo
      {Bog(2026, 4, 6, 10, 0), true},    // Monday after Easter
  };
  for (const auto& c : cases) EXPECT_EQ(cal.IsCallable(c.t), c.callable) << FormatUtc(c.t);
}

TEST(CalendarTest, NextCallable) {
  CalendarRules rules;
  rules.end_date = D(2027, 1, 29);
  rules.extra_non_working = {D(2026, 3, 4)};
  const Calendar cal(rules);
  struct Case {
    TimePoint from;
    TimePoint expected;
  } cases[] = {
      {Bog(2026, 3, 2, 9, 0), Bog(2026, 3, 2, 9, 0)},     // already callable
      {Bog(2026, 3, 2, 6, 0), Bog(2026, 3, 2, 8, 0)},     // early morning
      {Bog(2026, 3, 2, 17, 0), Bog(2026, 3, 3, 8, 0)},    // evening -> next day
      {Bog(2026, 3, 3, 18, 0), Bog(2026, 3, 5, 8, 0)},    // skips the extra non-working day
      {Bog(2026, 3, 6, 17, 30), Bog(2026, 3, 9, 8, 0)},   // Friday evening -> Monday
      {Bog(2026, 3, 20, 17, 0), Bog(2026, 3, 24, 8, 0)},  // weekend + San José Monday
      {Bog(2026, 4, 1, 17, 0), Bog(2026, 4, 6, 8, 0)},    // Semana Santa
      {Bog(2026, 12, 31, 17, 0), Bog(2027, 1, 4, 8, 0)},  // year end + 1 Jan + weekend
      {Bog(2027, 1, 8, 17, 0), Bog(2027, 1, 12, 8, 0)},   // Reyes 2027 on Monday 11th
  };
  for (const auto& c : cases) {
    auto next = cal.NextCallable(c.from);
    ASSERT_TRUE(next.has_value()) << FormatUtc(c.from);
    EXPECT_EQ(FormatUtc(*next), FormatUtc(c.expected)) << FormatUtc(c.from);
  }
  // After the end date there is nothing.
  EXPECT_FALSE(cal.NextCallable(Bog(2027, 1, 29, 17, 0)).has_value());
  EXPECT_FALSE(cal.NextCallable(Bog(2027, 6, 1, 9, 0)).has_value());
}

TEST(CalendarTest, StartDateAndSplitWindows) {
  CalendarRules rules;
  rules.start_date = D(2026, 9, 14);
  rules.windows = {};
  rules.windows[2] = {{minutes{14 * 60}, minutes{16 * 60}}, {minutes{8 * 60}, minutes{12 * 60}}};
  const Calendar cal(rules);
  // Before the start date: the first Tuesday on or after it, first window of the day.
  EXPECT_EQ(cal.NextCallable(Bog(2026, 9, 1, 9, 0)), Bog(2026, 9, 15, 8, 0));
  EXPECT_EQ(cal.NextCallable(Bog(2026, 9, 15, 12, 0)), Bog(2026, 9, 15, 14, 0));
  EXPECT_EQ(cal.WindowEnd(Bog(2026, 9, 15, 9, 0)), Bog(2026, 9, 15, 12, 0));
  EXPECT_EQ(cal.WindowEnd(Bog(2026, 9, 15, 15, 59)), Bog(2026, 9, 15, 16, 0));
  EXPECT_FALSE(cal.WindowEnd(Bog(2026, 9, 15, 13, 0)).has_value());
  EXPECT_FALSE(cal.WindowEnd(Bog(2026, 9, 8, 9, 0)).has_value());  // before start
  EXPECT_EQ(FormatDate(Date{cal.LocalDay(Bog(2026, 9, 15, 23, 30))}), "2026-09-15");
  EXPECT_EQ(cal.StartOfLocalDay(Day{D(2026, 9, 15)}), Bog(2026, 9, 15, 0, 0));
}

TEST(CalendarTest, NoWindowsMeansNever) {
  CalendarRules rules;
  rules.windows = {};
  const Calendar cal(rules);
  EXPECT_FALSE(cal.NextCallable(Bog(2026, 3, 2, 9, 0)).has_value());
}

// Property: from any instant, NextCallable returns an instant >= it that is callable, on a
// working non-holiday day, inside a window, with nothing callable strictly in between (checked
// on a minute grid for short gaps).
TEST(CalendarPropertyTest, NextCallableIsCallableAndFirst) {
  std::mt19937_64 rng(20261128);
  const auto zones = {"America/Bogota", "America/New_York", "Europe/Madrid", "UTC+05:30"};
  for (const char* zone_name : zones) {
    auto zone = TimeZone::Find(zone_name);
    ASSERT_OK(zone);
    CalendarRules rules;
    rules.zone = *zone;
    rules.windows = LegalLimits();
    rules.windows[3] = {{minutes{7 * 60}, minutes{9 * 60}}, {minutes{13 * 60}, minutes{19 * 60}}};
    rules.extra_non_working = {D(2026, 5, 6), D(2027, 2, 3)};
    const Calendar cal(rules);
    const TimePoint base = Bog(2025, 1, 1, 0);
    std::uniform_int_distribution<int64_t> dist(0, int64_t{3} * 365 * 24 * 3600 * 1000);
    for (int i = 0; i < 1000; ++i) {
      const TimePoint t = base + std::chrono::milliseconds{dist(rng)};
      auto next = cal.NextCallable(t);
      ASSERT_TRUE(next.has_value());
      ASSERT_GE(*next, t);
      ASSERT_TRUE(cal.IsCallable(*next)) << zone_name << " " << FormatUtc(t);
      const Day day = cal.LocalDay(*next);
      ASSERT_TRUE(cal.IsWorkingDay(day));
      ASSERT_FALSE(IsColombianHoliday(day));
      ASSERT_NE(std::chrono::weekday{day}, std::chrono::Sunday);
      auto end = cal.WindowEnd(*next);
      ASSERT_TRUE(end.has_value());
      ASSERT_GT(*end, *next);
      ASSERT_TRUE(cal.IsCallable(*end - std::chrono::milliseconds{1}));
      if (*next - t < hours{30}) {
        for (TimePoint s = t; s < *next; s += minutes{11}) {
          ASSERT_FALSE(cal.IsCallable(s)) << zone_name << " " << FormatUtc(s);
        }
      }
    }
  }
}

}  // namespace
}  // namespace sondeo::campaigns
