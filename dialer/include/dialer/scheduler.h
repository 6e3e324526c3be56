#pragma once
// The attempt scheduler: which contact and which phone come next. Pure (no I/O, no clock of
// its own: every call takes `now`), so it is tested without a database and runs the same
// live, in tests and in accelerated simulation.
//
// Index-driven: pending contacts sit in ordered due-time queues (std::set keyed by due time
// and contact id), so a pick costs O(log n) whatever the number of contacts. Queues, tried
// in this order:
//   1. the agent's own callbacks (VOLVER A LLAMAR with that agent), at their time;
//   2. callbacks anyone may take: unassigned ones at their time, assigned ones after the
//      grace period;
//   3. "reserved" retries: contacts abandoned less than 72 h ago, only with an agent
//      reserved for the call (never in the predictive pool);
//   4. ordinary due contacts (first attempts and retries).
// Nothing is ever picked outside the calendar's windows or on a closed day: due times are
// moved to the next callable instant when computed, and a pick at a non-callable instant
// returns nothing.
//
// Thread-compatible: one Scheduler per campaign, used from the engine's thread.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "dialer/call_calendar.h"
#include "dialer/dispositions.h"

namespace sondeo::dialer {

struct SchedulerOptions {
  int max_attempts_per_contact = 6;  // consumed attempts over the whole campaign
  int max_attempts_per_phone = 4;
  int max_attempts_per_day = 2;  // per contact per local day
  // An assigned callback waits this long for its agent before anyone may take it.
  Duration callback_grace = std::chrono::minutes(10);
  // An abandoned number is re-dialed within this time only with an agent reserved for it.
  Duration abandon_quarantine = std::chrono::hours(72);
  // After a two-way contact (not a callback request), no new call the same local day
  // (Ley 2300 de 2023 art. 3: at most one contact per day).
  bool one_contact_per_day = true;
  std::vector<DispositionRule> dispositions = DefaultDispositions();
};

enum class ContactStatus { kPending, kInFlight, kFinal };
std::string_view ContactStatusName(ContactStatus s);  // "pending", "in_flight", "final"

struct PhoneState {
  int64_t phone_id = 0;
  std::string e164;
  int attempts = 0;   // consumed attempts on this phone
  bool dead = false;  // invalid, damaged, wrong number...: never dialed again
};

struct ContactState {
  int64_t contact_id = 0;
  ContactStatus status = ContactStatus::kPending;
  std::vector<PhoneState> phones;  // in dialing order (phones.position)
  int attempts = 0;                // consumed attempts
  int dials = 0;                   // every attempt, consumed or not (attempt numbers)
  int attempts_today = 0;          // consumed attempts on local day `day`
  int64_t day = 0;
  TimePoint next_due{};  // the earliest instant it may be dialed again
  std::optional<TimePoint> callback_at;
  std::string callback_agent;                        // "" = anyone
  std::optional<TimePoint> reserved_until;           // abandoned: reserved agent only until then
  std::vector<std::pair<std::string, int>> retries;  // times each disposition occurred
  std::string last_disposition;                      // of the last attempt that consumed an attempt
  std::string final_disposition;                     // set exactly once, when status becomes kFinal
  int64_t last_attempt_id = 0;
};

// What an attempt came to (input to ApplyOutcome).
struct AttemptOutcome {
  int64_t attempt_id = 0;
  std::string disposition;
  TimePoint at{};                        // when the attempt ended (wrap-up end)
  size_t phone_index = 0;                // index into ContactState::phones of the phone dialed
  std::optional<TimePoint> callback_at;  // requested by the agent (VOLVER A LLAMAR)
  std::string agent;                     // who handled it ("" = nobody)
};

// The index of the phone to dial next: the first phone in order that is not dead and under
// the per-phone cap; nullopt when none is left.
std::optional<size_t> ChoosePhone(const SchedulerOptions& options, const ContactState& s);

// Pure: the contact's state after an attempt. Counts the attempt when its disposition
// consumes one, marks the phone dead on next-phone dispositions, and either finalises the
// contact (final disposition, a disposition's retry_max exceeded, per-contact cap reached,
// or no phone left: the final disposition is then that of its last attempt) or computes the
// next due time (retry delay, callback time, per-day cap, one contact per day), always moved
// to a callable instant. Unknown codes are treated as final.
ContactState ApplyOutcome(const SchedulerOptions& options, const CallingCalendar& calendar,
                          ContactState s, const AttemptOutcome& outcome);

class Scheduler {
 public:
  // `calendar` must outlive the scheduler.
  Scheduler(SchedulerOptions options, const CallingCalendar& calendar);

  // Adds or replaces a contact and (re)indexes it. A pending contact whose next_due is not
  // callable is moved to its next callable instant.
  void Upsert(ContactState s);
  const ContactState* Find(int64_t contact_id) const;

  struct Pick {
    int64_t contact_id = 0;
    size_t phone_index = 0;
    int64_t phone_id = 0;
    std::string e164;
    int attempt_number = 0;  // dials + 1
    bool callback = false;   // a VOLVER A LLAMAR
    bool reserved = false;   // must be dialed with an agent reserved for it
  };
  // For an agent who will take the call (preview, progressive, or a reserved call in
  // predictive): queues 1-4. The contact becomes kInFlight.
  std::optional<Pick> PickForAgent(TimePoint now, std::string_view agent);
  // For the agent-less predictive pool: ordinary due contacts only (queue 4).
  std::optional<Pick> PickForPool(TimePoint now);
  // True when PickForAgent would return something that PickForPool would not (a callback
  // or reserved retry is due now for `agent`).
  bool HasReservedWork(TimePoint now, std::string_view agent) const;

  // Applies an attempt's outcome to an in-flight contact and re-indexes it. Returns the new
  // state (valid until the next call), or nullptr for an unknown contact.
  const ContactState* Complete(int64_t contact_id, const AttemptOutcome& outcome);

  // The earliest due time in any queue (for sleeping until there is work).
  std::optional<TimePoint> NextDue() const;

  size_t pending() const { return pending_; }
  size_t in_flight() const { return in_flight_; }
  size_t finals() const { return finals_; }
  const SchedulerOptions& options() const { return options_; }
  const CallingCalendar& calendar() const { return calendar_; }
  template <typename F>
  void ForEach(F f) const {
    for (const auto& [id, c] : contacts_) f(c.state);
  }

 private:
  using Key = std::pair<int64_t, int64_t>;  // (due ms, contact id)
  using Queue = std::set<Key>;
  struct Entry {
    ContactState state;
    // Where it is indexed (due ms per queue; INT64_MIN = not in that queue).
    int64_t agent_cb = INT64_MIN;
    int64_t any_cb = INT64_MIN;
    int64_t reserved = INT64_MIN;
    int64_t regular = INT64_MIN;
  };

  void Index(Entry& e);
  void Unindex(Entry& e);
  // Pops the first due, still-valid key of `q` at `now` (lazily fixing per-day caps).
  std::optional<Pick> PopFrom(Queue& q, TimePoint now);
  std::optional<Pick> Take(Entry& e);
  bool DayCapped(const ContactState& s, TimePoint now) const;

  SchedulerOptions options_;
  const CallingCalendar& calendar_;
  std::unordered_map<int64_t, Entry> contacts_;
  std::unordered_map<std::string, Queue> agent_cb_;
  Queue any_cb_;
  Queue reserved_;
  Queue regular_;
  size_t pending_ = 0;
  size_t in_flight_ = 0;
  size_t finals_ = 0;
};

}  // namespace sondeo::dialer
