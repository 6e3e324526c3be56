#include "campaigns/src/headers.h"

#include <vector>

#include "tests/testutil/testutil.h"

namespace sondeo::campaigns {
namespace {

TEST(HeadersTest, GuessesSpanishAndEnglishSynonyms) {
  const std::vector<std::pair<std::string, Field>> cases = {
      {"Documento", Field::kDocument},
      {"CÉDULA", Field::kDocument},
      {"cedula", Field::kDocument},
      {"Identificación", Field::kDocument},
      {"CC", Field::kDocument},
      {"NIT", Field::kDocument},
      {"Número de documento", Field::kDocument},
      {"Nombres", Field::kNombres},
      {"Apellidos", Field::kApellidos},
      {"Nombre", Field::kFullName},
      {"Nombre completo", Field::kFullName},
      {"Teléfono", Field::kPhone},
      {"telefono", Field::kPhone},
      {"Fijo", Field::kPhone},
      {"Celular", Field::kPhone},
      {"Móvil", Field::kPhone},
      {"movil", Field::kPhone},
      {"Telefono 2", Field::kPhone},
      {"TELEFONO_3", Field::kPhone},
      {"cel", Field::kPhone},
      {"Tel1", Field::kPhone},
      {"Número celular", Field::kPhone},
      {"Phone", Field::kPhone},
      {"Correo", Field::kEmail},
      {"Correo electrónico", Field::kEmail},
      {"E-mail", Field::kEmail},
      {"Municipio", Field::kMunicipio},
      {"Ciudad", Field::kMunicipio},
      {"Departamento", Field::kDepartamento},
      {"Estrato", Field::kExtra},
      {"Fecha afiliación", Field::kExtra},
      {"Celebración", Field::kExtra},
      {"", Field::kExtra},
  };
  for (const auto& [header, want] : cases) {
    EXPECT_EQ(GuessField(header), want) << header;
  }
}

TEST(HeadersTest, MapsColumnsAndKeepsExtras) {
  auto m =
      MapHeader({"Cédula", "Nombres", "Celular", "Estrato", "Teléfono 2", "Cédula"}, {}, "b.csv");
  ASSERT_OK(m);
  EXPECT_EQ(m->document, 0);
  EXPECT_EQ(m->nombres, 1);
  EXPECT_EQ(m->phones, (std::vector<size_t>{2, 4}));
  EXPECT_EQ(m->extras, (std::vector<size_t>{3, 5}));  // a second document column is kept
}

TEST(HeadersTest, MapOverrides) {
  auto m = MapHeader({"ID", "Contacto", "Notas"},
                     {"id=documento", "CONTACTO=telefono", "notas=ignorar"}, "b.csv");
  ASSERT_OK(m);
  EXPECT_EQ(m->document, 0);
  EXPECT_EQ(m->phones, (std::vector<size_t>{1}));
  EXPECT_TRUE(m->extras.empty());
  // Overriding a guessed phone column away can leave no phone column.
  auto none = MapHeader({"Celular"}, {"celular=extra"}, "b.csv");
  ASSERT_FALSE(none.ok());
}

TEST(HeadersTest, Errors) {
  auto no_phone = MapHeader({"Nombre", "Cédula"}, {}, "base.csv");
  ASSERT_FALSE(no_phone.ok());
  EXPECT_THAT(no_phone.error().message(), ::testing::HasSubstr("base.csv"));
  EXPECT_THAT(no_phone.error().message(), ::testing::HasSubstr("ninguna columna de teléfono"));
  EXPECT_FALSE(MapHeader({"Tel"}, {"sin-igual"}, "b.csv").ok());
  EXPECT_FALSE(MapHeader({"Tel"}, {"Tel=color"}, "b.csv").ok());
  auto missing = MapHeader({"Tel"}, {"Fax=telefono"}, "b.csv");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.error().message(), ::testing::HasSubstr("'Fax'"));
}

TEST(HeadersTest, NormalizeDocument) {
  EXPECT_EQ(NormalizeDocument("0012.345.678"), "12345678");
  EXPECT_EQ(NormalizeDocument(" CC 1.020.304.050 "), "1020304050");
  EXPECT_EQ(NormalizeDocument("900123456-7"), "9001234567");
  EXPECT_EQ(NormalizeDocument("000"), "");
  EXPECT_EQ(NormalizeDocument(""), "");
}

}  // namespace
}  // namespace sondeo::campaigns
