#include "dialer/simulate.h"

#include <algorithm>
#include <cmath>

#include "common/log.h"

namespace sondeo::dialer {
namespace {

using std::chrono::duration;
using std::chrono::duration_cast;

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t Hash(std::string_view s) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  return h;
}

double Uniform(std::mt19937_64& rng) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

Duration Secs(double s) { return duration_cast<Duration>(duration<double>(s)); }

}  // namespace

void EventQueue::At(TimePoint t, std::function<void()> fn) {
  q_.push(Item{t, seq_++, std::move(fn)});
}

std::optional<TimePoint> EventQueue::NextTime() const {
  if (q_.empty()) return std::nullopt;
  return q_.top().at;
}

bool EventQueue::RunUntil(TimePoint limit) {
  bool ran = false;
  while (!q_.empty() && q_.top().at <= limit) {
    Item item = q_.top();
    q_.pop();
    if (item.at > clock_.Now()) clock_.Set(item.at);
    item.fn();
    ran = true;
  }
  return ran;
}

void SimulatedDriver::Emit(uint64_t id, TimePoint at, DriverEvent::Kind kind, CallEnd end,
                           int sip) {
  queue_.At(at, [this, id, kind, end, sip] {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;  // cancelled or hung up already
    DriverEvent ev;
    ev.attempt_id = id;
    ev.kind = kind;
    ev.end = end;
    ev.sip_code = sip;
    ev.at = queue_.clock().Now();
    if (kind == DriverEvent::Kind::kAnswered) it->second = true;
    if (kind == DriverEvent::Kind::kFinished) calls_.erase(it);
    if (sink_) sink_(ev);
  });
}

Status SimulatedDriver::Originate(const OriginateRequest& r) {
  const TimePoint now = queue_.clock().Now();
  calls_[r.attempt_id] = false;
  const uint64_t phone_hash = SplitMix(seed_ ^ Hash(r.e164));
  const double phone_u = static_cast<double>(phone_hash >> 11) / 9007199254740992.0;
  if (phone_u < model_.invalid_share) {
    Emit(r.attempt_id, now + std::chrono::seconds(1), DriverEvent::Kind::kFinished,
         CallEnd::kInvalidNumber, 404);
    return Status::Ok();
  }
  if (phone_u < model_.invalid_share + model_.damaged_share) {
    Emit(r.attempt_id, now + std::chrono::seconds(2), DriverEvent::Kind::kFinished,
         CallEnd::kDamaged, 410);
    return Status::Ok();
  }
  std::mt19937_64 rng(SplitMix(seed_ * 31 + r.attempt_id));
  const double u = Uniform(rng);
  const int64_t local_ms = ToUnixMillis(now) + model_.utc_offset.count() * 60000;
  const auto hour = static_cast<size_t>(((local_ms / 3600000) % 24 + 24) % 24);
  const double live = std::clamp(model_.live_answer_rate * model_.hour_factor[hour], 0.0, 1.0);
  const double timeout = duration<double>(r.ring_timeout).count();
  const TimePoint ring_at = now + std::chrono::seconds(1);
  if (u < model_.busy_share) {
    Emit(r.attempt_id, now + Secs(2 + 3 * Uniform(rng)), DriverEvent::Kind::kFinished,
         CallEnd::kBusy, 486);
    return Status::Ok();
  }
  Emit(r.attempt_id, ring_at, DriverEvent::Kind::kRinging, CallEnd::kAnswered, 180);
  if (u < model_.busy_share + model_.voicemail_share) {
    Emit(r.attempt_id, now + Secs(std::min(15 + 10 * Uniform(rng), timeout - 1)),
         DriverEvent::Kind::kFinished, CallEnd::kVoicemail, 200);
    return Status::Ok();
  }
  if (u < model_.busy_share + model_.voicemail_share + live) {
    // Ring-to-answer: 3 s + exponential, redrawn until it fits in the ring timeout.
    const double extra = std::max(model_.mean_ring_to_answer - 3, 0.5);
    std::exponential_distribution<double> exp(1.0 / extra);
    double ring = 0;
    for (int i = 0; i < 20; ++i) {
      ring = 3 + exp(rng);
      if (ring < timeout - 0.5) break;
      ring = timeout / 2;
    }
    Emit(r.attempt_id, now + Secs(ring), DriverEvent::Kind::kAnswered, CallEnd::kAnswered, 200);
    return Status::Ok();
  }
  Emit(r.attempt_id, now + r.ring_timeout, DriverEvent::Kind::kFinished, CallEnd::kNoAnswer, 487);
  return Status::Ok();
}

void SimulatedDriver::Cancel(uint64_t attempt_id) {
  auto it = calls_.find(attempt_id);
  if (it == calls_.end() || it->second) return;
  calls_.erase(it);
  calls_[attempt_id] = false;
  Emit(attempt_id, queue_.clock().Now(), DriverEvent::Kind::kFinished, CallEnd::kNoAnswer, 487);
}

void SimulatedDriver::Hangup(uint64_t attempt_id) {
  auto it = calls_.find(attempt_id);
  if (it == calls_.end()) return;
  // Pending events of this call are dropped: re-register so only the hang-up is delivered.
  calls_.erase(it);
  calls_[attempt_id] = true;
  Emit(attempt_id, queue_.clock().Now(), DriverEvent::Kind::kFinished, CallEnd::kHungUp, 200);
}

namespace {

class SimAgents {
 public:
  SimAgents(EventQueue& q, Engine& engine, const SimOptions& o)
      : q_(q), engine_(engine), o_(o), rng_(SplitMix(o.seed ^ 0xa6e47ULL)) {
    double total = 0;
    for (const auto& [code, w] : o.agent_dispositions) total += w;
    double acc = 0;
    for (const auto& [code, w] : o.agent_dispositions) {
      acc += w / total;
      cumulative_.emplace_back(acc, code);
    }
  }

  void OnEvent(const AgentEvent& ev) {
    const TimePoint now = q_.clock().Now();
    switch (ev.kind) {
      case AgentEvent::Kind::kConnected: {
        const double mu =
            std::log(o_.citizens.mean_talk) - o_.citizens.talk_sigma * o_.citizens.talk_sigma / 2;
        std::lognormal_distribution<double> talk(mu, o_.citizens.talk_sigma);
        const TimePoint end = now + Secs(std::clamp(talk(rng_), 15.0, 1800.0));
        started_[ev.attempt_id] = now;
        q_.At(end, [this, ev] {
          Check(engine_.AgentHangup(ev.attempt_id));
          WrapUp(ev);
        });
        break;
      }
      case AgentEvent::Kind::kEnded:
        WrapUp(ev);
        break;
      case AgentEvent::Kind::kReady:
        if (engine_options_preview_) SchedulePreview(ev.agent, now + Secs(o_.preview_seconds));
        break;
      case AgentEvent::Kind::kPhoneFailed:  // simulated agents' phones always answer
        break;
    }
  }

  void SchedulePreview(const std::string& agent, TimePoint at) {
    q_.At(at, [this, agent] {
      if (closed_) return;
      auto r = engine_.PreviewDial(agent);
      if (!r.ok()) return;  // not ready (logged out, or already on a call)
      if (!*r) {
        // Nothing due: ask again when something is due (or in a minute).
        const TimePoint now = q_.clock().Now();
        TimePoint next = now + std::chrono::minutes(1);
        if (auto due = engine_.scheduler().NextDue(); due && *due > now && *due < next) next = *due;
        SchedulePreview(agent, next);
      }
    });
  }

  void WrapUp(const AgentEvent& ev) {
    std::exponential_distribution<double> wrap(1.0 / std::max(o_.citizens.mean_wrap - 5, 1.0));
    const TimePoint end = q_.clock().Now() + Secs(5 + wrap(rng_));
    q_.At(end, [this, ev] {
      const double u = Uniform(rng_);
      std::string code = cumulative_.back().second;
      for (const auto& [c, name] : cumulative_) {
        if (u <= c) {
          code = name;
          break;
        }
      }
      std::optional<TimePoint> cb;
      if (code == kVolverALlamar) {
        // The citizen names a time: from 30 min to two days ahead (maybe outside the
        // windows; the scheduler moves it to the next callable instant).
        cb = q_.clock().Now() + Secs(1800 + Uniform(rng_) * 2 * 86400);
      }
      if (code == kEncuestaEfectiva && o_.on_complete) {
        Check(o_.on_complete(ev.attempt_id, ev.contact_id, ev.agent, started_[ev.attempt_id],
                             q_.clock().Now()));
      }
      started_.erase(ev.attempt_id);
      Check(engine_.Dispose(ev.attempt_id, code, cb));
    });
  }

  void Check(const Status& s) {
    if (!s.ok() && error_.ok()) error_ = s;
  }
  const Status& error() const { return error_; }
  void set_preview(bool p) { engine_options_preview_ = p; }
  void set_closed(bool c) { closed_ = c; }

 private:
  EventQueue& q_;
  Engine& engine_;
  const SimOptions& o_;
  std::mt19937_64 rng_;
  std::vector<std::pair<double, std::string>> cumulative_;
  std::unordered_map<uint64_t, TimePoint> started_;
  Status error_;
  bool engine_options_preview_ = false;
  bool closed_ = false;
};

}  // namespace

Result<int> CreateSyntheticContacts(store::Db& db, const std::string& campaign_id, int contacts,
                                    uint64_t seed) {
  auto txn = store::Transaction::Begin(db);
  if (!txn) return txn.error();
  {
    auto st = db.Prepare("INSERT OR IGNORE INTO campaigns (id, name, created_ms) VALUES (?, ?, 0)");
    if (!st) return st.error();
    st->Bind(1, campaign_id).Bind(2, "Simulación " + campaign_id);
    if (Status s = st->Run(); !s.ok()) return s;
  }
  auto contact = db.Prepare(
      "INSERT INTO contacts (campaign_id, source_row, nombres, municipio) VALUES (?, ?, ?, ?)");
  if (!contact) return contact.error();
  auto phone = db.Prepare(
      "INSERT INTO phones (contact_id, e164, type, position) VALUES (?, ?, 'mobile', ?)");
  if (!phone) return phone.error();
  std::mt19937_64 rng(SplitMix(seed ^ 0x5eedULL));
  for (int i = 0; i < contacts; ++i) {
    contact->Reset();
    contact->Bind(1, campaign_id)
        .Bind(2, i + 1)
        .Bind(3, "Ciudadano " + std::to_string(i + 1))
        .Bind(4, "Bogotá");
    if (Status s = contact->Run(); !s.ok()) return s;
    const int64_t id = db.LastInsertRowId();
    const int n = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < n; ++k) {
      phone->Reset();
      const uint64_t digits = 3000000000ULL + rng() % 250000000ULL;
      phone->Bind(1, id).Bind(2, "+57" + std::to_string(digits)).Bind(3, k);
      if (Status s = phone->Run(); !s.ok()) return s;
    }
  }
  if (Status s = txn->Commit(); !s.ok()) return s;
  return contacts;
}

Result<SimReport> RunSimulation(store::Db& db, const CallingCalendar& calendar,
                                const SimOptions& options) {
  const TimePoint first = calendar.NextCallable(options.start);
  if (first == TimePoint::max()) {
    return Status::InvalidArgument("el calendario de la campaña no tiene horas hábiles");
  }
  ManualClock clock(first);
  EventQueue queue(clock);
  SimulatedDriver driver(queue, options.citizens, options.seed);
  auto engine = Engine::Open(db, clock, calendar, driver, options.engine);
  if (!engine) return engine.error();
  Engine& e = **engine;
  SimAgents agents(queue, e, options);
  agents.set_preview(options.engine.mode == DialMode::kPreview);
  e.SetAgentSink([&agents](const AgentEvent& ev) { agents.OnEvent(ev); });

  std::vector<std::string> names;
  for (int i = 1; i <= options.agents; ++i) {
    names.push_back(fmt::format("agente{:02d}", i));
  }
  SimReport report;
  report.started = first;
  int64_t last_day = INT64_MIN;
  TimePoint t = first;
  while (true) {
    t = calendar.NextCallable(t);
    if (t == TimePoint::max()) break;
    const int64_t day = calendar.LocalDay(t);
    if (day != last_day) {
      if (report.days == options.days) break;
      ++report.days;
      last_day = day;
    }
    const TimePoint window_end = calendar.WindowEnd(t);
    if (clock.Now() < t) clock.Set(t);
    agents.set_closed(false);
    for (const auto& n : names) {
      if (Status s = e.LogIn(n); !s.ok()) return s;
    }
    report.agent_hours +=
        static_cast<double>(options.agents) * duration<double>(window_end - t).count() / 3600;
    while (true) {
      if (!agents.error().ok()) return agents.error();
      if (!e.event_error().ok()) return e.event_error();
      std::optional<TimePoint> next = queue.NextTime();
      if (auto w = e.NextWakeup(); w && (!next || *w < *next)) next = w;
      if (!next || *next >= window_end) break;
      if (*next > clock.Now()) clock.Set(*next);
      queue.RunUntil(*next);
      if (Status s = e.Tick(); !s.ok()) return s;
    }
    // Window over: no new calls; calls in progress end and are typified.
    clock.Set(std::max(clock.Now(), window_end));
    agents.set_closed(true);
    for (const auto& n : names) {
      if (Status s = e.LogOut(n); !s.ok()) return s;
    }
    while (!queue.empty()) {
      queue.RunUntil(*queue.NextTime());
      if (!agents.error().ok()) return agents.error();
      if (!e.event_error().ok()) return e.event_error();
      if (Status s = e.Tick(); !s.ok()) return s;
    }
    e.FlushAgentTime();
    t = clock.Now();
  }
  e.FlushAgentTime();
  report.ended = clock.Now();
  report.metrics = e.metrics();
  report.completes_per_agent_hour =
      report.agent_hours > 0 ? static_cast<double>(report.metrics.completes) / report.agent_hours
                             : 0;
  return report;
}

}  // namespace sondeo::dialer
