#pragma once
// Private helpers shared by the surveys sources.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "surveys/survey.h"

namespace sondeo::surveys::internal {

// A script text and where it was written (for placeholder diagnostics).
struct TextRef {
  std::string text;
  Mark mark;
};

// The result of reading the YAML into the model. `survey` is filled as far as possible even
// when there are errors, so that the semantic checks can report more problems at once.
struct Parsed {
  Survey survey;
  std::vector<TextRef> texts;
  std::vector<Diagnostic> errors;
  bool structure_ok = false;  // YAML read and the top level is a map with questions
};

Parsed Parse(std::string_view text, std::string_view file);

// Conditions, reachability, placeholders. Appends to out.errors and fills the summary.
void CheckSemantics(const Parsed& parsed, const CheckOptions& options, std::string_view file,
                    CheckResult& out);

// A finite decimal number ("3", "-2.5"); nullopt otherwise.
std::optional<double> ParseNumber(std::string_view text);
// "YYYY-MM-DD" as days since 1970-01-01, nullopt when not that format or not a real day.
std::optional<int64_t> ParseDate(std::string_view text);
std::string FormatDate(int64_t days);
// Shortest text for a number ("3", "2.5").
std::string FormatNumber(double value);

// The {names} in `text`; sets *malformed when a brace is not closed or a name is invalid.
std::vector<std::string> ExtractPlaceholders(std::string_view text, bool* malformed);

bool IsValidId(std::string_view id);

}  // namespace sondeo::surveys::internal
