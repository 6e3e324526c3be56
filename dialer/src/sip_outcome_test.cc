#include <gtest/gtest.h>

#include "dialer/sip.h"

namespace sondeo::dialer {
namespace {

TEST(SipOutcomeTest, DefaultMappingFollowsTheIssueTable) {
  const auto table = SipOutcomeTable::Defaults();
  struct Case {
    int code;
    bool our_timeout;
    SipOutcome want;
  } cases[] = {
      {200, false, SipOutcome::kAnswered},       {486, false, SipOutcome::kBusy},
      {600, false, SipOutcome::kBusy},           {408, false, SipOutcome::kNoAnswer},
      {480, false, SipOutcome::kNoAnswer},       {487, true, SipOutcome::kNoAnswer},
      {487, false, SipOutcome::kNetworkFailure},  // cancelled by someone else
      {404, false, SipOutcome::kInvalidNumber},  {484, false, SipOutcome::kInvalidNumber},
      {604, false, SipOutcome::kInvalidNumber},  {410, false, SipOutcome::kDamaged},
      {403, false, SipOutcome::kRejected},       {603, false, SipOutcome::kRejected},
      {500, false, SipOutcome::kNetworkFailure}, {503, false, SipOutcome::kNetworkFailure},
      {599, false, SipOutcome::kNetworkFailure}, {0, false, SipOutcome::kNetworkFailure},
      {401, false, SipOutcome::kNetworkFailure},  // trunk credentials missing or wrong
  };
  for (const auto& c : cases) {
    EXPECT_EQ(MapSipFinal(c.code, c.our_timeout, table), c.want)
        << c.code << (c.our_timeout ? " after our timeout" : "");
  }
}

TEST(SipOutcomeTest, DispositionsAndAttempts) {
  EXPECT_EQ(SipOutcomeDisposition(SipOutcome::kBusy), "OCUPADO");
  EXPECT_EQ(SipOutcomeDisposition(SipOutcome::kNoAnswer), "NO_CONTESTA_TIMEOUT");
  EXPECT_EQ(SipOutcomeDisposition(SipOutcome::kInvalidNumber), "NUMERO_INVALIDO");
  EXPECT_EQ(SipOutcomeDisposition(SipOutcome::kDamaged), "TELEFONO_DANADO");
  EXPECT_EQ(SipOutcomeDisposition(SipOutcome::kRejected), "RECHAZADA");
  EXPECT_EQ(SipOutcomeDisposition(SipOutcome::kNetworkFailure), "FALLA_DE_RED");
  EXPECT_FALSE(SipOutcomeConsumesAttempt(SipOutcome::kNetworkFailure));
  EXPECT_TRUE(SipOutcomeConsumesAttempt(SipOutcome::kBusy));
  EXPECT_TRUE(SipOutcomeConsumesAttempt(SipOutcome::kAnswered));
}

TEST(SipOutcomeTest, ConfiguredRulesOverrideDefaults) {
  auto table = SipOutcomeTable::Parse("480=busy, 502-504=no_answer");
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ(MapSipFinal(480, false, *table), SipOutcome::kBusy);
  EXPECT_EQ(MapSipFinal(503, false, *table), SipOutcome::kNoAnswer);
  EXPECT_EQ(MapSipFinal(500, false, *table), SipOutcome::kNetworkFailure);
  EXPECT_EQ(MapSipFinal(486, false, *table), SipOutcome::kBusy);
}

TEST(SipOutcomeTest, BadSpecsAreClearErrors) {
  for (const char* spec :
       {"480", "48=busy", "480=maybe", "500-400=busy", "abc=busy", "7000=busy"}) {
    auto t = SipOutcomeTable::Parse(spec);
    ASSERT_FALSE(t.ok()) << spec;
    EXPECT_EQ(t.error().code(), StatusCode::kInvalidArgument);
  }
}

TEST(SipUriTest, FormatsTheRequestUri) {
  SipOptions o;
  o.trunk = "10.0.0.1:5060";
  EXPECT_EQ(FormatRequestUri(o, "+573001234567"), "sip:+573001234567@10.0.0.1:5060");
  o.uri_format = "sip:0057{national}@{trunk};user=phone";
  EXPECT_EQ(FormatRequestUri(o, "+573001234567"), "sip:00573001234567@10.0.0.1:5060;user=phone");
  o.uri_format = "sip:2000100{digits}@{trunk}";
  EXPECT_EQ(FormatRequestUri(o, "+576012345678"), "sip:2000100576012345678@10.0.0.1:5060");
  o.uri_format = "sip:{unknown}@{trunk";
  EXPECT_EQ(FormatRequestUri(o, "+573001234567"), "sip:{unknown}@{trunk");
}

TEST(SipUriTest, TlsRequestUriCarriesTheTransport) {
  SipOptions o;
  o.trunk = "10.0.0.1:5061";
  o.transport = "tls";
  EXPECT_EQ(FormatRequestUri(o, "+573001234567"), "sip:+573001234567@10.0.0.1:5061;transport=tls");
  o.uri_format = "sip:{digits}@{trunk};user=phone?X-A=1";
  EXPECT_EQ(FormatRequestUri(o, "+573001234567"),
            "sip:573001234567@10.0.0.1:5061;user=phone;transport=tls?X-A=1");
  o.uri_format = "sip:{digits}@{trunk};transport=tls";
  EXPECT_EQ(FormatRequestUri(o, "+573001234567"), "sip:573001234567@10.0.0.1:5061;transport=tls");
  o.uri_format = "sips:{digits}@{trunk}";
  EXPECT_EQ(FormatRequestUri(o, "+573001234567"), "sips:573001234567@10.0.0.1:5061");
  o.transport = "udp";
  o.uri_format = "sip:{digits}@{trunk}";
  EXPECT_EQ(FormatRequestUri(o, "+573001234567"), "sip:573001234567@10.0.0.1:5061");
}

TEST(SipTransportTest, OnlyUdpTcpTls) {
  for (const char* t : {"udp", "tcp", "tls"}) EXPECT_TRUE(CheckSipTransport(t).ok()) << t;
  for (const char* t : {"", "UDP", "sctp", "ws", "tls "}) {
    const Status st = CheckSipTransport(t);
    ASSERT_FALSE(st.ok()) << t;
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find("udp, tcp or tls"), std::string::npos) << st.message();
  }
}

using TP = CircuitBreaker::Clock::time_point;
using std::chrono::milliseconds;

TEST(CircuitBreakerTest, OpensAfterConsecutiveFailuresAndProbesWithBackoff) {
  CircuitBreaker::Options opt;
  opt.threshold = 3;
  opt.open_for = milliseconds(1000);
  opt.max_open_for = milliseconds(3000);
  CircuitBreaker b(opt);
  TP t{};
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE(b.AllowCall(t));
    b.OnResult(true, t);
  }
  EXPECT_EQ(b.state(t), CircuitBreaker::State::kClosed);
  b.OnResult(false, t);  // an answer from the far end resets the count
  for (int i = 0; i < 3; ++i) b.OnResult(true, t);
  EXPECT_EQ(b.state(t), CircuitBreaker::State::kOpen);
  EXPECT_FALSE(b.AllowCall(t + milliseconds(999)));
  EXPECT_FALSE(b.WouldAllow(t + milliseconds(999)));
  // Half-open: exactly one probe. WouldAllow asks without taking it.
  EXPECT_TRUE(b.WouldAllow(t + milliseconds(1000)));
  EXPECT_TRUE(b.WouldAllow(t + milliseconds(1000)));
  EXPECT_TRUE(b.AllowCall(t + milliseconds(1000)));
  EXPECT_FALSE(b.WouldAllow(t + milliseconds(1001)));
  EXPECT_FALSE(b.AllowCall(t + milliseconds(1001)));
  b.OnResult(true, t + milliseconds(1100));  // probe failed: pause doubles
  EXPECT_EQ(b.current_pause(), milliseconds(2000));
  EXPECT_FALSE(b.AllowCall(t + milliseconds(3000)));
  EXPECT_TRUE(b.AllowCall(t + milliseconds(3100)));
  b.OnResult(true, t + milliseconds(3100));
  EXPECT_EQ(b.current_pause(), milliseconds(3000));  // capped
  EXPECT_TRUE(b.AllowCall(t + milliseconds(6100)));
  b.OnResult(false, t + milliseconds(6200));  // probe reached the far end: closed again
  EXPECT_EQ(b.state(t + milliseconds(6200)), CircuitBreaker::State::kClosed);
  EXPECT_EQ(b.current_pause(), milliseconds(1000));
  EXPECT_TRUE(b.AllowCall(t + milliseconds(6200)));
  EXPECT_TRUE(b.AllowCall(t + milliseconds(6200)));
}

TEST(SipAgentUriTest, FormatsTheAgentsPhone) {
  EXPECT_EQ(FormatAgentUri("sip:{agent}@127.0.0.1:5090", "ana"), "sip:ana@127.0.0.1:5090");
  EXPECT_EQ(FormatAgentUri("sip:{agent}@pbx;x={agent}", "luis"), "sip:luis@pbx;x=luis");
  EXPECT_EQ(FormatAgentUri("sip:fixed@pbx", "ana"), "sip:fixed@pbx");
  EXPECT_EQ(FormatAgentUri("", "ana"), "");
}

}  // namespace
}  // namespace sondeo::dialer
