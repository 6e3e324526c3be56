#pragma once
// Pure report arithmetic: percentages that sum to exactly 100, AAPOR outcome rates, the
// Spanish sentence per question, mm:ss, billed minutes and contract consumption. No I/O;
// every function is deterministic and thread-compatible.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sondeo::reports {

// Largest-remainder (Hamilton) rounding of counts to percentages with `decimals` decimals.
// The result sums to exactly 100 (in units of 10^-decimals) when the total is > 0; all zeros
// when the total is 0. Ties in the remainder go to the larger count, then the earlier index.
std::vector<double> PercentLargestRemainder(const std::vector<int64_t>& counts, int decimals = 1);

// AAPOR rate inputs (docs/domain.md §5).
struct AaporCounts {
  int64_t i = 0, p = 0, r = 0, nc = 0, o = 0, uh = 0, uo = 0, ne = 0;
};

// Adds `n` to the category named "I", "P", "R", "NC", "O", "UH", "UO" or "NE". Returns false
// (and adds nothing) for any other name.
bool AddToCategory(AaporCounts& counts, std::string_view category, int64_t n);

struct AaporRates {
  double e = 0;          // the e used
  std::string e_method;  // "casro" (proportional allocation) or "given"
  // NaN when the denominator is 0 (rendered as null / "n/d").
  double rr1 = 0, rr2 = 0, rr3 = 0, rr4 = 0, rr5 = 0, rr6 = 0;
  double coop1 = 0, coop2 = 0, coop3 = 0, coop4 = 0;
  double ref1 = 0, ref2 = 0, ref3 = 0;
  double con1 = 0, con2 = 0, con3 = 0;
};

// The CASRO estimate e = (I+P+R+NC+O) / (I+P+R+NC+O+NE); NaN when that is 0/0.
double CasroE(const AaporCounts& c);
// All rates. `e` given: used as is; absent: CasroE (0 when undefined).
AaporRates ComputeAapor(const AaporCounts& c, std::optional<double> e = std::nullopt);

// One option of a distribution, for the sentence.
struct SentencePart {
  std::string label;  // "Excelente"
  int64_t count = 0;
};

// The seed's sentence for one question or matrix item, with whole percentages that sum to
// 100: "El 73% de los ciudadanos encuestados califica la amabilidad como Excelente, seguido de
// un 19% (Bueno), 2% (Regular) y 5% (Malo)." The most chosen option leads (the first one on a
// tie); the others follow in the order of `parts`. `subject` is the item or question short label;
// its article is guessed ("la amabilidad", "el conocimiento del tema"). Yes/no questions
// (`yes_no` true) read "... responde Sí a «text», frente a un 36% que responde No.".
// Options with no answers are named at the end ("Ninguno eligió Regular."). Empty string
// when there are no answers.
std::string QuestionSentence(std::string_view subject, const std::vector<SentencePart>& parts,
                             bool yes_no = false);

// "la amabilidad", "el conocimiento del tema": the lower-cased label with a guessed article.
std::string WithArticle(std::string_view label);

// Seconds as "mm:ss" (rounded to the nearest second; minutes may exceed 59: "75:03").
// Negative or NaN gives "00:00".
std::string FormatMmSs(double seconds);

// Billed minutes of one call of `duration_ms`: rounded up to the whole minute (0 ms -> 0).
int64_t BilledMinutes(int64_t duration_ms);

// One contract line's consumption in one month.
struct Consumption {
  std::string month;               // "2019-09"
  std::string item;                // "minutos_salientes" | "sms_segmentos"
  int64_t used = 0;                // units consumed
  int64_t capacity = 0;            // contracted units per month (0 = not contracted)
  double unit_price = 0;           // per unit
  double value = 0;                // used * unit_price
  double budget = 0;               // capacity * unit_price
  double percent_of_capacity = 0;  // used / capacity * 100 (NaN when capacity is 0)
  bool over_capacity = false;
};
Consumption MakeConsumption(std::string month, std::string item, int64_t used, int64_t capacity,
                            double unit_price);

// Money as the seed writes it: "$ 17.845.056,00".
std::string FormatCop(double value);
// A percentage with one decimal and a comma: "73,3 %". NaN gives "n/d".
std::string FormatPercent(double percent);
// An integer with thousands dots: "48.696".
std::string FormatInt(int64_t value);

}  // namespace sondeo::reports
