#pragma once
// Pure pieces of the phone normaliser, exposed for table-driven tests and the fuzzer.
// No libphonenumber here: these are the digit rules of domain.md §1.3 and the Colombian
// fast path derived from libphonenumber 8.12.57's CO metadata.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "campaigns/phone.h"

namespace sondeo::campaigns::phone_internal {

// Fast-path class of a 10-digit Colombian national significant number (NSN).
enum class FastClass : uint8_t {
  kInvalid,        // not a valid CO mobile/fixed number for 8.12.57
  kMobile,         // 8.12.57 mobile pattern
  kFixed,          // 8.12.57 fixed-line pattern
  kMobileUnknown,  // 9408xxxxxx: mobile block unknown to 8.12.57 (v9.0.6)
  kFixedUnknown,   // 6011xxxxxx, 6081xxxxxx: fixed blocks unknown to 8.12.57
};

// Hand-encoded from PhoneMetadata.xml (territory CO, v8.12.57):
//   mobile: 3333(?:0(?:0\d|1[0-5])|[4-9]\d\d)\d{3}
//         | (?:3(?:24[1-9]|3(?:00|3[0-24-9]))|9101)\d{6}
//         | 3(?:0[0-5]|1\d|2[0-3]|5[01]|70)\d{7}
//   fixed:  601055(?:[0-4]\d|50)\d\d | 6010(?:[0-4]\d|5[0-4])\d{4} | 60[124-8][2-9]\d{6}
// `nsn` must be exactly 10 ASCII digits.
FastClass ClassifyNsn10(std::string_view nsn);

// An 11-digit national number starting with 1, from the same metadata:
//   toll-free 1800\d{7}, premium 19(?:0[01]|4[78])\d{7} -> kNotCallable; else kInvalid.
PhoneReject ClassifyNsn11(std::string_view nsn);

// A 3-6 digit string that libphonenumber's CO short-number metadata (ShortNumberInfo::
// IsValidShortNumberForRegion) calls a valid short code: never callable.
//   1(?:06|1[2-9]|2[35-7]|3[27]|4[467]|5[36]|6[4-7]|95)|(?:29002|39003)9|40404|5930\d\d|85432
//   |(?:[2359][57]|8(?:7|9\d))\d{3}
bool IsShortCode(std::string_view digits);

// The digits of a foreign piece (country code first) that are "1" and a 10-digit North
// American number whose area code starts with 2-9: its national number. libphonenumber's
// Parse of "+" + these digits takes country code 1 (the first valid one of 1-3 digits) and
// strips no national prefix (the US's is "1"): the same number. Anything else: false, and
// Parse decides.
bool NanpNumber(std::string_view digits, uint64_t& national);

// A national number whose 7 subscriber digits are all the same, or that ends in 1234567.
// `nsn` is 7 or 10 digits.
bool IsPlaceholder(std::string_view nsn);

// Splits a raw cell into the pieces that may each hold one number: on / ; , | newline;
// on " - ", " o ", " y " between two full numbers (>= 7 digits on each side); on a '-'
// between two >=7-digit runs; and on whitespace between two >=7-digit runs that together
// hold >= 17 digits. Pieces are trimmed; empty ones dropped.
void SplitCell(std::string_view cell, std::vector<std::string_view>& out);

// What the digit rules make of one piece.
enum class CleanKind : uint8_t {
  kNone,      // no number here (blank, label only, fewer than 3 digits): ignored
  kNational,  // digits = a 10-digit CO NSN candidate
  kLocal7,    // digits = a bare 7-digit local number: needs the row's zone
  kTollFree,  // digits = an 11-digit national number starting with 1 (1800/19xx): ask
              // libphonenumber
  kShort,     // digits = 3-6 digits: a short code; ask libphonenumber's ShortNumberInfo
  kForeign,   // digits = country code + number (after + or 00), not 57: ask libphonenumber
  kReject,    // rejected by the digit rules with `reject`
};

struct Cleaned {
  CleanKind kind = CleanKind::kNone;
  PhoneReject reject = PhoneReject::kInvalid;
  uint8_t size = 0;
  char digits[24] = {};
  std::string_view view() const { return {digits, size}; }
};

// Applies the pre-cleaning rules of domain.md §1.3 to one trimmed piece: labels, extensions,
// trailing ".0", scientific notation, "+57"/"57"/"057"/"0057"/"00"+carrier+"57", "03",
// "0"+carrier, old 1-digit zone + 7 digits.
Cleaned CleanPiece(std::string_view piece);

// Folds a place name to lowercase ASCII letters only ("Bogotá, D.C." -> "bogotadc").
// Accepts UTF-8 and single-byte Latin-1/Windows-1252 accents.
std::string FoldPlaceName(std::string_view name);

}  // namespace sondeo::campaigns::phone_internal
