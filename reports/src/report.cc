// BuildReport: every number of the report comes from one SQL aggregate here.
#include "reports/report.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "campaigns/campaign.h"
#include "reports/src/campaign_survey.h"
#include "surveys/survey.h"

namespace sondeo::reports {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::string_view kPending = "PENDIENTE";

double Ratio(double num, double den) { return den == 0 ? kNaN : num / den; }

Result<bool> TableExists(store::Db& db, std::string_view table) {
  auto st = db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  if (!st) return st.error();
  st->Bind(1, table);
  return st->Step();
}

// 'A','B' for an SQL IN list (codes are catalogue codes; quotes are doubled anyway).
std::string SqlList(const std::set<std::string>& codes) {
  if (codes.empty()) return "''";
  std::string out;
  for (const auto& c : codes) {
    if (!out.empty()) out += ",";
    out += "'";
    for (char ch : c) {
      out += ch;
      if (ch == '\'') out += '\'';
    }
    out += "'";
  }
  return out;
}

std::vector<CountRow> ToCountRows(std::vector<CountRow> rows) {
  std::vector<int64_t> counts;
  for (const auto& r : rows) counts.push_back(r.count);
  const auto pct = PercentLargestRemainder(counts, 1);
  for (size_t i = 0; i < rows.size(); ++i) rows[i].percent = pct[i];
  return rows;
}

// Orders codes as the catalogue does, unknown codes after (by code), `last` at the end.
std::vector<CountRow> CatalogueOrder(const campaigns::DispositionCatalog& cat,
                                     const std::map<std::string, int64_t>& counts,
                                     std::string_view last) {
  std::vector<CountRow> rows;
  std::set<std::string> seen;
  for (const auto& d : cat.all()) {
    auto it = counts.find(d.code);
    if (it == counts.end()) continue;
    rows.push_back({d.code, d.label, it->second, 0});
    seen.insert(d.code);
  }
  for (const auto& [code, n] : counts) {
    if (seen.count(code) || code == last) continue;
    rows.push_back({code, code, n, 0});
  }
  if (auto it = counts.find(std::string(last)); it != counts.end()) {
    rows.push_back({it->first, it->first, it->second, 0});
  }
  return ToCountRows(std::move(rows));
}

struct Range {
  int64_t from_ms = std::numeric_limits<int64_t>::min();
  int64_t to_ms = std::numeric_limits<int64_t>::max();  // exclusive
};

std::string LocalDayExpr(std::string_view ms_expr, int offset_min) {
  return "date((" + std::string(ms_expr) + " + " + std::to_string(offset_min * 60'000) +
         ") / 1000, 'unixepoch')";
}

Status FillFunnel(store::Db& db, const std::string& id, Report& r) {
  auto st = db.Prepare(
      "SELECT COUNT(*), COALESCE(SUM(initial),0), COALESCE(SUM(rejected),0),"
      " COALESCE(SUM(cleaned),0), COALESCE(SUM(duplicates),0), COALESCE(SUM(suppressed),0),"
      " COALESCE(SUM(callable),0) FROM imports WHERE campaign_id = ?");
  if (!st) return st.error();
  st->Bind(1, id);
  if (auto row = st->Step(); !row) return row.error();
  r.funnel.imports = st->Int(0);
  r.funnel.initial = st->Int(1);
  r.funnel.rejected = st->Int(2);
  r.funnel.cleaned = st->Int(3);
  r.funnel.duplicates = st->Int(4);
  r.funnel.suppressed = st->Int(5);
  r.funnel.callable = st->Int(6);
  auto rs = db.Prepare("SELECT reasons_json FROM imports WHERE campaign_id = ?");
  if (!rs) return rs.error();
  rs->Bind(1, id);
  std::map<std::string, int64_t> reasons;
  while (true) {
    auto row = rs->Step();
    if (!row) return row.error();
    if (!*row) break;
    const auto j = nlohmann::json::parse(rs->Text(0), nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) continue;
    for (const auto& [k, v] : j.items()) {
      if (v.is_number_integer()) reasons[k] += v.get<int64_t>();
    }
  }
  r.funnel.rejected_by_reason.assign(reasons.begin(), reasons.end());
  auto mc = db.Prepare("SELECT COUNT(*) FROM contacts WHERE campaign_id = ?");
  if (!mc) return mc.error();
  mc->Bind(1, id);
  if (auto row = mc->Step(); !row) return row.error();
  r.managed = mc->Int(0);
  return Status::Ok();
}

Status FillDispositions(store::Db& db, const std::string& id, bool have_dialer,
                        const campaigns::Campaign& c, Report& r) {
  std::map<std::string, int64_t> counts;
  if (have_dialer) {
    auto st = db.Prepare(
        "SELECT COALESCE(d.final_disposition, 'PENDIENTE'), COUNT(*) FROM contacts k"
        " LEFT JOIN contact_dialing d ON d.contact_id = k.id AND d.status = 'final'"
        " WHERE k.campaign_id = ? GROUP BY 1");
    if (!st) return st.error();
    st->Bind(1, id);
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      counts[st->Text(0)] += st->Int(1);
    }
  } else if (r.managed > 0) {
    counts[std::string(kPending)] = r.managed;
  }
  r.dispositions = CatalogueOrder(c.dispositions, counts, kPending);

  // AAPOR: PENDIENTE is 3.11 (not attempted / not yet worked): UH.
  for (const auto& row : r.dispositions) {
    const campaigns::Disposition* d = c.dispositions.Find(row.code);
    std::string aapor = d ? d->aapor : (row.code == kPending ? "3.11" : "");
    std::string cat(campaigns::AaporCategory(aapor));
    if (cat.empty()) {
      cat = "UO";
      r.notes.push_back("La tipificación " + row.code +
                        " no tiene código AAPOR: se cuenta como UO (elegibilidad desconocida).");
    }
    AddToCategory(r.aapor.counts, cat, row.count);
    r.aapor.mapping.push_back({row.code, aapor, cat, row.count});
  }
  r.aapor.rates = ComputeAapor(r.aapor.counts);
  return Status::Ok();
}

Status FillAttempts(store::Db& db, const std::string& id, const Range& range,
                    const ReportOptions& opt, const campaigns::Campaign& c, Report& r) {
  std::set<std::string> complete_codes;
  for (const auto& d : c.dispositions.all()) {
    if (d.complete) complete_codes.insert(d.code);
  }
  const std::string completes = SqlList(complete_codes);
  const std::string t = "COALESCE(dial_ms, queued_ms)";
  const std::string where = " WHERE campaign_id = ? AND " + t + " >= ? AND " + t + " < ?";
  // Attempt-level dispositions.
  {
    auto st = db.Prepare("SELECT COALESCE(disposition, 'EN_CURSO'), COUNT(*) FROM attempts" +
                         where + " GROUP BY 1");
    if (!st) return st.error();
    st->Bind(1, id).Bind(2, range.from_ms).Bind(3, range.to_ms);
    std::map<std::string, int64_t> counts;
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      counts[st->Text(0)] += st->Int(1);
      r.attempts_total += st->Int(1);
    }
    r.attempt_dispositions = CatalogueOrder(c.dispositions, counts, "EN_CURSO");
  }
  const std::string handle = "(COALESCE(wrapup_end_ms, end_ms) - COALESCE(connect_ms, answer_ms))";
  const std::string is_complete = "disposition IN (" + completes + ")";
  // By day.
  {
    auto st = db.Prepare("SELECT " + LocalDayExpr(t, opt.utc_offset_minutes) +
                         " AS day, COUNT(*),"
                         " SUM(CASE WHEN answer_ms IS NOT NULL THEN 1 ELSE 0 END),"
                         " SUM(CASE WHEN " +
                         is_complete + " THEN 1 ELSE 0 END), SUM(CASE WHEN " + is_complete +
                         " AND " + handle + " IS NOT NULL THEN " + handle +
                         " ELSE 0 END), SUM(CASE WHEN " + is_complete + " AND " + handle +
                         " IS NOT NULL THEN 1 ELSE 0 END), SUM(abandoned) FROM attempts" + where +
                         " GROUP BY day ORDER BY day");
    if (!st) return st.error();
    st->Bind(1, id).Bind(2, range.from_ms).Bind(3, range.to_ms);
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      PeriodRow p;
      p.period = st->Text(0);
      p.attempts = st->Int(1);
      p.answered = st->Int(2);
      p.completes = st->Int(3);
      p.complete_handle_ms = st->Int(4);
      p.completes_timed = st->Int(5);
      p.abandons = st->Int(6);
      r.by_day.push_back(std::move(p));
    }
  }
  // By agent.
  {
    auto st = db.Prepare("SELECT agent, COUNT(*), SUM(CASE WHEN " + is_complete +
                         " THEN 1 ELSE 0 END), COALESCE(SUM(" + handle + "), 0), SUM(CASE WHEN " +
                         handle + " IS NOT NULL THEN 1 ELSE 0 END) FROM attempts" + where +
                         " AND agent IS NOT NULL AND agent <> '' GROUP BY agent ORDER BY agent");
    if (!st) return st.error();
    st->Bind(1, id).Bind(2, range.from_ms).Bind(3, range.to_ms);
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      AgentRow a;
      a.agent = st->Text(0);
      a.attempts = st->Int(1);
      a.completes = st->Int(2);
      const double handled_ms = static_cast<double>(st->Int(3));
      a.handled_hours = handled_ms / 3.6e6;
      a.completes_per_hour = Ratio(static_cast<double>(a.completes), a.handled_hours);
      a.aht_seconds = Ratio(handled_ms / 1000.0, static_cast<double>(st->Int(4)));
      r.by_agent.push_back(std::move(a));
    }
  }
  // Outbound minutes per month: each answered call rounded up to the minute.
  {
    auto st = db.Prepare(
        "SELECT strftime('%Y-%m', (answer_ms + " + std::to_string(opt.utc_offset_minutes * 60'000) +
        ") / 1000, 'unixepoch') AS month, SUM((end_ms - answer_ms + 59999) / 60000)"
        " FROM attempts" +
        where + " AND answer_ms IS NOT NULL AND end_ms > answer_ms GROUP BY month ORDER BY month");
    if (!st) return st.error();
    st->Bind(1, id).Bind(2, range.from_ms).Bind(3, range.to_ms);
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      r.consumption.push_back(MakeConsumption(st->Text(0), "minutos_salientes", st->Int(1),
                                              c.contract.outbound_minutes.capacity,
                                              c.contract.outbound_minutes.unit_price));
    }
  }
  return Status::Ok();
}

void RollUpWeeks(Report& r) {
  std::map<std::string, PeriodRow> weeks;
  for (const auto& d : r.by_day) {
    int y = 0;
    unsigned m = 0, dd = 0;
    if (std::sscanf(d.period.c_str(), "%d-%u-%u", &y, &m, &dd) != 3) continue;
    const std::chrono::sys_days day{std::chrono::year{y} / std::chrono::month{m} /
                                    std::chrono::day{dd}};
    const std::chrono::weekday wd{day};
    const auto monday = day - std::chrono::days{(wd.c_encoding() + 6) % 7};
    const std::chrono::year_month_day ymd{monday};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    PeriodRow& w = weeks[buf];
    w.period = buf;
    w.attempts += d.attempts;
    w.answered += d.answered;
    w.completes += d.completes;
    w.abandons += d.abandons;
    w.complete_handle_ms += d.complete_handle_ms;
    w.completes_timed += d.completes_timed;
  }
  for (auto& [k, w] : weeks) r.by_week.push_back(w);
  for (auto* rows : {&r.by_day, &r.by_week}) {
    for (auto& p : *rows) {
      p.contact_rate =
          Ratio(static_cast<double>(p.answered) * 100.0, static_cast<double>(p.attempts));
      p.tmo_seconds = Ratio(static_cast<double>(p.complete_handle_ms) / 1000.0,
                            static_cast<double>(p.completes_timed));
    }
  }
}

bool IsChoice(surveys::QuestionType t) {
  using surveys::QuestionType;
  return t == QuestionType::kSingleChoice || t == QuestionType::kRating ||
         t == QuestionType::kMatrix || t == QuestionType::kYesNo || t == QuestionType::kMultiChoice;
}

ItemStat MakeItem(std::string id, std::string label, const std::vector<surveys::Option>& options,
                  std::map<std::string, int64_t> counts, bool yes_no) {
  ItemStat it;
  it.id = std::move(id);
  it.label = std::move(label);
  auto ns = counts.find(std::string(surveys::kNsNr));
  if (ns != counts.end()) {
    it.ns_nr = ns->second;
    counts.erase(ns);
  }
  counts.erase("");  // left blank: not an answer
  for (const auto& o : options) {
    auto c = counts.find(o.code);
    it.options.push_back({o.code, o.label, c == counts.end() ? 0 : c->second, 0});
    if (c != counts.end()) counts.erase(c);
  }
  for (const auto& [v, n] : counts) it.options.push_back({v, v, n, 0});  // not in the script
  std::vector<int64_t> ns_counts;
  std::vector<SentencePart> parts;
  for (const auto& o : it.options) {
    ns_counts.push_back(o.count);
    it.base += o.count;
    parts.push_back({o.label, o.count});
  }
  const auto pct = PercentLargestRemainder(ns_counts, 1);
  for (size_t i = 0; i < it.options.size(); ++i) it.options[i].percent = pct[i];
  it.ns_nr_percent =
      it.base + it.ns_nr == 0 ? 0.0 : PercentLargestRemainder({it.ns_nr, it.base}, 1)[0];
  it.sentence = QuestionSentence(it.label, parts, yes_no);
  return it;
}

Status FillQuestions(store::Db& db, const std::string& id, const Range& range, Report& r) {
  {
    auto st = db.Prepare(
        "SELECT COUNT(*) FROM responses WHERE campaign_id = ? AND status = 'complete'"
        " AND ended_ms >= ? AND ended_ms < ?");
    if (!st) return st.error();
    st->Bind(1, id).Bind(2, range.from_ms).Bind(3, range.to_ms);
    if (auto row = st->Step(); !row) return row.error();
    r.completes = st->Int(0);
  }
  // The survey most of the campaign's responses answered, at its latest version.
  std::optional<surveys::Survey> survey;
  {
    auto yaml = CampaignSurveyYaml(db, id);
    if (!yaml) return yaml.error();
    if (*yaml) {
      auto loaded = surveys::LoadSurvey(**yaml, "surveys");
      if (loaded) {
        survey = std::move(*loaded);
      } else {
        r.notes.push_back("La encuesta guardada no se pudo leer: se muestran los códigos.");
      }
    }
  }
  // question -> item -> value -> count
  std::map<std::string, std::map<std::string, std::map<std::string, int64_t>>> counts;
  {
    auto st = db.Prepare(
        "SELECT a.question_id, a.item_id, a.value, COUNT(*) FROM answers a"
        " JOIN responses r ON r.id = a.response_id WHERE r.campaign_id = ?"
        " AND r.status = 'complete' AND r.ended_ms >= ? AND r.ended_ms < ?"
        " GROUP BY a.question_id, a.item_id, a.value");
    if (!st) return st.error();
    st->Bind(1, id).Bind(2, range.from_ms).Bind(3, range.to_ms);
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      counts[st->Text(0)][st->Text(1)][st->Text(2)] += st->Int(3);
    }
  }
  if (survey) {
    for (const auto& q : survey->questions) {
      if (!IsChoice(q.type)) continue;
      QuestionStat qs;
      qs.id = q.id;
      qs.text = q.text;
      qs.short_label = q.short_label.empty() ? q.id : q.short_label;
      qs.type = std::string(surveys::QuestionTypeName(q.type));
      auto& qc = counts[q.id];
      const bool yes_no = q.type == surveys::QuestionType::kYesNo;
      if (q.type == surveys::QuestionType::kMatrix) {
        for (const auto& item : q.items) {
          qs.items.push_back(MakeItem(item.id, item.label, q.options, qc[item.id], false));
        }
      } else {
        qs.items.push_back(
            MakeItem(q.id, yes_no ? q.text : qs.short_label, q.options, qc[""], yes_no));
      }
      r.questions.push_back(std::move(qs));
    }
  } else {
    for (auto& [qid, items] : counts) {
      QuestionStat qs;
      qs.id = qid;
      qs.text = qid;
      qs.short_label = qid;
      qs.type = items.size() > 1 || !items.count("") ? "matrix" : "single_choice";
      for (auto& [iid, values] : items) {
        qs.items.push_back(
            MakeItem(iid.empty() ? qid : iid, iid.empty() ? qid : iid, {}, values, false));
      }
      r.questions.push_back(std::move(qs));
    }
  }
  return Status::Ok();
}

Status FillSms(store::Db& db, const std::string& id, const Range& range, const ReportOptions& opt,
               const campaigns::Campaign& c, Report& r) {
  auto st = db.Prepare(
      "SELECT b.id, b.template, b.scheduled_ms, b.recipients, b.segments,"
      " COALESCE(SUM(CASE WHEN m.state = 'sent' THEN 1 ELSE 0 END), 0),"
      " COALESCE(SUM(CASE WHEN m.state = 'sent' THEN m.segments ELSE 0 END), 0),"
      " COALESCE(SUM(CASE WHEN m.dlr = 'delivered' THEN 1 ELSE 0 END), 0)"
      " FROM sms_blasts b LEFT JOIN sms_messages m ON m.blast_id = b.id"
      " WHERE b.campaign_id = ? AND b.scheduled_ms >= ? AND b.scheduled_ms < ?"
      " GROUP BY b.id, b.template, b.scheduled_ms, b.recipients, b.segments"
      " ORDER BY b.scheduled_ms, b.id");
  if (!st) return st.error();
  st->Bind(1, id).Bind(2, range.from_ms).Bind(3, range.to_ms);
  while (true) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    SmsRow s;
    s.blast_id = st->Int(0);
    s.text = st->Text(1);
    s.time = FormatLocal(st->Int(2), opt.utc_offset_minutes);
    s.recipients = st->Int(3);
    s.segments = st->Int(4);
    s.sent = st->Int(5);
    s.billed_units = st->Int(6);
    s.delivered = st->Int(7);
    s.delivered_percent =
        Ratio(static_cast<double>(s.delivered) * 100.0, static_cast<double>(s.sent));
    r.sms_billed_total += s.billed_units;
    r.sms.push_back(std::move(s));
  }
  // Segments per month against the contract (the campaign's, else the sms_contract row).
  int64_t capacity = c.contract.sms_segments.capacity;
  double price = c.contract.sms_segments.unit_price;
  if (capacity == 0) {
    auto cc = db.Prepare("SELECT monthly_cap_segments, unit_price FROM sms_contract WHERE id = 1");
    if (!cc) return cc.error();
    auto row = cc->Step();
    if (!row) return row.error();
    if (*row) {
      capacity = cc->Int(0);
      price = cc->Double(1);
    }
  }
  auto mt = db.Prepare(
      "SELECT strftime('%Y-%m', (m.sent_ms + " + std::to_string(opt.utc_offset_minutes * 60'000) +
      ") / 1000, 'unixepoch') AS month, SUM(m.segments) FROM sms_messages m"
      " JOIN sms_blasts b ON b.id = m.blast_id WHERE b.campaign_id = ? AND m.state = 'sent'"
      " AND m.sent_ms >= ? AND m.sent_ms < ? GROUP BY month ORDER BY month");
  if (!mt) return mt.error();
  mt->Bind(1, id).Bind(2, range.from_ms).Bind(3, range.to_ms);
  while (true) {
    auto row = mt->Step();
    if (!row) return row.error();
    if (!*row) break;
    r.consumption.push_back(
        MakeConsumption(mt->Text(0), "sms_segmentos", mt->Int(1), capacity, price));
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> LocalDateToUnixMs(const std::string& date, int utc_offset_minutes) {
  int y = 0;
  unsigned m = 0, d = 0;
  char tail = 0;
  if (date.size() != 10 || std::sscanf(date.c_str(), "%4d-%2u-%2u%c", &y, &m, &d, &tail) != 3) {
    return Status::InvalidArgument("fecha \"" + date + "\": se esperaba AAAA-MM-DD");
  }
  const std::chrono::year_month_day ymd{std::chrono::year{y} / std::chrono::month{m} /
                                        std::chrono::day{d}};
  if (!ymd.ok()) return Status::InvalidArgument("fecha \"" + date + "\": no existe");
  const auto days = std::chrono::sys_days{ymd}.time_since_epoch().count();
  return static_cast<int64_t>(days) * 86'400'000 - int64_t{utc_offset_minutes} * 60'000;
}

std::string FormatLocal(int64_t unix_ms, int utc_offset_minutes) {
  const int64_t local_ms = unix_ms + int64_t{utc_offset_minutes} * 60'000;
  const std::chrono::sys_time<std::chrono::milliseconds> tp{std::chrono::milliseconds{local_ms}};
  const auto day = std::chrono::floor<std::chrono::days>(tp);
  const std::chrono::year_month_day ymd{day};
  const auto mins = std::chrono::duration_cast<std::chrono::minutes>(tp - day).count();
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02lld:%02lld", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<long long>(mins / 60), static_cast<long long>(mins % 60));
  return buf;
}

Result<Report> BuildReport(store::Db& db, const std::string& campaign_id,
                           const ReportOptions& options, int64_t now_unix_ms) {
  auto campaign = campaigns::LoadCampaign(db, campaign_id);
  if (!campaign) return campaign.error();
  Report r;
  r.campaign_id = campaign->id;
  r.campaign_name = campaign->name;
  r.entity = campaign->entity;
  r.generated_at = FormatLocal(now_unix_ms, options.utc_offset_minutes);
  r.purchase_order = campaign->contract.purchase_order;
  r.currency = campaign->contract.currency;
  Range range;
  if (options.from) {
    auto ms = LocalDateToUnixMs(*options.from, options.utc_offset_minutes);
    if (!ms) return Status::InvalidArgument("--from: " + ms.error().message());
    range.from_ms = *ms;
    r.from = *options.from;
  }
  if (options.to) {
    auto ms = LocalDateToUnixMs(*options.to, options.utc_offset_minutes);
    if (!ms) return Status::InvalidArgument("--to: " + ms.error().message());
    range.to_ms = *ms + 86'400'000;
    r.to = *options.to;
  }
  if (range.to_ms <= range.from_ms) {
    return Status::InvalidArgument("--from " + r.from + " es posterior a --to " + r.to);
  }
  if (Status s = FillFunnel(db, campaign_id, r); !s.ok()) return s;

  auto have_dialer = TableExists(db, "contact_dialing");
  if (!have_dialer) return have_dialer.error();
  if (!*have_dialer) r.notes.push_back("Sin datos de marcación: todos los contactos PENDIENTE.");
  if (Status s = FillDispositions(db, campaign_id, *have_dialer, *campaign, r); !s.ok()) return s;
  if (*have_dialer) {
    if (Status s = FillAttempts(db, campaign_id, range, options, *campaign, r); !s.ok()) return s;
    RollUpWeeks(r);
  }
  auto have_surveys = TableExists(db, "answers");
  if (!have_surveys) return have_surveys.error();
  if (*have_surveys) {
    if (Status s = FillQuestions(db, campaign_id, range, r); !s.ok()) return s;
  } else {
    r.notes.push_back("Sin respuestas de encuestas en esta base de datos.");
  }
  auto have_sms = TableExists(db, "sms_blasts");
  if (!have_sms) return have_sms.error();
  if (*have_sms) {
    if (Status s = FillSms(db, campaign_id, range, options, *campaign, r); !s.ok()) return s;
  }
  std::stable_sort(r.consumption.begin(), r.consumption.end(),
                   [](const Consumption& a, const Consumption& b) { return a.month < b.month; });
  return r;
}

}  // namespace sondeo::reports
