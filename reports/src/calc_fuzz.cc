// libFuzzer target: the pure report pieces on arbitrary input. Properties: percentages sum to
// exactly 100 (in 0.1 units) whenever a count is positive; CSV fields and SVG text never leak
// an unescaped '<' or an unquoted separator; nothing crashes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "reports/calc.h"
#include "reports/src/svg.h"
#include "reports/src/tables.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sondeo::reports;  // NOLINT(google-build-using-namespace)
  std::vector<int64_t> counts;
  std::vector<SentencePart> parts;
  for (size_t i = 0; i + 1 < size && counts.size() < 16; i += 2) {
    const int64_t c = (static_cast<int64_t>(data[i]) << 8) | data[i + 1];
    counts.push_back(c);
    parts.push_back({std::string(1, static_cast<char>('A' + (i / 2) % 26)), c});
  }
  const std::vector<double> pct = PercentLargestRemainder(counts, 1);
  int64_t total = 0, units = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    total += counts[i];
    units += static_cast<int64_t>(pct[i] * 10 + 0.5);
  }
  if (total > 0 && units != 1000) std::abort();
  (void)QuestionSentence("Amabilidad", parts, size % 2 == 0);
  const std::string text(reinterpret_cast<const char*>(data), size);
  if (sondeo::EscapeMarkup(text).find('<') != std::string::npos) std::abort();
  const std::string field = CsvField(text, ';');
  if (field.find(';') != std::string::npos && field.front() != '"') std::abort();
  (void)BarChartSvg(text, {{text, total, pct.empty() ? 0.0 : pct[0]}});
  (void)FormatMmSs(static_cast<double>(total));
  return 0;
}
