#pragma once
// Small OpenSSL helpers for sessions and passwords.
#include <cstddef>
#include <string>
#include <string_view>

namespace sondeo::server {

// `bytes` random bytes from OpenSSL's CSPRNG, as lower-case hex (2*bytes characters).
std::string RandomHex(size_t bytes);
// SHA-256 of `data`, lower-case hex.
std::string Sha256Hex(std::string_view data);
// Constant-time equality (different lengths are unequal).
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace sondeo::server
