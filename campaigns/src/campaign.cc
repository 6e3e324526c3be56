// The campaign YAML: parsing and validation (docs/campaigns.md). yaml-cpp throws; every
// exception is caught here and becomes a Status with FILE:LINE:COLUMN.
#include "campaigns/campaign.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <set>
#include <sstream>
#include <utility>

#include <yaml-cpp/yaml.h>

namespace sondeo::campaigns {

std::string_view DialModeName(DialMode m) {
  switch (m) {
    case DialMode::kPreview:
      return "preview";
    case DialMode::kProgressive:
      return "progressive";
    case DialMode::kPredictive:
      return "predictive";
  }
  return "progressive";
}

std::string_view PhoneOrderName(PhoneOrder o) {
  switch (o) {
    case PhoneOrder::kMobileFirst:
      return "mobile_first";
    case PhoneOrder::kFixedFirst:
      return "fixed_first";
    case PhoneOrder::kAsImported:
      return "as_imported";
  }
  return "mobile_first";
}

std::string_view DriverName(Driver d) {
  return d == Driver::kSip ? std::string_view("sip") : std::string_view("simulated");
}

namespace {

using std::chrono::minutes;
using std::chrono::seconds;

constexpr seconds kMinRingTimeout{15};
constexpr seconds kMaxRingTimeout{120};
constexpr double kMaxAbandonRate = 0.03;

// Thrown inside the parser (never escapes this file): carries the finished Status.
struct ParseError {
  Status status;
};

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

class Parser {
 public:
  explicit Parser(std::string_view file) : file_(file) {}

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& field,
                         const std::string& message) const {
    const YAML::Mark mark = at.Mark();
    const int line = mark.is_null() ? 1 : mark.line + 1;
    const int column = mark.is_null() ? 1 : mark.column + 1;
    std::string text =
        std::string(file_) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
    if (!field.empty()) text += field + ": ";
    text += message;
    throw ParseError{Status::InvalidArgument(std::move(text))};
  }

  // Fails on keys outside `allowed` (at the key's position).
  void Keys(const YAML::Node& map, const std::string& path,
            std::initializer_list<std::string_view> allowed) const {
    if (!map.IsMap()) Fail(map, path, "se esperaba un mapa (clave: valor)");
    for (auto it = map.begin(); it != map.end(); ++it) {
      const std::string key = it->first.Scalar();
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string list;
        for (auto a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        Fail(it->first, Join(path, key), "clave desconocida (se admite: " + list + ")");
      }
    }
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  std::string Str(const YAML::Node& n, const std::string& field) const {
    if (!n.IsScalar()) Fail(n, field, "se esperaba un texto");
    return n.Scalar();
  }

  std::string NonEmpty(const YAML::Node& n, const std::string& field) const {
    std::string s = Str(n, field);
    if (s.find_first_not_of(" \t") == std::string::npos) Fail(n, field, "no puede estar vacío");
    return s;
  }

  const YAML::Node Required(const YAML::Node& map, const std::string& path,
                            const std::string& key) const {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) Fail(map, Join(path, key), "falta este campo obligatorio");
    return n;
  }

  int64_t Int(const YAML::Node& n, const std::string& field, int64_t min, int64_t max) const {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!n.IsScalar() || s.empty() || ec != std::errc() || p != s.data() + s.size()) {
      Fail(n, field, "se esperaba un número entero");
    }
    if (v < min || v > max) {
      Fail(n, field,
           "debe estar entre " + std::to_string(min) + " y " + std::to_string(max) + ", no " + s);
    }
    return v;
  }

  double Number(const YAML::Node& n, const std::string& field, double min, double max) const {
    return NumberText(n.IsScalar() ? n.Scalar() : std::string(), n, field, min, max);
  }

  double NumberText(const std::string& s, const YAML::Node& n, const std::string& field, double min,
                    double max) const {
    char* end = nullptr;
    errno = 0;
    const double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
    if (!n.IsScalar() || s.empty() || end != s.c_str() + s.size() || errno != 0 ||
        !std::isfinite(v)) {
      Fail(n, field, "se esperaba un número");
    }
    if (v < min || v > max) Fail(n, field, "fuera de rango: " + s);
    return v;
  }

  bool Bool(const YAML::Node& n, const std::string& field) const {
    const std::string s = n.IsScalar() ? n.Scalar() : std::string();
    if (s == "true" || s == "yes" || s == "sí" || s == "si") return true;
    if (s == "false" || s == "no") return false;
    Fail(n, field, "se esperaba true o false");
  }

  // "90s", "15m", "3h", "2d" or a whole number of seconds.
  seconds Dur(const YAML::Node& n, const std::string& field) const {
    std::string s = n.IsScalar() ? n.Scalar() : std::string();
    int64_t unit = 1;
    if (!s.empty()) {
      switch (s.back()) {
        case 's':
          unit = 1;
          s.pop_back();
          break;
        case 'm':
          unit = 60;
          s.pop_back();
          break;
        case 'h':
          unit = 3600;
          s.pop_back();
          break;
        case 'd':
          unit = 86400;
          s.pop_back();
          break;
        default:
          break;
      }
    }
    if (!n.IsScalar() || !IsDigits(s) || s.size() > 9) {
      Fail(n, field, "se esperaba una duración como 90s, 15m, 3h o 2d");
    }
    return seconds{std::stoll(s) * unit};
  }

  Date DateOf(const YAML::Node& n, const std::string& field) const {
    auto d = ParseDate(n.IsScalar() ? n.Scalar() : std::string());
    if (!d) Fail(n, field, d.error().message());
    return *d;
  }

  minutes TimeOf(const YAML::Node& n, const std::string& field) const {
    auto t = ParseTimeOfDay(n.IsScalar() ? n.Scalar() : std::string());
    if (!t) Fail(n, field, t.error().message());
    return *t;
  }

  std::vector<std::string> StrList(const YAML::Node& n, const std::string& field) const {
    std::vector<std::string> out;
    if (n.IsScalar()) {
      out.push_back(NonEmpty(n, field));
      return out;
    }
    if (!n.IsSequence()) Fail(n, field, "se esperaba una lista");
    for (size_t i = 0; i < n.size(); ++i) {
      out.push_back(NonEmpty(n[i], field + "[" + std::to_string(i) + "]"));
    }
    return out;
  }

  // ------------------------------------------------------------------------------------
  Campaign Parse(const YAML::Node& root) {
    if (!root.IsMap()) Fail(root, "", "el archivo de campaña debe ser un mapa (clave: valor)");
    Keys(root, "",
         {"id", "name", "entity", "purpose", "legal_basis", "survey", "time", "attempts", "retries",
          "dialing", "telephony", "contract", "sms_sequences", "dispositions"});
    Campaign c;
    const YAML::Node id = Required(root, "", "id");
    c.id = Str(id, "id");
    if (c.id.empty() || c.id.size() > 64 || !std::all_of(c.id.begin(), c.id.end(), [](char ch) {
          return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 ch == '-' || ch == '_';
        })) {
      Fail(id, "id", "solo letras sin tilde, dígitos, '-' y '_' (1 a 64 caracteres)");
    }
    c.name = NonEmpty(Required(root, "", "name"), "name");
    c.entity = NonEmpty(Required(root, "", "entity"), "entity");
    c.purpose = NonEmpty(Required(root, "", "purpose"), "purpose");
    c.legal_basis = NonEmpty(Required(root, "", "legal_basis"), "legal_basis");
    c.survey_file = NonEmpty(Required(root, "", "survey"), "survey");
    std::filesystem::path survey(c.survey_file);
    if (survey.is_relative()) {
      survey = std::filesystem::path(std::string(file_)).parent_path() / survey;
    }
    c.survey_path = survey.lexically_normal().string();

    if (const YAML::Node n = root["time"]) ParseTime(n, &c);
    if (const YAML::Node n = root["attempts"]) ParseAttempts(n, &c.attempts);
    if (const YAML::Node n = root["dialing"]) ParseDialing(n, &c.dialing);
    if (const YAML::Node n = root["telephony"]) ParseTelephony(n, &c.telephony);
    if (const YAML::Node n = root["contract"]) ParseContract(n, &c.contract);
    if (const YAML::Node n = root["sms_sequences"]) ParseSms(n, &c.sms_sequences);
    if (const YAML::Node n = root["dispositions"]) ParseDispositions(n, &c.dispositions);
    if (const YAML::Node n = root["retries"]) ParseRetries(n, &c.dispositions);
    return c;
  }

  void ParseTime(const YAML::Node& t, Campaign* c) {
    Keys(t, "time", {"zone", "windows", "start", "end", "non_working", "exempt"});
    CalendarRules& r = c->calendar;
    if (const YAML::Node z = t["zone"]) {
      auto zone = TimeZone::Find(Str(z, "time.zone"));
      if (!zone) Fail(z, "time.zone", zone.error().message());
      r.zone = *zone;
    }
    std::array<YAML::Node, 7> day_nodes;
    if (const YAML::Node w = t["windows"]) {
      Keys(w, "time.windows",
           {"lunes", "martes", "miercoles", "miércoles", "jueves", "viernes", "sabado", "sábado",
            "domingo", "lunes_a_viernes"});
      r.windows = {};
      for (auto it = w.begin(); it != w.end(); ++it) {
        const std::string key = it->first.Scalar();
        const std::string field = "time.windows." + key;
        std::vector<unsigned> days;
        if (key == "lunes_a_viernes") {
          days = {1, 2, 3, 4, 5};
        } else {
          for (unsigned d = 0; d < 7; ++d) {
            const std::string_view name = WeekdayName(d);
            if (key == name || (key == "miercoles" && d == 3) || (key == "sabado" && d == 6)) {
              days = {d};
            }
          }
        }
        const std::vector<Window> ws = ParseWindows(it->second, field);
        for (unsigned d : days) {
          for (const Window& win : ws) r.windows[d].push_back(win);
          day_nodes[d] = it->second;
        }
      }
      for (unsigned d = 0; d < 7; ++d) {
        auto& ws = r.windows[d];
        std::sort(ws.begin(), ws.end(),
                  [](const Window& a, const Window& b) { return a.start < b.start; });
        for (size_t i = 1; i < ws.size(); ++i) {
          if (ws[i].start < ws[i - 1].end) {
            Fail(day_nodes[d], "time.windows",
                 "las franjas del " + std::string(WeekdayName(d)) + " se solapan");
          }
        }
      }
    }
    if (const YAML::Node n = t["start"]) r.start_date = DateOf(n, "time.start");
    if (const YAML::Node n = t["end"]) {
      r.end_date = DateOf(n, "time.end");
      if (r.start_date && Day{*r.end_date} < Day{*r.start_date}) {
        Fail(n, "time.end", "la fecha final es anterior a la inicial");
      }
    }
    if (const YAML::Node n = t["non_working"]) {
      if (!n.IsSequence()) Fail(n, "time.non_working", "se esperaba una lista de fechas");
      for (size_t i = 0; i < n.size(); ++i) {
        r.extra_non_working.push_back(DateOf(n[i], "time.non_working[" + std::to_string(i) + "]"));
      }
    }
    if (const YAML::Node e = t["exempt"]) {
      Keys(e, "time.exempt", {"reason"});
      c->exemption_reason = NonEmpty(Required(e, "time.exempt", "reason"), "time.exempt.reason");
    }
    if (!c->exemption_reason) {
      const auto violations = CheckLegalWindows(r.windows);
      if (!violations.empty()) {
        const auto& v = violations.front();
        Fail(day_nodes[v.weekday], "time.windows",
             v.message + "; corrija la franja o declare la excepción con time.exempt.reason");
      }
    }
  }

  std::vector<Window> ParseWindows(const YAML::Node& n, const std::string& field) {
    std::vector<Window> out;
    auto one = [&](const YAML::Node& item, const std::string& f) {
      const std::string s = item.IsScalar() ? item.Scalar() : std::string();
      const auto dash = s.find('-');
      if (!item.IsScalar() || dash == std::string::npos) {
        Fail(item, f, "se esperaba una franja HH:MM-HH:MM, p. ej. 08:00-17:00");
      }
      auto start = ParseTimeOfDay(s.substr(0, dash));
      auto end = ParseTimeOfDay(s.substr(dash + 1));
      if (!start || !end) Fail(item, f, "se esperaba una franja HH:MM-HH:MM, no \"" + s + "\"");
      if (*end <= *start) Fail(item, f, "la franja " + s + " termina antes de empezar");
      out.push_back({*start, *end});
    };
    if (n.IsScalar()) {
      one(n, field);
    } else if (n.IsSequence()) {
      for (size_t i = 0; i < n.size(); ++i) one(n[i], field + "[" + std::to_string(i) + "]");
    } else {
      Fail(n, field, "se esperaba una franja o una lista de franjas");
    }
    return out;
  }

  void ParseAttempts(const YAML::Node& n, Attempts* a) {
    Keys(n, "attempts", {"max_per_contact", "max_per_phone", "max_per_day", "phone_order"});
    if (const YAML::Node v = n["max_per_contact"]) {
      a->max_per_contact = static_cast<int>(Int(v, "attempts.max_per_contact", 1, 100));
    }
    if (const YAML::Node v = n["max_per_phone"]) {
      a->max_per_phone = static_cast<int>(Int(v, "attempts.max_per_phone", 1, 100));
    }
    if (const YAML::Node v = n["max_per_day"]) {
      a->max_per_day = static_cast<int>(Int(v, "attempts.max_per_day", 1, 20));
    }
    if (const YAML::Node v = n["phone_order"]) {
      const std::string s = Str(v, "attempts.phone_order");
      if (s == "mobile_first") {
        a->phone_order = PhoneOrder::kMobileFirst;
      } else if (s == "fixed_first") {
        a->phone_order = PhoneOrder::kFixedFirst;
      } else if (s == "as_imported") {
        a->phone_order = PhoneOrder::kAsImported;
      } else {
        Fail(v, "attempts.phone_order", "se esperaba mobile_first, fixed_first o as_imported");
      }
    }
  }

  void ParseDialing(const YAML::Node& n, Dialing* d) {
    Keys(n, "dialing", {"mode", "max_abandon_rate", "ring_timeout"});
    if (const YAML::Node v = n["mode"]) {
      const std::string s = Str(v, "dialing.mode");
      if (s == "preview") {
        d->mode = DialMode::kPreview;
      } else if (s == "progressive") {
        d->mode = DialMode::kProgressive;
      } else if (s == "predictive") {
        d->mode = DialMode::kPredictive;
      } else {
        Fail(v, "dialing.mode", "se esperaba preview, progressive o predictive");
      }
    }
    if (const YAML::Node v = n["max_abandon_rate"]) {
      std::string text = v.IsScalar() ? v.Scalar() : std::string();
      double rate = 0;
      if (!text.empty() && text.back() == '%') {
        text.pop_back();
        rate = NumberText(text, v, "dialing.max_abandon_rate", 0, 100) / 100;
      } else {
        rate = Number(v, "dialing.max_abandon_rate", 0, 1);
      }
      if (rate > kMaxAbandonRate + 1e-12) {
        Fail(v, "dialing.max_abandon_rate", "no puede superar el 3% de las respuestas en vivo");
      }
      d->max_abandon_rate = rate;
    }
    if (const YAML::Node v = n["ring_timeout"]) {
      const seconds t = Dur(v, "dialing.ring_timeout");
      if (t < kMinRingTimeout) {
        Fail(v, "dialing.ring_timeout",
             "debe timbrar al menos 15 s (no " + std::to_string(t.count()) + " s)");
      }
      if (t > kMaxRingTimeout) Fail(v, "dialing.ring_timeout", "máximo 120 s");
      d->ring_timeout = t;
    }
  }

  void ParseTelephony(const YAML::Node& n, Telephony* t) {
    Keys(n, "telephony", {"caller_id", "driver", "trunk"});
    if (const YAML::Node v = n["caller_id"]) {
      t->caller_id = Str(v, "telephony.caller_id");
      const std::string_view digits =
          std::string_view(t->caller_id)
              .substr(!t->caller_id.empty() && t->caller_id[0] == '+' ? 1 : 0);
      if (!IsDigits(digits) || digits.size() < 7 || digits.size() > 15) {
        Fail(v, "telephony.caller_id", "se esperan de 7 a 15 dígitos (opcionalmente con +)");
      }
    }
    if (const YAML::Node v = n["driver"]) {
      const std::string s = Str(v, "telephony.driver");
      if (s == "simulated") {
        t->driver = Driver::kSimulated;
      } else if (s == "sip") {
        t->driver = Driver::kSip;
      } else {
        Fail(v, "telephony.driver", "se esperaba simulated o sip");
      }
    }
    if (const YAML::Node v = n["trunk"]) {
      t->trunk = Str(v, "telephony.trunk");
      if (!t->trunk.starts_with("sip:") && !t->trunk.starts_with("sips:")) {
        Fail(v, "telephony.trunk", "se esperaba una URI sip: o sips:");
      }
    }
    if (t->driver == Driver::kSip && t->trunk.empty()) {
      Fail(n, "telephony.trunk", "el driver sip necesita una troncal (trunk: sip:...)");
    }
  }

  ContractLine ParseLine(const YAML::Node& n, const std::string& field) {
    Keys(n, field, {"capacity", "unit_price"});
    ContractLine l;
    if (const YAML::Node v = n["capacity"]) {
      l.capacity = Int(v, field + ".capacity", 0, int64_t{1} << 40);
    }
    if (const YAML::Node v = n["unit_price"]) {
      l.unit_price = Number(v, field + ".unit_price", 0, 1e12);
    }
    return l;
  }

  void ParseContract(const YAML::Node& n, Contract* k) {
    Keys(n, "contract",
         {"purchase_order", "currency", "outbound_minutes", "sms_segments", "sms_monthly_cap"});
    if (const YAML::Node v = n["purchase_order"]) {
      k->purchase_order = Str(v, "contract.purchase_order");
    }
    if (const YAML::Node v = n["currency"]) {
      k->currency = Str(v, "contract.currency");
      if (k->currency.size() != 3 || !std::all_of(k->currency.begin(), k->currency.end(),
                                                  [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
        Fail(v, "contract.currency", "se esperaba un código ISO 4217 como COP");
      }
    }
    if (const YAML::Node v = n["outbound_minutes"]) {
      k->outbound_minutes = ParseLine(v, "contract.outbound_minutes");
    }
    if (const YAML::Node v = n["sms_segments"]) {
      k->sms_segments = ParseLine(v, "contract.sms_segments");
    }
    k->sms_monthly_cap = k->sms_segments.capacity;
    if (const YAML::Node v = n["sms_monthly_cap"]) {
      k->sms_monthly_cap = Int(v, "contract.sms_monthly_cap", 0, int64_t{1} << 40);
    }
  }

  void ParseSms(const YAML::Node& n, std::vector<SmsSequence>* out) {
    if (!n.IsSequence()) Fail(n, "sms_sequences", "se esperaba una lista de secuencias");
    for (size_t i = 0; i < n.size(); ++i) {
      const YAML::Node s = n[i];
      const std::string path = "sms_sequences[" + std::to_string(i) + "]";
      Keys(s, path, {"name", "date", "start", "municipios", "messages"});
      SmsSequence seq;
      seq.name = NonEmpty(Required(s, path, "name"), path + ".name");
      if (const YAML::Node v = s["date"]) seq.date = DateOf(v, path + ".date");
      if (const YAML::Node v = s["municipios"]) seq.municipios = StrList(v, path + ".municipios");
      const YAML::Node msgs = Required(s, path, "messages");
      if (!msgs.IsSequence() || msgs.size() == 0) {
        Fail(msgs, path + ".messages", "se esperaba una lista con al menos un mensaje");
      }
      bool start_given = false;
      if (const YAML::Node v = s["start"]) {
        seq.start = TimeOf(v, path + ".start");
        start_given = true;
      }
      for (size_t j = 0; j < msgs.size(); ++j) {
        const YAML::Node m = msgs[j];
        const std::string mpath = path + ".messages[" + std::to_string(j) + "]";
        Keys(m, mpath, {"text", "at", "offset"});
        SmsMessage msg;
        msg.text = NonEmpty(Required(m, mpath, "text"), mpath + ".text");
        const YAML::Node at = m["at"];
        const YAML::Node off = m["offset"];
        if (at && off) Fail(m, mpath, "use at o offset, no ambos");
        if (at) {
          const minutes t = TimeOf(at, mpath + ".at");
          if (!start_given) {
            seq.start = t;
            start_given = true;
          }
          if (t < seq.start) Fail(at, mpath + ".at", "es anterior al inicio de la secuencia");
          msg.offset = t - seq.start;
        } else if (off) {
          msg.offset = std::chrono::duration_cast<minutes>(Dur(off, mpath + ".offset"));
        }
        if (seq.start + msg.offset >= minutes{24 * 60}) {
          Fail(m, mpath, "el mensaje caería después de la medianoche");
        }
        seq.messages.push_back(std::move(msg));
      }
      std::stable_sort(
          seq.messages.begin(), seq.messages.end(),
          [](const SmsMessage& a, const SmsMessage& b) { return a.offset < b.offset; });
      out->push_back(std::move(seq));
    }
  }

  SetBy ParseSetBy(const YAML::Node& v, const std::string& field) {
    const std::string s = Str(v, field);
    if (s == "agent") return SetBy::kAgent;
    if (s == "system") return SetBy::kSystem;
    if (s == "both") return SetBy::kBoth;
    Fail(v, field, "se esperaba agent, system o both");
  }

  void ParseRetry(const YAML::Node& r, const std::string& field, Disposition* d) {
    Keys(r, field, {"delay", "max"});
    d->final = false;
    d->retry_delay = r["delay"] ? Dur(r["delay"], field + ".delay") : seconds{0};
    d->retry_max = r["max"] ? static_cast<int>(Int(r["max"], field + ".max", 0, 100)) : 0;
  }

  void ParseDispositions(const YAML::Node& n, DispositionCatalog* cat) {
    if (!n.IsSequence()) Fail(n, "dispositions", "se esperaba una lista de tipificaciones");
    std::set<std::string> seen;
    for (size_t i = 0; i < n.size(); ++i) {
      const YAML::Node e = n[i];
      const std::string path = "dispositions[" + std::to_string(i) + "]";
      Keys(e, path,
           {"code", "label", "set_by", "final", "retry", "contact", "complete", "refusal",
            "consumes_attempt", "try_next_phone", "callback", "aapor"});
      const YAML::Node code_node = Required(e, path, "code");
      const std::string code = Str(code_node, path + ".code");
      if (code.empty() || code.size() > 40 || !(code[0] >= 'A' && code[0] <= 'Z') ||
          !std::all_of(code.begin(), code.end(), [](char ch) {
            return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_';
          })) {
        Fail(code_node, path + ".code",
             "solo mayúsculas sin tilde, dígitos y '_' (p. ej. NO_CONTESTA)");
      }
      if (!seen.insert(code).second) Fail(code_node, path + ".code", "código repetido " + code);
      const Disposition* existing = cat->Find(code);
      Disposition d;
      if (existing != nullptr) {
        d = *existing;
      } else {
        d.code = code;
        Required(e, path, "label");
        Required(e, path, "aapor");
      }
      if (const YAML::Node v = e["label"]) d.label = NonEmpty(v, path + ".label");
      if (const YAML::Node v = e["set_by"]) d.set_by = ParseSetBy(v, path + ".set_by");
      const YAML::Node fin = e["final"];
      const YAML::Node retry = e["retry"];
      if (fin && retry && Bool(fin, path + ".final")) {
        Fail(retry, path + ".retry", "una tipificación final no tiene reintentos");
      }
      if (fin) {
        d.final = Bool(fin, path + ".final");
        if (d.final) {
          d.retry_delay = seconds{0};
          d.retry_max = 0;
        }
      }
      if (retry) ParseRetry(retry, path + ".retry", &d);
      if (const YAML::Node v = e["contact"]) d.contact = Bool(v, path + ".contact");
      if (const YAML::Node v = e["complete"]) d.complete = Bool(v, path + ".complete");
      if (const YAML::Node v = e["refusal"]) d.refusal = Bool(v, path + ".refusal");
      if (const YAML::Node v = e["consumes_attempt"]) {
        d.consumes_attempt = Bool(v, path + ".consumes_attempt");
      }
      if (const YAML::Node v = e["try_next_phone"]) {
        d.try_next_phone = Bool(v, path + ".try_next_phone");
      }
      if (const YAML::Node v = e["callback"]) d.callback = Bool(v, path + ".callback");
      if (const YAML::Node v = e["aapor"]) {
        d.aapor = Str(v, path + ".aapor");
        if (AaporCategory(d.aapor).empty()) {
          Fail(v, path + ".aapor",
               "código AAPOR desconocido \"" + d.aapor + "\" (p. ej. 1.1, 2.112, 3.13, 4.32)");
        }
      }
      const std::string problem = CheckDisposition(d);
      if (!problem.empty()) Fail(e, path, problem);
      cat->Upsert(std::move(d));
    }
  }

  void ParseRetries(const YAML::Node& n, DispositionCatalog* cat) {
    if (!n.IsMap()) Fail(n, "retries", "se esperaba un mapa CÓDIGO: {delay, max}");
    for (auto it = n.begin(); it != n.end(); ++it) {
      const std::string code = it->first.Scalar();
      const Disposition* existing = cat->Find(code);
      if (existing == nullptr) {
        Fail(it->first, "retries." + code, "tipificación desconocida");
      }
      Disposition d = *existing;
      ParseRetry(it->second, "retries." + code, &d);
      const std::string problem = CheckDisposition(d);
      if (!problem.empty()) Fail(it->second, "retries." + code, problem);
      cat->Upsert(std::move(d));
    }
  }

 public:
  // The catalogue invariants; "" when the disposition is consistent.
  static std::string CheckDisposition(const Disposition& d) {
    if (d.label.empty()) return "falta label";
    const std::string_view cat = AaporCategory(d.aapor);
    if (cat.empty()) return "código AAPOR desconocido \"" + d.aapor + "\"";
    if (d.complete && !(d.contact && d.final)) {
      return "una encuesta completa debe ser final y con contacto";
    }
    if (d.complete && cat != "I") return "una encuesta completa tiene código AAPOR 1.1";
    if (d.refusal && !d.contact) return "un rechazo implica contacto";
    if (d.refusal && d.complete) return "no puede ser completa y rechazo a la vez";
    if (d.callback && d.final) return "volver a llamar no puede ser final";
    if (d.retry_delay < seconds{0}) return "retry.delay no puede ser negativo";
    return "";
  }

 private:
  std::string_view file_;
};

}  // namespace

Result<Campaign> ParseCampaign(std::string_view yaml, std::string_view file_name) {
  Parser parser(file_name);
  try {
    const YAML::Node root = YAML::Load(std::string(yaml));
    if (!root.IsDefined() || root.IsNull()) {
      return Status::InvalidArgument(std::string(file_name) + ":1:1: el archivo está vacío");
    }
    return parser.Parse(root);
  } catch (const ParseError& e) {
    return e.status;
  } catch (const YAML::Exception& e) {
    const int line = e.mark.is_null() ? 1 : e.mark.line + 1;
    const int column = e.mark.is_null() ? 1 : e.mark.column + 1;
    return Status::InvalidArgument(std::string(file_name) + ":" + std::to_string(line) + ":" +
                                   std::to_string(column) + ": YAML inválido: " + e.msg);
  }
}

Result<Campaign> LoadCampaignFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(path + ": no se puede leer el archivo");
  std::ostringstream text;
  text << in.rdbuf();
  auto campaign = ParseCampaign(text.str(), path);
  if (!campaign) return campaign;
  std::error_code ec;
  const auto abs = std::filesystem::absolute(path, ec);
  if (!ec) {
    campaign->source_path = abs.lexically_normal().string();
    campaign->survey_path =
        std::filesystem::absolute(campaign->survey_path, ec).lexically_normal().string();
  }
  return campaign;
}

}  // namespace sondeo::campaigns
