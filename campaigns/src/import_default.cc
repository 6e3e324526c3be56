// The production entry points: Import and Suppress with the real phone normaliser.
#include <memory>

#include "campaigns/phone.h"
#include "campaigns/src/import_internal.h"

namespace sondeo::campaigns {

namespace {

class PhoneCellNormalizer final : public CellNormalizer {
 public:
  const CellResult& Normalize(std::string_view cell, const RowPlace& place) override {
    return normalizer_.NormalizeCell(cell, place);
  }
  std::unique_ptr<CellNormalizer> ForAnotherThread() const override {
    return std::make_unique<PhoneCellNormalizer>();
  }
  PhoneReject CheckForeign(std::string_view raw) override { return normalizer_.CheckForeign(raw); }

 private:
  PhoneNormalizer normalizer_{PhoneNormalizer::Options{.defer_foreign = true}};
};

}  // namespace

std::unique_ptr<CellNormalizer> NewPhoneCellNormalizer() {
  return std::make_unique<PhoneCellNormalizer>();
}

Result<ImportResult> Import(store::Db& db, const std::string& path, const ImportOptions& options,
                            Clock& clock) {
  PhoneCellNormalizer normalizer;
  return ImportWith(db, path, options, clock, normalizer);
}

Result<SuppressResult> Suppress(store::Db& db, const std::string& path, const std::string& reason,
                                Clock& clock, const std::string& actor) {
  PhoneCellNormalizer normalizer;
  return SuppressWith(db, path, reason, clock, actor, normalizer);
}

}  // namespace sondeo::campaigns
