#pragma once
// Simulation on virtual time: statistical citizens behind a `simulated` driver, simulated
// agents that talk, fill the survey and typify, and the real Engine in between, writing
// everything to the database. A working day runs in seconds.
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "dialer/call_calendar.h"
#include "dialer/driver.h"
#include "dialer/engine.h"
#include "store/db.h"

namespace sondeo::dialer {

// A discrete-event queue on a ManualClock: events run in time order (FIFO among equals),
// and the clock jumps to each event's time.
class EventQueue {
 public:
  explicit EventQueue(ManualClock& clock) : clock_(clock) {}
  void At(TimePoint t, std::function<void()> fn);
  std::optional<TimePoint> NextTime() const;
  // Runs every event due at or before `limit` (the clock follows); false when none ran.
  bool RunUntil(TimePoint limit);
  bool empty() const { return q_.empty(); }
  ManualClock& clock() { return clock_; }

 private:
  struct Item {
    TimePoint at;
    uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Item& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };
  ManualClock& clock_;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> q_;
  uint64_t seq_ = 0;
};

// Statistical citizens. Phone-level shares are decided once per number (same seed, same
// numbers); the rest per dial. Defaults: the seed's figures (TMO 3 min 28 s).
struct CitizenModel {
  double live_answer_rate = 0.30;   // per dial to a working number (scaled by hour_factor)
  double voicemail_share = 0.10;    // per dial: a machine answers (driver-detected)
  double busy_share = 0.10;         // per dial
  double invalid_share = 0.05;      // per number: never works (404)
  double damaged_share = 0.03;      // per number: out of service (410)
  double mean_ring_to_answer = 12;  // seconds, live answers
  double mean_talk = 208;           // seconds (log-normal, sigma below)
  double talk_sigma = 0.5;
  double mean_wrap = 15;  // agent's wrap-up (typing the disposition), seconds
  // Answer-probability multiplier per local hour (0..23).
  std::array<double, 24> hour_factor = {1,    1,   1,   1,    1,   1,   1, 1, 0.9, 1.0, 1.05, 1.05,
                                        0.95, 0.9, 1.0, 1.05, 1.1, 1.0, 1, 1, 1,   1,   1,    1};
  std::chrono::minutes utc_offset{-5 * 60};
};

class SimulatedDriver final : public Driver {
 public:
  SimulatedDriver(EventQueue& queue, CitizenModel model, uint64_t seed)
      : queue_(queue), model_(model), seed_(seed) {}
  void SetSink(Sink sink) override { sink_ = std::move(sink); }
  Status Originate(const OriginateRequest& request) override;
  void Cancel(uint64_t attempt_id) override;
  void Hangup(uint64_t attempt_id) override;
  size_t active() const { return calls_.size(); }

 private:
  void Emit(uint64_t id, TimePoint at, DriverEvent::Kind kind, CallEnd end, int sip);
  EventQueue& queue_;
  CitizenModel model_;
  uint64_t seed_;
  Sink sink_;
  std::unordered_map<uint64_t, bool> calls_;  // attempt -> answered
};

struct SimOptions {
  EngineOptions engine;
  int agents = 2;
  int days = 1;  // working days to simulate
  uint64_t seed = 1;
  CitizenModel citizens;
  TimePoint start{};  // the simulation starts at the first callable instant from here
  // What simulated agents typify when a person answers (weights; the seed's shares).
  std::vector<std::pair<std::string, double>> agent_dispositions = {
      {"ENCUESTA_EFECTIVA", 0.30},   {"ENCUESTA_NO_EFECTIVA", 0.24}, {"NO_REGISTRA_DATOS", 0.14},
      {"TELEFONO_EQUIVOCADO", 0.12}, {"CONMUTADOR", 0.06},           {"VOLVER_A_LLAMAR", 0.10},
      {"LINEA_DE_LA_ENTIDAD", 0.02}, {"YA_ENCUESTADO", 0.02}};
  double preview_seconds = 10;  // preview: time to read the record before dialing
  // Called after each completed survey (ENCUESTA_EFECTIVA) with (attempt, contact, agent,
  // started, ended): the CLI stores a random valid survey response there.
  std::function<Status(uint64_t, int64_t, const std::string&, TimePoint, TimePoint)> on_complete;
};

struct SimReport {
  EngineMetrics metrics;
  int days = 0;
  double agent_hours = 0;  // logged-in agent time
  double completes_per_agent_hour = 0;
  TimePoint started{};
  TimePoint ended{};
};

// Test and benchmark data: creates campaign `campaign_id` (a bare row) when missing and
// `contacts` synthetic contacts with 1-3 mobile phones each (+57 3xx numbers derived from
// `seed`; never real people's). Returns the number of contacts created.
Result<int> CreateSyntheticContacts(store::Db& db, const std::string& campaign_id, int contacts,
                                    uint64_t seed);

// Runs the engine over `options.days` working days of `calendar` with simulated citizens
// and agents. Everything is written to `db` (attempts, contact_dialing, and survey
// responses through on_complete). Errors: engine and store errors.
Result<SimReport> RunSimulation(store::Db& db, const CallingCalendar& calendar,
                                const SimOptions& options);

}  // namespace sondeo::dialer
