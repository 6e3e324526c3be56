#include "dialer/sms_send.h"

#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "campaigns/schema.h"
#include "dialer/sms_scheduler.h"
#include "tests/testutil/testutil.h"

namespace sondeo::dialer {
namespace {

// A minimal HTTP/1.0 server on 127.0.0.1, port 0: answers every request with `status`
// (or 503 while `fail_first` > 0) and records the "to" parameter of each request.
class FakeGateway {
 public:
  explicit FakeGateway(int status) : status_(status) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 128);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeGateway() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/cgi-bin/sendsms";
  }
  std::map<std::string, int> Received() {
    std::lock_guard<std::mutex> l(mu_);
    return received_;
  }
  // Appends a marker (e.g. "sleep") to the request log.
  void Mark(const std::string& what) {
    std::lock_guard<std::mutex> l(mu_);
    events_.push_back(what);
  }
  std::vector<std::string> Events() {
    std::lock_guard<std::mutex> l(mu_);
    return events_;
  }
  std::atomic<int> fail_first{0};  // answer this many requests with 503 ...
  std::atomic<int> fail_after{0};  // ... after accepting this many

 private:
  void Loop() {
    while (!stop_) {
      const int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string req;
      char buf[4096];
      while (req.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(c, buf, sizeof buf);
        if (n <= 0) break;
        req.append(buf, static_cast<size_t>(n));
      }
      int status = status_;
      const size_t p = req.find("&to=");
      const std::string to =
          p == std::string::npos ? "" : req.substr(p + 4, req.find('&', p + 4) - p - 4);
      if (fail_after > 0) {
        --fail_after;
      } else if (fail_first > 0) {
        --fail_first;
        status = 503;
      }
      {
        std::lock_guard<std::mutex> l(mu_);
        if (status == 503) {
          events_.push_back("503 " + to);
        } else if (!to.empty()) {
          ++received_[to];
          events_.push_back("ok " + to);
        }
      }
      const std::string body = status == 202 ? "0: Accepted for delivery" : "error";
      const std::string resp =
          "HTTP/1.0 " + std::to_string(status) +
          " X\r\nConnection: close\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
          body;
      (void)!::write(c, resp.data(), resp.size());
      ::close(c);
    }
  }
  int status_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::map<std::string, int> received_;
  std::vector<std::string> events_;  // "ok TO", "503 TO", or a Mark()
};

// A Kannel-style HTTP gateway pointed at `gw`; `concurrency` 0 keeps the default.
Result<std::unique_ptr<HttpGateway>> KannelAt(const FakeGateway& gw, int concurrency = 0) {
  GatewayConfig cfg;
  cfg.kannel.url = gw.Url();
  if (concurrency > 0) cfg.concurrency = concurrency;
  return HttpGateway::Create(cfg);
}

class SmsSendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::DbOptions o;
    o.migrations = store::Migrations();
    for (auto& m : campaigns::Migrations()) o.migrations.push_back(m);
    for (auto& m : SmsMigrations()) o.migrations.push_back(m);
    auto db = store::Db::Open(dir_.File("t.db"), o);
    ASSERT_OK(db);
    db_ = std::move(*db);
    ASSERT_OK(db_->Exec("INSERT INTO campaigns (id, created_ms) VALUES ('c1', 0)"));
  }
  void AddContact(int id, const std::string& nombres, const std::string& municipio,
                  const std::string& mobile, const std::string& doc = "") {
    auto st = db_->Prepare(
        "INSERT INTO contacts (id, campaign_id, source_row, document, nombres, municipio, "
        "extra_json) VALUES (?, 'c1', ?, ?, ?, ?, '{\"cita\":\"lunes\"}')");
    ASSERT_OK(st);
    st->Bind(1, id).Bind(2, id).Bind(3, doc).Bind(4, nombres).Bind(5, municipio);
    ASSERT_OK(st->Run());
    if (!mobile.empty()) {
      auto p = db_->Prepare(
          "INSERT INTO phones (contact_id, e164, type, position) VALUES (?, ?, 'mobile', 0)");
      ASSERT_OK(p);
      p->Bind(1, id).Bind(2, mobile);
      ASSERT_OK(p->Run());
    }
  }
  int64_t Count(const std::string& sql) {
    auto st = db_->Prepare(sql);
    EXPECT_OK(st);
    auto r = st->Step();
    EXPECT_OK(r);
    return st->Int(0);
  }
  // Friday 2026-11-27 10:00 Bogotá = 15:00 UTC: inside legal hours.
  TimePoint Friday10() { return FromUnixMillis(1795791600000); }

  testing::TempDir dir_;
  std::unique_ptr<store::Db> db_;
};

TEST_F(SmsSendTest, PlanRendersPerRecipientAndSkipsSuppressed) {
  AddContact(1, "Ana", "Colosó", "+573001110001");
  AddContact(2, "José María de la Santísima Trinidad", "Coloso", "+573001110002");
  AddContact(3, "Sin celular", "Colosó", "");
  AddContact(4, "Excluida", "Colosó", "+573001110004");
  AddContact(5, "Doc excluido", "Colosó", "+573001110005", "123");
  AddContact(6, "Repetido", "Colosó", "+573001110001");
  AddContact(7, "Otro", "Orito", "+573001110007");
  ASSERT_OK(
      db_->Exec("INSERT INTO suppressions VALUES ('phone','+573001110004','',0),"
                "('document','123','',0)"));
  BlastRequest req{"c1", "Hola {nombres}, su cita es el {cita}", "COLOSÓ", Friday10()};
  auto plan = PlanBlast(*db_, req);
  ASSERT_OK(plan);
  EXPECT_EQ(plan->recipients, 2);
  EXPECT_EQ(plan->suppressed, 2);
  EXPECT_EQ(plan->without_mobile, 1);
  EXPECT_EQ(plan->duplicate_phones, 1);
  ASSERT_EQ(plan->messages.size(), 2u);
  EXPECT_EQ(plan->messages[0].text, "Hola Ana, su cita es el lunes");
  EXPECT_EQ(plan->messages[0].encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(plan->messages[1].encoding, SmsEncoding::kUcs2);  // í in Santísima
  EXPECT_EQ(plan->segments, 2);

  auto bad = PlanBlast(*db_, BlastRequest{"c1", "Hola {apellido}", "", Friday10()});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("{apellido}"));
  EXPECT_EQ(PlanBlast(*db_, BlastRequest{"nope", "x", "", Friday10()}).status().code(),
            StatusCode::kNotFound);
}

TEST(SmsCapTest, CheckCapTable) {
  struct Case {
    int64_t cap, used, planned;
    bool exceeds, warn;
  };
  const std::vector<Case> cases = {
      {0, 100, 100, false, false},      {30000, 0, 100, false, false},
      {30000, 23900, 100, false, true}, {30000, 29000, 1000, false, true},
      {30000, 29000, 1001, true, true}, {30000, 48696, 1, true, true},
  };
  for (const auto& c : cases) {
    const CapCheck r = CheckCap(c.cap, c.used, c.planned);
    EXPECT_EQ(r.exceeds, c.exceeds) << c.used << "+" << c.planned;
    EXPECT_EQ(r.warn, c.warn) << c.used << "+" << c.planned;
  }
}

TEST_F(SmsSendTest, CapRefusesBeforeAnythingAndApprovalIsAudited) {
  for (int i = 1; i <= 35; ++i)
    AddContact(i, "Ana", "Colosó", "+57300111" + std::to_string(1000 + i));
  ASSERT_OK(SaveContract(*db_, {100, 20.0}, "admin", Friday10()));
  const std::string s4 =
      "Con socializaciones ART se potencia la participación de las comunidades en la "
      "implementación de los acuerdos y la ejecución de los PDET";
  BlastRequest req{"c1", s4, "", Friday10()};
  auto plan = PlanBlast(*db_, req);
  ASSERT_OK(plan);
  EXPECT_EQ(plan->segments, 105);  // Colosó: 35 x 3
  EXPECT_EQ(plan->alternative_segments, 35);
  auto refused = CreateBlast(*db_, req, *plan, {"supervisor", false}, Friday10());
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("105"));
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("saldo 100"));
  EXPECT_THAT(refused.status().message(), ::testing::HasSubstr("GSM-7"));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages"), 0);
  auto ok = CreateBlast(*db_, req, *plan, {"admin", true}, Friday10());
  ASSERT_OK(ok);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages"), 35);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'sms.cap.overrun_approved'"), 1);
  auto used = UsedSegmentsInMonth(*db_, Friday10());
  ASSERT_OK(used);
  EXPECT_EQ(*used, 105);
}

TEST_F(SmsSendTest, SendsOnceResumesAfterCrashAndRetries5xx) {
  for (int i = 1; i <= 50; ++i)
    AddContact(i, "Ana", "Colosó", "+57300222" + std::to_string(1000 + i));
  FakeGateway gw(202);
  gw.fail_first = 3;
  BlastRequest req{"c1", "Encuesta de satisfacción {nombres}", "", Friday10()};
  auto plan = PlanBlast(*db_, req);
  ASSERT_OK(plan);
  auto id = CreateBlast(*db_, req, *plan, {}, Friday10());
  ASSERT_OK(id);
  // A "crash": two rows left in 'sending'.
  ASSERT_OK(db_->Exec("UPDATE sms_messages SET state = 'sending' WHERE id IN (1, 2)"));
  auto g = KannelAt(gw, 4);
  ASSERT_OK(g);
  ManualClock clock(Friday10());
  int sleeps = 0;
  auto sleeper = [&](Duration d) {
    ++sleeps;
    clock.Advance(d);
  };
  SenderOptions opts;
  opts.batch_size = 8;
  auto r = RunBlast(*db_, *id, **g, clock, sleeper, opts);
  ASSERT_OK(r);
  EXPECT_TRUE(r->done);
  EXPECT_EQ(r->recovered_uncertain, 2);
  EXPECT_EQ(r->uncertain, 2);
  EXPECT_EQ(r->sent, 48);
  EXPECT_GE(r->retries, 3);
  EXPECT_GE(sleeps, 1);
  const auto received = gw.Received();
  EXPECT_EQ(received.size(), 48u);
  for (const auto& [to, n] : received) EXPECT_EQ(n, 1) << "sent twice";
  // Running again sends nothing.
  auto again = RunBlast(*db_, *id, **g, clock, sleeper, opts);
  ASSERT_OK(again);
  EXPECT_EQ(gw.Received().size(), 48u);
}

// The streaming sender keeps main's rule: a 5xx (partial or a whole outage) is followed by a
// backoff before anything is retried, the blast keeps its place, and every recipient gets
// the message once.
TEST_F(SmsSendTest, StreamBacksOffOn5xxMidBlastAndSendsOnce) {
  for (int i = 1; i <= 120; ++i)
    AddContact(i, "Ana", "Colosó", "+57300555" + std::to_string(1000 + i));
  for (const int failures : {3, 40}) {  // a partial failure, then an outage
    SCOPED_TRACE(failures);
    ASSERT_OK(db_->Exec("DELETE FROM sms_messages"));
    ASSERT_OK(db_->Exec("DELETE FROM sms_blasts"));
    FakeGateway gw(202);
    gw.fail_after = 30;  // mid-stream
    gw.fail_first = failures;
    BlastRequest req{"c1", "Hola {nombres}", "", Friday10()};
    auto plan = PlanBlast(*db_, req);
    ASSERT_OK(plan);
    SendApproval approve;
    approve.approve_overrun = true;
    auto id = CreateBlast(*db_, req, *plan, approve, Friday10());
    ASSERT_OK(id);
    auto g = KannelAt(gw, 4);
    ASSERT_OK(g);
    ManualClock clock(Friday10());
    std::vector<Duration> sleeps;
    auto sleeper = [&](Duration d) {
      sleeps.push_back(d);
      gw.Mark("sleep");
      clock.Advance(d);
    };
    SenderOptions opts;
    opts.batch_size = 8;
    auto r = RunBlast(*db_, *id, **g, clock, sleeper, opts);
    ASSERT_OK(r);
    EXPECT_TRUE(r->done);
    EXPECT_EQ(r->sent, 120);
    EXPECT_EQ(r->uncertain, 0);
    EXPECT_EQ(r->retries, failures);
    const auto received = gw.Received();
    EXPECT_EQ(received.size(), 120u);
    for (const auto& [to, n] : received) EXPECT_EQ(n, 1) << "sent twice";
    // Every 503'd recipient is retried only after a backoff.
    std::map<std::string, bool> waiting;  // recipient -> got a 503, no sleep since
    for (const auto& e : gw.Events()) {
      if (e == "sleep") {
        waiting.clear();
      } else if (e.rfind("503 ", 0) == 0) {
        waiting[e.substr(4)] = true;
      } else {
        EXPECT_FALSE(waiting.count(e.substr(3))) << "retried without a backoff";
      }
    }
    ASSERT_FALSE(sleeps.empty());
    // Backoff doubles while nothing goes through.
    for (size_t i = 1; i < sleeps.size(); ++i) EXPECT_GE(sleeps[i], sleeps[i - 1]);
    if (failures > 10) {
      EXPECT_GE(sleeps.size(), 3u);
      EXPECT_EQ(sleeps[1], 2 * sleeps[0]);
    }
    EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages WHERE attempts > 1 AND state = 'sent'"),
              Count("SELECT COUNT(DISTINCT id) FROM sms_messages WHERE attempts > 1"));
  }
}

TEST_F(SmsSendTest, WaitsForLegalHoursAndRejects4xxWithoutRetry) {
  for (int i = 1; i <= 5; ++i)
    AddContact(i, "Ana", "Colosó", "+57300333" + std::to_string(1000 + i));
  FakeGateway gw(403);
  // Saturday 2026-11-28 16:00 Bogotá (after 15:00): next legal time is Monday 07:00.
  const TimePoint sat16 = FromUnixMillis(1795899600000);
  BlastRequest req{"c1", "Hola", "", sat16};
  auto plan = PlanBlast(*db_, req);
  ASSERT_OK(plan);
  auto id = CreateBlast(*db_, req, *plan, {}, sat16);
  ASSERT_OK(id);
  auto g = KannelAt(gw);
  ASSERT_OK(g);
  ManualClock clock(sat16);
  Duration slept{0};
  auto sleeper = [&](Duration d) {
    slept += d;
    clock.Advance(d);
  };
  auto r = RunBlast(*db_, *id, **g, clock, sleeper);
  ASSERT_OK(r);
  EXPECT_EQ(r->failed, 5);
  EXPECT_EQ(r->retries, 0);
  // Monday 2026-11-30 07:00 Bogotá = 12:00 UTC.
  EXPECT_EQ(clock.Now(), FromUnixMillis(1796040000000));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages WHERE state = 'failed'"), 5);
  EXPECT_EQ(UsedSegmentsInMonth(*db_, sat16).value(), 0);  // rejected: not billed
}

// A delivery report can reach serve after a crash but before the sender restarts: the row is
// still 'sending'; the restart counts it as sent (it went out) and the others as uncertain.
TEST_F(SmsSendTest, RestartKeepsRowsConfirmedByADlrAsSent) {
  for (int i = 1; i <= 4; ++i)
    AddContact(i, "Ana", "Colosó", "+57300666" + std::to_string(1000 + i));
  FakeGateway gw(202);
  BlastRequest req{"c1", "Hola", "", Friday10()};
  auto plan = PlanBlast(*db_, req);
  ASSERT_OK(plan);
  auto id = CreateBlast(*db_, req, *plan, {}, Friday10());
  ASSERT_OK(id);
  ASSERT_OK(db_->Exec("UPDATE sms_messages SET state = 'sending' WHERE id IN (1, 2)"));
  ASSERT_OK(ApplyDlr(*db_, "sondeo-b1-c1", 1, "", Friday10()));
  auto g = KannelAt(gw);
  ASSERT_OK(g);
  ManualClock clock(Friday10());
  auto r = RunBlast(*db_, *id, **g, clock, [&](Duration d) { clock.Advance(d); });
  ASSERT_OK(r);
  EXPECT_EQ(r->recovered_uncertain, 1);
  EXPECT_EQ(r->uncertain, 1);
  EXPECT_EQ(r->sent, 3);
  EXPECT_EQ(gw.Received().size(), 2u);  // rows 3 and 4 only
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages WHERE id = 1 AND state = 'sent' AND "
                  "dlr = 'delivered'"),
            1);
}

// SenderOptions::stop (serve shutting down): no more claims, the blast keeps its place.
TEST_F(SmsSendTest, StopLeavesTheRestPending) {
  for (int i = 1; i <= 40; ++i)
    AddContact(i, "Ana", "Colosó", "+57300777" + std::to_string(1000 + i));
  FakeGateway gw(202);
  BlastRequest req{"c1", "Hola", "", Friday10()};
  auto plan = PlanBlast(*db_, req);
  ASSERT_OK(plan);
  auto id = CreateBlast(*db_, req, *plan, {}, Friday10());
  ASSERT_OK(id);
  auto g = KannelAt(gw, 2);
  ASSERT_OK(g);
  ManualClock clock(Friday10());
  SenderOptions opts;
  opts.batch_size = 4;
  int asked = 0;
  opts.stop = [&] { return ++asked > 3; };
  auto r = RunBlast(
      *db_, *id, **g, clock, [&](Duration d) { clock.Advance(d); }, opts);
  ASSERT_OK(r);
  EXPECT_FALSE(r->done);
  EXPECT_GT(r->pending, 0);
  EXPECT_EQ(r->sent + r->pending, 40);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages WHERE state = 'sending'"), 0);
  EXPECT_EQ(static_cast<int>(gw.Received().size()), r->sent);
  opts.stop = nullptr;
  auto rest = RunBlast(
      *db_, *id, **g, clock, [&](Duration d) { clock.Advance(d); }, opts);
  ASSERT_OK(rest);
  EXPECT_TRUE(rest->done);
  EXPECT_EQ(rest->sent, 40);
  for (const auto& [to, n] : gw.Received()) EXPECT_EQ(n, 1) << "sent twice";
}

// serve's background sender: sends the due blast by itself, leaves a later one scheduled,
// and stops promptly.
TEST_F(SmsSendTest, SchedulerSendsDueBlastsAndLeavesLaterOnes) {
  for (int i = 1; i <= 30; ++i)
    AddContact(i, "Ana", "Colosó", "+57300888" + std::to_string(1000 + i));
  FakeGateway gw(202);
  BlastRequest now_req{"c1", "Hola", "", Friday10()};
  auto plan = PlanBlast(*db_, now_req);
  ASSERT_OK(plan);
  auto due = CreateBlast(*db_, now_req, *plan, {}, Friday10());
  ASSERT_OK(due);
  BlastRequest later_req{"c1", "Chao", "", Friday10() + std::chrono::hours(24 * 3)};
  auto later = CreateBlast(*db_, later_req, *plan, {}, Friday10());
  ASSERT_OK(later);
  ManualClock clock(Friday10());
  SmsSchedulerOptions o;
  o.db_path = dir_.File("t.db");
  o.gateway.kannel.url = gw.Url();
  o.gateway.concurrency = 4;
  o.poll = std::chrono::milliseconds(50);
  o.clock = &clock;
  auto s = SmsScheduler::Start(o);
  ASSERT_OK(s);
  for (int i = 0; i < 200; ++i) {
    if (Count("SELECT COUNT(*) FROM sms_blasts WHERE status = 'done'") == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages WHERE blast_id = " + std::to_string(*due) +
                  " AND state = 'sent'"),
            30);
  const auto t0 = std::chrono::steady_clock::now();
  (*s)->Stop();
  s->reset();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages WHERE blast_id = " + std::to_string(*later) +
                  " AND state = 'pending'"),
            30);
  EXPECT_EQ(gw.Received().size(), 30u);
  SmsSchedulerOptions bad = o;
  bad.gateway.kannel.url = "ftp://x";
  auto refused = SmsScheduler::Start(bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code(), StatusCode::kInvalidArgument);
}

TEST_F(SmsSendTest, DlrAndOptOut) {
  AddContact(1, "Ana", "Colosó", "+573004440001");
  BlastRequest req{"c1", "Hola", "", Friday10()};
  auto plan = PlanBlast(*db_, req);
  ASSERT_OK(plan);
  ASSERT_OK(CreateBlast(*db_, req, *plan, {}, Friday10()));
  ASSERT_OK(db_->Exec("UPDATE sms_messages SET state = 'uncertain'"));
  const std::string key = "sondeo-b1-c1";
  ASSERT_OK(ApplyDlr(*db_, key, 8, "ACK/", Friday10()));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages WHERE dlr = 'pending' AND state = 'sent'"), 1);
  ASSERT_OK(ApplyDlr(*db_, key, 1, "", Friday10()));
  ASSERT_OK(ApplyDlr(*db_, key, 8, "", Friday10()));  // late ack never downgrades
  EXPECT_EQ(Count("SELECT COUNT(*) FROM sms_messages WHERE dlr = 'delivered'"), 1);
  EXPECT_EQ(ApplyDlr(*db_, "nope", 1, "", Friday10()).code(), StatusCode::kNotFound);

  struct D {
    int status;
    std::string answer;
    DlrState want;
  };
  for (const auto& d : std::vector<D>{{1, "", DlrState::kDelivered},
                                      {2, "", DlrState::kFailed},
                                      {16, "NACK/0x0b", DlrState::kFailed},
                                      {4, "", DlrState::kPending},
                                      {8, "id:1 stat:EXPIRED err:0", DlrState::kExpired},
                                      {2, "id:1 stat:UNDELIV", DlrState::kFailed}}) {
    EXPECT_EQ(MapKannelDlr(d.status, d.answer), d.want) << d.status << d.answer;
  }
  for (const char* t : {"NO", "no", " Salir ", "SALÍR", "Stop.", "stop!", "nO"}) {
    EXPECT_TRUE(IsOptOut(t)) << t;
  }
  for (const char* t : {"NOS", "no gracias", "SI", "", "1"}) EXPECT_FALSE(IsOptOut(t)) << t;
  auto mo = ApplyMo(*db_, "573004440001", "Salir", Friday10());
  ASSERT_OK(mo);
  EXPECT_TRUE(*mo);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM suppressions WHERE kind = 'phone' AND value = "
                  "'+573004440001'"),
            1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'suppression.add'"), 1);
  auto again = ApplyMo(*db_, "3004440001", "STOP", Friday10());  // already there: no error
  ASSERT_OK(again);
  auto plan2 = PlanBlast(*db_, req);
  ASSERT_OK(plan2);
  EXPECT_EQ(plan2->recipients, 0);
}

TEST(SmsGatewayTest, KannelRequestUsesUcs2OnlyWhenNeeded) {
  KannelConfig k;
  k.url = "http://127.0.0.1:13013/cgi-bin/sendsms";
  k.username = "dialer";
  k.password = "secret";
  k.dlr_mask = 31;
  k.dlr_url = "http://127.0.0.1:8099/dlr";
  auto r = BuildKannelRequest(k, {1, "k-1", "+573001234567", "¿Cómo está?"});
  EXPECT_THAT(r.url, ::testing::HasSubstr("to=573001234567&"));
  EXPECT_THAT(r.url, ::testing::HasSubstr("coding=2"));
  EXPECT_THAT(r.url, ::testing::HasSubstr("charset=UTF-8"));
  EXPECT_THAT(r.url, ::testing::HasSubstr("text=%C2%BFC%C3%B3mo%20est%C3%A1%3F"));
  EXPECT_THAT(r.url, ::testing::HasSubstr("dlr-mask=31"));
  EXPECT_THAT(r.url, ::testing::HasSubstr("key%3Dk-1%26status%3D%25d"));
  auto g = BuildKannelRequest(k, {1, "k-1", "+573001234567", "Señora Muñoz"});
  EXPECT_THAT(g.url, ::testing::Not(::testing::HasSubstr("coding=2")));

  HttpJsonConfig h;
  h.url = "https://api.example/sms";
  h.headers = {"Content-Type: application/json", "Idempotency-Key: {key}"};
  auto j = BuildHttpJsonRequest(h, {1, "k-2", "+573001234567", "Dijo \"sí\""});
  ASSERT_OK(j);
  EXPECT_EQ(j->body, R"({"to":"+573001234567","text":"Dijo \"sí\"","reference":"k-2"})");
  EXPECT_EQ(j->headers[1], "Idempotency-Key: k-2");
  // The JSON's own braces are literal, nested objects included; only {name} is replaced.
  h.body_template = R"({"msg":{"to":"{to_digits}","enc":"{encoding}"}})";
  auto n = BuildHttpJsonRequest(h, {1, "k-3", "+573001234567", "¿Cómo está?"});
  ASSERT_OK(n);
  EXPECT_EQ(n->body, R"({"msg":{"to":"573001234567","enc":"UCS-2"}})");
  h.body_template = "{nope}";
  EXPECT_FALSE(BuildHttpJsonRequest(h, {1, "k", "+57", "x"}).ok());
}

TEST(SmsGatewayTest, ClassifySendTable) {
  struct C {
    Transport t;
    long status;
    bool sent, dedupes;
    SendOutcome want;
  };
  const std::vector<C> cases = {
      {Transport::kOk, 202, true, false, SendOutcome::kAccepted},
      {Transport::kOk, 400, true, false, SendOutcome::kRejected},
      {Transport::kOk, 403, true, false, SendOutcome::kRejected},
      {Transport::kOk, 429, true, false, SendOutcome::kRetry},
      {Transport::kOk, 503, true, false, SendOutcome::kRetry},
      {Transport::kNotConnected, 0, false, false, SendOutcome::kRetry},
      {Transport::kTimedOut, 0, false, false, SendOutcome::kRetry},
      {Transport::kTimedOut, 0, true, false, SendOutcome::kUncertain},
      {Transport::kTimedOut, 0, true, true, SendOutcome::kRetry},
      {Transport::kBroken, 0, true, false, SendOutcome::kUncertain},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(ClassifySend(c.t, c.status, c.sent, c.dedupes), c.want) << c.status;
  }
}

TEST(SmsSequenceTest, ParseSteps) {
  auto s = ParseSequenceSteps("# Colosó\n09:00 Mensaje uno\n\n09:15  Mensaje dos\r\n");
  ASSERT_OK(s);
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[1].local_time, std::chrono::minutes(9 * 60 + 15));
  EXPECT_EQ((*s)[1].template_text, "Mensaje dos");
  auto bad = ParseSequenceSteps("09:00 a\n9h texto\n");
  EXPECT_THAT(bad.status().message(), ::testing::HasSubstr("línea 2"));
}

}  // namespace
}  // namespace sondeo::dialer
