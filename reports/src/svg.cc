#include "reports/src/svg.h"

#include <cmath>
#include <cstdio>
#include <numbers>

#include "reports/calc.h"

namespace sondeo::reports {

namespace {

constexpr const char* kPalette[] = {"#1f4e79", "#2e75b6", "#9dc3e6", "#f4b183",
                                    "#c55a11", "#70ad47", "#a5a5a5", "#7030a0"};

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

std::string ValueLabel(const ChartDatum& d) {
  return FormatPercent(d.percent) + " (" + FormatInt(d.count) + ")";
}

}  // namespace

std::string BarChartSvg(std::string_view title, const std::vector<ChartDatum>& data) {
  constexpr int kWidth = 640;
  constexpr int kLabelW = 200;
  constexpr int kBarMax = 300;
  constexpr int kRow = 28;
  const int height = 36 + kRow * static_cast<int>(data.size()) + 8;
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" +
                  std::to_string(kWidth) + "\" height=\"" + std::to_string(height) +
                  "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(height) +
                  "\" font-family=\"Arial, sans-serif\" font-size=\"12\">";
  s += "<title>" + EscapeMarkup(title) + "</title>";
  s += "<text x=\"0\" y=\"16\" font-weight=\"bold\" font-size=\"14\">" + EscapeMarkup(title) +
       "</text>";
  for (size_t i = 0; i < data.size(); ++i) {
    const int y = 30 + kRow * static_cast<int>(i);
    const double w = std::max(0.0, std::min(100.0, data[i].percent)) * kBarMax / 100.0;
    s += "<text x=\"" + std::to_string(kLabelW - 6) + "\" y=\"" + std::to_string(y + 16) +
         "\" text-anchor=\"end\">" + EscapeMarkup(data[i].label) + "</text>";
    s += "<rect x=\"" + std::to_string(kLabelW) + "\" y=\"" + std::to_string(y + 4) +
         "\" width=\"" + Num(w) + "\" height=\"18\" fill=\"" + kPalette[i % 8] + "\"/>";
    s += "<text x=\"" + Num(kLabelW + w + 6) + "\" y=\"" + std::to_string(y + 17) + "\">" +
         EscapeMarkup(ValueLabel(data[i])) + "</text>";
  }
  s += "</svg>";
  return s;
}

std::string PieChartSvg(std::string_view title, const std::vector<ChartDatum>& data) {
  constexpr int kWidth = 640;
  constexpr double kCx = 110, kCy = 130, kR = 90;
  const int height = std::max(240, 40 + 22 * static_cast<int>(data.size()));
  std::string s = "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" +
                  std::to_string(kWidth) + "\" height=\"" + std::to_string(height) +
                  "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(height) +
                  "\" font-family=\"Arial, sans-serif\" font-size=\"12\">";
  s += "<title>" + EscapeMarkup(title) + "</title>";
  s += "<text x=\"0\" y=\"16\" font-weight=\"bold\" font-size=\"14\">" + EscapeMarkup(title) +
       "</text>";
  double angle = -std::numbers::pi / 2;
  for (size_t i = 0; i < data.size(); ++i) {
    const double frac = std::max(0.0, std::min(100.0, data[i].percent)) / 100.0;
    const char* color = kPalette[i % 8];
    if (frac >= 0.9999) {
      s += "<circle cx=\"" + Num(kCx) + "\" cy=\"" + Num(kCy) + "\" r=\"" + Num(kR) + "\" fill=\"" +
           color + "\"/>";
    } else if (frac > 0) {
      const double a2 = angle + frac * 2 * std::numbers::pi;
      s += "<path d=\"M" + Num(kCx) + "," + Num(kCy) + " L" + Num(kCx + kR * std::cos(angle)) +
           "," + Num(kCy + kR * std::sin(angle)) + " A" + Num(kR) + "," + Num(kR) + " 0 " +
           (frac > 0.5 ? "1" : "0") + ",1 " + Num(kCx + kR * std::cos(a2)) + "," +
           Num(kCy + kR * std::sin(a2)) + " Z\" fill=\"" + color + "\"/>";
      angle = a2;
    }
    const int ly = 40 + 22 * static_cast<int>(i);
    s += "<rect x=\"240\" y=\"" + std::to_string(ly) + "\" width=\"14\" height=\"14\" fill=\"" +
         color + "\"/>";
    s += "<text x=\"262\" y=\"" + std::to_string(ly + 12) + "\">" +
         EscapeMarkup(data[i].label + ": " + ValueLabel(data[i])) + "</text>";
  }
  s += "</svg>";
  return s;
}

}  // namespace sondeo::reports
