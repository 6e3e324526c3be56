#include "campaigns/phone.h"

#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "campaigns/src/phone_internal.h"

namespace sondeo::campaigns {
namespace {

using phone_internal::FastClass;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

// "+57..." list of accepted numbers, or "!CODE" for each rejected piece, in that order.
std::vector<std::string> Outcome(const CellResult& r) {
  std::vector<std::string> out;
  for (const Phone& p : r.phones) {
    out.push_back(p.e164 + (p.type == PhoneType::kMobile ? " m" : " f") +
                  (p.unknown_to_libphonenumber ? "?" : ""));
  }
  for (const RejectedPhone& p : r.rejected)
    out.push_back("!" + std::string(PhoneRejectCode(p.reason)));
  return out;
}

struct Case {
  std::string_view cell;
  std::vector<std::string> want;
  std::string_view departamento = {};
  std::string_view municipio = {};
};

void RunTable(const std::vector<Case>& cases) {
  PhoneNormalizer norm;
  PhoneNormalizer deferred(PhoneNormalizer::Options{.defer_foreign = true});
  for (const Case& c : cases) {
    const RowPlace place{c.departamento, c.municipio};
    // Twice: the second run may come from the cache and must say the same.
    for (int round = 0; round < 2; ++round) {
      const CellResult& r = norm.NormalizeCell(c.cell, place);
      EXPECT_THAT(Outcome(r), ElementsAreArray(c.want))
          << "cell [" << c.cell << "] dep [" << c.departamento << "] mun [" << c.municipio
          << "] round " << round;
      // Deferring the foreign verdicts changes nothing once each unchecked piece is judged.
      CellResult d = deferred.NormalizeCell(c.cell, place);
      for (RejectedPhone& p : d.rejected) {
        if (!p.unchecked) continue;
        EXPECT_EQ(p.reason, PhoneReject::kForeign) << p.raw;
        p.reason = deferred.CheckForeign(p.raw);
      }
      EXPECT_THAT(Outcome(d), ElementsAreArray(c.want)) << "deferred, cell [" << c.cell << "]";
    }
  }
  EXPECT_EQ(deferred.cache_misses(), 0u);  // it never asked libphonenumber in NormalizeCell
}

// domain.md §1.5: what 8.12.57 accepts as written, and what sondeo does with it.
TEST(PhoneNormalizerTest, CleanFormsOfTheSameMobile) {
  const std::vector<std::string> mobile = {"+573001234568 m"};
  RunTable({
      {"3001234568", mobile},
      {"57 3001234568", mobile},
      {"573001234568", mobile},
      {"+57 300 123 4568", mobile},
      {"300.123.4568", mobile},
      {"300-123-4568", mobile},
      {"300 123 45 68", mobile},
      {"+57(300)1234568", mobile},
      {"tel:+573001234568", mobile},
      {"Cel: 300 123 4568", mobile},
      {"Celular 3001234568", mobile},
      {"  3001234568\t", mobile},
      {"3001234568\xC2\xA0", mobile},
  });
}

// Every row of domain.md §1.3 "Old -> new mapping".
TEST(PhoneNormalizerTest, OldToNewMappingTable) {
  const std::vector<std::string> bogota = {"+576012345678 f"};
  RunTable({
      // zone + local (8 digits)
      {"(1) 2345678", bogota},
      {"1 2345678", bogota},
      {"12345678", bogota},
      {"(4) 8402666", {"+576048402666 f"}},
      // old international form
      {"+57 1 2345678", bogota},
      {"57 1 2345678", bogota},
      {"(571) 2345678", bogota},
      {"5712345678", bogota},
      {"+57 (1) 2345678", bogota},
      // 03 + B + 7: old mobile -> fixed
      {"031 2345678", bogota},
      {"(034) 8402666", {"+576048402666 f"}},
      // 03 + mobile
      {"03 300 1234568", {"+573001234568 m"}},
      {"033001234568", {"+573001234568 m"}},
      // 0 + carrier{5,7,9,456,444,414} + B + 7
      {"0 7 1 2345678", bogota},
      {"05 4 2345678", {"+576042345678 f"}},
      {"09 5 3456789", {"+576053456789 f"}},
      {"0456 1 2345678", bogota},
      {"0444 2 3456789", {"+576023456789 f"}},
      {"0414 8 7654321", {"+576087654321 f"}},
      // 7 digits, no zone: needs the record's department or municipality
      {"2345678", {"!SIN_INDICATIVO"}},
      {"2345678", bogota, "Bogotá D.C."},
      {"2345678", {"+576042345678 f"}, "ANTIOQUIA"},
      {"2345678", {"+576022345678 f"}, "", "Cali"},
      {"2345678", {"+576072345678 f"}, "Norte de Santander", "Bogotá"},  // dept wins
      {"2345678", {"!SIN_INDICATIVO"}, "Atlantis", "Nowhere"},
      // 031 habit glued to a mobile
      {"0313001234568", {"+573001234568 m"}},
      // 0 + country code + mobile
      {"057 3001234568", {"+573001234568 m"}},
      {"0573001234568", {"+573001234568 m"}},
      // 00 + (carrier) + 57: never Russia
      {"00573001234568", {"+573001234568 m"}},
      {"0057 300 123 4568", {"+573001234568 m"}},
      {"00557 3001234568", {"+573001234568 m"}},
      {"009 57 3001234568", {"+573001234568 m"}},
      {"00456 57 3001234568", {"+573001234568 m"}},
      {"0057 1 2345678", bogota},
  });
}

// domain.md §1.3 "Other real-data noise".
TEST(PhoneNormalizerTest, RealDataNoise) {
  RunTable({
      {"3001234568.0", {"+573001234568 m"}},
      {"573001234568.0", {"+573001234568 m"}},
      {"6012345678.00", {"+576012345678 f"}},
      {"3.00123E+09", {"!DIGITOS_PERDIDOS"}},
      {"5.73001E+11", {"!DIGITOS_PERDIDOS"}},
      {"3,00123E+09", {"!DIGITOS_PERDIDOS"}},
      {"3.001234568E+09", {"+573001234568 m"}},  // every digit survived
      {"601-234-5678 Ext. 12", {"+576012345678 f"}},
      {"601 2345678 ext 12", {"+576012345678 f"}},
      {"6012345678 x12", {"+576012345678 f"}},
      {"6012345678 (oficina)", {"+576012345678 f"}},
      {"18000123456", {"!NO_LLAMABLE"}},
      {"018000123456", {"!NO_LLAMABLE"}},
      {"01 8000 123456", {"!NO_LLAMABLE"}},
      {"01-900-1234567", {"!NO_LLAMABLE"}},
      {"123", {"!NO_LLAMABLE"}},
      {"85432", {"!NO_LLAMABLE"}},
      {"4321", {"!TELEFONO_INVALIDO"}},
      {"66666", {"!TELEFONO_INVALIDO"}},
      {"300123456", {"!TELEFONO_INVALIDO"}},    // 9-digit "mobile": no guessing
      {"30012345678", {"!TELEFONO_INVALIDO"}},  // 11-digit "mobile"
      {"3OO1234568", {"!TELEFONO_INVALIDO"}},   // letter O typed for zero
      {"", {}},
      {"   ", {}},
      {"N/A", {}},
      {"no tiene", {}},
      {"0", {}},
  });
}

TEST(PhoneNormalizerTest, SplitsCellsWithSeveralNumbers) {
  const std::string a = "+573001234568 m";
  const std::string b = "+573109876543 m";
  const std::string f = "+576012345678 f";
  RunTable({
      {"300 123 4568 / 310 987 6543", {a, b}},
      {"3001234568/3109876543", {a, b}},
      {"3001234568 - 3109876543", {a, b}},
      {"3001234568-3109876543", {a, b}},
      {"3001234568;3109876543", {a, b}},
      {"3001234568, 3109876543", {a, b}},
      {"3001234568|3109876543", {a, b}},
      {"3001234568\n3109876543", {a, b}},
      {"3001234568\r\n3109876543", {a, b}},
      {"Tel 601 2345678 o 3001234568", {f, a}},
      {"3001234568 y 3109876543", {a, b}},
      {"3001234568 3109876543", {a, b}},
      {"Cel: 300 123 4568 / (1) 2345678", {a, f}},
      {"3001234568 / 3001234568", {a}},  // no repeats
      {"300 - 123 - 4568", {a}},
      {"3001234568 / 3000000000", {a, "!NUMERO_RELLENO"}},
      {"2345678 / 3001234568", {a, "!SIN_INDICATIVO"}},
  });
}

TEST(PhoneNormalizerTest, PlaceholdersAndNonCallable) {
  RunTable({
      {"3000000000", {"!NUMERO_RELLENO"}},
      {"3111111111", {"!NUMERO_RELLENO"}},
      {"6012222222", {"!NUMERO_RELLENO"}},
      {"3001234567", {"!NUMERO_RELLENO"}},
      {"3101234567", {"!NUMERO_RELLENO"}},
      {"(1) 2222222", {"!NUMERO_RELLENO"}},
      {"1234567", {"!NUMERO_RELLENO"}},
      {"+1 123 456 7890", {"!TELEFONO_INVALIDO"}},  // no area code 123
      {"+1 212 736 5000", {"!NUMERO_EXTRANJERO"}},
      {"+34 912 345 678", {"!NUMERO_EXTRANJERO"}},
      {"0034 912345678", {"!NUMERO_EXTRANJERO"}},
      {"00 58 212 5551234", {"!NUMERO_EXTRANJERO"}},
  });
}

TEST(PhoneNormalizerTest, TypesAndUnknownShapes) {
  RunTable({
      {"3001234568", {"+573001234568 m"}},
      {"3241234568", {"+573241234568 m"}},
      {"3240123456", {"!TELEFONO_INVALIDO"}},
      {"3601234568", {"!TELEFONO_INVALIDO"}},
      {"3701234568", {"+573701234568 m"}},
      {"9101234568", {"+579101234568 m"}},
      {"6042345678", {"+576042345678 f"}},
      {"6082345678", {"+576082345678 f"}},
      {"6010123456", {"+576010123456 f"}},
      {"6032345678", {"!TELEFONO_INVALIDO"}},  // no zone 3
      {"6091234568", {"!TELEFONO_INVALIDO"}},
      {"6011234568", {"+576011234568 f?"}},
      {"6081234568", {"+576081234568 f?"}},
      {"9408123456", {"+579408123456 m?"}},
  });
}

TEST(PhoneFastPathTest, ClassifyTable) {
  struct Row {
    std::string_view nsn;
    FastClass want;
  };
  const std::vector<Row> rows = {
      {"3001234568", FastClass::kMobile},        {"3051234568", FastClass::kMobile},
      {"3061234568", FastClass::kInvalid},       {"3191234568", FastClass::kMobile},
      {"3231234568", FastClass::kMobile},        {"3240000000", FastClass::kInvalid},
      {"3249000000", FastClass::kMobile},        {"3251234568", FastClass::kInvalid},
      {"3300123456", FastClass::kMobile},        {"3301123456", FastClass::kInvalid},
      {"3310123456", FastClass::kInvalid},       {"3332123456", FastClass::kMobile},
      {"3334123456", FastClass::kMobile},        {"3333001234", FastClass::kMobile},
      {"3333015999", FastClass::kMobile},        {"3333016000", FastClass::kInvalid},
      {"3333020000", FastClass::kInvalid},       {"3333312345", FastClass::kInvalid},
      {"3333456789", FastClass::kMobile},        {"3501234568", FastClass::kMobile},
      {"3521234568", FastClass::kInvalid},       {"3701234568", FastClass::kMobile},
      {"3711234568", FastClass::kInvalid},       {"9101000000", FastClass::kMobile},
      {"9408000000", FastClass::kMobileUnknown}, {"6012345678", FastClass::kFixed},
      {"6019345678", FastClass::kFixed},         {"6010456789", FastClass::kFixed},
      {"6010541234", FastClass::kFixed},         {"6010556234", FastClass::kInvalid},
      {"6010554999", FastClass::kFixed},         {"6010555012", FastClass::kFixed},
      {"6010555112", FastClass::kInvalid},       {"6010561234", FastClass::kInvalid},
      {"6011234568", FastClass::kFixedUnknown},  {"6081234568", FastClass::kFixedUnknown},
      {"6021234568", FastClass::kInvalid},       {"6032345678", FastClass::kInvalid},
      {"6092345678", FastClass::kInvalid},       {"6102345678", FastClass::kInvalid},
      {"1800123456", FastClass::kInvalid},       {"8001234568", FastClass::kInvalid},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(phone_internal::ClassifyNsn10(r.nsn), r.want) << r.nsn;
  }
}

TEST(PhoneSplitTest, Pieces) {
  std::vector<std::string_view> out;
  phone_internal::SplitCell("300-123-4568", out);
  EXPECT_THAT(out, ElementsAre("300-123-4568"));
  phone_internal::SplitCell(" a / b ;; c ", out);
  EXPECT_THAT(out, ElementsAre("a", "b", "c"));
  phone_internal::SplitCell("601 2345678 3001234568", out);
  EXPECT_THAT(out, ElementsAre("601 2345678", "3001234568"));
  phone_internal::SplitCell("0057 3001234568", out);
  EXPECT_THAT(out, ElementsAre("0057 3001234568"));
  phone_internal::SplitCell("300 - 123 - 4568", out);
  EXPECT_THAT(out, ElementsAre("300 - 123 - 4568"));
  phone_internal::SplitCell("Casa o finca: 300 123 4568 o 601 234 5678", out);
  EXPECT_THAT(out, ElementsAre("Casa o finca: 300 123 4568", "601 234 5678"));
  phone_internal::SplitCell("2345678-3001234568", out);
  EXPECT_THAT(out, ElementsAre("2345678", "3001234568"));
}

TEST(PhoneZoneTest, Departamentos) {
  struct Row {
    std::string_view dep;
    std::string_view mun;
    char want;
  };
  const std::vector<Row> rows = {
      {"Bogotá D.C.", "", '1'},
      {"BOGOTA", "", '1'},
      {"Cundinamarca", "", '1'},
      {"Valle del Cauca", "", '2'},
      {"valle", "", '2'},
      {"Cauca", "", '2'},
      {"Nariño", "", '2'},
      {"NARI\xD1O", "", '2'},  // Windows-1252
      {"Antioquia", "", '4'},
      {"Chocó", "", '4'},
      {"Córdoba", "", '4'},
      {"Atlántico", "", '5'},
      {"Bolívar", "", '5'},
      {"Cesar", "", '5'},
      {"La Guajira", "", '5'},
      {"Magdalena", "", '5'},
      {"Sucre", "", '5'},
      {"Caldas", "", '6'},
      {"Risaralda", "", '6'},
      {"Quindío", "", '6'},
      {"Norte de Santander", "", '7'},
      {"Santander", "", '7'},
      {"Arauca", "", '7'},
      {"Boyacá", "", '8'},
      {"Tolima", "", '8'},
      {"Huila", "", '8'},
      {"San Andrés y Providencia", "", '8'},
      {"Meta", "", '8'},
      {"Caquetá", "", '8'},
      {"Casanare", "", '8'},
      {"Vichada", "", '8'},
      {"Guainía", "", '8'},
      {"Vaupés", "", '8'},
      {"Guaviare", "", '8'},
      {"Amazonas", "", '8'},
      {"Putumayo", "", '8'},
      {"", "Medellín", '4'},
      {"", "MEDELLIN", '4'},
      {"", "Barranquilla", '5'},
      {"", "Cúcuta", '7'},
      {"", "Ibagué", '8'},
      {"", "Girardot", '1'},
      {"", "Pereira", '6'},
      {"", "Pasto", '2'},
      {"", "Rionegro", 0},
      {"", "", 0},
      {"Atlantis", "", 0},
      {"Antioquia", "Cali", '4'},
  };
  for (const Row& r : rows) {
    EXPECT_EQ(PhoneNormalizer::ZoneDigit(r.dep, r.mun), r.want) << r.dep << "/" << r.mun;
  }
}

TEST(PhoneNormalizerTest, CodesAndNames) {
  EXPECT_EQ(PhoneTypeName(PhoneType::kMobile), "mobile");
  EXPECT_EQ(PhoneTypeName(PhoneType::kFixed), "fixed");
  EXPECT_EQ(PhoneTypeName(PhoneType::kTollFree), "toll_free");
  EXPECT_EQ(PhoneRejectCode(PhoneReject::kDigitsLost), "DIGITOS_PERDIDOS");
  EXPECT_EQ(PhoneRejectCode(PhoneReject::kNeedsZone), "SIN_INDICATIVO");
  EXPECT_EQ(PhoneRejectReason(PhoneReject::kPlaceholder), "número de relleno");
}

TEST(PhoneNormalizerTest, CachesCellsThatNeededTheLibrary) {
  PhoneNormalizer norm;
  (void)norm.NormalizeCell("+34 912 345 678");
  (void)norm.NormalizeCell("+34 912 345 678");
  (void)norm.NormalizeCell("3001234568");
  EXPECT_EQ(norm.cache_hits(), 1u);
  EXPECT_EQ(norm.cache_misses(), 1u);  // fast-path cells never touch the cache
  // A cell completed from the row's zone is never served from another row's answer.
  EXPECT_THAT(Outcome(norm.NormalizeCell("2345678 / +34 912 345 678", {"Antioquia", ""})),
              ElementsAre("+576042345678 f", "!NUMERO_EXTRANJERO"));
  EXPECT_THAT(Outcome(norm.NormalizeCell("2345678 / +34 912 345 678", {"Valle", ""})),
              ElementsAre("+576022345678 f", "!NUMERO_EXTRANJERO"));
}

TEST(PhoneNormalizerTest, DeferredForeignPiecesAreJudgedOnRequest) {
  PhoneNormalizer norm(PhoneNormalizer::Options{.defer_foreign = true});
  const CellResult& r = norm.NormalizeCell("+1 123 456 7890 / +34 912 345 678 / 3001234568");
  ASSERT_EQ(r.phones.size(), 1u);
  ASSERT_EQ(r.rejected.size(), 2u);
  EXPECT_TRUE(r.rejected[0].unchecked);
  EXPECT_TRUE(r.rejected[1].unchecked);
  const std::string invalid = r.rejected[0].raw;
  const std::string valid = r.rejected[1].raw;
  EXPECT_EQ(norm.CheckForeign(invalid), PhoneReject::kInvalid);  // no area code 123
  EXPECT_EQ(norm.CheckForeign(valid), PhoneReject::kForeign);
  EXPECT_EQ(norm.CheckForeign(valid), PhoneReject::kForeign);  // from its cache
  // Colombian numbers written the international way are never deferred.
  const CellResult& co = norm.NormalizeCell("+57 300 123 4568 / 0057 3001234569");
  EXPECT_THAT(Outcome(co), ElementsAre("+573001234568 m", "+573001234569 m"));
  EXPECT_EQ(norm.CheckForeign("3001234568"), PhoneReject::kInvalid);  // not foreign at all
}

}  // namespace
}  // namespace sondeo::campaigns
