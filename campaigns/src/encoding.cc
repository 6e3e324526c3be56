#include "campaigns/src/encoding.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <thread>

namespace sondeo::campaigns::encoding {

namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Windows-1252 bytes 0x80..0x9F (0 = undefined).
constexpr std::array<uint16_t, 32> kHigh = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

}  // namespace

bool ParseEncoding(std::string_view name, Encoding& out) {
  const std::string n = Lower(name);
  if (n == "auto") {
    out = Encoding::kAuto;
  } else if (n == "utf-8" || n == "utf8") {
    out = Encoding::kUtf8;
  } else if (n == "windows-1252" || n == "cp1252" || n == "latin1" || n == "iso-8859-1") {
    out = Encoding::kWindows1252;
  } else {
    return false;
  }
  return true;
}

bool HasUtf8Bom(std::string_view text) {
  return text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
         static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF;
}

size_t FirstInvalidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    // Eight ASCII bytes at a time (most of a contact base is ASCII), then straight to the
    // first byte that is not.
    uint64_t word = 0;
    while (i + sizeof word <= n) {
      std::memcpy(&word, p + i, sizeof word);
      const uint64_t high = word & 0x8080808080808080u;
      if (high != 0) {
        if constexpr (std::endian::native == std::endian::little) {
          i += static_cast<size_t>(std::countr_zero(high)) / 8;
        }
        break;
      }
      i += sizeof word;
    }
    if (i >= n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Two bytes (Spanish letters): C2..DF and a continuation byte are always valid.
    if (c >= 0xC2 && c <= 0xDF && i + 1 < n && (p[i + 1] & 0xC0) == 0x80) {
      i += 2;
      continue;
    }
    size_t len = 0;
    uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07u;
    } else {
      return i;
    }
    if (i + len > n) return i;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return i;
    }
    i += len;
  }
  return std::string_view::npos;
}

size_t FirstInvalidUtf8Split(std::string_view text, size_t min_bytes) {
  auto continuation = [&](size_t i) {
    return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  if (text.size() < std::max<size_t>(min_bytes, 8)) return FirstInvalidUtf8(text);
  size_t mid = text.size() / 2;
  for (int k = 0; k < 4 && continuation(mid); ++k) ++mid;
  if (continuation(mid)) return FirstInvalidUtf8(text);  // ill-formed there anyway
  size_t second = std::string_view::npos;
  std::thread other([&] { second = FirstInvalidUtf8(text.substr(mid)); });
  const size_t first = FirstInvalidUtf8(text.substr(0, mid));
  other.join();
  if (first != std::string_view::npos) return first;
  return second == std::string_view::npos ? second : mid + second;
}

std::string Windows1252ToUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out.push_back(ch);
    } else if (c < 0xA0) {
      const uint16_t cp = kHigh[c - 0x80];
      AppendUtf8(out, cp == 0 ? 0xFFFDu : cp);
    } else {
      AppendUtf8(out, c);
    }
  }
  return out;
}

std::string FoldForMatch(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      const auto d = static_cast<unsigned char>(s[i + 1]);
      char r = 0;
      switch (d) {
        case 0x81:
        case 0xA1:
        case 0x80:
        case 0xA0:
        case 0x84:
        case 0xA4:
          r = 'a';
          break;
        case 0x89:
        case 0xA9:
        case 0x88:
        case 0xA8:
        case 0x8B:
        case 0xAB:
          r = 'e';
          break;
        case 0x8D:
        case 0xAD:
        case 0x8C:
        case 0xAC:
        case 0x8F:
        case 0xAF:
          r = 'i';
          break;
        case 0x93:
        case 0xB3:
        case 0x92:
        case 0xB2:
        case 0x96:
        case 0xB6:
          r = 'o';
          break;
        case 0x9A:
        case 0xBA:
        case 0x99:
        case 0xB9:
        case 0x9C:
        case 0xBC:
          r = 'u';
          break;
        case 0x91:
        case 0xB1:
          r = 'n';
          break;
        default:
          break;
      }
      if (r != 0) {
        out.push_back(r);
        ++i;
        continue;
      }
    }
    out.push_back(AsciiLower(static_cast<char>(c)));
  }
  return out;
}

}  // namespace sondeo::campaigns::encoding
