// Property: whenever the Colombian fast path accepts a number, libphonenumber 8.12.57 agrees
// (valid, same type), except for the documented shapes it does not know yet (6011..., 6081...,
// 9408...). And whenever the fast path rejects a 10-digit national number, libphonenumber
// does not call it a valid mobile or fixed line either. Seeded; the number of cells comes
// from SONDEO_PHONE_PROPERTY_CELLS (default 100000, about 2 s).
#include <cstdint>
#include <cstdlib>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include <gtest/gtest.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <phonenumbers/shortnumberinfo.h>

#include "campaigns/phone.h"
#include "campaigns/src/phone_internal.h"

namespace sondeo::campaigns {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;
using phone_internal::FastClass;

size_t CellCount() {
  const char* env = std::getenv("SONDEO_PHONE_PROPERTY_CELLS");
  if (env == nullptr) return 100000;
  return static_cast<size_t>(std::strtoull(env, nullptr, 10));
}

// Prefixes around every branch of the CO patterns, so the random tails hit the edges.
const std::vector<std::string>& Prefixes() {
  static const std::vector<std::string> p = {
      "3",     "30",     "300",    "305",     "306",     "31",       "32",       "323",  "324",
      "3240",  "3241",   "325",    "33",      "330",     "3300",     "3301",     "333",  "3333",
      "33330", "333300", "333301", "3333015", "3333016", "33331",    "33334",    "35",   "351",
      "352",   "37",     "370",    "371",     "6",       "60",       "601",      "6010", "60104",
      "60105", "601054", "601055", "6010554", "6010555", "60105550", "60105551", "6011", "602",
      "603",   "604",    "608",    "6081",    "609",     "61",       "9",        "91",   "9101",
      "94",    "9408",   "1",      "18",      "1800",    "19",       "190",      "1900", "1901",
      "1902",  "194",    "1947",   "1948",    "1949",    "8",        "5",        "7",    "4",
      "2",     "0"};
  return p;
}

std::string RandomNsn(std::mt19937_64& rng) {
  const auto& prefixes = Prefixes();
  std::string s = prefixes[rng() % prefixes.size()];
  while (s.size() < 10) s += static_cast<char>('0' + rng() % 10);
  return s;
}

// Dirty renderings of a national number, as found in real bases.
std::string Dirty(std::mt19937_64& rng, const std::string& nsn) {
  switch (rng() % 12) {
    case 0:
      return nsn;
    case 1:
      return "+57 " + nsn.substr(0, 3) + " " + nsn.substr(3, 3) + " " + nsn.substr(6);
    case 2:
      return nsn + ".0";
    case 3:
      return "0057 " + nsn;
    case 4:
      return "03" + nsn;
    case 5:
      return "57" + nsn;
    case 6:
      return "Cel: " + nsn.substr(0, 3) + "-" + nsn.substr(3, 3) + "-" + nsn.substr(6);
    case 7:
      return "(" + nsn.substr(0, 3) + ") " + nsn.substr(3);
    case 8:
      return nsn.substr(2, 1) + " " + nsn.substr(3);  // old zone form
    case 9:
      return nsn + " / " + RandomNsn(rng);
    case 10:
      return nsn.substr(3);  // bare local number
    default:
      return "0" + std::to_string(rng() % 10) + nsn.substr(2);
  }
}

TEST(PhonePropertyTest, FastPathAgreesWithLibphonenumber) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::mt19937_64 rng(20260301);
  PhoneNormalizer norm;
  const i18n::phonenumbers::ShortNumberInfo short_info;
  const size_t cells = CellCount();
  size_t accepted = 0;
  size_t fast_checked = 0;
  size_t unknown = 0;
  size_t eleven_checked = 0;
  size_t short_checked = 0;
  std::unordered_set<std::string> seen;
  const char* places[][2] = {{"", ""}, {"Antioquia", ""}, {"", "Cali"}, {"Bogotá D.C.", ""}};

  auto lib_type = [&](const std::string& e164, bool& valid) {
    PhoneNumber number;
    valid = false;
    if (util.Parse(e164, "CO", &number) != PhoneNumberUtil::NO_PARSING_ERROR) {
      return PhoneNumberUtil::UNKNOWN;
    }
    valid = util.IsValidNumber(number);
    return util.GetNumberType(number);
  };

  for (size_t i = 0; i < cells; ++i) {
    const std::string nsn = RandomNsn(rng);
    // The fast path on its own, against the library, both ways.
    if (i % 4 == 0) {
      bool valid = false;
      PhoneNumberUtil::PhoneNumberType type = lib_type("+57" + nsn, valid);
      FastClass fc = phone_internal::ClassifyNsn10(nsn);
      ++fast_checked;
      switch (fc) {
        case FastClass::kMobile:
          EXPECT_TRUE(valid && type == PhoneNumberUtil::MOBILE) << nsn;
          break;
        case FastClass::kFixed:
          EXPECT_TRUE(valid && type == PhoneNumberUtil::FIXED_LINE) << nsn;
          break;
        case FastClass::kMobileUnknown:
          EXPECT_FALSE(valid) << nsn;
          EXPECT_TRUE(nsn.starts_with("9408")) << nsn;
          break;
        case FastClass::kFixedUnknown:
          EXPECT_FALSE(valid) << nsn;
          EXPECT_TRUE(nsn.starts_with("6011") || nsn.starts_with("6081")) << nsn;
          break;
        case FastClass::kInvalid:
          EXPECT_FALSE(valid &&
                       (type == PhoneNumberUtil::MOBILE || type == PhoneNumberUtil::FIXED_LINE ||
                        type == PhoneNumberUtil::FIXED_LINE_OR_MOBILE))
              << nsn;
          break;
      }
    }
    // 11-digit national numbers (toll-free and premium) are also decided without the library.
    if (nsn[0] == '1' && i % 4 == 1) {
      const std::string n11 = nsn + static_cast<char>('0' + rng() % 10);
      bool valid = false;
      PhoneNumberUtil::PhoneNumberType type = lib_type("+57" + n11, valid);
      const bool not_callable =
          valid && (type == PhoneNumberUtil::TOLL_FREE || type == PhoneNumberUtil::PREMIUM_RATE);
      EXPECT_EQ(phone_internal::ClassifyNsn11(n11) == PhoneReject::kNotCallable, not_callable)
          << n11;
      EXPECT_TRUE(not_callable || !valid) << n11;
      ++eleven_checked;
    }
    // Short codes against ShortNumberInfo.
    if (i % 8 == 2) {
      const std::string digits = nsn.substr(0, 3 + rng() % 4);
      PhoneNumber number;
      ASSERT_TRUE(digits[0] == '0' ||
                  util.Parse(digits, "CO", &number) == PhoneNumberUtil::NO_PARSING_ERROR);
      if (digits[0] != '0') {
        ++short_checked;
        EXPECT_EQ(phone_internal::IsShortCode(digits),
                  short_info.IsValidShortNumberForRegion(number, "CO"))
            << digits;
      }
    }
    // The whole normaliser on a dirty cell: every accepted number is one libphonenumber
    // calls valid with the same type (or is a documented unknown shape).
    const std::string cell = Dirty(rng, nsn);
    const char* const* place = places[rng() % 4];
    const CellResult& r = norm.NormalizeCell(cell, RowPlace{place[0], place[1]});
    for (const Phone& p : r.phones) {
      ASSERT_EQ(p.e164.size(), 13u) << cell;
      ASSERT_TRUE(p.e164.starts_with("+57")) << cell;
      if (!seen.insert(p.e164).second) continue;
      ++accepted;
      bool valid = false;
      PhoneNumberUtil::PhoneNumberType type = lib_type(p.e164, valid);
      if (p.unknown_to_libphonenumber) {
        ++unknown;
        EXPECT_FALSE(valid) << p.e164;
        continue;
      }
      EXPECT_TRUE(valid) << cell << " -> " << p.e164;
      EXPECT_EQ(type, p.type == PhoneType::kMobile ? PhoneNumberUtil::MOBILE
                                                   : PhoneNumberUtil::FIXED_LINE)
          << cell << " -> " << p.e164;
      EXPECT_FALSE(phone_internal::IsPlaceholder(std::string_view(p.e164).substr(3)));
    }
  }
  // The generator must actually exercise both paths.
  EXPECT_GT(accepted, cells / 10);
  EXPECT_GT(unknown, 0u);
  EXPECT_GT(eleven_checked, cells / 200);
  EXPECT_GT(short_checked, cells / 20);
  EXPECT_EQ(fast_checked, (cells + 3) / 4);
}

// Property: the North American shortcut (NanpNumber) builds exactly the number
// libphonenumber's Parse builds from "+" and the same digits, so the foreign verdicts do
// not change; and it declines every shape where Parse could do something else.
TEST(PhonePropertyTest, NanpShortcutBuildsWhatParseBuilds) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  std::mt19937_64 rng(20261129);
  size_t taken = 0;
  size_t declined = 0;
  size_t valid = 0;
  size_t valid_in_us = 0;
  for (size_t i = 0; i < CellCount() / 4; ++i) {
    // Mostly "1" + 10 digits (any area code, 0 and 1 included), some of other lengths and
    // country codes.
    std::string digits = rng() % 8 == 0 ? std::to_string(rng() % 999 + 1) : "1";
    const size_t length = rng() % 8 == 0 ? 9 + rng() % 5 : 11;
    while (digits.size() < length) digits += static_cast<char>('0' + rng() % 10);
    PhoneNumber parsed;
    const bool parses =
        util.Parse("+" + digits, "CO", &parsed) == PhoneNumberUtil::NO_PARSING_ERROR;
    uint64_t national = 0;
    if (!phone_internal::NanpNumber(digits, national)) {
      ++declined;
      continue;
    }
    ++taken;
    ASSERT_TRUE(parses) << digits;
    PhoneNumber built;
    built.set_country_code(1);
    built.set_national_number(national);
    // Every field Parse sets, and nothing more.
    EXPECT_EQ(parsed.country_code(), 1) << digits;
    EXPECT_EQ(parsed.national_number(), national) << digits;
    EXPECT_FALSE(parsed.has_extension() || parsed.has_italian_leading_zero() ||
                 parsed.has_number_of_leading_zeros() || parsed.has_raw_input() ||
                 parsed.has_country_code_source() || parsed.has_preferred_domestic_carrier_code())
        << digits;
    EXPECT_EQ(util.IsValidNumber(built), util.IsValidNumber(parsed)) << digits;
    // Valid in the US (the first region of +1) is valid.
    if (util.IsValidNumberForRegion(built, "US")) {
      ++valid_in_us;
      EXPECT_TRUE(util.IsValidNumber(built)) << digits;
    }
    valid += util.IsValidNumber(built) ? 1u : 0u;
  }
  EXPECT_GT(taken, CellCount() / 8);
  EXPECT_GT(declined, CellCount() / 40);
  EXPECT_GT(valid, taken / 4);
  EXPECT_GT(valid_in_us, valid / 2);
}

TEST(PhoneRulesTest, NanpNumberTakesOnlyOnePlusTenDigitsWithAnAreaCode) {
  uint64_t n = 0;
  EXPECT_TRUE(phone_internal::NanpNumber("13055024587", n));
  EXPECT_EQ(n, 3055024587u);
  EXPECT_FALSE(phone_internal::NanpNumber("10555024587", n));   // area code 0xx
  EXPECT_FALSE(phone_internal::NanpNumber("11555024587", n));   // national prefix 1
  EXPECT_FALSE(phone_internal::NanpNumber("1305502458", n));    // 9 digits
  EXPECT_FALSE(phone_internal::NanpNumber("130550245871", n));  // 11 digits
  EXPECT_FALSE(phone_internal::NanpNumber("34612345678", n));   // Spain
  EXPECT_FALSE(phone_internal::NanpNumber("1305502458x", n));
}

}  // namespace
}  // namespace sondeo::campaigns
