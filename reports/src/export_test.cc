#include "reports/export.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "campaigns/schema.h"
#include "dialer/schema.h"
#include "reports/report.h"
#include "reports/schema.h"
#include "reports/src/tables.h"
#include "surveys/schema.h"
#include "tests/testutil/testutil.h"

namespace sondeo::reports {
namespace {

TEST(PiiTest, Mask) {
  const std::pair<const char*, const char*> cases[] = {
      {"3001234567", "300****567"},
      {"+573001234567", "300****567"},
      {"6012345678", "601****678"},
      {"1000000001", "100****001"},
      {"52123456", "521**456"},
      {"123456", "****56"},
      {"12", "12"},
      {"", ""},
  };
  for (const auto& [in, want] : cases) EXPECT_EQ(MaskPii(in), want) << in;
}

TEST(PiiTest, HmacSha256Rfc4231Case2) {
  EXPECT_EQ(Pseudonymise("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(CsvTest, FieldsNeutralisedAndQuoted) {
  const std::tuple<const char*, char, const char*> cases[] = {
      {"=SUM(A1)", ',', "'=SUM(A1)"},
      {"+57", ',', "'+57"},
      {"-1", ',', "'-1"},
      {"@x", ',', "'@x"},
      {"a,b", ',', "\"a,b\""},
      {"a,b", ';', "a,b"},
      {"di \"hola\"", ';', "\"di \"\"hola\"\"\""},
      {"línea\nnueva", ',', "\"línea\nnueva\""},
      {"Bogotá", ',', "Bogotá"},
  };
  for (const auto& [in, sep, want] : cases) EXPECT_EQ(CsvField(in, sep), want) << in;
}

class ExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::DbOptions opts;
    for (auto part : {store::Migrations(), campaigns::Migrations(), surveys::Migrations(),
                      dialer::Migrations(), reports::Migrations()}) {
      for (auto& m : part) opts.migrations.push_back(std::move(m));
    }
    auto db = store::Db::Open(dir_.File("e.db"), opts);
    ASSERT_OK(db);
    db_ = std::move(*db);
    ASSERT_OK(db_->Exec(
        testing::ReadFile((testing::SourceDir() / "tests/reports/seed_campaign.sql").string())));
  }
  std::vector<std::string> Lines(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(f, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      out.push_back(line);
    }
    return out;
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Db> db_;
};

TEST_F(ExportTest, CsvRowsCodebookAndLatestResponse) {
  // Contact 323 answered twice: a later partial response replaces the answers it has.
  ASSERT_OK(db_->Exec(
      "INSERT INTO responses(id, survey_id, survey_version, campaign_id, contact_id, agent,"
      " status, started_ms, ended_ms, idempotency_key) VALUES (9000, 'satisfaccion_art', 1,"
      " 'art-2019', 323, 'agente9', 'complete', 1569000000000, 1569000001000, 'again');"
      "INSERT INTO answers VALUES (9000, 'p3', '', 'no');"));
  ExportOptions o;
  o.out = dir_.File("out.csv");
  o.separator = ';';
  auto r = ExportContacts(*db_, "art-2019", o, 1569888000000);
  ASSERT_OK(r);
  EXPECT_EQ(r->rows, 1637);
  ASSERT_EQ(r->files.size(), 2u);
  EXPECT_EQ(r->files[1], dir_.File("out_codebook.csv"));
  const auto lines = Lines(o.out);
  ASSERT_EQ(lines.size(), 1638u);
  EXPECT_EQ(lines[0].rfind(std::string(kUtf8Bom) + "contacto_id;fila_origen;documento", 0), 0u);
  EXPECT_NE(lines[0].find(";programa;tipificacion_final;"), std::string::npos);
  EXPECT_NE(lines[0].find(";p1_amabilidad;p1_conocimiento;p1_actitud;p1_lenguaje;p2;p3"),
            std::string::npos);
  EXPECT_EQ(lines[1],
            "1;2;1000000001;Nombre1;Apellido1;Colosó;Sucre;;3000000001;PDET;CORREO_DE_VOZ;"
            "CORREO DE VOZ;1;2019-09-03 09:01;;;;;;;");
  EXPECT_NE(lines[323].find(";ENCUESTA_EFECTIVA;ENCUESTA EFECTIVA;1;"), std::string::npos);
  const std::string tail = ";4;4;4;4;4;no";
  EXPECT_EQ(lines[323].substr(lines[323].size() - tail.size()), tail);
  const auto cb = Lines(r->files[1]);
  EXPECT_NE(std::find(cb.begin(), cb.end(),
                      "p1_actitud;p1;actitud;matrix;Califique de 1 a 4 los siguientes aspectos "
                      "del servidor público que lo atendió, donde 1 es muy malo y 4 es "
                      "excelente - Actitud de servicio;NS/NR;No sabe / No responde"),
            cb.end());
  EXPECT_NE(std::find(cb.begin(), cb.end(),
                      "tipificacion_final;;;tipificacion;Tipificación final;PENDIENTE;"
                      "Sin tipificación final"),
            cb.end());
  auto st = db_->Prepare("SELECT actor, detail FROM audit_log WHERE action = 'export'");
  ASSERT_OK(st);
  auto row = st->Step();
  ASSERT_OK(row);
  ASSERT_TRUE(*row);
  EXPECT_EQ(st->Text(1), "campaign=art-2019 format=csv rows=1637 pii=clear");
}

TEST_F(ExportTest, MaskedAndErrors) {
  ExportOptions o;
  o.out = dir_.File("m.csv");
  o.pii = PiiMode::kMask;
  ASSERT_OK(ExportContacts(*db_, "art-2019", o, 0));
  const auto lines = Lines(o.out);
  EXPECT_EQ(lines[1].rfind("1,2,100****001,Nombre1,Apellido1,Colosó,Sucre,,300****001,", 0), 0u)
      << lines[1];
  ExportOptions bad = o;
  bad.format = "pdf";
  EXPECT_EQ(ExportContacts(*db_, "art-2019", bad, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ExportContacts(*db_, "nope", o, 0).status().code(), StatusCode::kNotFound);
  ExportOptions nodir = o;
  nodir.out = dir_.File("missing/dir/x.csv");
  EXPECT_EQ(ExportContacts(*db_, "art-2019", nodir, 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(ExportTest, ExtraColumnsFastAndSlowPaths) {
  ASSERT_OK(
      db_->Exec("UPDATE contacts SET extra_json = '{\"programa\":7,\"=x\":\"+1\"}'"
                " WHERE id = 1;"));
  ExportOptions o;
  o.out = dir_.File("x.csv");
  ASSERT_OK(ExportContacts(*db_, "art-2019", o, 0));
  auto lines = Lines(o.out);
  EXPECT_NE(lines[0].find(",'=x,programa,"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find(",3000000001,'+1,7,CORREO_DE_VOZ,"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find(",3000000002,,PDET,CORREO_DE_VOZ,"), std::string::npos) << lines[2];
  // A key with a quote cannot be a JSON path: the rows are parsed one by one instead.
  ASSERT_OK(db_->Exec("UPDATE contacts SET extra_json = '{\"a\\\"b\":\"z\"}' WHERE id = 3;"));
  ASSERT_OK(ExportContacts(*db_, "art-2019", o, 0));
  lines = Lines(o.out);
  EXPECT_NE(lines[3].find(",3000000003,,z,,CORREO_DE_VOZ,"), std::string::npos) << lines[3];
  EXPECT_NE(lines[1].find(",3000000001,'+1,,7,CORREO_DE_VOZ,"), std::string::npos) << lines[1];
}

TEST_F(ExportTest, RenderersWriteFiles) {
  auto rep = BuildReport(*db_, "art-2019", {}, 1569888000000);
  ASSERT_OK(rep);
  const std::string html = RenderHtml(*rep);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("Gráfica 1. Amabilidad"), std::string::npos);
  EXPECT_NE(html.find("No sabe / No responde: 9 (4,5 % del total"), std::string::npos);
  auto files = WriteReportCsv(*rep, dir_.File("inf.csv"), ',');
  ASSERT_OK(files);
  EXPECT_EQ(files->size(), 10u);
  const auto disp = Lines(dir_.File("inf_tipificaciones.csv"));
  ASSERT_EQ(disp.size(), 1u + 12u + 1u);
  EXPECT_EQ(disp[3], "ENCUESTA_EFECTIVA,ENCUESTA EFECTIVA,202,12.3");
  EXPECT_EQ(disp[13], ",TOTAL,1637,100");
  ASSERT_OK(WriteReportXlsx(*rep, dir_.File("inf.xlsx")));
  std::ifstream x(dir_.File("inf.xlsx"), std::ios::binary);
  char magic[2] = {};
  x.read(magic, 2);
  EXPECT_EQ(std::string(magic, 2), "PK");
}

}  // namespace
}  // namespace sondeo::reports
