#include "reports/calc.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

namespace sondeo::reports {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double Div(double num, double den) { return den == 0 ? kNaN : num / den; }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string JoinSpanish(const std::vector<std::string>& parts, std::string_view last_sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += (i + 1 == parts.size()) ? std::string(last_sep) : std::string(", ");
    out += parts[i];
  }
  return out;
}

}  // namespace

std::vector<double> PercentLargestRemainder(const std::vector<int64_t>& counts, int decimals) {
  std::vector<double> out(counts.size(), 0.0);
  int64_t total = 0;
  for (int64_t c : counts) total += std::max<int64_t>(c, 0);
  if (total == 0) return out;
  int64_t scale = 1;
  for (int d = 0; d < decimals; ++d) scale *= 10;
  const int64_t units = 100 * scale;
  std::vector<int64_t> floors(counts.size());
  std::vector<int64_t> rems(counts.size());
  int64_t assigned = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    // 128-bit safe for any realistic count: counts <= 2^40, units <= 10^5.
    const int64_t c = std::max<int64_t>(counts[i], 0);
    floors[i] = c * units / total;
    rems[i] = c * units % total;
    assigned += floors[i];
  }
  std::vector<size_t> order(counts.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (rems[a] != rems[b]) return rems[a] > rems[b];
    return counts[a] > counts[b];
  });
  for (size_t k = 0; assigned < units && k < order.size(); ++k, ++assigned) ++floors[order[k]];
  for (size_t i = 0; i < counts.size(); ++i) {
    out[i] = static_cast<double>(floors[i]) / static_cast<double>(scale);
  }
  return out;
}

bool AddToCategory(AaporCounts& c, std::string_view cat, int64_t n) {
  if (cat == "I") {
    c.i += n;
  } else if (cat == "P") {
    c.p += n;
  } else if (cat == "R") {
    c.r += n;
  } else if (cat == "NC") {
    c.nc += n;
  } else if (cat == "O") {
    c.o += n;
  } else if (cat == "UH") {
    c.uh += n;
  } else if (cat == "UO") {
    c.uo += n;
  } else if (cat == "NE") {
    c.ne += n;
  } else {
    return false;
  }
  return true;
}

double CasroE(const AaporCounts& c) {
  const double elig = static_cast<double>(c.i + c.p + c.r + c.nc + c.o);
  return Div(elig, elig + static_cast<double>(c.ne));
}

AaporRates ComputeAapor(const AaporCounts& c, std::optional<double> e) {
  AaporRates r;
  if (e) {
    r.e = *e;
    r.e_method = "given";
  } else {
    const double casro = CasroE(c);
    r.e = std::isnan(casro) ? 0.0 : casro;
    r.e_method = "casro";
  }
  const double i = static_cast<double>(c.i);
  const double ip = static_cast<double>(c.i + c.p);
  const double rr = static_cast<double>(c.r);
  const double o = static_cast<double>(c.o);
  const double known = ip + static_cast<double>(c.r + c.nc + c.o);
  const double unknown = static_cast<double>(c.uh + c.uo);
  const double all = known + unknown;
  const double est = known + r.e * unknown;
  r.rr1 = Div(i, all);
  r.rr2 = Div(ip, all);
  r.rr3 = Div(i, est);
  r.rr4 = Div(ip, est);
  r.rr5 = Div(i, known);
  r.rr6 = Div(ip, known);
  r.coop1 = Div(i, ip + rr + o);
  r.coop2 = Div(ip, ip + rr + o);
  r.coop3 = Div(i, ip + rr);
  r.coop4 = Div(ip, ip + rr);
  r.ref1 = Div(rr, all);
  r.ref2 = Div(rr, est);
  r.ref3 = Div(rr, known);
  r.con1 = Div(ip + rr + o, all);
  r.con2 = Div(ip + rr + o, est);
  r.con3 = Div(ip + rr + o, known);
  return r;
}

std::string WithArticle(std::string_view label) {
  std::string s(label);
  if (s.empty()) return s;
  if (s[0] >= 'A' && s[0] <= 'Z') s[0] = static_cast<char>(s[0] - 'A' + 'a');
  if (!(s[0] >= 'a' && s[0] <= 'z')) return s;  // "¿...?" or a code: no article
  const std::string_view first = std::string_view(s).substr(0, s.find(' '));
  static constexpr std::string_view kMasculineA[] = {"día",      "mapa", "problema", "sistema",
                                                     "programa", "tema", "clima",    "idioma"};
  bool masculine_exception = false;
  for (auto w : kMasculineA) masculine_exception = masculine_exception || first == w;
  std::string_view article = "el";
  if (EndsWith(first, "as")) {
    article = "las";
  } else if (EndsWith(first, "os") || EndsWith(first, "es")) {
    article = "los";
  } else if (!masculine_exception &&
             (EndsWith(first, "a") || EndsWith(first, "ión") || EndsWith(first, "dad") ||
              EndsWith(first, "tad") || EndsWith(first, "tud") || EndsWith(first, "ez") ||
              EndsWith(first, "umbre") || EndsWith(first, "sis"))) {
    article = "la";
  }
  return std::string(article) + " " + s;
}

std::string QuestionSentence(std::string_view subject, const std::vector<SentencePart>& parts,
                             bool yes_no) {
  std::vector<int64_t> counts;
  for (const auto& p : parts) counts.push_back(p.count);
  const std::vector<double> pct = PercentLargestRemainder(counts, 0);
  std::vector<size_t> nonzero;
  std::vector<std::string> zero;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].count > 0) {
      nonzero.push_back(i);
    } else {
      zero.push_back(parts[i].label);
    }
  }
  if (nonzero.empty()) return "";
  // The most chosen option leads; the others follow in the script's order (as the seed does).
  const auto lead_it = std::max_element(nonzero.begin(), nonzero.end(), [&](size_t a, size_t b) {
    return parts[a].count < parts[b].count;
  });
  std::rotate(nonzero.begin(), lead_it, lead_it + 1);
  auto p = [&](size_t i) { return std::to_string(std::llround(pct[i])) + "%"; };
  const size_t lead = nonzero[0];
  std::string out = "El " + p(lead) + " de los ciudadanos encuestados ";
  if (yes_no) {
    out += "responde " + parts[lead].label + " a la pregunta «" + std::string(subject) + "»";
    if (nonzero.size() > 1) {
      std::vector<std::string> rest;
      for (size_t k = 1; k < nonzero.size(); ++k) {
        rest.push_back(p(nonzero[k]) + " que responde " + parts[nonzero[k]].label);
      }
      out += ", frente a un " + JoinSpanish(rest, " y un ");
    }
  } else {
    out += "califica " + WithArticle(subject) + " como " + parts[lead].label;
    if (nonzero.size() > 1) {
      std::vector<std::string> rest;
      for (size_t k = 1; k < nonzero.size(); ++k) {
        rest.push_back(p(nonzero[k]) + " (" + parts[nonzero[k]].label + ")");
      }
      out += ", seguido de un " + JoinSpanish(rest, " y ");
    }
  }
  out += ".";
  if (!zero.empty()) out += " Ninguno eligió " + JoinSpanish(zero, " ni ") + ".";
  return out;
}

std::string FormatMmSs(double seconds) {
  if (std::isnan(seconds) || seconds <= 0) return "00:00";
  const long long s = std::llround(seconds);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld", s / 60, s % 60);
  return buf;
}

int64_t BilledMinutes(int64_t duration_ms) {
  if (duration_ms <= 0) return 0;
  return (duration_ms + 59'999) / 60'000;
}

Consumption MakeConsumption(std::string month, std::string item, int64_t used, int64_t capacity,
                            double unit_price) {
  Consumption c;
  c.month = std::move(month);
  c.item = std::move(item);
  c.used = used;
  c.capacity = capacity;
  c.unit_price = unit_price;
  c.value = static_cast<double>(used) * unit_price;
  c.budget = static_cast<double>(capacity) * unit_price;
  c.percent_of_capacity =
      capacity > 0 ? static_cast<double>(used) * 100.0 / static_cast<double>(capacity) : kNaN;
  c.over_capacity = capacity > 0 && used > capacity;
  return c;
}

std::string FormatInt(int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  const size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % 3 == 0) out += '.';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string FormatCop(double value) {
  const long long cents = std::llround(value * 100.0);
  const long long abs_cents = cents < 0 ? -cents : cents;
  char dec[8];
  std::snprintf(dec, sizeof dec, ",%02lld", abs_cents % 100);
  return std::string(cents < 0 ? "-$ " : "$ ") + FormatInt(abs_cents / 100) + dec;
}

std::string FormatPercent(double percent) {
  if (std::isnan(percent)) return "n/d";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", percent);
  std::string s = buf;
  for (char& ch : s) {
    if (ch == '.') ch = ',';
  }
  return s + " %";
}

}  // namespace sondeo::reports
