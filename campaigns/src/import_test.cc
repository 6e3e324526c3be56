#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <zip.h>

#include "campaigns/contacts.h"
#include "campaigns/phone.h"
#include "campaigns/schema.h"
#include "campaigns/src/contacts_schema.h"
#include "campaigns/src/import_internal.h"
#include "tests/testutil/testutil.h"

namespace sondeo::campaigns {
namespace {

using ::testing::HasSubstr;

class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::DbOptions opts;
    opts.migrations = store::Migrations();
    for (auto& m : Migrations()) opts.migrations.push_back(std::move(m));
    auto db = store::Db::Open(dir_.File("t.db"), opts);
    ASSERT_OK(db);
    db_ = std::move(*db);
  }
  // The import turns SQLite's foreign-key checks off for its bulk insert: whatever a test
  // did, every reference must still hold, and enforcement must be back on.
  void TearDown() override {
    auto st = db_->Prepare("PRAGMA foreign_key_check");
    ASSERT_OK(st);
    auto row = st->Step();
    ASSERT_OK(row);
    EXPECT_FALSE(*row) << "foreign key violated in table " << st->Text(0);
    EXPECT_EQ(Count("PRAGMA foreign_keys"), 1);
  }

  int64_t Count(const std::string& sql) {
    auto st = db_->Prepare(sql);
    EXPECT_OK(st);
    auto row = st->Step();
    EXPECT_OK(row);
    return st->Int(0);
  }
  std::string Text(const std::string& sql) {
    auto st = db_->Prepare(sql);
    EXPECT_OK(st);
    auto row = st->Step();
    EXPECT_OK(row);
    return st->Text(0);
  }

  Result<ImportResult> Run(const std::string& file, ImportOptions opts = {}) {
    if (opts.campaign_id.empty()) opts.campaign_id = "c1";
    return Import(*db_, file, opts, clock_);
  }

  std::string Write(const std::string& name, const std::string& content) {
    testing::WriteFile(dir_.File(name), content);
    return dir_.File(name);
  }

  testing::TempDir dir_;
  ManualClock clock_{FromUnixMillis(1'800'000'000'000)};
  std::unique_ptr<store::Db> db_;
};

// Rows: 1 callable (gains 2's and 3's phones), 2 dup by document of 1, 3 dup by phone (of
// row 2's phone, so transitively of 1), 4 no phone, 5 digits lost, 6 ragged, 7 callable.
const char* kBase =
    "Cédula;Nombres;Apellidos;Celular;Teléfono 2;Municipio;Departamento;Estrato\n"
    "1.020.304.050;Ana;Pérez;310 456 7890;(601) 345 6789;Bogotá;Cundinamarca;3\n"
    "01020304050;Ana M;Pérez;315 765 4321;;Bogotá;Cundinamarca;3\n"
    "88776655;Otra;Persona;;315-765-4321;Cali;Valle;2\n"
    "11223344;Sin;Teléfono;;;Cali;Valle;1\n"
    "22334455;Excel;Roto;3.10457E+09;;Cali;Valle;1\n"
    "33445566;Fila;Corta;3209876543\n"
    "\"5566778\";\"Luz; Marina\";Gómez;320 987 6543;;Medellín;Antioquia;4\n";

TEST_F(ImportTest, FunnelClassesAndStoredContacts) {
  auto r = Run(Write("base.csv", kBase));
  ASSERT_OK(r);
  const Funnel& f = r->funnel;
  EXPECT_EQ(f.initial, 7);
  EXPECT_EQ(f.rejected, 3);
  EXPECT_EQ(f.cleaned, 4);
  EXPECT_EQ(f.duplicates, 2);
  EXPECT_EQ(f.suppressed, 0);
  EXPECT_EQ(f.callable, 2);
  EXPECT_EQ(f.reasons, (std::map<std::string, int64_t>{
                           {"DIGITOS_PERDIDOS", 1}, {"FILA_IRREGULAR", 1}, {"SIN_TELEFONO", 1}}));
  EXPECT_EQ(FunnelJson(f),
            "{\"initial\":7,\"rejected\":3,\"cleaned\":4,\"duplicates\":2,\"suppressed\":0,"
            "\"callable\":2,\"reasons\":{\"DIGITOS_PERDIDOS\":1,\"FILA_IRREGULAR\":1,"
            "\"SIN_TELEFONO\":1}}");
  EXPECT_THAT(FormatFunnel(f), HasSubstr("REGISTROS A GESTIONAR"));

  auto ids = ListContactIds(*db_, "c1");
  ASSERT_OK(ids);
  ASSERT_EQ(ids->size(), 2u);
  auto ana = LoadContact(*db_, (*ids)[0]);
  ASSERT_OK(ana);
  EXPECT_EQ(ana->source_row, 1);
  EXPECT_EQ(ana->document, "1020304050");
  EXPECT_EQ(ana->nombres, "Ana");
  EXPECT_EQ(ana->municipio, "Bogotá");
  EXPECT_EQ(ana->extra, (std::map<std::string, std::string>{{"Estrato", "3"}}));
  ASSERT_EQ(ana->phones.size(), 3u);
  EXPECT_EQ(ana->phones[0].e164, "+573104567890");
  EXPECT_EQ(ana->phones[1].e164, "+573157654321");  // gained from row 2 (mobile first)
  EXPECT_EQ(ana->phones[2].e164, "+576013456789");
  EXPECT_EQ(ana->phones[2].type, "fixed");
  EXPECT_FALSE(ana->suppressed);
  auto luz = LoadContact(*db_, (*ids)[1]);
  ASSERT_OK(luz);
  EXPECT_EQ(luz->source_row, 7);
  EXPECT_EQ(luz->nombres, "Luz; Marina");

  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaigns WHERE id = 'c1'"), 1);
  EXPECT_EQ(Count("SELECT callable FROM imports"), 2);
  EXPECT_EQ(Text("SELECT reasons_json FROM imports"),
            "{\"DIGITOS_PERDIDOS\":1,\"FILA_IRREGULAR\":1,\"SIN_TELEFONO\":1}");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'contacts.import'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%3104567890%'"), 0);
}

TEST_F(ImportTest, ReImportAddsNothing) {
  const std::string file = Write("base.csv", kBase);
  ASSERT_OK(Run(file));
  const int64_t phones = Count("SELECT COUNT(*) FROM phones");
  auto again = Run(file);
  ASSERT_OK(again);
  EXPECT_EQ(again->funnel.callable, 0);
  EXPECT_EQ(again->funnel.duplicates, 4);
  EXPECT_EQ(again->funnel.rejected, 3);
  EXPECT_EQ(again->phones_added_to_existing, 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM phones"), phones);
  // The same base in another campaign is new there.
  ImportOptions other;
  other.campaign_id = "c2";
  auto c2 = Run(file, other);
  ASSERT_OK(c2);
  EXPECT_EQ(c2->funnel.callable, 2);
}

TEST_F(ImportTest, ExistingContactGainsPhonesOfLaterDuplicates) {
  ASSERT_OK(Run(Write("a.csv", "cedula,celular\n123456,3104567890\n")));
  auto r = Run(Write("b.csv", "cedula,celular\n123456,3157654321\n"));
  ASSERT_OK(r);
  EXPECT_EQ(r->funnel.duplicates, 1);
  EXPECT_EQ(r->phones_added_to_existing, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM phones WHERE e164 = '+573157654321' AND position = 1"), 1);
}

TEST_F(ImportTest, InjectedFailureRollsEverythingBack) {
  auto normalizer = NewPhoneCellNormalizer();
  CellNormalizer& n = *normalizer;
  ImportOptions opts;
  opts.campaign_id = "nueva";
  opts.rejects_path = dir_.File("rechazos.csv");
  ImportHooks hooks;
  hooks.fail_after_contacts = 1;
  auto r = ImportWith(*db_, Write("base.csv", kBase), opts, clock_, n, hooks);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInternal);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM phones"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM imports"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaigns"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log"), 0);
  EXPECT_FALSE(std::filesystem::exists(opts.rejects_path));
  // Without the fault the same import goes through.
  ASSERT_OK(ImportWith(*db_, dir_.File("base.csv"), opts, clock_, n));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts"), 2);
}

TEST_F(ImportTest, BulkIndexesAreTheSchemaIndexes) {
  for (const auto& index : ContactsBulkIndexes()) {
    EXPECT_EQ(Text(std::string("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = '") +
                   index.name + "'"),
              index.create_sql);
  }
  // And they are all of them: a bulk import rebuilds every index of the two tables.
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                  "AND tbl_name IN ('contacts', 'phones')"),
            static_cast<int64_t>(ContactsBulkIndexes().size()));
}

// A load large enough to drop and rebuild the indexes: they are back after it, and after a
// failure in the middle of it.
TEST_F(ImportTest, LargeImportRebuildsIndexes) {
  std::string base = "cedula,celular,municipio\n";
  for (int i = 0; i < 25000; ++i) {
    base += std::to_string(10000000 + i) + ",3" + std::to_string(100000001 + i * 7) + ",Cali\n";
  }
  const std::string file = Write("grande.csv", base);
  auto indexes = [&] {
    return Count(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
        "('contacts_campaign', 'phones_contact')");
  };
  auto normalizer = NewPhoneCellNormalizer();
  CellNormalizer& n = *normalizer;
  ImportOptions opts;
  opts.campaign_id = "grande";
  ImportHooks hooks;
  hooks.fail_after_contacts = 24000;
  ASSERT_FALSE(ImportWith(*db_, file, opts, clock_, n, hooks).ok());
  EXPECT_EQ(indexes(), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM contacts"), 0);
  auto r = ImportWith(*db_, file, opts, clock_, n);
  ASSERT_OK(r);
  EXPECT_EQ(r->funnel.callable, 25000);
  EXPECT_EQ(indexes(), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM phones WHERE e164 = '+573100000008'"), 1);
  EXPECT_EQ(Text("PRAGMA integrity_check"), "ok");
  // Re-import: everything is a duplicate, found through the rebuilt indexes.
  auto again = ImportWith(*db_, file, opts, clock_, n);
  ASSERT_OK(again);
  EXPECT_EQ(again->funnel.duplicates, 25000);
  EXPECT_EQ(again->funnel.callable, 0);
}

TEST_F(ImportTest, BadFilesChangeNothing) {
  auto no_phone = Run(Write("np.csv", "nombre,cedula\nAna,123\n"));
  ASSERT_FALSE(no_phone.ok());
  EXPECT_THAT(no_phone.error().message(), HasSubstr("ninguna columna de teléfono"));
  auto quote = Run(Write("q.csv", "nombre,celular\nAna,3104567890\n\"Luz,3157654321\n"));
  ASSERT_FALSE(quote.ok());
  EXPECT_THAT(quote.error().message(), HasSubstr("q.csv, línea 3, columna 1"));
  auto empty = Run(Write("e.csv", ""));
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaigns"), 0);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM imports"), 0);
}

// extra_json is written without a JSON tree: it must still be what nlohmann::json::dump()
// writes (keys sorted bytewise, UTF-8 kept, quotes, backslashes and control bytes escaped).
TEST_F(ImportTest, ExtraAttributesJson) {
  ASSERT_OK(Run(Write("extra.csv",
                      "celular;Zeta;alfa;\xC3\x91u;beta\n"
                      "3104567890;\"a\"\"b\\c\";x\ty;\"l1\nl2\";\xC3\xB1\x01\n")));
  EXPECT_EQ(Text("SELECT extra_json FROM contacts"),
            "{\"Zeta\":\"a\\\"b\\\\c\",\"alfa\":\"x\\ty\",\"beta\":\"\xC3\xB1\\u0001\","
            "\"\xC3\x91u\":\"l1\\nl2\"}");
}

TEST_F(ImportTest, RejectsFile) {
  ImportOptions opts;
  opts.rejects_path = dir_.File("rechazos.csv");
  ASSERT_OK(Run(Write("base.csv", kBase), opts));
  const std::string rej = testing::ReadFile(opts.rejects_path);
  EXPECT_EQ(rej.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_THAT(rej, HasSubstr("Cédula,Nombres,Apellidos,Celular,Teléfono 2,Municipio,"
                             "Departamento,Estrato,fila,clase,codigo,motivo\r\n"));
  EXPECT_THAT(rej, HasSubstr(",2,duplicado,DUPLICADO_DOCUMENTO,duplicado de la fila 1 (mismo "
                             "documento)\r\n"));
  EXPECT_THAT(rej, HasSubstr(",3,duplicado,DUPLICADO_TELEFONO,duplicado de la fila 1 (mismo "
                             "teléfono)\r\n"));
  EXPECT_THAT(rej, HasSubstr("11223344,Sin,Teléfono,,,Cali,Valle,1,4,rechazado,SIN_TELEFONO,"));
  EXPECT_THAT(rej, HasSubstr("3.10457E+09,,Cali,Valle,1,5,rechazado,DIGITOS_PERDIDOS,"));
  EXPECT_THAT(rej, HasSubstr("33445566,Fila,Corta,3209876543,,,,,6,rechazado,FILA_IRREGULAR,"));
  // Callable rows are not there; 5 non-callable rows + header.
  EXPECT_EQ(std::count(rej.begin(), rej.end(), '\n'), 6);
}

// Foreign numbers are judged by libphonenumber only when the verdict names the row's
// reason; the codes are the same as if every one had been judged.
// The rejects file's bulk path writes a record without quotes exactly as AppendCsvField
// writes its fields, and declines every record it could not (left as it was).
TEST(RejectsCsvTest, PlainRecordsAsFieldByField) {
  const std::vector<std::vector<std::string>> records = {
      {"1", "2", "3"},
      {"", "", ""},
      {"Ramón", "Álvarez Nuñez", "3169280919 / -"},
      {"Bogotá, D.C.", "x", "y"},
      {"a;b", "c", "d"},
      {" a", "b", "c"},
      {"a ", "b", "c"},
      {"a", " ", "c"},
      {"a", "b", "c "},
      {"a", "b", " "},
      {"x y", "z", ""},
      {"a|b", "c", "d"},
      {"tab\tinside", "c", "d"},
  };
  int plain = 0;
  for (const char separator : {',', ';', '\t', '|'}) {
    for (const auto& fields : records) {
      std::string raw;
      std::string want = "pre,";
      bool fits = true;  // no field holds the separator
      for (size_t k = 0; k < fields.size(); ++k) {
        if (k > 0) raw.push_back(separator);
        if (k > 0) want.push_back(',');
        raw += fields[k];
        AppendCsvField(want, fields[k]);
        fits = fits && fields[k].find(separator) == std::string::npos;
      }
      if (!fits) continue;
      SCOPED_TRACE(raw);
      std::string line = "pre,";
      // Declined exactly when a field needed quotes.
      const bool quoted = want.find('"') != std::string::npos;
      EXPECT_EQ(AppendPlainRecordAsCsv(line, raw, separator, fields.size()), !quoted);
      EXPECT_EQ(line, quoted ? "pre," : want);
      plain += quoted ? 0 : 1;
      // Another number of fields than the header's: declined.
      std::string other = "pre,";
      EXPECT_FALSE(AppendPlainRecordAsCsv(other, raw, separator, fields.size() + 1));
      EXPECT_FALSE(AppendPlainRecordAsCsv(other, raw, separator, fields.size() - 1));
      EXPECT_EQ(other, "pre,");
    }
  }
  EXPECT_GE(plain, 16);  // the bulk path is taken
  std::string one;
  EXPECT_TRUE(AppendPlainRecordAsCsv(one, "", ';', 1));
  EXPECT_EQ(one, "");
  EXPECT_FALSE(AppendPlainRecordAsCsv(one, "", ';', 2));
}

// Random records of every length around the 16-byte steps, full of separators, spaces,
// commas and semicolons: taken exactly when no field needs quotes and the count is right,
// and then the fields joined by commas (what the field-by-field path writes).
TEST(RejectsCsvTest, PlainRecordsMatchTheFieldByFieldPathOnRandomRecords) {
  std::mt19937_64 rng(20261129);
  const char alphabet[] = {'a', 'b', '7', ' ', ',', ';', '|', '\t', 'x', '0'};
  size_t taken = 0;
  for (int round = 0; round < 20000; ++round) {
    const char separator = ",;\t|"[rng() % 4];
    std::string raw;
    const size_t length = rng() % 70;
    const bool sparse = rng() % 2 == 0;  // mostly letters: most records are taken
    for (size_t k = 0; k < length; ++k) {
      raw.push_back(sparse && rng() % 6 != 0 ? 'a' + static_cast<char>(rng() % 3)
                                             : alphabet[rng() % sizeof alphabet]);
    }
    std::vector<std::string> fields;
    size_t from = 0;
    for (size_t at = raw.find(separator); at != std::string::npos; at = raw.find(separator, from)) {
      fields.push_back(raw.substr(from, at - from));
      from = at + 1;
    }
    fields.push_back(raw.substr(from));
    std::string want = "pre";
    for (const auto& f : fields) {
      want.push_back(',');
      AppendCsvField(want, f);
    }
    const bool quoted = want.find('"') != std::string::npos;
    for (const size_t count : {fields.size(), fields.size() + 1}) {
      std::string line = "pre,";
      const bool ok = AppendPlainRecordAsCsv(line, raw, separator, count);
      const bool expected = !quoted && count == fields.size();
      ASSERT_EQ(ok, expected) << "[" << raw << "] separator " << int{separator};
      EXPECT_EQ(line, ok ? want : "pre,") << "[" << raw << "]";
      taken += ok ? 1 : 0;
    }
  }
  EXPECT_GT(taken, 4000u);
}

TEST(EstimatedRecordsTest, FromTheSampleAndBounded) {
  // 1,024 records in 87,040 bytes (85 each) of 85,000,000: about a million, a tenth more.
  EXPECT_EQ(EstimatedRecords(87040, 85000000, 1024), size_t{1100000 + 1024});
  // Tiny first records of a large file: one record per 32 bytes at most.
  EXPECT_EQ(EstimatedRecords(2048, 3200000000, 1024), size_t{100000000 + 1024});
  // Nothing consumed (a sheet without a text size): only the sample.
  EXPECT_EQ(EstimatedRecords(0, 0, 1024), size_t{1024});
  EXPECT_EQ(EstimatedRecords(5, 0, 1024), size_t{1024});
}

TEST_F(ImportTest, ForeignNumbersNameTheReasonOnlyWhenNeeded) {
  // The production normaliser, counting what the import asks libphonenumber about.
  class Counting final : public CellNormalizer {
   public:
    const CellResult& Normalize(std::string_view cell, const RowPlace& place) override {
      return real_->Normalize(cell, place);
    }
    PhoneReject CheckForeign(std::string_view raw) override {
      ++asked;
      return real_->CheckForeign(raw);
    }
    int asked = 0;

   private:
    std::unique_ptr<CellNormalizer> real_ = NewPhoneCellNormalizer();
  };
  Counting n;
  ImportOptions opts;
  opts.campaign_id = "c1";
  auto r = ImportWith(*db_,
                      Write("extranjeros.csv",
                            "cedula;celular;telefono\n"
                            "1001;+1 212 736 5000;\n"                 // valid foreign
                            "1002;+1 123 456 7890;\n"                 // no area code 123: invalid
                            "1003;+1 123 456 7890;+34 912 345 678\n"  // one of them valid
                            "1004;+1 212 736 5000;3000000000\n"  // placeholder is more specific
                            "1005;+1 212 736 5000;12345\n"       // invalid is less specific
                            "1006;+1 212 736 5000 / 3001234568;\n"),  // callable
                      opts, clock_, n);
  ASSERT_OK(r);
  // Rows 1001, 1002 and 1005 once each, 1003 twice (its first piece is invalid); never for
  // 1004 (a more specific reason) nor 1006 (callable).
  EXPECT_EQ(n.asked, 5);
  EXPECT_EQ(r->funnel.callable, 1);
  EXPECT_EQ(r->funnel.rejected, 5);
  EXPECT_EQ(r->funnel.reasons["NUMERO_EXTRANJERO"], 3);
  EXPECT_EQ(r->funnel.reasons["TELEFONO_INVALIDO"], 1);
  EXPECT_EQ(r->funnel.reasons["NUMERO_RELLENO"], 1);
}

TEST_F(ImportTest, SuppressionAppliesToImportsAndExistingContacts) {
  ASSERT_OK(Run(Write("base.csv", kBase)));
  auto s =
      Suppress(*db_, Write("excluidos.txt", "320 987 6543\n11223344\nbasura\n"), "RNE", clock_);
  ASSERT_OK(s);
  EXPECT_EQ(s->phones, 1);
  EXPECT_EQ(s->documents, 1);
  EXPECT_EQ(s->invalid, 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'contacts.suppress' AND detail "
                  "NOT LIKE '%9876543%'"),
            1);
  // Already imported: Luz (row 7) has only that phone -> suppressed.
  auto ids = ListContactIds(*db_, "c1");
  ASSERT_OK(ids);
  EXPECT_FALSE(*IsSuppressed(*db_, (*ids)[0]));
  EXPECT_TRUE(*IsSuppressed(*db_, (*ids)[1]));
  EXPECT_TRUE(*IsPhoneSuppressed(*db_, "+573209876543"));
  EXPECT_FALSE(*IsPhoneSuppressed(*db_, "+573104567890"));
  // Later imports, in any campaign: the row is suppressed.
  ImportOptions other;
  other.campaign_id = "c2";
  other.rejects_path = dir_.File("r2.csv");
  auto r = Run(dir_.File("base.csv"), other);
  ASSERT_OK(r);
  EXPECT_EQ(r->funnel.suppressed, 1);
  EXPECT_EQ(r->funnel.callable, 1);
  EXPECT_THAT(testing::ReadFile(other.rejects_path),
              HasSubstr(",7,suprimido,SUPRIMIDO_TELEFONO,en la lista de supresión por teléfono: "
                        "RNE"));
  // Suppressing again counts as already there.
  auto again = Suppress(*db_, dir_.File("excluidos.txt"), "RNE", clock_);
  ASSERT_OK(again);
  EXPECT_EQ(again->already, 2);
}

TEST_F(ImportTest, SuppressWithHeaderColumns) {
  auto s = Suppress(*db_, Write("optout.csv", "Documento;Celular\n1020304050;\n;3157654321\n"), "",
                    clock_);
  ASSERT_OK(s);
  EXPECT_EQ(s->documents, 1);
  EXPECT_EQ(s->phones, 1);
  auto r = Run(Write("base.csv", kBase));
  ASSERT_OK(r);
  // Rows 1 and 2 by document; row 3 has only the suppressed phone; row 7 is callable.
  EXPECT_EQ(r->funnel.suppressed, 3);
  EXPECT_EQ(r->funnel.callable, 1);
  auto bad = Suppress(*db_, Write("x.csv", "hola\nmundo\n"), "", clock_);
  EXPECT_FALSE(bad.ok());
}

TEST_F(ImportTest, Export) {
  ASSERT_OK(Run(Write("base.csv", kBase)));
  auto n = ExportContacts(*db_, "c1", dir_.File("out.csv"), clock_);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 2);
  const std::string out = testing::ReadFile(dir_.File("out.csv"));
  EXPECT_THAT(out, HasSubstr("\xEF\xBB\xBF"
                             "fila,documento,nombres,apellidos,correo,municipio,"
                             "departamento,telefono_1,tipo_1,telefono_2,tipo_2,telefono_3,tipo_3,"
                             "Estrato\r\n"));
  EXPECT_THAT(out, HasSubstr("1,1020304050,Ana,Pérez,,Bogotá,Cundinamarca,+573104567890,movil,"
                             "+573157654321,movil,+576013456789,fijo,3\r\n"));
  EXPECT_THAT(out, HasSubstr("7,5566778,\"Luz; Marina\",Gómez,,Medellín,Antioquia,+573209876543,"
                             "movil,,,,,4\r\n"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'contacts.export'"), 1);
  auto missing = ExportContacts(*db_, "nope", dir_.File("x.csv"), clock_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
}

TEST_F(ImportTest, Windows1252File) {
  auto r = Run(Write("w.csv",
                     "C\xE9"
                     "dula;Tel\xE9"
                     "fono;Municipio\n123;3104567890;Medell\xEDn\n"));
  ASSERT_OK(r);
  EXPECT_EQ(r->encoding, "windows-1252");
  EXPECT_EQ(Text("SELECT municipio FROM contacts"), "Medellín");
}

// A tiny XLSX written with libzip: shared strings, an inline string, a phone stored as a float.
std::string MakeXlsx(const std::string& path, bool two_sheets) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
  EXPECT_NE(z, nullptr);
  auto add = [&](const char* name, const std::string& body) {
    auto* copy = new std::string(body);
    zip_source_t* src = zip_source_buffer(z, copy->data(), copy->size(), 0);
    EXPECT_GE(zip_file_add(z, name, src, ZIP_FL_OVERWRITE), 0);
    // libzip reads the buffer at zip_close; keep it alive until then.
    static std::vector<std::unique_ptr<std::string>> keep;
    keep.emplace_back(copy);
  };
  const std::string ns =
      "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
      "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";
  std::string sheets = "<sheet name=\"Base\" sheetId=\"1\" r:id=\"rId1\"/>";
  if (two_sheets) sheets = "<sheet name=\"Notas\" sheetId=\"2\" r:id=\"rId2\"/>" + sheets;
  add("xl/workbook.xml",
      "<?xml version=\"1.0\"?><workbook " + ns + "><sheets>" + sheets + "</sheets></workbook>");
  add("xl/_rels/workbook.xml.rels",
      "<?xml version=\"1.0\"?><Relationships "
      "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
      "<Relationship Id=\"rId1\" Target=\"worksheets/sheet1.xml\" Type=\"x\"/>"
      "<Relationship Id=\"rId2\" Target=\"/xl/worksheets/sheet2.xml\" Type=\"x\"/>"
      "</Relationships>");
  add("xl/sharedStrings.xml",
      "<?xml version=\"1.0\"?><sst " + ns +
          "><si><t>Cédula</t></si><si><t>Celular</t></si><si><r><t>Nom</t></r><r><t>bre</t></r>"
          "</si><si><t>Ana &amp; Luz</t></si></sst>");
  add("xl/worksheets/sheet1.xml",
      "<?xml version=\"1.0\"?><worksheet " + ns +
          "><sheetData>"
          "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
          "<c r=\"C1\" t=\"s\"><v>2</v></c></row>"
          "<row r=\"2\"><c r=\"A2\"><v>1020304050</v></c><c r=\"B2\"><v>3.10456789E9</v></c>"
          "<c r=\"C2\" t=\"s\"><v>3</v></c></row>"
          "<row r=\"4\"><c r=\"B4\" t=\"inlineStr\"><is><t>315 765 4321</t></is></c></row>"
          "</sheetData></worksheet>");
  add("xl/worksheets/sheet2.xml", "<?xml version=\"1.0\"?><worksheet " + ns +
                                      "><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is>"
                                      "<t>nada</t></is></c></row></sheetData></worksheet>");
  EXPECT_EQ(zip_close(z), 0);
  return path;
}

TEST_F(ImportTest, XlsxFirstSheetAndNamedSheet) {
  const std::string file = MakeXlsx(dir_.File("base.xlsx"), true);
  ImportOptions opts;
  opts.sheet = "Base";
  auto r = Run(file, opts);
  ASSERT_OK(r);
  EXPECT_EQ(r->encoding, "xlsx");
  EXPECT_EQ(r->funnel.initial, 2);
  EXPECT_EQ(r->funnel.callable, 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM phones WHERE e164 = '+573104567890'"), 1);
  EXPECT_EQ(Text("SELECT nombres FROM contacts WHERE document = '1020304050'"), "Ana & Luz");
  EXPECT_EQ(Count("SELECT source_row FROM contacts WHERE document IS NULL"), 2);
  // The first sheet ("Notas") has no phone column; an unknown sheet names the sheets.
  auto first = Run(file);
  ASSERT_FALSE(first.ok());
  EXPECT_THAT(first.error().message(), HasSubstr("ninguna columna de teléfono"));
  opts.sheet = "Hoja9";
  auto none = Run(file, opts);
  ASSERT_FALSE(none.ok());
  EXPECT_THAT(none.error().message(), HasSubstr("Notas, Base"));
}

}  // namespace
}  // namespace sondeo::campaigns

namespace sondeo::campaigns {
namespace {

// Everything an import leaves behind in campaign `c`, as text: contacts (by source row,
// without the id), their phones, and the rejects file.
struct ImportOutcome {
  std::string funnel;
  std::string contacts;
  std::string phones;
  std::string rejects;
  std::string error;
};

class SplitImportTest : public ImportTest {
 protected:
  ImportOutcome RunSplit(const std::string& file, const std::string& campaign, bool split,
                         SplitReport* report = nullptr, const std::string& encoding = "auto") {
    auto normalizer = NewPhoneCellNormalizer();
    CellNormalizer& n = *normalizer;
    ImportOptions opts;
    opts.campaign_id = campaign;
    opts.encoding = encoding;
    opts.rejects_path = dir_.File("rechazos-" + campaign + ".csv");
    ImportHooks hooks;
    hooks.split_min_bytes = split ? 0 : std::numeric_limits<size_t>::max();
    hooks.split_report = report;
    ImportOutcome out;
    auto r = ImportWith(*db_, file, opts, clock_, n, hooks);
    if (!r.ok()) {
      out.error = r.error().message();
      return out;
    }
    out.funnel = FunnelJson(r->funnel);
    auto rows = [&](const std::string& sql, int columns) {
      auto st = db_->Prepare(sql);
      EXPECT_OK(st);
      st->Bind(1, campaign);
      std::string text;
      while (true) {
        auto more = st->Step();
        EXPECT_OK(more);
        if (!more.ok() || !*more) break;
        for (int c = 0; c < columns; ++c) text += st->Text(c) + "|";
        text += "\n";
      }
      return text;
    };
    out.contacts = rows(
        "SELECT source_row, document, nombres, apellidos, municipio, departamento, email, "
        "extra_json FROM contacts WHERE campaign_id = ? ORDER BY source_row",
        8);
    out.phones = rows(
        "SELECT c.source_row, p.e164, p.type, p.position, p.flags FROM phones p JOIN contacts c "
        "ON c.id = p.contact_id WHERE c.campaign_id = ? ORDER BY c.source_row, p.position",
        5);
    out.rejects = testing::ReadFile(opts.rejects_path);
    return out;
  }
  // Imports `base` as campaigns TAG2 (split in two halves) and TAG1 (one thread): the same
  // outcome, and the single-thread error contains `error` ("" = no error).
  SplitReport ExpectSplitSame(const std::string& base, const std::string& tag,
                              const std::string& error, const std::string& encoding = "auto") {
    SCOPED_TRACE(tag);
    const std::string file = Write(tag + ".csv", base);
    SplitReport report;
    const ImportOutcome two = RunSplit(file, tag + "2", true, &report, encoding);
    const ImportOutcome one = RunSplit(file, tag + "1", false, nullptr, encoding);
    if (encoding == "auto") {
      EXPECT_TRUE(report.split);
    }
    if (error.empty()) {
      EXPECT_EQ(one.error, "");
    } else {
      EXPECT_THAT(one.error, HasSubstr(error));
    }
    ExpectSame(two, one);
    return report;
  }

  void ExpectSame(const ImportOutcome& a, const ImportOutcome& b) {
    EXPECT_EQ(a.error, b.error);
    EXPECT_EQ(a.funnel, b.funnel);
    EXPECT_EQ(a.contacts, b.contacts);
    EXPECT_EQ(a.phones, b.phones);
    EXPECT_EQ(a.rejects, b.rejects);
  }
};

// A base whose quoted fields hold newlines, separators and quotes; `pad` bytes in the first
// row move the middle of the file (where the second half starts) across a few records.
// Documents repeat across the halves (duplicates by document), phones every 40 rows
// (duplicates by phone, transitively), some rows have no phone or are ragged.
std::string QuotedBase(int rows, int pad) {
  std::string base = "Cédula;Nombres;Celular;Nota;Departamento\n";
  for (int i = 0; i < rows; ++i) {
    const std::string doc = std::to_string(1000000 + i % 90);
    std::string phone = i % 17 == 5 ? "" : "310" + std::to_string(4000000 + (i % 130) * 7);
    // Foreign numbers, valid and not: their verdicts wait for the end of pass 1.
    if (i % 19 == 3) phone = "+1 212 736 5" + std::to_string(100 + i);
    if (i % 19 == 13) phone = "+1 123 456 7" + std::to_string(100 + i);
    std::string note;
    switch (i % 5) {
      case 0:  // the closing quote at the start of a line: a reader starting inside the field
               // sees it as an opening quote
        note = "\"nota " + std::to_string(i) + "\n\"";
        break;
      case 1:  // lines that look like records
        note = "\"línea, uno\n9" + std::to_string(i) + ";Falsa;3209876543;x;Cali\n;dos\"";
        break;
      case 2:
        note = "simple " + std::to_string(i);
        break;
      case 3:
        note = "\"con \"\"comillas\"\"\r\ny ; separador\"";
        break;
      default:
        note = "\"\n\n\"";
    }
    if (i == 0) note = "\"" + std::string(static_cast<size_t>(pad), 'x') + "\n\"";
    if (i % 23 == 11) {
      base += doc + ";Corta;" + phone + "\n";  // ragged
      continue;
    }
    base += doc + ";Persona " + std::to_string(i) + ";" + phone + ";" + note + ";Valle\n";
    if (i % 31 == 7) base += "\n\r\n";  // blank lines
  }
  return base;
}

TEST_F(SplitImportTest, TwoHalvesGiveWhatOneThreadGives) {
  int met_at_once = 0;
  int met_later = 0;
  int never_met = 0;
  for (int pad = 0; pad < 160; pad += 3) {
    const SplitReport report =
        ExpectSplitSame(QuotedBase(120, pad), "pad" + std::to_string(pad), "");
    if (!report.met) {
      ++never_met;
    } else if (report.skipped == 0) {
      ++met_at_once;
    } else {
      ++met_later;
    }
    if (report.met) {
      EXPECT_GT(report.kept, 0);
    }
  }
  // Both verdicts on foreign numbers are among the reasons (judged after pass 1, on the
  // second half's thread when split).
  const ImportOutcome foreign = RunSplit(Write("v.csv", QuotedBase(120, 0)), "v2", true);
  EXPECT_THAT(foreign.funnel, HasSubstr("\"NUMERO_EXTRANJERO\":"));
  EXPECT_THAT(foreign.funnel, HasSubstr("\"TELEFONO_INVALIDO\":"));
  // The last record's quoted field holds the middle of the file and lines that look like
  // records: the second half reads only those, and this thread reads on by itself.
  for (int pad = 0; pad < 40; pad += 13) {
    SCOPED_TRACE("long last field, pad " + std::to_string(pad));
    std::string base = QuotedBase(40, pad);
    base += "77;Larga;3124567890;\"";
    for (int k = 0; k < 80; ++k) base += "9" + std::to_string(k) + ";Falsa;3209876543;x;Cali\n";
    base += "\";Valle\n";
    if (!ExpectSplitSame(base, "larga" + std::to_string(pad), "").met) ++never_met;
  }
  // The middle of the file fell at a record start, inside a quoted field that falls in step
  // a line later, and inside one that never does.
  EXPECT_GT(met_at_once, 0);
  EXPECT_GT(met_later, 0);
  EXPECT_GT(never_met, 0);
}

TEST_F(SplitImportTest, SmallFileStaysOnOneThread) {
  SplitReport report;
  auto normalizer = NewPhoneCellNormalizer();
  CellNormalizer& n = *normalizer;
  ImportOptions opts;
  opts.campaign_id = "c1";
  ImportHooks hooks;
  hooks.split_report = &report;
  ASSERT_OK(ImportWith(*db_, Write("base.csv", QuotedBase(120, 0)), opts, clock_, n, hooks));
  EXPECT_FALSE(report.split);
}

// Errors in the second half: the same message (file, line, column) as one thread gives.
TEST_F(SplitImportTest, ErrorsInTheSecondHalfAreTheSame) {
  // An unterminated quote near the end.
  ExpectSplitSame(QuotedBase(120, 7) + "1;Luz;3157654321;\"abierta\n", "q", "comillas sin cerrar");
  // A record of more than 1000 fields in the second half.
  std::string wide = QuotedBase(120, 7);
  wide.insert(wide.rfind('\n', wide.find(";Persona 100;")) + 1,
              "1;" + std::string(1200, ';') + "\n");
  ExpectSplitSame(wide, "f", "fila de más de 1000 campos");
  // A byte that is not UTF-8 in the second half: an error with --encoding utf-8; in auto
  // mode the file is Windows-1252, read in two halves all the same.
  std::string latin = QuotedBase(120, 7);
  latin.insert(latin.find("Persona 100"), "\xE9");
  ExpectSplitSame(latin, "e", "bytes inválidos en UTF-8", "utf-8");
  ExpectSplitSame(latin, "w", "");
  // Nothing of a failed import stays.
  EXPECT_EQ(
      Count("SELECT COUNT(*) FROM contacts WHERE campaign_id IN ('q1','q2','f1','f2','e1','e2')"),
      0);
}

}  // namespace
}  // namespace sondeo::campaigns
