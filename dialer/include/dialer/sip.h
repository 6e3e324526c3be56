#pragma once
// The `sip` telephony driver's building blocks: outcome mapping (pure), the carrier circuit
// breaker (pure), and SipEndpoint, a SIP user agent on sofia-sip's NUA that places outbound
// calls through a trunk. Media (RTP) never passes through sondeo.
//
// Threading: SipEndpoint runs sofia-sip on its own private thread. Its methods may be called
// from any thread; events are delivered on the SIP thread through the callback given to
// Start(), which must not block (post them to your own executor or queue).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "dialer/driver.h"

namespace sondeo::dialer {

// What a call attempt came to, from the SIP point of view.
enum class SipOutcome {
  kAnswered,        // 200
  kBusy,            // OCUPADO
  kNoAnswer,        // NO_CONTESTA_TIMEOUT (ring timeout, 408/480, 487 after our CANCEL)
  kInvalidNumber,   // NUMERO_INVALIDO: try the next phone
  kDamaged,         // TELEFONO_DANADO
  kRejected,        // RECHAZADA
  kNetworkFailure,  // FALLA_DE_RED: never consumes the contact's attempt
};

std::string_view SipOutcomeName(SipOutcome o);  // "answered", "busy", ...
// The disposition code of the campaigns catalogue for a non-answered outcome
// ("OCUPADO", "NO_CONTESTA", ...); "" for kAnswered.
std::string_view SipOutcomeDisposition(SipOutcome o);
// False only for kNetworkFailure: a carrier failure never uses up the contact's attempt.
bool SipOutcomeConsumesAttempt(SipOutcome o);

// A configurable mapping from final SIP status codes to outcomes. Rules are tried in order;
// the first whose range contains the code wins.
struct SipOutcomeRule {
  int from = 0;  // inclusive
  int to = 0;    // inclusive
  SipOutcome outcome = SipOutcome::kNetworkFailure;
};
struct SipOutcomeTable {
  std::vector<SipOutcomeRule> rules;
  // 200 answered; 486/600 busy; 408/480 no answer; 404/484/604 invalid; 410 damaged;
  // 403/603 rejected; 5xx network failure. Anything else: network failure.
  static SipOutcomeTable Defaults();
  // Parses "486=busy,600=busy,500-599=network_failure" (outcome names as SipOutcomeName);
  // rules given here take precedence over the defaults.
  static Result<SipOutcomeTable> Parse(std::string_view spec);
};

// `code` is the final status (0 when no response arrived at all). `cancelled_by_timeout` is
// true when we sent CANCEL because the ring timeout expired: the 487 that follows means
// NO_CONTESTA.
SipOutcome MapSipFinal(int code, bool cancelled_by_timeout, const SipOutcomeTable& table);

// Circuit breaker over carrier failures (5xx, no response, transport errors): after
// `threshold` consecutive failures dialing pauses for `open_for`; then one probe call is
// allowed (half-open); a failed probe doubles the pause (up to `max_open_for`), a success
// closes the breaker. Pure: the caller passes the time.
class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    int threshold = 5;
    std::chrono::milliseconds open_for{5000};
    std::chrono::milliseconds max_open_for{300000};
  };
  enum class State { kClosed, kOpen, kHalfOpen };

  CircuitBreaker() : CircuitBreaker(Options{}) {}
  explicit CircuitBreaker(Options options) : options_(options), pause_(options.open_for) {}

  // May a new call be placed now? In half-open state only one probe is allowed at a time.
  bool AllowCall(Clock::time_point now);
  // Whether AllowCall(now) would say yes, without taking the half-open probe.
  bool WouldAllow(Clock::time_point now) const;
  // Reports a call's result: `carrier_failure` for kNetworkFailure, false for any answer
  // from the far end (busy, no answer, answered... prove the trunk works).
  void OnResult(bool carrier_failure, Clock::time_point now);
  State state(Clock::time_point now) const;
  // When the breaker opened last (for the supervisor's alert), if it is open now.
  std::optional<Clock::time_point> opened_at() const { return opened_at_; }
  std::chrono::milliseconds current_pause() const { return pause_; }

 private:
  Options options_;
  int consecutive_ = 0;
  bool open_ = false;
  bool probe_in_flight_ = false;
  std::chrono::milliseconds pause_;
  std::optional<Clock::time_point> opened_at_;
};

struct SipOptions {
  // Local address to bind (loopback by default); port 0 picks a free port.
  std::string bind_host = "127.0.0.1";
  uint16_t bind_port = 0;
  std::string transport = "udp";  // udp | tcp | tls (CheckSipTransport)
  // transport tls: PEM file with the CA certificate(s) the trunk's certificate must chain to
  // (required). The trunk's certificate must also name the trunk's host (subjectAltName
  // DNS/IP or CN), and be in date. TLS 1.2 or later (sofia's TLS_method under OpenSSL 3).
  std::string tls_ca_file;
  // The trunk: host[:port] of the carrier or PBX.
  std::string trunk = "127.0.0.1:5060";
  // Request-URI of the citizen's leg. {e164} = +57..., {national} = digits without +57,
  // {digits} = E.164 without '+', {trunk} = the trunk above.
  std::string uri_format = "sip:{e164}@{trunk}";
  // Caller id, sent in From and P-Asserted-Identity (e.g. "+576015551234").
  std::string caller_id = "sondeo";
  // Digest credentials for 401/407 challenges; never logged.
  std::string auth_user;
  std::string auth_password;
  // How long a request may go without any response before it fails (SIP Timer B, 64*T1;
  // 32 s by RFC 3261). The call then ends as a network failure.
  std::chrono::milliseconds transaction_timeout{32000};
  // Extra header lines for the INVITE (e.g. "Call-Info: <sip:x>;answer-after=0" for agent legs).
  std::vector<std::string> extra_headers;
};

// The transports SipEndpoint speaks: "udp", "tcp" and "tls" (the one place that knows).
// Ok, or InvalidArgument naming the accepted values.
Status CheckSipTransport(std::string_view transport);
// The accepted transport names, for command-line choices.
std::vector<std::string> SipTransportNames();

// "sip:+573001234567@127.0.0.1:5070" from the format. With transport tls, a "sip:" URI
// without a transport parameter gets ";transport=tls" (the only transport bound).
std::string FormatRequestUri(const SipOptions& options, std::string_view e164);

struct SipCallEvent {
  enum class Kind {
    kRinging,      // first 180/183
    kAnswered,     // 200 OK received (ACK sent, or held back for an offerless call)
    kConnected,    // (citizen leg) the agent leg answered and media now flows between them
    kAgentFailed,  // (citizen leg) the agent leg could not be connected
    kFinished,     // the call is over: `outcome` and `sip_code` say how
  };
  uint64_t call_id = 0;
  Kind kind = Kind::kRinging;
  int sip_code = 0;
  SipOutcome outcome = SipOutcome::kNetworkFailure;  // kFinished only
  bool was_answered = false;                         // kFinished: the call had been answered
  bool remote_hangup = false;                        // kFinished after answer: BYE came from them
  std::chrono::steady_clock::time_point at;
  std::string remote_sdp;  // kAnswered: the SDP of the 200 OK
  uint64_t tag = 0;        // OriginateOptions::tag of the call (0 for agent legs)
};

struct OriginateOptions {
  // Request-URI; empty = FormatRequestUri(options, e164).
  std::string target_uri;
  std::string e164;
  // Offerless INVITE (RFC 3725 flow I): the 200 OK carries the far end's offer and the ACK,
  // with our answer, waits for Complete() or ConnectAgent().
  bool offerless = false;
  // The SDP offer to send (ignored when offerless); empty = a placeholder offer.
  std::string sdp;
  std::vector<std::string> extra_headers;  // added to SipOptions::extra_headers
  // The caller's own id for the call, carried by its events (SipCallEvent::tag): events can
  // then be routed without knowing the call id Originate() returns, which may come after
  // the first events.
  uint64_t tag = 0;
};

class SipEndpoint {
 public:
  using EventFn = std::function<void(const SipCallEvent&)>;

  // Binds and starts the SIP thread. kInvalidArgument when the address cannot be bound.
  static Result<std::unique_ptr<SipEndpoint>> Start(const SipOptions& options,
                                                    const SipOutcomeTable& table, EventFn on_event);
  ~SipEndpoint();  // Stop()s
  SipEndpoint(const SipEndpoint&) = delete;
  SipEndpoint& operator=(const SipEndpoint&) = delete;

  // Sends an INVITE to the citizen's number; CANCELs it when `ring_timeout` passes without
  // an answer. Returns the call's id (events carry it).
  uint64_t Originate(std::string_view e164, std::chrono::milliseconds ring_timeout);
  uint64_t Originate(const OriginateOptions& call, std::chrono::milliseconds ring_timeout);
  // Connects an answered offerless citizen call to an agent by third-party call control
  // (RFC 3725 flow I): INVITEs `agent_uri` with the citizen's offer and auto-answer
  // (Call-Info: answer-after=0), then ACKs the citizen with the agent's answer, so media
  // flows directly between the two phones. The citizen call then gets kConnected (or
  // kAgentFailed when the agent does not answer within `timeout`). Hanging up either leg
  // hangs up the other. Returns the agent leg's call id (0 when the citizen call is unknown).
  uint64_t ConnectAgent(uint64_t citizen_call, const std::string& agent_uri,
                        std::chrono::milliseconds timeout);
  // Completes an answered offerless call with `answer_sdp` (sends the ACK). Used to abandon
  // a call no agent can take: Complete() with a placeholder, then Hangup().
  void Complete(uint64_t call_id, const std::string& answer_sdp = "");
  // Ends a call: CANCEL while it rings, BYE once answered. No-op for finished calls.
  void Hangup(uint64_t call_id);
  // Ends every call and shuts the stack down (waits at most ~2 s for BYE/CANCEL answers).
  void Stop();

  // The local port actually bound (useful with bind_port = 0).
  uint16_t local_port() const;
  // Calls not yet finished.
  size_t active_calls() const;

 private:
  struct Impl;
  explicit SipEndpoint(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The `sip` Driver (dialer/driver.h) for the engine: SipEndpoint behind a CircuitBreaker.
// While the breaker is open, Originate() returns kUnavailable at once (the engine records
// FALLA_DE_RED without consuming the attempt) and `on_alert` is told once, with a Spanish
// message for the supervisor; it is told again when calls get through.
struct SipDriverOptions {
  SipOptions sip;
  SipOutcomeTable outcomes = SipOutcomeTable::Defaults();
  CircuitBreaker::Options breaker;
  std::function<void(const std::string& message)> on_alert;
  // The agents' phones, for the audio leg by third-party call control (RFC 3725 flow I):
  // "{agent}" is replaced by the agent's user name (e.g. "sip:{agent}@pbx.example:5060").
  // Set: citizens are INVITEd without an offer and ConnectAgent() INVITEs the agent's phone
  // with the citizen's offer and auto-answer, then ACKs the citizen with the phone's answer.
  // Empty: no agent leg (the citizen call is answered by the trunk and agents are connected
  // only logically, as before).
  std::string agent_uri_format;
  // How long the agent's phone may take to answer before the call is abandoned
  // (DriverEvent::kAgentFailed).
  std::chrono::milliseconds agent_answer_timeout{2000};
};
// "sip:ana@pbx" from "sip:{agent}@pbx" (every "{agent}" replaced).
std::string FormatAgentUri(std::string_view format, std::string_view agent);
Result<std::unique_ptr<Driver>> MakeSipDriver(SipDriverOptions options);

}  // namespace sondeo::dialer
