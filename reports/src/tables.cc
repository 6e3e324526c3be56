#include "reports/src/tables.h"

#include <cmath>
#include <cstdio>

namespace sondeo::reports {

namespace {

std::vector<Cell> PeriodCells(const PeriodRow& p) {
  return {Cell::Text(p.period),        Cell::Int(p.attempts),
          Cell::Int(p.answered),       Cell::Percent(p.contact_rate),
          Cell::Int(p.completes),      Cell::Text(FormatMmSs(p.tmo_seconds)),
          Cell::Number(p.tmo_seconds), Cell::Int(p.abandons)};
}

const std::vector<std::string> kPeriodHeader = {"",
                                                "Intentos",
                                                "Contestadas",
                                                "Tasa de contacto",
                                                "Encuestas efectivas",
                                                "TMO (mm:ss)",
                                                "TMO (s)",
                                                "Abandonadas"};

Table CountTable(std::string key, std::string title, const std::vector<CountRow>& rows) {
  Table t{std::move(key), std::move(title), {"Código", "Tipificación", "Cantidad", "%"}, {}};
  int64_t total = 0;
  for (const auto& r : rows) {
    t.rows.push_back(
        {Cell::Text(r.code), Cell::Text(r.label), Cell::Int(r.count), Cell::Percent(r.percent)});
    total += r.count;
  }
  t.rows.push_back({Cell::Empty(), Cell::Text("TOTAL"), Cell::Int(total),
                    Cell::Percent(rows.empty() ? 0.0 : 100.0)});
  return t;
}

}  // namespace

std::vector<Table> ReportTables(const Report& r) {
  std::vector<Table> out;
  {
    Table t{"embudo", "Embudo", {"Concepto", "Registros"}, {}};
    const auto& f = r.funnel;
    t.rows.push_back({Cell::Text("BASE INICIAL"), Cell::Int(f.initial)});
    t.rows.push_back({Cell::Text("RECHAZADOS"), Cell::Int(f.rejected)});
    for (const auto& [reason, n] : f.rejected_by_reason) {
      t.rows.push_back({Cell::Text("  rechazo: " + reason), Cell::Int(n)});
    }
    t.rows.push_back({Cell::Text("BASE DEPURADA"), Cell::Int(f.cleaned)});
    t.rows.push_back({Cell::Text("REGISTROS DUPLICADOS"), Cell::Int(f.duplicates)});
    t.rows.push_back({Cell::Text("EXCLUIDOS (supresión)"), Cell::Int(f.suppressed)});
    t.rows.push_back({Cell::Text("REGISTROS A GESTIONAR"), Cell::Int(f.callable)});
    t.rows.push_back({Cell::Text("CONTACTOS GESTIONADOS"), Cell::Int(r.managed)});
    t.rows.push_back({Cell::Text("TOTAL ENCUESTAS REALIZADAS"), Cell::Int(r.completes)});
    out.push_back(std::move(t));
  }
  out.push_back(CountTable("tipificaciones", "Tipificaciones", r.dispositions));
  out.push_back(CountTable("intentos", "Intentos", r.attempt_dispositions));
  {
    Table t{"preguntas",
            "Preguntas",
            {"Pregunta", "Ítem", "Código", "Opción", "Cantidad", "%", "Frase"},
            {}};
    for (const auto& q : r.questions) {
      for (const auto& it : q.items) {
        for (size_t k = 0; k < it.options.size(); ++k) {
          const auto& o = it.options[k];
          t.rows.push_back({Cell::Text(q.id), Cell::Text(it.label), Cell::Text(o.value),
                            Cell::Text(o.label), Cell::Int(o.count), Cell::Percent(o.percent),
                            k == 0 ? Cell::Text(it.sentence) : Cell::Empty()});
        }
        t.rows.push_back({Cell::Text(q.id), Cell::Text(it.label), Cell::Text("NS/NR"),
                          Cell::Text("No sabe / No responde (aparte, % del total)"),
                          Cell::Int(it.ns_nr), Cell::Percent(it.ns_nr_percent), Cell::Empty()});
      }
    }
    out.push_back(std::move(t));
  }
  {
    Table t{"por_dia", "Por día", kPeriodHeader, {}};
    t.header[0] = "Día";
    for (const auto& p : r.by_day) t.rows.push_back(PeriodCells(p));
    out.push_back(std::move(t));
  }
  {
    Table t{"por_semana", "Por semana", kPeriodHeader, {}};
    t.header[0] = "Semana (lunes)";
    for (const auto& p : r.by_week) t.rows.push_back(PeriodCells(p));
    out.push_back(std::move(t));
  }
  {
    Table t{"por_agente",
            "Por agente",
            {"Agente", "Intentos", "Encuestas efectivas", "Horas atendidas", "Efectivas por hora",
             "Tiempo medio (mm:ss)", "Tiempo medio (s)"},
            {}};
    for (const auto& a : r.by_agent) {
      t.rows.push_back({Cell::Text(a.agent), Cell::Int(a.attempts), Cell::Int(a.completes),
                        Cell::Number(a.handled_hours), Cell::Number(a.completes_per_hour),
                        Cell::Text(FormatMmSs(a.aht_seconds)), Cell::Number(a.aht_seconds)});
    }
    out.push_back(std::move(t));
  }
  {
    Table t{"aapor", "AAPOR", {"Indicador", "Valor"}, {}};
    const auto& c = r.aapor.counts;
    const std::pair<const char*, int64_t> counts[] = {{"I", c.i},   {"P", c.p},  {"R", c.r},
                                                      {"NC", c.nc}, {"O", c.o},  {"UH", c.uh},
                                                      {"UO", c.uo}, {"NE", c.ne}};
    for (const auto& [k, v] : counts) t.rows.push_back({Cell::Text(k), Cell::Int(v)});
    const auto& x = r.aapor.rates;
    t.rows.push_back({Cell::Text("e (" + x.e_method + ")"), Cell::Number(x.e)});
    const std::pair<const char*, double> rates[] = {
        {"RR1", x.rr1},     {"RR2", x.rr2},     {"RR3", x.rr3},     {"RR4", x.rr4},
        {"RR5", x.rr5},     {"RR6", x.rr6},     {"COOP1", x.coop1}, {"COOP2", x.coop2},
        {"COOP3", x.coop3}, {"COOP4", x.coop4}, {"REF1", x.ref1},   {"REF2", x.ref2},
        {"REF3", x.ref3},   {"CON1", x.con1},   {"CON2", x.con2},   {"CON3", x.con3}};
    for (const auto& [k, v] : rates) t.rows.push_back({Cell::Text(k), Cell::Percent(v * 100)});
    out.push_back(std::move(t));
  }
  {
    Table t{"sms",
            "SMS",
            {"Mensaje", "Hora", "Texto", "Destinatarios", "Segmentos", "Enviados",
             "Unidades facturadas", "Entregados", "% entregados"},
            {}};
    for (const auto& s : r.sms) {
      t.rows.push_back({Cell::Int(s.blast_id), Cell::Text(s.time), Cell::Text(s.text),
                        Cell::Int(s.recipients), Cell::Int(s.segments), Cell::Int(s.sent),
                        Cell::Int(s.billed_units), Cell::Int(s.delivered),
                        Cell::Percent(s.delivered_percent)});
    }
    t.rows.push_back({Cell::Empty(), Cell::Empty(), Cell::Text("TOTAL"), Cell::Empty(),
                      Cell::Empty(), Cell::Empty(), Cell::Int(r.sms_billed_total), Cell::Empty(),
                      Cell::Empty()});
    out.push_back(std::move(t));
  }
  {
    Table t{"consumo",
            "Consumo",
            {"Mes", "Ítem", "Consumido", "Capacidad", "% de capacidad", "Precio unitario",
             "Valor ejecutado", "Valor presupuesto", "Excede"},
            {}};
    for (const auto& k : r.consumption) {
      t.rows.push_back({Cell::Text(k.month), Cell::Text(k.item), Cell::Int(k.used),
                        Cell::Int(k.capacity), Cell::Percent(k.percent_of_capacity),
                        Cell::Money(k.unit_price), Cell::Money(k.value), Cell::Money(k.budget),
                        Cell::Text(k.over_capacity ? "SÍ" : "no")});
    }
    out.push_back(std::move(t));
  }
  return out;
}

std::string CsvField(std::string_view value, char separator) {
  std::string v(value);
  if (!v.empty() &&
      (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  if (v.find_first_of(std::string{separator, '"', '\n', '\r'}) == std::string::npos) return v;
  std::string out = "\"";
  for (char ch : v) {
    if (ch == '"') out += '"';
    out += ch;
  }
  return out + "\"";
}

std::string CsvCell(const Cell& c, char separator) {
  char buf[64];
  switch (c.kind) {
    case Cell::Kind::kText:
      return CsvField(c.text, separator);
    case Cell::Kind::kEmpty:
      return "";
    case Cell::Kind::kInt:
      std::snprintf(buf, sizeof buf, "%.0f", c.value);
      return buf;
    case Cell::Kind::kNumber:
    case Cell::Kind::kPercent:
    case Cell::Kind::kMoney:
      if (std::isnan(c.value) || std::isinf(c.value)) return "";
      std::snprintf(buf, sizeof buf, "%.*f", c.kind == Cell::Kind::kNumber ? 4 : 2, c.value);
      {
        // Trim trailing zeros ("73.30" -> "73.3", "2.0000" -> "2").
        std::string s = buf;
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
        return s;
      }
  }
  return "";
}

}  // namespace sondeo::reports
