// The engine's `sip` driver: attempts <-> SIP calls, with the carrier circuit breaker.
#include <map>
#include <mutex>
#include <set>

#include "common/log.h"
#include "dialer/sip.h"

namespace sondeo::dialer {
namespace {

CallEnd ToCallEnd(SipOutcome o) {
  switch (o) {
    case SipOutcome::kAnswered:
      return CallEnd::kAnswered;
    case SipOutcome::kBusy:
      return CallEnd::kBusy;
    case SipOutcome::kNoAnswer:
      return CallEnd::kNoAnswer;
    case SipOutcome::kInvalidNumber:
      return CallEnd::kInvalidNumber;
    case SipOutcome::kDamaged:
      return CallEnd::kDamaged;
    case SipOutcome::kRejected:
      return CallEnd::kRejected;
    case SipOutcome::kNetworkFailure:
      return CallEnd::kNetworkFailure;
  }
  return CallEnd::kNetworkFailure;
}

class SipDriver final : public Driver {
 public:
  explicit SipDriver(SipDriverOptions options)
      : options_(std::move(options)), breaker_(options_.breaker) {}

  Status Start() {
    auto ep = SipEndpoint::Start(options_.sip, options_.outcomes,
                                 [this](const SipCallEvent& ev) { OnEvent(ev); });
    if (!ep) return ep.error();
    endpoint_ = std::move(*ep);
    return Status::Ok();
  }

  ~SipDriver() override {
    if (endpoint_) endpoint_->Stop();
  }

  void SetSink(Sink sink) override {
    std::lock_guard lock(mu_);
    sink_ = std::move(sink);
  }

  Status Originate(const OriginateRequest& request) override {
    {
      std::lock_guard lock(mu_);
      if (!breaker_.AllowCall(CircuitBreaker::Clock::now())) {
        return Status::Unavailable("la troncal SIP está fallando: marcación en pausa");
      }
    }
    auto ring = std::chrono::duration_cast<std::chrono::milliseconds>(request.ring_timeout);
    if (ring < std::chrono::seconds(15)) ring = std::chrono::seconds(15);
    OriginateOptions call_options;
    call_options.e164 = request.e164;
    // With an agent leg the citizen gets no offer: the agent's phone makes it (RFC 3725 I).
    call_options.offerless = !options_.agent_uri_format.empty();
    if (!request.idempotency_key.empty()) {
      call_options.extra_headers.push_back("X-Sondeo-Attempt: " + request.idempotency_key);
    }
    // Events find their attempt by the call's tag, so no lock is held while the SIP thread
    // starts the call (holding one here deadlocked against OnEvent on the SIP thread).
    call_options.tag = request.attempt_id;
    const uint64_t call = endpoint_->Originate(call_options, ring);
    std::lock_guard lock(mu_);
    // A call that already finished (an immediate failure) needs no mapping.
    if (finished_early_.erase(request.attempt_id) == 0) by_attempt_[request.attempt_id] = call;
    return Status::Ok();
  }

  bool CanDial() override {
    std::lock_guard lock(mu_);
    return breaker_.WouldAllow(CircuitBreaker::Clock::now());
  }

  Status ConnectAgent(uint64_t attempt_id, const std::string& agent) override {
    if (options_.agent_uri_format.empty()) return Status::Ok();  // logical connection only
    uint64_t call = 0;
    {
      std::lock_guard lock(mu_);
      auto it = by_attempt_.find(attempt_id);
      if (it == by_attempt_.end()) return Status::Ok();  // the citizen hung up meanwhile
      call = it->second;
    }
    const uint64_t leg = endpoint_->ConnectAgent(
        call, FormatAgentUri(options_.agent_uri_format, agent), options_.agent_answer_timeout);
    if (leg == 0) {
      // The citizen call is gone or not answered on the SIP side: its kFinished follows.
      log::Debug("intento {}: sin llamada contestada para el agente", attempt_id);
    }
    return Status::Ok();
  }

  void Cancel(uint64_t attempt_id) override { End(attempt_id); }
  void Hangup(uint64_t attempt_id) override { End(attempt_id); }

 private:
  void End(uint64_t attempt_id) {
    uint64_t call = 0;
    {
      std::lock_guard lock(mu_);
      auto it = by_attempt_.find(attempt_id);
      if (it == by_attempt_.end()) return;
      call = it->second;
    }
    endpoint_->Hangup(call);
  }

  // On the SIP thread.
  void OnEvent(const SipCallEvent& ev) {
    DriverEvent out;
    Sink sink;
    std::string alert;
    {
      std::lock_guard lock(mu_);
      if (ev.tag == 0) return;  // an agent leg: reported through its citizen call
      out.attempt_id = ev.tag;
      out.sip_code = ev.sip_code;
      out.at = SystemClock::Instance().Now();
      switch (ev.kind) {
        case SipCallEvent::Kind::kRinging:
          out.kind = DriverEvent::Kind::kRinging;
          break;
        case SipCallEvent::Kind::kAnswered:
          out.kind = DriverEvent::Kind::kAnswered;
          out.end = CallEnd::kAnswered;
          break;
        case SipCallEvent::Kind::kConnected:
          log::Debug("intento {}: teléfono del agente conectado", out.attempt_id);
          return;  // the engine connected the agent when it asked for the leg
        case SipCallEvent::Kind::kAgentFailed:
          out.kind = DriverEvent::Kind::kAgentFailed;
          break;
        case SipCallEvent::Kind::kFinished: {
          out.kind = DriverEvent::Kind::kFinished;
          out.end = ev.was_answered ? CallEnd::kHungUp : ToCallEnd(ev.outcome);
          out.remote_hangup = ev.remote_hangup;
          const bool failure = !ev.was_answered && ev.outcome == SipOutcome::kNetworkFailure;
          const bool was_open = breaker_open_;
          breaker_.OnResult(failure, CircuitBreaker::Clock::now());
          breaker_open_ =
              breaker_.state(CircuitBreaker::Clock::now()) != CircuitBreaker::State::kClosed;
          if (breaker_open_ && !was_open) {
            alert = "Troncal SIP en falla: marcación en pausa; se reintenta con espera creciente";
          } else if (!breaker_open_ && was_open) {
            alert = "Troncal SIP recuperada: la marcación continúa";
          }
          if (by_attempt_.erase(out.attempt_id) == 0) finished_early_.insert(out.attempt_id);
          break;
        }
      }
      sink = sink_;
    }
    if (!alert.empty()) {
      log::Warn("{}", alert);
      if (options_.on_alert) options_.on_alert(alert);
    }
    if (sink) sink(out);
  }

  SipDriverOptions options_;
  std::unique_ptr<SipEndpoint> endpoint_;
  std::mutex mu_;
  Sink sink_;
  CircuitBreaker breaker_;
  bool breaker_open_ = false;
  std::map<uint64_t, uint64_t> by_attempt_;  // attempt id -> SIP call id (calls not finished)
  std::set<uint64_t> finished_early_;        // finished before Originate() recorded the mapping
};

}  // namespace

std::string FormatAgentUri(std::string_view format, std::string_view agent) {
  std::string out;
  constexpr std::string_view kKey = "{agent}";
  size_t pos = 0;
  while (true) {
    const size_t at = format.find(kKey, pos);
    out.append(format.substr(pos, at == std::string_view::npos ? format.npos : at - pos));
    if (at == std::string_view::npos) break;
    out.append(agent);
    pos = at + kKey.size();
  }
  return out;
}

Result<std::unique_ptr<Driver>> MakeSipDriver(SipDriverOptions options) {
  auto driver = std::make_unique<SipDriver>(std::move(options));
  Status s = driver->Start();
  if (!s.ok()) return s;
  return std::unique_ptr<Driver>(std::move(driver));
}

}  // namespace sondeo::dialer
