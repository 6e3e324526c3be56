#pragma once
// Colombian phone normalisation (docs: shared domain.md §1.3-1.5).
//
// A raw spreadsheet cell may hold zero, one or several numbers in any dirty form
// ("Cel: 300 123 4567 / (1) 2345678", "3001234567.0", "0573001234567", ...). NormalizeCell
// splits it, pre-cleans each piece, validates it on a Colombian fast path derived from
// libphonenumber's CO metadata, and falls back to libphonenumber for everything else.
// Cells that needed libphonenumber are cached per raw cell (the Colombian fast path is
// cheaper than a cache insert); the same cell and zone always give the same answer.
//
// Thread-compatible: one PhoneNormalizer per thread.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sondeo::campaigns {

enum class PhoneType {
  kMobile,    // 3xxxxxxxxx (and 9101...)
  kFixed,     // 60Bxxxxxxx
  kTollFree,  // never callable
  kPremium,   // never callable
  kShort,     // never callable
  kOther,     // valid but neither (VoIP, pager...): not callable
};

// "mobile", "fixed", "toll_free", "premium", "short", "other" (stored in phones.type).
std::string_view PhoneTypeName(PhoneType type);

// Why a piece of a cell is not a callable number. Stable codes (reports and rejects files
// use them); Spanish text from PhoneRejectReason().
enum class PhoneReject {
  kInvalid,      // TELEFONO_INVALIDO: not a valid Colombian number
  kDigitsLost,   // DIGITOS_PERDIDOS: scientific notation (3.00123E+09), digits lost in Excel
  kPlaceholder,  // NUMERO_RELLENO: 3000000000, 3111111111, 6012222222, ...1234567
  kNotCallable,  // NO_LLAMABLE: toll-free, premium, short or other non-callable service
  kNeedsZone,    // SIN_INDICATIVO: 7-digit local number and no departamento/municipio known
  kForeign,      // NUMERO_EXTRANJERO: a valid number of another country
};
std::string_view PhoneRejectCode(PhoneReject r);    // e.g. "TELEFONO_INVALIDO"
std::string_view PhoneRejectReason(PhoneReject r);  // Spanish, for the rejects file

struct Phone {
  std::string e164;  // "+573001234567"
  PhoneType type = PhoneType::kMobile;
  // Right shape (6011..., 6081..., 9408...) but unknown to Debian's libphonenumber 8.12.57:
  // accepted with this flag rather than dropped.
  bool unknown_to_libphonenumber = false;
};

struct RejectedPhone {
  std::string raw;  // the piece of the cell, as read
  PhoneReject reason = PhoneReject::kInvalid;
  // Only with Options::defer_foreign: a number after '+' or an international prefix (never
  // +57) that libphonenumber has not judged yet. `reason` is kForeign until
  // CheckForeign(raw) says whether it is (kForeign) or not (kInvalid) a valid number.
  bool unchecked = false;
};

struct CellResult {
  std::vector<Phone> phones;            // callable numbers, in cell order, no repeats
  std::vector<RejectedPhone> rejected;  // pieces that looked like numbers but are not callable
};

// Where the row is, to complete a bare 7-digit local number with its 60X zone.
struct RowPlace {
  std::string_view departamento;
  std::string_view municipio;
};

class PhoneNormalizer {
 public:
  struct Options {
    // libphonenumber takes 20-25 us per foreign number (parse and validation), more than
    // the rest of a cell's work by far, and its verdict only names the reason of a reject.
    // With this set, foreign pieces come back unchecked and the caller asks CheckForeign
    // only when that reason is needed (a row left without any callable phone).
    bool defer_foreign = false;
  };
  PhoneNormalizer();
  explicit PhoneNormalizer(Options options);
  ~PhoneNormalizer();
  PhoneNormalizer(const PhoneNormalizer&) = delete;
  PhoneNormalizer& operator=(const PhoneNormalizer&) = delete;

  // Normalises every number in `cell`. An empty or blank cell gives an empty result.
  // The reference stays valid until the next call on this normaliser.
  const CellResult& NormalizeCell(std::string_view cell, const RowPlace& place = {});

  // libphonenumber's verdict on a piece that came back `unchecked`: kForeign (a valid
  // number of another country) or kInvalid. Cached per piece. Like NormalizeCell, it ends
  // the life of the result NormalizeCell returned last (copy the pieces first).
  PhoneReject CheckForeign(std::string_view raw);

  // The 60X zone digit ('1','2','4'..'8') of a departamento or municipio name (accent- and
  // case-insensitive), or 0 when unknown.
  static char ZoneDigit(std::string_view departamento, std::string_view municipio);

  // Cache statistics (for benchmarks).
  uint64_t cache_hits() const;
  uint64_t cache_misses() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sondeo::campaigns
