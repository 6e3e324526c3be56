// The JSON API as a function (no sockets): every role, every forbidden cross-role action,
// brute-force lockout, CSRF, the contact card (never the document), idempotent results.
#include "server/src/api.h"

#include <gtest/gtest.h>

#include "campaigns/schema.h"
#include "dialer/schema.h"
#include "reports/schema.h"
#include "server/schema.h"
#include "surveys/schema.h"
#include "tests/testutil/testutil.h"

namespace sondeo::server {
namespace {

using nlohmann::json;

constexpr int kIter = 1000;  // fast hashing for tests

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::DbOptions o;
    for (auto part : {store::Migrations(), campaigns::Migrations(), surveys::Migrations(),
                      dialer::Migrations(), reports::Migrations(), Migrations()}) {
      for (auto& m : part) o.migrations.push_back(m);
    }
    auto db = store::Db::Open(dir_.File("api.db"), o);
    ASSERT_OK(db);
    db_ = std::move(*db);
    for (auto [name, role] :
         {std::pair{"ana", Role::kAgent}, std::pair{"beto", Role::kAgent},
          std::pair{"sara", Role::kSupervisor}, std::pair{"root", Role::kAdmin}}) {
      ASSERT_OK(AddUser(*db_, name, role, std::string(name) + "-clave-1", kIter, "test", 0));
    }
    Api::Options ao;
    ao.pbkdf2_iterations = kIter;
    ao.work_dir = dir_.path().string();
    // Simulated citizens who always answer, 3-4 s after the dial (virtual time: the test
    // moves clock_ and runs DialerPump()).
    ao.telephony.citizens.live_answer_rate = 1;
    ao.telephony.citizens.busy_share = 0;
    ao.telephony.citizens.voicemail_share = 0;
    ao.telephony.citizens.invalid_share = 0;
    ao.telephony.citizens.damaged_share = 0;
    ao.telephony.citizens.mean_ring_to_answer = 3;
    api_ = std::make_unique<Api>(*db_, clock_, ao);
    // A bare campaign (the defaults: dispositions, progressive) with two contacts.
    ASSERT_OK(db_->Exec(
        "INSERT INTO campaigns(id, name, status, created_ms) VALUES ('c1', 'Prueba', 'draft', 0);"
        "INSERT INTO contacts(id, campaign_id, source_row, document, nombres, apellidos, "
        " municipio, departamento) VALUES (1, 'c1', 1, '1012345678', 'Natalia', 'Torres', "
        " 'Medellín', 'Antioquia'), (2, 'c1', 2, '79876543', 'Andrés', 'Suárez', "
        " 'Barranquilla', 'Atlántico');"
        "INSERT INTO phones(contact_id, e164, type, position) VALUES "
        " (1, '+573502334903', 'mobile', 0), (2, '+573195029670', 'mobile', 0);"));
  }

  struct Session {
    std::string cookie;
    std::string csrf;
  };

  HttpResponse Call(const std::string& method, const std::string& path, const std::string& body,
                    const Session& s, bool with_csrf = true) {
    HttpRequest r;
    r.method = method;
    const size_t q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    r.cookie = s.cookie;
    r.csrf = with_csrf ? s.csrf : "";
    r.content_type = "application/json";
    r.body = body;
    pushes_.clear();
    return api_->Handle(r, &pushes_);
  }

  HttpResponse Login(const std::string& user, const std::string& password) {
    return Call("POST", "/api/v1/login", json{{"user", user}, {"password", password}}.dump(),
                Session{});
  }

  Session LoginOk(const std::string& user) {
    HttpResponse r = Login(user, user + "-clave-1");
    EXPECT_EQ(r.status, 200) << r.body;
    Session s;
    for (const auto& [k, v] : r.headers) {
      if (k == "Set-Cookie") s.cookie = v.substr(0, v.find(';'));
    }
    s.csrf = json::parse(r.body)["csrf"];
    return s;
  }

  static json Body(const HttpResponse& r) { return json::parse(r.body); }

  // The agent goes ready in c1 (progressive): the engine dials, the citizen answers within
  // seconds and the call is connected and pushed to the agent. Returns the offer.
  json ReadyAndConnected(const Session& s, const std::string& user) {
    HttpResponse r = Call("POST", "/api/v1/agent/state", R"({"state":"listo","campaign":"c1"})", s);
    EXPECT_EQ(r.status, 200) << r.body;
    for (int i = 0; i < 30; ++i) {
      clock_.Advance(std::chrono::seconds(1));
      api_->DialerPump();
      for (const Push& p : api_->TakePushes()) {
        json m = json::parse(p.message);
        if (p.user == user && m["type"] == "call") return m["offer"];
      }
    }
    ADD_FAILURE() << "no call for " << user;
    return json::object();
  }

  sondeo::testing::TempDir dir_;
  ManualClock clock_{FromUnixMillis(1'780'000'000'000)};
  std::unique_ptr<store::Db> db_;
  std::unique_ptr<Api> api_;
  std::vector<Push> pushes_;
};

TEST_F(ApiTest, LoginSetsCookieAndMeNamesTheRole) {
  HttpResponse r = Login("sara", "sara-clave-1");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_NE(r.headers[0].second.find("HttpOnly"), std::string::npos);
  EXPECT_NE(r.headers[0].second.find("SameSite=Strict"), std::string::npos);
  Session s = LoginOk("sara");
  HttpResponse me = Call("GET", "/api/v1/me", "", s);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(Body(me)["role"], "supervisor");
  EXPECT_EQ(Call("GET", "/api/v1/me", "", Session{"sondeo_sesion=falso", ""}).status, 401);
}

TEST_F(ApiTest, SecureCookieOverHttps) {
  HttpRequest r;
  r.method = "POST";
  r.path = "/api/v1/login";
  r.content_type = "application/json";
  r.body = R"({"user":"ana","password":"ana-clave-1"})";
  r.secure = true;
  HttpResponse res = api_->Handle(r, &pushes_);
  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.headers[0].second.find("; Secure"), std::string::npos);
}

TEST_F(ApiTest, FiveFailuresLockTheAccountForFifteenMinutes) {
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Login("ana", "mala").status, 401);
  EXPECT_EQ(Login("ana", "mala").status, 429);         // the 5th failure locks
  EXPECT_EQ(Login("ana", "ana-clave-1").status, 429);  // even the right password
  clock_.Advance(std::chrono::minutes(14));
  EXPECT_EQ(Login("ana", "ana-clave-1").status, 429);
  clock_.Advance(std::chrono::minutes(2));
  EXPECT_EQ(Login("ana", "ana-clave-1").status, 200);
  // Audited.
  auto st = db_->Prepare("SELECT COUNT(*) FROM audit_log WHERE action = 'login.locked'");
  ASSERT_OK(st);
  ASSERT_TRUE(*st->Step());
  EXPECT_GE(st->Int(0), 1);
}

TEST_F(ApiTest, LockoutDecisionTable) {
  const int64_t now = 1000000;
  const struct {
    LoginState state;
    bool ok;
    LoginOutcome outcome;
    int failed;
    int64_t locked_until;
  } cases[] = {
      {{true, false, 0, 0}, true, LoginOutcome::kOk, 0, 0},
      {{true, false, 3, 0}, true, LoginOutcome::kOk, 0, 0},
      {{true, false, 0, 0}, false, LoginOutcome::kBadCredentials, 1, 0},
      {{true, false, 4, 0}, false, LoginOutcome::kLocked, 0, now + kLockoutMs},
      {{true, false, 0, now + 5}, true, LoginOutcome::kLocked, 0, now + 5},
      {{true, false, 0, now}, true, LoginOutcome::kOk, 0, 0},  // lock just expired
      {{true, true, 0, 0}, true, LoginOutcome::kDisabled, 0, 0},
      {{false, false, 0, 0}, true, LoginOutcome::kBadCredentials, 0, 0},
  };
  for (const auto& c : cases) {
    LoginDecision d = DecideLogin(c.state, c.ok, now);
    EXPECT_EQ(d.outcome, c.outcome);
    EXPECT_EQ(d.failed_count, c.failed);
    EXPECT_EQ(d.locked_until_ms, c.locked_until);
  }
}

TEST_F(ApiTest, DisabledUserCannotLogIn) {
  ASSERT_OK(DisableUser(*db_, "beto", "test", 0));
  EXPECT_EQ(Login("beto", "beto-clave-1").status, 401);
}

TEST_F(ApiTest, StateChangingRequestsNeedTheCsrfToken) {
  Session s = LoginOk("sara");
  EXPECT_EQ(Call("POST", "/api/v1/campaigns/c1/start", "{}", s, /*with_csrf=*/false).status, 403);
  Session wrong = s;
  wrong.csrf = "0000";
  EXPECT_EQ(Call("POST", "/api/v1/campaigns/c1/start", "{}", wrong).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/campaigns/c1/start", "{}", s).status, 200);
  EXPECT_EQ(Call("POST", "/api/v1/logout", "{}", s, false).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/me", "", s, false).status, 200);  // safe methods need none
}

TEST_F(ApiTest, AgentCannotStartCampaignsExportOrSeeOthersContacts) {
  Session sara = LoginOk("sara");
  Session ana = LoginOk("ana");
  Session beto = LoginOk("beto");
  EXPECT_EQ(Call("POST", "/api/v1/campaigns/c1/start", "{}", ana).status, 403);
  ASSERT_EQ(Call("POST", "/api/v1/campaigns/c1/start", "{}", sara).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/campaigns/c1/export?format=csv", "", ana).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/campaigns/c1/report?format=json", "", ana).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/campaigns/c1/import?filename=b.csv", "a;b\n", ana).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/wallboard", "", ana).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/users", "", sara).status, 403);
  EXPECT_EQ(Call("GET", "/api/v1/users", "", LoginOk("root")).status, 200);

  // Progressive: ana's call arrives pushed with its card; next-contact returns it too.
  json offer = ReadyAndConnected(ana, "ana");
  ASSERT_TRUE(offer.contains("contact")) << offer.dump();
  HttpResponse next = Call("POST", "/api/v1/campaigns/c1/next", "{}", ana);
  ASSERT_EQ(next.status, 200) << next.body;
  json card = Body(next)["contact"];
  EXPECT_EQ(card, offer["contact"]);
  const int64_t id = card["id"];
  EXPECT_EQ(card["name"], "Natalia Torres");
  EXPECT_EQ(card["municipio"], "Medellín");
  EXPECT_EQ(card["phone"], "+573502334903");
  // Never the document number, anywhere in the reply.
  EXPECT_EQ(next.body.find("1012345678"), std::string::npos);
  EXPECT_EQ(next.body.find("document"), std::string::npos);
  // Only agent dispositions.
  const json next_body = Body(next);  // a temporary in a range-for would dangle
  for (const auto& d : next_body["dispositions"]) EXPECT_NE(d["code"], "ABANDONADA");

  EXPECT_EQ(offer.dump().find("1012345678"), std::string::npos);

  // beto gets the other contact and may not read ana's.
  json offer_b = ReadyAndConnected(beto, "beto");
  ASSERT_TRUE(offer_b.contains("contact")) << offer_b.dump();
  EXPECT_NE(offer_b["contact"]["id"], id);
  EXPECT_EQ(Call("GET", "/api/v1/contacts/" + std::to_string(id), "", beto).status, 403);
  EXPECT_EQ(Call("POST", "/api/v1/contacts/" + std::to_string(id) + "/result",
                 R"({"idempotency_key":"k-b","disposition":"NO_CONTESTA"})", beto)
                .status,
            403);
  EXPECT_EQ(Call("GET", "/api/v1/contacts/" + std::to_string(id), "", ana).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/contacts/" + std::to_string(id), "", sara).status, 200);
}

TEST_F(ApiTest, ResultsAreIdempotentAndOnlyAgentDispositions) {
  Session sara = LoginOk("sara");
  Session ana = LoginOk("ana");
  ASSERT_EQ(Call("POST", "/api/v1/campaigns/c1/start", "{}", sara).status, 200);
  json offer = ReadyAndConnected(ana, "ana");
  ASSERT_TRUE(offer.contains("contact")) << offer.dump();
  const int64_t attempt = offer["call"]["attempt_id"];
  const std::string url =
      "/api/v1/contacts/" + std::to_string(offer["contact"]["id"].get<int64_t>()) + "/result";
  EXPECT_EQ(Call("POST", url, R"({"idempotency_key":"k1","disposition":"ABANDONADA"})", ana).status,
            400);
  EXPECT_EQ(Call("POST", url, R"({"disposition":"ENCUESTA_EFECTIVA"})", ana).status, 400);
  // c1 has no survey: answers cannot be validated, so none are taken.
  EXPECT_EQ(
      Call("POST", url,
           R"({"idempotency_key":"k0","disposition":"ENCUESTA_EFECTIVA","answers":{"q3":"si"}})",
           ana)
          .status,
      400);
  const std::string body =
      R"({"idempotency_key":"k1","disposition":"ENCUESTA_EFECTIVA","answers":{},"notes":"ok"})";
  HttpResponse first = Call("POST", url, body, ana);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(Body(first)["complete"], true);
  ASSERT_EQ(pushes_.size(), 1u);  // the wallboard hears of it
  HttpResponse again = Call("POST", url, body, ana);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(Body(again)["duplicate"], true);
  auto st = db_->Prepare("SELECT COUNT(*) FROM agent_results WHERE state = 'applied'");
  ASSERT_OK(st);
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->Int(0), 1);
  // The engine disposed the attempt with the agent's code and notes.
  auto at = db_->Prepare("SELECT state, disposition, notes FROM attempts WHERE id = ?1");
  ASSERT_OK(at);
  at->Bind(1, attempt);
  ASSERT_TRUE(*at->Step());
  EXPECT_EQ(at->Text(0), "disposed");
  EXPECT_EQ(at->Text(1), "ENCUESTA_EFECTIVA");
  EXPECT_EQ(at->Text(2), "ok");
  // The wallboard counts the complete.
  auto wb = api_->Wallboard();
  ASSERT_OK(wb);
  EXPECT_EQ((*wb)["completes_today"], 1);
}

TEST_F(ApiTest, SmsEstimateOffersTheGsm7Alternative) {
  Session ana = LoginOk("ana");
  HttpResponse r = Call("POST", "/api/v1/sms/estimate",
                        R"({"text":"Participe en la encuesta de atención","recipients":35})", ana);
  ASSERT_EQ(r.status, 200) << r.body;
  json j = Body(r);
  EXPECT_EQ(j["text"]["encoding"], "UCS-2");
  EXPECT_EQ(j["alternative"]["encoding"], "GSM-7");
  EXPECT_EQ(j["text"]["total_segments"], 35);
}

TEST_F(ApiTest, MalformedRequestsAre4xx) {
  Session ana = LoginOk("ana");
  EXPECT_EQ(Call("POST", "/api/v1/login", "{", Session{}).status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/login", R"({"user":5,"password":"x"})", Session{}).status, 400);
  EXPECT_EQ(Call("POST", "/api/v1/agent/state", R"({"state":"dormido"})", ana).status, 400);
  EXPECT_EQ(
      Call("POST", "/api/v1/agent/state", R"({"state":"pausa","reason":"almuerzo"})", ana).status,
      200);
  EXPECT_EQ(Call("GET", "/api/v1/nada", "", ana).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/contacts/abc", "", ana).status, 404);
}

TEST_F(ApiTest, SmsGatewayCallbacksNeedTheSharedToken) {
  // The fixture's Api has no token: the endpoints do not exist.
  EXPECT_EQ(Call("GET", "/api/v1/sms/mo?token=&from=573502334903&text=SALIR", "", {}).status, 404);
  Api::Options ao;
  ao.pbkdf2_iterations = kIter;
  ao.sms_callback_token = "s3creto";
  api_ = std::make_unique<Api>(*db_, clock_, ao);
  ASSERT_OK(db_->Exec(
      "INSERT INTO sms_blasts(id, campaign_id, template, scheduled_ms, created_ms, created_by,"
      " recipients, segments) VALUES (1, 'c1', 'Hola', 0, 0, 'sara', 1, 1);"
      "INSERT INTO sms_messages(blast_id, contact_id, phone_e164, idem_key, text, encoding,"
      " segments, state, dlr) VALUES (1, 1, '+573502334903', 'k1', 'Hola', 'GSM-7', 1, 'sent',"
      " 'pending');"));
  auto dlr_state = [&] {
    auto st = db_->Prepare("SELECT dlr FROM sms_messages WHERE idem_key = 'k1'");
    EXPECT_OK(st);
    EXPECT_TRUE(*st->Step());
    return st->Text(0);
  };
  // Wrong token: 404 and nothing changes.
  EXPECT_EQ(Call("GET", "/api/v1/sms/dlr?token=otro&key=k1&status=1", "", {}).status, 404);
  EXPECT_EQ(dlr_state(), "pending");
  // Kannel's %d = 1: delivered. No session or CSRF needed.
  HttpResponse r = Call("GET", "/api/v1/sms/dlr?token=s3creto&key=k1&status=1", "", {});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(dlr_state(), "delivered");
  EXPECT_EQ(Call("GET", "/api/v1/sms/dlr?token=s3creto&key=k1&status=x", "", {}).status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/sms/dlr?token=s3creto&key=nada&status=1", "", {}).status, 404);
  // An inbound SALIR puts the number on the suppression list.
  r = Call("GET", "/api/v1/sms/mo?token=s3creto&from=573502334903&text=SALIR", "", {});
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Body(r)["opt_out"], true);
  auto st = db_->Prepare("SELECT COUNT(*) FROM suppressions WHERE value = '+573502334903'");
  ASSERT_OK(st);
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->Int(0), 1);
  r = Call("GET", "/api/v1/sms/mo?token=s3creto&from=573195029670&text=Gracias", "", {});
  EXPECT_EQ(Body(r)["opt_out"], false);
}

TEST(QueryTest, DecodesValues) {
  EXPECT_EQ(QueryValue("format=csv&filename=base%20uno.csv", "filename"), "base uno.csv");
  EXPECT_EQ(QueryValue("a=1", "b"), "");
  EXPECT_EQ(QueryValue("a=%4", "a"), "%4");
  EXPECT_EQ(CookieValue("x=1; sondeo_sesion=abc; y=2", "sondeo_sesion"), "abc");
}

}  // namespace
}  // namespace sondeo::server
