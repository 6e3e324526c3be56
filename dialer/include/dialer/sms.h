#pragma once
// SMS encoding, segmentation, cost estimate and templates (pure; no I/O).
// Follows docs (shared domain.md §4, 3GPP TS 23.038 / 23.040):
//  - GSM-7: basic table characters cost 1 septet, extension table characters (FF ^ { } \ [ ~ ] |
//    €) cost 2 (ESC + code); 160 septets in one SMS, 153 per segment when concatenated;
//    an escape pair is never split across segments.
//  - UCS-2 (in practice UTF-16): one unit per BMP code point, two per supplementary code point
//    (emoji); 70 units in one SMS, 67 per segment; a surrogate pair is never split.
//  - One character outside GSM-7 turns the whole message into UCS-2.
// Invalid UTF-8 bytes count as U+FFFD (one non-GSM character each).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sondeo::dialer {

enum class SmsEncoding { kGsm7, kUcs2 };
// "GSM-7" or "UCS-2".
std::string_view SmsEncodingName(SmsEncoding e);

inline constexpr int kGsm7Single = 160;
inline constexpr int kGsm7Segment = 153;
inline constexpr int kUcs2Single = 70;
inline constexpr int kUcs2Segment = 67;

struct SmsSegmentation {
  SmsEncoding encoding = SmsEncoding::kGsm7;
  int units = 0;  // septets (GSM-7) or UTF-16 code units (UCS-2)
  int segments = 0;
  std::vector<int> segment_sizes;          // units per segment; empty text -> {0}, 1 segment
  std::vector<std::string> non_gsm_chars;  // distinct, in order of first appearance (UTF-8)
};

// True when the code point is in the GSM 03.38 basic table or its extension table.
bool IsGsm7(char32_t cp);
// Septets the code point costs in GSM-7: 1 (basic), 2 (extension), 0 (not representable).
int Gsm7Cost(char32_t cp);
// True when every character of `text` is representable in GSM-7.
bool IsPureGsm7(std::string_view utf8);

// Encoding, units and exact segment sizes of `utf8`.
SmsSegmentation Segment(std::string_view utf8);

// The same text with only the characters outside GSM-7 replaced (á->a, Í->I, “->", –->-,
// …->..., NBSP->space, º->o, ...). Characters with no sensible GSM-7 form (emoji, CJK) become
// '?', which is what a GSM-7 gateway would send anyway. Pure GSM-7 text comes back unchanged.
std::string Gsm7Alternative(std::string_view utf8);

struct SmsEstimate {
  SmsSegmentation seg;
  std::string alternative_text;  // Gsm7Alternative(text)
  SmsSegmentation alternative;   // Segment(alternative_text)
};
SmsEstimate Estimate(std::string_view utf8);

// Decodes UTF-8 into code points (invalid sequences -> U+FFFD, one per bad byte).
std::u32string DecodeUtf8(std::string_view utf8);
void AppendUtf8(char32_t cp, std::string& out);

// Templates: "{name}" is replaced by lookup(name). "{{" and "}}" are literal braces.
// Errors (kInvalidArgument, naming the placeholder and its 1-based column): an unknown
// placeholder (lookup returns nullopt), an unclosed '{'.
using PlaceholderLookup = std::function<std::optional<std::string>(std::string_view name)>;
Result<std::string> RenderTemplate(std::string_view tmpl, const PlaceholderLookup& lookup);
// The distinct placeholder names used in `tmpl` (no validation beyond syntax).
Result<std::vector<std::string>> TemplatePlaceholders(std::string_view tmpl);

}  // namespace sondeo::dialer
