// Small text helpers shared by the modules that write HTML, SVG or XML.
#pragma once

#include <string>
#include <string_view>

namespace sondeo {

// Escapes & < > " ' for HTML and XML text or attribute values, and drops the C0 control
// characters that XML 1.0 forbids (all but tab and newline). UTF-8 passes through.
std::string EscapeMarkup(std::string_view text);

// Appends `text` as the inside of a JSON string, as nlohmann::json::dump() writes it: the
// quote and the backslash escaped, the usual short escapes for b f n r t, other control
// characters as u00XX escapes; UTF-8 passes through.
void AppendJsonEscaped(std::string& out, std::string_view text);

}  // namespace sondeo
