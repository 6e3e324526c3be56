#include "dialer/scheduler.h"

#include <algorithm>

namespace sondeo::dialer {
namespace {

constexpr int64_t kNone = INT64_MIN;

int64_t Ms(TimePoint t) { return ToUnixMillis(t); }

int& RetryCount(ContactState& s, const std::string& code) {
  for (auto& [c, n] : s.retries) {
    if (c == code) return n;
  }
  s.retries.emplace_back(code, 0);
  return s.retries.back().second;
}

void Finalize(ContactState& s, std::string code) {
  s.status = ContactStatus::kFinal;
  s.final_disposition = std::move(code);
  s.callback_at.reset();
  s.callback_agent.clear();
}

}  // namespace

std::string_view ContactStatusName(ContactStatus s) {
  switch (s) {
    case ContactStatus::kPending:
      return "pending";
    case ContactStatus::kInFlight:
      return "in_flight";
    case ContactStatus::kFinal:
      return "final";
  }
  return "pending";
}

std::optional<size_t> ChoosePhone(const SchedulerOptions& options, const ContactState& s) {
  for (size_t i = 0; i < s.phones.size(); ++i) {
    const auto& p = s.phones[i];
    if (!p.dead && p.attempts < options.max_attempts_per_phone) return i;
  }
  return std::nullopt;
}

ContactState ApplyOutcome(const SchedulerOptions& options, const CallingCalendar& calendar,
                          ContactState s, const AttemptOutcome& outcome) {
  const DispositionRule* rule = FindRule(options.dispositions, outcome.disposition);
  const bool consumes = rule == nullptr || rule->consumes_attempt;
  s.last_attempt_id = outcome.attempt_id;
  s.status = ContactStatus::kPending;
  const int64_t day = calendar.LocalDay(outcome.at);
  if (day != s.day) {
    s.day = day;
    s.attempts_today = 0;
  }
  PhoneState* phone =
      outcome.phone_index < s.phones.size() ? &s.phones[outcome.phone_index] : nullptr;
  if (consumes) {
    ++s.attempts;
    ++s.attempts_today;
    if (phone != nullptr) ++phone->attempts;
    s.last_disposition = outcome.disposition;
  }
  s.callback_at.reset();
  s.callback_agent.clear();
  if (rule != nullptr && rule->next_phone && phone != nullptr) phone->dead = true;
  // A final disposition about the number (wrong number, entity's line...) ends the contact
  // only when no other phone is left to try.
  if (rule == nullptr ||
      (rule->final && !(rule->next_phone && ChoosePhone(options, s).has_value()))) {
    Finalize(s, outcome.disposition);
    return s;
  }
  const int times = ++RetryCount(s, outcome.disposition);
  const std::string& last = s.last_disposition.empty() ? outcome.disposition : s.last_disposition;
  if (rule->retry_max > 0 && times > rule->retry_max) {
    Finalize(s, outcome.disposition);
    return s;
  }
  if (s.attempts >= options.max_attempts_per_contact || !ChoosePhone(options, s)) {
    Finalize(s, last);
    return s;
  }
  TimePoint due = outcome.at + rule->retry_delay;
  if (rule->callback && outcome.callback_at) due = *outcome.callback_at;
  const TimePoint tomorrow = calendar.DayStart(day + 1);
  if (consumes && s.attempts_today >= options.max_attempts_per_day) due = std::max(due, tomorrow);
  if (options.one_contact_per_day && rule->contact && !rule->callback && !rule->abandoned)
    due = std::max(due, tomorrow);
  if (rule->abandoned) s.reserved_until = outcome.at + options.abandon_quarantine;
  s.next_due = calendar.NextCallable(due);
  if (rule->callback) {
    s.callback_at = s.next_due;
    s.callback_agent = outcome.agent;
  }
  return s;
}

Scheduler::Scheduler(SchedulerOptions options, const CallingCalendar& calendar)
    : options_(std::move(options)), calendar_(calendar) {}

void Scheduler::Index(Entry& e) {
  const ContactState& s = e.state;
  if (s.status != ContactStatus::kPending) return;
  const int64_t id = s.contact_id;
  if (s.callback_at) {
    const int64_t cb = Ms(*s.callback_at);
    if (!s.callback_agent.empty()) {
      e.agent_cb = cb;
      agent_cb_[s.callback_agent].insert({cb, id});
      e.any_cb = Ms(calendar_.NextCallable(*s.callback_at + options_.callback_grace));
    } else {
      e.any_cb = cb;
    }
    any_cb_.insert({e.any_cb, id});
    return;
  }
  if (s.reserved_until && s.next_due < *s.reserved_until) {
    e.reserved = Ms(s.next_due);
    reserved_.insert({e.reserved, id});
    e.regular = Ms(calendar_.NextCallable(*s.reserved_until));
  } else {
    e.regular = Ms(s.next_due);
  }
  regular_.insert({e.regular, id});
}

void Scheduler::Unindex(Entry& e) {
  const int64_t id = e.state.contact_id;
  if (e.agent_cb != kNone) {
    auto it = agent_cb_.find(e.state.callback_agent);
    // Empty per-agent queues stay in the map: PopFrom may be iterating one of them.
    if (it != agent_cb_.end()) it->second.erase({e.agent_cb, id});
  }
  if (e.any_cb != kNone) any_cb_.erase({e.any_cb, id});
  if (e.reserved != kNone) reserved_.erase({e.reserved, id});
  if (e.regular != kNone) regular_.erase({e.regular, id});
  e.agent_cb = e.any_cb = e.reserved = e.regular = kNone;
}

void Scheduler::Upsert(ContactState s) {
  auto [it, inserted] = contacts_.try_emplace(s.contact_id);
  Entry& e = it->second;
  if (!inserted) {
    Unindex(e);
    switch (e.state.status) {
      case ContactStatus::kPending:
        --pending_;
        break;
      case ContactStatus::kInFlight:
        --in_flight_;
        break;
      case ContactStatus::kFinal:
        --finals_;
        break;
    }
  }
  if (s.status == ContactStatus::kPending) {
    if (!ChoosePhone(options_, s)) {
      Finalize(s,
               s.last_disposition.empty() ? std::string("TELEFONO_INVALIDO") : s.last_disposition);
    } else {
      s.next_due = calendar_.NextCallable(s.next_due);
      if (s.callback_at) s.callback_at = calendar_.NextCallable(*s.callback_at);
    }
  }
  e.state = std::move(s);
  switch (e.state.status) {
    case ContactStatus::kPending:
      ++pending_;
      break;
    case ContactStatus::kInFlight:
      ++in_flight_;
      break;
    case ContactStatus::kFinal:
      ++finals_;
      break;
  }
  Index(e);
}

const ContactState* Scheduler::Find(int64_t contact_id) const {
  auto it = contacts_.find(contact_id);
  return it == contacts_.end() ? nullptr : &it->second.state;
}

bool Scheduler::DayCapped(const ContactState& s, TimePoint now) const {
  return s.day == calendar_.LocalDay(now) && s.attempts_today >= options_.max_attempts_per_day;
}

std::optional<Scheduler::Pick> Scheduler::PopFrom(Queue& q, TimePoint now) {
  const int64_t now_ms = Ms(now);
  while (!q.empty() && q.begin()->first <= now_ms) {
    const int64_t id = q.begin()->second;
    Entry& e = contacts_.at(id);
    if (DayCapped(e.state, now)) {
      // Defensive: ApplyOutcome already moves capped contacts to the next day.
      Unindex(e);
      e.state.next_due = calendar_.NextCallable(calendar_.DayStart(calendar_.LocalDay(now) + 1));
      if (e.state.callback_at) e.state.callback_at = e.state.next_due;
      Index(e);
      continue;
    }
    auto phone = ChoosePhone(options_, e.state);
    if (!phone) {
      Unindex(e);
      --pending_;
      ++finals_;
      Finalize(e.state, e.state.last_disposition.empty() ? std::string("TELEFONO_INVALIDO")
                                                         : e.state.last_disposition);
      continue;
    }
    Pick p;
    p.contact_id = id;
    p.phone_index = *phone;
    p.phone_id = e.state.phones[*phone].phone_id;
    p.e164 = e.state.phones[*phone].e164;
    p.callback = e.state.callback_at.has_value();
    p.reserved = p.callback || (e.state.reserved_until && now < *e.state.reserved_until);
    Unindex(e);
    e.state.status = ContactStatus::kInFlight;
    ++e.state.dials;
    p.attempt_number = e.state.dials;
    --pending_;
    ++in_flight_;
    return p;
  }
  return std::nullopt;
}

std::optional<Scheduler::Pick> Scheduler::PickForAgent(TimePoint now, std::string_view agent) {
  if (!calendar_.IsCallable(now)) return std::nullopt;
  if (auto it = agent_cb_.find(std::string(agent)); it != agent_cb_.end()) {
    if (auto p = PopFrom(it->second, now)) return p;
  }
  if (auto p = PopFrom(any_cb_, now)) return p;
  if (auto p = PopFrom(reserved_, now)) return p;
  return PopFrom(regular_, now);
}

std::optional<Scheduler::Pick> Scheduler::PickForPool(TimePoint now) {
  if (!calendar_.IsCallable(now)) return std::nullopt;
  return PopFrom(regular_, now);
}

bool Scheduler::HasReservedWork(TimePoint now, std::string_view agent) const {
  if (!calendar_.IsCallable(now)) return false;
  const int64_t now_ms = Ms(now);
  auto due = [&](const Queue& q) { return !q.empty() && q.begin()->first <= now_ms; };
  if (auto it = agent_cb_.find(std::string(agent)); it != agent_cb_.end() && due(it->second))
    return true;
  return due(any_cb_) || due(reserved_);
}

const ContactState* Scheduler::Complete(int64_t contact_id, const AttemptOutcome& outcome) {
  auto it = contacts_.find(contact_id);
  if (it == contacts_.end()) return nullptr;
  Entry& e = it->second;
  ContactState next = ApplyOutcome(options_, calendar_, e.state, outcome);
  Upsert(std::move(next));
  return &contacts_.at(contact_id).state;
}

std::optional<TimePoint> Scheduler::NextDue() const {
  std::optional<int64_t> best;
  auto consider = [&](const Queue& q) {
    if (!q.empty() && (!best || q.begin()->first < *best)) best = q.begin()->first;
  };
  for (const auto& [agent, q] : agent_cb_) consider(q);
  consider(any_cb_);
  consider(reserved_);
  consider(regular_);
  if (!best) return std::nullopt;
  return FromUnixMillis(*best);
}

}  // namespace sondeo::dialer
