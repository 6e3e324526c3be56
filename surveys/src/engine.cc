#include "surveys/engine.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/text.h"
#include "surveys/src/internal.h"

namespace sondeo::surveys {

std::string_view ResponseStatusName(ResponseStatus status) {
  switch (status) {
    case ResponseStatus::kComplete:
      return "complete";
    case ResponseStatus::kPartial:
      return "partial";
    case ResponseStatus::kRefused:
      return "refused";
  }
  return "partial";
}

Result<ResponseStatus> ParseResponseStatus(std::string_view name) {
  if (name == "complete") return ResponseStatus::kComplete;
  if (name == "partial") return ResponseStatus::kPartial;
  if (name == "refused") return ResponseStatus::kRefused;
  return Status::InvalidArgument("estado de respuesta desconocido: " + std::string(name));
}

namespace {

bool Equal(const Question& q, const std::string& a, const std::string& b) {
  if (a == b) return true;
  if (q.type == QuestionType::kText || q.type == QuestionType::kDate) return false;
  auto x = internal::ParseNumber(a);
  auto y = internal::ParseNumber(b);
  return x && y && *x == *y;
}

// -1, 0, 1, or nullopt when the two cannot be ordered.
std::optional<int> Compare(const Question& q, const std::string& a, const std::string& b) {
  if (a == kNsNr || b == kNsNr) return std::nullopt;
  if (q.type == QuestionType::kDate) {
    auto x = internal::ParseDate(a);
    auto y = internal::ParseDate(b);
    if (!x || !y) return std::nullopt;
    return *x < *y ? -1 : (*x > *y ? 1 : 0);
  }
  if (q.type == QuestionType::kText || q.type == QuestionType::kYesNo ||
      q.type == QuestionType::kMultiChoice) {
    return std::nullopt;
  }
  auto x = internal::ParseNumber(a);
  auto y = internal::ParseNumber(b);
  if (!x || !y) return std::nullopt;
  return *x < *y ? -1 : (*x > *y ? 1 : 0);
}

bool EvaluateComparison(const Condition& c, const Question& q, const Answer& a) {
  using Op = Condition::Op;
  if (a.empty() || c.values.empty()) return false;
  if (q.type == QuestionType::kMultiChoice) {
    auto has = [&](const std::string& v) {
      return std::find(a.selected.begin(), a.selected.end(), v) != a.selected.end();
    };
    switch (c.op) {
      case Op::kEq:
        return has(c.values[0]);
      case Op::kNe:
        return !has(c.values[0]);
      case Op::kIn:
        return std::any_of(c.values.begin(), c.values.end(), has);
      default:
        return false;
    }
  }
  std::string value;
  if (!c.item.empty()) {
    auto it = a.items.find(c.item);
    if (it == a.items.end()) return false;
    value = it->second;
  } else {
    value = a.value;
  }
  if (value.empty()) return false;
  const std::string& want = c.values[0];
  switch (c.op) {
    case Op::kEq:
      return Equal(q, value, want);
    case Op::kNe:
      return !Equal(q, value, want);
    case Op::kIn:
      return std::any_of(c.values.begin(), c.values.end(),
                         [&](const std::string& v) { return Equal(q, value, v); });
    case Op::kLt:
    case Op::kLe:
    case Op::kGt:
    case Op::kGe: {
      auto r = Compare(q, value, want);
      if (!r) return false;
      if (c.op == Op::kLt) return *r < 0;
      if (c.op == Op::kLe) return *r <= 0;
      if (c.op == Op::kGt) return *r > 0;
      return *r >= 0;
    }
    default:
      return false;
  }
}

// Walks the questions in order with only the answers that are on the path.
struct Walk {
  const Question* next = nullptr;  // first unanswered question on the path
  std::vector<const Question*> path;
  bool refused = false;
  bool ended = false;  // by a jump or refusal
  Answers effective;
};

Walk DoWalk(const Survey& survey, const Answers& answers) {
  Walk w;
  for (const auto& q : survey.questions) {
    if (q.when && !Evaluate(*q.when, survey, w.effective)) continue;
    auto it = answers.find(q.id);
    if (it == answers.end()) {
      w.next = &q;
      return w;
    }
    w.path.push_back(&q);
    w.effective.emplace(q.id, it->second);
    if (q.consent && it->second.value == kNo) {
      w.refused = true;
      w.ended = true;
      return w;
    }
    if (q.end_if && Evaluate(*q.end_if, survey, w.effective)) {
      w.ended = true;
      return w;
    }
  }
  return w;
}

size_t Utf8Chars(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string Codes(const Question& q) {
  std::string s;
  for (const auto& o : q.options) s += (s.empty() ? "" : ", ") + o.code;
  if (q.ns_nr) s += ", NS/NR";
  return s;
}

bool IsOption(const Question& q, const std::string& v) {
  if (v == kNsNr) return q.ns_nr;
  return std::any_of(q.options.begin(), q.options.end(),
                     [&](const Option& o) { return o.code == v; });
}

Status Invalid(const Question& q, const std::string& message) {
  return Status::InvalidArgument(q.id + ": " + message);
}

}  // namespace

bool Evaluate(const Condition& c, const Survey& survey, const Answers& answers) {
  using Op = Condition::Op;
  switch (c.op) {
    case Op::kTrue:
      return true;
    case Op::kAnd:
      return std::all_of(c.children.begin(), c.children.end(),
                         [&](const Condition& x) { return Evaluate(x, survey, answers); });
    case Op::kOr:
      return std::any_of(c.children.begin(), c.children.end(),
                         [&](const Condition& x) { return Evaluate(x, survey, answers); });
    case Op::kNot:
      return !c.children.empty() && !Evaluate(c.children[0], survey, answers);
    default:
      break;
  }
  const Question* q = survey.FindQuestion(c.question);
  if (q == nullptr) return false;
  auto it = answers.find(c.question);
  if (it == answers.end()) return false;
  return EvaluateComparison(c, *q, it->second);
}

const Question* NextQuestion(const Survey& survey, const Answers& answers) {
  return DoWalk(survey, answers).next;
}

std::vector<const Question*> Path(const Survey& survey, const Answers& answers) {
  return DoWalk(survey, answers).path;
}

Status ValidateAnswer(const Question& q, const Answer& a) {
  if (a.empty()) {
    if (q.required) return Invalid(q, "la respuesta es obligatoria");
    return Status::Ok();
  }
  const bool single = q.type != QuestionType::kMatrix && q.type != QuestionType::kMultiChoice;
  if (single && (!a.items.empty() || !a.selected.empty() || a.value.empty())) {
    return Invalid(q, "se esperaba un solo valor");
  }
  if (single && a.value == kNsNr) {
    if (q.ns_nr) return Status::Ok();
    return Invalid(q, "esta pregunta no admite NS/NR");
  }
  switch (q.type) {
    case QuestionType::kSingleChoice:
    case QuestionType::kRating:
    case QuestionType::kYesNo:
      if (!IsOption(q, a.value)) {
        return Invalid(q, "'" + a.value.substr(0, 64) +
                              "' no es una opción válida (opciones: " + Codes(q) + ")");
      }
      return Status::Ok();
    case QuestionType::kNumeric: {
      auto v = internal::ParseNumber(a.value);
      if (!v) return Invalid(q, "se esperaba un número");
      if (q.integer && *v != std::floor(*v)) return Invalid(q, "se esperaba un número entero");
      if (q.min && *v < *q.min) {
        return Invalid(q,
                       "el número es menor que el mínimo (" + internal::FormatNumber(*q.min) + ")");
      }
      if (q.max && *v > *q.max) {
        return Invalid(q,
                       "el número es mayor que el máximo (" + internal::FormatNumber(*q.max) + ")");
      }
      return Status::Ok();
    }
    case QuestionType::kText:
      if (Utf8Chars(a.value) > static_cast<size_t>(q.max_length)) {
        return Invalid(q, "el texto supera " + std::to_string(q.max_length) + " caracteres");
      }
      return Status::Ok();
    case QuestionType::kDate:
      if (!internal::ParseDate(a.value)) {
        return Invalid(q, "se esperaba una fecha AAAA-MM-DD válida");
      }
      return Status::Ok();
    case QuestionType::kMatrix: {
      if (!a.value.empty() || !a.selected.empty()) {
        return Invalid(q, "se esperaba una respuesta por ítem");
      }
      for (const auto& item : q.items) {
        auto it = a.items.find(item.id);
        if (it == a.items.end() || it->second.empty()) {
          return Invalid(q, "falta la respuesta del ítem '" + item.id + "'");
        }
        if (!IsOption(q, it->second)) {
          return Invalid(q, "ítem '" + item.id + "': '" + it->second.substr(0, 64) +
                                "' no es una opción válida (opciones: " + Codes(q) + ")");
        }
      }
      for (const auto& entry : a.items) {
        const std::string& id = entry.first;
        if (std::none_of(q.items.begin(), q.items.end(),
                         [&id](const Item& i) { return i.id == id; })) {
          return Invalid(q, "ítem desconocido '" + id.substr(0, 64) + "'");
        }
      }
      return Status::Ok();
    }
    case QuestionType::kMultiChoice: {
      if (!a.value.empty() || !a.items.empty() || a.selected.empty()) {
        return Invalid(q, "se esperaba una lista de opciones");
      }
      std::set<std::string> seen;
      for (const auto& v : a.selected) {
        if (v == kNsNr && a.selected.size() > 1) {
          return Invalid(q, "NS/NR no se combina con otras opciones");
        }
        if (!IsOption(q, v)) {
          return Invalid(
              q, "'" + v.substr(0, 64) + "' no es una opción válida (opciones: " + Codes(q) + ")");
        }
        if (!seen.insert(v).second) return Invalid(q, "opción '" + v + "' repetida");
      }
      return Status::Ok();
    }
  }
  return Invalid(q, "tipo de pregunta desconocido");
}

Status ValidateAnswers(const Survey& survey, const Answers& answers) {
  for (const auto& [id, answer] : answers) {
    const Question* q = survey.FindQuestion(id);
    if (q == nullptr) {
      return Status::InvalidArgument("respuesta a una pregunta desconocida: '" + id.substr(0, 64) +
                                     "'");
    }
    Status s = ValidateAnswer(*q, answer);
    if (!s.ok()) return s;
  }
  const Walk w = DoWalk(survey, answers);
  if (w.path.size() != answers.size()) {
    for (const auto& entry : answers) {
      const std::string& id = entry.first;
      if (std::none_of(w.path.begin(), w.path.end(),
                       [&id](const Question* q) { return q->id == id; })) {
        return Status::InvalidArgument(
            id +
            ": respuesta a una pregunta que no corresponde según las condiciones o que "
            "va después de una pregunta sin responder");
      }
    }
  }
  return Status::Ok();
}

ResponseStatus DecideStatus(const Survey& survey, const Answers& answers) {
  const Walk w = DoWalk(survey, answers);
  if (w.refused) return ResponseStatus::kRefused;
  if (w.next == nullptr) return ResponseStatus::kComplete;
  return ResponseStatus::kPartial;
}

std::string RenderText(std::string_view text, const std::map<std::string, std::string>& fields) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      out += c;
      ++i;
      continue;
    }
    if (c == '{') {
      const size_t close = text.find('}', i + 1);
      if (close != std::string_view::npos) {
        const std::string name(text.substr(i + 1, close - i - 1));
        if (internal::IsValidId(name)) {
          auto it = fields.find(name);
          if (it != fields.end()) out += EscapeMarkup(it->second);
          i = close;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

Answers RandomAnswers(const Survey& survey, const std::function<uint64_t(uint64_t)>& uniform) {
  Answers answers;
  auto pick = [&](uint64_t n) { return n == 0 ? 0 : uniform(n) % n; };
  for (size_t guard = 0; guard <= survey.questions.size(); ++guard) {
    const Question* q = NextQuestion(survey, answers);
    if (q == nullptr) break;
    Answer a;
    if (q->consent) {
      a.value = std::string(kYes);
      answers.emplace(q->id, std::move(a));
      continue;
    }
    if (!q->required && pick(10) == 0) {
      answers.emplace(q->id, std::move(a));
      continue;
    }
    const bool ns_nr = q->ns_nr && pick(20) == 0;
    switch (q->type) {
      case QuestionType::kSingleChoice:
      case QuestionType::kRating:
      case QuestionType::kYesNo:
        a.value = ns_nr || q->options.empty() ? std::string(kNsNr)
                                              : q->options[pick(q->options.size())].code;
        break;
      case QuestionType::kMatrix:
        for (const auto& item : q->items) {
          const bool item_ns = q->ns_nr && pick(20) == 0;
          a.items[item.id] = item_ns || q->options.empty()
                                 ? std::string(kNsNr)
                                 : q->options[pick(q->options.size())].code;
        }
        break;
      case QuestionType::kMultiChoice:
        if (ns_nr) {
          a.selected.push_back(std::string(kNsNr));
          break;
        }
        for (const auto& o : q->options) {
          if (pick(2) == 0) a.selected.push_back(o.code);
        }
        if (a.selected.empty() && !q->options.empty()) {
          a.selected.push_back(q->options[pick(q->options.size())].code);
        }
        break;
      case QuestionType::kNumeric: {
        if (ns_nr) {
          a.value = std::string(kNsNr);
          break;
        }
        const double lo = q->min.value_or(0), hi = q->max.value_or(std::max(lo, 0.0) + 100);
        if (q->integer) {
          const auto ilo = static_cast<int64_t>(std::ceil(lo));
          const auto ihi = static_cast<int64_t>(std::floor(hi));
          const uint64_t span = ihi >= ilo ? static_cast<uint64_t>(ihi - ilo) + 1 : 1;
          a.value = std::to_string(ilo + static_cast<int64_t>(pick(span)));
        } else {
          const uint64_t steps = 1000;
          const double v = lo + (hi - lo) * static_cast<double>(pick(steps + 1)) / steps;
          a.value = internal::FormatNumber(std::round(v * 1000) / 1000);
        }
        break;
      }
      case QuestionType::kText:
        a.value = ns_nr ? std::string(kNsNr)
                        : std::string("respuesta ")
                                  .substr(0, static_cast<size_t>(std::min(q->max_length, 9))) +
                              (q->max_length >= 14 ? " " + std::to_string(pick(1000)) : "");
        break;
      case QuestionType::kDate: {
        const int64_t from = *internal::ParseDate("2020-01-01");
        a.value = ns_nr ? std::string(kNsNr)
                        : internal::FormatDate(from + static_cast<int64_t>(pick(2557)));
        break;
      }
    }
    if (!ValidateAnswer(*q, a).ok()) {
      // Only for contradictory definitions (e.g. an integer range with no integer in it).
      a = Answer{};
      if (q->ns_nr) a.value = std::string(kNsNr);
    }
    answers.emplace(q->id, std::move(a));
  }
  return answers;
}

}  // namespace sondeo::surveys
