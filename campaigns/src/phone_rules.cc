// Digit rules and the Colombian fast path (see phone_internal.h).
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "campaigns/src/phone_internal.h"

namespace sondeo::campaigns::phone_internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v'; }
// Zone digits B of the 60B geographic numbers.
bool IsZone(char c) { return c == '1' || c == '2' || (c >= '4' && c <= '8'); }

// "Old 1-digit indicativo + 7-digit local number": B + [2-9] + 6 digits.
bool IsOldZoneForm(std::string_view r) { return r.size() == 8 && IsZone(r[0]) && r[1] >= '2'; }

std::string_view TrimView(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  // Also trims UTF-8 NBSP (C2 A0) and Latin-1 NBSP (A0).
  auto is_blank = [](unsigned char c) { return IsSpace(static_cast<char>(c)) || c == 0xA0; };
  while (b < e && (is_blank(static_cast<unsigned char>(s[b])) ||
                   (static_cast<unsigned char>(s[b]) == 0xC2 && b + 1 < e &&
                    static_cast<unsigned char>(s[b + 1]) == 0xA0))) {
    ++b;
  }
  while (e > b && (is_blank(static_cast<unsigned char>(s[e - 1])) ||
                   static_cast<unsigned char>(s[e - 1]) == 0xC2)) {
    --e;
  }
  return s.substr(b, e - b);
}

// Length of a long-distance carrier code at the start of `r` (456, 444, 414, 5, 7, 9), or 0.
size_t CarrierLength(std::string_view r) {
  if (r.size() >= 3 &&
      (r.substr(0, 3) == "456" || r.substr(0, 3) == "444" || r.substr(0, 3) == "414")) {
    return 3;
  }
  if (!r.empty() && (r[0] == '5' || r[0] == '7' || r[0] == '9')) return 1;
  return 0;
}

Cleaned Reject(PhoneReject reason) {
  Cleaned c;
  c.kind = CleanKind::kReject;
  c.reject = reason;
  return c;
}

Cleaned Make(CleanKind kind, std::string_view a, std::string_view b = {}) {
  Cleaned c;
  if (a.size() + b.size() >= sizeof(c.digits)) return Reject(PhoneReject::kInvalid);
  c.kind = kind;
  for (char ch : a) c.digits[c.size++] = ch;
  for (char ch : b) c.digits[c.size++] = ch;
  return c;
}

// The part of a number after the country code 57.
Cleaned AfterCountryCode(std::string_view r) {
  if (r.size() == 10) return Make(CleanKind::kNational, r);
  if (IsOldZoneForm(r)) return Make(CleanKind::kNational, "60", r);
  if (r.size() == 11 && r[0] == '1') return Make(CleanKind::kTollFree, r);
  if (r.size() == 7 && r[0] >= '2') return Make(CleanKind::kLocal7, r);
  return Reject(PhoneReject::kInvalid);
}

Cleaned Foreign(std::string_view r) {
  if (r.size() < 4 || r.size() > 15 || r[0] == '0') return Reject(PhoneReject::kInvalid);
  return Make(CleanKind::kForeign, r);
}

// Rules for a number written without '+'.
Cleaned FromNationalDigits(std::string_view d) {
  const size_t n = d.size();
  if (d.starts_with("00")) {
    std::string_view r = d.substr(2);
    if (r.starts_with("57")) return AfterCountryCode(r.substr(2));
    size_t k = CarrierLength(r);
    if (k > 0 && r.substr(k).starts_with("57")) return AfterCountryCode(r.substr(k + 2));
    return Foreign(r.substr(k));
  }
  if (d.starts_with("057")) {
    std::string_view r = d.substr(3);
    if (r.size() == 10 || IsOldZoneForm(r)) return AfterCountryCode(r);
  }
  if (d.starts_with("03")) {
    std::string_view r = d.substr(2);
    if (r.size() == 10 && r[0] == '3') return Make(CleanKind::kNational, r);
    if (IsOldZoneForm(r)) return Make(CleanKind::kNational, "60", r);
    // "0313001234567": the 031 habit glued to a mobile (domain §1.3 heuristic).
    if (r.size() == 11 && r[1] == '3') {
      FastClass fc = ClassifyNsn10(r.substr(1));
      if (fc == FastClass::kMobile || fc == FastClass::kMobileUnknown) {
        return Make(CleanKind::kNational, r.substr(1));
      }
    }
  }
  if (d[0] == '0') {
    // National prefix 0, optionally followed by a long-distance carrier code.
    const size_t carrier = CarrierLength(d.substr(1));
    for (size_t k : {carrier, size_t{0}}) {
      std::string_view r = d.substr(1 + k);
      if (r.size() == 10 && r[0] != '0') return Make(CleanKind::kNational, r);
      if (IsOldZoneForm(r)) return Make(CleanKind::kNational, "60", r);
      if (r.size() == 11 && r[0] == '1') return Make(CleanKind::kTollFree, r);
      if (k == 0) break;
    }
    return Reject(PhoneReject::kInvalid);
  }
  if (d.starts_with("57")) {
    std::string_view r = d.substr(2);
    if (r.size() == 10 || IsOldZoneForm(r) || (r.size() == 11 && r[0] == '1')) {
      return AfterCountryCode(r);
    }
  }
  if (n == 10) return Make(CleanKind::kNational, d);
  if (IsOldZoneForm(d)) return Make(CleanKind::kNational, "60", d);
  if (n == 7) {
    if (IsPlaceholder(d)) return Reject(PhoneReject::kPlaceholder);
    if (d[0] >= '2') return Make(CleanKind::kLocal7, d);
    return Reject(PhoneReject::kInvalid);
  }
  if (n == 11 && d[0] == '1') return Make(CleanKind::kTollFree, d);
  if (n <= 6) return Make(CleanKind::kShort, d);
  return Reject(PhoneReject::kInvalid);
}

// "3.00123E+09": returns true when `s` is in scientific notation; sets `digits` to the exact
// integer when every digit survived (mantissa digits == exponent + 1), else leaves it empty.
bool ParseScientific(std::string_view s, std::string& digits) {
  size_t i = 0;
  std::string mantissa;
  while (i < s.size() && IsDigit(s[i])) mantissa += s[i++];
  if (mantissa.empty()) return false;
  if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
    ++i;
    while (i < s.size() && IsDigit(s[i])) mantissa += s[i++];
  }
  if (i >= s.size() || (s[i] != 'e' && s[i] != 'E')) return false;
  ++i;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  if (i >= s.size()) return false;
  size_t exponent = 0;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i]) || exponent > 100) return false;
    exponent = exponent * 10 + static_cast<size_t>(s[i] - '0');
  }
  digits.clear();
  if (!negative && mantissa.size() == exponent + 1) digits = mantissa;
  return true;
}

}  // namespace

FastClass ClassifyNsn10(std::string_view n) {
  if (n.size() != 10) return FastClass::kInvalid;
  const char a = n[1];
  const char b = n[2];
  if (n[0] == '3') {
    switch (a) {
      case '0':
        return b <= '5' ? FastClass::kMobile : FastClass::kInvalid;  // 300-305
      case '1':
        return FastClass::kMobile;  // 310-319
      case '2':
        if (b <= '3') return FastClass::kMobile;                 // 320-323
        if (b == '4' && n[3] >= '1') return FastClass::kMobile;  // 3241-3249
        return FastClass::kInvalid;
      case '3':
        if (b == '0') return n[3] == '0' ? FastClass::kMobile : FastClass::kInvalid;  // 3300
        if (b != '3') return FastClass::kInvalid;
        if (n[3] != '3') return FastClass::kMobile;  // 333[0-24-9]
        // 3333(?:0(?:0\d|1[0-5])|[4-9]\d\d)\d{3}
        if (n[4] >= '4') return FastClass::kMobile;
        if (n[4] == '0' && (n[5] == '0' || (n[5] == '1' && n[6] <= '5'))) {
          return FastClass::kMobile;
        }
        return FastClass::kInvalid;
      case '5':
        return b <= '1' ? FastClass::kMobile : FastClass::kInvalid;  // 350-351
      case '7':
        return b == '0' ? FastClass::kMobile : FastClass::kInvalid;  // 370
      default:
        return FastClass::kInvalid;
    }
  }
  if (n[0] == '6' && a == '0') {
    if (IsZone(b) && n[3] >= '2') return FastClass::kFixed;  // 60[124-8][2-9]\d{6}
    if (b == '1' && n[3] == '0') {
      // 6010(?:[0-4]\d|5[0-4])\d{4} | 601055(?:[0-4]\d|50)\d\d
      if (n[4] <= '4') return FastClass::kFixed;
      if (n[4] == '5') {
        if (n[5] <= '4') return FastClass::kFixed;
        if (n[5] == '5' && (n[6] <= '4' || (n[6] == '5' && n[7] == '0'))) {
          return FastClass::kFixed;
        }
      }
      return FastClass::kInvalid;
    }
    if ((b == '1' || b == '8') && n[3] == '1') return FastClass::kFixedUnknown;  // v9.0.6
    return FastClass::kInvalid;
  }
  if (n.starts_with("9101")) return FastClass::kMobile;
  if (n.starts_with("9408")) return FastClass::kMobileUnknown;  // v9.0.6 (Hablame)
  return FastClass::kInvalid;
}

bool NanpNumber(std::string_view digits, uint64_t& national) {
  if (digits.size() != 11 || digits[0] != '1' || digits[1] < '2' || digits[1] > '9') {
    return false;
  }
  uint64_t n = 0;
  for (char c : digits.substr(1)) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  national = n;
  return true;
}

bool IsShortCode(std::string_view d) {
  auto in = [](char c, char lo, char hi) { return c >= lo && c <= hi; };
  switch (d.size()) {
    case 3: {
      if (d[0] != '1') return false;
      const char a = d[1];
      const char b = d[2];
      return (a == '0' && b == '6') || (a == '1' && in(b, '2', '9')) ||
             (a == '2' && (b == '3' || in(b, '5', '7'))) || (a == '3' && (b == '2' || b == '7')) ||
             (a == '4' && (b == '4' || b == '6' || b == '7')) ||
             (a == '5' && (b == '3' || b == '6')) || (a == '6' && in(b, '4', '7')) ||
             (a == '9' && b == '5');
    }
    case 5:
      if (d == "40404" || d == "85432") return true;
      if ((d[0] == '2' || d[0] == '3' || d[0] == '5' || d[0] == '9') &&
          (d[1] == '5' || d[1] == '7')) {
        return true;
      }
      return d[0] == '8' && d[1] == '7';
    case 6:
      return d == "290029" || d == "390039" || d.starts_with("5930") ||
             (d[0] == '8' && d[1] == '9');
    default:
      return false;
  }
}

PhoneReject ClassifyNsn11(std::string_view n) {
  if (n.size() != 11) return PhoneReject::kInvalid;
  if (n.starts_with("1800")) return PhoneReject::kNotCallable;
  if (n.starts_with("1900") || n.starts_with("1901") || n.starts_with("1947") ||
      n.starts_with("1948")) {
    return PhoneReject::kNotCallable;
  }
  return PhoneReject::kInvalid;
}

bool IsPlaceholder(std::string_view nsn) {
  if (nsn.size() < 7) return false;
  std::string_view sub = nsn.substr(nsn.size() - 7);
  if (sub == "1234567") return true;
  for (char c : sub) {
    if (c != sub[0]) return false;
  }
  return true;
}

void SplitCell(std::string_view cell, std::vector<std::string_view>& out) {
  out.clear();
  const size_t n = cell.size();
  // Length of the digit run ending just before `end` / starting at `begin`.
  auto run_before = [&](size_t end) {
    size_t k = 0;
    while (end > k && IsDigit(cell[end - k - 1])) ++k;
    return k;
  };
  auto run_after = [&](size_t begin) {
    size_t k = 0;
    while (begin + k < n && IsDigit(cell[begin + k])) ++k;
    return k;
  };
  size_t start = 0;
  auto emit = [&](size_t end) {
    std::string_view piece = TrimView(cell.substr(start, end - start));
    if (!piece.empty()) out.push_back(piece);
  };
  auto is_hard = [](char c) {
    return c == '/' || c == ';' || c == ',' || c == '|' || c == '\n' || c == '\r';
  };
  // Soft separators (" - ", " o ", " y ") split only between two full numbers: at least 7
  // digits since the last split and before the next hard separator ("300 - 123 - 4567" is one).
  auto full_numbers_around = [&](size_t sep_begin, size_t sep_end) {
    size_t before = 0;
    for (size_t k = start; k < sep_begin; ++k) before += IsDigit(cell[k]) ? size_t{1} : size_t{0};
    size_t after = 0;
    for (size_t k = sep_end; k < n && !is_hard(cell[k]) && after < 7; ++k) {
      after += IsDigit(cell[k]) ? size_t{1} : size_t{0};
    }
    return before >= 7 && after >= 7;
  };
  size_t i = 0;
  while (i < n) {
    const char c = cell[i];
    if (IsDigit(c)) {  // most of a cell: never a separator
      ++i;
      continue;
    }
    size_t skip = 0;  // separator length, 0 = not a separator
    if (is_hard(c)) {
      skip = 1;
    } else if (c == '-') {
      if (i > 0 && i + 1 < n && IsSpace(cell[i - 1]) && IsSpace(cell[i + 1])) {
        if (full_numbers_around(i, i + 1)) skip = 1;  // " - "
      } else if (run_before(i) >= 7 && run_after(i + 1) >= 7) {
        skip = 1;  // "3001234567-3109876543"
      }
    } else if (IsSpace(c)) {
      if (i + 2 < n && IsSpace(cell[i + 2]) &&
          (cell[i + 1] == 'o' || cell[i + 1] == 'O' || cell[i + 1] == 'y' || cell[i + 1] == 'Y')) {
        if (full_numbers_around(i, i + 3)) skip = 3;  // " o ", " y "
      } else {
        size_t before = run_before(i);
        size_t j = i;
        while (j < n && IsSpace(cell[j])) ++j;
        size_t after = run_after(j);
        if (before >= 7 && after >= 7 && before + after >= 17) skip = j - i;
      }
    }
    if (skip > 0) {
      emit(i);
      i += skip;
      start = i;
    } else {
      ++i;
    }
  }
  emit(n);
}

Cleaned CleanPiece(std::string_view piece) {
  // Digits alone (most pieces): no label, notation, punctuation or prefix to take off.
  if (piece.size() >= 3 && piece.size() <= 32 && std::all_of(piece.begin(), piece.end(), IsDigit)) {
    return FromNationalDigits(piece);
  }
  // Labels ("Cel:", "Tel", "tel:"): everything before the first digit or '+'.
  size_t i = 0;
  while (i < piece.size() && !IsDigit(piece[i]) && piece[i] != '+') ++i;
  std::string_view body = TrimView(piece.substr(i));
  if (body.empty()) return Cleaned{};

  std::string exact;
  if (ParseScientific(body, exact)) {
    if (exact.empty()) return Reject(PhoneReject::kDigitsLost);
    return FromNationalDigits(exact);
  }

  // A numeric spreadsheet cell: "3001234567.0" (optionally "+57...", ".00").
  if (size_t dot = body.rfind('.'); dot != std::string_view::npos && dot + 1 < body.size()) {
    bool zeros = body.find_first_not_of('0', dot + 1) == std::string_view::npos;
    std::string_view head = body.substr(0, dot);
    if (!head.empty() && head[0] == '+') head.remove_prefix(1);
    bool digits = head.size() >= 7 && head.find_first_not_of("0123456789") == std::string::npos;
    if (zeros && digits) body = body.substr(0, dot);
  }

  char buf[32];
  size_t nd = 0;
  bool plus = false;
  for (char ch : body) {
    if (IsDigit(ch)) {
      if (nd == sizeof(buf)) return Reject(PhoneReject::kInvalid);
      buf[nd++] = ch;
      continue;
    }
    const auto u = static_cast<unsigned char>(ch);
    if (IsSpace(ch) || ch == '.' || ch == '-' || ch == '(' || ch == ')' || ch == '_' || u == 0xA0 ||
        u == 0xC2) {
      continue;
    }
    if (ch == '+' && nd == 0 && !plus) {
      plus = true;
      continue;
    }
    // An extension ("Ext. 12", "x12", "#12") or a comment after a full number ends it;
    // anything else inside the digits makes the piece unreadable.
    if (nd >= 7) break;
    return Reject(PhoneReject::kInvalid);
  }
  if (nd < 3) return Cleaned{};
  std::string_view d(buf, nd);
  if (plus) {
    if (d.starts_with("57")) return AfterCountryCode(d.substr(2));
    return Foreign(d);
  }
  return FromNationalDigits(d);
}

}  // namespace sondeo::campaigns::phone_internal
