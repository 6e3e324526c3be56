// sondeo call NUMBER: places one test call through a SIP trunk and reports what happened.
#include <condition_variable>
#include <cstdlib>
#include <iostream>
#include <mutex>

#include "cli/context.h"
#include "dialer/sip.h"

namespace sondeo::cli {
namespace {

struct CallOptions {
  std::string number;
  std::string trunk = "127.0.0.1:5060";
  std::string transport = "udp";
  std::string tls_ca;
  std::string uri_format = "sip:{e164}@{trunk}";
  std::string caller_id = "sondeo";
  std::string auth_user;
  std::string outcome_map;
  double timeout_s = 30;
  double hold_s = 0;
  double no_response_s = 32;
};

// "+573001234567" from "3001234567", "573001234567" or "+57 300 123 4567"; other digit
// strings are dialled as they are (a trunk may need a technical prefix).
std::string ToDialString(const std::string& raw) {
  std::string digits;
  for (char c : raw) {
    if (c >= '0' && c <= '9') digits += c;
  }
  if (digits.size() == 10 && (digits[0] == '3' || digits.rfind("60", 0) == 0)) {
    return "+57" + digits;
  }
  return "+" + digits;
}

int RunCall(const Context& ctx, const CallOptions& o) {
  if (o.timeout_s < 15 || o.timeout_s > 300) {
    return ctx.Fail(Status::InvalidArgument("--timeout must be between 15 and 300 seconds"));
  }
  dialer::SipOutcomeTable table = dialer::SipOutcomeTable::Defaults();
  if (!o.outcome_map.empty()) {
    auto parsed = dialer::SipOutcomeTable::Parse(o.outcome_map);
    if (!parsed) return ctx.Fail(parsed.error());
    table = *parsed;
  }
  dialer::SipOptions sip;
  sip.trunk = o.trunk;
  sip.transport = o.transport;
  sip.tls_ca_file = o.tls_ca;
  sip.uri_format = o.uri_format;
  sip.caller_id = o.caller_id;
  sip.auth_user = o.auth_user;
  sip.transaction_timeout = std::chrono::milliseconds(static_cast<int64_t>(o.no_response_s * 1000));
  if (const char* pw = std::getenv("SONDEO_SIP_PASSWORD"); pw != nullptr) sip.auth_password = pw;

  std::mutex mu;
  std::condition_variable cv;
  std::optional<dialer::SipCallEvent> ringing, answered, finished;
  auto endpoint = dialer::SipEndpoint::Start(sip, table, [&](const dialer::SipCallEvent& ev) {
    std::lock_guard lock(mu);
    if (ev.kind == dialer::SipCallEvent::Kind::kRinging) ringing = ev;
    if (ev.kind == dialer::SipCallEvent::Kind::kAnswered) answered = ev;
    if (ev.kind == dialer::SipCallEvent::Kind::kFinished) finished = ev;
    cv.notify_all();
  });
  if (!endpoint) return ctx.Fail(endpoint.error());
  const auto start = std::chrono::steady_clock::now();
  const auto timeout = std::chrono::milliseconds(static_cast<int64_t>(o.timeout_s * 1000));
  const uint64_t id = (*endpoint)->Originate(ToDialString(o.number), timeout);
  {
    std::unique_lock lock(mu);
    // Timer B (32 s) bounds a call that never gets any answer; add a margin.
    cv.wait_for(lock, timeout + sip.transaction_timeout + std::chrono::seconds(8),
                [&] { return answered.has_value() || finished.has_value(); });
  }
  if (answered && !finished) {
    if (o.hold_s > 0) {
      std::unique_lock lock(mu);
      cv.wait_for(lock, std::chrono::milliseconds(static_cast<int64_t>(o.hold_s * 1000)),
                  [&] { return finished.has_value(); });
    }
    (*endpoint)->Hangup(id);
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(10), [&] { return finished.has_value(); });
  }
  (*endpoint)->Stop();
  if (!finished && !answered) {
    return ctx.Fail(Status::DeadlineExceeded("the test call got no result"));
  }
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  const auto setup_end = ringing ? ringing->at : answered ? answered->at : finished->at;
  const auto ring_end = answered ? answered->at : finished ? finished->at : setup_end;
  const int64_t setup_ms = duration_cast<milliseconds>(setup_end - start).count();
  const int64_t ring_ms = ringing ? duration_cast<milliseconds>(ring_end - ringing->at).count() : 0;
  const int code = answered ? 200 : finished->sip_code;
  const auto outcome = answered ? dialer::SipOutcome::kAnswered : finished->outcome;
  if (ctx.json) {
    ctx.PrintJson({{"sip_code", code},
                   {"outcome", std::string(dialer::SipOutcomeName(outcome))},
                   {"disposition", std::string(dialer::SipOutcomeDisposition(outcome))},
                   {"ring_ms", ring_ms},
                   {"setup_ms", setup_ms}});
  } else {
    std::cout << "código SIP:  " << code << "\n"
              << "resultado:   " << dialer::SipOutcomeName(outcome) << "\n"
              << "timbrado:    " << ring_ms << " ms\n"
              << "establec.:   " << setup_ms << " ms\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterCall(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<CallOptions>();
  auto* cmd = app.add_subcommand("call", "Hace una llamada de prueba por la troncal SIP");
  cmd->add_option("number", o->number, "Número a marcar (E.164 o nacional)")->required();
  cmd->add_option("--trunk", o->trunk, "Troncal host[:puerto]");
  cmd->add_option("--transport", o->transport, "udp, tcp o tls")
      ->check(CLI::IsMember(dialer::SipTransportNames()));
  cmd->add_option("--tls-ca", o->tls_ca,
                  "Con --transport tls: archivo PEM de la CA que firma el certificado de la "
                  "troncal");
  cmd->add_option("--uri-format", o->uri_format, "Request-URI: {e164} {digits} {national} {trunk}");
  cmd->add_option("--caller-id", o->caller_id, "Identificador de llamada (From, PAI)");
  cmd->add_option("--auth-user", o->auth_user,
                  "Usuario digest (la clave va en $SONDEO_SIP_PASSWORD)");
  cmd->add_option("--outcome-map", o->outcome_map, "Reglas extra: 486=busy,500-599=...");
  cmd->add_option("--timeout", o->timeout_s, "Segundos de timbre antes de cancelar (15-300)");
  cmd->add_option("--hold", o->hold_s, "Segundos que se mantiene una llamada contestada");
  cmd->add_option("--no-response-timeout", o->no_response_s,
                  "Segundos sin ninguna respuesta antes de declarar falla de red (Timer B)")
      ->check(CLI::Range(1.0, 64.0));
  cmd->callback([&ctx, o] { ctx.exit_code = RunCall(ctx, *o); });
}

}  // namespace sondeo::cli
