#pragma once
// The dialing engine of one campaign: it owns the scheduler and the agents' states, asks the
// pacer how many calls to place, records every attempt transition in SQLite and only then
// asks the driver to act.
//
// Attempt state machine (attempts.state):
//   queued -> dialing -> ringing -> answered -> connected -> wrapup -> disposed
//   (dialing|ringing -> disposed for unanswered calls with a system disposition;
//    answered -> disposed with ABANDONADA when no agent connects within 2 s).
// Durability: each public entry point runs in ONE transaction that commits before any
// driver command or agent notification it caused is carried out (an outbox), so a crash
// can never dial a number twice for the same attempt. Open() recovers: attempts not yet
// disposed become INTERRUMPIDA (no attempt consumed) and their contacts are rescheduled.
//
// Threading: not thread-safe; every call (driver events included) on the owner's thread.
// Time comes from the Clock given to Open (a ManualClock on virtual time in simulation).
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "dialer/call_calendar.h"
#include "dialer/driver.h"
#include "dialer/pacer.h"
#include "dialer/scheduler.h"
#include "store/db.h"

namespace sondeo::dialer {

// A result the agent's desk made durable before Engine::Dispose could run (see
// EngineOptions::recover_result).
struct RecoveredResult {
  std::string code;  // an agent disposition of the catalogue
  std::optional<TimePoint> callback_at;
  std::string notes;
};

struct EngineOptions {
  std::string campaign_id;
  DialMode mode = DialMode::kProgressive;
  SchedulerOptions scheduler;
  double max_abandon_rate = 0.03;
  Duration ring_timeout = std::chrono::seconds(30);
  std::string caller_id;
  // An answered pool call abandoned when no agent connects within this time.
  Duration connect_grace = std::chrono::seconds(2);
  // Predictive re-evaluates at least this often while calls are in flight.
  Duration pacing_tick = std::chrono::seconds(1);
  double target_fraction = 0.15;  // PacerInput::target_fraction (tuned: bench/dialer)
  size_t talk_samples = 300;      // recent talk times kept for the pacer
  // Open() asks this for every attempt it finds not yet disposed. When it returns a result
  // (the owner durably recorded the agent's typification but crashed before Dispose), the
  // attempt is disposed with that code, as Dispose would have, instead of INTERRUMPIDA.
  // Unknown or non-agent codes fall back to INTERRUMPIDA. Empty: always INTERRUMPIDA.
  std::function<std::optional<RecoveredResult>(uint64_t attempt_id)> recover_result;
};

struct AgentEvent {
  enum class Kind {
    kConnected,  // a call is connected to the agent: talk now, then AgentHangup()
    kEnded,      // the citizen hung up: wrap up, then Dispose()
    kReady,      // the agent is free and waiting (preview: ask for the next contact)
    // The agent's phone could not be connected to the call (DriverEvent::kAgentFailed): the
    // call was abandoned (ABANDONADA, no attempt consumed) and the agent is logged out until
    // they log in again (a phone that does not answer must not take more calls).
    kPhoneFailed,
  };
  Kind kind = Kind::kConnected;
  std::string agent;
  uint64_t attempt_id = 0;
  int64_t contact_id = 0;
};

struct EngineMetrics {
  int64_t attempts = 0;  // disposed in this session
  int64_t answered = 0;  // live answers
  int64_t abandoned = 0;
  int64_t completes = 0;  // dispositions with the complete flag
  int64_t interrupted_on_open = 0;
  int64_t agent_leg_failures = 0;  // DriverEvent::kAgentFailed on a connected call
  double talk_seconds = 0;         // agents' talk, wrap-up and idle (ready or waiting for a call)
  double wrap_seconds = 0;
  double idle_seconds = 0;
  std::map<std::string, int64_t> by_disposition;  // attempts disposed in this session
  double occupancy() const {
    const double busy = talk_seconds + wrap_seconds;
    return busy + idle_seconds <= 0 ? 0 : busy / (busy + idle_seconds);
  }
  double abandon_rate() const {
    return answered == 0 ? 0 : static_cast<double>(abandoned) / static_cast<double>(answered);
  }
};

class Engine {
 public:
  using AgentSink = std::function<void(const AgentEvent&)>;

  // Loads the campaign's contacts and dialing state, recovers interrupted attempts, and
  // registers itself as the driver's sink. `db`, `clock`, `calendar` and `driver` must
  // outlive the engine. Errors: kNotFound (unknown campaign), store errors.
  static Result<std::unique_ptr<Engine>> Open(store::Db& db, const Clock& clock,
                                              const CallingCalendar& calendar, Driver& driver,
                                              EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void SetAgentSink(AgentSink sink) { agent_sink_ = std::move(sink); }

  // Agents. An agent logs in ready; LogOut takes effect when the agent is next free.
  Status LogIn(const std::string& agent);
  Status LogOut(const std::string& agent);
  // Preview: the agent asks for the next contact and dials it. Returns the attempt id, or
  // nullopt when nothing is due now. kFailedPrecondition when the agent is not ready.
  Result<std::optional<uint64_t>> PreviewDial(const std::string& agent);
  // The agent ends the conversation: the attempt goes to wrap-up.
  Status AgentHangup(uint64_t attempt_id);
  // The agent typifies: the attempt is disposed and the agent is ready again.
  // kInvalidArgument for a code the agent may not set; kNotFound for an unknown attempt.
  Status Dispose(uint64_t attempt_id, const std::string& code,
                 std::optional<TimePoint> callback_at = std::nullopt,
                 const std::string& notes = "");

  // A driver event (the engine registers this as the driver's sink in Open).
  void OnDriverEvent(const DriverEvent& event);
  // Abandons answers that waited too long and places the calls the pacer asks for.
  Status Tick();
  // When Tick() should run next at the latest (deadlines, due contacts, pacing).
  std::optional<TimePoint> NextWakeup() const;
  // Closes the books on the agents' time (call before reading metrics at the end).
  void FlushAgentTime();

  const EngineMetrics& metrics() const { return metrics_; }
  const Scheduler& scheduler() const { return scheduler_; }
  size_t calls_in_flight() const { return attempts_.size(); }
  // The first error that happened inside a driver event (events cannot return one).
  const Status& event_error() const { return event_error_; }
  // Last pacing decision (for the supervisor page and benchmarks).
  const PacerDecision& last_decision() const { return last_decision_; }

 private:
  enum class AgentState { kOffline, kReady, kReserved, kTalking, kWrapUp };
  struct Agent {
    AgentState state = AgentState::kReady;
    uint64_t attempt_id = 0;
    TimePoint since{};
    bool logging_out = false;
  };
  enum class CallState { kDialing, kRinging, kAnswered, kConnected, kWrapUp };
  struct Call {
    uint64_t id = 0;
    int64_t contact_id = 0;
    size_t phone_index = 0;
    std::string agent;  // reserved or connected agent
    bool reserved = false;
    CallState state = CallState::kDialing;
    TimePoint dial_at{}, answer_at{}, connect_at{}, end_at{};
    bool live = false;
  };
  class Txn;

  Engine(store::Db& db, const Clock& clock, const CallingCalendar& calendar, Driver& driver,
         EngineOptions options);
  Status Load();
  Status Recover();
  Status Dial(const Scheduler::Pick& pick, const std::string& agent);
  struct FinishArgs {
    std::string code;
    int sip_code = 0;
    bool abandoned = false;
    std::optional<TimePoint> callback_at;
    std::string notes;
  };
  // Disposes the attempt, applies its outcome to the contact and forgets the call.
  Status Finish(uint64_t attempt_id, const FinishArgs& args);
  Status SaveContact(const ContactState& s);
  Status UpdateState(uint64_t id, std::string_view state, std::string_view column);
  Status Connect(Call& call, const std::string& agent);
  Status AgentFree(const std::string& agent);
  Status Pace();
  void SetAgentState(Agent& a, AgentState s);
  void CountDay();
  void Flush();
  Status HandleEvent(const DriverEvent& e);

  store::Db& db_;
  const Clock& clock_;
  const CallingCalendar& calendar_;
  Driver& driver_;
  EngineOptions options_;
  Scheduler scheduler_;
  AgentSink agent_sink_;
  std::map<std::string, Agent> agents_;
  std::unordered_map<uint64_t, Call> attempts_;  // not yet disposed
  std::deque<uint64_t> waiting_;                 // answered pool calls waiting for an agent
  std::vector<std::function<void()>> outbox_;    // driver commands and agent notifications
  PacingStats stats_;
  AbandonCounters abandons_;
  int64_t counted_day_ = 0;
  EngineMetrics metrics_;
  PacerDecision last_decision_;
  Status event_error_;
  std::optional<TimePoint> last_pace_;
};

}  // namespace sondeo::dialer
