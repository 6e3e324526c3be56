#pragma once
// The report's sections as plain tables, shared by the CSV, XLSX and HTML renderers, so
// every format shows the same numbers.
#include <string>
#include <string_view>
#include <vector>

#include "reports/report.h"

namespace sondeo::reports {

struct Cell {
  enum class Kind { kText, kInt, kNumber, kPercent, kMoney, kEmpty };
  Kind kind = Kind::kEmpty;
  std::string text;  // kText
  double value = 0;  // numbers; kPercent in 0..100 (NaN = not defined)

  static Cell Text(std::string t) { return {Kind::kText, std::move(t), 0}; }
  static Cell Int(int64_t v) { return {Kind::kInt, "", static_cast<double>(v)}; }
  static Cell Number(double v) { return {Kind::kNumber, "", v}; }
  static Cell Percent(double v) { return {Kind::kPercent, "", v}; }
  static Cell Money(double v) { return {Kind::kMoney, "", v}; }
  static Cell Empty() { return {}; }
};

struct Table {
  std::string key;    // CSV file suffix: "embudo"
  std::string title;  // sheet name and heading: "Embudo"
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
};

std::vector<Table> ReportTables(const Report& report);

// One CSV field: formula injection neutralised (a leading = + - @, tab or CR gets a leading
// '), quoted when it holds the separator, a quote or a line break.
std::string CsvField(std::string_view value, char separator);
// A cell as CSV text: numbers with '.' decimals and no grouping; NaN as empty.
std::string CsvCell(const Cell& cell, char separator);

inline constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

}  // namespace sondeo::reports
