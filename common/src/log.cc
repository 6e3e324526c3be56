#include "common/log.h"

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace sondeo {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsJoiner(char c) { return c == ' ' || c == '-' || c == '.' || c == '(' || c == ')'; }

// An ISO date (YYYY-MM-DD) at `i`, not followed by another digit: kept as it is.
size_t IsoDateLength(std::string_view t, size_t i) {
  static constexpr std::string_view kShape = "dddd-dd-dd";
  if (i + kShape.size() > t.size()) return 0;
  for (size_t k = 0; k < kShape.size(); ++k) {
    const char c = t[i + k];
    if (kShape[k] == 'd' ? !IsDigit(c) : c != '-') return 0;
  }
  if (i + kShape.size() < t.size() && IsDigit(t[i + kShape.size()])) return 0;
  return kShape.size();
}

// An IPv4 address such as 127.0.0.1 is not personal data. A cédula written with dots
// (1.020.345.678) has the same shape, but its later groups always have 3 digits.
bool LooksLikeIpv4(std::string_view t) {
  int groups = 1;
  size_t len = 0;
  bool all_three = true;
  for (char c : t) {
    if (c == '.') {
      if (len == 0 || len > 3) return false;
      if (groups > 1 && len != 3) all_three = false;
      ++groups;
      len = 0;
    } else if (IsDigit(c)) {
      ++len;
    } else {
      return false;
    }
  }
  if (len == 0 || len > 3) return false;
  if (len != 3) all_three = false;
  return groups == 4 && !all_three;
}

}  // namespace

std::string Redact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    // A candidate number starts at a digit, or at '+' followed by a digit.
    const bool plus =
        (text[i] == '+' || text[i] == '(') && i + 1 < text.size() && IsDigit(text[i + 1]);
    if (!IsDigit(text[i]) && !plus) {
      out += text[i++];
      continue;
    }
    if (const size_t date = IsoDateLength(text, i); date > 0 && (i == 0 || !IsDigit(text[i - 1]))) {
      out.append(text.substr(i, date));
      i += date;
      continue;
    }
    // Extend over digits joined by single separators.
    size_t j = plus ? i + 1 : i;
    size_t last_digit_end = j;
    int digits = 0;
    while (j < text.size()) {
      if (IsDigit(text[j])) {
        ++digits;
        ++j;
        last_digit_end = j;
      } else if (IsJoiner(text[j])) {
        // Up to two separators in a row ("(601) 234") may join two digit groups.
        size_t k = j + 1;
        if (k < text.size() && IsJoiner(text[k])) ++k;
        if (k >= text.size() || !IsDigit(text[k])) break;
        j = k;
      } else {
        break;
      }
    }
    if (digits >= 6 && !LooksLikeIpv4(text.substr(i, last_digit_end - i))) {
      out += "[redactado]";
    } else {
      out.append(text.substr(i, last_digit_end - i));
    }
    i = last_digit_end;
  }
  return out;
}

namespace log {
namespace {

Level LevelFromEnv() {
  const char* v = std::getenv("SONDEO_LOG");
  if (v == nullptr) return Level::kInfo;
  const std::string_view s(v);
  if (s == "debug") return Level::kDebug;
  if (s == "warn") return Level::kWarn;
  if (s == "error") return Level::kError;
  if (s == "off") return Level::kOff;
  return Level::kInfo;
}

std::atomic<Level>& CurrentLevel() {
  static std::atomic<Level> level{LevelFromEnv()};
  return level;
}

spdlog::logger& Logger() {
  static std::shared_ptr<spdlog::logger> logger = [] {
    auto l = spdlog::stderr_color_mt("sondeo");
    l->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    l->set_level(spdlog::level::debug);
    return l;
  }();
  return *logger;
}

}  // namespace

void SetLevel(Level level) { CurrentLevel() = level; }
Level GetLevel() { return CurrentLevel(); }

void Write(Level level, std::string_view message) {
  if (level < GetLevel() || level == Level::kOff) return;
  const std::string clean = Redact(message);
  switch (level) {
    case Level::kDebug:
      Logger().debug("{}", clean);
      break;
    case Level::kInfo:
      Logger().info("{}", clean);
      break;
    case Level::kWarn:
      Logger().warn("{}", clean);
      break;
    case Level::kError:
    case Level::kOff:
      Logger().error("{}", clean);
      break;
  }
}

}  // namespace log
}  // namespace sondeo
