#pragma once
// Seams of the contact import, for tests: the phone normaliser behind an interface (tests
// use a tiny fake with clean phones; production wraps PhoneNormalizer) and a fault hook.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "campaigns/contacts.h"
#include "campaigns/phone.h"

namespace sondeo::campaigns {

class CellNormalizer {
 public:
  virtual ~CellNormalizer() = default;
  // Same contract as PhoneNormalizer::NormalizeCell (valid until the next call).
  virtual const CellResult& Normalize(std::string_view cell, const RowPlace& place) = 0;
  // A new normaliser of the same kind, for another thread (the import reads a large CSV in
  // two halves at once); nullptr: this one is not to be copied, the import stays on one
  // thread.
  virtual std::unique_ptr<CellNormalizer> ForAnotherThread() const { return nullptr; }
  // Same contract as PhoneNormalizer::CheckForeign, for the pieces Normalize returned
  // `unchecked`.
  virtual PhoneReject CheckForeign(std::string_view raw) = 0;
};

// The production normaliser: PhoneNormalizer, foreign numbers judged only when needed.
std::unique_ptr<CellNormalizer> NewPhoneCellNormalizer();

// How the two halves of a split pass 1 went (tests).
struct SplitReport {
  bool split = false;   // a second thread read the second half
  bool met = false;     // this thread's reader reached one of its records' marks
  int64_t skipped = 0;  // second-half records before that mark (read out of step), or all
  int64_t kept = 0;     // second-half records used
};

struct ImportHooks {
  // When >= 0: fail with kInternal after inserting this many contacts (tests rollback).
  int64_t fail_after_contacts = -1;
  // A CSV of at least this many bytes (of text) is read and normalised in two halves on two
  // threads; tests lower it to split small files.
  size_t split_min_bytes = size_t{4} << 20;
  SplitReport* split_report = nullptr;  // when set, filled after pass 1
};

Result<ImportResult> ImportWith(store::Db& db, const std::string& path,
                                const ImportOptions& options, Clock& clock,
                                CellNormalizer& normalizer, const ImportHooks& hooks = {});

Result<SuppressResult> SuppressWith(store::Db& db, const std::string& path,
                                    const std::string& reason, Clock& clock,
                                    const std::string& actor, CellNormalizer& normalizer);

// Row rejection codes, in decreasing specificity among the phone ones.
enum class RowCode : uint8_t {
  kNone,
  kIrregular,    // FILA_IRREGULAR
  kNoPhone,      // SIN_TELEFONO
  kDigitsLost,   // DIGITOS_PERDIDOS
  kPlaceholder,  // NUMERO_RELLENO
  kNeedsZone,    // SIN_INDICATIVO
  kNotCallable,  // NO_LLAMABLE
  kForeign,      // NUMERO_EXTRANJERO
  kInvalid,      // TELEFONO_INVALIDO
};
std::string_view RowCodeName(RowCode code);
std::string_view RowCodeText(RowCode code);
RowCode FromPhoneReject(PhoneReject r);
// The most specific code among the rejected pieces of a row (kNoPhone when none).
RowCode MostSpecific(const std::vector<PhoneReject>& rejects);

// The rejected pieces of one row's phone cells (scratch, one per thread).
struct PieceRejects {
  std::vector<PhoneReject> judged;
  std::vector<std::string> unchecked;  // foreign pieces not judged yet
  void Clear() {
    judged.clear();
    unchecked.clear();
  }
  void Add(const CellResult& cell) {
    for (const auto& r : cell.rejected) {
      if (r.unchecked) {
        unchecked.push_back(r.raw);
      } else {
        judged.push_back(r.reason);
      }
    }
  }
};
// The code of a row left without any callable phone is MostSpecific of its pieces, where an
// unchecked foreign piece is judged by libphonenumber only when its verdict can name the
// code (nothing more specific than NUMERO_EXTRANJERO among the others). In two steps, so the
// slow verdicts can wait for a spare core: whether the pieces need that verdict, and then
// the code their unchecked pieces give.
bool NeedsForeignVerdict(const PieceRejects& pieces);
RowCode ForeignVerdict(const std::vector<std::string>& unchecked, CellNormalizer& normalizer);

// Pass 1's room for the records of a `range` of bytes, from the first `sampled` records,
// which took `consumed` bytes: a tenth more than their rate gives, plus `sampled`, and never
// more than one record per 32 bytes of the range.
size_t EstimatedRecords(uint64_t consumed, uint64_t range, size_t sampled);

// CSV output helpers (comma-separated, RFC 4180 quoting).
void AppendCsvField(std::string& line, std::string_view field);
// The record `raw` (fields between `separator`s, no quote and no line end in it, as
// TableReader::PlainRecord gives it) as `fields` comma-separated fields, exactly as
// AppendCsvField would write each of them, in one pass over its bytes. False, with `line`
// unchanged, when it has another number of fields or a field that needs quoting.
bool AppendPlainRecordAsCsv(std::string& line, std::string_view raw, char separator, size_t fields);

}  // namespace sondeo::campaigns
