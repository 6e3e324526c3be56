// Reading survey YAML into the model, with a line and column for every problem.
// yaml-cpp recurses while parsing, so the text is screened first (size, UTF-8, nesting) and
// every yaml-cpp exception is caught: bad input becomes diagnostics, never a crash.
#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "surveys/src/internal.h"
#include "surveys/survey.h"

namespace sondeo::surveys {

std::string_view QuestionTypeName(QuestionType type) {
  switch (type) {
    case QuestionType::kSingleChoice:
      return "single_choice";
    case QuestionType::kRating:
      return "rating";
    case QuestionType::kMatrix:
      return "matrix";
    case QuestionType::kYesNo:
      return "yes_no";
    case QuestionType::kMultiChoice:
      return "multi_choice";
    case QuestionType::kNumeric:
      return "numeric";
    case QuestionType::kText:
      return "text";
    case QuestionType::kDate:
      return "date";
  }
  return "?";
}

const Question* Survey::FindQuestion(std::string_view question_id) const {
  for (const auto& q : questions) {
    if (q.id == question_id) return &q;
  }
  return nullptr;
}

int Survey::IndexOf(std::string_view question_id) const {
  for (size_t i = 0; i < questions.size(); ++i) {
    if (questions[i].id == question_id) return static_cast<int>(i);
  }
  return -1;
}

std::string Diagnostic::ToString() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace internal {

std::optional<double> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 40) return std::nullopt;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (*begin == '+') ++begin;
  double v = 0;
  auto [ptr, ec] = std::from_chars(begin, end, v, std::chars_format::fixed);
  if (ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

namespace {
// Howard Hinnant's days_from_civil / civil_from_days.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}
}  // namespace

std::optional<int64_t> ParseDate(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  for (size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  }
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  const int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1900 || m < 1 || m > 12 || d < 1) return std::nullopt;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int max_day = kDays[m - 1] + (m == 2 && leap ? 1 : 0);
  if (d > max_day) return std::nullopt;
  return DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
}

std::string FormatDate(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2 ? 1 : 0;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
  return buf;
}

std::string FormatNumber(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    return std::to_string(static_cast<long long>(value));
  }
  char buf[64];
  auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, value);
  if (ec != std::errc()) return "0";
  return std::string(buf, ptr);
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (!alpha(id[0])) return false;
  for (char c : id) {
    if (!alpha(c) && !digit(c) && c != '_' && c != '-') return false;
  }
  return id != "and" && id != "or" && id != "not";
}

std::vector<std::string> ExtractPlaceholders(std::string_view text, bool* malformed) {
  std::vector<std::string> names;
  *malformed = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{') {
      if (i + 1 < text.size() && text[i + 1] == '{') {
        ++i;
        continue;
      }
      const size_t close = text.find('}', i + 1);
      if (close == std::string_view::npos) {
        *malformed = true;
        return names;
      }
      std::string name(text.substr(i + 1, close - i - 1));
      if (!IsValidId(name)) {
        *malformed = true;
      } else if (std::find(names.begin(), names.end(), name) == names.end()) {
        names.push_back(name);
      }
      i = close;
    } else if (text[i] == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        ++i;
      } else {
        *malformed = true;
      }
    }
  }
  return names;
}

namespace {

// Screens raw bytes before yaml-cpp sees them. Returns false (and adds a diagnostic) when the
// text must not be parsed.
class Screen {
 public:
  Screen(std::string_view file, std::vector<Diagnostic>& errors) : file_(file), errors_(errors) {}

  bool Ok(std::string_view text) {
    if (text.size() > kMaxFileBytes) {
      Error(1, 1,
            "el archivo es demasiado grande (" + std::to_string(text.size()) + " bytes; máximo " +
                std::to_string(kMaxFileBytes) + ")");
      return false;
    }
    int line = 1, column = 1;
    int flow_depth = 0;
    size_t i = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    bool at_line_start = true;
    int indent = 0;
    char quote = 0;
    bool comment = false;
    char prev = ' ';
    while (i < text.size()) {
      const auto c = static_cast<unsigned char>(text[i]);
      size_t len = 1;
      if (c >= 0x80) {
        len = Utf8Length(text, i);
        if (len == 0) {
          Error(line, column, "el archivo no es texto UTF-8 (byte no válido)");
          return false;
        }
      } else if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
        Error(line, column, "el archivo no es texto: carácter de control no permitido");
        return false;
      } else if (c == 0x7F) {
        Error(line, column, "el archivo no es texto: carácter de control no permitido");
        return false;
      }
      if (c == '\n') {
        ++line;
        column = 1;
        at_line_start = true;
        indent = 0;
        comment = false;
        if (quote == '\'') quote = 0;  // plain-ish heuristic: quotes rarely span lines
        prev = ' ';
        ++i;
        continue;
      }
      if (at_line_start) {
        if (c == ' ' || ((c == '-' || c == '?') && i + 1 < text.size() &&
                         (text[i + 1] == ' ' || text[i + 1] == '\n'))) {
          ++indent;
          if (indent > kMaxIndent) {
            Error(line, column,
                  "anidamiento demasiado profundo (sangría de más de " +
                      std::to_string(kMaxIndent) + " columnas)");
            return false;
          }
        } else {
          at_line_start = false;
        }
      }
      if (!comment) {
        if (quote != 0) {
          if (c == static_cast<unsigned char>(quote)) quote = 0;
        } else if (c == '#' && (prev == ' ' || prev == '\t' || column == 1)) {
          comment = true;
        } else if ((c == '"' || c == '\'') &&
                   (prev == ' ' || prev == '[' || prev == '{' || prev == ',' || prev == ':')) {
          quote = static_cast<char>(c);
        } else if (c == '[' || c == '{') {
          open_.push_back({line, column, static_cast<char>(c)});
          if (++flow_depth > kMaxNesting) {
            Error(line, column,
                  "anidamiento demasiado profundo (más de " + std::to_string(kMaxNesting) +
                      " niveles)");
            return false;
          }
        } else if (c == ']' || c == '}') {
          if (flow_depth > 0) --flow_depth;
          if (!open_.empty()) open_.pop_back();
        }
      }
      prev = static_cast<char>(c);
      i += len;
      ++column;
    }
    return true;
  }

  // A hint for yaml-cpp's "end of ... flow not found": the bracket that is never closed.
  std::string UnclosedHint() const {
    if (open_.empty()) return "";
    const auto& o = open_.front();
    return std::string(" (el '") + o.bracket + "' de la línea " + std::to_string(o.line) +
           ", columna " + std::to_string(o.column) + " no se cierra)";
  }

 private:
  struct Open {
    int line;
    int column;
    char bracket;
  };
  std::vector<Open> open_;
  static constexpr int kMaxIndent = 4 * kMaxNesting;

  static size_t Utf8Length(std::string_view s, size_t i) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    unsigned min = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4;
      min = 0x10000;
    } else {
      return 0;
    }
    if (i + n > s.size()) return 0;
    unsigned cp = c & (0xFFu >> (n + 1));
    for (size_t k = 1; k < n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
  }

  void Error(int line, int column, std::string message) {
    errors_.push_back({std::string(file_), line, column, std::move(message)});
  }

  std::string_view file_;
  std::vector<Diagnostic>& errors_;
};

Mark MarkOf(const YAML::Node& n) {
  const YAML::Mark m = n.Mark();
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1};
}

std::string Kind(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map:
      return "un mapa";
    case YAML::NodeType::Sequence:
      return "una lista";
    case YAML::NodeType::Scalar:
      return "un valor simple";
    case YAML::NodeType::Null:
      return "un valor vacío";
    default:
      return "nada";
  }
}

// Builds the model from the YAML tree, collecting every problem.
class Builder {
 public:
  Builder(std::string_view file, Parsed& out) : file_(file), out_(out) {}

  void Build(const YAML::Node& root) {
    if (!root.IsMap()) {
      Error(root, "se esperaba un mapa con id, title y questions; se encontró " + Kind(root));
      return;
    }
    Survey& s = out_.survey;
    bool have_id = false, have_title = false, have_questions = false;
    YAML::Node questions;
    for (const auto& [key, key_mark, value] : Entries(root, "la encuesta")) {
      if (key == "id") {
        have_id = true;
        if (auto v = Id(value, "id de la encuesta")) s.id = *v;
      } else if (key == "title") {
        have_title = true;
        if (auto v = Text(value, "title")) s.title = *v;
      } else if (key == "version") {
        if (auto v = Int(value, "version", 1, 1'000'000)) s.version = *v;
      } else if (key == "intro") {
        if (auto v = Text(value, "intro")) s.intro = *v;
      } else if (key == "closing") {
        if (auto v = Text(value, "closing")) s.closing = *v;
      } else if (key == "scales") {
        Scales(value);
      } else if (key == "questions") {
        have_questions = true;
        questions = value;
      } else {
        UnknownKey(key_mark, key, "la encuesta",
                   "id, title, version, intro, closing, scales, questions");
      }
    }
    if (!have_id) Error(root, "falta el campo obligatorio 'id' de la encuesta");
    if (!have_title) Error(root, "falta el campo obligatorio 'title' de la encuesta");
    if (!have_questions) {
      Error(root, "falta el campo obligatorio 'questions' de la encuesta");
      return;
    }
    Questions(questions);
    out_.structure_ok = true;
  }

 private:
  struct Entry {
    std::string key;
    Mark key_mark;
    YAML::Node value;
  };

  // Map entries with scalar keys; reports non-scalar and duplicate keys.
  std::vector<Entry> Entries(const YAML::Node& map, const std::string& where) {
    std::vector<Entry> entries;
    std::set<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
      if (!Budget(it->first)) break;
      if (!it->first.IsScalar()) {
        Error(it->first, "las claves de " + where + " deben ser texto");
        continue;
      }
      const std::string key = it->first.Scalar();
      if (!seen.insert(key).second) {
        Error(it->first, "clave '" + key + "' repetida en " + where);
        continue;
      }
      entries.push_back({key, MarkOf(it->first), it->second});
    }
    return entries;
  }

  bool Budget(const YAML::Node& n) {
    if (++nodes_ <= kMaxNodes) return true;
    if (!budget_reported_) {
      Error(n, "la encuesta es demasiado grande o compleja (más de " + std::to_string(kMaxNodes) +
                   " elementos)");
      budget_reported_ = true;
    }
    return false;
  }

  std::optional<std::string> Scalar(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
      Error(n, "'" + what + "' debe ser un valor simple; se encontró " + Kind(n));
      return std::nullopt;
    }
    if (n.Scalar().size() > kMaxScalarBytes) {
      Error(n, "'" + what + "' es demasiado largo (" + std::to_string(n.Scalar().size()) +
                   " bytes; máximo " + std::to_string(kMaxScalarBytes) + ")");
      return std::nullopt;
    }
    return n.Scalar();
  }

  std::optional<std::string> Text(const YAML::Node& n, const std::string& what) {
    auto v = Scalar(n, what);
    if (v) out_.texts.push_back({*v, MarkOf(n)});
    return v;
  }

  std::optional<std::string> Id(const YAML::Node& n, const std::string& what) {
    auto v = Scalar(n, what);
    if (!v) return v;
    if (!IsValidId(*v)) {
      Error(n, what + " '" + v->substr(0, 64) +
                   "' no es válido: use letras, dígitos, '_' o '-', empezando por una letra "
                   "(y no and/or/not)");
      return std::nullopt;
    }
    return v;
  }

  std::optional<bool> Bool(const YAML::Node& n, const std::string& what) {
    auto v = Scalar(n, what);
    if (!v) return std::nullopt;
    if (*v == "true" || *v == "yes" || *v == "si" || *v == "sí") return true;
    if (*v == "false" || *v == "no") return false;
    Error(n, "'" + what + "' debe ser true o false");
    return std::nullopt;
  }

  std::optional<int> Int(const YAML::Node& n, const std::string& what, int min, int max) {
    auto v = Scalar(n, what);
    if (!v) return std::nullopt;
    int out = 0;
    auto [ptr, ec] = std::from_chars(v->data(), v->data() + v->size(), out);
    if (ec != std::errc() || ptr != v->data() + v->size() || out < min || out > max) {
      Error(n, "'" + what + "' debe ser un entero entre " + std::to_string(min) + " y " +
                   std::to_string(max));
      return std::nullopt;
    }
    return out;
  }

  std::optional<double> Number(const YAML::Node& n, const std::string& what) {
    auto v = Scalar(n, what);
    if (!v) return std::nullopt;
    auto d = ParseNumber(*v);
    if (!d) Error(n, "'" + what + "' debe ser un número");
    return d;
  }

  void UnknownKey(Mark m, const std::string& key, const std::string& where,
                  const std::string& expected) {
    ErrorAt(m, "clave desconocida '" + key + "' en " + where + " (se esperaba: " + expected + ")");
  }

  // code: label maps, or lists of labels (code = label).
  std::vector<Option> Options(const YAML::Node& n, const std::string& where) {
    std::vector<Option> options;
    std::set<std::string> seen;
    auto add = [&](const YAML::Node& code_node, const YAML::Node& label_node) {
      auto code = Scalar(code_node, "código de opción");
      auto label = Text(label_node, "etiqueta de opción");
      if (!code || !label) return;
      if (code->empty() || code->size() > 64) {
        Error(code_node, "el código de opción debe tener entre 1 y 64 caracteres");
        return;
      }
      if (*code == kNsNr) {
        Error(code_node, "el código 'NS/NR' está reservado: use ns_nr: true en la pregunta");
        return;
      }
      if (!seen.insert(*code).second) {
        Error(code_node, "opción '" + *code + "' repetida en " + where);
        return;
      }
      options.push_back({*code, *label, MarkOf(code_node)});
    };
    if (n.IsMap()) {
      for (auto it = n.begin(); it != n.end(); ++it) {
        if (!Budget(it->first)) break;
        add(it->first, it->second);
      }
    } else if (n.IsSequence()) {
      for (const auto& e : n) {
        if (!Budget(e)) break;
        if (e.IsMap() && e.size() == 1) {
          add(e.begin()->first, e.begin()->second);
        } else {
          add(e, e);
        }
      }
    } else {
      Error(n, "las opciones de " + where +
                   " deben ser un mapa código: etiqueta o una lista; "
                   "se encontró " +
                   Kind(n));
      return options;
    }
    if (options.empty() && (n.size() == 0)) {
      Error(n, "la lista de opciones de " + where + " está vacía");
    }
    return options;
  }

  void Scales(const YAML::Node& n) {
    if (!n.IsMap()) {
      Error(n, "'scales' debe ser un mapa nombre: {código: etiqueta}; se encontró " + Kind(n));
      return;
    }
    for (const auto& [key, key_mark, value] : Entries(n, "scales")) {
      Scale scale;
      scale.id = key;
      scale.mark = key_mark;
      if (!IsValidId(key)) {
        ErrorAt(scale.mark, "nombre de escala '" + key.substr(0, 64) + "' no válido");
        continue;
      }
      scale.options = Options(value, "la escala '" + key + "'");
      out_.survey.scales.push_back(std::move(scale));
    }
  }

  const Scale* FindScale(const std::string& id) const {
    for (const auto& s : out_.survey.scales) {
      if (s.id == id) return &s;
    }
    return nullptr;
  }

  void Questions(const YAML::Node& n) {
    if (!n.IsSequence()) {
      Error(n, "'questions' debe ser una lista de preguntas; se encontró " + Kind(n));
      return;
    }
    if (n.size() == 0) {
      Error(n, "la lista de preguntas está vacía");
      return;
    }
    if (n.size() > kMaxQuestions) {
      Error(n, "demasiadas preguntas (" + std::to_string(n.size()) + "; máximo " +
                   std::to_string(kMaxQuestions) + ")");
      return;
    }
    std::set<std::string> ids;
    int index = 0;
    for (const auto& qn : n) {
      ++index;
      if (!Budget(qn)) break;
      if (!qn.IsMap()) {
        Error(qn, "la pregunta " + std::to_string(index) + " debe ser un mapa; se encontró " +
                      Kind(qn));
        continue;
      }
      Question q = OneQuestion(qn, index);
      if (!q.id.empty() && !ids.insert(q.id).second) {
        ErrorAt(q.mark, "id de pregunta '" + q.id + "' repetido");
        continue;
      }
      out_.survey.questions.push_back(std::move(q));
    }
  }

  static std::optional<QuestionType> TypeFromName(const std::string& name) {
    static const std::pair<const char*, QuestionType> kTypes[] = {
        {"single_choice", QuestionType::kSingleChoice},
        {"rating", QuestionType::kRating},
        {"matrix", QuestionType::kMatrix},
        {"yes_no", QuestionType::kYesNo},
        {"multi_choice", QuestionType::kMultiChoice},
        {"numeric", QuestionType::kNumeric},
        {"text", QuestionType::kText},
        {"date", QuestionType::kDate},
    };
    for (const auto& [n, t] : kTypes) {
      if (name == n) return t;
    }
    return std::nullopt;
  }

  Question OneQuestion(const YAML::Node& qn, int index) {
    Question q;
    q.mark = MarkOf(qn);
    std::string where = "la pregunta " + std::to_string(index);
    auto entries = Entries(qn, where);
    // The id and type first: the other keys' meaning depends on the type.
    bool have_type = false, have_text = false, type_ok = false;
    for (const auto& e : entries) {
      if (e.key == "id") {
        q.mark = MarkOf(e.value);
        if (auto v = Id(e.value, "id de la pregunta")) {
          q.id = *v;
          where = "la pregunta '" + q.id + "'";
        }
      }
    }
    if (q.id.empty() && std::none_of(entries.begin(), entries.end(),
                                     [](const Entry& e) { return e.key == "id"; })) {
      ErrorAt(q.mark, "falta el campo obligatorio 'id' de " + where);
    }
    for (const auto& e : entries) {
      if (e.key != "type") continue;
      have_type = true;
      if (auto v = Scalar(e.value, "type")) {
        if (auto t = TypeFromName(*v)) {
          q.type = *t;
          type_ok = true;
        } else {
          Error(e.value, "tipo de pregunta desconocido '" + v->substr(0, 64) +
                             "' (se esperaba: single_choice, rating, matrix, yes_no, "
                             "multi_choice, numeric, text, date)");
        }
      }
    }
    if (!have_type) ErrorAt(q.mark, "falta el campo obligatorio 'type' de " + where);

    const YAML::Node* options = nullptr;
    const YAML::Node* scale = nullptr;
    const YAML::Node* items = nullptr;
    const YAML::Node* when = nullptr;
    const YAML::Node* end_if = nullptr;
    Mark options_key, scale_key, items_key;
    const QuestionType t = q.type;
    auto applies = [&](const Entry& e, std::initializer_list<QuestionType> types) {
      if (!type_ok) return false;
      if (std::find(types.begin(), types.end(), t) != types.end()) return true;
      ErrorAt(KeyMark(e), "la clave '" + e.key + "' no aplica a preguntas de tipo " +
                              std::string(QuestionTypeName(t)));
      return false;
    };
    for (const auto& e : entries) {
      if (e.key == "id" || e.key == "type") continue;
      if (e.key == "text") {
        have_text = true;
        if (auto v = Text(e.value, "text")) q.text = *v;
      } else if (e.key == "short") {
        if (auto v = Scalar(e.value, "short")) q.short_label = *v;
      } else if (e.key == "help") {
        if (auto v = Text(e.value, "help")) q.help = *v;
      } else if (e.key == "required") {
        if (auto v = Bool(e.value, "required")) q.required = *v;
      } else if (e.key == "ns_nr") {
        if (auto v = Bool(e.value, "ns_nr")) q.ns_nr = *v;
      } else if (e.key == "consent") {
        if (auto v = Bool(e.value, "consent")) q.consent = *v;
      } else if (e.key == "options") {
        if (applies(e, {QuestionType::kSingleChoice, QuestionType::kMultiChoice})) {
          options = &e.value;
          options_key = KeyMark(e);
        }
      } else if (e.key == "scale") {
        if (applies(e,
                    {QuestionType::kSingleChoice, QuestionType::kRating, QuestionType::kMatrix})) {
          scale = &e.value;
          scale_key = KeyMark(e);
        }
      } else if (e.key == "items") {
        if (applies(e, {QuestionType::kMatrix})) {
          items = &e.value;
          items_key = KeyMark(e);
        }
      } else if (e.key == "min" || e.key == "max") {
        if (applies(e, {QuestionType::kNumeric})) {
          auto v = Number(e.value, e.key);
          (e.key == "min" ? q.min : q.max) = v;
        }
      } else if (e.key == "integer") {
        if (applies(e, {QuestionType::kNumeric})) {
          if (auto v = Bool(e.value, "integer")) q.integer = *v;
        }
      } else if (e.key == "max_length") {
        if (applies(e, {QuestionType::kText})) {
          if (auto v = Int(e.value, "max_length", 1, 100'000)) q.max_length = *v;
        }
      } else if (e.key == "when") {
        when = &e.value;
      } else if (e.key == "end_if") {
        end_if = &e.value;
      } else {
        UnknownKey(e.key_mark, e.key, where,
                   "id, type, text, short, help, required, ns_nr, consent, options, scale, "
                   "items, min, max, integer, max_length, when, end_if");
      }
    }
    if (!have_text) ErrorAt(q.mark, "falta el campo obligatorio 'text' de " + where);
    if (q.short_label.empty()) q.short_label = q.id;

    if (type_ok) {
      switch (t) {
        case QuestionType::kSingleChoice:
        case QuestionType::kMultiChoice:
          if (options && scale) {
            ErrorAt(scale_key, "use 'options' o 'scale', no ambos, en " + where);
          } else if (options) {
            q.options = Options(*options, where);
          } else if (scale) {
            q.options = ScaleOptions(*scale, q, where);
          } else {
            ErrorAt(q.mark, where + " (tipo " + std::string(QuestionTypeName(t)) +
                                ") necesita 'options'" +
                                (t == QuestionType::kSingleChoice ? " o 'scale'" : ""));
          }
          break;
        case QuestionType::kRating:
          if (scale) {
            q.options = ScaleOptions(*scale, q, where);
          } else {
            ErrorAt(q.mark, where + " (tipo rating) necesita 'scale'");
          }
          break;
        case QuestionType::kMatrix:
          if (scale) {
            q.options = ScaleOptions(*scale, q, where);
          } else {
            ErrorAt(q.mark, where + " (tipo matrix) necesita 'scale'");
          }
          if (items) {
            for (const auto& o : Options(*items, "los ítems de " + where)) {
              if (!IsValidId(o.code)) {
                ErrorAt(o.mark, "id de ítem '" + o.code + "' no válido en " + where);
                continue;
              }
              q.items.push_back({o.code, o.label, o.mark});
            }
          } else {
            ErrorAt(q.mark, where + " (tipo matrix) necesita 'items'");
          }
          break;
        case QuestionType::kYesNo:
          q.options = {{std::string(kYes), "Sí", q.mark}, {std::string(kNo), "No", q.mark}};
          break;
        case QuestionType::kNumeric:
          if (q.min && q.max && *q.min > *q.max) {
            ErrorAt(q.mark, "en " + where + ", min es mayor que max");
          }
          break;
        case QuestionType::kText:
        case QuestionType::kDate:
          break;
      }
    }
    (void)options_key;
    (void)items_key;
    if (when) {
      if (auto c = ConditionRoot(*when, "when")) q.when = std::move(*c);
    }
    if (end_if) {
      if (auto c = ConditionRoot(*end_if, "end_if")) q.end_if = std::move(*c);
    }
    return q;
  }

  static Mark KeyMark(const Entry& e) { return e.key_mark; }

  std::vector<Option> ScaleOptions(const YAML::Node& n, Question& q, const std::string& where) {
    if (n.IsScalar()) {
      const std::string id = n.Scalar();
      if (const Scale* s = FindScale(id)) {
        q.scale = id;
        return s->options;
      }
      std::string known;
      for (const auto& s : out_.survey.scales) known += (known.empty() ? "" : ", ") + s.id;
      Error(n, "escala desconocida '" + id.substr(0, 64) + "' en " + where +
                   (known.empty() ? " (no hay escalas definidas en 'scales')"
                                  : " (escalas: " + known + ")"));
      return {};
    }
    return Options(n, "la escala de " + where);
  }

  std::optional<Condition> ConditionRoot(const YAML::Node& n, const std::string& what) {
    if (n.IsScalar() && (n.Scalar() == "true")) {
      Condition c;
      c.op = Condition::Op::kTrue;
      c.mark = MarkOf(n);
      return c;
    }
    return Cond(n, what, 0);
  }

  static std::optional<Condition::Op> OpFromName(const std::string& s) {
    static const std::pair<const char*, Condition::Op> kOps[] = {
        {"eq", Condition::Op::kEq}, {"==", Condition::Op::kEq}, {"ne", Condition::Op::kNe},
        {"!=", Condition::Op::kNe}, {"lt", Condition::Op::kLt}, {"<", Condition::Op::kLt},
        {"le", Condition::Op::kLe}, {"<=", Condition::Op::kLe}, {"gt", Condition::Op::kGt},
        {">", Condition::Op::kGt},  {"ge", Condition::Op::kGe}, {">=", Condition::Op::kGe},
        {"in", Condition::Op::kIn},
    };
    for (const auto& [name, op] : kOps) {
      if (s == name) return op;
    }
    return std::nullopt;
  }

  // A condition map: {q: v} (equality), {q: {op: v}}, {q.item: ...}, {and: [..]}, {or: [..]},
  // {not: {..}}. Several keys in one map are all required (and).
  std::optional<Condition> Cond(const YAML::Node& n, const std::string& what, int depth) {
    if (depth > kMaxNesting) {
      Error(n, "condición demasiado anidada");
      return std::nullopt;
    }
    if (!Budget(n)) return std::nullopt;
    if (!n.IsMap() || n.size() == 0) {
      Error(n, "'" + what +
                   "' debe ser un mapa como {p3: si}, {p2: {lt: 3}}, {and: [...]}, {or: [...]} "
                   "o {not: {...}}; se encontró " +
                   Kind(n));
      return std::nullopt;
    }
    std::vector<Condition> parts;
    bool ok = true;
    for (auto it = n.begin(); it != n.end(); ++it) {
      if (!Budget(it->first)) return std::nullopt;
      if (!it->first.IsScalar()) {
        Error(it->first, "las claves de una condición deben ser texto");
        ok = false;
        continue;
      }
      const std::string key = it->first.Scalar();
      const YAML::Node value = it->second;  // a copy: it->second is a temporary
      Condition c;
      c.mark = MarkOf(it->first);
      if (key == "and" || key == "or") {
        c.op = key == "and" ? Condition::Op::kAnd : Condition::Op::kOr;
        if (!value.IsSequence() || value.size() == 0) {
          Error(value, "'" + key + "' necesita una lista no vacía de condiciones");
          ok = false;
          continue;
        }
        for (const auto& child : value) {
          auto cc = Cond(child, what, depth + 1);
          if (!cc) {
            ok = false;
            continue;
          }
          c.children.push_back(std::move(*cc));
        }
      } else if (key == "not") {
        c.op = Condition::Op::kNot;
        auto cc = Cond(value, what, depth + 1);
        if (!cc) {
          ok = false;
          continue;
        }
        c.children.push_back(std::move(*cc));
      } else {
        // A reference: "q" or "q.item".
        const size_t dot = key.find('.');
        c.question = key.substr(0, dot);
        if (dot != std::string::npos) c.item = key.substr(dot + 1);
        if (!IsValidId(c.question) || (dot != std::string::npos && !IsValidId(c.item))) {
          Error(it->first, "referencia '" + key.substr(0, 64) +
                               "' no válida en la condición (use pregunta o pregunta.ítem)");
          ok = false;
          continue;
        }
        if (value.IsMap()) {
          // {op: value, ...}: several operators are all required.
          std::vector<Condition> ops;
          for (auto oit = value.begin(); oit != value.end(); ++oit) {
            if (!Budget(oit->first)) return std::nullopt;
            const std::string op_name = oit->first.IsScalar() ? oit->first.Scalar() : "";
            auto op = OpFromName(op_name);
            if (!op) {
              Error(oit->first, "operador desconocido '" + op_name.substr(0, 32) +
                                    "' (se esperaba: eq, ne, lt, le, gt, ge, in)");
              ok = false;
              continue;
            }
            Condition oc = c;
            oc.op = *op;
            if (!Values(oit->second, *op == Condition::Op::kIn, oc)) {
              ok = false;
              continue;
            }
            ops.push_back(std::move(oc));
          }
          if (ops.size() == 1) {
            c = std::move(ops[0]);
          } else {
            c.op = Condition::Op::kAnd;
            c.question.clear();
            c.item.clear();
            c.children = std::move(ops);
          }
        } else {
          c.op = value.IsSequence() ? Condition::Op::kIn : Condition::Op::kEq;
          if (!Values(value, c.op == Condition::Op::kIn, c)) {
            ok = false;
            continue;
          }
        }
      }
      parts.push_back(std::move(c));
    }
    if (!ok || parts.empty()) return std::nullopt;
    if (parts.size() == 1) return std::move(parts[0]);
    Condition all;
    all.op = Condition::Op::kAnd;
    all.mark = MarkOf(n);
    all.children = std::move(parts);
    return all;
  }

  bool Values(const YAML::Node& n, bool list, Condition& c) {
    if (list) {
      if (!n.IsSequence() || n.size() == 0) {
        Error(n, "'in' necesita una lista no vacía de valores");
        return false;
      }
      for (const auto& v : n) {
        if (!Budget(v)) return false;
        auto s = Scalar(v, "valor de la condición");
        if (!s) return false;
        c.values.push_back(*s);
        c.value_marks.push_back(MarkOf(v));
      }
      return true;
    }
    auto s = Scalar(n, "valor de la condición");
    if (!s) return false;
    c.values.push_back(*s);
    c.value_marks.push_back(MarkOf(n));
    return true;
  }

  void Error(const YAML::Node& n, std::string message) { ErrorAt(MarkOf(n), std::move(message)); }
  void ErrorAt(Mark m, std::string message) {
    out_.errors.push_back({std::string(file_), m.line, m.column, std::move(message)});
  }

  static constexpr int kMaxNodes = 200'000;
  std::string_view file_;
  Parsed& out_;
  int nodes_ = 0;
  bool budget_reported_ = false;
};

}  // namespace

// yaml-cpp's most common messages in Spanish (the rest keep yaml-cpp's English text).
std::string TranslateYamlError(const std::string& msg) {
  static const std::pair<const char*, const char*> kMessages[] = {
      {"end of map not found", "falta cerrar un mapa"},
      {"end of map flow not found", "falta cerrar un '{'"},
      {"end of sequence not found", "falta cerrar una lista"},
      {"end of sequence flow not found", "falta cerrar un '['"},
      {"unknown token", "símbolo inesperado"},
      {"illegal EOF in scalar", "el archivo termina dentro de un texto (¿falta cerrar comillas?)"},
      {"illegal character in scalar", "carácter no permitido en el texto"},
      {"illegal flow end", "cierre ']' o '}' sin apertura"},
      {"illegal block entry", "elemento de lista '-' mal ubicado (revise la sangría)"},
      {"illegal map key", "clave mal ubicada (revise la sangría)"},
      {"illegal map value", "valor mal ubicado: ¿falta un espacio tras ':' o sobra sangría?"},
      {"the referenced anchor is not defined", "el alias (*) no tiene ancla (&) definida"},
      {"unknown escape character: ", "secuencia de escape desconocida: "},
  };
  for (const auto& [en, es] : kMessages) {
    const std::string_view e(en);
    if (msg.compare(0, e.size(), e) == 0 && (msg.size() == e.size() || e.back() == ' ')) {
      return es + msg.substr(e.size());
    }
  }
  return msg;
}

Parsed Parse(std::string_view text, std::string_view file) {
  Parsed out;
  Screen screen(file, out.errors);
  if (!screen.Ok(text)) return out;
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    out.errors.push_back(
        {std::string(file), e.mark.line + 1, e.mark.column + 1, "anidamiento demasiado profundo"});
    return out;
  } catch (const YAML::Exception& e) {
    const int line = e.mark.line >= 0 ? e.mark.line + 1 : 1;
    const int column = e.mark.column >= 0 ? e.mark.column + 1 : 1;
    std::string hint;
    if (e.msg.find("flow not found") != std::string::npos) hint = screen.UnclosedHint();
    out.errors.push_back(
        {std::string(file), line, column, "YAML no válido: " + TranslateYamlError(e.msg) + hint});
    return out;
  } catch (const std::exception& e) {
    out.errors.push_back({std::string(file), 1, 1, std::string("YAML no válido: ") + e.what()});
    return out;
  }
  if (!root.IsDefined() || root.IsNull()) {
    out.errors.push_back({std::string(file), 1, 1, "el archivo está vacío"});
    return out;
  }
  try {
    Builder(file, out).Build(root);
  } catch (const std::exception& e) {
    // yaml-cpp conversions should not throw here; if they do, it is still the input's fault.
    out.errors.push_back({std::string(file), 1, 1, std::string("YAML no válido: ") + e.what()});
    out.structure_ok = false;
  }
  return out;
}

}  // namespace internal

CheckResult CheckSurveyText(std::string_view text, std::string_view file_name,
                            const CheckOptions& options) {
  CheckResult result;
  internal::Parsed parsed = internal::Parse(text, file_name);
  result.errors = parsed.errors;
  if (parsed.structure_ok) internal::CheckSemantics(parsed, options, file_name, result);
  std::stable_sort(result.errors.begin(), result.errors.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                   });
  // The same problem can be found twice (e.g. by two checks); keep one.
  result.errors.erase(std::unique(result.errors.begin(), result.errors.end(),
                                  [](const Diagnostic& a, const Diagnostic& b) {
                                    return a.line == b.line && a.column == b.column &&
                                           a.message == b.message;
                                  }),
                      result.errors.end());
  if (result.errors.empty()) result.survey = std::move(parsed.survey);
  return result;
}

CheckResult CheckSurveyFile(const std::string& path, const CheckOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    CheckResult r;
    r.errors.push_back({path, 1, 1, "no se puede leer el archivo"});
    return r;
  }
  in.seekg(0, std::ios::end);
  const auto size = in.tellg();
  in.seekg(0);
  if (size < 0) {
    CheckResult r;
    r.errors.push_back({path, 1, 1, "no se puede leer el archivo"});
    return r;
  }
  if (static_cast<size_t>(size) > kMaxFileBytes) {
    CheckResult r;
    r.errors.push_back({path, 1, 1,
                        "el archivo es demasiado grande (" + std::to_string(size) +
                            " bytes; máximo " + std::to_string(kMaxFileBytes) + ")"});
    return r;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return CheckSurveyText(ss.str(), path, options);
}

namespace {
Result<Survey> ToResult(CheckResult r) {
  if (r.ok() && r.survey) return std::move(*r.survey);
  std::string message;
  for (const auto& d : r.errors) message += (message.empty() ? "" : "\n") + d.ToString();
  if (message.empty()) message = "encuesta no válida";
  return Status::InvalidArgument(message);
}
}  // namespace

Result<Survey> LoadSurvey(std::string_view text, std::string_view file_name) {
  return ToResult(CheckSurveyText(text, file_name));
}

Result<Survey> LoadSurveyFile(const std::string& path) { return ToResult(CheckSurveyFile(path)); }

std::vector<std::string> Placeholders(const Survey& survey) {
  std::vector<std::string> all;
  auto add = [&](const std::string& text) {
    bool malformed = false;
    for (auto& n : internal::ExtractPlaceholders(text, &malformed)) {
      if (std::find(all.begin(), all.end(), n) == all.end()) all.push_back(n);
    }
  };
  add(survey.intro);
  add(survey.closing);
  for (const auto& q : survey.questions) {
    add(q.text);
    add(q.help);
    for (const auto& o : q.options) add(o.label);
    for (const auto& i : q.items) add(i.label);
  }
  return all;
}

}  // namespace sondeo::surveys
