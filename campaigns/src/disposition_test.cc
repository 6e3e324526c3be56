#include <set>
#include <string>

#include <gtest/gtest.h>

#include "campaigns/campaign.h"

namespace sondeo::campaigns {
namespace {

TEST(DispositionCatalogTest, SeedTwelveThenSystemOnes) {
  const auto cat = DispositionCatalog::Defaults();
  const std::vector<std::string> agent = {
      "CORREO DE VOZ",       "CONMUTADOR",        "ENCUESTA EFECTIVA", "ENCUESTA NO EFECTIVA",
      "LÍNEA DE LA ENTIDAD", "NO CONTESTA",       "NO REGISTRA DATOS", "TELÉFONO DAÑADO",
      "TELÉFONO EQUIVOCADO", "TELÉFONO INVÁLIDO", "VOLVER A LLAMAR",   "YA ENCUESTADO"};
  const std::vector<std::string> system = {"OCUPADO",      "NO_CONTESTA_TIMEOUT", "NUMERO_INVALIDO",
                                           "FALLA_DE_RED", "ABANDONADA",          "INTERRUMPIDA",
                                           "RECHAZADA"};
  ASSERT_EQ(cat.all().size(), agent.size() + system.size());
  for (size_t i = 0; i < agent.size(); ++i) {
    EXPECT_EQ(cat.all()[i].label, agent[i]);
    EXPECT_NE(cat.all()[i].set_by, SetBy::kSystem) << agent[i];
  }
  for (size_t i = 0; i < system.size(); ++i) {
    EXPECT_EQ(cat.all()[agent.size() + i].code, system[i]);
    EXPECT_EQ(cat.all()[agent.size() + i].set_by, SetBy::kSystem) << system[i];
  }
}

TEST(DispositionCatalogTest, Invariants) {
  const auto cat = DispositionCatalog::Defaults();
  std::set<std::string> codes;
  int completes = 0;
  for (const auto& d : cat.all()) {
    SCOPED_TRACE(d.code);
    EXPECT_TRUE(codes.insert(d.code).second) << "duplicate";
    for (char c : d.code) EXPECT_TRUE((c >= 'A' && c <= 'Z') || c == '_');
    EXPECT_FALSE(d.label.empty());
    EXPECT_FALSE(AaporCategory(d.aapor).empty()) << d.aapor;
    if (d.complete) {
      ++completes;
      EXPECT_TRUE(d.final && d.contact);
      EXPECT_EQ(AaporCategory(d.aapor), "I");
    }
    if (d.refusal) {
      EXPECT_TRUE(d.contact && !d.complete);
    }
    if (d.callback) {
      EXPECT_FALSE(d.final);
    }
    if (d.final) {
      EXPECT_EQ(d.retry_max, 0);
    }
    EXPECT_GE(d.retry_delay.count(), 0);
    // Only these two do not consume an attempt.
    EXPECT_EQ(d.consumes_attempt, d.code != "FALLA_DE_RED" && d.code != "INTERRUMPIDA");
    EXPECT_EQ(cat.Find(d.code), &d);
  }
  EXPECT_EQ(completes, 1);
  EXPECT_EQ(cat.Find("NOPE"), nullptr);
}

TEST(DispositionCatalogTest, Semantics) {
  const auto cat = DispositionCatalog::Defaults();
  struct Case {
    const char* code;
    bool final, contact, complete, refusal, next_phone;
    const char* aapor;
  } cases[] = {
      {"ENCUESTA_EFECTIVA", true, true, true, false, false, "1.1"},
      {"ENCUESTA_NO_EFECTIVA", true, true, false, true, false, "2.112"},
      {"NO_CONTESTA", false, false, false, false, false, "3.13"},
      {"CORREO_DE_VOZ", false, false, false, false, false, "3.14"},
      {"TELEFONO_INVALIDO", true, false, false, false, true, "4.32"},
      {"TELEFONO_DANADO", false, false, false, false, true, "3.16"},
      {"TELEFONO_EQUIVOCADO", true, false, false, false, true, "4.70"},
      {"NUMERO_INVALIDO", true, false, false, false, true, "4.32"},
      {"YA_ENCUESTADO", true, true, false, false, false, "4.10"},
      {"VOLVER_A_LLAMAR", false, true, false, false, false, "2.21"},
      {"OCUPADO", false, false, false, false, false, "3.12"},
  };
  for (const auto& c : cases) {
    const auto* d = cat.Find(c.code);
    ASSERT_NE(d, nullptr) << c.code;
    EXPECT_EQ(d->final, c.final) << c.code;
    EXPECT_EQ(d->contact, c.contact) << c.code;
    EXPECT_EQ(d->complete, c.complete) << c.code;
    EXPECT_EQ(d->refusal, c.refusal) << c.code;
    EXPECT_EQ(d->try_next_phone, c.next_phone) << c.code;
    EXPECT_EQ(d->aapor, c.aapor) << c.code;
  }
  EXPECT_TRUE(cat.Find("VOLVER_A_LLAMAR")->callback);
  EXPECT_GE(cat.Find("ABANDONADA")->retry_delay, std::chrono::hours{72});
}

TEST(DispositionCatalogTest, AaporCategories) {
  const std::pair<const char*, const char*> cases[] = {
      {"1.1", "I"},   {"1.2", "P"},   {"2.11", "R"},  {"2.112", "R"}, {"2.20", "NC"},
      {"2.21", "NC"}, {"2.36", "O"},  {"3.13", "UH"}, {"3.90", "UO"}, {"3.21", "UO"},
      {"4.32", "NE"}, {"4.10", "NE"}, {"9.9", ""},    {"", ""},       {"1.3", ""},
  };
  for (const auto& [code, cat] : cases) EXPECT_EQ(AaporCategory(code), cat) << code;
}

TEST(DispositionCatalogTest, UpsertReplacesOrAppends) {
  auto cat = DispositionCatalog::Defaults();
  const size_t n = cat.all().size();
  Disposition d = *cat.Find("OCUPADO");
  d.retry_max = 7;
  cat.Upsert(d);
  EXPECT_EQ(cat.all().size(), n);
  EXPECT_EQ(cat.Find("OCUPADO")->retry_max, 7);
  d.code = "NUEVO";
  cat.Upsert(d);
  EXPECT_EQ(cat.all().size(), n + 1);
  EXPECT_EQ(cat.all().back().code, "NUEVO");
}

}  // namespace
}  // namespace sondeo::campaigns
