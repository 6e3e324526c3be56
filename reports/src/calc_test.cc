#include "reports/calc.h"

#include <cmath>
#include <numeric>

#include <gtest/gtest.h>

#include "reports/src/svg.h"

namespace sondeo::reports {
namespace {

int64_t SumUnits(const std::vector<double>& pct, int decimals) {
  const double scale = std::pow(10.0, decimals);
  int64_t sum = 0;
  for (double p : pct) sum += std::llround(p * scale);
  return sum;
}

TEST(PercentTest, LargestRemainderTable) {
  struct Case {
    std::vector<int64_t> counts;
    int decimals;
    std::vector<double> want;
  };
  const Case cases[] = {
      {{1, 1, 1}, 1, {33.4, 33.3, 33.3}},
      {{1, 1, 1}, 0, {34, 33, 33}},
      {{2, 1}, 1, {66.7, 33.3}},
      {{0, 0}, 1, {0, 0}},
      {{5}, 1, {100.0}},
      {{148, 38, 5, 10}, 0, {74, 19, 2, 5}},
      {{148, 38, 5, 10}, 1, {73.6, 18.9, 2.5, 5.0}},
      {{279, 43, 202, 210, 2, 89, 420, 226, 142, 5, 16, 3},
       1,
       {17.1, 2.6, 12.3, 12.8, 0.1, 5.4, 25.7, 13.8, 8.7, 0.3, 1.0, 0.2}},
      {{1, 0, 2}, 1, {33.3, 0.0, 66.7}},
  };
  for (const auto& c : cases) {
    const auto got = PercentLargestRemainder(c.counts, c.decimals);
    ASSERT_EQ(got.size(), c.want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_DOUBLE_EQ(got[i], c.want[i]) << i;
  }
}

TEST(PercentTest, AlwaysSumsToExactly100) {
  uint64_t x = 12345;  // deterministic LCG
  for (int trial = 0; trial < 2000; ++trial) {
    std::vector<int64_t> counts(static_cast<size_t>(1 + trial % 13));
    for (auto& c : counts) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      c = static_cast<int64_t>((x >> 33) % 1000);
    }
    if (std::accumulate(counts.begin(), counts.end(), int64_t{0}) == 0) continue;
    for (int d : {0, 1, 2}) {
      const auto pct = PercentLargestRemainder(counts, d);
      EXPECT_EQ(SumUnits(pct, d), 100 * static_cast<int64_t>(std::pow(10, d)));
    }
  }
}

TEST(AaporTest, DomainVector) {
  AaporCounts c{.i = 5, .p = 3, .r = 2, .nc = 1, .o = 2, .uh = 1, .uo = 1, .ne = 1};
  const AaporRates r = ComputeAapor(c, 0.5);
  EXPECT_EQ(r.e_method, "given");
  const std::pair<double, double> want[] = {
      {r.rr1, 1.0 / 3},   {r.rr2, 8.0 / 15},  {r.rr3, 5.0 / 14},   {r.rr4, 4.0 / 7},
      {r.rr5, 5.0 / 13},  {r.rr6, 8.0 / 13},  {r.coop1, 5.0 / 12}, {r.coop2, 2.0 / 3},
      {r.coop3, 1.0 / 2}, {r.coop4, 4.0 / 5}, {r.ref1, 2.0 / 15},  {r.ref2, 1.0 / 7},
      {r.ref3, 2.0 / 13}, {r.con1, 4.0 / 5},  {r.con2, 6.0 / 7},   {r.con3, 12.0 / 13},
  };
  for (size_t k = 0; k < std::size(want); ++k)
    EXPECT_NEAR(want[k].first, want[k].second, 1e-12) << k;
}

TEST(AaporTest, CasroEAndEdges) {
  AaporCounts c{.i = 5, .p = 3, .r = 2, .nc = 1, .o = 2, .uh = 1, .uo = 1, .ne = 1};
  EXPECT_NEAR(CasroE(c), 13.0 / 14, 1e-12);
  const AaporRates r = ComputeAapor(c);
  EXPECT_EQ(r.e_method, "casro");
  EXPECT_NEAR(r.e, 13.0 / 14, 1e-12);
  AaporCounts only_uo{.uo = 7};
  const AaporRates z = ComputeAapor(only_uo);
  EXPECT_EQ(z.e, 0.0);
  EXPECT_EQ(z.rr1, 0.0);
  EXPECT_TRUE(std::isnan(z.rr5));
  EXPECT_TRUE(std::isnan(z.coop1));
  EXPECT_TRUE(std::isnan(z.con3));
  AaporCounts add;
  EXPECT_TRUE(AddToCategory(add, "NC", 3));
  EXPECT_FALSE(AddToCategory(add, "X", 3));
  EXPECT_EQ(add.nc, 3);
}

TEST(SentenceTest, SeedWording) {
  struct Case {
    std::string subject;
    std::vector<SentencePart> parts;
    bool yes_no;
    std::string want;
  };
  const Case cases[] = {
      {"Amabilidad",
       {{"Excelente", 146}, {"Bueno", 38}, {"Regular", 4}, {"Malo", 11}},
       false,
       "El 73% de los ciudadanos encuestados califica la amabilidad como Excelente, seguido de "
       "un 19% (Bueno), 2% (Regular) y 6% (Malo)."},
      {"Conocimiento del tema",
       {{"Excelente", 3}, {"Bueno", 1}, {"Regular", 0}, {"Malo", 0}},
       false,
       "El 75% de los ciudadanos encuestados califica el conocimiento del tema como Excelente, "
       "seguido de un 25% (Bueno). Ninguno eligió Regular ni Malo."},
      {"¿La entidad ayudó a resolver sus problemas y necesidades?",
       {{"Sí", 64}, {"No", 36}},
       true,
       "El 64% de los ciudadanos encuestados responde Sí a la pregunta «¿La entidad ayudó a "
       "resolver sus problemas y necesidades?», frente a un 36% que responde No."},
      {"Rapidez", {{"Excelente", 0}}, false, ""},
      {"Actitud de servicio",
       {{"Excelente", 2}},
       false,
       "El 100% de los ciudadanos encuestados califica la actitud de servicio como Excelente."},
  };
  for (const auto& c : cases) EXPECT_EQ(QuestionSentence(c.subject, c.parts, c.yes_no), c.want);
}

TEST(SentenceTest, Articles) {
  const std::pair<const char*, const char*> cases[] = {
      {"Amabilidad", "la amabilidad"},
      {"Lenguaje claro y sencillo", "el lenguaje claro y sencillo"},
      {"Rapidez en la atención", "la rapidez en la atención"},
      {"Atención", "la atención"},
      {"Tema", "el tema"},
      {"Plataforma", "la plataforma"},
      {"Servicios", "los servicios"},
      {"¿Recomendaría?", "¿Recomendaría?"},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(WithArticle(in), want);
}

TEST(FormatTest, MmSsMinutesMoney) {
  EXPECT_EQ(FormatMmSs(208), "03:28");
  EXPECT_EQ(FormatMmSs(225.4), "03:45");
  EXPECT_EQ(FormatMmSs(59.6), "01:00");
  EXPECT_EQ(FormatMmSs(0), "00:00");
  EXPECT_EQ(FormatMmSs(-3), "00:00");
  EXPECT_EQ(FormatMmSs(std::nan("")), "00:00");
  EXPECT_EQ(FormatMmSs(4503), "75:03");
  EXPECT_EQ(BilledMinutes(0), 0);
  EXPECT_EQ(BilledMinutes(1), 1);
  EXPECT_EQ(BilledMinutes(60'000), 1);
  EXPECT_EQ(BilledMinutes(60'001), 2);
  EXPECT_EQ(FormatCop(17845056), "$ 17.845.056,00");
  EXPECT_EQ(FormatCop(9028568.22), "$ 9.028.568,22");
  EXPECT_EQ(FormatInt(48696), "48.696");
  EXPECT_EQ(FormatInt(100), "100");
  EXPECT_EQ(FormatPercent(73.25), "73,2 %");
}

TEST(ConsumptionTest, AgainstCapacity) {
  const Consumption c = MakeConsumption("2019-09", "sms_segmentos", 48696, 30000, 594.8352);
  EXPECT_TRUE(c.over_capacity);
  EXPECT_NEAR(c.percent_of_capacity, 162.32, 1e-9);
  EXPECT_NEAR(c.budget, 17845056.0, 1e-6);
  const Consumption none = MakeConsumption("2019-09", "minutos_salientes", 10, 0, 0);
  EXPECT_FALSE(none.over_capacity);
  EXPECT_TRUE(std::isnan(none.percent_of_capacity));
}

TEST(SvgTest, EscapesAndSelfContained) {
  const std::string bar = BarChartSvg("A <b> & \"c\"", {{"Sí <x>", 3, 75.0}, {"No", 1, 25.0}});
  EXPECT_NE(bar.find("A &lt;b&gt; &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(bar.find("Sí &lt;x&gt;"), std::string::npos);
  EXPECT_NE(bar.find("75,0 % (3)"), std::string::npos);
  EXPECT_EQ(bar.find("<script"), std::string::npos);
  EXPECT_EQ(bar.find("href"), std::string::npos);
  EXPECT_EQ(bar.find("<b>"), std::string::npos);
  const std::string pie = PieChartSvg("P", {{"Sí", 3, 100.0}, {"No", 0, 0.0}});
  EXPECT_NE(pie.find("<circle"), std::string::npos);
  const std::string pie2 = PieChartSvg("P", {{"Sí", 3, 75.0}, {"No", 1, 25.0}});
  EXPECT_EQ(pie2.find("<circle"), std::string::npos);
  EXPECT_NE(pie2.find(" 0 1,1 "), std::string::npos);  // 75 % slice: large arc
}

}  // namespace
}  // namespace sondeo::reports
