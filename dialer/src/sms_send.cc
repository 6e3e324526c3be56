// Blasts, sequences, the monthly cap and exactly-once sending (dialer/sms_send.h).
#include "dialer/sms_send.h"

#include <algorithm>
#include <set>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "common/log.h"

namespace sondeo::dialer {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

// Lowercase, accents removed (for municipio filters and opt-out words).
std::string Fold(std::string_view s) {
  std::string out;
  for (char32_t cp : DecodeUtf8(s)) {
    char32_t c = cp;
    switch (cp) {
      case 0xE1:
      case 0xE0:
      case 0xE2:
      case 0xE4:
      case 0xC1:
      case 0xC0:
      case 0xC2:
      case 0xC4:
        c = 'a';
        break;
      case 0xE9:
      case 0xE8:
      case 0xEA:
      case 0xEB:
      case 0xC9:
      case 0xC8:
      case 0xCA:
      case 0xCB:
        c = 'e';
        break;
      case 0xED:
      case 0xEC:
      case 0xEE:
      case 0xEF:
      case 0xCD:
      case 0xCC:
      case 0xCE:
      case 0xCF:
        c = 'i';
        break;
      case 0xF3:
      case 0xF2:
      case 0xF4:
      case 0xF6:
      case 0xD3:
      case 0xD2:
      case 0xD4:
      case 0xD6:
        c = 'o';
        break;
      case 0xFA:
      case 0xF9:
      case 0xFB:
      case 0xFC:
      case 0xDA:
      case 0xD9:
      case 0xDB:
      case 0xDC:
        c = 'u';
        break;
      case 0xD1:
        c = 0xF1;
        break;  // Ñ -> ñ
      default:
        if (cp >= 'A' && cp <= 'Z') c = cp + ('a' - 'A');
    }
    AppendUtf8(c, out);
  }
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// [start, end) of the Bogotá calendar month containing `at`, in Unix ms.
std::pair<int64_t, int64_t> MonthBounds(TimePoint at) {
  const campaigns::TimeZone zone;
  const auto local = zone.ToLocal(at);
  const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(local)};
  const std::chrono::year_month first = ymd.year() / ymd.month();
  const std::chrono::year_month next = first + std::chrono::months(1);
  auto to_instant = [&](std::chrono::year_month ym) {
    const std::chrono::local_days d{ym / std::chrono::day(1)};
    return ToUnixMillis(zone.FromLocal(std::chrono::local_time<milliseconds>(d)));
  };
  return {to_instant(first), to_instant(next)};
}

std::string CapMessage(const CapCheck& c, int64_t alternative_segments, double unit_price) {
  std::string m = "el envío de " + std::to_string(c.planned) +
                  " segmentos supera el tope mensual de " + std::to_string(c.cap) + ": usados " +
                  std::to_string(c.used) + ", saldo " +
                  std::to_string(std::max<int64_t>(c.remaining, 0)) +
                  "; con la alternativa GSM-7 (sin tildes) serían " +
                  std::to_string(alternative_segments) + " segmentos";
  if (unit_price > 0) {
    m += fmt::format(" (costo {:.2f} frente a {:.2f})", static_cast<double>(c.planned) * unit_price,
                     static_cast<double>(alternative_segments) * unit_price);
  }
  m += ". Un administrador puede aprobar el exceso con --approve-overrun";
  return m;
}

}  // namespace

// ---------------------------------------------------------------------------------------

Result<std::optional<SmsContract>> LoadContract(store::Db& db) {
  auto st = db.Prepare("SELECT monthly_cap_segments, unit_price FROM sms_contract WHERE id = 1");
  if (!st) return st.error();
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return std::optional<SmsContract>();
  return std::optional<SmsContract>(SmsContract{st->Int(0), st->Double(1)});
}

Status SaveContract(store::Db& db, const SmsContract& contract, std::string_view actor,
                    TimePoint now) {
  if (contract.monthly_cap_segments < 0 || contract.unit_price < 0) {
    return Status::InvalidArgument("contrato SMS: el tope y el precio no pueden ser negativos");
  }
  auto tx = store::Transaction::Begin(db);
  if (!tx) return tx.error();
  auto st = db.Prepare(
      "INSERT INTO sms_contract (id, monthly_cap_segments, unit_price, updated_ms) "
      "VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
      "monthly_cap_segments = excluded.monthly_cap_segments, unit_price = excluded.unit_price, "
      "updated_ms = excluded.updated_ms");
  if (!st) return st.error();
  st->Bind(1, contract.monthly_cap_segments)
      .Bind(2, contract.unit_price)
      .Bind(3, ToUnixMillis(now));
  if (Status s = st->Run(); !s.ok()) return s;
  if (Status s = store::Audit(
          db, actor, "sms.contract.update",
          fmt::format("cap={} unit_price={}", contract.monthly_cap_segments, contract.unit_price),
          ToUnixMillis(now));
      !s.ok()) {
    return s;
  }
  return tx->Commit();
}

Result<int64_t> UsedSegmentsInMonth(store::Db& db, TimePoint at) {
  const auto [from, to] = MonthBounds(at);
  auto st = db.Prepare(
      "SELECT COALESCE(SUM(m.segments), 0) FROM sms_messages m "
      "JOIN sms_blasts b ON b.id = m.blast_id "
      "WHERE b.scheduled_ms >= ? AND b.scheduled_ms < ? "
      "AND m.state IN ('pending','sending','sent','uncertain')");
  if (!st) return st.error();
  st->Bind(1, from).Bind(2, to);
  auto row = st->Step();
  if (!row) return row.error();
  return st->Int(0);
}

CapCheck CheckCap(int64_t cap, int64_t used, int64_t planned) {
  CapCheck c;
  c.cap = cap;
  c.used = used;
  c.planned = planned;
  c.after = used + planned;
  if (cap <= 0) return c;
  c.remaining = cap - used;
  c.exceeds = c.after > cap;
  c.warn = c.after * 5 >= cap * 4;
  return c;
}

// ---------------------------------------------------------------------------------------

Result<BlastPlan> PlanBlast(store::Db& db, const BlastRequest& request) {
  {
    auto st = db.Prepare("SELECT 1 FROM campaigns WHERE id = ?");
    if (!st) return st.error();
    st->Bind(1, request.campaign_id);
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) return Status::NotFound("campaña " + request.campaign_id + ": no existe");
  }
  if (auto names = TemplatePlaceholders(request.template_text); !names) return names.error();
  BlastPlan plan;
  plan.template_estimate = Estimate(request.template_text);

  std::unordered_set<std::string> suppressed_phones;
  std::unordered_set<std::string> suppressed_docs;
  {
    auto st = db.Prepare("SELECT kind, value FROM suppressions");
    if (!st) return st.error();
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      (st->Text(0) == "phone" ? suppressed_phones : suppressed_docs).insert(st->Text(1));
    }
  }
  auto st = db.Prepare(
      "SELECT c.id, c.source_row, c.document, c.nombres, c.apellidos, c.municipio, "
      "c.departamento, c.email, c.extra_json, p.e164 "
      "FROM contacts c LEFT JOIN phones p ON p.contact_id = c.id AND p.type = 'mobile' "
      "WHERE c.campaign_id = ? ORDER BY c.id, p.position");
  if (!st) return st.error();
  st->Bind(1, request.campaign_id);
  const std::string filter = Fold(Trim(request.filter_municipio));
  std::unordered_set<std::string> phones_used;

  struct Current {
    int64_t id = -1;
    int64_t source_row = 0;
    std::string document, nombres, apellidos, municipio, departamento, email, extra;
    std::vector<std::string> mobiles;
  } cur;

  auto flush = [&]() -> Status {
    if (cur.id < 0) return Status::Ok();
    if (!filter.empty() && Fold(Trim(cur.municipio)) != filter) return Status::Ok();
    if (cur.mobiles.empty()) {
      ++plan.without_mobile;
      return Status::Ok();
    }
    const bool suppressed =
        (!cur.document.empty() && suppressed_docs.count(cur.document) > 0) ||
        std::any_of(cur.mobiles.begin(), cur.mobiles.end(),
                    [&](const std::string& p) { return suppressed_phones.count(p) > 0; });
    if (suppressed) {
      ++plan.suppressed;
      return Status::Ok();
    }
    if (!phones_used.insert(cur.mobiles.front()).second) {
      ++plan.duplicate_phones;
      return Status::Ok();
    }
    nlohmann::json extra;
    bool extra_parsed = false;
    auto lookup = [&](std::string_view name) -> std::optional<std::string> {
      if (name == "nombres") return cur.nombres;
      if (name == "apellidos") return cur.apellidos;
      if (name == "municipio") return cur.municipio;
      if (name == "departamento") return cur.departamento;
      if (name == "email") return cur.email;
      if (!extra_parsed) {
        extra = nlohmann::json::parse(cur.extra, nullptr, false);
        extra_parsed = true;
      }
      if (!extra.is_object()) return std::nullopt;
      auto it = extra.find(std::string(name));
      if (it == extra.end()) return std::nullopt;
      if (it->is_string()) return it->get<std::string>();
      if (it->is_null()) return std::string();
      return it->dump();
    };
    auto text = RenderTemplate(request.template_text, lookup);
    if (!text) {
      return Status::InvalidArgument(text.error().message() + " (contacto de la fila " +
                                     std::to_string(cur.source_row) + ")");
    }
    PlannedMessage m;
    m.contact_id = cur.id;
    m.phone_e164 = cur.mobiles.front();
    const SmsSegmentation seg = Segment(*text);
    m.encoding = seg.encoding;
    m.segments = seg.segments;
    m.alternative_segments = seg.encoding == SmsEncoding::kGsm7
                                 ? seg.segments
                                 : Segment(Gsm7Alternative(*text)).segments;
    m.text = std::move(*text);
    ++plan.recipients;
    plan.segments += m.segments;
    plan.alternative_segments += m.alternative_segments;
    if (m.encoding == SmsEncoding::kUcs2) ++plan.ucs2_recipients;
    ++plan.recipients_by_segments[m.segments];
    plan.messages.push_back(std::move(m));
    return Status::Ok();
  };

  while (true) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    const int64_t id = st->Int(0);
    if (id != cur.id) {
      if (Status s = flush(); !s.ok()) return s;
      cur = Current{};
      cur.id = id;
      cur.source_row = st->Int(1);
      cur.document = st->OptText(2).value_or("");
      cur.nombres = st->Text(3);
      cur.apellidos = st->Text(4);
      cur.municipio = st->Text(5);
      cur.departamento = st->Text(6);
      cur.email = st->Text(7);
      cur.extra = st->Text(8);
    }
    if (!st->IsNull(9)) cur.mobiles.push_back(st->Text(9));
  }
  if (Status s = flush(); !s.ok()) return s;
  return plan;
}

namespace {

Result<int64_t> InsertBlast(store::Db& db, const BlastRequest& request, const BlastPlan& plan,
                            const SendApproval& approval, TimePoint now, double unit_price,
                            bool overrun, std::optional<int64_t> sequence_id, int step) {
  auto st = db.Prepare(
      "INSERT INTO sms_blasts (campaign_id, sequence_id, step, template, filter_municipio, "
      "scheduled_ms, created_ms, created_by, recipients, segments, unit_price, "
      "overrun_approved_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  if (!st) return st.error();
  st->Bind(1, request.campaign_id)
      .Bind(2, sequence_id)
      .Bind(3, step)
      .Bind(4, request.template_text)
      .Bind(5, request.filter_municipio)
      .Bind(6, ToUnixMillis(request.at))
      .Bind(7, ToUnixMillis(now))
      .Bind(8, approval.actor)
      .Bind(9, plan.recipients)
      .Bind(10, plan.segments)
      .Bind(11, unit_price);
  if (overrun) {
    st->Bind(12, approval.actor);
  } else {
    st->BindNull(12);
  }
  if (Status s = st->Run(); !s.ok()) return s;
  const int64_t blast_id = db.LastInsertRowId();
  auto ins = db.Prepare(
      "INSERT INTO sms_messages (blast_id, contact_id, phone_e164, idem_key, text, encoding, "
      "segments) VALUES (?,?,?,?,?,?,?)");
  if (!ins) return ins.error();
  for (const auto& m : plan.messages) {
    ins->Reset();
    ins->Bind(1, blast_id)
        .Bind(2, m.contact_id)
        .Bind(3, m.phone_e164)
        .Bind(4, fmt::format("sondeo-b{}-c{}", blast_id, m.contact_id))
        .Bind(5, m.text)
        .Bind(6, SmsEncodingName(m.encoding))
        .Bind(7, m.segments);
    if (Status s = ins->Run(); !s.ok()) return s;
  }
  if (Status s =
          store::Audit(db, approval.actor, "sms.blast.create",
                       fmt::format("blast={} campaign={} recipients={} segments={}", blast_id,
                                   request.campaign_id, plan.recipients, plan.segments),
                       ToUnixMillis(now));
      !s.ok()) {
    return s;
  }
  return blast_id;
}

// The cap check inside the creating transaction.
Result<std::pair<double, bool>> CheckCapForCreate(store::Db& db, TimePoint at, int64_t segments,
                                                  int64_t alternative_segments,
                                                  const SendApproval& approval, TimePoint now) {
  auto contract = LoadContract(db);
  if (!contract) return contract.error();
  const SmsContract c = contract->value_or(SmsContract{});
  auto used = UsedSegmentsInMonth(db, at);
  if (!used) return used.error();
  const CapCheck check = CheckCap(c.monthly_cap_segments, *used, segments);
  if (check.exceeds && !approval.approve_overrun) {
    return Status::FailedPrecondition(CapMessage(check, alternative_segments, c.unit_price));
  }
  if (check.exceeds) {
    if (Status s = store::Audit(
            db, approval.actor, "sms.cap.overrun_approved",
            fmt::format("cap={} used={} planned={}", check.cap, check.used, check.planned),
            ToUnixMillis(now));
        !s.ok()) {
      return s;
    }
  }
  if (check.warn) {
    log::Warn("SMS: el envío lleva el consumo del mes a {} de {} segmentos ({}%)", check.after,
              check.cap, check.after * 100 / check.cap);
  }
  return std::make_pair(c.unit_price, check.exceeds);
}

}  // namespace

Result<int64_t> CreateBlast(store::Db& db, const BlastRequest& request, const BlastPlan& plan,
                            const SendApproval& approval, TimePoint now,
                            std::optional<int64_t> sequence_id, int step) {
  if (plan.recipients == 0) {
    return Status::FailedPrecondition("campaña " + request.campaign_id +
                                      ": no hay destinatarios con celular para este envío");
  }
  auto tx = store::Transaction::Begin(db);
  if (!tx) return tx.error();
  auto cap =
      CheckCapForCreate(db, request.at, plan.segments, plan.alternative_segments, approval, now);
  if (!cap) return cap.error();
  auto id =
      InsertBlast(db, request, plan, approval, now, cap->first, cap->second, sequence_id, step);
  if (!id) return id.error();
  if (Status s = tx->Commit(); !s.ok()) return s;
  return *id;
}

// ---------------------------------------------------------------------------------------

Result<std::vector<SequenceStep>> ParseSequenceSteps(std::string_view text) {
  std::vector<SequenceStep> steps;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string trimmed = Trim(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const size_t sp = trimmed.find(' ');
    auto t = campaigns::ParseTimeOfDay(trimmed.substr(0, sp));
    if (!t || sp == std::string::npos) {
      return Status::InvalidArgument("secuencia, línea " + std::to_string(line_no) +
                                     ": se esperaba \"HH:MM texto\"");
    }
    steps.push_back({*t, Trim(std::string_view(trimmed).substr(sp + 1))});
  }
  if (steps.empty()) return Status::InvalidArgument("secuencia: no tiene mensajes");
  return steps;
}

Result<SequencePlan> PlanSequence(store::Db& db, const SmsSequence& sequence) {
  SequencePlan plan;
  const campaigns::TimeZone zone;
  for (const auto& step : sequence.steps) {
    BlastRequest req;
    req.campaign_id = sequence.campaign_id;
    req.template_text = step.template_text;
    req.filter_municipio = sequence.filter_municipio;
    const std::chrono::local_days day{sequence.date};
    req.at = zone.FromLocal(std::chrono::local_time<milliseconds>(day) + step.local_time);
    auto p = PlanBlast(db, req);
    if (!p) return p.error();
    plan.segments += p->segments;
    plan.alternative_segments += p->alternative_segments;
    plan.at.push_back(req.at);
    plan.steps.push_back(std::move(*p));
  }
  return plan;
}

Result<std::vector<int64_t>> CreateSequence(store::Db& db, const SmsSequence& sequence,
                                            const SequencePlan& plan, const SendApproval& approval,
                                            TimePoint now) {
  if (plan.steps.empty() || plan.steps.front().recipients == 0) {
    return Status::FailedPrecondition("campaña " + sequence.campaign_id +
                                      ": no hay destinatarios con celular para la secuencia");
  }
  auto tx = store::Transaction::Begin(db);
  if (!tx) return tx.error();
  auto cap = CheckCapForCreate(db, plan.at.front(), plan.segments, plan.alternative_segments,
                               approval, now);
  if (!cap) return cap.error();
  std::vector<int64_t> ids;
  std::optional<int64_t> seq_id;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    BlastRequest req{sequence.campaign_id, sequence.steps[i].template_text,
                     sequence.filter_municipio, plan.at[i]};
    auto id = InsertBlast(db, req, plan.steps[i], approval, now, cap->first, cap->second, seq_id,
                          static_cast<int>(i));
    if (!id) return id.error();
    if (!seq_id) {
      seq_id = *id;
      auto up = db.Prepare("UPDATE sms_blasts SET sequence_id = ? WHERE id = ?");
      if (!up) return up.error();
      up->Bind(1, *id).Bind(2, *id);
      if (Status s = up->Run(); !s.ok()) return s;
    }
    ids.push_back(*id);
  }
  if (Status s = tx->Commit(); !s.ok()) return s;
  return ids;
}

// ---------------------------------------------------------------------------------------

campaigns::Calendar LegalSmsCalendar() {
  campaigns::CalendarRules rules;
  rules.windows = campaigns::LegalLimits();
  return campaigns::Calendar(std::move(rules));
}

Result<std::vector<int64_t>> UnfinishedBlasts(store::Db& db) {
  auto st = db.Prepare(
      "SELECT id FROM sms_blasts WHERE status IN ('scheduled','sending') "
      "ORDER BY scheduled_ms, id");
  if (!st) return st.error();
  std::vector<int64_t> ids;
  while (true) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    ids.push_back(st->Int(0));
  }
  return ids;
}

namespace {

Status Exec(store::Db& db, std::string_view sql, int64_t a, int64_t b = 0) {
  auto st = db.Prepare(sql);
  if (!st) return st.error();
  st->Bind(1, a);
  if (sql.find("?2") != std::string_view::npos) st->Bind(2, b);
  return st->Run();
}

Status FillCounts(store::Db& db, int64_t blast_id, SendReport& r) {
  auto st =
      db.Prepare("SELECT state, COUNT(*) FROM sms_messages WHERE blast_id = ? GROUP BY state");
  if (!st) return st.error();
  st->Bind(1, blast_id);
  r.sent = r.failed = r.uncertain = r.pending = 0;
  while (true) {
    auto row = st->Step();
    if (!row) return row.status();
    if (!*row) break;
    const std::string state = st->Text(0);
    const int n = static_cast<int>(st->Int(1));
    if (state == "sent") r.sent = n;
    if (state == "failed") r.failed = n;
    if (state == "uncertain") r.uncertain = n;
    if (state == "pending" || state == "sending") r.pending += n;
  }
  return Status::Ok();
}

}  // namespace

Result<SendReport> RunBlast(store::Db& db, int64_t blast_id, HttpGateway& gateway, Clock& clock,
                            const Sleeper& sleep, const SenderOptions& options) {
  SendReport report;
  report.blast_id = blast_id;
  int64_t scheduled_ms = 0;
  {
    auto st = db.Prepare("SELECT scheduled_ms, status FROM sms_blasts WHERE id = ?");
    if (!st) return st.error();
    st->Bind(1, blast_id);
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) return Status::NotFound("envío SMS " + std::to_string(blast_id) + ": no existe");
    scheduled_ms = st->Int(0);
    if (st->Text(1) == "done" || st->Text(1) == "cancelled") {
      report.done = true;
      if (Status s = FillCounts(db, blast_id, report); !s.ok()) return s;
      return report;
    }
  }
  // Rows claimed by a sender that died: their request may have gone out. Never resend.
  // Those a delivery report already confirmed (it can arrive before this restart) went out.
  if (Status s = Exec(db,
                      "UPDATE sms_messages SET state = 'sent', last_error = 'interrumpido; el "
                      "reporte de entrega confirma el envío' WHERE blast_id = ? AND "
                      "state = 'sending' AND dlr IS NOT NULL",
                      blast_id);
      !s.ok()) {
    return s;
  }
  {
    auto st = db.Prepare(
        "UPDATE sms_messages SET state = 'uncertain', "
        "last_error = 'interrumpido durante el envío; puede haber salido' "
        "WHERE blast_id = ? AND state = 'sending'");
    if (!st) return st.error();
    st->Bind(1, blast_id);
    if (Status s = st->Run(); !s.ok()) return s;
    report.recovered_uncertain = db.Changes();
    if (report.recovered_uncertain > 0) {
      log::Warn(
          "SMS envío {}: {} mensajes quedaron en envío tras una interrupción; se marcan "
          "inciertos y no se reenvían",
          blast_id, report.recovered_uncertain);
    }
  }

  auto claim = db.Prepare(
      "SELECT id, idem_key, phone_e164, text FROM sms_messages "
      "WHERE blast_id = ? AND state = 'pending' ORDER BY id LIMIT ?");
  auto mark =
      db.Prepare("UPDATE sms_messages SET state = 'sending', attempts = attempts + 1 WHERE id = ?");
  auto done =
      db.Prepare("UPDATE sms_messages SET state = ?, last_error = ?, sent_ms = ? WHERE id = ?");
  auto unclaim = db.Prepare(
      "UPDATE sms_messages SET state = 'pending', attempts = attempts - 1 WHERE id = ? AND "
      "state = 'sending'");
  if (!unclaim) return unclaim.error();
  if (!claim) return claim.error();
  if (!mark) return mark.error();
  if (!done) return done.error();

  Duration backoff = options.backoff_initial;
  TimePoint last_progress = clock.Now();
  bool started = false;
  auto stopped = [&] { return options.stop && options.stop(); };
  while (true) {
    if (stopped()) {
      if (Status s = FillCounts(db, blast_id, report); !s.ok()) return s;
      return report;
    }
    const TimePoint now = clock.Now();
    const TimePoint due = std::max(now, FromUnixMillis(scheduled_ms));
    const std::optional<TimePoint> next = options.calendar.NextCallable(due);
    if (!next) {
      return Status::FailedPrecondition("envío SMS " + std::to_string(blast_id) +
                                        ": no hay horario legal disponible");
    }
    if (*next > now) {
      const Duration wait = duration_cast<Duration>(*next - now);
      if (options.max_wait.count() == 0 || wait > options.max_wait) {
        report.waiting_until = FormatUtc(*next);
        if (Status s = FillCounts(db, blast_id, report); !s.ok()) return s;
        return report;
      }
      log::Info("SMS envío {}: esperando hasta {} (hora de envío / horario legal)", blast_id,
                FormatUtc(*next));
      sleep(wait);
      last_progress = clock.Now();
      continue;
    }
    if (!started) {
      if (Status s = Exec(db, "UPDATE sms_blasts SET status = 'sending' WHERE id = ?", blast_id);
          !s.ok()) {
        return s;
      }
      started = true;
    }
    // Stream the pending messages through the gateway: each batch is claimed (committed as
    // 'sending') BEFORE any of its requests goes out, and results are recorded a batch at a
    // time while the next requests are already in flight. The first retryable failure (5xx,
    // 408/429, timeout before sending, refused connection) stops the stream: no more claims,
    // claimed messages not yet started go back to 'pending', requests in flight finish, and
    // the sender backs off before anything is retried (never an immediate retry).
    Status failure;
    bool claimed_any = false;
    bool paused = false;  // a retryable failure came back
    int progressed = 0;   // results that settled a row (sent, failed, uncertain)
    int retried = 0;      // retryable failures, back to 'pending'
    std::string last_error;
    std::vector<SendResult> finished;
    auto claim_batch = [&]() -> Result<std::vector<OutboundSms>> {
      std::vector<OutboundSms> batch;
      auto tx = store::Transaction::Begin(db);
      if (!tx) return tx.error();
      claim->Reset();
      claim->Bind(1, blast_id).Bind(2, options.batch_size);
      while (true) {
        auto row = claim->Step();
        if (!row) return row.error();
        if (!*row) break;
        batch.push_back({claim->Int(0), claim->Text(1), claim->Text(2), claim->Text(3)});
      }
      claim->Reset();
      for (const auto& m : batch) {
        mark->Reset();
        mark->Bind(1, m.id);
        if (Status s = mark->Run(); !s.ok()) return s;
      }
      if (Status s = tx->Commit(); !s.ok()) return s;
      return batch;
    };
    // Records `finished` in one transaction; a failure is kept in `failure`.
    auto record = [&]() {
      if (finished.empty() || !failure.ok()) return;
      auto tx = store::Transaction::Begin(db);
      if (!tx) {
        failure = tx.error();
        return;
      }
      const int64_t at = ToUnixMillis(clock.Now());
      for (const auto& r : finished) {
        const char* state = "pending";
        switch (r.outcome) {
          case SendOutcome::kAccepted:
            state = "sent";
            break;
          case SendOutcome::kRejected:
            state = "failed";
            break;
          case SendOutcome::kUncertain:
            state = "uncertain";
            break;
          case SendOutcome::kRetry:
            state = "pending";
            break;
        }
        if (!r.started) {
          // Claimed but never sent (the stream stopped first): simply pending again.
          unclaim->Reset();
          unclaim->Bind(1, r.id);
          if (Status s = unclaim->Run(); !s.ok()) {
            failure = s;
            return;
          }
          continue;
        }
        if (r.outcome == SendOutcome::kRetry) {
          ++report.retries;
          ++retried;
          last_error = r.detail;
        } else {
          ++progressed;
        }
        done->Reset();
        done->Bind(1, state).Bind(2, r.detail);
        if (r.outcome == SendOutcome::kAccepted) {
          done->Bind(3, at);
        } else {
          done->BindNull(3);
        }
        done->Bind(4, r.id);
        if (Status s = done->Run(); !s.ok()) {
          failure = s;
          return;
        }
      }
      if (Status s = tx->Commit(); !s.ok()) {
        failure = s;
        return;
      }
      finished.clear();
    };
    gateway.SendStream(
        [&]() -> std::vector<OutboundSms> {
          if (!failure.ok() || paused || stopped()) return {};
          // Legal hours may end in the middle of a blast: the outer loop waits then.
          const TimePoint t = clock.Now();
          const std::optional<TimePoint> callable = options.calendar.NextCallable(t);
          if (!callable || *callable > t) return {};
          auto batch = claim_batch();
          if (!batch) {
            failure = batch.error();
            return {};
          }
          if (!batch->empty()) claimed_any = true;
          return std::move(*batch);
        },
        [&](size_t /*position*/, SendResult result) {
          if (result.started && result.outcome == SendOutcome::kRetry) paused = true;
          finished.push_back(std::move(result));
          if (finished.size() >= static_cast<size_t>(options.batch_size)) record();
          return failure.ok() && !paused;
        });
    record();  // the last results
    if (!failure.ok()) return failure;
    if (!claimed_any) {
      if (stopped()) continue;  // reported at the top of the loop
      break;                    // nothing was pending: the blast is done
    }
    if (progressed > 0) last_progress = clock.Now();
    if (retried == 0) {
      backoff = options.backoff_initial;
      continue;
    }
    if (progressed > 0) {
      // Some went through, some got a 5xx/429/timeout: the retried rows are pending again;
      // back off before claiming them again instead of hammering a struggling gateway.
      log::Warn("SMS envío {}: {} mensajes con error transitorio ({}); reintento en {} ms",
                blast_id, retried, last_error, backoff.count());
      sleep(backoff);
      backoff = std::min(backoff * 2, options.backoff_max);
      continue;
    }
    // Nothing went through: the gateway is down or overloaded. Keep our place and back off.
    if (options.max_outage.count() > 0 && clock.Now() - last_progress > options.max_outage) {
      SendReport r = report;
      if (Status s = FillCounts(db, blast_id, r); !s.ok()) return s;
      return Status::Unavailable(fmt::format(
          "envío SMS {}: el gateway no responde ({}); quedan {} pendientes, se reanuda con "
          "`sondeo sms run`",
          blast_id, last_error, r.pending));
    }
    log::Warn("SMS envío {}: gateway no disponible ({}); reintento en {} ms", blast_id, last_error,
              backoff.count());
    sleep(backoff);
    backoff = std::min(backoff * 2, options.backoff_max);
  }
  if (Status s = Exec(db, "UPDATE sms_blasts SET status = 'done', finished_ms = ?2 WHERE id = ?1",
                      blast_id, ToUnixMillis(clock.Now()));
      !s.ok()) {
    return s;
  }
  if (Status s = FillCounts(db, blast_id, report); !s.ok()) return s;
  report.done = true;
  return report;
}

// ---------------------------------------------------------------------------------------

std::string_view DlrStateName(DlrState s) {
  switch (s) {
    case DlrState::kPending:
      return "pending";
    case DlrState::kDelivered:
      return "delivered";
    case DlrState::kFailed:
      return "failed";
    case DlrState::kExpired:
      return "expired";
  }
  return "pending";
}

DlrState MapKannelDlr(int status, std::string_view answer) {
  if (answer.find("stat:EXPIRED") != std::string_view::npos) return DlrState::kExpired;
  if (answer.find("stat:UNDELIV") != std::string_view::npos ||
      answer.find("stat:REJECTD") != std::string_view::npos ||
      answer.find("stat:DELETED") != std::string_view::npos) {
    return DlrState::kFailed;
  }
  switch (status) {
    case 1:
      return DlrState::kDelivered;
    case 2:
    case 16:
      return DlrState::kFailed;
    default:
      return DlrState::kPending;  // 4 buffered, 8 SMSC ack, anything else
  }
}

Status ApplyDlr(store::Db& db, std::string_view key, int kannel_status, std::string_view answer,
                TimePoint at) {
  const DlrState s = MapKannelDlr(kannel_status, answer);
  auto tx = store::Transaction::Begin(db);
  if (!tx) return tx.error();
  auto st = db.Prepare("SELECT id, dlr, state FROM sms_messages WHERE idem_key = ?");
  if (!st) return st.error();
  st->Bind(1, key);
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return Status::NotFound("reporte de entrega: clave desconocida");
  const int64_t id = st->Int(0);
  const std::string current = st->OptText(1).value_or("");
  const std::string state = st->Text(2);
  st->Reset();
  const bool final_now = current == "delivered" || current == "failed" || current == "expired";
  if (final_now && s == DlrState::kPending) return Status::Ok();
  auto up = db.Prepare(
      "UPDATE sms_messages SET dlr = ?, dlr_code = ?, dlr_ms = ?, "
      "state = CASE WHEN state = 'uncertain' THEN 'sent' ELSE state END WHERE id = ?");
  if (!up) return up.error();
  up->Bind(1, DlrStateName(s)).Bind(2, kannel_status).Bind(3, ToUnixMillis(at)).Bind(4, id);
  if (Status r = up->Run(); !r.ok()) return r;
  if (state == "uncertain") {
    log::Info("SMS: un reporte de entrega confirma que el mensaje {} salió", id);
  }
  return tx->Commit();
}

bool IsOptOut(std::string_view text) {
  std::string f = Fold(text);
  std::string word;
  for (char c : f) {
    if (c >= 'a' && c <= 'z')
      word.push_back(c);
    else if (c == ' ' || c == '.' || c == '!' || c == ',' || c == '\t' || c == '\r' || c == '\n' ||
             c == '"' || c == '\'')
      continue;
    else
      return false;
  }
  return word == "no" || word == "salir" || word == "stop";
}

std::string NormalizeMsisdn(std::string_view from) {
  std::string d;
  for (char c : from) {
    if (c >= '0' && c <= '9') d.push_back(c);
  }
  if (d.size() == 10 && d[0] == '3') return "+57" + d;
  if (d.size() == 14 && d.rfind("0057", 0) == 0) return "+" + d.substr(2);
  return "+" + d;
}

Result<bool> ApplyMo(store::Db& db, std::string_view from, std::string_view text, TimePoint at) {
  const std::string phone = NormalizeMsisdn(from);
  if (phone.size() < 4) return Status::InvalidArgument("mensaje entrante: remitente inválido");
  const bool opt_out = IsOptOut(text);
  auto tx = store::Transaction::Begin(db);
  if (!tx) return tx.error();
  auto st = db.Prepare(
      "INSERT INTO sms_inbound (phone_e164, text, received_ms, opt_out) VALUES (?,?,?,?)");
  if (!st) return st.error();
  st->Bind(1, phone).Bind(2, text).Bind(3, ToUnixMillis(at)).Bind(4, opt_out ? 1 : 0);
  if (Status s = st->Run(); !s.ok()) return s;
  const int64_t inbound_id = db.LastInsertRowId();
  if (opt_out) {
    auto sup = db.Prepare(
        "INSERT INTO suppressions (kind, value, reason, added_ms) VALUES ('phone', ?, "
        "'SMS: solicitó no recibir más mensajes', ?) ON CONFLICT (kind, value) DO NOTHING");
    if (!sup) return sup.error();
    sup->Bind(1, phone).Bind(2, ToUnixMillis(at));
    if (Status s = sup->Run(); !s.ok()) return s;
    if (Status s = store::Audit(db, "sms-mo", "suppression.add",
                                fmt::format("kind=phone source=sms_inbound:{}", inbound_id),
                                ToUnixMillis(at));
        !s.ok()) {
      return s;
    }
  }
  if (Status s = tx->Commit(); !s.ok()) return s;
  return opt_out;
}

}  // namespace sondeo::dialer
