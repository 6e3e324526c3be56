#include "campaigns/campaign.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/testutil/testutil.h"

namespace sondeo::campaigns {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

const char kMinimal[] =
    "id: c1\n"
    "name: Encuesta\n"
    "entity: Agencia\n"
    "purpose: Medir la satisfacción\n"
    "legal_basis: Ley 1581 de 2012 art. 10\n"
    "survey: ../surveys/s.yaml\n";

TEST(CampaignParseTest, MinimalGetsDefaults) {
  auto c = ParseCampaign(kMinimal, "/x/campaigns/c1.yaml");
  ASSERT_OK(c);
  EXPECT_EQ(c->id, "c1");
  EXPECT_EQ(c->survey_file, "../surveys/s.yaml");
  EXPECT_EQ(c->survey_path, "/x/surveys/s.yaml");
  EXPECT_EQ(c->calendar.zone.name(), "America/Bogota");
  EXPECT_EQ(c->calendar.windows, DefaultWindows());
  EXPECT_FALSE(c->exemption_reason.has_value());
  EXPECT_EQ(c->dialing.mode, DialMode::kProgressive);
  EXPECT_DOUBLE_EQ(c->dialing.max_abandon_rate, 0.03);
  EXPECT_EQ(c->dialing.ring_timeout, seconds{30});
  EXPECT_EQ(c->telephony.driver, Driver::kSimulated);
  EXPECT_EQ(c->attempts.phone_order, PhoneOrder::kMobileFirst);
  EXPECT_EQ(c->contract.currency, "COP");
  EXPECT_EQ(c->dispositions.all().size(), DispositionCatalog::Defaults().all().size());
}

TEST(CampaignParseTest, FullFile) {
  const std::string yaml =
      std::string(kMinimal) +
      "time:\n"
      "  zone: America/Bogota\n"
      "  windows:\n"
      "    lunes_a_viernes: [\"08:00-12:00\", \"14:00-17:00\"]\n"
      "    sábado: \"09:00-13:00\"\n"
      "  start: 2019-09-02\n"
      "  end: 2019-09-30\n"
      "  non_working: [2019-09-13]\n"
      "attempts: {max_per_contact: 5, max_per_phone: 2, max_per_day: 1,"
      " phone_order: fixed_first}\n"
      "retries:\n"
      "  NO_CONTESTA: {delay: 90m, max: 4}\n"
      "dialing: {mode: predictive, max_abandon_rate: 2.5%, ring_timeout: 25s}\n"
      "telephony: {caller_id: \"6017431000\", driver: sip,"
      " trunk: \"sip:trunk@127.0.0.1:5070\"}\n"
      "contract:\n"
      "  purchase_order: OC 33693\n"
      "  outbound_minutes: {capacity: 1000, unit_price: 93.31}\n"
      "  sms_segments: {capacity: 30000, unit_price: 185.41}\n"
      "sms_sequences:\n"
      "  - name: Chalán\n"
      "    date: 2019-09-16\n"
      "    municipios: [Chalán]\n"
      "    messages:\n"
      "      - {at: \"09:00\", text: A}\n"
      "      - {offset: 45m, text: D}\n"
      "      - {at: \"09:15\", text: B}\n"
      "dispositions:\n"
      "  - {code: CORREO_DE_VOZ, retry: {delay: 4h, max: 2}}\n"
      "  - code: SIN_INTERES\n"
      "    label: SIN INTERÉS\n"
      "    contact: true\n"
      "    refusal: true\n"
      "    aapor: \"2.111\"\n";
  auto c = ParseCampaign(yaml, "c.yaml");
  ASSERT_OK(c);
  const auto& w = c->calendar.windows;
  EXPECT_EQ(w[1].size(), 2u);
  EXPECT_EQ(w[5][1], (Window{minutes{14 * 60}, minutes{17 * 60}}));
  EXPECT_EQ(w[6], (std::vector<Window>{{minutes{9 * 60}, minutes{13 * 60}}}));
  EXPECT_TRUE(w[0].empty());
  EXPECT_EQ(FormatDate(*c->calendar.start_date), "2019-09-02");
  EXPECT_EQ(c->calendar.extra_non_working.size(), 1u);
  EXPECT_EQ(c->attempts.max_per_contact, 5);
  EXPECT_EQ(c->attempts.phone_order, PhoneOrder::kFixedFirst);
  EXPECT_EQ(c->dialing.mode, DialMode::kPredictive);
  EXPECT_DOUBLE_EQ(c->dialing.max_abandon_rate, 0.025);
  EXPECT_EQ(c->dialing.ring_timeout, seconds{25});
  EXPECT_EQ(c->telephony.driver, Driver::kSip);
  EXPECT_EQ(c->contract.sms_monthly_cap, 30000);  // defaults to the SMS capacity
  EXPECT_DOUBLE_EQ(c->contract.outbound_minutes.unit_price, 93.31);
  ASSERT_EQ(c->sms_sequences.size(), 1u);
  const auto& seq = c->sms_sequences[0];
  EXPECT_EQ(seq.start, minutes{9 * 60});
  EXPECT_EQ(FormatDate(*seq.date), "2019-09-16");
  EXPECT_EQ(seq.municipios, std::vector<std::string>{"Chalán"});
  ASSERT_EQ(seq.messages.size(), 3u);
  EXPECT_EQ(seq.messages[1].text, "B");
  EXPECT_EQ(seq.messages[2].offset, minutes{45});
  EXPECT_NE(c->dispositions.Find("SIN_INTERES"), nullptr);
}

TEST(CampaignParseTest, SmsSequenceOffsets) {
  const std::string yaml = std::string(kMinimal) +
                           "sms_sequences:\n"
                           "  - name: Chalán\n"
                           "    messages:\n"
                           "      - {at: \"09:00\", text: A}\n"
                           "      - {at: \"09:30\", text: C}\n"
                           "      - {offset: 15m, text: B}\n"
                           "      - {at: \"09:45\", text: D}\n";
  auto c = ParseCampaign(yaml, "c.yaml");
  ASSERT_OK(c);
  const auto& seq = c->sms_sequences.at(0);
  EXPECT_EQ(seq.start, minutes{9 * 60});
  ASSERT_EQ(seq.messages.size(), 4u);
  EXPECT_EQ(seq.messages[0].text, "A");
  EXPECT_EQ(seq.messages[1].text, "B");
  EXPECT_EQ(seq.messages[1].offset, minutes{15});
  EXPECT_EQ(seq.messages[3].offset, minutes{45});
  EXPECT_TRUE(seq.municipios.empty());
}

TEST(CampaignParseTest, RetriesAndDispositionOverrides) {
  const std::string yaml = std::string(kMinimal) +
                           "retries:\n"
                           "  NO_CONTESTA: {delay: 90m, max: 4}\n"
                           "dispositions:\n"
                           "  - {code: CORREO_DE_VOZ, retry: {delay: 4h, max: 2}}\n"
                           "  - {code: VOLVER_A_LLAMAR, label: LLAMAR LUEGO}\n"
                           "  - code: SIN_INTERES\n"
                           "    label: SIN INTERÉS\n"
                           "    contact: true\n"
                           "    refusal: true\n"
                           "    aapor: \"2.111\"\n";
  auto c = ParseCampaign(yaml, "c.yaml");
  ASSERT_OK(c);
  const auto* nc = c->dispositions.Find("NO_CONTESTA");
  ASSERT_NE(nc, nullptr);
  EXPECT_FALSE(nc->final);
  EXPECT_EQ(nc->retry_delay, minutes{90});
  EXPECT_EQ(nc->retry_max, 4);
  const auto* vm = c->dispositions.Find("CORREO_DE_VOZ");
  EXPECT_EQ(vm->retry_delay, hours{4});
  EXPECT_EQ(vm->retry_max, 2);
  EXPECT_EQ(vm->label, "CORREO DE VOZ");  // untouched fields keep the defaults
  const auto* vl = c->dispositions.Find("VOLVER_A_LLAMAR");
  EXPECT_EQ(vl->label, "LLAMAR LUEGO");
  EXPECT_TRUE(vl->callback);
  const auto* si = c->dispositions.Find("SIN_INTERES");
  ASSERT_NE(si, nullptr);
  EXPECT_TRUE(si->final);
  EXPECT_TRUE(si->refusal);
  EXPECT_EQ(si->set_by, SetBy::kAgent);
  EXPECT_EQ(AaporCategory(si->aapor), "R");
  EXPECT_EQ(c->dispositions.all().size(), DispositionCatalog::Defaults().all().size() + 1);
}

TEST(CampaignParseTest, ExemptionAllowsWindowsOutsideLegalHours) {
  const std::string windows =
      "time:\n"
      "  windows:\n"
      "    lunes: \"06:00-20:00\"\n"
      "    domingo: \"10:00-12:00\"\n";
  auto refused = ParseCampaign(std::string(kMinimal) + windows, "c.yaml");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.error().message().find("c.yaml:10:"), std::string::npos)
      << refused.error().message();
  EXPECT_NE(refused.error().message().find("Ley 2300"), std::string::npos);
  auto ok = ParseCampaign(std::string(kMinimal) + windows +
                              "  exempt: {reason: \"Concepto jurídico 2026-14: encuesta no "
                              "comercial de entidad pública\"}\n",
                          "c.yaml");
  ASSERT_OK(ok);
  ASSERT_TRUE(ok->exemption_reason.has_value());
  EXPECT_NE(ok->exemption_reason->find("Concepto jurídico"), std::string::npos);
  EXPECT_EQ(ok->calendar.windows[0].size(), 1u);
  // Holidays stay closed even for an exempt campaign.
  const Calendar cal = ok->MakeCalendar();
  const TimePoint holiday_monday =
      TimePoint{std::chrono::sys_days{
          Date{std::chrono::year{2026}, std::chrono::March, std::chrono::day{23}}}
                    .time_since_epoch()} +
      hours{15};
  EXPECT_FALSE(cal.IsCallable(holiday_monday));
}

struct ErrorCase {
  const char* name;
  std::string extra;     // appended to kMinimal (lines 7...)
  const char* expected;  // substring of the message: "c.yaml:LINE:COL: field"
};

TEST(CampaignParseTest, ErrorsNameFileLineColumnAndField) {
  const ErrorCase cases[] = {
      {"unknown top key", "colour: red\n", "c.yaml:7:1: colour: clave desconocida"},
      {"unknown nested key", "dialing:\n  speed: 3\n", "c.yaml:8:3: dialing.speed: clave"},
      {"wrong type map", "dialing: fast\n", "c.yaml:7:10: dialing: se esperaba un mapa"},
      {"bad mode", "dialing:\n  mode: turbo\n", "c.yaml:8:9: dialing.mode: se esperaba preview"},
      {"ring under 15s", "dialing:\n  ring_timeout: 10s\n",
       "c.yaml:8:17: dialing.ring_timeout: debe timbrar al menos 15 s"},
      {"ring not a duration", "dialing:\n  ring_timeout: soon\n",
       "c.yaml:8:17: dialing.ring_timeout: se esperaba una duración"},
      {"abandon above 3%", "dialing:\n  max_abandon_rate: 5%\n",
       "c.yaml:8:21: dialing.max_abandon_rate: no puede superar el 3%"},
      {"abandon not a number", "dialing:\n  max_abandon_rate: [1]\n",
       "c.yaml:8:21: dialing.max_abandon_rate: se esperaba un número"},
      {"attempts not int", "attempts:\n  max_per_day: dos\n",
       "c.yaml:8:16: attempts.max_per_day: se esperaba un número entero"},
      {"attempts zero", "attempts:\n  max_per_contact: 0\n",
       "c.yaml:8:20: attempts.max_per_contact: debe estar entre 1 y 100"},
      {"bad phone order", "attempts: {phone_order: random}\n", "c.yaml:7:25: attempts.phone_order"},
      {"bad zone", "time:\n  zone: America/Bogot\n",
       "c.yaml:8:9: time.zone: zona horaria desconocida"},
      {"bad weekday", "time:\n  windows:\n    lunez: \"08:00-17:00\"\n",
       "c.yaml:9:5: time.windows.lunez: clave desconocida"},
      {"bad window", "time:\n  windows:\n    lunes: \"8-17\"\n",
       "c.yaml:9:12: time.windows.lunes: se esperaba una franja HH:MM-HH:MM"},
      {"reversed window", "time:\n  windows:\n    lunes: \"17:00-08:00\"\n",
       "c.yaml:9:12: time.windows.lunes: la franja 17:00-08:00 termina antes"},
      {"overlapping windows", "time:\n  windows:\n    martes: [\"08:00-12:00\", \"11:00-13:00\"]\n",
       "c.yaml:9:13: time.windows: las franjas del martes se solapan"},
      {"saturday too early", "time:\n  windows:\n    sábado: \"07:00-12:00\"\n",
       "c.yaml:9:14: time.windows: sábado 07:00-12:00 fuera del horario legal 08:00-15:00"},
      {"sunday", "time:\n  windows:\n    domingo: \"09:00-12:00\"\n",
       "c.yaml:9:14: time.windows: domingo 09:00-12:00: no se permite llamar los domingos"},
      {"exempt without reason", "time:\n  exempt: {}\n",
       "c.yaml:8:11: time.exempt.reason: falta este campo obligatorio"},
      {"bad date", "time:\n  start: 2019-02-30\n", "c.yaml:8:10: time.start: fecha inexistente"},
      {"end before start", "time:\n  start: 2019-09-10\n  end: 2019-09-01\n",
       "c.yaml:9:8: time.end: la fecha final es anterior"},
      {"non_working not list", "time:\n  non_working: 2019-09-13\n",
       "c.yaml:8:16: time.non_working: se esperaba una lista"},
      {"sip without trunk", "telephony:\n  driver: sip\n",
       "c.yaml:8:3: telephony.trunk: el driver sip necesita una troncal"},
      {"bad driver", "telephony: {driver: asterisk}\n", "c.yaml:7:21: telephony.driver"},
      {"bad caller id", "telephony: {caller_id: abc}\n", "c.yaml:7:24: telephony.caller_id"},
      {"bad trunk", "telephony: {driver: sip, trunk: \"http://x\"}\n",
       "c.yaml:7:33: telephony.trunk: se esperaba una URI sip:"},
      {"bad currency", "contract: {currency: pesos}\n", "c.yaml:7:22: contract.currency"},
      {"negative capacity", "contract:\n  sms_segments: {capacity: -1}\n",
       "c.yaml:8:28: contract.sms_segments.capacity: debe estar entre 0"},
      {"unknown retry code", "retries:\n  NO_EXISTE: {delay: 1h}\n",
       "c.yaml:8:3: retries.NO_EXISTE: tipificación desconocida"},
      {"new disposition without aapor", "dispositions:\n  - {code: NUEVA, label: NUEVA}\n",
       "c.yaml:8:5: dispositions[0].aapor: falta este campo obligatorio"},
      {"bad disposition code", "dispositions:\n  - {code: no-contesta}\n",
       "c.yaml:8:12: dispositions[0].code: solo mayúsculas"},
      {"bad aapor", "dispositions:\n  - {code: NO_CONTESTA, aapor: \"9.9\"}\n",
       "c.yaml:8:32: dispositions[0].aapor: código AAPOR desconocido"},
      {"final with retry", "dispositions:\n  - {code: NO_CONTESTA, final: true, retry: {max: 1}}\n",
       "dispositions[0].retry: una tipificación final no tiene reintentos"},
      {"complete without contact", "dispositions:\n  - {code: ENCUESTA_EFECTIVA, contact: false}\n",
       "c.yaml:8:5: dispositions[0]: una encuesta completa debe ser final y con contacto"},
      {"callback final", "dispositions:\n  - {code: VOLVER_A_LLAMAR, final: true}\n",
       "dispositions[0]: volver a llamar no puede ser final"},
      {"repeated code", "dispositions:\n  - {code: NO_CONTESTA}\n  - {code: NO_CONTESTA}\n",
       "c.yaml:9:12: dispositions[1].code: código repetido"},
      {"sms without messages", "sms_sequences:\n  - {name: X}\n",
       "c.yaml:8:5: sms_sequences[0].messages: falta este campo obligatorio"},
      {"sms at and offset",
       "sms_sequences:\n  - name: X\n    messages:\n      - {text: a, at: \"09:00\", offset: 5m}\n",
       "c.yaml:10:9: sms_sequences[0].messages[0]: use at o offset"},
      {"sms earlier than start",
       "sms_sequences:\n  - name: X\n    messages:\n      - {text: a, at: \"09:15\"}\n"
       "      - {text: b, at: \"09:00\"}\n",
       "c.yaml:11:23: sms_sequences[0].messages[1].at: es anterior al inicio"},
      {"sms empty text", "sms_sequences:\n  - name: X\n    messages:\n      - {text: \"\"}\n",
       "c.yaml:10:16: sms_sequences[0].messages[0].text: no puede estar vacío"},
      {"yaml syntax", "dialing: {mode: [}\n", "c.yaml:7:"},
  };
  for (const auto& c : cases) {
    auto r = ParseCampaign(std::string(kMinimal) + c.extra, "c.yaml");
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(r.error().message().find(c.expected), std::string::npos)
        << c.name << "\n  got:  " << r.error().message() << "\n  want: " << c.expected;
  }
}

TEST(CampaignParseTest, RequiredIdentityFields) {
  const char* fields[] = {"id", "name", "entity", "purpose", "legal_basis", "survey"};
  for (const char* f : fields) {
    std::string yaml;
    std::string text = kMinimal;
    size_t pos = 0;
    while (pos < text.size()) {
      const size_t nl = text.find('\n', pos);
      const std::string line = text.substr(pos, nl - pos + 1);
      if (!line.starts_with(std::string(f) + ":")) yaml += line;
      pos = nl + 1;
    }
    auto r = ParseCampaign(yaml, "c.yaml");
    ASSERT_FALSE(r.ok()) << f;
    EXPECT_NE(r.error().message().find(std::string("c.yaml:1:1: ") + f +
                                       ": falta este campo obligatorio"),
              std::string::npos)
        << r.error().message();
  }
  auto bad_id = ParseCampaign(std::string("id: \"mi campaña\"\n") + (kMinimal + 7), "c.yaml");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.error().message().find("c.yaml:1:5: id:"), std::string::npos)
      << bad_id.error().message();
  auto empty = ParseCampaign("", "c.yaml");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.error().message().find("c.yaml:1:1:"), std::string::npos);
  auto list = ParseCampaign("- a\n- b\n", "c.yaml");
  ASSERT_FALSE(list.ok());
}

TEST(CampaignParseTest, LoadFileResolvesPathsAndReportsMissingFile) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "campaigns");
  const std::string path = (dir.path() / "campaigns" / "c1.yaml").string();
  testing::WriteFile(path, kMinimal);
  auto c = LoadCampaignFile(path);
  ASSERT_OK(c);
  EXPECT_EQ(c->source_path, path);
  EXPECT_EQ(c->survey_path, (dir.path() / "surveys" / "s.yaml").string());
  auto missing = LoadCampaignFile(dir.File("nope.yaml"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("nope.yaml"), std::string::npos);
}

}  // namespace
}  // namespace sondeo::campaigns
