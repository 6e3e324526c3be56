// RenderJson: the stable interface (docs/reports.md).
#include <cmath>

#include <nlohmann/json.hpp>

#include "reports/report.h"

namespace sondeo::reports {

namespace {

using json = nlohmann::ordered_json;

json Num(double v) { return std::isnan(v) || std::isinf(v) ? json(nullptr) : json(v); }
// Percent-like values with 1 decimal, rounded for display stability.
json Round(double v, int decimals) {
  if (std::isnan(v) || std::isinf(v)) return nullptr;
  const double scale = std::pow(10.0, decimals);
  return std::round(v * scale) / scale;
}

json CountRows(const std::vector<CountRow>& rows) {
  json a = json::array();
  for (const auto& r : rows) {
    a.push_back({{"code", r.code}, {"label", r.label}, {"count", r.count}, {"percent", r.percent}});
  }
  return a;
}

json Periods(const std::vector<PeriodRow>& rows, const char* key) {
  json a = json::array();
  for (const auto& p : rows) {
    a.push_back({{key, p.period},
                 {"attempts", p.attempts},
                 {"answered", p.answered},
                 {"contact_rate", Round(p.contact_rate, 1)},
                 {"completes", p.completes},
                 {"tmo_seconds", Round(p.tmo_seconds, 1)},
                 {"tmo", FormatMmSs(p.tmo_seconds)},
                 {"abandons", p.abandons}});
  }
  return a;
}

}  // namespace

std::string RenderJson(const Report& r) {
  json j;
  j["campaign"] = {{"id", r.campaign_id}, {"name", r.campaign_name}, {"entity", r.entity}};
  j["generated_at"] = r.generated_at;
  j["period"] = {{"from", r.from.empty() ? json(nullptr) : json(r.from)},
                 {"to", r.to.empty() ? json(nullptr) : json(r.to)}};
  json reasons = json::array();
  for (const auto& [reason, n] : r.funnel.rejected_by_reason) {
    reasons.push_back({{"reason", reason}, {"count", n}});
  }
  j["funnel"] = {{"imports", r.funnel.imports},       {"initial", r.funnel.initial},
                 {"rejected", r.funnel.rejected},     {"rejected_by_reason", reasons},
                 {"cleaned", r.funnel.cleaned},       {"duplicates", r.funnel.duplicates},
                 {"suppressed", r.funnel.suppressed}, {"callable", r.funnel.callable}};
  j["managed"] = r.managed;
  j["dispositions"] = CountRows(r.dispositions);
  j["attempts"] = {{"total", r.attempts_total},
                   {"dispositions", CountRows(r.attempt_dispositions)}};
  j["completes"] = r.completes;
  json qs = json::array();
  for (const auto& q : r.questions) {
    json items = json::array();
    for (const auto& it : q.items) {
      json opts = json::array();
      for (const auto& o : it.options) {
        opts.push_back(
            {{"value", o.value}, {"label", o.label}, {"count", o.count}, {"percent", o.percent}});
      }
      items.push_back({{"id", it.id},
                       {"label", it.label},
                       {"base", it.base},
                       {"options", opts},
                       {"ns_nr", {{"count", it.ns_nr}, {"percent", it.ns_nr_percent}}},
                       {"sentence", it.sentence}});
    }
    qs.push_back({{"id", q.id},
                  {"text", q.text},
                  {"short", q.short_label},
                  {"type", q.type},
                  {"items", items}});
  }
  j["questions"] = qs;
  j["by_day"] = Periods(r.by_day, "date");
  j["by_week"] = Periods(r.by_week, "week_start");
  json agents = json::array();
  for (const auto& a : r.by_agent) {
    agents.push_back({{"agent", a.agent},
                      {"attempts", a.attempts},
                      {"completes", a.completes},
                      {"handled_hours", Round(a.handled_hours, 2)},
                      {"completes_per_hour", Round(a.completes_per_hour, 2)},
                      {"aht_seconds", Round(a.aht_seconds, 1)},
                      {"aht", FormatMmSs(a.aht_seconds)}});
  }
  j["by_agent"] = agents;
  const AaporCounts& c = r.aapor.counts;
  const AaporRates& x = r.aapor.rates;
  json mapping = json::array();
  for (const auto& m : r.aapor.mapping) {
    mapping.push_back(
        {{"code", m.code}, {"aapor", m.aapor}, {"category", m.category}, {"count", m.count}});
  }
  j["aapor"] = {{"counts",
                 {{"I", c.i},
                  {"P", c.p},
                  {"R", c.r},
                  {"NC", c.nc},
                  {"O", c.o},
                  {"UH", c.uh},
                  {"UO", c.uo},
                  {"NE", c.ne}}},
                {"e", Num(x.e)},
                {"e_method", x.e_method},
                {"mapping", mapping},
                {"RR1", Num(x.rr1)},
                {"RR2", Num(x.rr2)},
                {"RR3", Num(x.rr3)},
                {"RR4", Num(x.rr4)},
                {"RR5", Num(x.rr5)},
                {"RR6", Num(x.rr6)},
                {"COOP1", Num(x.coop1)},
                {"COOP2", Num(x.coop2)},
                {"COOP3", Num(x.coop3)},
                {"COOP4", Num(x.coop4)},
                {"REF1", Num(x.ref1)},
                {"REF2", Num(x.ref2)},
                {"REF3", Num(x.ref3)},
                {"CON1", Num(x.con1)},
                {"CON2", Num(x.con2)},
                {"CON3", Num(x.con3)}};
  json sms = json::array();
  for (const auto& s : r.sms) {
    sms.push_back({{"id", s.blast_id},
                   {"text", s.text},
                   {"time", s.time},
                   {"recipients", s.recipients},
                   {"segments", s.segments},
                   {"sent", s.sent},
                   {"billed_units", s.billed_units},
                   {"delivered", s.delivered},
                   {"delivered_percent", Round(s.delivered_percent, 1)}});
  }
  j["sms"] = {{"messages", sms}, {"billed_units_total", r.sms_billed_total}};
  json cons = json::array();
  for (const auto& k : r.consumption) {
    cons.push_back({{"month", k.month},
                    {"item", k.item},
                    {"used", k.used},
                    {"capacity", k.capacity},
                    {"unit_price", k.unit_price},
                    {"value", Round(k.value, 2)},
                    {"budget", Round(k.budget, 2)},
                    {"percent_of_capacity", Round(k.percent_of_capacity, 1)},
                    {"over_capacity", k.over_capacity}});
  }
  j["consumption"] = cons;
  j["contract"] = {{"purchase_order", r.purchase_order}, {"currency", r.currency}};
  j["notes"] = r.notes;
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace sondeo::reports
