// Property tests over simulated months with random campaigns (seeded), plus crash recovery.
#include "dialer/simulate.h"

#include <map>
#include <optional>
#include <random>

#include <gtest/gtest.h>

#include "campaigns/schema.h"
#include "dialer/src/engine_schema.h"
#include "tests/testutil/testutil.h"

namespace sondeo::dialer {
namespace {

std::vector<store::Migration> TestMigrations() {
  auto all = store::Migrations();
  for (auto& m : campaigns::Migrations()) all.push_back(std::move(m));
  for (auto& m : EngineMigrations()) all.push_back(std::move(m));
  return all;
}

std::unique_ptr<store::Db> OpenDb(const std::string& path) {
  store::DbOptions o;
  o.migrations = TestMigrations();
  auto db = store::Db::Open(path, o);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(*db);
}

int64_t Scalar(store::Db& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  EXPECT_TRUE(st.ok()) << sql;
  auto row = st->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return st->Int(0);
}

TimePoint Local(int y, unsigned m, unsigned d, int hh) {
  return FromUnixMillis((WeeklyCalendar::DayOf(y, m, d) * 86400 + (hh + 5) * 3600) * 1000);
}

struct RandomCampaign {
  WeeklyCalendar::Options calendar;
  SimOptions sim;
};

RandomCampaign MakeRandom(uint64_t seed) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return lo + static_cast<int>(rng() % uint64_t(hi - lo + 1)); };
  RandomCampaign rc;
  rc.calendar = WeeklyCalendar::Defaults();
  for (int d = 0; d < 5; ++d) {
    const int start = pick(7, 10) * 60 + pick(0, 1) * 30;
    const int end = pick(15, 19) * 60;
    if (pick(0, 3) == 0) {  // split day (lunch break)
      rc.calendar.windows[size_t(d)] = {{start, 12 * 60}, {14 * 60, end}};
    } else {
      rc.calendar.windows[size_t(d)] = {{start, end}};
    }
  }
  if (pick(0, 1) == 1) rc.calendar.windows[5] = {{8 * 60, 12 * 60}};  // Saturday morning
  // Colombian holidays in the month simulated (Dec 2026) plus a random non-working day.
  rc.calendar.closed_days.insert(WeeklyCalendar::DayOf(2026, 12, 8));
  rc.calendar.closed_days.insert(WeeklyCalendar::DayOf(2026, 12, 25));
  rc.calendar.closed_days.insert(WeeklyCalendar::DayOf(2026, 12, unsigned(pick(1, 28))));
  SimOptions& o = rc.sim;
  o.seed = seed;
  o.agents = pick(1, 4);
  o.days = 22;
  o.start = Local(2026, 11, 30, 0);
  const DialMode modes[] = {DialMode::kPreview, DialMode::kProgressive, DialMode::kPredictive,
                            DialMode::kPredictive};
  o.engine.mode = modes[rng() % 4];
  o.engine.scheduler.max_attempts_per_contact = pick(2, 6);
  o.engine.scheduler.max_attempts_per_phone = pick(1, 3);
  o.engine.scheduler.max_attempts_per_day = pick(1, 3);
  o.engine.pacing_tick = std::chrono::seconds(2);
  o.citizens.live_answer_rate = 0.2 + 0.1 * pick(0, 3);
  return rc;
}

void CheckInvariants(store::Db& db, const WeeklyCalendar& cal, const SimOptions& o) {
  // 1. No attempt outside a window or on a closed day.
  {
    auto st = db.Prepare("SELECT dial_ms FROM attempts");
    ASSERT_TRUE(st.ok());
    int n = 0;
    while (*st->Step()) {
      const TimePoint t = FromUnixMillis(st->Int(0));
      ASSERT_TRUE(cal.IsCallable(t)) << "attempt dialed at " << FormatUtc(t);
      ++n;
    }
    EXPECT_GT(n, 0);
  }
  // 2. Caps never exceeded (consumed attempts per contact, per phone, per contact-day).
  const auto& so = o.engine.scheduler;
  EXPECT_LE(Scalar(db,
                   "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) n FROM attempts"
                   " WHERE consumed = 1 GROUP BY contact_id)"),
            so.max_attempts_per_contact);
  EXPECT_LE(Scalar(db,
                   "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) n FROM attempts"
                   " WHERE consumed = 1 GROUP BY phone_id)"),
            so.max_attempts_per_phone);
  EXPECT_LE(Scalar(db,
                   "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) n FROM attempts"
                   " WHERE consumed = 1 GROUP BY contact_id, (dial_ms - 18000000) / 86400000)"),
            so.max_attempts_per_day);
  // 3. Each contact: final <=> exactly one final disposition, which is that of its last
  //    consuming attempt (or of its last attempt); nothing dialed after it became final.
  EXPECT_EQ(Scalar(db,
                   "SELECT COUNT(*) FROM contact_dialing WHERE (status = 'final') <>"
                   " (final_disposition IS NOT NULL)"),
            0);
  EXPECT_EQ(Scalar(db,
                   "SELECT COUNT(*) FROM contact_dialing d WHERE status = 'final' AND"
                   " final_disposition <> (SELECT a.disposition FROM attempts a WHERE"
                   " a.contact_id = d.contact_id AND (a.consumed = 1 OR a.disposition ="
                   " d.final_disposition) ORDER BY a.id DESC LIMIT 1)"),
            0);
  EXPECT_EQ(Scalar(db, "SELECT COUNT(*) FROM attempts WHERE state <> 'disposed'"), 0);
  EXPECT_EQ(Scalar(db,
                   "SELECT COUNT(*) FROM attempts a JOIN contact_dialing d ON"
                   " d.contact_id = a.contact_id WHERE d.status = 'final' AND a.id >"
                   " d.last_attempt_id"),
            0);
  // 4. Callbacks: never dialed before their (legal) time; most within the grace period.
  {
    auto st = db.Prepare(
        "SELECT a.callback_ms, (SELECT MIN(b.dial_ms) FROM attempts b WHERE b.contact_id ="
        " a.contact_id AND b.id > a.id) FROM attempts a WHERE a.disposition = 'VOLVER_A_LLAMAR'");
    ASSERT_TRUE(st.ok());
    int total = 0, on_time = 0;
    while (*st->Step()) {
      if (st->IsNull(1)) continue;  // not reached within the month
      const TimePoint due = cal.NextCallable(FromUnixMillis(st->Int(0)));
      const TimePoint dialed = FromUnixMillis(st->Int(1));
      EXPECT_GE(dialed, due) << "callback dialed early";
      ++total;
      if (dialed - due <= so.callback_grace) ++on_time;
    }
    if (total >= 5) {
      EXPECT_GE(on_time * 10, total * 6) << on_time << " of " << total;
    }
  }
  // 5. Abandon rate per day never above the cap.
  {
    auto st = db.Prepare(
        "SELECT (answer_ms - 18000000) / 86400000 d, SUM(abandoned), SUM(live) FROM attempts"
        " WHERE live = 1 GROUP BY d");
    ASSERT_TRUE(st.ok());
    while (*st->Step()) {
      EXPECT_LE(static_cast<double>(st->Int(1)),
                o.engine.max_abandon_rate * static_cast<double>(st->Int(2)))
          << "day " << st->Int(0);
    }
  }
}

class SimulatedMonthTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(SimulatedMonthTest, InvariantsHold) {
  testing::TempDir dir;
  auto db = OpenDb(dir.File("sim.db"));
  RandomCampaign rc = MakeRandom(GetParam());
  ASSERT_TRUE(CreateSyntheticContacts(*db, "c1", 120, GetParam()).ok());
  rc.sim.engine.campaign_id = "c1";
  WeeklyCalendar cal(rc.calendar);
  auto report = RunSimulation(*db, cal, rc.sim);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->days, 22);
  EXPECT_EQ(report->metrics.attempts, Scalar(*db, "SELECT COUNT(*) FROM attempts"));
  EXPECT_GT(Scalar(*db, "SELECT COUNT(*) FROM contact_dialing WHERE status = 'final'"), 0);
  CheckInvariants(*db, cal, rc.sim);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SimulatedMonthTest, ::testing::Values(1, 2, 3, 4));

// Ninety minutes of a 20-agent team (the full 8-hour day is bench/dialer's job).
TEST(SimulateTest, PredictiveTwentyAgentsKeepsAbandonsUnderCap) {
  testing::TempDir dir;
  auto db = OpenDb(dir.File("sim.db"));
  ASSERT_TRUE(CreateSyntheticContacts(*db, "c1", 2000, 7).ok());
  SimOptions o;
  o.engine.campaign_id = "c1";
  o.engine.mode = DialMode::kPredictive;
  o.agents = 20;
  o.days = 1;
  o.start = Local(2026, 11, 30, 0);
  auto co = WeeklyCalendar::Defaults();
  for (int d = 0; d < 5; ++d) co.windows[size_t(d)] = {{10 * 60, 11 * 60 + 30}};
  WeeklyCalendar cal(co);
  auto r = RunSimulation(*db, cal, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT(r->metrics.answered, 100);
  EXPECT_LE(r->metrics.abandon_rate(), 0.03);
  EXPECT_GT(r->metrics.occupancy(), 0.75);
  CheckInvariants(*db, cal, o);
}

// The engine dies with calls in flight (its object is dropped without disposing them, as a
// kill -9 would leave the database); a new engine marks them INTERRUMPIDA, consumes nothing,
// and the contacts are dialed again under new attempt numbers.
TEST(EngineRecoveryTest, InFlightAttemptsBecomeInterrumpida) {
  testing::TempDir dir;
  const std::string path = dir.File("crash.db");
  WeeklyCalendar cal(WeeklyCalendar::Defaults());
  const TimePoint t0 = Local(2026, 11, 30, 9);
  {
    auto db = OpenDb(path);
    ASSERT_TRUE(CreateSyntheticContacts(*db, "c1", 10, 3).ok());
    ManualClock clock(t0);
    EventQueue q(clock);
    SimulatedDriver driver(q, CitizenModel{}, 1);
    EngineOptions eo;
    eo.campaign_id = "c1";
    eo.mode = DialMode::kProgressive;
    auto e = Engine::Open(*db, clock, cal, driver, eo);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    ASSERT_TRUE((*e)->LogIn("ana").ok());
    ASSERT_TRUE((*e)->LogIn("luis").ok());
    EXPECT_EQ((*e)->calls_in_flight(), 2u);
  }
  auto db = OpenDb(path);
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM attempts WHERE state = 'dialing'"), 2);
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM contact_dialing WHERE status = 'in_flight'"), 2);
  ManualClock clock(t0 + std::chrono::minutes(5));
  EventQueue q(clock);
  SimulatedDriver driver(q, CitizenModel{}, 1);
  EngineOptions eo;
  eo.campaign_id = "c1";
  eo.mode = DialMode::kProgressive;
  auto e = Engine::Open(*db, clock, cal, driver, eo);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ((*e)->metrics().interrupted_on_open, 2);
  EXPECT_EQ(Scalar(*db,
                   "SELECT COUNT(*) FROM attempts WHERE disposition = 'INTERRUMPIDA'"
                   " AND consumed = 0 AND state = 'disposed'"),
            2);
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM contact_dialing WHERE status = 'in_flight'"), 0);
  EXPECT_EQ(Scalar(*db, "SELECT SUM(attempts) FROM contact_dialing"), 0);
  // Rescheduled: due now, the next dial of each gets attempt number 2.
  EXPECT_EQ(Scalar(*db,
                   "SELECT COUNT(*) FROM contact_dialing WHERE dials = 1 AND"
                   " status = 'pending' AND next_due_ms <= " +
                       std::to_string(ToUnixMillis(clock.Now()))),
            2);
  ASSERT_TRUE((*e)->LogIn("ana").ok());
  ASSERT_TRUE((*e)->LogIn("luis").ok());
  ASSERT_TRUE((*e)->LogIn("eva").ok());
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(DISTINCT idempotency_key) FROM attempts"),
            Scalar(*db, "SELECT COUNT(*) FROM attempts"));
}

// The owner recorded the agent's typification of an open attempt but died before Dispose:
// recover_result hands it back and Open disposes the attempt with it (consumed, notes, the
// contact finalised) instead of INTERRUMPIDA; an unknown or system code falls back.
TEST(EngineRecoveryTest, RecoveredResultsAreAppliedNotInterrupted) {
  testing::TempDir dir;
  const std::string path = dir.File("rec.db");
  WeeklyCalendar cal(WeeklyCalendar::Defaults());
  const TimePoint t0 = Local(2026, 11, 30, 9);
  {
    auto db = OpenDb(path);
    ASSERT_TRUE(CreateSyntheticContacts(*db, "c1", 10, 3).ok());
    ManualClock clock(t0);
    EventQueue q(clock);
    SimulatedDriver driver(q, CitizenModel{}, 1);
    EngineOptions eo;
    eo.campaign_id = "c1";
    eo.mode = DialMode::kProgressive;
    auto e = Engine::Open(*db, clock, cal, driver, eo);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    ASSERT_TRUE((*e)->LogIn("ana").ok());
    ASSERT_TRUE((*e)->LogIn("luis").ok());
    ASSERT_TRUE((*e)->LogIn("eva").ok());
    EXPECT_EQ((*e)->calls_in_flight(), 3u);
  }
  auto db = OpenDb(path);
  const int64_t first = Scalar(*db, "SELECT MIN(id) FROM attempts");
  const int64_t first_contact =
      Scalar(*db, "SELECT contact_id FROM attempts WHERE id = " + std::to_string(first));
  ManualClock clock(t0 + std::chrono::minutes(5));
  EventQueue q(clock);
  SimulatedDriver driver(q, CitizenModel{}, 1);
  EngineOptions eo;
  eo.campaign_id = "c1";
  eo.mode = DialMode::kProgressive;
  std::vector<uint64_t> asked;
  eo.recover_result = [&](uint64_t attempt) -> std::optional<RecoveredResult> {
    asked.push_back(attempt);
    if (attempt == static_cast<uint64_t>(first)) {
      return RecoveredResult{"ENCUESTA_EFECTIVA", std::nullopt, "guardada antes del fallo"};
    }
    if (attempt == static_cast<uint64_t>(first + 1)) return RecoveredResult{"ABANDONADA", {}, ""};
    return std::nullopt;
  };
  auto e = Engine::Open(*db, clock, cal, driver, eo);
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(asked.size(), 3u);
  EXPECT_EQ((*e)->metrics().interrupted_on_open, 2);
  EXPECT_EQ((*e)->metrics().completes, 1);
  const std::string id = std::to_string(first);
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM attempts WHERE id = " + id +
                            " AND state = 'disposed' AND disposition = 'ENCUESTA_EFECTIVA'"
                            " AND consumed = 1 AND notes = 'guardada antes del fallo'"),
            1);
  // A system code (ABANDONADA) is not an agent's: INTERRUMPIDA, like the unknown one.
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM attempts WHERE disposition = 'INTERRUMPIDA'"), 2);
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM contact_dialing WHERE contact_id = " +
                            std::to_string(first_contact) + " AND status = 'final'"),
            1);
  // The completed contact is never dialed again.
  ASSERT_TRUE((*e)->LogIn("ana").ok());
  ASSERT_TRUE((*e)->LogIn("luis").ok());
  ASSERT_TRUE((*e)->LogIn("eva").ok());
  EXPECT_EQ(Scalar(*db, "SELECT COUNT(*) FROM attempts WHERE contact_id = " +
                            std::to_string(first_contact)),
            1);
}

TEST(EngineTest, AgentDispositionsAreValidated) {
  testing::TempDir dir;
  auto db = OpenDb(dir.File("e.db"));
  ASSERT_TRUE(CreateSyntheticContacts(*db, "c1", 3, 3).ok());
  WeeklyCalendar cal(WeeklyCalendar::Defaults());
  ManualClock clock(Local(2026, 11, 30, 9));
  EventQueue q(clock);
  SimulatedDriver driver(q, CitizenModel{}, 1);
  EngineOptions eo;
  eo.campaign_id = "c1";
  auto e = Engine::Open(*db, clock, cal, driver, eo);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)->Dispose(999, "ENCUESTA_EFECTIVA").code(), StatusCode::kNotFound);
  EXPECT_EQ((*e)->Dispose(1, "INTERRUMPIDA").code(), StatusCode::kInvalidArgument);
  eo.campaign_id = "nope";
  EXPECT_EQ(Engine::Open(*db, clock, cal, driver, eo).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sondeo::dialer
