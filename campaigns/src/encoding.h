#pragma once
// Text encodings of contact bases: UTF-8 validation, BOM, Windows-1252 -> UTF-8.
// Pure functions (no I/O; FirstInvalidUtf8Split uses a second thread).
#include <cstddef>
#include <string>
#include <string_view>

namespace sondeo::campaigns::encoding {

enum class Encoding { kAuto, kUtf8, kWindows1252 };

// Parses "auto", "utf-8"/"utf8", "windows-1252"/"cp1252"/"latin1" (case-insensitive).
// Returns false for anything else.
bool ParseEncoding(std::string_view name, Encoding& out);

// True when `text` starts with the UTF-8 byte order mark EF BB BF.
bool HasUtf8Bom(std::string_view text);

// The offset of the first byte that is not part of a well-formed UTF-8 sequence
// (overlongs, surrogates and code points above U+10FFFF are ill-formed), or npos.
size_t FirstInvalidUtf8(std::string_view text);

// The same answer, the two halves of a text of at least `min_bytes` checked on two threads
// (the second from a byte that starts a character, so each half is well-formed exactly where
// the whole is).
size_t FirstInvalidUtf8Split(std::string_view text, size_t min_bytes = size_t{4} << 20);

// Converts Windows-1252 bytes to UTF-8. The five bytes 1252 leaves undefined
// (81 8D 8F 90 9D) become U+FFFD.
std::string Windows1252ToUtf8(std::string_view text);

// Lower-cases ASCII and Spanish letters and strips accents (á->a, ñ->n, ü->u, ...) of a
// UTF-8 string; other non-ASCII code points are kept as they are.
std::string FoldForMatch(std::string_view utf8);

}  // namespace sondeo::campaigns::encoding
