#include "common/clock.h"

#include <gtest/gtest.h>

namespace sondeo {
namespace {

using std::chrono::milliseconds;

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(FromUnixMillis(1'700'000'000'000));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1'700'000'000'000);
  clock.Advance(milliseconds(1500));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 1'700'000'001'500);
  clock.Set(FromUnixMillis(0));
  EXPECT_EQ(ToUnixMillis(clock.Now()), 0);
}

TEST(ClockTest, FormatsUtc) {
  EXPECT_EQ(FormatUtc(FromUnixMillis(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatUtc(FromUnixMillis(1'764'350'000'123)), "2025-11-28T17:13:20.123Z");
}

TEST(ClockTest, SystemClockIsNearNow) {
  const auto a = SystemClock::Instance().Now();
  const auto b = std::chrono::system_clock::now();
  EXPECT_LT(std::chrono::abs(b - a), std::chrono::seconds(5));
}

}  // namespace
}  // namespace sondeo
