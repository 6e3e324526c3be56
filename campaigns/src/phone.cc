#include "campaigns/phone.h"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "campaigns/src/phone_internal.h"

namespace sondeo::campaigns {

using phone_internal::Cleaned;
using phone_internal::CleanKind;
using phone_internal::FastClass;

std::string_view PhoneTypeName(PhoneType type) {
  switch (type) {
    case PhoneType::kMobile:
      return "mobile";
    case PhoneType::kFixed:
      return "fixed";
    case PhoneType::kTollFree:
      return "toll_free";
    case PhoneType::kPremium:
      return "premium";
    case PhoneType::kShort:
      return "short";
    case PhoneType::kOther:
      return "other";
  }
  return "other";
}

std::string_view PhoneRejectCode(PhoneReject r) {
  switch (r) {
    case PhoneReject::kInvalid:
      return "TELEFONO_INVALIDO";
    case PhoneReject::kDigitsLost:
      return "DIGITOS_PERDIDOS";
    case PhoneReject::kPlaceholder:
      return "NUMERO_RELLENO";
    case PhoneReject::kNotCallable:
      return "NO_LLAMABLE";
    case PhoneReject::kNeedsZone:
      return "SIN_INDICATIVO";
    case PhoneReject::kForeign:
      return "NUMERO_EXTRANJERO";
  }
  return "TELEFONO_INVALIDO";
}

std::string_view PhoneRejectReason(PhoneReject r) {
  switch (r) {
    case PhoneReject::kInvalid:
      return "no es un número colombiano válido";
    case PhoneReject::kDigitsLost:
      return "dígitos perdidos en la hoja de cálculo (notación científica)";
    case PhoneReject::kPlaceholder:
      return "número de relleno";
    case PhoneReject::kNotCallable:
      return "línea gratuita, de tarifa especial o número corto: no se llama";
    case PhoneReject::kNeedsZone:
      return "número local de 7 dígitos sin departamento ni municipio para el indicativo";
    case PhoneReject::kForeign:
      return "número de otro país";
  }
  return "no es un número colombiano válido";
}

namespace {

struct ViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Cells whose answer needed libphonenumber are cached; the Colombian fast path is cheaper
// than a hash-map insert, so its cells are not. Bounded: cleared when full.
constexpr size_t kMaxCacheEntries = size_t{1} << 16;

const i18n::phonenumbers::PhoneNumberUtil& Util() {
  static const i18n::phonenumbers::PhoneNumberUtil* util = [] {
    auto* u = i18n::phonenumbers::PhoneNumberUtil::GetInstance();
    u->SetLogger(new i18n::phonenumbers::NullLogger());  // takes ownership
    return u;
  }();
  return *util;
}

}  // namespace

struct PhoneNormalizer::Impl {
  Options options;
  CellResult scratch;
  std::vector<std::string_view> pieces;
  std::unordered_map<std::string, CellResult, ViewHash, std::equal_to<>> cache;
  std::unordered_map<std::string, PhoneReject, ViewHash, std::equal_to<>> foreign_verdicts;
  uint64_t hits = 0;
  uint64_t misses = 0;

  void Reject(std::string_view piece, PhoneReject reason) {
    scratch.rejected.push_back(RejectedPhone{std::string(piece), reason});
  }

  void Accept(std::string_view nsn, PhoneType type, bool unknown) {
    for (const Phone& p : scratch.phones) {
      if (std::string_view(p.e164).substr(3) == nsn) return;
    }
    Phone& p = scratch.phones.emplace_back();
    p.e164.reserve(3 + nsn.size());
    p.e164.assign("+57");
    p.e164.append(nsn);
    p.type = type;
    p.unknown_to_libphonenumber = unknown;
  }

  void National(std::string_view piece, std::string_view nsn) {
    if (phone_internal::IsPlaceholder(nsn)) return Reject(piece, PhoneReject::kPlaceholder);
    switch (phone_internal::ClassifyNsn10(nsn)) {
      case FastClass::kMobile:
        return Accept(nsn, PhoneType::kMobile, false);
      case FastClass::kFixed:
        return Accept(nsn, PhoneType::kFixed, false);
      case FastClass::kMobileUnknown:
        return Accept(nsn, PhoneType::kMobile, true);
      case FastClass::kFixedUnknown:
        return Accept(nsn, PhoneType::kFixed, true);
      case FastClass::kInvalid:
        return Reject(piece, PhoneReject::kInvalid);
    }
  }

  // The slow path: foreign numbers (after '+' or an international prefix).
  void Library(std::string_view piece, const Cleaned& c) {
    using i18n::phonenumbers::PhoneNumber;
    using i18n::phonenumbers::PhoneNumberUtil;
    const PhoneNumberUtil& util = Util();
    PhoneNumber number;
    if (uint64_t nanp = 0;
        c.kind == CleanKind::kForeign && phone_internal::NanpNumber(c.view(), nanp)) {
      // What Parse("+1" + these 10 digits) gives, without its 10 us of regular expressions.
      number.set_country_code(1);
      number.set_national_number(nanp);
      // The US comes first among the regions of +1, so IsValidNumber would find it valid
      // there (in half the time of trying each region in turn).
      if (util.IsValidNumberForRegion(number, "US")) return Reject(piece, PhoneReject::kForeign);
    } else {
      std::string text(c.view());
      if (c.kind == CleanKind::kForeign) text.insert(0, "+");
      if (util.Parse(text, "CO", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
        return Reject(piece, PhoneReject::kInvalid);
      }
    }
    if (!util.IsValidNumber(number)) return Reject(piece, PhoneReject::kInvalid);
    if (number.country_code() != 57) return Reject(piece, PhoneReject::kForeign);
    switch (util.GetNumberType(number)) {
      case PhoneNumberUtil::MOBILE:
      case PhoneNumberUtil::FIXED_LINE:
      case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: {
        // Not reached with 8.12.57 metadata (11-digit CO numbers are 1800/19xx); kept so a
        // newer library cannot turn a callable number into a reject.
        std::string nsn = std::to_string(number.national_number());
        if (nsn.size() == 10) return National(piece, nsn);
        return Reject(piece, PhoneReject::kInvalid);
      }
      default:
        return Reject(piece, PhoneReject::kNotCallable);
    }
  }
};

PhoneNormalizer::PhoneNormalizer() : impl_(std::make_unique<Impl>()) {}
PhoneNormalizer::PhoneNormalizer(Options options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
}
PhoneNormalizer::~PhoneNormalizer() = default;

const CellResult& PhoneNormalizer::NormalizeCell(std::string_view cell, const RowPlace& place) {
  Impl& m = *impl_;
  m.scratch.phones.clear();
  m.scratch.rejected.clear();
  if (cell.find_first_not_of(" \t\r\n") == std::string_view::npos) return m.scratch;
  phone_internal::SplitCell(cell, m.pieces);
  bool used_zone = false;
  bool used_library = false;
  int zone = -1;  // not looked up yet
  for (std::string_view piece : m.pieces) {
    const Cleaned c = phone_internal::CleanPiece(piece);
    switch (c.kind) {
      case CleanKind::kNone:
        break;
      case CleanKind::kReject:
        m.Reject(piece, c.reject);
        break;
      case CleanKind::kNational:
        m.National(piece, c.view());
        break;
      case CleanKind::kTollFree:
        m.Reject(piece, phone_internal::ClassifyNsn11(c.view()));
        break;
      case CleanKind::kLocal7: {
        if (phone_internal::IsPlaceholder(c.view())) {
          m.Reject(piece, PhoneReject::kPlaceholder);
          break;
        }
        used_zone = true;
        if (zone < 0) zone = ZoneDigit(place.departamento, place.municipio);
        if (zone == 0) {
          m.Reject(piece, PhoneReject::kNeedsZone);
          break;
        }
        char nsn[10] = {'6', '0', static_cast<char>(zone)};
        for (size_t i = 0; i < 7; ++i) nsn[3 + i] = c.digits[i];
        m.National(piece, std::string_view(nsn, 10));
        break;
      }
      case CleanKind::kShort:
        m.Reject(piece, phone_internal::IsShortCode(c.view()) ? PhoneReject::kNotCallable
                                                              : PhoneReject::kInvalid);
        break;
      case CleanKind::kForeign:
        if (m.options.defer_foreign) {
          m.scratch.rejected.push_back(RejectedPhone{std::string(piece), PhoneReject::kForeign,
                                                     /*unchecked=*/true});
          break;
        }
        // The cache is consulted only here: a cell answered on the fast path costs less
        // than hashing it.
        if (!used_library) {
          used_library = true;
          if (auto it = m.cache.find(cell); it != m.cache.end()) {
            ++m.hits;
            return it->second;
          }
          ++m.misses;
        }
        m.Library(piece, c);
        break;
    }
  }
  if (used_library && !used_zone) {
    if (m.cache.size() >= kMaxCacheEntries) m.cache.clear();
    return m.cache.emplace(std::string(cell), m.scratch).first->second;
  }
  return m.scratch;
}

PhoneReject PhoneNormalizer::CheckForeign(std::string_view raw) {
  Impl& m = *impl_;
  if (auto it = m.foreign_verdicts.find(raw); it != m.foreign_verdicts.end()) return it->second;
  const Cleaned c = phone_internal::CleanPiece(raw);
  m.scratch.phones.clear();
  m.scratch.rejected.clear();
  if (c.kind == CleanKind::kForeign) m.Library(raw, c);
  // Foreign pieces never start with 57, so libphonenumber never makes one callable: what it
  // says is kForeign or kInvalid. A piece that is not foreign at all is no number.
  const PhoneReject verdict =
      m.scratch.rejected.empty() ? PhoneReject::kInvalid : m.scratch.rejected.front().reason;
  m.scratch.rejected.clear();
  if (m.foreign_verdicts.size() >= kMaxCacheEntries) m.foreign_verdicts.clear();
  m.foreign_verdicts.emplace(std::string(raw), verdict);
  return verdict;
}

uint64_t PhoneNormalizer::cache_hits() const { return impl_->hits; }
uint64_t PhoneNormalizer::cache_misses() const { return impl_->misses; }

}  // namespace sondeo::campaigns
