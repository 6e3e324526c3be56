// GSM-7 / UCS-2 segmentation, the GSM-7 alternative and templates (dialer/sms.h).
#include <algorithm>
#include <array>
#include <utility>

#include "dialer/sms.h"

namespace sondeo::dialer {

namespace {

// GSM 03.38 basic table: the code points above ASCII (ASCII is handled by range below).
constexpr std::array<char32_t, 38> kBasicNonAscii = {
    0x00A3, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x00D8, 0x00F8,
    0x00C5, 0x00E5, 0x0394, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3,
    0x0398, 0x039E, 0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x00A4, 0x00A1, 0x00C4, 0x00D6,
    0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x00E4, 0x00F6, 0x00F1, 0x00FC};
// à is the 39th; kept apart so the array above stays a round table of the spec's order.
constexpr char32_t kAGrave = 0x00E0;

bool IsBasic(char32_t cp) {
  if (cp == '\n' || cp == '\r') return true;
  if (cp >= 0x20 && cp <= 0x7E) {
    switch (cp) {
      case '`':
      case '[':
      case '\\':
      case ']':
      case '^':
      case '{':
      case '|':
      case '}':
      case '~':
        return false;
      default:
        return true;
    }
  }
  if (cp == kAGrave) return true;
  return std::find(kBasicNonAscii.begin(), kBasicNonAscii.end(), cp) != kBasicNonAscii.end();
}

bool IsExtension(char32_t cp) {
  switch (cp) {
    case 0x0C:
    case '^':
    case '{':
    case '}':
    case '\\':
    case '[':
    case '~':
    case ']':
    case '|':
    case 0x20AC:  // €
      return true;
    default:
      return false;
  }
}

// Greedy fill of `costs` into segments of `per_segment` units, never splitting one cost.
std::vector<int> Fill(const std::vector<int>& costs, int total, int single, int per_segment) {
  if (total <= single) return {total};
  std::vector<int> sizes;
  int cur = 0;
  for (int c : costs) {
    if (cur + c > per_segment) {
      sizes.push_back(cur);
      cur = 0;
    }
    cur += c;
  }
  if (cur > 0) sizes.push_back(cur);
  return sizes;
}

// The GSM-7 form of a character outside GSM-7 (empty: no sensible form).
std::string_view Transliterate(char32_t cp) {
  switch (cp) {
    case 0x00E1:
    case 0x00E2:
    case 0x00E3:
    case 0x0101:
    case 0x0103:
    case 0x0105:
      return "a";
    case 0x00C1:
    case 0x00C0:
    case 0x00C2:
    case 0x00C3:
    case 0x0100:
    case 0x0102:
    case 0x0104:
      return "A";
    case 0x00ED:
    case 0x00EE:
    case 0x00EF:
    case 0x012B:
    case 0x0131:
      return "i";
    case 0x00CD:
    case 0x00CC:
    case 0x00CE:
    case 0x00CF:
    case 0x012A:
    case 0x0130:
      return "I";
    case 0x00F3:
    case 0x00F4:
    case 0x00F5:
    case 0x014D:
    case 0x0151:
      return "o";
    case 0x00D3:
    case 0x00D2:
    case 0x00D4:
    case 0x00D5:
    case 0x014C:
    case 0x0150:
      return "O";
    case 0x00FA:
    case 0x00FB:
    case 0x016B:
    case 0x016F:
    case 0x0171:
      return "u";
    case 0x00DA:
    case 0x00D9:
    case 0x00DB:
    case 0x016A:
    case 0x016E:
    case 0x0170:
      return "U";
    case 0x00EA:
    case 0x00EB:
    case 0x0113:
    case 0x0117:
    case 0x0119:
    case 0x011B:
      return "e";
    case 0x00C8:
    case 0x00CA:
    case 0x00CB:
    case 0x0112:
    case 0x0116:
    case 0x0118:
    case 0x011A:
      return "E";
    case 0x00FD:
    case 0x00FF:
      return "y";
    case 0x00DD:
    case 0x0178:
      return "Y";
    case 0x00E7:
      return "\xC3\x87";  // ç -> Ç (GSM-7 has only the capital)
    case 0x0107:
    case 0x010D:
      return "c";
    case 0x0106:
    case 0x010C:
      return "C";
    case 0x0144:
    case 0x0148:
      return "n";
    case 0x0143:
    case 0x0147:
      return "N";
    case 0x0161:
    case 0x015B:
      return "s";
    case 0x0160:
    case 0x015A:
      return "S";
    case 0x017E:
    case 0x017A:
    case 0x017C:
      return "z";
    case 0x017D:
    case 0x0179:
    case 0x017B:
      return "Z";
    case 0x00BA:
    case 0x00B0:
      return "o";  // º, °
    case 0x00AA:
      return "a";  // ª
    case 0x201C:
    case 0x201D:
    case 0x201E:
    case 0x201F:
    case 0x00AB:
    case 0x00BB:
    case 0x2033:
      return "\"";
    case 0x2018:
    case 0x2019:
    case 0x201A:
    case 0x201B:
    case 0x2032:
    case 0x00B4:
    case '`':
      return "'";
    case 0x2010:
    case 0x2011:
    case 0x2012:
    case 0x2013:
    case 0x2014:
    case 0x2015:
    case 0x2212:
      return "-";
    case 0x2026:
      return "...";
    case 0x00A0:
    case 0x2002:
    case 0x2003:
    case 0x2007:
    case 0x2009:
    case 0x200A:
    case 0x202F:
      return " ";
    case '\t':
      return " ";
    case 0x2022:
    case 0x00B7:
      return "-";  // bullets
    case 0x200B:
    case 0x200C:
    case 0x200D:
    case 0xFEFF:
    case 0xFE0F:
      return "";  // invisible
    default:
      return "?";
  }
}

}  // namespace

std::string_view SmsEncodingName(SmsEncoding e) {
  return e == SmsEncoding::kGsm7 ? "GSM-7" : "UCS-2";
}

bool IsGsm7(char32_t cp) { return IsBasic(cp) || IsExtension(cp); }

int Gsm7Cost(char32_t cp) {
  if (IsBasic(cp)) return 1;
  if (IsExtension(cp)) return 2;
  return 0;
}

std::u32string DecodeUtf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    } else if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1Fu, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0Fu, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07u, min = 0x10000;
    } else {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    bool ok = i + static_cast<size_t>(len) <= s.size();
    for (int k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((b & 0xC0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (b & 0x3Fu);
      }
    }
    if (!ok || cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    out.push_back(cp);
    i += static_cast<size_t>(len);
  }
  return out;
}

void AppendUtf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsPureGsm7(std::string_view utf8) {
  for (char c : utf8) {
    // Fast path: plain ASCII that is in the basic table.
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80) {
      const std::u32string cps = DecodeUtf8(utf8);
      return std::all_of(cps.begin(), cps.end(), [](char32_t cp) { return IsGsm7(cp); });
    }
    if (!IsGsm7(b)) return false;
  }
  return true;
}

SmsSegmentation Segment(std::string_view utf8) {
  const std::u32string cps = DecodeUtf8(utf8);
  SmsSegmentation r;
  std::vector<int> costs;
  costs.reserve(cps.size());
  for (char32_t cp : cps) {
    if (!IsGsm7(cp)) {
      std::string ch;
      AppendUtf8(cp, ch);
      if (std::find(r.non_gsm_chars.begin(), r.non_gsm_chars.end(), ch) == r.non_gsm_chars.end()) {
        r.non_gsm_chars.push_back(std::move(ch));
      }
    }
  }
  if (r.non_gsm_chars.empty()) {
    r.encoding = SmsEncoding::kGsm7;
    for (char32_t cp : cps) costs.push_back(Gsm7Cost(cp));
  } else {
    r.encoding = SmsEncoding::kUcs2;
    for (char32_t cp : cps) costs.push_back(cp >= 0x10000 ? 2 : 1);
  }
  for (int c : costs) r.units += c;
  r.segment_sizes = r.encoding == SmsEncoding::kGsm7
                        ? Fill(costs, r.units, kGsm7Single, kGsm7Segment)
                        : Fill(costs, r.units, kUcs2Single, kUcs2Segment);
  r.segments = static_cast<int>(r.segment_sizes.size());
  return r;
}

std::string Gsm7Alternative(std::string_view utf8) {
  if (IsPureGsm7(utf8)) return std::string(utf8);
  std::string out;
  out.reserve(utf8.size());
  for (char32_t cp : DecodeUtf8(utf8)) {
    if (IsGsm7(cp)) {
      AppendUtf8(cp, out);
    } else {
      out.append(Transliterate(cp));
    }
  }
  return out;
}

SmsEstimate Estimate(std::string_view utf8) {
  SmsEstimate e;
  e.seg = Segment(utf8);
  e.alternative_text =
      e.seg.encoding == SmsEncoding::kGsm7 ? std::string(utf8) : Gsm7Alternative(utf8);
  e.alternative = e.seg.encoding == SmsEncoding::kGsm7 ? e.seg : Segment(e.alternative_text);
  return e;
}

namespace {

// Walks `tmpl`, calling on_text for literal text and on_name for each placeholder name.
template <typename OnText, typename OnName>
Status Walk(std::string_view tmpl, OnText on_text, OnName on_name) {
  size_t i = 0;
  while (i < tmpl.size()) {
    const char c = tmpl[i];
    if (c == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '{') {
      on_text(std::string_view("{"));
      i += 2;
    } else if (c == '}' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
      on_text(std::string_view("}"));
      i += 2;
    } else if (c == '{') {
      const size_t close = tmpl.find('}', i + 1);
      if (close == std::string_view::npos) {
        return Status::InvalidArgument("plantilla, columna " + std::to_string(i + 1) +
                                       ": falta '}' para cerrar el campo");
      }
      std::string_view name = tmpl.substr(i + 1, close - i - 1);
      while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
      while (!name.empty() && name.back() == ' ') name.remove_suffix(1);
      if (Status s = on_name(name, i + 1); !s.ok()) return s;
      i = close + 1;
    } else {
      const size_t next = tmpl.find_first_of("{}", i + 1);
      const size_t end = next == std::string_view::npos ? tmpl.size() : next;
      on_text(tmpl.substr(i, end - i));
      i = end;
    }
  }
  return Status::Ok();
}

}  // namespace

Result<std::string> RenderTemplate(std::string_view tmpl, const PlaceholderLookup& lookup) {
  std::string out;
  out.reserve(tmpl.size() + 32);
  Status s = Walk(
      tmpl, [&](std::string_view t) { out.append(t); },
      [&](std::string_view name, size_t col) {
        std::optional<std::string> v = lookup(name);
        if (!v) {
          return Status::InvalidArgument("plantilla, columna " + std::to_string(col) +
                                         ": campo desconocido {" + std::string(name) + "}");
        }
        out.append(*v);
        return Status::Ok();
      });
  if (!s.ok()) return s;
  return out;
}

Result<std::vector<std::string>> TemplatePlaceholders(std::string_view tmpl) {
  std::vector<std::string> names;
  Status s = Walk(
      tmpl, [](std::string_view) {},
      [&](std::string_view name, size_t) {
        if (std::find(names.begin(), names.end(), name) == names.end()) {
          names.emplace_back(name);
        }
        return Status::Ok();
      });
  if (!s.ok()) return s;
  return names;
}

}  // namespace sondeo::dialer
