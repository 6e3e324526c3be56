#pragma once
// The JSON API under /api/v1, as a plain function of a request (no sockets, no Beast): the
// network layer turns Beast messages into HttpRequest and back. Runs on the store thread:
// an Api and its Db are used by one thread only. The Api also hosts the dialer (Dialing:
// one engine per running campaign) on that same thread: agents' ready/pause, next contact
// and results go to the engines, and the engines' agent events become WebSocket pushes.
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaigns/contacts.h"
#include "common/clock.h"
#include "common/status.h"
#include "dialer/engine.h"
#include "server/src/dialing.h"
#include "server/users.h"
#include "store/db.h"

namespace sondeo::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // "/api/v1/login" (no query)
  std::string query;   // after '?', undecoded
  std::string cookie;  // the Cookie header
  std::string csrf;    // the X-CSRF-Token header
  std::string content_type;
  std::string body;
  bool secure = false;  // arrived over TLS
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // Set-Cookie, Content-Disposition
};

// Who is calling (from the session cookie).
struct Principal {
  std::string user;
  Role role = Role::kAgent;
  std::string csrf;
};

// A message for every WebSocket of `user` ("" = every supervisor).
struct Push {
  std::string user;
  std::string message;
};

inline constexpr std::string_view kSessionCookie = "sondeo_sesion";

// The value of cookie `name` in a Cookie header ("" when absent).
std::string CookieValue(std::string_view header, std::string_view name);
// The value of `key` in a query string, percent-decoded ("" when absent).
std::string QueryValue(std::string_view query, std::string_view key);

class Api {
 public:
  struct Options {
    int pbkdf2_iterations = kDefaultPbkdf2Iterations;
    Duration session_ttl = std::chrono::hours(10);
    Duration session_idle = std::chrono::minutes(60);
    // Where uploaded bases, rejects files and downloads are written.
    std::string work_dir = "/tmp";
    // How campaigns' telephony drivers are built (simulated citizens or SIP).
    TelephonyOptions telephony;
    // The SMS gateway's shared secret (ServerOptions::sms_callback_token); empty = off.
    std::string sms_callback_token;
  };
  Api(store::Db& db, Clock& clock, Options options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Handles one /api/v1 request. Never throws: failures become JSON errors. Messages for
  // WebSockets are appended to `pushes`.
  HttpResponse Handle(const HttpRequest& request, std::vector<Push>* pushes);

  // The principal of a Cookie header. kUnauthenticated when there is no live session.
  Result<Principal> Authenticate(std::string_view cookie_header);

  // Agents' WebSockets come and go (the wallboard shows "desconectado").
  void AgentConnected(const std::string& user);
  void AgentDisconnected(const std::string& user);

  // The live wallboard (also GET /api/v1/wallboard).
  Result<nlohmann::json> Wallboard();

  // The dialer. The owner runs DialerPump() when DialerNextWakeup() passes, and after each
  // Handle()/DialerPump() publishes TakePushes() (pushes caused by engine events that were
  // not part of a request's reply).
  void DialerPump() { dialing_->Pump(); }
  TimePoint DialerNextWakeup() const { return dialing_->NextWakeup(); }
  std::vector<Push> TakePushes() { return std::exchange(async_pushes_, {}); }
  // How SIP events reach this thread (see Dialing::Post).
  void SetDialerPost(Dialing::Post post) { dialing_->SetPost(std::move(post)); }

 private:
  struct AgentState {
    std::string state = "desconectado";  // listo | pausa | en_llamada | desconectado
    std::string reason;                  // pause reason code
    std::string campaign;
    int64_t since_ms = 0;
    int sockets = 0;
    std::map<std::string, int64_t> results;  // dispositions saved in this process
    int64_t completes = 0;
  };

  HttpResponse Route(const HttpRequest& request, std::vector<Push>* pushes);
  HttpResponse Login(const HttpRequest& request);
  HttpResponse Logout(const HttpRequest& request, const Principal& p);
  HttpResponse Me(const Principal& p);
  HttpResponse SetAgentState(const HttpRequest& request, const Principal& p,
                             std::vector<Push>* pushes);
  HttpResponse Campaigns(const Principal& p);
  HttpResponse CampaignAction(const Principal& p, const std::string& id, std::string_view action,
                              std::vector<Push>* pushes);
  HttpResponse SmsEstimate(const HttpRequest& request);
  // Kannel's delivery reports and inbound messages (no session: the gateway proves itself
  // with the shared token). Unknown or missing token: 404, as if the route did not exist.
  HttpResponse SmsGatewayCallback(const HttpRequest& request, std::string_view path);
  HttpResponse Import(const HttpRequest& request, const Principal& p, const std::string& id);
  HttpResponse Rejects(const Principal& p, int64_t import_id);
  HttpResponse Download(const HttpRequest& request, const Principal& p, const std::string& id,
                        std::string_view what);
  HttpResponse NextContact(const Principal& p, const std::string& campaign_id,
                           std::vector<Push>* pushes);
  HttpResponse GetContact(const Principal& p, int64_t contact_id);
  HttpResponse SubmitResult(const HttpRequest& request, const Principal& p, int64_t contact_id,
                            std::vector<Push>* pushes);
  // The agent's contact card (never the document number). kNotFound.
  Result<nlohmann::json> ContactCard(int64_t contact_id, const std::string& phone);
  Result<nlohmann::json> ContactCard(const campaigns::Contact& contact, const std::string& phone);
  HttpResponse Users(const Principal& p);

  // The call an agent is on (or was offered in preview), until its result is saved.
  struct CurrentCall {
    std::string campaign;
    uint64_t attempt_id = 0;
    int64_t contact_id = 0;
    std::string phone;
    bool connected = false;
    // The offer's text once built. Nothing in it changes while the call is held: the
    // campaign's parts are cached for the server's life, the previous attempts are the
    // contact's disposed ones, and any change of the call replaces this whole struct.
    std::string offer;
  };
  // The offer shown on the desk: contact card, script, survey, dispositions, windows.
  Result<std::string> Offer(const std::string& agent, const CurrentCall& call);
  // The same, built once per call and kept in `call`.
  Result<std::string> CachedOffer(const std::string& agent, CurrentCall& call);
  // Logs the agent in to `campaign`'s engine (out of any other campaign's).
  Status EnsureLoggedIn(const std::string& agent, const std::string& campaign);
  void OnAgentEvent(const std::string& campaign, const dialer::AgentEvent& ev);
  // Crash recovery before an engine opens: saves answers of results recorded as pending
  // and returns their typifications for the attempts still open (dialing.h Recover).
  Result<std::map<uint64_t, dialer::RecoveredResult>> RecoverPending(const std::string& campaign);

  // Campaign configuration and survey, parsed once per campaign (both are immutable once
  // stored; a new survey version means a new campaign file).
  struct CampaignInfo;
  Result<const CampaignInfo*> GetCampaignInfo(const std::string& id);

  int64_t NowMs() const;
  void SetState(const std::string& user, std::string state, std::string reason);

  store::Db& db_;
  Clock& clock_;
  Options options_;
  std::string dummy_hash_;  // verified for unknown users, so timing does not tell
  std::map<std::string, AgentState> agents_;
  std::map<std::string, std::shared_ptr<const CampaignInfo>> campaign_cache_;
  std::unique_ptr<Dialing> dialing_;
  std::map<std::string, CurrentCall> calls_;  // by agent
  uint64_t disposing_ = 0;                    // the attempt SubmitResult is disposing
  std::vector<Push> async_pushes_;
  // The latest telephony alerts (newest last), shown on the supervisors' wallboard.
  std::deque<nlohmann::json> alerts_;
};

// JSON helpers shared by the handlers.
HttpResponse JsonResponse(int status, const nlohmann::json& body);
HttpResponse ErrorResponse(const Status& status);

}  // namespace sondeo::server
