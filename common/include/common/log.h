#pragma once
// Logging: spdlog underneath, every message passes through Redact() so that phone and
// document numbers never reach a log (Ley 1581 de 2012). Use SONDEO_LOG_* or log::Info(...).
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace sondeo {

// Replaces every run of 6 or more digits (also when written with spaces, dots, dashes,
// parentheses or a leading +, as phones and cédulas are) by "[redactado]".
// Runs of up to 5 digits (years, ports, counts) are kept.
std::string Redact(std::string_view text);

namespace log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

// Sets the level of the process-wide logger (stderr). Default kInfo; $SONDEO_LOG overrides
// (debug|info|warn|error|off).
void SetLevel(Level level);
Level GetLevel();
// Writes an already formatted message; the message is redacted first.
void Write(Level level, std::string_view message);

template <typename... Args>
void Debug(fmt::format_string<Args...> f, Args&&... args) {
  if (GetLevel() <= Level::kDebug)
    Write(Level::kDebug, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Info(fmt::format_string<Args...> f, Args&&... args) {
  if (GetLevel() <= Level::kInfo) Write(Level::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Warn(fmt::format_string<Args...> f, Args&&... args) {
  if (GetLevel() <= Level::kWarn) Write(Level::kWarn, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void Error(fmt::format_string<Args...> f, Args&&... args) {
  if (GetLevel() <= Level::kError)
    Write(Level::kError, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace log
}  // namespace sondeo
