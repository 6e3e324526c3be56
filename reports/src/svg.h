#pragma once
// Self-contained SVG charts for the HTML report (no script, no external references). Every
// text is XML-escaped. Pure functions.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/text.h"  // EscapeMarkup, for the SVG and HTML writers

namespace sondeo::reports {

struct ChartDatum {
  std::string label;
  int64_t count = 0;
  double percent = 0;  // 0..100
};

// Horizontal bars, one per datum, labelled "label" and "73,3 % (148)".
std::string BarChartSvg(std::string_view title, const std::vector<ChartDatum>& data);
// A pie with a legend; a single 100 % slice is drawn as a full circle.
std::string PieChartSvg(std::string_view title, const std::vector<ChartDatum>& data);

}  // namespace sondeo::reports
