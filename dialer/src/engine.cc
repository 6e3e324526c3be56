#include "dialer/engine.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>

#include "common/log.h"

namespace sondeo::dialer {
namespace {

using std::chrono::duration;

int64_t Ms(TimePoint t) { return ToUnixMillis(t); }
double Seconds(Duration d) { return duration<double>(d).count(); }

int64_t ParseInt(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (!s.empty()) {
    const size_t p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

std::string EncodePhones(const ContactState& s) {
  std::string out;
  for (const auto& p : s.phones) {
    if (!out.empty()) out += ';';
    out +=
        std::to_string(p.phone_id) + ':' + std::to_string(p.attempts) + ':' + (p.dead ? '1' : '0');
  }
  return out;
}

std::string EncodeRetries(const ContactState& s) {
  std::string out;
  for (const auto& [code, n] : s.retries) {
    if (!out.empty()) out += ';';
    out += code + ':' + std::to_string(n);
  }
  return out;
}

void Ewma(double& v, double x, int64_t n, double floor) {
  const double a = std::max(1.0 / static_cast<double>(std::max<int64_t>(n, 1)), floor);
  v += a * (x - v);
}

}  // namespace

std::string_view CallEndDisposition(CallEnd e) {
  switch (e) {
    case CallEnd::kNoAnswer:
      return kNoContesta;
    case CallEnd::kBusy:
      return kOcupado;
    case CallEnd::kVoicemail:
      return kCorreoDeVoz;
    case CallEnd::kInvalidNumber:
      return kNumeroInvalido;
    case CallEnd::kDamaged:
      return kTelefonoDanado;
    case CallEnd::kRejected:
      return "RECHAZADA";
    case CallEnd::kNetworkFailure:
      return kFallaDeRed;
    case CallEnd::kAnswered:
    case CallEnd::kHungUp:
      return "";
  }
  return kFallaDeRed;
}

// One transaction per public entry point; the outbox runs only after the commit.
class Engine::Txn {
 public:
  explicit Txn(Engine& e) : e_(e), t_(store::Transaction::Begin(e.db_)) {}
  Status status() const { return t_.status(); }
  Status Commit() {
    Status s = t_->Commit();
    if (!s.ok()) {
      e_.outbox_.clear();
      return s;
    }
    committed_ = true;
    e_.Flush();
    return s;
  }
  ~Txn() {
    if (!committed_) e_.outbox_.clear();
  }

 private:
  Engine& e_;
  Result<store::Transaction> t_;
  bool committed_ = false;
};

Engine::Engine(store::Db& db, const Clock& clock, const CallingCalendar& calendar, Driver& driver,
               EngineOptions options)
    : db_(db),
      clock_(clock),
      calendar_(calendar),
      driver_(driver),
      options_(std::move(options)),
      scheduler_(options_.scheduler, calendar) {
  stats_.ring_timeout = Seconds(options_.ring_timeout);
}

Engine::~Engine() { driver_.SetSink(nullptr); }

Result<std::unique_ptr<Engine>> Engine::Open(store::Db& db, const Clock& clock,
                                             const CallingCalendar& calendar, Driver& driver,
                                             EngineOptions options) {
  {
    auto st = db.Prepare("SELECT 1 FROM campaigns WHERE id = ?");
    if (!st) return st.error();
    st->Bind(1, options.campaign_id);
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) return Status::NotFound("campaña desconocida: " + options.campaign_id);
  }
  std::unique_ptr<Engine> e(new Engine(db, clock, calendar, driver, std::move(options)));
  Txn t(*e);
  if (!t.status().ok()) return t.status();
  Status s = e->Load();
  if (s.ok()) s = e->Recover();
  if (s.ok()) s = t.Commit();
  if (!s.ok()) return s;
  Engine* raw = e.get();
  driver.SetSink([raw](const DriverEvent& ev) { raw->OnDriverEvent(ev); });
  return e;
}

Status Engine::Load() {
  const int64_t now = Ms(clock_.Now());
  {
    auto st = db_.Prepare(
        "INSERT INTO contact_dialing (contact_id, campaign_id, status, next_due_ms, updated_ms)"
        " SELECT c.id, c.campaign_id, 'pending', 0, ? FROM contacts c WHERE c.campaign_id = ?"
        " AND NOT EXISTS (SELECT 1 FROM contact_dialing d WHERE d.contact_id = c.id)");
    if (!st) return st.error();
    st->Bind(1, now).Bind(2, options_.campaign_id);
    if (Status s = st->Run(); !s.ok()) return s;
  }
  std::unordered_map<int64_t, std::vector<PhoneState>> phones;
  {
    auto st = db_.Prepare(
        "SELECT p.contact_id, p.id, p.e164 FROM phones p JOIN contacts c ON c.id = p.contact_id"
        " WHERE c.campaign_id = ? ORDER BY p.contact_id, p.position, p.id");
    if (!st) return st.error();
    st->Bind(1, options_.campaign_id);
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      PhoneState p;
      p.phone_id = st->Int(1);
      p.e164 = st->Text(2);
      phones[st->Int(0)].push_back(std::move(p));
    }
  }
  auto st = db_.Prepare(
      "SELECT contact_id, status, attempts, dials, attempts_today, day, phones, retries,"
      " next_due_ms, callback_ms, callback_agent, reserved_until_ms, last_disposition,"
      " final_disposition, last_attempt_id FROM contact_dialing WHERE campaign_id = ?"
      " ORDER BY contact_id");
  if (!st) return st.error();
  st->Bind(1, options_.campaign_id);
  while (true) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    ContactState s;
    s.contact_id = st->Int(0);
    const std::string status = st->Text(1);
    s.status = status == "final"       ? ContactStatus::kFinal
               : status == "in_flight" ? ContactStatus::kInFlight
                                       : ContactStatus::kPending;
    s.attempts = static_cast<int>(st->Int(2));
    s.dials = static_cast<int>(st->Int(3));
    s.attempts_today = static_cast<int>(st->Int(4));
    s.day = st->Int(5);
    s.phones = std::move(phones[s.contact_id]);
    const std::string phone_text = st->Text(6);
    for (auto item : Split(phone_text, ';')) {
      auto f = Split(item, ':');
      if (f.size() != 3) continue;
      const int64_t id = ParseInt(f[0]);
      for (auto& p : s.phones) {
        if (p.phone_id == id) {
          p.attempts = static_cast<int>(ParseInt(f[1]));
          p.dead = f[2] == "1";
        }
      }
    }
    const std::string retries = st->Text(7);
    for (auto item : Split(retries, ';')) {
      auto f = Split(item, ':');
      if (f.size() == 2)
        s.retries.emplace_back(std::string(f[0]), static_cast<int>(ParseInt(f[1])));
    }
    s.next_due = FromUnixMillis(st->Int(8));
    if (auto cb = st->OptInt(9)) s.callback_at = FromUnixMillis(*cb);
    s.callback_agent = st->Text(10);
    if (auto r = st->OptInt(11)) s.reserved_until = FromUnixMillis(*r);
    s.last_disposition = st->Text(12);
    s.final_disposition = st->OptText(13).value_or("");
    s.last_attempt_id = st->OptInt(14).value_or(0);
    scheduler_.Upsert(std::move(s));
  }
  // Abandon counters: today and the rolling 30 days.
  counted_day_ = calendar_.LocalDay(clock_.Now());
  auto counts = db_.Prepare(
      "SELECT COALESCE(SUM(live), 0), COALESCE(SUM(abandoned), 0) FROM attempts"
      " WHERE campaign_id = ? AND answer_ms >= ?");
  if (!counts) return counts.error();
  for (int i = 0; i < 2; ++i) {
    const TimePoint since =
        i == 0 ? calendar_.DayStart(counted_day_) : calendar_.DayStart(counted_day_ - 29);
    counts->Reset();
    counts->Bind(1, options_.campaign_id).Bind(2, Ms(since));
    auto row = counts->Step();
    if (!row) return row.error();
    if (i == 0) {
      abandons_.day_live = counts->Int(0);
      abandons_.day_abandoned = counts->Int(1);
    } else {
      abandons_.rolling_live = counts->Int(0);
      abandons_.rolling_abandoned = counts->Int(1);
    }
  }
  return Status::Ok();
}

Status Engine::Recover() {
  const TimePoint now = clock_.Now();
  struct Open {
    int64_t id, contact_id, phone_id;
    std::string agent;
  };
  std::vector<Open> open;
  {
    auto st = db_.Prepare(
        "SELECT id, contact_id, COALESCE(phone_id, 0), COALESCE(agent, '') FROM attempts"
        " WHERE campaign_id = ? AND state <> 'disposed' ORDER BY id");
    if (!st) return st.error();
    st->Bind(1, options_.campaign_id);
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      open.push_back({st->Int(0), st->Int(1), st->Int(2), st->Text(3)});
    }
  }
  auto upd = db_.Prepare(
      "UPDATE attempts SET state = 'disposed', disposition = ?, consumed = ?,"
      " end_ms = COALESCE(end_ms, ?), wrapup_end_ms = ?, callback_ms = ?,"
      " notes = COALESCE(?, notes) WHERE id = ?");
  if (!upd) return upd.error();
  for (const auto& o : open) {
    // A typification the owner recorded before a crash is applied as Dispose would have.
    std::optional<RecoveredResult> recovered;
    const DispositionRule* rule = nullptr;
    if (options_.recover_result) {
      recovered = options_.recover_result(static_cast<uint64_t>(o.id));
      if (recovered) rule = FindRule(options_.scheduler.dispositions, recovered->code);
      if (rule == nullptr || !rule->by_agent) recovered.reset();
    }
    upd->Reset();
    upd->Bind(1, recovered ? std::string_view(recovered->code) : kInterrumpida);
    upd->Bind(2, recovered && rule->consumes_attempt ? 1 : 0);
    upd->Bind(3, Ms(now)).Bind(4, Ms(now));
    if (recovered && recovered->callback_at) {
      upd->Bind(5, Ms(*recovered->callback_at));
    } else {
      upd->BindNull(5);
    }
    if (recovered) {
      upd->Bind(6, recovered->notes);
    } else {
      upd->BindNull(6);
    }
    upd->Bind(7, o.id);
    if (Status s = upd->Run(); !s.ok()) return s;
    const ContactState* c = scheduler_.Find(o.contact_id);
    if (c == nullptr || c->status != ContactStatus::kInFlight) continue;
    AttemptOutcome out;
    out.attempt_id = o.id;
    out.disposition = recovered ? recovered->code : std::string(kInterrumpida);
    out.at = now;
    if (recovered) {
      out.callback_at = recovered->callback_at;
      out.agent = o.agent;
    }
    for (size_t i = 0; i < c->phones.size(); ++i) {
      if (c->phones[i].phone_id == o.phone_id) out.phone_index = i;
    }
    const ContactState* next = scheduler_.Complete(o.contact_id, out);
    if (Status s = SaveContact(*next); !s.ok()) return s;
    if (recovered) {
      ++metrics_.attempts;
      ++metrics_.by_disposition[recovered->code];
      if (rule->complete) ++metrics_.completes;
    } else {
      ++metrics_.interrupted_on_open;
    }
  }
  // A contact left in flight without an open attempt (cannot happen with the single
  // transaction per transition, but never leave one stuck).
  std::vector<ContactState> stuck;
  scheduler_.ForEach([&](const ContactState& s) {
    if (s.status == ContactStatus::kInFlight) stuck.push_back(s);
  });
  for (auto& s : stuck) {
    s.status = ContactStatus::kPending;
    s.next_due = now;
    scheduler_.Upsert(s);
    if (Status st = SaveContact(*scheduler_.Find(s.contact_id)); !st.ok()) return st;
  }
  if (!open.empty()) {
    log::Warn("campaña {}: {} intentos en curso marcados INTERRUMPIDA al reanudar",
              options_.campaign_id, open.size());
  }
  return Status::Ok();
}

Status Engine::SaveContact(const ContactState& s) {
  auto st = db_.Prepare(
      "UPDATE contact_dialing SET status = ?, attempts = ?, dials = ?, attempts_today = ?,"
      " day = ?, phones = ?, retries = ?, next_due_ms = ?, callback_ms = ?, callback_agent = ?,"
      " reserved_until_ms = ?, last_disposition = ?, final_disposition = ?,"
      " last_attempt_id = ?, updated_ms = ? WHERE contact_id = ?");
  if (!st) return st.error();
  st->Bind(1, ContactStatusName(s.status))
      .Bind(2, s.attempts)
      .Bind(3, s.dials)
      .Bind(4, s.attempts_today)
      .Bind(5, s.day)
      .Bind(6, EncodePhones(s))
      .Bind(7, EncodeRetries(s))
      .Bind(8, Ms(s.next_due));
  if (s.callback_at) {
    st->Bind(9, Ms(*s.callback_at));
  } else {
    st->BindNull(9);
  }
  st->Bind(10, s.callback_agent);
  if (s.reserved_until) {
    st->Bind(11, Ms(*s.reserved_until));
  } else {
    st->BindNull(11);
  }
  st->Bind(12, s.last_disposition);
  if (s.status == ContactStatus::kFinal) {
    st->Bind(13, s.final_disposition);
  } else {
    st->BindNull(13);
  }
  st->Bind(14, s.last_attempt_id).Bind(15, Ms(clock_.Now())).Bind(16, s.contact_id);
  return st->Run();
}

void Engine::Flush() {
  auto box = std::move(outbox_);
  outbox_.clear();
  for (auto& f : box) f();
}

void Engine::SetAgentState(Agent& a, AgentState s) {
  const TimePoint now = clock_.Now();
  const double secs = Seconds(now - a.since);
  switch (a.state) {
    case AgentState::kReady:
    case AgentState::kReserved:
      metrics_.idle_seconds += secs;
      break;
    case AgentState::kTalking:
      metrics_.talk_seconds += secs;
      break;
    case AgentState::kWrapUp:
      metrics_.wrap_seconds += secs;
      break;
    case AgentState::kOffline:
      break;
  }
  a.state = s;
  a.since = now;
}

void Engine::FlushAgentTime() {
  for (auto& [name, a] : agents_) SetAgentState(a, a.state);
}

void Engine::CountDay() {
  const int64_t today = calendar_.LocalDay(clock_.Now());
  if (today == counted_day_) return;
  counted_day_ = today;
  abandons_.day_live = abandons_.day_abandoned = 0;
  auto st = db_.Prepare(
      "SELECT COALESCE(SUM(live), 0), COALESCE(SUM(abandoned), 0) FROM attempts"
      " WHERE campaign_id = ? AND answer_ms >= ?");
  if (!st) return;
  st->Bind(1, options_.campaign_id).Bind(2, Ms(calendar_.DayStart(today - 29)));
  auto row = st->Step();
  if (row && *row) {
    abandons_.rolling_live = st->Int(0);
    abandons_.rolling_abandoned = st->Int(1);
  }
}

Status Engine::UpdateState(uint64_t id, std::string_view state, std::string_view column) {
  auto st =
      db_.Prepare("UPDATE attempts SET state = ?, " + std::string(column) + " = ? WHERE id = ?");
  if (!st) return st.error();
  st->Bind(1, state).Bind(2, Ms(clock_.Now())).Bind(3, static_cast<int64_t>(id));
  return st->Run();
}

Status Engine::Dial(const Scheduler::Pick& pick, const std::string& agent) {
  const TimePoint now = clock_.Now();
  auto st = db_.Prepare(
      "INSERT INTO attempts (campaign_id, contact_id, phone_id, e164, attempt_number, agent,"
      " state, queued_ms, dial_ms, mode, idempotency_key)"
      " VALUES (?, ?, ?, ?, ?, ?, 'dialing', ?, ?, ?, ?)");
  if (!st) return st.error();
  st->Bind(1, options_.campaign_id)
      .Bind(2, pick.contact_id)
      .Bind(3, pick.phone_id)
      .Bind(4, pick.e164)
      .Bind(5, pick.attempt_number);
  if (agent.empty()) {
    st->BindNull(6);
  } else {
    st->Bind(6, agent);
  }
  st->Bind(7, Ms(now))
      .Bind(8, Ms(now))
      .Bind(9, DialModeName(options_.mode))
      .Bind(10, options_.campaign_id + "/" + std::to_string(pick.contact_id) + "/" +
                    std::to_string(pick.attempt_number));
  if (Status s = st->Run(); !s.ok()) return s;
  const auto id = static_cast<uint64_t>(db_.LastInsertRowId());
  const ContactState* c = scheduler_.Find(pick.contact_id);
  if (Status s = SaveContact(*c); !s.ok()) return s;
  Call call;
  call.id = id;
  call.contact_id = pick.contact_id;
  call.phone_index = pick.phone_index;
  call.agent = agent;
  call.reserved = !agent.empty();
  call.dial_at = now;
  attempts_[id] = call;
  if (!agent.empty()) {
    Agent& a = agents_.at(agent);
    SetAgentState(a, AgentState::kReserved);
    a.attempt_id = id;
  }
  ++stats_.dials;
  OriginateRequest req;
  req.attempt_id = id;
  req.e164 = pick.e164;
  req.ring_timeout = options_.ring_timeout;
  req.caller_id = options_.caller_id;
  req.idempotency_key = options_.campaign_id + "/" + std::to_string(pick.contact_id) + "/" +
                        std::to_string(pick.attempt_number);
  outbox_.push_back([this, req] {
    Status s = driver_.Originate(req);
    if (!s.ok()) {
      DriverEvent ev;
      ev.attempt_id = req.attempt_id;
      ev.kind = DriverEvent::Kind::kFinished;
      ev.end = CallEnd::kNetworkFailure;
      ev.at = clock_.Now();
      OnDriverEvent(ev);
    }
  });
  return Status::Ok();
}

Status Engine::Connect(Call& call, const std::string& agent) {
  call.state = CallState::kConnected;
  call.connect_at = clock_.Now();
  call.agent = agent;
  Agent& a = agents_.at(agent);
  SetAgentState(a, AgentState::kTalking);
  a.attempt_id = call.id;
  auto st = db_.Prepare(
      "UPDATE attempts SET state = 'connected', connect_ms = ?, agent = ?"
      " WHERE id = ?");
  if (!st) return st.error();
  st->Bind(1, Ms(call.connect_at)).Bind(2, agent).Bind(3, static_cast<int64_t>(call.id));
  if (Status s = st->Run(); !s.ok()) return s;
  AgentEvent ev{AgentEvent::Kind::kConnected, agent, call.id, call.contact_id};
  outbox_.push_back([this, ev] {
    if (agent_sink_) agent_sink_(ev);
  });
  // The agent's phone joins the call (sip: third-party call control); a failure comes back
  // as kAgentFailed, also when the driver refuses at once.
  const uint64_t id = call.id;
  outbox_.push_back([this, id, agent] {
    if (Status s = driver_.ConnectAgent(id, agent); !s.ok()) {
      log::Warn("intento {}: no se pudo conectar el teléfono del agente: {}", id, s.ToString());
      DriverEvent failed;
      failed.attempt_id = id;
      failed.kind = DriverEvent::Kind::kAgentFailed;
      failed.at = clock_.Now();
      OnDriverEvent(failed);
    }
  });
  return Status::Ok();
}

Status Engine::Finish(uint64_t attempt_id, const FinishArgs& args) {
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) return Status::NotFound("intento desconocido");
  Call call = it->second;
  attempts_.erase(it);
  const TimePoint now = clock_.Now();
  const DispositionRule* rule = FindRule(options_.scheduler.dispositions, args.code);
  const bool consumes = rule == nullptr || rule->consumes_attempt;
  const bool talked = call.state == CallState::kConnected || call.state == CallState::kWrapUp;
  auto st = db_.Prepare(
      "UPDATE attempts SET state = 'disposed', disposition = ?,"
      " sip_code = COALESCE(?, sip_code), end_ms = COALESCE(end_ms, ?), wrapup_end_ms = ?,"
      " consumed = ?, abandoned = ?, callback_ms = ?, notes = ? WHERE id = ?");
  if (!st) return st.error();
  st->Bind(1, args.code);
  if (args.sip_code != 0) {
    st->Bind(2, args.sip_code);
  } else {
    st->BindNull(2);
  }
  st->Bind(3, Ms(now)).Bind(4, Ms(now)).Bind(5, consumes ? 1 : 0).Bind(6, args.abandoned ? 1 : 0);
  if (args.callback_at) {
    st->Bind(7, Ms(*args.callback_at));
  } else {
    st->BindNull(7);
  }
  st->Bind(8, args.notes).Bind(9, static_cast<int64_t>(attempt_id));
  if (Status s = st->Run(); !s.ok()) return s;
  AttemptOutcome out;
  out.attempt_id = static_cast<int64_t>(attempt_id);
  out.disposition = args.code;
  out.at = now;
  out.phone_index = call.phone_index;
  out.callback_at = args.callback_at;
  out.agent = talked ? call.agent : "";
  const ContactState* next = scheduler_.Complete(call.contact_id, out);
  if (next == nullptr) return Status::Internal("contacto desconocido al disponer un intento");
  if (Status s = SaveContact(*next); !s.ok()) return s;
  ++metrics_.attempts;
  ++metrics_.by_disposition[args.code];
  if (rule != nullptr && rule->complete) ++metrics_.completes;
  return Status::Ok();
}

Status Engine::AgentFree(const std::string& agent) {
  Agent& a = agents_.at(agent);
  a.attempt_id = 0;
  if (a.logging_out) {
    SetAgentState(a, AgentState::kOffline);
    a.logging_out = false;
    return Status::Ok();
  }
  SetAgentState(a, AgentState::kReady);
  // An answered pool call waiting for an agent takes this one at once.
  while (!waiting_.empty()) {
    const uint64_t id = waiting_.front();
    waiting_.pop_front();
    auto it = attempts_.find(id);
    if (it == attempts_.end() || it->second.state != CallState::kAnswered) continue;
    return Connect(it->second, agent);
  }
  AgentEvent ev{AgentEvent::Kind::kReady, agent, 0, 0};
  outbox_.push_back([this, ev] {
    if (agent_sink_) agent_sink_(ev);
  });
  return Status::Ok();
}

Status Engine::LogIn(const std::string& agent) {
  Txn t(*this);
  if (!t.status().ok()) return t.status();
  auto [it, inserted] = agents_.try_emplace(agent);
  Agent& a = it->second;
  if (!inserted && a.state != AgentState::kOffline) {
    a.logging_out = false;
    return t.Commit();
  }
  a.since = clock_.Now();
  a.state = AgentState::kOffline;
  if (Status s = AgentFree(agent); !s.ok()) return s;
  if (Status s = Pace(); !s.ok()) return s;
  return t.Commit();
}

Status Engine::LogOut(const std::string& agent) {
  auto it = agents_.find(agent);
  if (it == agents_.end()) return Status::NotFound("agente desconocido: " + agent);
  Agent& a = it->second;
  if (a.state == AgentState::kReady) {
    SetAgentState(a, AgentState::kOffline);
  } else if (a.state != AgentState::kOffline) {
    a.logging_out = true;
  }
  return Status::Ok();
}

Result<std::optional<uint64_t>> Engine::PreviewDial(const std::string& agent) {
  auto it = agents_.find(agent);
  if (it == agents_.end() || it->second.state != AgentState::kReady) {
    return Status::FailedPrecondition("el agente " + agent + " no está disponible");
  }
  if (!driver_.CanDial()) {
    return Status::Unavailable("la troncal SIP está fallando: marcación en pausa");
  }
  Txn t(*this);
  if (!t.status().ok()) return t.status();
  auto pick = scheduler_.PickForAgent(clock_.Now(), agent);
  if (!pick) return std::optional<uint64_t>();
  if (Status s = Dial(*pick, agent); !s.ok()) return s;
  const uint64_t id = it->second.attempt_id;
  if (Status s = t.Commit(); !s.ok()) return s;
  return std::optional<uint64_t>(id);
}

Status Engine::AgentHangup(uint64_t attempt_id) {
  Txn t(*this);
  if (!t.status().ok()) return t.status();
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) return Status::NotFound("intento desconocido");
  Call& call = it->second;
  if (call.state != CallState::kConnected) return t.Commit();  // already ended
  call.state = CallState::kWrapUp;
  call.end_at = clock_.Now();
  const double talk = Seconds(call.end_at - call.connect_at);
  stats_.talk_samples.push_back(talk);
  if (stats_.talk_samples.size() > options_.talk_samples) {
    stats_.talk_samples.erase(stats_.talk_samples.begin());
  }
  auto st = db_.Prepare(
      "UPDATE attempts SET state = 'wrapup', end_ms = ?, talk_seconds = ? WHERE id = ?");
  if (!st) return st.error();
  st->Bind(1, Ms(call.end_at)).Bind(2, talk).Bind(3, static_cast<int64_t>(attempt_id));
  if (Status s = st->Run(); !s.ok()) return s;
  SetAgentState(agents_.at(call.agent), AgentState::kWrapUp);
  outbox_.push_back([this, attempt_id] { driver_.Hangup(attempt_id); });
  if (Status s = Pace(); !s.ok()) return s;
  return t.Commit();
}

Status Engine::Dispose(uint64_t attempt_id, const std::string& code,
                       std::optional<TimePoint> callback_at, const std::string& notes) {
  const DispositionRule* rule = FindRule(options_.scheduler.dispositions, code);
  if (rule == nullptr || !rule->by_agent) {
    return Status::InvalidArgument("tipificación no válida para un agente: " + code);
  }
  auto it = attempts_.find(attempt_id);
  if (it == attempts_.end()) return Status::NotFound("intento desconocido");
  if (it->second.state == CallState::kConnected) {
    if (Status s = AgentHangup(attempt_id); !s.ok()) return s;
    it = attempts_.find(attempt_id);
    if (it == attempts_.end()) return Status::NotFound("intento desconocido");
  }
  if (it->second.state != CallState::kWrapUp) {
    return Status::FailedPrecondition("el intento no está en tipificación");
  }
  Txn t(*this);
  if (!t.status().ok()) return t.status();
  const std::string agent = it->second.agent;
  Ewma(stats_.mean_wrap, Seconds(clock_.Now() - it->second.end_at),
       static_cast<int64_t>(stats_.talk_samples.size()), 0.02);
  FinishArgs args;
  args.code = code;
  args.callback_at = callback_at;
  args.notes = notes;
  if (Status s = Finish(attempt_id, args); !s.ok()) return s;
  if (Status s = AgentFree(agent); !s.ok()) return s;
  if (Status s = Pace(); !s.ok()) return s;
  return t.Commit();
}

void Engine::OnDriverEvent(const DriverEvent& event) {
  Status s;
  {
    Txn t(*this);
    s = t.status();
    if (s.ok()) s = HandleEvent(event);
    if (s.ok()) s = Pace();
    if (s.ok()) s = t.Commit();
  }
  if (!s.ok() && event_error_.ok()) {
    log::Error("motor de marcación: {}", s.ToString());
    event_error_ = s;
  }
}

Status Engine::HandleEvent(const DriverEvent& e) {
  auto it = attempts_.find(e.attempt_id);
  if (it == attempts_.end()) return Status::Ok();  // late event for a disposed attempt
  Call& call = it->second;
  const TimePoint now = clock_.Now();
  switch (e.kind) {
    case DriverEvent::Kind::kRinging:
      if (call.state != CallState::kDialing) return Status::Ok();
      call.state = CallState::kRinging;
      return UpdateState(call.id, "ringing", "ring_ms");
    case DriverEvent::Kind::kAnswered: {
      if (call.state != CallState::kDialing && call.state != CallState::kRinging)
        return Status::Ok();
      call.state = CallState::kAnswered;
      call.answer_at = now;
      call.live = true;
      auto st = db_.Prepare(
          "UPDATE attempts SET state = 'answered', answer_ms = ?, live = 1,"
          " sip_code = 200 WHERE id = ?");
      if (!st) return st.error();
      st->Bind(1, Ms(now)).Bind(2, static_cast<int64_t>(call.id));
      if (Status s = st->Run(); !s.ok()) return s;
      CountDay();
      ++abandons_.day_live;
      ++abandons_.rolling_live;
      ++metrics_.answered;
      Ewma(stats_.answer_rate, 1.0, stats_.dials, 0.01);
      Ewma(stats_.mean_ring_to_answer, Seconds(now - call.dial_at), metrics_.answered, 0.02);
      if (call.reserved) return Connect(call, call.agent);
      for (auto& [name, a] : agents_) {
        if (a.state == AgentState::kReady && !a.logging_out) return Connect(call, name);
      }
      waiting_.push_back(call.id);
      return Status::Ok();
    }
    case DriverEvent::Kind::kAgentFailed: {
      // Only a call still waiting for the agent's phone: after a hang-up (wrap-up) or for a
      // disposed attempt the event is late and means nothing.
      if (call.state != CallState::kConnected) return Status::Ok();
      const std::string agent = call.agent;
      Agent& a = agents_.at(agent);
      SetAgentState(a, AgentState::kOffline);
      a.attempt_id = 0;
      a.logging_out = false;
      // The citizen answered and nobody talked to them: an abandoned live answer. The
      // attempt is not consumed and the contact is re-dialed only with an agent reserved.
      CountDay();
      ++metrics_.abandoned;
      ++metrics_.agent_leg_failures;
      ++abandons_.day_abandoned;
      ++abandons_.rolling_abandoned;
      call.state = CallState::kAnswered;  // nobody talked: no agent on the outcome
      const uint64_t id = call.id;
      const int64_t contact = call.contact_id;
      FinishArgs args;
      args.code = std::string(kAbandonada);
      args.abandoned = true;
      if (Status s = Finish(id, args); !s.ok()) return s;
      log::Warn("intento {}: el teléfono del agente {} no contestó (SIP {}); llamada abandonada",
                id, agent, e.sip_code);
      outbox_.push_back([this, id] { driver_.Hangup(id); });
      AgentEvent ev{AgentEvent::Kind::kPhoneFailed, agent, id, contact};
      outbox_.push_back([this, ev] {
        if (agent_sink_) agent_sink_(ev);
      });
      return Status::Ok();
    }
    case DriverEvent::Kind::kFinished: {
      if (call.state == CallState::kDialing || call.state == CallState::kRinging) {
        std::string code(CallEndDisposition(e.end));
        // The campaigns catalogue names the system's ring-out NO_CONTESTA_TIMEOUT.
        if (e.end == CallEnd::kNoAnswer &&
            FindRule(options_.scheduler.dispositions, "NO_CONTESTA_TIMEOUT") != nullptr)
          code = "NO_CONTESTA_TIMEOUT";
        const double secs = Seconds(now - call.dial_at);
        Ewma(stats_.answer_rate, 0.0, stats_.dials, 0.01);
        const bool ringout = e.end == CallEnd::kNoAnswer;
        Ewma(stats_.ringout_share, ringout ? 1.0 : 0.0, stats_.dials, 0.01);
        if (!ringout) Ewma(stats_.mean_early_end, secs, stats_.dials, 0.02);
        const std::string agent = call.reserved ? call.agent : "";
        FinishArgs args;
        args.code = code.empty() ? std::string(kFallaDeRed) : code;
        args.sip_code = e.sip_code;
        if (Status s = Finish(call.id, args); !s.ok()) return s;
        if (!agent.empty()) return AgentFree(agent);
        return Status::Ok();
      }
      if (call.state == CallState::kAnswered) {
        // The citizen hung up before an agent came: an abandoned live answer.
        waiting_.erase(std::remove(waiting_.begin(), waiting_.end(), call.id), waiting_.end());
        ++metrics_.abandoned;
        ++abandons_.day_abandoned;
        ++abandons_.rolling_abandoned;
        FinishArgs args;
        args.code = std::string(kAbandonada);
        args.abandoned = true;
        return Finish(call.id, args);
      }
      if (call.state == CallState::kConnected) {
        call.state = CallState::kWrapUp;
        call.end_at = now;
        const double talk = Seconds(now - call.connect_at);
        stats_.talk_samples.push_back(talk);
        if (stats_.talk_samples.size() > options_.talk_samples) {
          stats_.talk_samples.erase(stats_.talk_samples.begin());
        }
        auto st = db_.Prepare(
            "UPDATE attempts SET state = 'wrapup', end_ms = ?, talk_seconds = ? WHERE id = ?");
        if (!st) return st.error();
        st->Bind(1, Ms(now)).Bind(2, talk).Bind(3, static_cast<int64_t>(call.id));
        if (Status s = st->Run(); !s.ok()) return s;
        SetAgentState(agents_.at(call.agent), AgentState::kWrapUp);
        AgentEvent ev{AgentEvent::Kind::kEnded, call.agent, call.id, call.contact_id};
        outbox_.push_back([this, ev] {
          if (agent_sink_) agent_sink_(ev);
        });
      }
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status Engine::Tick() {
  Txn t(*this);
  if (!t.status().ok()) return t.status();
  if (Status s = Pace(); !s.ok()) return s;
  return t.Commit();
}

Status Engine::Pace() {
  const TimePoint now = clock_.Now();
  last_pace_ = now;
  // Answers nobody took within the grace period are abandoned (message, hang up).
  while (!waiting_.empty()) {
    auto it = attempts_.find(waiting_.front());
    if (it == attempts_.end() || it->second.state != CallState::kAnswered) {
      waiting_.pop_front();
      continue;
    }
    if (now - it->second.answer_at < options_.connect_grace) break;
    const uint64_t id = it->first;
    waiting_.pop_front();
    CountDay();
    ++metrics_.abandoned;
    ++abandons_.day_abandoned;
    ++abandons_.rolling_abandoned;
    FinishArgs args;
    args.code = std::string(kAbandonada);
    args.abandoned = true;
    if (Status s = Finish(id, args); !s.ok()) return s;
    outbox_.push_back([this, id] { driver_.Hangup(id); });
  }
  if (!calendar_.IsCallable(now) || options_.mode == DialMode::kPreview) return Status::Ok();
  // The driver cannot dial now (the trunk's circuit breaker is open): place nothing; the
  // next tick asks again.
  if (!driver_.CanDial()) return Status::Ok();
  // Reserved work first: callbacks and abandoned retries go to a ready agent who waits.
  for (auto& [name, a] : agents_) {
    if (a.state != AgentState::kReady || a.logging_out) continue;
    if (options_.mode == DialMode::kPredictive && !scheduler_.HasReservedWork(now, name)) continue;
    auto pick = scheduler_.PickForAgent(now, name);
    if (!pick) {
      if (options_.mode == DialMode::kProgressive) break;  // nothing due for anyone
      continue;
    }
    if (Status s = Dial(*pick, name); !s.ok()) return s;
  }
  if (options_.mode != DialMode::kPredictive) return Status::Ok();
  PacerInput in;
  in.mode = options_.mode;
  for (const auto& [name, a] : agents_) {
    if (a.state == AgentState::kOffline) continue;
    ++in.agents;
    if (a.state == AgentState::kReady && !a.logging_out) ++in.ready_agents;
    if (a.logging_out) continue;
    if (a.state == AgentState::kTalking) {
      in.talking_elapsed.push_back(Seconds(now - attempts_.at(a.attempt_id).connect_at));
    } else if (a.state == AgentState::kWrapUp) {
      in.wrapping_elapsed.push_back(Seconds(now - a.since));
    }
  }
  for (const auto& [id, c] : attempts_) {
    if (c.reserved) continue;
    if (c.state == CallState::kDialing || c.state == CallState::kRinging)
      in.ringing_ages.push_back(Seconds(now - c.dial_at));
  }
  in.waiting_answers = static_cast<int>(waiting_.size());
  in.stats = stats_;
  CountDay();
  in.abandons = abandons_;
  in.max_abandon_rate = options_.max_abandon_rate;
  in.target_fraction = options_.target_fraction;
  last_decision_ = CallsToPlace(in);
  for (int i = 0; i < last_decision_.calls; ++i) {
    auto pick = scheduler_.PickForPool(now);
    if (!pick) break;
    if (Status s = Dial(*pick, ""); !s.ok()) return s;
  }
  return Status::Ok();
}

std::optional<TimePoint> Engine::NextWakeup() const {
  const TimePoint now = clock_.Now();
  std::optional<TimePoint> best;
  auto consider = [&](TimePoint t) {
    if (t > now && (!best || t < *best)) best = t;
  };
  for (uint64_t id : waiting_) {
    auto it = attempts_.find(id);
    if (it != attempts_.end()) consider(it->second.answer_at + options_.connect_grace);
  }
  if (auto due = scheduler_.NextDue()) consider(*due);
  if (options_.mode == DialMode::kPredictive && !attempts_.empty() && last_pace_) {
    consider(*last_pace_ + options_.pacing_tick);
  }
  return best;
}

}  // namespace sondeo::dialer
