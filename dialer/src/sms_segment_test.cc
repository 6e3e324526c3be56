#include <string>
#include <vector>

#include "dialer/sms.h"
#include "tests/testutil/testutil.h"

namespace sondeo::dialer {
namespace {

std::string Rep(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s);
  return out;
}

struct Vector {
  std::string name;
  std::string text;
  SmsEncoding encoding;
  int units;
  std::vector<int> sizes;
};

// Every vector of domain.md §4.
TEST(SmsSegmentTest, DomainVectors) {
  const std::vector<Vector> vectors = {
      {"senora", "Señora Muñoz: su encuesta es el 5/10. ¡Gracias!", SmsEncoding::kGsm7, 47, {47}},
      {"como_esta", "Hola, ¿cómo está?", SmsEncoding::kUcs2, 17, {17}},
      {"satisfaccion", "Encuesta de satisfacción del servicio", SmsEncoding::kUcs2, 37, {37}},
      {"ext_chars", "Responda {SI} o [NO]", SmsEncoding::kGsm7, 24, {24}},
      {"160a", Rep("a", 160), SmsEncoding::kGsm7, 160, {160}},
      {"161a", Rep("a", 161), SmsEncoding::kGsm7, 161, {153, 8}},
      {"80euro", Rep("€", 80), SmsEncoding::kGsm7, 160, {160}},
      {"81euro", Rep("€", 81), SmsEncoding::kGsm7, 162, {152, 10}},
      {"70a_acute", Rep("á", 70), SmsEncoding::kUcs2, 70, {70}},
      {"71a_acute", Rep("á", 71), SmsEncoding::kUcs2, 71, {67, 4}},
      {"emoji", "Gracias 😊", SmsEncoding::kUcs2, 10, {10}},
      {"escape_pair_not_split",
       Rep("a", 152) + "€" + Rep("a", 152),
       SmsEncoding::kGsm7,
       306,
       {152, 153, 1}},
      {"surrogate_not_split",
       Rep("a", 66) + "😊" + Rep("a", 66),
       SmsEncoding::kUcs2,
       134,
       {66, 67, 1}},
      {"empty", "", SmsEncoding::kGsm7, 0, {0}},
      {"grave_accent_is_not_gsm", "`", SmsEncoding::kUcs2, 1, {1}},
      {"lf_cr_basic", "a\r\nb", SmsEncoding::kGsm7, 4, {4}},
      {"form_feed_ext", "\f", SmsEncoding::kGsm7, 2, {2}},
      {"invalid_utf8", "a\xff", SmsEncoding::kUcs2, 2, {2}},
  };
  for (const auto& v : vectors) {
    SCOPED_TRACE(v.name);
    const SmsSegmentation s = Segment(v.text);
    EXPECT_EQ(s.encoding, v.encoding);
    EXPECT_EQ(s.units, v.units);
    EXPECT_EQ(s.segment_sizes, v.sizes);
    EXPECT_EQ(s.segments, static_cast<int>(v.sizes.size()));
  }
}

TEST(SmsSegmentTest, NonGsmCharsListedOnceInOrder) {
  const SmsSegmentation s = Segment("Hola, ¿cómo está? ¿Cómo estás tú, “amigo”?");
  EXPECT_THAT(s.non_gsm_chars,
              ::testing::ElementsAre("ó", "á", "ú", "\xE2\x80\x9C", "\xE2\x80\x9D"));
  EXPECT_TRUE(Segment("Señora Muñoz ¿é? ¡ü!").non_gsm_chars.empty());
}

TEST(SmsSegmentTest, Gsm7AlternativeReplacesOnlyNonGsm) {
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"Encuesta de satisfacción", "Encuesta de satisfaccion"},
      {"ÁÉÍÓÚ áéíóú Ññ Üü ¿¡", "AÉIOU aéiou Ññ Üü ¿¡"},
      {"“Hola” ‘mundo’ – ok — sí…", "\"Hola\" 'mundo' - ok - si..."},
      {"Responda {SI} o [NO] €", "Responda {SI} o [NO] €"},
      {"N\xC2\xBA 5, 20\xC2\xB0", "No 5, 20o"},
      {"Gracias 😊", "Gracias ?"},
      {"ç", "Ç"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(Gsm7Alternative(c.in), c.out);
    EXPECT_TRUE(IsPureGsm7(Gsm7Alternative(c.in)));
  }
}

// Every message of the seed's Tabla 17: segments x recipients = the billed quantity.
TEST(SmsSegmentTest, SeedTabla17) {
  const std::string m1 =
      "¡La ART recuerda! Diligencia este cuestionario y cuéntenos qué temas de la Entidad "
      "quiere conocer en la rendición http://bit.ly/2YZNJSQ";
  const std::string m2 =
      "¡La ART recuerda! No olvide diligenciar HOY este cuestionario y denos su opinión sobre "
      "gestión de la Entidad en el 2018 http://bit.ly/2YZNJSQ";
  const std::string coloso1 =
      "ART adelanta socializaciones del PDET con grupos motor de la Subregión Montes de María en "
      "el municipio de Colosó, Sucre.";
  const std::string solita1 =
      "ART adelanta socializaciones del PDET con grupos motor de la Subregión Cuenca del Caguán y "
      "Piedemonte Caquetefío en el municipio de Solita.";
  const std::string orito1 =
      "ART adelanta socializaciones del PDET con grupos motor de la Subregión Putumayo en el "
      "municipio de Orito";
  const std::string s2 =
      "En cada municipio participan 11 delegados de los grupos motor con el fin de conocer el "
      "proceso participativo del PDET";
  const std::string s3 =
      "ART expone a los 11 delegados los avances en la gestión institucional y los esfuerzos del "
      "Gobierno Nacional para la implementación";
  const std::string s4 =
      "Con socializaciones ART se potencia la participación de las comunidades en la "
      "implementación de los acuerdos y la ejecución de los PDET";
  struct Row {
    std::string what;
    const std::string* text;
    int recipients;
    int quantity;
  };
  const std::vector<Row> rows = {
      {"Mensaje 1 (1/09)", &m1, 3513, 10539},
      {"Mensaje 1 (2/09)", &m1, 3513, 10539},
      {"Mensaje 2", &m2, 3513, 10539},
      {"Colosó 1", &coloso1, 35, 70},
      {"Colosó 2", &s2, 35, 35},
      {"Colosó 3", &s3, 35, 70},
      {"Colosó 4", &s4, 35, 105},
      {"Solita 1", &solita1, 47, 141},
      {"Solita 2", &s2, 47, 47},
      {"Solita 3", &s3, 47, 94},
      {"Solita 4", &s4, 47, 141},
      {"Orito 1", &orito1, 51, 102},
      {"Orito 2", &s2, 51, 51},
      {"Orito 3", &s3, 51, 102},
      {"Orito 4", &s4, 51, 153},
      {"Tolviejo 3", &s3, 36, 72},
      {"Tolviejo 4", &s4, 36, 108},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.what);
    const SmsSegmentation s = Segment(*r.text);
    EXPECT_EQ(s.segments * r.recipients, r.quantity);
  }
  // Colosó: 35 recipients -> 70, 35, 70, 105 (UCS-2, GSM-7, UCS-2, UCS-2).
  EXPECT_EQ(Segment(coloso1).encoding, SmsEncoding::kUcs2);
  EXPECT_EQ(Segment(s2).encoding, SmsEncoding::kGsm7);
  // The GSM-7 alternative of Colosó 4 fits in one segment: a third of the price.
  const SmsEstimate e = Estimate(s4);
  EXPECT_EQ(e.seg.segments, 3);
  EXPECT_EQ(e.alternative.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(e.alternative.segments, 1);
  EXPECT_THAT(e.seg.non_gsm_chars, ::testing::ElementsAre("ó"));
}

TEST(SmsTemplateTest, RendersPlaceholders) {
  auto lookup = [](std::string_view n) -> std::optional<std::string> {
    if (n == "nombres") return "María José";
    if (n == "municipio") return "Colosó";
    if (n == "vacío") return "";
    return std::nullopt;
  };
  struct Case {
    std::string tmpl;
    std::optional<std::string> out;
  };
  const std::vector<Case> cases = {
      {"Hola {nombres}, de {municipio}", "Hola María José, de Colosó"},
      {"{ nombres }!", "María José!"},
      {"Literal {{SI}} o }}", "Literal {SI} o }"},
      {"{vacío}x", "x"},
      {"Hola {apellidos}", std::nullopt},
      {"Hola {nombres", std::nullopt},
      {"sin campos", "sin campos"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.tmpl);
    auto r = RenderTemplate(c.tmpl, lookup);
    if (c.out) {
      ASSERT_OK(r);
      EXPECT_EQ(*r, *c.out);
    } else {
      EXPECT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    }
  }
  auto err = RenderTemplate("Hola {apellidos}", lookup);
  EXPECT_THAT(err.status().message(), ::testing::HasSubstr("columna 6"));
  EXPECT_THAT(err.status().message(), ::testing::HasSubstr("{apellidos}"));
  auto names = TemplatePlaceholders("{a} {b} {a} {{c}}");
  ASSERT_OK(names);
  EXPECT_THAT(*names, ::testing::ElementsAre("a", "b"));
}

}  // namespace
}  // namespace sondeo::dialer
