// RenderHtml: one self-contained, printable (A4) Spanish HTML file.
#include <cmath>
#include <cstdio>

#include "reports/report.h"
#include "reports/src/svg.h"
#include "reports/src/tables.h"

namespace sondeo::reports {

namespace {

constexpr const char* kCss = R"(
@page { size: A4; margin: 15mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; color: #222; max-width: 190mm;
       margin: 0 auto; }
h1 { font-size: 18pt; color: #1f4e79; margin-bottom: 2mm; }
h2 { font-size: 14pt; color: #1f4e79; border-bottom: 1px solid #9dc3e6; margin-top: 8mm; }
h3 { font-size: 12pt; margin-bottom: 1mm; }
h4 { font-size: 11pt; margin: 3mm 0 1mm; }
table { border-collapse: collapse; margin: 2mm 0 4mm; font-size: 9.5pt; }
th, td { border: 1px solid #bbb; padding: 1mm 2mm; }
th { background: #ddebf7; text-align: left; }
td.n { text-align: right; white-space: nowrap; }
p.frase { font-style: italic; }
p.meta, p.nota { color: #555; font-size: 9pt; }
section.item { page-break-inside: avoid; }
svg { max-width: 100%; height: auto; }
@media print { h2 { page-break-after: avoid; } }
)";

std::string E(std::string_view s) { return EscapeMarkup(s); }

std::string Decimal(double v, int decimals) {
  if (std::isnan(v) || std::isinf(v)) return "n/d";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  for (char& ch : s) {
    if (ch == '.') ch = ',';
  }
  return s;
}

std::string CellHtml(const Cell& c) {
  switch (c.kind) {
    case Cell::Kind::kText:
      return "<td>" + E(c.text) + "</td>";
    case Cell::Kind::kEmpty:
      return "<td></td>";
    case Cell::Kind::kInt:
      return "<td class=\"n\">" + FormatInt(std::llround(c.value)) + "</td>";
    case Cell::Kind::kNumber:
      return "<td class=\"n\">" + Decimal(c.value, 2) + "</td>";
    case Cell::Kind::kPercent:
      return "<td class=\"n\">" + FormatPercent(c.value) + "</td>";
    case Cell::Kind::kMoney:
      return "<td class=\"n\">" + FormatCop(c.value) + "</td>";
  }
  return "<td></td>";
}

std::string TableHtml(const Table& t) {
  std::string s = "<table><thead><tr>";
  for (const auto& h : t.header) s += "<th>" + E(h) + "</th>";
  s += "</tr></thead><tbody>";
  for (const auto& row : t.rows) {
    s += "<tr>";
    for (const auto& c : row) s += CellHtml(c);
    s += "</tr>";
  }
  if (t.rows.empty()) {
    s += "<tr><td colspan=\"" + std::to_string(t.header.size()) + "\">Sin datos</td></tr>";
  }
  return s + "</tbody></table>";
}

const Table* Find(const std::vector<Table>& tables, std::string_view key) {
  for (const auto& t : tables) {
    if (t.key == key) return &t;
  }
  return nullptr;
}

std::string QuestionsHtml(const Report& r) {
  std::string s;
  if (r.questions.empty()) return "<p>Sin respuestas en el periodo.</p>";
  int chart = 1;
  for (const auto& q : r.questions) {
    s += "<h3>" + E(q.short_label) + "</h3><p>" + E(q.text) + "</p>";
    for (const auto& it : q.items) {
      s += "<section class=\"item\">";
      if (q.items.size() > 1 || it.label != q.short_label) s += "<h4>" + E(it.label) + "</h4>";
      std::vector<ChartDatum> data;
      for (const auto& o : it.options) data.push_back({o.label, o.count, o.percent});
      const std::string title = "Gráfica " + std::to_string(chart++) + ". " + it.label;
      s += q.type == "yes_no" ? PieChartSvg(title, data) : BarChartSvg(title, data);
      if (!it.sentence.empty()) s += "<p class=\"frase\">" + E(it.sentence) + "</p>";
      s += "<table><thead><tr><th>Opción</th><th>Cantidad</th><th>%</th></tr></thead><tbody>";
      for (const auto& o : it.options) {
        s += "<tr><td>" + E(o.label) + "</td><td class=\"n\">" + FormatInt(o.count) +
             "</td><td class=\"n\">" + FormatPercent(o.percent) + "</td></tr>";
      }
      s += "<tr><th>Total</th><th class=\"n\">" + FormatInt(it.base) + "</th><th></th></tr>";
      s += "</tbody></table>";
      s += "<p class=\"nota\">No sabe / No responde: " + FormatInt(it.ns_nr) + " (" +
           FormatPercent(it.ns_nr_percent) + " del total, fuera de los porcentajes).</p>";
      s += "</section>";
    }
  }
  return s;
}

}  // namespace

std::string RenderHtml(const Report& r) {
  const std::vector<Table> tables = ReportTables(r);
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"es\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Informe de campaña " +
      E(r.campaign_name.empty() ? r.campaign_id : r.campaign_name) + "</title><style>" + kCss +
      "</style></head><body>";
  s += "<h1>Informe de campaña: " + E(r.campaign_name.empty() ? r.campaign_id : r.campaign_name) +
       "</h1>";
  s += "<p class=\"meta\">" + E(r.entity) + " · campaña " + E(r.campaign_id) + " · periodo " +
       E(r.from.empty() ? "desde el inicio" : r.from) + " a " +
       E(r.to.empty() ? "la fecha" : r.to) + " · generado " + E(r.generated_at) + "</p>";

  s += "<h2>1. Depuración de la base</h2>" + TableHtml(*Find(tables, "embudo"));
  s += "<h2>2. Tipificación final</h2>";
  s += "<p>Una tipificación por registro gestionado; PENDIENTE = sin tipificación final aún.</p>";
  s += TableHtml(*Find(tables, "tipificaciones"));
  {
    std::vector<ChartDatum> data;
    for (const auto& d : r.dispositions) data.push_back({d.label, d.count, d.percent});
    if (!data.empty()) s += BarChartSvg("Tipificación final", data);
  }
  s += "<h3>Intentos de llamada</h3><p>Total de intentos: " + FormatInt(r.attempts_total) + "</p>" +
       TableHtml(*Find(tables, "intentos"));
  s += "<h2>3. Resultados de la encuesta</h2><p>Encuestas efectivas: " + FormatInt(r.completes) +
       "</p>" + QuestionsHtml(r);
  s += "<h2>4. Indicadores por día y por semana</h2>" + TableHtml(*Find(tables, "por_dia")) +
       TableHtml(*Find(tables, "por_semana"));
  s += "<p class=\"nota\">TMO: tiempo medio de operación de las encuestas efectivas (conexión "
       "a fin de la tipificación).</p>";
  s += "<h2>5. Por agente</h2>" + TableHtml(*Find(tables, "por_agente"));
  s += "<h2>6. Tasas AAPOR</h2>" + TableHtml(*Find(tables, "aapor"));
  s += "<p class=\"nota\">e = " + Decimal(r.aapor.rates.e, 4) +
       (r.aapor.rates.e_method == "casro"
            ? ", estimado por asignación proporcional (CASRO): (I+P+R+NC+O) / (I+P+R+NC+O+NE)."
            : ", dado.") +
       " PENDIENTE se cuenta como 3.11 (no intentado): UH.</p>";
  s += "<h2>7. Envíos SMS</h2>" + TableHtml(*Find(tables, "sms"));
  s += "<h2>8. Consumo frente al contrato</h2>";
  if (!r.purchase_order.empty()) {
    s += "<p>Orden de compra: " + E(r.purchase_order) + " (" + E(r.currency) + ")</p>";
  }
  s += TableHtml(*Find(tables, "consumo"));
  s += "<p class=\"nota\">Minutos salientes: cada llamada contestada se redondea al minuto "
       "superior. SMS: segmentos de los mensajes enviados.</p>";
  if (!r.notes.empty()) {
    s += "<h2>Notas</h2><ul>";
    for (const auto& n : r.notes) s += "<li>" + E(n) + "</li>";
    s += "</ul>";
  }
  s += "</body></html>\n";
  return s;
}

}  // namespace sondeo::reports
