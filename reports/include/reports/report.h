#pragma once
// The campaign report (issue 9): one Report filled by SQL aggregates over the campaign's
// tables, and its renderers (JSON, HTML, CSV, XLSX). docs/reports.md documents the JSON shape
// (the stable interface for integrators) and the CSV files.
//
// BuildReport only reads. Tables of modules that are not in the database yet (dialer, sms,
// surveys) give empty sections and a note. Thread-compatible: one Db per thread.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "reports/calc.h"
#include "store/db.h"

namespace sondeo::reports {

struct ReportOptions {
  // Local calendar dates "YYYY-MM-DD", inclusive. They limit the attempt-level tables, the
  // by-day/week/agent tables, the answers (by the response's end), the SMS (by scheduled
  // time) and the consumption. The funnel and the final dispositions are the campaign's
  // state when the report is built.
  std::optional<std::string> from;
  std::optional<std::string> to;
  // Minutes east of UTC of the campaign's time zone (America/Bogota: -300, no DST).
  int utc_offset_minutes = -300;
};

struct Funnel {
  int64_t imports = 0;
  int64_t initial = 0, rejected = 0, cleaned = 0, duplicates = 0, suppressed = 0, callable = 0;
  std::vector<std::pair<std::string, int64_t>> rejected_by_reason;  // sorted by reason
};

struct CountRow {
  std::string code;
  std::string label;
  int64_t count = 0;
  double percent = 0;  // largest remainder, 1 decimal; the rows sum to 100.0
};

struct OptionStat {
  std::string value;  // the stored code
  std::string label;
  int64_t count = 0;
  double percent = 0;  // of the item's base (answers other than NS/NR), 1 decimal
};

struct ItemStat {
  std::string id;  // the matrix item id, or the question id for a plain question
  std::string label;
  std::vector<OptionStat> options;
  int64_t base = 0;          // answers counted in the percentages
  int64_t ns_nr = 0;         // "No sabe / No responde", shown apart
  double ns_nr_percent = 0;  // of base + ns_nr
  std::string sentence;
};

struct QuestionStat {
  std::string id;
  std::string text;
  std::string short_label;
  std::string type;  // "rating", "matrix", "yes_no", ...
  std::vector<ItemStat> items;
};

struct PeriodRow {
  std::string period;  // day "2019-09-04", or the week's Monday "2019-09-02"
  int64_t attempts = 0;
  int64_t answered = 0;
  double contact_rate = 0;  // answered / attempts * 100 (NaN when no attempts)
  int64_t completes = 0;
  double tmo_seconds = 0;  // average handle time of the completes (NaN when none timed)
  int64_t abandons = 0;
  // Sums kept to roll days up into weeks.
  int64_t complete_handle_ms = 0;
  int64_t completes_timed = 0;
};

struct AgentRow {
  std::string agent;
  int64_t attempts = 0;
  int64_t completes = 0;
  double handled_hours = 0;       // connected + wrap-up time of all its calls
  double completes_per_hour = 0;  // completes / handled_hours (NaN when 0 h)
  double aht_seconds = 0;         // average handle time of its connected calls
};

struct AaporSection {
  AaporCounts counts;
  AaporRates rates;
  // code -> AAPOR code and category used, for the dispositions present.
  struct Mapping {
    std::string code, aapor, category;
    int64_t count = 0;
  };
  std::vector<Mapping> mapping;
};

struct SmsRow {
  int64_t blast_id = 0;
  std::string text;  // the template
  std::string time;  // local "YYYY-MM-DD HH:MM"
  int64_t recipients = 0;
  int64_t segments = 0;  // per message
  int64_t sent = 0;
  int64_t billed_units = 0;  // segments of the messages sent
  int64_t delivered = 0;
  double delivered_percent = 0;  // delivered / sent * 100 (NaN when none sent)
};

struct Report {
  std::string campaign_id, campaign_name, entity;
  std::string generated_at;  // local "YYYY-MM-DD HH:MM"
  std::string from, to;      // "" when open
  Funnel funnel;
  int64_t managed = 0;                 // contacts of the campaign
  std::vector<CountRow> dispositions;  // one per final disposition present, PENDIENTE last
  int64_t attempts_total = 0;
  std::vector<CountRow> attempt_dispositions;
  int64_t completes = 0;  // complete responses in the period
  std::vector<QuestionStat> questions;
  std::vector<PeriodRow> by_day, by_week;
  std::vector<AgentRow> by_agent;
  AaporSection aapor;
  std::vector<SmsRow> sms;
  int64_t sms_billed_total = 0;
  std::vector<Consumption> consumption;
  std::string purchase_order;      // the campaign contract's, "" when none
  std::string currency;            // "COP"
  std::vector<std::string> notes;  // assumptions and missing data, in Spanish
};

// Builds the report of campaign `campaign_id`. kNotFound for an unknown campaign;
// kInvalidArgument for a bad --from/--to; other codes from the store.
Result<Report> BuildReport(store::Db& db, const std::string& campaign_id,
                           const ReportOptions& options, int64_t now_unix_ms);

// The documented JSON (one object; NaN rates are null).
std::string RenderJson(const Report& report);
// One self-contained HTML file (inline CSS and SVG, no script), printable on A4.
std::string RenderHtml(const Report& report);
// One CSV file per section: for out "DIR/informe.csv" (or "DIR/informe"), the files are
// "DIR/informe_<seccion>.csv" with seccion in embudo, tipificaciones, intentos, preguntas,
// por_dia, por_semana, por_agente, aapor, sms, consumo. UTF-8 with BOM, `separator`
// between fields. Returns the paths written.
Result<std::vector<std::string>> WriteReportCsv(const Report& report, const std::string& out,
                                                char separator = ',');
// One workbook, one sheet per section, with number and percent formats.
Status WriteReportXlsx(const Report& report, const std::string& out);

// Local date "YYYY-MM-DD" -> Unix ms of its local midnight. kInvalidArgument when malformed.
Result<int64_t> LocalDateToUnixMs(const std::string& date, int utc_offset_minutes);
// Unix ms -> local "YYYY-MM-DD HH:MM".
std::string FormatLocal(int64_t unix_ms, int utc_offset_minutes);

}  // namespace sondeo::reports
