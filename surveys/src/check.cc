// Semantic checks of a parsed survey: conditions, consent, placeholders, and a bounded
// exploration of every path through the branching (unreachable questions, longest path).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "surveys/engine.h"
#include "surveys/src/internal.h"

namespace sondeo::surveys::internal {

namespace {

using Op = Condition::Op;

bool IsOrderOp(Op op) { return op == Op::kLt || op == Op::kLe || op == Op::kGt || op == Op::kGe; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class Checker {
 public:
  Checker(const Parsed& parsed, const CheckOptions& options, std::string_view file,
          CheckResult& out)
      : parsed_(parsed), s_(parsed.survey), options_(options), file_(file), out_(out) {}

  void Run() {
    out_.questions = static_cast<int>(s_.questions.size());
    for (size_t i = 0; i < s_.questions.size(); ++i) {
      const Question& q = s_.questions[i];
      const int idx = static_cast<int>(i);
      if (q.when) {
        ++out_.branches;
        CheckCondition(*q.when, idx, /*end_if=*/false);
      }
      if (q.end_if) {
        ++out_.branches;
        CheckCondition(*q.end_if, idx, /*end_if=*/true);
      }
      if (q.consent) {
        if (i != 0) Error(q.mark, "'consent' solo puede ir en la primera pregunta");
        if (q.type != QuestionType::kYesNo) {
          Error(q.mark, "la pregunta de consentimiento debe ser de tipo yes_no");
        }
        if (q.when) Error(q.when->mark, "la pregunta de consentimiento no puede tener 'when'");
      }
    }
    CheckPlaceholders();
    // Paths are only meaningful once the structure and the conditions are right.
    if (conditions_ok_ && parsed_.errors.empty() && out_.errors.empty()) Explore();
  }

 private:
  void Error(Mark m, std::string message) {
    out_.errors.push_back({std::string(file_), m.line, m.column, std::move(message)});
  }

  std::string Codes(const Question& q) const {
    std::string s;
    for (const auto& o : q.options) s += (s.empty() ? "" : ", ") + o.code;
    if (q.ns_nr) s += ", NS/NR";
    return s;
  }

  void CheckCondition(const Condition& c, int own, bool end_if) {
    switch (c.op) {
      case Op::kTrue:
        return;
      case Op::kAnd:
      case Op::kOr:
      case Op::kNot:
        for (const auto& child : c.children) CheckCondition(child, own, end_if);
        return;
      default:
        break;
    }
    const int idx = s_.IndexOf(c.question);
    const std::string clause = end_if ? "end_if" : "when";
    if (idx < 0) {
      Error(c.mark, "condición sobre una pregunta desconocida '" + c.question + "'");
      conditions_ok_ = false;
      return;
    }
    if (idx > own || (idx == own && !end_if)) {
      Error(c.mark, std::string(idx == own ? "'when' no puede depender de la misma pregunta '"
                                           : "condición sobre una pregunta posterior '") +
                        c.question + "': '" + clause + "' solo puede mirar respuestas " +
                        (end_if ? "anteriores o de la misma pregunta" : "anteriores"));
      conditions_ok_ = false;
      return;
    }
    const Question& q = s_.questions[static_cast<size_t>(idx)];
    if (q.type == QuestionType::kMatrix) {
      if (c.item.empty()) {
        std::string items;
        for (const auto& it : q.items) items += (items.empty() ? "" : ", ") + it.id;
        Error(c.mark, "'" + q.id + "' es una matriz: indique el ítem como " + q.id +
                          ".ítem (ítems: " + items + ")");
        conditions_ok_ = false;
        return;
      }
      if (std::none_of(q.items.begin(), q.items.end(),
                       [&](const Item& it) { return it.id == c.item; })) {
        Error(c.mark, "ítem desconocido '" + c.item + "' de la matriz '" + q.id + "'");
        conditions_ok_ = false;
        return;
      }
    } else if (!c.item.empty()) {
      Error(c.mark, "'" + q.id + "' no es una matriz: no lleva '." + c.item + "'");
      conditions_ok_ = false;
      return;
    }
    const bool order = IsOrderOp(c.op);
    const bool choice = q.type == QuestionType::kSingleChoice || q.type == QuestionType::kRating ||
                        q.type == QuestionType::kYesNo || q.type == QuestionType::kMatrix ||
                        q.type == QuestionType::kMultiChoice;
    if (order) {
      bool orderable = q.type == QuestionType::kNumeric || q.type == QuestionType::kDate ||
                       q.type == QuestionType::kRating || q.type == QuestionType::kMatrix ||
                       q.type == QuestionType::kSingleChoice;
      if (orderable && choice) {
        orderable = std::all_of(q.options.begin(), q.options.end(),
                                [](const Option& o) { return ParseNumber(o.code).has_value(); });
      }
      if (!orderable) {
        Error(c.mark, "las comparaciones lt/le/gt/ge no aplican a '" + q.id + "' (tipo " +
                          std::string(QuestionTypeName(q.type)) +
                          (choice ? " con códigos no numéricos" : "") + "); use eq, ne o in");
        conditions_ok_ = false;
        return;
      }
    }
    for (size_t i = 0; i < c.values.size(); ++i) {
      const std::string& v = c.values[i];
      const Mark m = i < c.value_marks.size() ? c.value_marks[i] : c.mark;
      if (v == kNsNr) {
        if (order) {
          Error(m, "NS/NR no se puede comparar con lt/le/gt/ge");
          conditions_ok_ = false;
        } else if (!q.ns_nr) {
          Error(m, "'" + q.id + "' no admite NS/NR (falta ns_nr: true)");
          conditions_ok_ = false;
        }
        continue;
      }
      std::string problem;
      if (choice) {
        const bool is_code = std::any_of(q.options.begin(), q.options.end(),
                                         [&](const Option& o) { return o.code == v; });
        if (order ? !ParseNumber(v).has_value() : !is_code) {
          problem = "'" + v.substr(0, 64) + "' no es un valor posible de '" + q.id +
                    "' (opciones: " + Codes(q) + ")";
        }
      } else if (q.type == QuestionType::kNumeric) {
        auto d = ParseNumber(v);
        if (!d) {
          problem = "'" + v.substr(0, 64) + "' no es un número ('" + q.id + "' es numérica)";
        } else if ((q.min && *d < *q.min) || (q.max && *d > *q.max)) {
          problem = "'" + v.substr(0, 64) + "' está fuera del rango de '" + q.id + "'";
        }
      } else if (q.type == QuestionType::kDate) {
        if (!ParseDate(v)) {
          problem = "'" + v.substr(0, 64) + "' no es una fecha AAAA-MM-DD ('" + q.id +
                    "' es de tipo date)";
        }
      }
      if (!problem.empty()) {
        Error(m, problem);
        conditions_ok_ = false;
      }
    }
  }

  void CheckPlaceholders() {
    std::set<std::string> columns;
    if (options_.base_columns) {
      for (const auto& c : *options_.base_columns) columns.insert(Lower(c));
    }
    for (auto b : kBuiltinPlaceholders) columns.insert(std::string(b));
    for (const auto& t : parsed_.texts) {
      bool malformed = false;
      auto names = ExtractPlaceholders(t.text, &malformed);
      if (malformed) {
        Error(t.mark,
              "marcador mal escrito: use {columna} con letras, dígitos o '_' (y {{ o }} para "
              "una llave literal)");
      }
      if (!options_.base_columns) continue;
      for (const auto& n : names) {
        if (columns.count(Lower(n)) == 0) {
          std::string list;
          for (const auto& c : *options_.base_columns) list += (list.empty() ? "" : ", ") + c;
          Error(t.mark,
                "el marcador {" + n + "} no lo puede llenar la base (columnas: " + list + ")");
        }
      }
    }
  }

  // ---- exploration ----

  // Candidate answers for question i: one per distinguishable case for the conditions.
  std::vector<Answer> Candidates(size_t i) {
    const Question& q = s_.questions[i];
    std::vector<Answer> out;
    const auto ref = refs_.find(q.id);
    auto any_valid = [&]() {
      Answer a;
      switch (q.type) {
        case QuestionType::kMatrix:
          for (const auto& it : q.items) {
            a.items[it.id] = q.options.empty() ? std::string(kNsNr) : q.options[0].code;
          }
          break;
        case QuestionType::kMultiChoice:
          if (!q.options.empty()) a.selected.push_back(q.options[0].code);
          break;
        case QuestionType::kNumeric:
          a.value = FormatNumber(q.min.value_or(q.max.value_or(0)));
          break;
        case QuestionType::kDate:
          a.value = "2020-01-01";
          break;
        case QuestionType::kText:
          a.value = "x";
          break;
        default:
          if (!q.options.empty()) a.value = q.options[0].code;
      }
      return a;
    };
    if (ref == refs_.end()) {
      out.push_back(any_valid());
      return out;
    }
    // Value domain for one variable (the question, or one matrix item).
    auto domain = [&](const std::string& item) {
      std::vector<std::string> values;
      std::vector<std::string> consts;
      for (const auto& [it, v] : ref->second) {
        if (it == item) consts.push_back(v);
      }
      switch (q.type) {
        case QuestionType::kNumeric:
        case QuestionType::kDate: {
          const bool date = q.type == QuestionType::kDate;
          std::set<double> points;
          for (const auto& c : consts) {
            std::optional<double> d;
            if (date) {
              if (auto x = ParseDate(c)) d = static_cast<double>(*x);
            } else {
              d = ParseNumber(c);
            }
            if (!d) continue;
            const double step = date || q.integer ? 1.0 : 0.5;
            points.insert(*d);
            points.insert(*d - step);
            points.insert(*d + step);
          }
          if (q.min) points.insert(*q.min);
          if (q.max) points.insert(*q.max);
          if (points.empty()) points.insert(0);
          for (double p : points) {
            values.push_back(date ? FormatDate(static_cast<int64_t>(p)) : FormatNumber(p));
          }
          break;
        }
        case QuestionType::kText:
          values = consts;
          values.push_back("\x01otro");
          break;
        default:
          for (const auto& o : q.options) values.push_back(o.code);
      }
      if (q.ns_nr) values.push_back(std::string(kNsNr));
      std::sort(values.begin(), values.end());
      values.erase(std::unique(values.begin(), values.end()), values.end());
      return values;
    };
    if (!q.required) out.push_back(Answer{});
    if (q.type == QuestionType::kMatrix) {
      std::vector<Answer> partial{any_valid()};
      for (const auto& item : q.items) {
        bool referenced = std::any_of(ref->second.begin(), ref->second.end(),
                                      [&](const auto& p) { return p.first == item.id; });
        if (!referenced) continue;
        std::vector<Answer> next;
        for (const auto& a : partial) {
          for (const auto& v : domain(item.id)) {
            Answer b = a;
            b.items[item.id] = v;
            next.push_back(std::move(b));
            if (next.size() > kMaxCandidates) {
              incomplete_ = true;
              break;
            }
          }
        }
        partial = std::move(next);
      }
      for (auto& a : partial) out.push_back(std::move(a));
    } else if (q.type == QuestionType::kMultiChoice) {
      for (const auto& o : q.options) {
        Answer a;
        a.selected = {o.code};
        out.push_back(std::move(a));
      }
      Answer all;
      for (const auto& o : q.options) all.selected.push_back(o.code);
      out.push_back(std::move(all));
      if (q.ns_nr) {
        Answer a;
        a.selected = {std::string(kNsNr)};
        out.push_back(std::move(a));
      }
    } else {
      for (const auto& v : domain("")) {
        Answer a;
        const bool other = v == "\x01otro";
        a.value = other ? "otro valor" : v;
        if (other) {
          // Make "otro" differ from every constant.
          while (std::any_of(ref->second.begin(), ref->second.end(),
                             [&](const auto& p) { return p.second == a.value; })) {
            a.value += "_";
          }
        }
        out.push_back(std::move(a));
      }
    }
    // Keep only answers the question accepts (e.g. points outside min/max).
    std::vector<Answer> valid;
    for (auto& a : out) {
      if (ValidateAnswer(q, a).ok()) valid.push_back(std::move(a));
    }
    if (valid.empty()) valid.push_back(any_valid());
    return valid;
  }

  void CollectRefs(const Condition& c, size_t owner) {
    if (c.op == Op::kTrue) return;
    if (c.op == Op::kAnd || c.op == Op::kOr || c.op == Op::kNot) {
      for (const auto& child : c.children) CollectRefs(child, owner);
      return;
    }
    for (const auto& v : c.values) refs_[c.question].emplace_back(c.item, v);
    const int idx = s_.IndexOf(c.question);
    if (idx >= 0) {
      auto& last = last_ref_[static_cast<size_t>(idx)];
      last = std::max(last, static_cast<int>(owner));
    }
  }

  std::string MemoKey(size_t i, const Answers& answers) const {
    std::string key = std::to_string(i);
    for (size_t j = 0; j < i; ++j) {
      if (last_ref_[j] < static_cast<int>(i)) continue;
      const Question& q = s_.questions[j];
      key += '|';
      auto it = answers.find(q.id);
      if (it == answers.end()) {
        key += '-';
        continue;
      }
      key += it->second.value;
      for (const auto& [k, v] : it->second.items) key += "," + k + "=" + v;
      for (const auto& v : it->second.selected) key += ";" + v;
    }
    return key;
  }

  // The most questions asked from question i on, given the answers so far.
  int Longest(size_t i, Answers& answers) {
    if (i >= s_.questions.size()) return 0;
    if (++steps_ > kMaxSteps) {
      incomplete_ = true;
      return 0;
    }
    const std::string key = MemoKey(i, answers);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    const Question& q = s_.questions[i];
    int best = 0;
    if (q.when && !Evaluate(*q.when, s_, answers)) {
      best = Longest(i + 1, answers);
    } else {
      reachable_[i] = true;
      for (auto& a : candidates_[i]) {
        answers[q.id] = a;
        int len = 1;
        const bool refused = q.consent && a.value == kNo;
        if (!refused && !(q.end_if && Evaluate(*q.end_if, s_, answers))) {
          len += Longest(i + 1, answers);
        }
        best = std::max(best, len);
        if (incomplete_) break;
      }
      answers.erase(q.id);
    }
    memo_.emplace(key, best);
    return best;
  }

  void Explore() {
    const size_t n = s_.questions.size();
    last_ref_.assign(n, -1);
    for (size_t i = 0; i < n; ++i) {
      if (s_.questions[i].when) CollectRefs(*s_.questions[i].when, i);
      if (s_.questions[i].end_if) CollectRefs(*s_.questions[i].end_if, i);
    }
    for (size_t i = 0; i < n; ++i) candidates_.push_back(Candidates(i));
    reachable_.assign(n, false);
    Answers answers;
    out_.longest_path = Longest(0, answers);
    if (incomplete_) return;  // too many paths to be sure: report nothing rather than guess
    for (size_t i = 0; i < n; ++i) {
      if (reachable_[i]) continue;
      Error(s_.questions[i].mark, "la pregunta '" + s_.questions[i].id +
                                      "' es inalcanzable: ninguna combinación de respuestas "
                                      "anteriores llega a ella (revise 'when' y 'end_if')");
    }
  }

  static constexpr size_t kMaxCandidates = 2000;
  static constexpr int kMaxSteps = 200'000;

  const Parsed& parsed_;
  const Survey& s_;
  const CheckOptions& options_;
  std::string_view file_;
  CheckResult& out_;
  bool conditions_ok_ = true;
  // question id -> (item, constant) pairs used in conditions
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> refs_;
  std::vector<int> last_ref_;
  std::vector<std::vector<Answer>> candidates_;
  std::vector<bool> reachable_;
  std::unordered_map<std::string, int> memo_;
  int steps_ = 0;
  bool incomplete_ = false;
};

}  // namespace

void CheckSemantics(const Parsed& parsed, const CheckOptions& options, std::string_view file,
                    CheckResult& out) {
  Checker(parsed, options, file, out).Run();
}

}  // namespace sondeo::surveys::internal
