#pragma once
// sondeo's web server: the JSON API under /api/v1, the agent desktop and supervisor console
// (static assets built into the binary), and WebSocket pushes (calls for agents, the live
// wallboard for supervisors), over HTTP or HTTPS, on Boost.Beast.
//
// Threading: one network thread runs every connection (coroutines); one store thread owns
// the database connection and runs every API call. Beast stays out of this header.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "dialer/simulate.h"
#include "dialer/sip.h"
#include "dialer/sms_gateway.h"
#include "dialer/sms_send.h"
#include "server/users.h"
#include "store/db.h"

namespace sondeo::server {

// How serve builds each running campaign's telephony driver. The campaign YAML picks the
// driver (telephony.driver) and gives the trunk and caller id; the rest comes from here.
struct TelephonyOptions {
  // `simulated`: statistical citizens (dialer/simulate.h) on real time, seeded (the seed is
  // mixed with the campaign id).
  uint64_t sim_seed = 1;
  dialer::CitizenModel citizens;
  // `sip`: the local user agent (bind address, transport, request-URI format, digest
  // credentials). trunk and caller_id are replaced by the campaign's.
  dialer::SipOptions sip;
  // `sip`: the agents' phones, "{agent}" = the agent's user name (e.g.
  // "sip:{agent}@pbx:5060"); empty = no audio leg to the agent (SipDriverOptions).
  std::string sip_agent_uri_format;
};

struct ServerOptions {
  // "ADDR:PORT" ("[::1]:PORT" for IPv6). Port 0 picks a free port (see Server::port()).
  std::string listen = "127.0.0.1:8080";
  // The database (opened by the server on its store thread) and its migrations.
  std::string db_path = "sondeo.db";
  std::vector<store::Migration> migrations;
  // HTTPS when both are set (PEM files). Session cookies are then Secure.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Limits on untrusted input.
  size_t header_limit = 8 * 1024;                      // request line + headers
  size_t body_limit = 1024 * 1024;                     // JSON requests
  size_t upload_limit = 32 * 1024 * 1024;              // POST .../import (CSV/XLSX)
  Duration header_timeout = std::chrono::seconds(10);  // whole header, from the first byte
  Duration body_timeout = std::chrono::seconds(60);
  Duration idle_timeout = std::chrono::seconds(60);  // keep-alive between requests
  size_t ws_outbox_limit = 256;                      // queued messages per WebSocket
  // Accounts.
  int pbkdf2_iterations = kDefaultPbkdf2Iterations;
  Duration session_ttl = std::chrono::hours(10);     // absolute, from login
  Duration session_idle = std::chrono::minutes(60);  // since the last request
  // Shared secret of the SMS gateway's callbacks (delivery reports, inbound messages):
  // GET /api/v1/sms/dlr?token=T&key=..&status=%d&answer=%A and
  // GET /api/v1/sms/mo?token=T&from=%p&text=%a. Empty: both endpoints are off.
  std::string sms_callback_token;
  // Scheduled SMS (`sms send --no-wait`, or an --at still to come): when set, a background
  // thread sends every due blast and sequence step inside the legal hours through this
  // gateway, exactly once across restarts (dialer/sms_scheduler.h).
  struct SmsSending {
    dialer::GatewayConfig gateway;
    dialer::SenderOptions sender;
    Duration poll = std::chrono::seconds(5);
  };
  std::optional<SmsSending> sms;
  // How often the wallboard is pushed to supervisors.
  Duration wallboard_period = std::chrono::seconds(2);
  // The dialer: one engine per running campaign (see server/src/dialing.h).
  TelephonyOptions telephony;
  // Stop on SIGINT/SIGTERM (the CLI sets it; tests call Stop()).
  bool handle_signals = false;
  Clock* clock = &SystemClock::Instance();
};

class Server {
 public:
  // Opens the database, loads the TLS certificate, binds the address and starts the network
  // and store threads. kInvalidArgument for a bad address, certificate or database path;
  // kUnavailable when the port is taken.
  static Result<std::unique_ptr<Server>> Start(ServerOptions options);
  ~Server();  // Stop() + Wait()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (useful with port 0).
  uint16_t port() const;
  bool tls() const;
  // Asks the server to stop: closes the listener and every connection. Thread-safe.
  void Stop();
  // Blocks until the server has stopped (after Stop() or a signal).
  void Wait();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sondeo::server
