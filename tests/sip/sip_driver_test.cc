// The engine's `sip` driver against a real sipp UAS: outcomes as CallEnd, hang-up, and the
// circuit breaker when the trunk goes away and comes back (no attempt consumed meanwhile).
#include <condition_variable>
#include <cstdlib>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dialer/sip.h"

namespace sondeo::dialer {
namespace {

uint16_t FreeUdpPort() {
  const int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A sipp UAS child process on 127.0.0.1:port, killed on destruction.
class Sipp {
 public:
  explicit Sipp(uint16_t port, const std::string& message_file = "", int media_port = 6000) {
    const char* scenario = std::getenv("SIPP_SCENARIO");
    const std::string p = std::to_string(port);
    const std::string mp = std::to_string(media_port);
    const std::string log = message_file.empty() ? "/dev/null" : message_file;
    pid_ = fork();
    if (pid_ == 0) {
      execlp("sipp", "sipp", "-sf", scenario, "-i", "127.0.0.1", "-p", p.c_str(), "-mp", mp.c_str(),
             "-nostdin", "-nd", "-trace_msg", "-message_file", log.c_str(),
             static_cast<char*>(nullptr));
      _exit(127);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ~Sipp() {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }

 private:
  pid_t pid_ = -1;
};

class Events {
 public:
  void Add(const DriverEvent& e) {
    std::lock_guard lock(mu_);
    events_.push_back(e);
    cv_.notify_all();
  }
  // Waits for the kFinished event of `attempt`.
  std::optional<DriverEvent> Finished(uint64_t attempt, std::chrono::seconds within) {
    std::unique_lock lock(mu_);
    std::optional<DriverEvent> found;
    cv_.wait_for(lock, within, [&] {
      for (const auto& e : events_) {
        if (e.attempt_id == attempt && e.kind == DriverEvent::Kind::kFinished) found = e;
      }
      return found.has_value();
    });
    return found;
  }
  bool Saw(uint64_t attempt, DriverEvent::Kind kind, std::chrono::seconds within) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, within, [&] {
      for (const auto& e : events_) {
        if (e.attempt_id == attempt && e.kind == kind) return true;
      }
      return false;
    });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<DriverEvent> events_;
};

SipDriverOptions Options(uint16_t port, const std::string& prefix_format) {
  SipDriverOptions o;
  o.sip.trunk = "127.0.0.1:" + std::to_string(port);
  o.sip.uri_format = prefix_format;
  o.sip.transaction_timeout = std::chrono::milliseconds(2000);
  return o;
}

TEST(SipDriverTest, MapsOutcomesAndHangsUp) {
  const uint16_t port = FreeUdpPort();
  Sipp sipp(port);
  // The technical prefix is taken from the number's first 7 digits here: the test dials
  // "numbers" that carry sipp's outcome code.
  auto driver = MakeSipDriver(Options(port, "sip:{digits}@{trunk}"));
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();
  Events events;
  (*driver)->SetSink([&](const DriverEvent& e) { events.Add(e); });
  const std::map<uint64_t, std::pair<std::string, CallEnd>> cases = {
      {1, {"+4860000573001234567", CallEnd::kBusy}},
      {2, {"+4040000573001234567", CallEnd::kInvalidNumber}},
      {3, {"+6030000573001234567", CallEnd::kRejected}},
      {4, {"+4800100573001234567", CallEnd::kNoAnswer}},
  };
  for (const auto& [attempt, c] : cases) {
    ASSERT_TRUE((*driver)->Originate({attempt, c.first, std::chrono::seconds(20), "", ""}).ok());
  }
  for (const auto& [attempt, c] : cases) {
    auto e = events.Finished(attempt, std::chrono::seconds(10));
    ASSERT_TRUE(e.has_value()) << "attempt " << attempt;
    EXPECT_EQ(e->end, c.second) << "attempt " << attempt << " sip " << e->sip_code;
  }
  // Answered, then we hang up: kAnswered, then kFinished(kHungUp) not from the citizen.
  ASSERT_TRUE(
      (*driver)->Originate({9, "+2000100573001234567", std::chrono::seconds(20), "", ""}).ok());
  ASSERT_TRUE(events.Saw(9, DriverEvent::Kind::kRinging, std::chrono::seconds(5)));
  ASSERT_TRUE(events.Saw(9, DriverEvent::Kind::kAnswered, std::chrono::seconds(5)));
  (*driver)->Hangup(9);
  auto done = events.Finished(9, std::chrono::seconds(5));
  ASSERT_TRUE(done.has_value());
  EXPECT_EQ(done->end, CallEnd::kHungUp);
  EXPECT_FALSE(done->remote_hangup);
  // The citizen hangs up first (sipp sends BYE after 1 s of talk).
  ASSERT_TRUE(
      (*driver)->Originate({10, "+2000001573001234567", std::chrono::seconds(20), "", ""}).ok());
  auto theirs = events.Finished(10, std::chrono::seconds(6));
  ASSERT_TRUE(theirs.has_value());
  EXPECT_EQ(theirs->end, CallEnd::kHungUp);
  EXPECT_TRUE(theirs->remote_hangup);
}

TEST(SipDriverTest, CircuitBreakerPausesWhileTheTrunkIsDownThenRecovers) {
  const uint16_t port = FreeUdpPort();
  auto opts = Options(port, "sip:2000001{digits}@{trunk}");
  opts.breaker.threshold = 3;
  opts.breaker.open_for = std::chrono::milliseconds(1500);
  std::mutex mu;
  std::vector<std::string> alerts;
  opts.on_alert = [&](const std::string& m) {
    std::lock_guard lock(mu);
    alerts.push_back(m);
  };
  auto driver = MakeSipDriver(opts);
  ASSERT_TRUE(driver.ok());
  Events events;
  (*driver)->SetSink([&](const DriverEvent& e) { events.Add(e); });
  // Nobody listens: each call fails at once (ICMP unreachable) as a network failure.
  for (uint64_t a = 1; a <= 3; ++a) {
    ASSERT_TRUE((*driver)->Originate({a, "+573001234567", std::chrono::seconds(20), "", ""}).ok());
    auto e = events.Finished(a, std::chrono::seconds(5));
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->end, CallEnd::kNetworkFailure);
    EXPECT_EQ(CallEndDisposition(e->end), "FALLA_DE_RED");
  }
  // Open: dialing pauses without placing calls, and the supervisor was alerted.
  Status paused = (*driver)->Originate({4, "+573001234567", std::chrono::seconds(20), "", ""});
  EXPECT_EQ(paused.code(), StatusCode::kUnavailable);
  {
    std::lock_guard lock(mu);
    ASSERT_EQ(alerts.size(), 1u);
  }
  // The trunk comes back; after the pause one probe goes through and closes the breaker.
  Sipp sipp(port);
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  ASSERT_TRUE((*driver)->Originate({5, "+573001234567", std::chrono::seconds(20), "", ""}).ok());
  auto probe = events.Finished(5, std::chrono::seconds(6));
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->end, CallEnd::kHungUp);
  EXPECT_TRUE((*driver)->Originate({6, "+573001234567", std::chrono::seconds(20), "", ""}).ok());
  EXPECT_TRUE(events.Finished(6, std::chrono::seconds(6)).has_value());
  std::lock_guard lock(mu);
  ASSERT_EQ(alerts.size(), 2u);
  EXPECT_NE(alerts[1].find("recuperada"), std::string::npos);
}

std::string Slurp(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string out;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return out;
}

class EndpointEvents {
 public:
  void Add(const SipCallEvent& e) {
    std::lock_guard lock(mu_);
    events_.push_back(e);
    cv_.notify_all();
  }
  std::optional<SipCallEvent> Wait(uint64_t call, SipCallEvent::Kind kind,
                                   std::chrono::milliseconds within) {
    std::unique_lock lock(mu_);
    std::optional<SipCallEvent> found;
    cv_.wait_for(lock, within, [&] {
      for (const auto& e : events_) {
        if (e.call_id == call && e.kind == kind) found = e;
      }
      return found.has_value();
    });
    return found;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SipCallEvent> events_;
};

// RFC 3725 flow I: the citizen's offerless INVITE is answered with the citizen's offer, the
// agent is INVITEd with it (auto-answer), and the citizen is ACKed with the agent's answer.
TEST(SipBridgeTest, ConnectsTheAgentByThirdPartyCallControlWithinTwoSeconds) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp");
  const std::string citizen_log = dir + "/sondeo-3pcc-citizen-" + std::to_string(getpid());
  const std::string agent_log = dir + "/sondeo-3pcc-agent-" + std::to_string(getpid());
  const uint16_t citizen_port = FreeUdpPort();
  const uint16_t agent_port = FreeUdpPort();
  {
    Sipp citizen(citizen_port, citizen_log, 6100);
    Sipp agent(agent_port, agent_log, 7200);
    SipOptions opt;
    opt.trunk = "127.0.0.1:" + std::to_string(citizen_port);
    opt.uri_format = "sip:2000100{digits}@{trunk}";
    EndpointEvents events;
    auto ep = SipEndpoint::Start(opt, SipOutcomeTable::Defaults(),
                                 [&](const SipCallEvent& e) { events.Add(e); });
    ASSERT_TRUE(ep.ok()) << ep.status().ToString();
    OriginateOptions call;
    call.e164 = "+573001234567";
    call.offerless = true;
    const uint64_t citizen_call = (*ep)->Originate(call, std::chrono::seconds(20));
    auto answered =
        events.Wait(citizen_call, SipCallEvent::Kind::kAnswered, std::chrono::seconds(5));
    ASSERT_TRUE(answered.has_value());
    EXPECT_NE(answered->remote_sdp.find("m=audio 6100"), std::string::npos) << answered->remote_sdp;

    const std::string agent_uri = "sip:2000000@127.0.0.1:" + std::to_string(agent_port);
    const uint64_t agent_call =
        (*ep)->ConnectAgent(citizen_call, agent_uri, std::chrono::milliseconds(2000));
    ASSERT_NE(agent_call, 0u);
    auto connected =
        events.Wait(citizen_call, SipCallEvent::Kind::kConnected, std::chrono::seconds(3));
    ASSERT_TRUE(connected.has_value());
    const auto connect_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(connected->at - answered->at);
    EXPECT_LT(connect_ms.count(), 2000) << "time to connect";

    // Hanging up the citizen hangs up the agent too.
    (*ep)->Hangup(citizen_call);
    EXPECT_TRUE(events.Wait(citizen_call, SipCallEvent::Kind::kFinished, std::chrono::seconds(5)));
    EXPECT_TRUE(events.Wait(agent_call, SipCallEvent::Kind::kFinished, std::chrono::seconds(5)));
    EXPECT_EQ((*ep)->active_calls(), 0u);

    // An agent that does not answer: the citizen call hears kAgentFailed, then is abandoned.
    const uint64_t second = (*ep)->Originate(call, std::chrono::seconds(20));
    ASSERT_TRUE(events.Wait(second, SipCallEvent::Kind::kAnswered, std::chrono::seconds(5)));
    (*ep)->ConnectAgent(second, "sip:4860000@127.0.0.1:" + std::to_string(agent_port),
                        std::chrono::milliseconds(2000));
    ASSERT_TRUE(events.Wait(second, SipCallEvent::Kind::kAgentFailed, std::chrono::seconds(3)));
    (*ep)->Complete(second);
    (*ep)->Hangup(second);
    EXPECT_TRUE(events.Wait(second, SipCallEvent::Kind::kFinished, std::chrono::seconds(5)));
    (*ep)->Stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  const std::string agent_msgs = Slurp(agent_log);
  const std::string citizen_msgs = Slurp(citizen_log);
  std::remove(agent_log.c_str());
  std::remove(citizen_log.c_str());
  // The agent was offered the citizen's media and asked to auto-answer...
  EXPECT_NE(agent_msgs.find("answer-after=0"), std::string::npos);
  EXPECT_NE(agent_msgs.find("m=audio 6100"), std::string::npos);
  // ...and the citizen's ACK carried the agent's media: RTP flows phone to phone.
  const size_t ack = citizen_msgs.find("ACK sip:");
  ASSERT_NE(ack, std::string::npos);
  EXPECT_NE(citizen_msgs.find("m=audio 7200", ack), std::string::npos);
  // Both legs were ended with BYE.
  EXPECT_NE(citizen_msgs.find("BYE sip:"), std::string::npos);
  EXPECT_NE(agent_msgs.find("BYE sip:"), std::string::npos);
}

// The engine's driver with agents' phones (SipDriverOptions::agent_uri_format): the citizen
// is INVITEd without an offer and carries the attempt's key, ConnectAgent() INVITEs the
// agent's phone with the citizen's offer and auto-answer, hanging up ends both legs; an
// agent's phone that does not answer comes back as DriverEvent::kAgentFailed and the citizen
// leg is then completed and hung up. Checked against both sipps' own message logs.
TEST(SipDriverTest, ConnectsTheAgentsPhoneByThirdPartyCallControl) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string dir = std::string(tmp != nullptr ? tmp : "/tmp");
  const std::string citizen_log = dir + "/sondeo-3pcc-dcit-" + std::to_string(getpid());
  const std::string agent_log = dir + "/sondeo-3pcc-dagt-" + std::to_string(getpid());
  const uint16_t citizen_port = FreeUdpPort();
  const uint16_t agent_port = FreeUdpPort();
  {
    Sipp citizen(citizen_port, citizen_log, 6100);
    Sipp agent(agent_port, agent_log, 7200);
    auto opts = Options(citizen_port, "sip:2000100{digits}@{trunk}");
    opts.agent_uri_format = "sip:{agent}@127.0.0.1:" + std::to_string(agent_port);
    auto driver = MakeSipDriver(opts);
    ASSERT_TRUE(driver.ok()) << driver.status().ToString();
    Events events;
    (*driver)->SetSink([&](const DriverEvent& e) { events.Add(e); });
    OriginateRequest req{1, "+573001234567", std::chrono::seconds(20), "", "c1/7/1"};
    ASSERT_TRUE((*driver)->Originate(req).ok());
    ASSERT_TRUE(events.Saw(1, DriverEvent::Kind::kAnswered, std::chrono::seconds(5)));
    ASSERT_TRUE((*driver)->ConnectAgent(1, "ana").ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    EXPECT_FALSE(events.Saw(1, DriverEvent::Kind::kAgentFailed, std::chrono::seconds(0)));
    (*driver)->Hangup(1);
    auto done = events.Finished(1, std::chrono::seconds(5));
    ASSERT_TRUE(done.has_value());
    EXPECT_EQ(done->end, CallEnd::kHungUp);

    // The agent's phone is busy (sipp answers 486 to this user part).
    req.attempt_id = 2;
    req.idempotency_key = "c1/8/1";
    ASSERT_TRUE((*driver)->Originate(req).ok());
    ASSERT_TRUE(events.Saw(2, DriverEvent::Kind::kAnswered, std::chrono::seconds(5)));
    ASSERT_TRUE((*driver)->ConnectAgent(2, "4860000").ok());
    ASSERT_TRUE(events.Saw(2, DriverEvent::Kind::kAgentFailed, std::chrono::seconds(3)));
    (*driver)->Hangup(2);  // the engine abandons the call
    EXPECT_TRUE(events.Finished(2, std::chrono::seconds(5)).has_value());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  const std::string agent_msgs = Slurp(agent_log);
  const std::string citizen_msgs = Slurp(citizen_log);
  std::remove(agent_log.c_str());
  std::remove(citizen_log.c_str());
  // The citizen's INVITE had no offer and carried the attempt's key.
  const size_t invite = citizen_msgs.find("INVITE sip:");
  ASSERT_NE(invite, std::string::npos);
  EXPECT_NE(citizen_msgs.find("X-Sondeo-Attempt: c1/7/1"), std::string::npos);
  const size_t length = citizen_msgs.find("Content-Length:", invite);
  ASSERT_NE(length, std::string::npos);
  EXPECT_EQ(citizen_msgs.substr(length, 17), "Content-Length: 0") << "offer in the INVITE";
  // The agent's phone got the citizen's media, auto-answer, and a BYE.
  EXPECT_NE(agent_msgs.find("INVITE sip:ana@"), std::string::npos);
  EXPECT_NE(agent_msgs.find("answer-after=0"), std::string::npos);
  EXPECT_NE(agent_msgs.find("m=audio 6100"), std::string::npos);
  EXPECT_NE(agent_msgs.find("BYE sip:"), std::string::npos);
  EXPECT_NE(agent_msgs.find("486 Busy Here"), std::string::npos);
  // The citizen was ACKed with the agent's media, and both citizen calls ended with BYE.
  const size_t ack = citizen_msgs.find("ACK sip:");
  ASSERT_NE(ack, std::string::npos);
  EXPECT_NE(citizen_msgs.find("m=audio 7200", ack), std::string::npos);
  size_t byes = 0;
  for (size_t p = citizen_msgs.find("BYE sip:"); p != std::string::npos;
       p = citizen_msgs.find("BYE sip:", p + 1)) {
    ++byes;
  }
  EXPECT_EQ(byes, 2u);
}

// Through Kamailio (the carrier's proxy, with Record-Route) to the sipp carrier, and the
// agent leg to a baresip phone registered at Kamailio as agente1 (started by rig_test.sh).
TEST(SipBridgeTest, ThroughKamailioToARegisteredBaresipAgent) {
  const char* proxy = std::getenv("SONDEO_RIG_KAMAILIO");
  if (proxy == nullptr) GTEST_SKIP() << "run by tests/sip/rig_test.sh, which starts the rig";
  SipOptions opt;
  opt.trunk = proxy;
  opt.uri_format = "sip:2000100{digits}@{trunk}";
  EndpointEvents events;
  auto ep = SipEndpoint::Start(opt, SipOutcomeTable::Defaults(),
                               [&](const SipCallEvent& e) { events.Add(e); });
  ASSERT_TRUE(ep.ok()) << ep.status().ToString();
  // A busy citizen through the proxy.
  OriginateOptions busy_call;
  busy_call.target_uri = std::string("sip:4860000573001234567@") + proxy;
  const uint64_t busy = (*ep)->Originate(busy_call, std::chrono::seconds(20));
  auto busy_end = events.Wait(busy, SipCallEvent::Kind::kFinished, std::chrono::seconds(5));
  ASSERT_TRUE(busy_end.has_value());
  EXPECT_EQ(busy_end->outcome, SipOutcome::kBusy);
  OriginateOptions call;
  call.e164 = "+573001234567";
  call.offerless = true;
  const uint64_t citizen = (*ep)->Originate(call, std::chrono::seconds(20));
  auto answered = events.Wait(citizen, SipCallEvent::Kind::kAnswered, std::chrono::seconds(5));
  ASSERT_TRUE(answered.has_value());
  const uint64_t agent = (*ep)->ConnectAgent(citizen, std::string("sip:agente1@") + proxy,
                                             std::chrono::milliseconds(2000));
  auto connected = events.Wait(citizen, SipCallEvent::Kind::kConnected, std::chrono::seconds(3));
  ASSERT_TRUE(connected.has_value()) << "baresip did not answer through Kamailio";
  EXPECT_LT(
      std::chrono::duration_cast<std::chrono::milliseconds>(connected->at - answered->at).count(),
      2000);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  (*ep)->Hangup(citizen);
  EXPECT_TRUE(events.Wait(citizen, SipCallEvent::Kind::kFinished, std::chrono::seconds(5)));
  EXPECT_TRUE(events.Wait(agent, SipCallEvent::Kind::kFinished, std::chrono::seconds(5)));
  (*ep)->Stop();
  EXPECT_EQ((*ep)->active_calls(), 0u);
  // The carrier got the in-dialog ACK (with baresip's SDP) and BYE through the proxy's route.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const std::string carrier = Slurp(std::getenv("SONDEO_RIG_CARRIER_LOG"));
  EXPECT_NE(carrier.find("Record-Route:"), std::string::npos);
  const size_t ack = carrier.find("ACK sip:");
  ASSERT_NE(ack, std::string::npos);
  EXPECT_NE(carrier.find("c=IN IP4 127.0.0.1", ack), std::string::npos);
  EXPECT_NE(carrier.find("BYE sip:"), std::string::npos);
  EXPECT_NE(carrier.find("486 Busy Here"), std::string::npos);
}

}  // namespace
}  // namespace sondeo::dialer
