#pragma once
// The telephony driver seam: the engine asks a driver to originate, cancel or hang up calls
// and hears back through events. Asio-free: a driver delivers events through the sink given
// to SetSink(), from whatever thread it runs on; the engine's owner must hand them to the
// engine's thread (the simulator calls the engine directly, on virtual time).
//
// Implementations: `simulated` (dialer/simulate.h: statistical citizens on virtual time) and
// `sip` (dialer/sip.h's SipEndpoint, wrapped by the SIP engineer).
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"

namespace sondeo::dialer {

// How an unanswered or machine-answered call ended, in the catalogue's system codes.
enum class CallEnd {
  kAnswered,        // a live person answered (only on DriverEvent::kAnswered)
  kNoAnswer,        // NO_CONTESTA: rang until the timeout
  kBusy,            // OCUPADO
  kVoicemail,       // CORREO_DE_VOZ: answered by a machine (detected by the driver)
  kInvalidNumber,   // NUMERO_INVALIDO
  kDamaged,         // TELEFONO_DANADO
  kRejected,        // RECHAZADA
  kNetworkFailure,  // FALLA_DE_RED (never consumes an attempt)
  kHungUp,          // an answered call ended (either side)
};
std::string_view CallEndDisposition(CallEnd e);  // "NO_CONTESTA", ...; "" for kAnswered/kHungUp

struct DriverEvent {
  enum class Kind {
    kRinging,   // the far end is ringing
    kAnswered,  // a live person answered: the engine must connect an agent within 2 s
    kFinished,  // the call is over; `end` says how
    // The agent's phone could not be connected to the answered call (ConnectAgent): it did
    // not answer in time, was busy, or the leg failed. The citizen is still on the line.
    kAgentFailed,
  };
  uint64_t attempt_id = 0;
  Kind kind = Kind::kRinging;
  CallEnd end = CallEnd::kAnswered;
  int sip_code = 0;
  bool remote_hangup = false;  // kFinished after an answer: the citizen hung up
  TimePoint at{};
};

struct OriginateRequest {
  uint64_t attempt_id = 0;  // the engine's durable attempt id; events carry it
  std::string e164;
  Duration ring_timeout = std::chrono::seconds(30);
  std::string caller_id;
  // The engine's idempotency key of the attempt (campaign/contact/attempt_number); the sip
  // driver sends it in an X-Sondeo-Attempt header so peers' logs can prove "one dial per
  // attempt". Never a phone or document number.
  std::string idempotency_key;
};

class Driver {
 public:
  using Sink = std::function<void(const DriverEvent&)>;
  virtual ~Driver() = default;
  virtual void SetSink(Sink sink) = 0;
  // Starts a call. Errors: kUnavailable (trunk down) — the engine records FALLA_DE_RED.
  virtual Status Originate(const OriginateRequest& request) = 0;
  // Abandons a call that has not been answered (no-op when finished).
  virtual void Cancel(uint64_t attempt_id) = 0;
  // Ends an answered call (no-op when finished). A kFinished event follows.
  virtual void Hangup(uint64_t attempt_id) = 0;
  // False while the driver cannot place any call (sip: the carrier circuit breaker is open,
  // or its one half-open probe is in flight). The engine then places none (no attempt row,
  // nothing consumed) and asks again at its next tick. Default: always.
  virtual bool CanDial() { return true; }
  // Connects the agent's phone to an answered call (sip: RFC 3725 third-party call control).
  // A failure is reported later as DriverEvent::kAgentFailed. Default: nothing to do (the
  // simulated driver connects agents only logically).
  virtual Status ConnectAgent(uint64_t /*attempt_id*/, const std::string& /*agent*/) {
    return Status::Ok();
  }
};

}  // namespace sondeo::dialer
