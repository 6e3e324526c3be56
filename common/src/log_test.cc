#include "common/log.h"

#include <gtest/gtest.h>

namespace sondeo {
namespace {

TEST(RedactTest, RemovesPhonesAndDocuments) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"llamando a 3001234567", "llamando a [redactado]"},
      {"llamando a +573001234567 ahora", "llamando a [redactado] ahora"},
      {"cédula 1.020.345.678 importada", "cédula [redactado] importada"},
      {"fijo (601) 234 5678", "fijo [redactado]"},
      {"tel 300-123-4567.", "tel [redactado]."},
      {"sip:+573001234567@127.0.0.1:5070", "sip:[redactado]@127.0.0.1:5070"},
      {"documento 52123456, celular 3109876543", "documento [redactado], celular [redactado]"},
  };
  for (const auto& c : cases) EXPECT_EQ(Redact(c.in), c.out) << c.in;
}

TEST(RedactTest, KeepsShortNumbers) {
  struct Case {
    const char* in;
  } cases[] = {
      {"2026-11-28 17:05:00 campaña 12 intento 3"},
      {"puerto 5060, 487 filas, 12345 contactos"},
      {"versión 1.2.3"},
      {""},
  };
  for (const auto& c : cases) EXPECT_EQ(Redact(c.in), c.in);
}

TEST(LogTest, LevelsCanBeChanged) {
  const auto before = log::GetLevel();
  log::SetLevel(log::Level::kError);
  EXPECT_EQ(log::GetLevel(), log::Level::kError);
  log::Info("not shown {}", 1);
  log::SetLevel(before);
}

}  // namespace
}  // namespace sondeo
