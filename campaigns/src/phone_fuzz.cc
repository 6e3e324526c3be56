// libFuzzer target for the phone normaliser: never crashes, and its outputs keep their
// invariants (E.164 +57 and 10 national digits, mobile/fixed only, no repeats, placeholders
// never accepted, same answer from the cache, and the same answer when the foreign verdicts
// are deferred and asked for afterwards).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "campaigns/phone.h"
#include "campaigns/src/phone_internal.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

void CheckResult(const sondeo::campaigns::CellResult& r) {
  using sondeo::campaigns::PhoneType;
  std::set<std::string> seen;
  for (const auto& p : r.phones) {
    Check(p.e164.size() == 13 && p.e164.starts_with("+57"));
    for (size_t i = 1; i < p.e164.size(); ++i) Check(p.e164[i] >= '0' && p.e164[i] <= '9');
    Check(p.type == PhoneType::kMobile || p.type == PhoneType::kFixed);
    Check(seen.insert(p.e164).second);
    std::string_view nsn = std::string_view(p.e164).substr(3);
    Check(!sondeo::campaigns::phone_internal::IsPlaceholder(nsn));
    if (p.type == PhoneType::kFixed) Check(nsn.starts_with("60"));
    if (p.type == PhoneType::kMobile) Check(nsn[0] == '3' || nsn[0] == '9');
  }
  for (const auto& rej : r.rejected) Check(!rej.raw.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static sondeo::campaigns::PhoneNormalizer norm;
  // First byte picks the row's place; the rest is the cell.
  static const char* const kDeps[] = {"", "Antioquia", "Bogotá D.C.", "NARI\xD1O"};
  std::string_view dep = size > 0 ? kDeps[data[0] % 4] : "";
  std::string cell(reinterpret_cast<const char*>(data) + (size > 0 ? 1 : 0),
                   size > 0 ? size - 1 : 0);
  const sondeo::campaigns::RowPlace place{dep, ""};
  sondeo::campaigns::CellResult first = norm.NormalizeCell(cell, place);
  CheckResult(first);
  const sondeo::campaigns::CellResult& again = norm.NormalizeCell(cell, place);
  Check(again.phones.size() == first.phones.size());
  Check(again.rejected.size() == first.rejected.size());
  for (size_t i = 0; i < first.phones.size(); ++i) {
    Check(again.phones[i].e164 == first.phones[i].e164);
  }
  // Deferred foreign verdicts: once each unchecked piece is judged, the same outcome.
  using sondeo::campaigns::PhoneNormalizer;
  static PhoneNormalizer deferred(PhoneNormalizer::Options{.defer_foreign = true});
  sondeo::campaigns::CellResult later = deferred.NormalizeCell(cell, place);
  Check(later.phones.size() == first.phones.size());
  Check(later.rejected.size() == first.rejected.size());
  for (size_t i = 0; i < first.phones.size(); ++i) {
    Check(later.phones[i].e164 == first.phones[i].e164);
  }
  for (size_t i = 0; i < first.rejected.size(); ++i) {
    auto& piece = later.rejected[i];
    Check(piece.raw == first.rejected[i].raw);
    if (piece.unchecked) piece.reason = deferred.CheckForeign(piece.raw);
    Check(piece.reason == first.rejected[i].reason);
  }
  (void)sondeo::campaigns::PhoneNormalizer::ZoneDigit(cell, cell);
  return 0;
}
