#include "reports/report.h"

#include <cmath>
#include <cstdlib>
#include <numeric>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "campaigns/schema.h"
#include "dialer/schema.h"
#include "reports/schema.h"
#include "store/db.h"
#include "surveys/schema.h"
#include "tests/testutil/testutil.h"

namespace sondeo::reports {
namespace {

using nlohmann::json;

constexpr int64_t kNow = 1569888000000;  // 2019-09-30 19:00 local

std::unique_ptr<store::Db> SeedDb(const std::string& path) {
  store::DbOptions opts;
  for (auto part : {store::Migrations(), campaigns::Migrations(), surveys::Migrations(),
                    dialer::Migrations(), reports::Migrations()}) {
    for (auto& m : part) opts.migrations.push_back(std::move(m));
  }
  auto db = store::Db::Open(path, opts);
  EXPECT_OK(db);
  if (!db) return nullptr;
  const std::string sql =
      testing::ReadFile((testing::SourceDir() / "tests/reports/seed_campaign.sql").string());
  EXPECT_OK((*db)->Exec(sql));
  return std::move(*db);
}

class SeedReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = SeedDb(dir_.File("seed.db"));
    ASSERT_NE(db_, nullptr);
    auto r = BuildReport(*db_, "art-2019", {}, kNow);
    ASSERT_OK(r);
    report_ = std::move(*r);
    j_ = json::parse(RenderJson(report_));
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Db> db_;
  Report report_;
  json j_;
};

double SumPercents(const json& rows) {
  double s = 0;
  for (const auto& r : rows) s += r["percent"].get<double>();
  return s;
}

TEST_F(SeedReportTest, FunnelAndDispositions) {
  const json& f = j_["funnel"];
  EXPECT_EQ(f["initial"], 5606);
  EXPECT_EQ(f["rejected"], 2386);
  EXPECT_EQ(f["cleaned"], 3220);
  EXPECT_EQ(f["duplicates"], 1583);
  EXPECT_EQ(f["suppressed"], 0);
  EXPECT_EQ(f["callable"], 1637);
  EXPECT_EQ(f["rejected_by_reason"][0]["reason"], "SIN_TELEFONO");
  EXPECT_EQ(f["rejected_by_reason"][0]["count"], 1900);
  EXPECT_EQ(j_["managed"], 1637);
  const std::vector<std::tuple<std::string, std::string, int64_t, double>> want = {
      {"CORREO_DE_VOZ", "CORREO DE VOZ", 279, 17.1},
      {"CONMUTADOR", "CONMUTADOR", 43, 2.6},
      {"ENCUESTA_EFECTIVA", "ENCUESTA EFECTIVA", 202, 12.3},
      {"ENCUESTA_NO_EFECTIVA", "ENCUESTA NO EFECTIVA", 210, 12.8},
      {"LINEA_DE_LA_ENTIDAD", "LÍNEA DE LA ENTIDAD", 2, 0.1},
      {"NO_CONTESTA", "NO CONTESTA", 89, 5.4},
      {"NO_REGISTRA_DATOS", "NO REGISTRA DATOS", 420, 25.7},
      {"TELEFONO_DANADO", "TELÉFONO DAÑADO", 226, 13.8},
      {"TELEFONO_EQUIVOCADO", "TELÉFONO EQUIVOCADO", 142, 8.7},
      {"TELEFONO_INVALIDO", "TELÉFONO INVÁLIDO", 5, 0.3},
      {"VOLVER_A_LLAMAR", "VOLVER A LLAMAR", 16, 1.0},
      {"YA_ENCUESTADO", "YA ENCUESTADO", 3, 0.2},
  };
  const json& d = j_["dispositions"];
  ASSERT_EQ(d.size(), want.size());
  int64_t total = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(d[i]["code"], std::get<0>(want[i]));
    EXPECT_EQ(d[i]["label"], std::get<1>(want[i]));
    EXPECT_EQ(d[i]["count"], std::get<2>(want[i]));
    EXPECT_DOUBLE_EQ(d[i]["percent"].get<double>(), std::get<3>(want[i])) << i;
    total += d[i]["count"].get<int64_t>();
  }
  EXPECT_EQ(total, 1637);
  EXPECT_NEAR(SumPercents(d), 100.0, 1e-9);
}

TEST_F(SeedReportTest, AttemptLevel) {
  EXPECT_EQ(j_["attempts"]["total"], 2046);
  const json& a = j_["attempts"]["dispositions"];
  int64_t total = 0;
  for (const auto& r : a) {
    total += r["count"].get<int64_t>();
    if (r["code"] == "NO_CONTESTA") {
      EXPECT_EQ(r["count"], 89 + 369);
    }
    if (r["code"] == "ABANDONADA") {
      EXPECT_EQ(r["count"], 40);
    }
  }
  EXPECT_EQ(total, 2046);
  EXPECT_NEAR(SumPercents(a), 100.0, 1e-9);
}

TEST_F(SeedReportTest, QuestionDistributions) {
  EXPECT_EQ(j_["completes"], 202);
  const json& qs = j_["questions"];
  ASSERT_EQ(qs.size(), 3u);
  EXPECT_EQ(qs[0]["id"], "p1");
  EXPECT_EQ(qs[0]["type"], "matrix");
  ASSERT_EQ(qs[0]["items"].size(), 4u);
  struct Want {
    std::string item;
    std::vector<int64_t> counts;
    std::vector<double> pct;
    int64_t ns_nr;
    std::string sentence;
  };
  const Want want[] = {
      {"amabilidad",
       {148, 39, 5, 10},
       {73.3, 19.3, 2.5, 4.9},
       0,
       "El 73% de los ciudadanos encuestados califica la amabilidad como Excelente, seguido de "
       "un 19% (Bueno), 3% (Regular) y 5% (Malo)."},
      {"conocimiento",
       {135, 35, 16, 16},
       {66.9, 17.3, 7.9, 7.9},
       0,
       "El 67% de los ciudadanos encuestados califica el conocimiento del tema como Excelente, "
       "seguido de un 17% (Bueno), 8% (Regular) y 8% (Malo)."},
      {"actitud",
       {135, 46, 4, 8},
       {70.0, 23.8, 2.1, 4.1},
       9,
       "El 70% de los ciudadanos encuestados califica la actitud de servicio como Excelente, "
       "seguido de un 24% (Bueno), 2% (Regular) y 4% (Malo)."},
      {"lenguaje",
       {152, 30, 8, 12},
       {75.2, 14.9, 4.0, 5.9},
       0,
       "El 75% de los ciudadanos encuestados califica el lenguaje claro y sencillo como "
       "Excelente, seguido de un 15% (Bueno), 4% (Regular) y 6% (Malo)."},
  };
  const std::vector<std::string> labels = {"Excelente", "Bueno", "Regular", "Malo"};
  for (size_t i = 0; i < 4; ++i) {
    const json& it = qs[0]["items"][i];
    EXPECT_EQ(it["id"], want[i].item);
    ASSERT_EQ(it["options"].size(), 4u);
    for (size_t k = 0; k < 4; ++k) {
      EXPECT_EQ(it["options"][k]["label"], labels[k]);
      EXPECT_EQ(it["options"][k]["count"], want[i].counts[k]) << want[i].item << k;
      EXPECT_DOUBLE_EQ(it["options"][k]["percent"].get<double>(), want[i].pct[k]);
    }
    EXPECT_EQ(it["ns_nr"]["count"], want[i].ns_nr);
    EXPECT_EQ(it["base"], 202 - want[i].ns_nr);
    EXPECT_NEAR(SumPercents(it["options"]), 100.0, 1e-9);
    EXPECT_EQ(it["sentence"], want[i].sentence);
  }
  EXPECT_DOUBLE_EQ(qs[0]["items"][2]["ns_nr"]["percent"].get<double>(), 4.5);
  const json& p2 = qs[1]["items"][0];
  EXPECT_EQ(p2["id"], "p2");
  EXPECT_EQ(p2["options"][0]["count"], 97);
  EXPECT_DOUBLE_EQ(p2["options"][1]["percent"].get<double>(), 32.2);
  EXPECT_EQ(p2["sentence"],
            "El 48% de los ciudadanos encuestados califica la rapidez en la atención como "
            "Excelente, seguido de un 32% (Bueno), 12% (Regular) y 8% (Malo).");
  const json& p3 = qs[2]["items"][0];
  EXPECT_EQ(qs[2]["type"], "yes_no");
  EXPECT_EQ(p3["options"][0]["value"], "si");
  EXPECT_EQ(p3["options"][0]["count"], 129);
  EXPECT_DOUBLE_EQ(p3["options"][0]["percent"].get<double>(), 63.9);
  EXPECT_DOUBLE_EQ(p3["options"][1]["percent"].get<double>(), 36.1);
  EXPECT_EQ(p3["sentence"],
            "El 64% de los ciudadanos encuestados responde Sí a la pregunta «¿La entidad ayudó "
            "a resolver sus problemas y necesidades?», frente a un 36% que responde No.");
}

TEST_F(SeedReportTest, ByDayWeekAgent) {
  const json& days = j_["by_day"];
  ASSERT_EQ(days.size(), 20u);
  EXPECT_EQ(days[0]["date"], "2019-09-02");
  EXPECT_EQ(days[0]["attempts"], 162);
  EXPECT_EQ(days[0]["answered"], 92);
  EXPECT_EQ(days[0]["completes"], 10);
  EXPECT_EQ(days[0]["abandons"], 40);
  EXPECT_DOUBLE_EQ(days[0]["contact_rate"].get<double>(), 56.8);
  EXPECT_EQ(days[0]["tmo"], "03:28");
  EXPECT_EQ(days[19]["date"], "2019-09-27");
  EXPECT_EQ(days[19]["attempts"], 81);
  EXPECT_EQ(days[19]["answered"], 51);
  int64_t attempts = 0, answered = 0, completes = 0;
  for (const auto& d : days) {
    attempts += d["attempts"].get<int64_t>();
    answered += d["answered"].get<int64_t>();
    completes += d["completes"].get<int64_t>();
  }
  EXPECT_EQ(attempts, 2046);
  EXPECT_EQ(answered, 1078);
  EXPECT_EQ(completes, 202);
  const json& weeks = j_["by_week"];
  ASSERT_EQ(weeks.size(), 4u);
  EXPECT_EQ(weeks[0]["week_start"], "2019-09-02");
  EXPECT_EQ(weeks[0]["attempts"], 572);
  EXPECT_EQ(weeks[0]["answered"], 300);
  EXPECT_EQ(weeks[0]["completes"], 52);
  EXPECT_EQ(weeks[0]["abandons"], 40);
  EXPECT_EQ(weeks[3]["week_start"], "2019-09-23");
  EXPECT_EQ(weeks[3]["tmo_seconds"], 208.0);
  const json& agents = j_["by_agent"];
  ASSERT_EQ(agents.size(), 3u);
  EXPECT_EQ(agents[0]["agent"], "agente1");
  EXPECT_EQ(agents[0]["attempts"], 345);
  EXPECT_EQ(agents[0]["completes"], 67);
  EXPECT_DOUBLE_EQ(agents[0]["completes_per_hour"].get<double>(), 7.88);
  EXPECT_EQ(agents[0]["aht"], "01:29");
  EXPECT_EQ(agents[2]["completes"], 68);
}

TEST_F(SeedReportTest, Aapor) {
  const json& a = j_["aapor"];
  // I = EFECTIVA; R = NO EFECTIVA (2.112); NC = VOLVER A LLAMAR (2.21);
  // UH = CORREO DE VOZ (3.14) + NO CONTESTA (3.13) + DAÑADO (3.16);
  // NE = CONMUTADOR + LÍNEA (4.51) + NO REGISTRA + EQUIVOCADO (4.70) + INVÁLIDO (4.32) + YA (4.10).
  EXPECT_EQ(a["counts"]["I"], 202);
  EXPECT_EQ(a["counts"]["P"], 0);
  EXPECT_EQ(a["counts"]["R"], 210);
  EXPECT_EQ(a["counts"]["NC"], 16);
  EXPECT_EQ(a["counts"]["O"], 0);
  EXPECT_EQ(a["counts"]["UH"], 279 + 89 + 226);
  EXPECT_EQ(a["counts"]["UO"], 0);
  EXPECT_EQ(a["counts"]["NE"], 43 + 2 + 420 + 142 + 5 + 3);
  EXPECT_EQ(a["e_method"], "casro");
  const double e = 428.0 / (428.0 + 615.0);
  EXPECT_NEAR(a["e"].get<double>(), e, 1e-12);
  EXPECT_NEAR(a["RR1"].get<double>(), 202.0 / (428 + 594), 1e-12);
  EXPECT_NEAR(a["RR3"].get<double>(), 202.0 / (428 + e * 594), 1e-12);
  EXPECT_NEAR(a["RR5"].get<double>(), 202.0 / 428, 1e-12);
  EXPECT_NEAR(a["COOP1"].get<double>(), 202.0 / 412, 1e-12);
  EXPECT_NEAR(a["REF1"].get<double>(), 210.0 / 1022, 1e-12);
  EXPECT_NEAR(a["CON3"].get<double>(), 412.0 / 428, 1e-12);
}

TEST_F(SeedReportTest, SmsAndConsumption) {
  const json& m = j_["sms"]["messages"];
  ASSERT_EQ(m.size(), 4u);
  const int64_t billed[] = {70, 35, 70, 105};
  const int64_t segs[] = {2, 1, 2, 3};
  const char* times[] = {"2019-09-16 09:00", "2019-09-16 09:15", "2019-09-16 09:30",
                         "2019-09-16 09:45"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(m[i]["recipients"], 35);
    EXPECT_EQ(m[i]["segments"], segs[i]);
    EXPECT_EQ(m[i]["billed_units"], billed[i]);
    EXPECT_EQ(m[i]["time"], times[i]);
    EXPECT_DOUBLE_EQ(m[i]["delivered_percent"].get<double>(), 94.3);
  }
  EXPECT_EQ(j_["sms"]["billed_units_total"], 280);
  const json& c = j_["consumption"];
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0]["month"], "2019-09");
  EXPECT_EQ(c[0]["item"], "minutos_salientes");
  EXPECT_EQ(c[0]["used"], 1482);
  EXPECT_EQ(c[1]["item"], "sms_segmentos");
  EXPECT_EQ(c[1]["used"], 280);
  EXPECT_EQ(c[1]["capacity"], 30000);
  EXPECT_DOUBLE_EQ(c[1]["value"].get<double>(), 166553.86);
  EXPECT_DOUBLE_EQ(c[1]["budget"].get<double>(), 17845056.0);
  EXPECT_EQ(c[1]["over_capacity"], false);
}

TEST_F(SeedReportTest, DateRangeAndPending) {
  ReportOptions opt;
  opt.from = "2019-09-23";
  opt.to = "2019-09-27";
  auto r = BuildReport(*db_, "art-2019", opt, kNow);
  ASSERT_OK(r);
  EXPECT_EQ(r->by_day.size(), 5u);
  EXPECT_EQ(r->by_week.size(), 1u);
  EXPECT_EQ(r->attempts_total, 82 + 164 + 82 + 81 + 81);
  EXPECT_EQ(r->managed, 1637);  // the state of the campaign, not limited by the period
  // A running campaign: contacts without a final disposition count as PENDIENTE.
  ASSERT_OK(
      db_->Exec("DELETE FROM contact_dialing WHERE contact_id > 1600;"
                "UPDATE contact_dialing SET status = 'pending', final_disposition = NULL"
                " WHERE contact_id BETWEEN 1 AND 10;"));
  auto p = BuildReport(*db_, "art-2019", {}, kNow);
  ASSERT_OK(p);
  ASSERT_FALSE(p->dispositions.empty());
  EXPECT_EQ(p->dispositions.back().code, "PENDIENTE");
  EXPECT_EQ(p->dispositions.back().count, 37 + 10);
  int64_t total = 0;
  double pct = 0;
  for (const auto& d : p->dispositions) {
    total += d.count;
    pct += d.percent;
  }
  EXPECT_EQ(total, 1637);
  EXPECT_NEAR(pct, 100.0, 1e-9);
  EXPECT_EQ(p->aapor.counts.uh, 279 - 10 + 89 + 226 + 47);
}

// Every number of the JSON, against the reviewed golden file (tests/reports/). To refresh it
// after an intended change: SONDEO_UPDATE_GOLDEN=1 reports_test, then review the diff.
TEST_F(SeedReportTest, WholeJsonMatchesGolden) {
  const std::string golden =
      (testing::SourceDir() / "tests/reports/seed_report.golden.json").string();
  const std::string got = RenderJson(report_) + "\n";
  if (const char* u = std::getenv("SONDEO_UPDATE_GOLDEN"); u != nullptr && *u == '1') {
    testing::WriteFile(golden, got);
  }
  EXPECT_EQ(json::parse(got), json::parse(testing::ReadFile(golden)));
}

TEST_F(SeedReportTest, ConsumptionAgainstTheCampaignContract) {
  auto st = db_->Prepare("UPDATE campaigns SET config_yaml = ? WHERE id = 'art-2019'");
  ASSERT_OK(st);
  st->Bind(1,
           "id: art-2019\n"
           "name: Encuesta de satisfacción ART\n"
           "entity: Agencia de Renovación del Territorio\n"
           "purpose: Medir la satisfacción\n"
           "legal_basis: Ley 1581 de 2012 art. 10\n"
           "survey: satisfaccion_art.yaml\n"
           "contract:\n"
           "  purchase_order: OC 33693\n"
           "  outbound_minutes: {capacity: 1000, unit_price: 150.5}\n"
           "  sms_segments: {capacity: 250, unit_price: 594.8352}\n");
  ASSERT_OK(st->Run());
  auto r = BuildReport(*db_, "art-2019", {}, kNow);
  ASSERT_OK(r);
  EXPECT_EQ(r->purchase_order, "OC 33693");
  ASSERT_EQ(r->consumption.size(), 2u);
  const Consumption& min = r->consumption[0];
  EXPECT_EQ(min.item, "minutos_salientes");
  EXPECT_EQ(min.used, 1482);
  EXPECT_EQ(min.capacity, 1000);
  EXPECT_TRUE(min.over_capacity);
  EXPECT_DOUBLE_EQ(min.percent_of_capacity, 148.2);
  EXPECT_DOUBLE_EQ(min.value, 1482 * 150.5);
  const Consumption& sms = r->consumption[1];
  EXPECT_EQ(sms.capacity, 250);
  EXPECT_TRUE(sms.over_capacity);
  EXPECT_NE(RenderHtml(*r).find("Orden de compra: OC 33693"), std::string::npos);
}

TEST(ReportErrorsTest, UnknownCampaignAndBadDates) {
  testing::TempDir dir;
  auto db = SeedDb(dir.File("x.db"));
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(BuildReport(*db, "nope", {}, kNow).status().code(), StatusCode::kNotFound);
  ReportOptions bad;
  bad.from = "2019-13-01";
  EXPECT_EQ(BuildReport(*db, "art-2019", bad, kNow).status().code(), StatusCode::kInvalidArgument);
  ReportOptions inverted;
  inverted.from = "2019-09-10";
  inverted.to = "2019-09-01";
  EXPECT_EQ(BuildReport(*db, "art-2019", inverted, kNow).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(FormatLocal(1568642400000, -300), "2019-09-16 09:00");
  EXPECT_EQ(*LocalDateToUnixMs("2019-09-16", -300), 1568610000000);
}

}  // namespace
}  // namespace sondeo::reports
