// The engine's side of the agent's audio leg (Driver::ConnectAgent, DriverEvent::kAgentFailed)
// with a scripted driver: no I/O but SQLite in a temp dir, virtual time.
#include "dialer/engine.h"

#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "campaigns/schema.h"
#include "dialer/simulate.h"
#include "dialer/src/engine_schema.h"
#include "tests/testutil/testutil.h"

namespace sondeo::dialer {
namespace {

std::unique_ptr<store::Db> OpenDb(const std::string& path) {
  store::DbOptions o;
  o.migrations = store::Migrations();
  for (auto& m : campaigns::Migrations()) o.migrations.push_back(std::move(m));
  for (auto& m : EngineMigrations()) o.migrations.push_back(std::move(m));
  auto db = store::Db::Open(path, o);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(*db);
}

std::string Text(store::Db& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  EXPECT_TRUE(st.ok()) << sql;
  auto row = st->Step();
  EXPECT_TRUE(row.ok() && *row) << sql;
  return st->Text(0);
}

// Records what the engine asks; events are delivered by the test.
class ScriptDriver final : public Driver {
 public:
  void SetSink(Sink sink) override { sink_ = std::move(sink); }
  Status Originate(const OriginateRequest& r) override {
    originated.push_back(r);
    return Status::Ok();
  }
  void Cancel(uint64_t id) override { cancelled.push_back(id); }
  void Hangup(uint64_t id) override { hung_up.push_back(id); }
  bool CanDial() override { return can_dial; }
  Status ConnectAgent(uint64_t id, const std::string& agent) override {
    connects.emplace_back(id, agent);
    return refuse_connect ? Status::Unavailable("sin teléfono") : Status::Ok();
  }
  void Send(uint64_t id, DriverEvent::Kind kind, CallEnd end = CallEnd::kAnswered) {
    DriverEvent e;
    e.attempt_id = id;
    e.kind = kind;
    e.end = end;
    e.sip_code = kind == DriverEvent::Kind::kAgentFailed ? 486 : 200;
    sink_(e);
  }

  std::vector<OriginateRequest> originated;
  std::vector<uint64_t> cancelled, hung_up;
  std::vector<std::pair<uint64_t, std::string>> connects;
  bool refuse_connect = false;
  bool can_dial = true;

 private:
  Sink sink_;
};

TimePoint Tuesday10() {  // 2026-12-01 10:00 in Bogotá
  return FromUnixMillis((WeeklyCalendar::DayOf(2026, 12, 1) * 86400 + 15 * 3600) * 1000LL);
}

struct Rig {
  testing::TempDir dir;
  std::unique_ptr<store::Db> db;
  WeeklyCalendar cal{WeeklyCalendar::Defaults()};
  ManualClock clock{Tuesday10()};
  ScriptDriver driver;
  std::unique_ptr<Engine> engine;
  std::vector<AgentEvent> events;

  explicit Rig(DialMode mode = DialMode::kProgressive) {
    db = OpenDb(dir.File("e.db"));
    EXPECT_TRUE(CreateSyntheticContacts(*db, "c1", 4, 5).ok());
    EngineOptions eo;
    eo.campaign_id = "c1";
    eo.mode = mode;
    auto e = Engine::Open(*db, clock, cal, driver, eo);
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    engine = std::move(*e);
    engine->SetAgentSink([this](const AgentEvent& ev) { events.push_back(ev); });
  }
};

TEST(EngineAgentLegTest, ConnectAsksTheDriverForTheAgentsPhone) {
  Rig r;
  ASSERT_TRUE(r.engine->LogIn("ana").ok());
  ASSERT_EQ(r.driver.originated.size(), 1u);
  const uint64_t id = r.driver.originated[0].attempt_id;
  // The idempotency key goes with the dial (for the peers' logs), never a number.
  EXPECT_EQ(r.driver.originated[0].idempotency_key,
            Text(*r.db, "SELECT idempotency_key FROM attempts WHERE id = " + std::to_string(id)));
  EXPECT_TRUE(r.driver.connects.empty());
  r.driver.Send(id, DriverEvent::Kind::kAnswered);
  ASSERT_EQ(r.driver.connects.size(), 1u);
  EXPECT_EQ(r.driver.connects[0], std::make_pair(id, std::string("ana")));
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events.back().kind, AgentEvent::Kind::kConnected);
}

// The agent's phone does not answer: the call is abandoned (not consumed, counted in the
// abandon rate), the citizen leg is hung up, the agent is logged out and told, and the
// attempt is never dialed again (late events change nothing).
TEST(EngineAgentLegTest, AgentLegFailureAbandonsTheCallAndLogsTheAgentOut) {
  Rig r;
  ASSERT_TRUE(r.engine->LogIn("ana").ok());
  const uint64_t id = r.driver.originated.at(0).attempt_id;
  r.driver.Send(id, DriverEvent::Kind::kRinging);
  r.driver.Send(id, DriverEvent::Kind::kAnswered);
  r.driver.Send(id, DriverEvent::Kind::kAgentFailed);
  ASSERT_TRUE(r.engine->event_error().ok()) << r.engine->event_error().ToString();
  const std::string sid = std::to_string(id);
  EXPECT_EQ(Text(*r.db,
                 "SELECT state || ' ' || disposition || ' ' || consumed || ' ' ||"
                 " abandoned || ' ' || live FROM attempts WHERE id = " +
                     sid),
            "disposed ABANDONADA 0 1 1");
  EXPECT_EQ(r.driver.hung_up, std::vector<uint64_t>{id});
  ASSERT_FALSE(r.events.empty());
  EXPECT_EQ(r.events.back().kind, AgentEvent::Kind::kPhoneFailed);
  EXPECT_EQ(r.events.back().agent, "ana");
  EXPECT_EQ(r.engine->metrics().abandoned, 1);
  EXPECT_EQ(r.engine->metrics().agent_leg_failures, 1);
  // The agent is offline: no new call for the dead phone.
  EXPECT_EQ(r.driver.originated.size(), 1u);
  // The citizen leg's end arrives later: nothing more happens to the attempt.
  r.driver.Send(id, DriverEvent::Kind::kFinished, CallEnd::kHungUp);
  r.driver.Send(id, DriverEvent::Kind::kAgentFailed);
  ASSERT_TRUE(r.engine->Tick().ok());
  EXPECT_EQ(r.driver.originated.size(), 1u);
  EXPECT_EQ(Text(*r.db, "SELECT disposition FROM attempts WHERE id = " + sid), "ABANDONADA");
  // Back in: a new attempt (never the same one again).
  ASSERT_TRUE(r.engine->LogIn("ana").ok());
  ASSERT_EQ(r.driver.originated.size(), 2u);
  EXPECT_NE(r.driver.originated[1].attempt_id, id);
  EXPECT_NE(r.driver.originated[1].idempotency_key, r.driver.originated[0].idempotency_key);
}

// A driver that refuses the agent leg at once is handled like a failed leg.
TEST(EngineAgentLegTest, RefusedConnectIsAnAgentFailure) {
  Rig r;
  r.driver.refuse_connect = true;
  ASSERT_TRUE(r.engine->LogIn("ana").ok());
  const uint64_t id = r.driver.originated.at(0).attempt_id;
  r.driver.Send(id, DriverEvent::Kind::kAnswered);
  EXPECT_EQ(Text(*r.db, "SELECT disposition FROM attempts WHERE id = " + std::to_string(id)),
            "ABANDONADA");
  EXPECT_EQ(r.events.back().kind, AgentEvent::Kind::kPhoneFailed);
}

// After the conversation (wrap-up), a late agent-leg failure is ignored: the agent's
// typification still applies.
TEST(EngineAgentLegTest, LateAgentFailureAfterTheCallIsIgnored) {
  Rig r;
  ASSERT_TRUE(r.engine->LogIn("ana").ok());
  const uint64_t id = r.driver.originated.at(0).attempt_id;
  r.driver.Send(id, DriverEvent::Kind::kAnswered);
  r.clock.Advance(std::chrono::seconds(30));
  r.driver.Send(id, DriverEvent::Kind::kFinished, CallEnd::kHungUp);
  r.driver.Send(id, DriverEvent::Kind::kAgentFailed);
  ASSERT_TRUE(r.engine->Dispose(id, "ENCUESTA_EFECTIVA").ok());
  EXPECT_EQ(Text(*r.db, "SELECT disposition || ' ' || abandoned FROM attempts WHERE id = " +
                            std::to_string(id)),
            "ENCUESTA_EFECTIVA 0");
  EXPECT_EQ(r.engine->metrics().abandoned, 0);
}

// While the driver cannot dial (the trunk's circuit breaker is open) the engine places no
// call and writes no attempt; when it can again, the next tick dials.
TEST(EngineAgentLegTest, NoDialingWhileTheDriverCannotDial) {
  Rig r;
  r.driver.can_dial = false;
  ASSERT_TRUE(r.engine->LogIn("ana").ok());
  ASSERT_TRUE(r.engine->Tick().ok());
  EXPECT_TRUE(r.driver.originated.empty());
  EXPECT_EQ(Text(*r.db, "SELECT COUNT(*) FROM attempts"), "0");
  r.driver.can_dial = true;
  r.clock.Advance(std::chrono::seconds(5));
  ASSERT_TRUE(r.engine->Tick().ok());
  EXPECT_EQ(r.driver.originated.size(), 1u);
}

TEST(EngineAgentLegTest, PreviewRefusedWhileTheDriverCannotDial) {
  Rig r(DialMode::kPreview);
  ASSERT_TRUE(r.engine->LogIn("ana").ok());
  r.driver.can_dial = false;
  EXPECT_EQ(r.engine->PreviewDial("ana").status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(r.driver.originated.empty());
}

}  // namespace
}  // namespace sondeo::dialer
