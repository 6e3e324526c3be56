#include "server/src/api.h"

#include <charconv>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "campaigns/campaign.h"
#include "campaigns/contacts.h"
#include "common/log.h"
#include "dialer/sms.h"
#include "dialer/sms_send.h"
#include "reports/export.h"
#include "reports/report.h"
#include "server/src/crypto.h"
#include "server/src/http_status.h"
#include "surveys/engine.h"
#include "surveys/responses.h"
#include "surveys/survey.h"

namespace sondeo::server {

using nlohmann::json;

namespace {

constexpr std::string_view kPrefix = "/api/v1";

bool ParseId(std::string_view text, int64_t* out) {
  if (text.empty() || text.size() > 18) return false;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HttpResponse FileResponse(std::string body, std::string content_type, const std::string& name) {
  HttpResponse r;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  return r;
}

// The campaign's calling windows, for the callback picker: {"1":[["08:00","17:00"]],...}
// keyed by weekday (0 = Sunday), plus the time zone.
json CampaignWindows(const campaigns::Campaign& c) {
  json days = json::object();
  for (unsigned d = 0; d < 7; ++d) {
    json list = json::array();
    for (const auto& w : c.calendar.windows[d]) {
      list.push_back({campaigns::FormatTimeOfDay(w.start), campaigns::FormatTimeOfDay(w.end)});
    }
    days[std::to_string(d)] = list;
  }
  return {{"zone", c.calendar.zone.name()}, {"days", days}};
}

bool IsSafeMethod(std::string_view m) { return m == "GET" || m == "HEAD"; }

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Parses a JSON object body. kInvalidArgument for a wrong content type or bad JSON.
Result<json> ParseBody(const HttpRequest& r) {
  if (r.content_type.rfind("application/json", 0) != 0) {
    return Status::InvalidArgument("se esperaba Content-Type: application/json");
  }
  json j = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return Status::InvalidArgument("el cuerpo no es un objeto JSON válido");
  }
  return j;
}

// A string field of a JSON object ("" when absent); kInvalidArgument when of another type.
Result<std::string> StringField(const json& j, const char* name, bool required) {
  auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(std::string("falta el campo '") + name + "'");
    return std::string();
  }
  if (!it->is_string()) {
    return Status::InvalidArgument(std::string("el campo '") + name + "' debe ser texto");
  }
  return it->get<std::string>();
}

}  // namespace

std::string CookieValue(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view part = header.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

std::string QueryValue(std::string_view query, std::string_view key) {
  size_t pos = 0;
  while (pos <= query.size()) {
    size_t end = query.find('&', pos);
    if (end == std::string_view::npos) end = query.size();
    std::string_view part = query.substr(pos, end - pos);
    size_t eq = part.find('=');
    std::string_view k = part.substr(0, eq);
    if (k == key) {
      std::string_view v = eq == std::string_view::npos ? "" : part.substr(eq + 1);
      std::string out;
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '+') {
          out.push_back(' ');
        } else if (v[i] == '%' && i + 2 < v.size() && HexValue(v[i + 1]) >= 0 &&
                   HexValue(v[i + 2]) >= 0) {
          out.push_back(static_cast<char>(HexValue(v[i + 1]) * 16 + HexValue(v[i + 2])));
          i += 2;
        } else {
          out.push_back(v[i]);
        }
      }
      return out;
    }
    pos = end + 1;
  }
  return "";
}

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse r;
  r.status = status;
  r.body = Dump(body);
  return r;
}

// A 200 whose JSON body is already serialized.
HttpResponse TextJsonResponse(std::string body) {
  HttpResponse r;
  r.status = 200;
  r.body = std::move(body);
  return r;
}

HttpResponse ErrorResponse(const Status& status) {
  if (status.code() == StatusCode::kInternal) {
    log::Error("api: {}", status.ToString());
  }
  HttpResponse r;
  r.status = HttpStatusFor(status.code());
  r.body = ErrorBody(status);
  return r;
}

struct Api::CampaignInfo {
  campaigns::Campaign campaign;
  std::optional<surveys::Survey> survey;
  std::optional<surveys::StoredSurvey> stored;  // the version responses are saved against
  json survey_json;
  json windows;
  // The parts of every offer that depend only on the campaign, serialized once: an offer
  // splices them instead of copying and serializing the trees per request.
  std::string survey_text = "null";
  std::string windows_text;
  std::string dispositions_text;
};

namespace {

// The dispositions an agent may set, numbered for the keyboard shortcuts 1-9.
json AgentDispositions(const campaigns::Campaign& campaign) {
  json dispositions = json::array();
  int key = 1;
  for (const auto& d : campaign.dispositions.all()) {
    if (d.set_by == campaigns::SetBy::kSystem) continue;  // agents set only their own
    dispositions.push_back({{"code", d.code},
                            {"label", d.label},
                            {"callback", d.callback},
                            {"complete", d.complete},
                            {"key", key <= 9 ? std::to_string(key) : ""}});
    ++key;
  }
  return dispositions;
}

}  // namespace

Result<const Api::CampaignInfo*> Api::GetCampaignInfo(const std::string& id) {
  if (auto it = campaign_cache_.find(id); it != campaign_cache_.end()) return it->second.get();
  auto campaign = campaigns::LoadCampaign(db_, id);
  if (!campaign) return campaign.error();
  auto info = std::make_shared<CampaignInfo>();
  info->campaign = std::move(*campaign);
  info->windows = CampaignWindows(info->campaign);
  if (!info->campaign.survey_path.empty()) {
    const std::string text = ReadWholeFile(info->campaign.survey_path);
    auto sv = surveys::LoadSurvey(text, info->campaign.survey_path);
    if (sv) {
      // The stored version answers are validated and saved against (same content, same
      // version: registering again writes nothing).
      auto stored = surveys::RegisterSurvey(db_, *sv, text, NowMs());
      if (!stored) return stored.error();
      info->stored = std::move(*stored);
      info->survey_json = json::parse(surveys::ToJsonString(*sv), nullptr, false);
      info->survey = std::move(*sv);
    } else {
      log::Warn("api: survey of campaign {} not loadable: {}", id, sv.error().message());
    }
  }
  if (info->survey) info->survey_text = Dump(info->survey_json);
  info->windows_text = Dump(info->windows);
  info->dispositions_text = Dump(AgentDispositions(info->campaign));
  const CampaignInfo* raw = info.get();
  campaign_cache_[id] = std::move(info);
  return raw;
}

Api::Api(store::Db& db, Clock& clock, Options options)
    : db_(db),
      clock_(clock),
      options_(options),
      dialing_(std::make_unique<Dialing>(db, clock, options.telephony)) {
  dummy_hash_ = HashPassword("sondeo-dummy-password", options_.pbkdf2_iterations);
  dialing_->SetAgentNotify([this](const std::string& campaign, const dialer::AgentEvent& ev) {
    OnAgentEvent(campaign, ev);
  });
  dialing_->SetRecover([this](const std::string& campaign) { return RecoverPending(campaign); });
  dialing_->SetAlertNotify([this](const std::string& campaign, const std::string& message) {
    json alert = {{"type", "alert"},
                  {"campaign", campaign},
                  {"message", message},
                  {"at", FormatUtc(clock_.Now())}};
    alerts_.push_back(alert);
    if (alerts_.size() > 20) alerts_.pop_front();
    async_pushes_.push_back({"", Dump(alert)});
  });
}

Api::~Api() = default;

int64_t Api::NowMs() const { return ToUnixMillis(clock_.Now()); }

HttpResponse Api::Handle(const HttpRequest& request, std::vector<Push>* pushes) {
  HttpResponse r;
  try {
    r = Route(request, pushes);
  } catch (const std::exception& e) {
    r = ErrorResponse(Status::Internal(std::string("excepción: ") + e.what()));
  }
  // Engine events the request caused (a call connected, a preview call that failed...).
  for (auto& p : TakePushes()) pushes->push_back(std::move(p));
  return r;
}

Result<Principal> Api::Authenticate(std::string_view cookie_header) {
  const std::string token = CookieValue(cookie_header, kSessionCookie);
  if (token.empty() || token.size() > 128) {
    return Status::Unauthenticated("inicie sesión");
  }
  const std::string hash = Sha256Hex(token);
  auto st = db_.Prepare(
      "SELECT s.user_name, u.role, s.csrf, s.expires_ms, s.last_seen_ms, u.disabled "
      "FROM sessions s JOIN users u ON u.name = s.user_name WHERE s.token_hash = ?1");
  if (!st) return st.error();
  st->Bind(1, hash);
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return Status::Unauthenticated("la sesión no existe o expiró; inicie sesión");
  Principal p;
  p.user = st->Text(0);
  auto role = ParseRole(st->Text(1));
  if (!role) return Status::Internal("rol desconocido en users");
  p.role = *role;
  p.csrf = st->Text(2);
  const int64_t expires = st->Int(3);
  const int64_t last_seen = st->Int(4);
  const bool disabled = st->Int(5) != 0;
  const int64_t now = NowMs();
  st->Reset();
  if (disabled || now >= expires || now - last_seen >= options_.session_idle.count()) {
    auto del = db_.Prepare("DELETE FROM sessions WHERE token_hash = ?1");
    if (del) {
      del->Bind(1, hash);
      (void)del->Run();
    }
    return Status::Unauthenticated("la sesión expiró; inicie sesión de nuevo");
  }
  if (now - last_seen >= 60 * 1000) {  // one write a minute at most
    auto upd = db_.Prepare("UPDATE sessions SET last_seen_ms = ?1 WHERE token_hash = ?2");
    if (upd) {
      upd->Bind(1, now).Bind(2, hash);
      (void)upd->Run();
    }
  }
  return p;
}

HttpResponse Api::Route(const HttpRequest& request, std::vector<Push>* pushes) {
  if (request.path.rfind(kPrefix, 0) != 0) {
    return ErrorResponse(Status::NotFound("ruta desconocida"));
  }
  const std::string_view path = std::string_view(request.path).substr(kPrefix.size());
  const std::string& m = request.method;

  if (path == "/login") {
    if (m != "POST") return ErrorResponse(Status::InvalidArgument("use POST"));
    return Login(request);
  }
  if ((path == "/sms/dlr" || path == "/sms/mo") && m == "GET") {
    return SmsGatewayCallback(request, path);
  }

  auto principal = Authenticate(request.cookie);
  if (!principal) return ErrorResponse(principal.error());
  const Principal& p = *principal;
  if (!IsSafeMethod(m) && !ConstantTimeEquals(request.csrf, p.csrf)) {
    return ErrorResponse(
        Status::PermissionDenied("falta el token CSRF o no es válido (cabecera X-CSRF-Token)"));
  }

  if (path == "/logout" && m == "POST") return Logout(request, p);
  if (path == "/me" && m == "GET") return Me(p);
  if (path == "/agent/state" && m == "POST") return SetAgentState(request, p, pushes);
  if (path == "/campaigns" && m == "GET") return Campaigns(p);
  if (path == "/sms/estimate" && m == "POST") return SmsEstimate(request);
  if (path == "/users" && m == "GET") return Users(p);
  if (path == "/wallboard" && m == "GET") {
    if (!IsSupervisor(p.role)) {
      return ErrorResponse(Status::PermissionDenied("solo supervisores"));
    }
    auto wb = Wallboard();
    if (!wb) return ErrorResponse(wb.error());
    return JsonResponse(200, *wb);
  }
  // /campaigns/{id}/{action}
  constexpr std::string_view kCampaigns = "/campaigns/";
  if (path.rfind(kCampaigns, 0) == 0) {
    std::string_view rest = path.substr(kCampaigns.size());
    const size_t slash = rest.find('/');
    if (slash != std::string_view::npos) {
      const std::string id(rest.substr(0, slash));
      const std::string_view action = rest.substr(slash + 1);
      if (m == "POST" && (action == "start" || action == "pause")) {
        return CampaignAction(p, id, action, pushes);
      }
      if (m == "POST" && action == "import") return Import(request, p, id);
      if (m == "POST" && action == "next") return NextContact(p, id, pushes);
      if (m == "GET" && (action == "report" || action == "export")) {
        return Download(request, p, id, action);
      }
    }
  }
  constexpr std::string_view kContacts = "/contacts/";
  if (path.rfind(kContacts, 0) == 0) {
    std::string_view rest = path.substr(kContacts.size());
    const size_t slash = rest.find('/');
    int64_t id = 0;
    if (ParseId(rest.substr(0, slash), &id)) {
      if (slash == std::string_view::npos && m == "GET") return GetContact(p, id);
      if (slash != std::string_view::npos && rest.substr(slash + 1) == "result" && m == "POST") {
        return SubmitResult(request, p, id, pushes);
      }
    }
  }
  constexpr std::string_view kImports = "/imports/";
  if (path.rfind(kImports, 0) == 0 && m == "GET") {
    std::string_view rest = path.substr(kImports.size());
    int64_t id = 0;
    if (rest.size() > 8 && rest.substr(rest.size() - 8) == "/rejects" &&
        ParseId(rest.substr(0, rest.size() - 8), &id)) {
      return Rejects(p, id);
    }
  }
  return ErrorResponse(Status::NotFound("ruta desconocida: " + m + " " + request.path));
}

HttpResponse Api::Login(const HttpRequest& request) {
  auto body = ParseBody(request);
  if (!body) return ErrorResponse(body.error());
  auto user = StringField(*body, "user", true);
  if (!user) return ErrorResponse(user.error());
  auto password = StringField(*body, "password", true);
  if (!password) return ErrorResponse(password.error());
  const int64_t now = NowMs();
  const Status bad = Status::Unauthenticated("usuario o contraseña incorrectos");
  if (!ValidateUserName(*user).ok() || password->size() > 1024) return ErrorResponse(bad);

  auto st = db_.Prepare(
      "SELECT role, password_hash, disabled, failed_count, locked_until_ms FROM users "
      "WHERE name = ?1");
  if (!st) return ErrorResponse(st.error());
  st->Bind(1, *user);
  auto row = st->Step();
  if (!row) return ErrorResponse(row.error());
  LoginState state;
  std::string hash = dummy_hash_;
  std::string role_name;
  if (*row) {
    state.exists = true;
    role_name = st->Text(0);
    hash = st->Text(1);
    state.disabled = st->Int(2) != 0;
    state.failed_count = static_cast<int>(st->Int(3));
    state.locked_until_ms = st->Int(4);
  }
  st->Reset();
  // Always hash, so an unknown or locked user takes as long as a known one.
  const bool password_ok = VerifyPassword(*password, hash) && state.exists;
  const LoginDecision d = DecideLogin(state, password_ok, now);

  auto tx = store::Transaction::Begin(db_);
  if (!tx) return ErrorResponse(tx.error());
  if (state.exists) {
    auto upd =
        db_.Prepare("UPDATE users SET failed_count = ?1, locked_until_ms = ?2 WHERE name = ?3");
    if (!upd) return ErrorResponse(upd.error());
    upd->Bind(1, d.failed_count).Bind(2, d.locked_until_ms).Bind(3, *user);
    if (Status s = upd->Run(); !s.ok()) return ErrorResponse(s);
  }
  const char* action = "login";
  switch (d.outcome) {
    case LoginOutcome::kOk:
      action = "login";
      break;
    case LoginOutcome::kLocked:
      action = "login.locked";
      break;
    case LoginOutcome::kDisabled:
      action = "login.disabled";
      break;
    case LoginOutcome::kBadCredentials:
      action = "login.failed";
      break;
  }
  const std::string actor = state.exists ? *user : std::string("-");
  if (Status s = store::Audit(db_, actor, action, state.exists ? "" : "usuario desconocido", now);
      !s.ok()) {
    return ErrorResponse(s);
  }

  if (d.outcome != LoginOutcome::kOk) {
    if (Status s = tx->Commit(); !s.ok()) return ErrorResponse(s);
    if (d.outcome == LoginOutcome::kLocked) {
      return ErrorResponse(Status::ResourceExhausted(
          "cuenta bloqueada por intentos fallidos; intente de nuevo en 15 minutos"));
    }
    return ErrorResponse(bad);
  }

  const std::string token = RandomHex(32);
  const std::string csrf = RandomHex(16);
  auto ins = db_.Prepare(
      "INSERT INTO sessions(token_hash, user_name, csrf, created_ms, last_seen_ms, expires_ms) "
      "VALUES (?1, ?2, ?3, ?4, ?4, ?5)");
  if (!ins) return ErrorResponse(ins.error());
  ins->Bind(1, Sha256Hex(token)).Bind(2, *user).Bind(3, csrf).Bind(4, now);
  ins->Bind(5, now + options_.session_ttl.count());
  if (Status s = ins->Run(); !s.ok()) return ErrorResponse(s);
  auto gc = db_.Prepare("DELETE FROM sessions WHERE expires_ms <= ?1");
  if (gc) {
    gc->Bind(1, now);
    (void)gc->Run();
  }
  if (Status s = tx->Commit(); !s.ok()) return ErrorResponse(s);

  HttpResponse r = JsonResponse(200, {{"user", *user}, {"role", role_name}, {"csrf", csrf}});
  std::string cookie = std::string(kSessionCookie) + "=" + token +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(options_.session_ttl.count() / 1000);
  if (request.secure) cookie += "; Secure";
  r.headers.emplace_back("Set-Cookie", cookie);
  return r;
}

HttpResponse Api::Logout(const HttpRequest& request, const Principal& p) {
  const std::string token = CookieValue(request.cookie, kSessionCookie);
  auto del = db_.Prepare("DELETE FROM sessions WHERE token_hash = ?1");
  if (!del) return ErrorResponse(del.error());
  del->Bind(1, Sha256Hex(token));
  if (Status s = del->Run(); !s.ok()) return ErrorResponse(s);
  if (Status s = store::Audit(db_, p.user, "logout", "", NowMs()); !s.ok()) {
    return ErrorResponse(s);
  }
  HttpResponse r = JsonResponse(200, {{"ok", true}});
  std::string cookie =
      std::string(kSessionCookie) + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0";
  if (request.secure) cookie += "; Secure";
  r.headers.emplace_back("Set-Cookie", cookie);
  return r;
}

HttpResponse Api::Me(const Principal& p) {
  json j = {{"user", p.user}, {"role", RoleName(p.role)}, {"csrf", p.csrf}};
  if (auto it = agents_.find(p.user); it != agents_.end()) {
    j["state"] = it->second.state;
    j["reason"] = it->second.reason;
  }
  return JsonResponse(200, j);
}

void Api::SetState(const std::string& user, std::string state, std::string reason) {
  AgentState& a = agents_[user];
  if (a.state != state || a.reason != reason) a.since_ms = NowMs();
  a.state = std::move(state);
  a.reason = std::move(reason);
}

void Api::AgentConnected(const std::string& user) {
  AgentState& a = agents_[user];
  if (++a.sockets == 1 && a.state == "desconectado") SetState(user, "pausa", "inicio");
}

void Api::AgentDisconnected(const std::string& user) {
  AgentState& a = agents_[user];
  if (--a.sockets <= 0) {
    a.sockets = 0;
    SetState(user, "desconectado", "");
    // Nobody at the desk: the engine stops giving this agent calls (effective once the
    // current call, if any, is typified).
    if (const std::string cur = dialing_->AgentCampaign(user); !cur.empty()) {
      if (auto engine = dialing_->EngineFor(cur)) (void)(*engine)->LogOut(user);
      dialing_->SetAgentCampaign(user, "");
    }
  }
}

HttpResponse Api::SetAgentState(const HttpRequest& request, const Principal& p,
                                std::vector<Push>* pushes) {
  auto body = ParseBody(request);
  if (!body) return ErrorResponse(body.error());
  auto state = StringField(*body, "state", true);
  if (!state) return ErrorResponse(state.error());
  auto reason = StringField(*body, "reason", false);
  if (!reason) return ErrorResponse(reason.error());
  if (*state != "listo" && *state != "pausa") {
    return ErrorResponse(Status::InvalidArgument("state: se esperaba 'listo' o 'pausa'"));
  }
  static const char* const kReasons[] = {"break",   "almuerzo", "bano",  "capacitacion",
                                         "reunion", "soporte",  "inicio"};
  if (*state == "pausa") {
    bool known = false;
    for (const char* r : kReasons) known = known || *reason == r;
    if (!known) {
      return ErrorResponse(Status::InvalidArgument(
          "reason: motivo de pausa desconocido (break, almuerzo, bano, capacitacion, reunion, "
          "soporte)"));
    }
  } else {
    reason->clear();
  }
  auto campaign = StringField(*body, "campaign", false);
  if (!campaign) return ErrorResponse(campaign.error());
  AgentState& a = agents_[p.user];
  if (*state == "listo") {
    // Ready in one campaign: the one named, else the last one, else the only running one.
    std::string id = *campaign;
    if (id.empty()) id = a.campaign;
    if (id.empty()) {
      auto rows = campaigns::ListCampaigns(db_);
      if (!rows) return ErrorResponse(rows.error());
      int running = 0;
      for (const auto& r : *rows) {
        if (r.state == campaigns::CampaignState::kRunning) {
          ++running;
          id = r.id;
        }
      }
      if (running != 1) id.clear();
    }
    if (!id.empty()) {
      if (Status s = EnsureLoggedIn(p.user, id); !s.ok()) {
        // A campaign named by the desk must be running; a guessed one may not be.
        if (!campaign->empty()) return ErrorResponse(s);
      } else {
        a.campaign = id;
      }
    }
  } else if (const std::string cur = dialing_->AgentCampaign(p.user); !cur.empty()) {
    // Pause: takes effect in the engine when the agent's current call is typified.
    if (auto engine = dialing_->EngineFor(cur)) (void)(*engine)->LogOut(p.user);
    dialing_->SetAgentCampaign(p.user, "");
  }
  if (calls_.count(p.user) == 0 || *state == "pausa") SetState(p.user, *state, *reason);
  const std::string shown = agents_[p.user].state;
  pushes->push_back(
      {"", Dump({{"type", "agent"}, {"user", p.user}, {"state", shown}, {"reason", *reason}})});
  return JsonResponse(200, {{"state", shown}, {"reason", *reason}});
}

Status Api::EnsureLoggedIn(const std::string& agent, const std::string& campaign) {
  auto engine = dialing_->EngineFor(campaign);
  if (!engine) return engine.error();
  const std::string cur = dialing_->AgentCampaign(agent);
  if (!cur.empty() && cur != campaign) {
    if (auto other = dialing_->EngineFor(cur)) (void)(*other)->LogOut(agent);
  }
  dialing_->SetAgentCampaign(agent, campaign);
  return (*engine)->LogIn(agent);
}

HttpResponse Api::Campaigns(const Principal& /*p*/) {
  auto rows = campaigns::ListCampaigns(db_);
  if (!rows) return ErrorResponse(rows.error());
  json list = json::array();
  for (const auto& c : *rows) {
    list.push_back({{"id", c.id},
                    {"name", c.name},
                    {"entity", c.entity},
                    {"state", campaigns::CampaignStateName(c.state)}});
  }
  return JsonResponse(200, {{"campaigns", list}});
}

HttpResponse Api::CampaignAction(const Principal& p, const std::string& id, std::string_view action,
                                 std::vector<Push>* pushes) {
  if (!IsSupervisor(p.role)) {
    return ErrorResponse(
        Status::PermissionDenied("solo un supervisor puede iniciar o pausar campañas"));
  }
  // Both are audited by campaigns (campaign.start / campaign.pause, actor = the user).
  Status s = action == "start" ? campaigns::StartCampaign(db_, id, p.user, NowMs())
                               : campaigns::PauseCampaign(db_, id, p.user, NowMs());
  if (!s.ok()) return ErrorResponse(s);
  dialing_->Reconcile();  // opens the campaign's engine, or logs its agents out
  const std::string state = action == "start" ? "running" : "paused";
  pushes->push_back({"", Dump({{"type", "campaign"}, {"id", id}, {"state", state}})});
  return JsonResponse(200, {{"id", id}, {"state", state}});
}

HttpResponse Api::Import(const HttpRequest& request, const Principal& p, const std::string& id) {
  if (!IsSupervisor(p.role)) {
    return ErrorResponse(Status::PermissionDenied("solo un supervisor puede importar bases"));
  }
  std::string name = QueryValue(request.query, "filename");
  const bool xlsx = name.size() > 5 && name.substr(name.size() - 5) == ".xlsx";
  if (request.body.empty()) return ErrorResponse(Status::InvalidArgument("el archivo está vacío"));
  namespace fs = std::filesystem;
  const std::string stem = options_.work_dir + "/sondeo-import-" + RandomHex(8);
  const std::string upload = stem + (xlsx ? ".xlsx" : ".csv");
  {
    std::ofstream out(upload, std::ios::binary);
    out.write(request.body.data(), static_cast<std::streamsize>(request.body.size()));
    if (!out) return ErrorResponse(Status::Internal("no se pudo escribir " + upload));
  }
  campaigns::ImportOptions io;
  io.campaign_id = id;
  io.rejects_path = stem + "-rechazados.csv";
  io.actor = p.user;  // audited by campaigns ("contacts.import")
  auto result = campaigns::Import(db_, upload, io, clock_);
  std::error_code ec;
  fs::remove(upload, ec);
  if (!result) return ErrorResponse(result.error());
  fs::rename(io.rejects_path,
             options_.work_dir + "/sondeo-rechazados-" + std::to_string(result->import_id) + ".csv",
             ec);
  json funnel = json::parse(campaigns::FunnelJson(result->funnel), nullptr, false);
  return JsonResponse(
      200, {{"import_id", result->import_id},
            {"funnel", funnel},
            {"encoding", result->encoding},
            {"rejects_url", "/api/v1/imports/" + std::to_string(result->import_id) + "/rejects"}});
}

HttpResponse Api::Rejects(const Principal& p, int64_t import_id) {
  if (!IsSupervisor(p.role)) {
    return ErrorResponse(Status::PermissionDenied("solo un supervisor"));
  }
  const std::string path =
      options_.work_dir + "/sondeo-rechazados-" + std::to_string(import_id) + ".csv";
  if (!std::filesystem::exists(path)) {
    return ErrorResponse(
        Status::NotFound("no hay rechazados de la importación " + std::to_string(import_id)));
  }
  if (Status s = store::Audit(db_, p.user, "contacts.rejects_download",
                              "import " + std::to_string(import_id), NowMs());
      !s.ok()) {
    return ErrorResponse(s);
  }
  return FileResponse(ReadWholeFile(path), "text/csv; charset=utf-8",
                      "rechazados-" + std::to_string(import_id) + ".csv");
}

HttpResponse Api::Download(const HttpRequest& request, const Principal& p, const std::string& id,
                           std::string_view what) {
  if (!IsSupervisor(p.role)) {
    return ErrorResponse(
        Status::PermissionDenied("solo un supervisor puede descargar informes y exportaciones"));
  }
  std::string format = QueryValue(request.query, "format");
  const int64_t now = NowMs();
  if (what == "export") {
    if (format.empty()) format = "csv";
    if (format != "csv" && format != "xlsx") {
      return ErrorResponse(Status::InvalidArgument("format: csv o xlsx"));
    }
    reports::ExportOptions eo;
    eo.format = format;
    eo.out = options_.work_dir + "/sondeo-export-" + RandomHex(8) + "." + format;
    eo.pii = QueryValue(request.query, "mask") == "0" ? reports::PiiMode::kClear
                                                      : reports::PiiMode::kMask;
    eo.actor = p.user;  // audited by reports
    auto r = reports::ExportContacts(db_, id, eo, now);
    if (!r) return ErrorResponse(r.error());
    std::string body = ReadWholeFile(eo.out);
    for (const auto& f : r->files) std::filesystem::remove(f);
    std::filesystem::remove(eo.out);
    return FileResponse(std::move(body),
                        format == "csv" ? "text/csv; charset=utf-8"
                                        : "application/vnd.openxmlformats-officedocument."
                                          "spreadsheetml.sheet",
                        id + "-exportacion." + format);
  }
  if (format.empty()) format = "html";
  auto report = reports::BuildReport(db_, id, reports::ReportOptions{}, now);
  if (!report) return ErrorResponse(report.error());
  if (Status s = store::Audit(db_, p.user, "report.download", id + " " + format, now); !s.ok()) {
    return ErrorResponse(s);
  }
  if (format == "json") {
    return FileResponse(reports::RenderJson(*report), "application/json; charset=utf-8",
                        id + "-informe.json");
  }
  if (format == "html") {
    return FileResponse(reports::RenderHtml(*report), "text/html; charset=utf-8",
                        id + "-informe.html");
  }
  if (format == "xlsx") {
    const std::string out = options_.work_dir + "/sondeo-informe-" + RandomHex(8) + ".xlsx";
    if (Status s = reports::WriteReportXlsx(*report, out); !s.ok()) return ErrorResponse(s);
    std::string body = ReadWholeFile(out);
    std::filesystem::remove(out);
    return FileResponse(std::move(body),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        id + "-informe.xlsx");
  }
  return ErrorResponse(Status::InvalidArgument("format: html, json o xlsx"));
}

Result<json> Api::ContactCard(int64_t contact_id, const std::string& phone) {
  auto c = campaigns::LoadContact(db_, contact_id);
  if (!c) return c.error();
  return ContactCard(*c, phone);
}

Result<json> Api::ContactCard(const campaigns::Contact& contact, const std::string& phone) {
  const campaigns::Contact* c = &contact;
  const int64_t contact_id = c->id;
  std::string name = c->nombres;
  if (!c->apellidos.empty()) name += (name.empty() ? "" : " ") + c->apellidos;
  json attempts = json::array();
  // Previous attempts (dialer's table; absent in a database without the dialer).
  auto st = db_.Prepare(
      "SELECT queued_ms, disposition, notes, agent FROM attempts WHERE contact_id = ?1 "
      "AND state = 'disposed' ORDER BY attempt_number");
  if (st) {
    st->Bind(1, contact_id);
    for (;;) {
      auto row = st->Step();
      if (!row || !*row) break;
      attempts.push_back({{"at", FormatUtc(FromUnixMillis(st->Int(0)))},
                          {"disposition", st->OptText(1).value_or("")},
                          {"notes", st->Text(2)},
                          {"agent", st->OptText(3).value_or("")}});
    }
  }
  // Deliberately no document number, e-mail or extra columns (Ley 1581: what the call needs).
  return json{{"id", c->id},
              {"campaign_id", c->campaign_id},
              {"name", name},
              {"municipio", c->municipio},
              {"departamento", c->departamento},
              {"phone", phone},
              {"previous_attempts", attempts}};
}

// The offer, serialized: what Dump() of the json object {call, campaign, contact,
// dispositions, fields, mode, script, survey, windows} gives (keys in that order), with the
// campaign's parts spliced from their cached text.
Result<std::string> Api::Offer(const std::string& agent, const CurrentCall& call) {
  auto info = GetCampaignInfo(call.campaign);
  if (!info) return info.error();
  const campaigns::Campaign* campaign = &(*info)->campaign;
  auto contact = campaigns::LoadContact(db_, call.contact_id);
  if (!contact) return contact.error();
  auto card = ContactCard(*contact, call.phone);
  if (!card) return card.error();
  // The intro script with its placeholders filled from the contact (the desktop escapes
  // everything it shows); the survey itself is rendered by the desktop, with live branching.
  const json fields = {{"nombres", contact->nombres},
                       {"apellidos", contact->apellidos},
                       {"municipio", contact->municipio},
                       {"departamento", contact->departamento},
                       {"agente", agent}};
  std::string script;
  if ((*info)->survey) {
    std::map<std::string, std::string> f;
    for (auto it = fields.begin(); it != fields.end(); ++it) f[it.key()] = it.value();
    script = surveys::RenderText((*info)->survey->intro, f);
  }
  std::string out;
  out.reserve(1024 + (*info)->survey_text.size());
  out += "{\"call\":";
  out += Dump({{"attempt_id", call.attempt_id}, {"connected", call.connected}});
  out += ",\"campaign\":";
  out += Dump(call.campaign);
  out += ",\"contact\":";
  out += Dump(*card);
  out += ",\"dispositions\":";
  out += (*info)->dispositions_text;
  out += ",\"fields\":";
  out += Dump(fields);
  out += ",\"mode\":";
  out += Dump(std::string(campaigns::DialModeName(campaign->dialing.mode)));
  out += ",\"script\":";
  out += Dump(script);
  out += ",\"survey\":";
  out += (*info)->survey_text;
  out += ",\"windows\":";
  out += (*info)->windows_text;
  out += '}';
  return out;
}

Result<std::string> Api::CachedOffer(const std::string& agent, CurrentCall& call) {
  if (call.offer.empty()) {
    auto offer = Offer(agent, call);
    if (!offer) return offer.error();
    call.offer = std::move(*offer);
  }
  return call.offer;
}

HttpResponse Api::NextContact(const Principal& p, const std::string& campaign_id,
                              std::vector<Push>* pushes) {
  auto info = GetCampaignInfo(campaign_id);
  if (!info) return ErrorResponse(info.error());
  const campaigns::Campaign* campaign = &(*info)->campaign;
  // The agent's current call first (a reload must not lose it).
  if (auto it = calls_.find(p.user); it != calls_.end()) {
    if (it->second.campaign != campaign_id) {
      return ErrorResponse(Status::FailedPrecondition(
          "tiene una llamada sin tipificar en la campaña " + it->second.campaign));
    }
    auto offer = CachedOffer(p.user, it->second);
    if (!offer) return ErrorResponse(offer.error());
    return TextJsonResponse(std::move(*offer));
  }
  if (Status s = EnsureLoggedIn(p.user, campaign_id); !s.ok()) return ErrorResponse(s);
  AgentState& a = agents_[p.user];
  a.campaign = campaign_id;
  if (campaign->dialing.mode != campaigns::DialMode::kPreview) {
    // Progressive/predictive: the engine dials for the agent; the call arrives pushed over
    // the WebSocket ({"type":"call","offer":...}) and is returned here once connected.
    if (a.state != "listo") {
      SetState(p.user, "listo", "");
      pushes->push_back({"", Dump({{"type", "agent"}, {"user", p.user}, {"state", "listo"}})});
    }
    return JsonResponse(200, {{"contact", nullptr},
                              {"waiting", true},
                              {"mode", campaigns::DialModeName(campaign->dialing.mode)},
                              {"message", "en espera: la próxima llamada llegará sola"}});
  }
  auto engine = dialing_->EngineFor(campaign_id);
  if (!engine) return ErrorResponse(engine.error());
  auto dialed = (*engine)->PreviewDial(p.user);
  if (!dialed) return ErrorResponse(dialed.error());
  if (!*dialed) {
    return JsonResponse(200, {{"contact", nullptr}, {"message", "no hay contactos disponibles"}});
  }
  auto st = db_.Prepare("SELECT contact_id, e164, state FROM attempts WHERE id = ?1");
  if (!st) return ErrorResponse(st.error());
  st->Bind(1, static_cast<int64_t>(**dialed));
  auto row = st->Step();
  if (!row) return ErrorResponse(row.error());
  if (!*row) return ErrorResponse(Status::Internal("intento sin registro"));
  CurrentCall call;
  call.campaign = campaign_id;
  call.attempt_id = **dialed;
  call.contact_id = st->Int(0);
  call.phone = st->Text(1);
  call.connected = st->Text(2) == "connected";
  st->Reset();
  CurrentCall& held = calls_[p.user] = call;
  SetState(p.user, "en_llamada", "");
  pushes->push_back({"", Dump({{"type", "agent"}, {"user", p.user}, {"state", "en_llamada"}})});
  auto offer = CachedOffer(p.user, held);
  if (!offer) return ErrorResponse(offer.error());
  return TextJsonResponse(std::move(*offer));
}

void Api::OnAgentEvent(const std::string& campaign, const dialer::AgentEvent& ev) {
  using Kind = dialer::AgentEvent::Kind;
  switch (ev.kind) {
    case Kind::kConnected: {
      CurrentCall call;
      call.campaign = campaign;
      call.attempt_id = ev.attempt_id;
      call.contact_id = ev.contact_id;
      call.connected = true;
      auto st = db_.Prepare("SELECT e164 FROM attempts WHERE id = ?1");
      if (st) {
        st->Bind(1, static_cast<int64_t>(ev.attempt_id));
        auto row = st->Step();
        if (row && *row) call.phone = st->Text(0);
      }
      const bool preview = calls_.count(ev.agent) > 0;
      calls_[ev.agent] = call;
      agents_[ev.agent].campaign = campaign;
      SetState(ev.agent, "en_llamada", "");
      async_pushes_.push_back(
          {"", Dump({{"type", "agent"}, {"user", ev.agent}, {"state", "en_llamada"}})});
      if (preview) {
        // The card is on the desk already (the agent asked for it): only the news.
        async_pushes_.push_back(
            {ev.agent, Dump({{"type", "call_connected"}, {"attempt_id", ev.attempt_id}})});
        break;
      }
      auto offer = CachedOffer(ev.agent, calls_[ev.agent]);
      if (!offer) {
        log::Error("api: oferta de la llamada {}: {}", ev.attempt_id, offer.error().ToString());
        break;
      }
      // Dump({{"type", "call"}, {"offer", offer}}), with the offer's text spliced.
      async_pushes_.push_back({ev.agent, "{\"offer\":" + *offer + ",\"type\":\"call\"}"});
      break;
    }
    case Kind::kEnded:
      async_pushes_.push_back(
          {ev.agent, Dump({{"type", "call_ended"}, {"attempt_id", ev.attempt_id}})});
      break;
    case Kind::kReady: {
      auto it = calls_.find(ev.agent);
      if (it == calls_.end() || it->second.attempt_id == disposing_) break;
      // The agent's (preview) call ended without reaching the agent: busy, no answer...
      std::string disposition;
      auto st = db_.Prepare("SELECT COALESCE(disposition, '') FROM attempts WHERE id = ?1");
      if (st) {
        st->Bind(1, static_cast<int64_t>(it->second.attempt_id));
        auto row = st->Step();
        if (row && *row) disposition = st->Text(0);
      }
      async_pushes_.push_back({ev.agent, Dump({{"type", "call_failed"},
                                               {"attempt_id", it->second.attempt_id},
                                               {"contact_id", it->second.contact_id},
                                               {"disposition", disposition}})});
      calls_.erase(it);
      if (agents_[ev.agent].state == "en_llamada") SetState(ev.agent, "listo", "");
      async_pushes_.push_back(
          {"", Dump({{"type", "agent"}, {"user", ev.agent}, {"state", agents_[ev.agent].state}})});
      break;
    }
    case Kind::kPhoneFailed: {
      // The agent's phone did not answer the call the engine gave them: the engine abandoned
      // the call and logged the agent out. The desk is told and the agent is paused until
      // they go ready again (with a phone that answers).
      calls_.erase(ev.agent);
      dialing_->SetAgentCampaign(ev.agent, "");
      SetState(ev.agent, "pausa", "soporte");
      async_pushes_.push_back({ev.agent, Dump({{"type", "phone_failed"},
                                               {"attempt_id", ev.attempt_id},
                                               {"contact_id", ev.contact_id},
                                               {"message",
                                                "Su teléfono no contestó: la llamada se "
                                                "perdió y quedó en pausa"}})});
      async_pushes_.push_back({"", Dump({{"type", "agent"},
                                         {"user", ev.agent},
                                         {"state", "pausa"},
                                         {"reason", "soporte"}})});
      break;
    }
  }
}

HttpResponse Api::GetContact(const Principal& p, int64_t contact_id) {
  std::string phone;
  bool mine = false;
  for (const auto& [agent, call] : calls_) {
    if (call.contact_id != contact_id) continue;
    phone = call.phone;
    mine = agent == p.user;
  }
  // An agent sees only the contact of its own call; the same answer whether or not it exists.
  if (!IsSupervisor(p.role) && !mine) {
    return ErrorResponse(Status::PermissionDenied("este contacto no está asignado a usted"));
  }
  auto card = ContactCard(contact_id, phone);
  if (!card) return ErrorResponse(card.error());
  return JsonResponse(200, {{"contact", *card}});
}

// A result is made durable in three steps, because the survey response (surveys::
// SaveResponse) and the disposition (dialer::Engine::Dispose) each commit their own
// transaction, and the engine must commit before it acts (its outbox may dial the next
// number), so the two cannot share one:
//   1. the result itself (key, attempt, disposition, callback, notes, answers) goes to
//      agent_results as 'pending';
//   2. the answers are saved with SaveResponse (idempotent by the same key);
//   3. Engine::Dispose; then the row becomes 'applied' and the 200 goes out.
// Only one of these commits waits for the disk (store::DeferredSync): Dispose's, which in WAL
// mode also syncs the frames of steps 1 and 2 written before it; when the attempt was already
// disposed, the 'applied' update is that synchronous commit.
// A crash after 1 is recovered when the campaign's engine opens again (RecoverPending): the
// answers are saved from the row and the open attempt is disposed with the agent's code
// instead of INTERRUMPIDA (EngineOptions::recover_result). A retry with the same key finishes
// what is missing or replays the stored reply; nothing is counted twice.
HttpResponse Api::SubmitResult(const HttpRequest& request, const Principal& p, int64_t contact_id,
                               std::vector<Push>* pushes) {
  auto body = ParseBody(request);
  if (!body) return ErrorResponse(body.error());
  auto key = StringField(*body, "idempotency_key", true);
  if (!key) return ErrorResponse(key.error());
  if (key->empty() || key->size() > 128) {
    return ErrorResponse(Status::InvalidArgument("idempotency_key: 1 a 128 caracteres"));
  }
  auto code = StringField(*body, "disposition", true);
  if (!code) return ErrorResponse(code.error());
  auto notes = StringField(*body, "notes", false);
  if (!notes) return ErrorResponse(notes.error());
  auto callback = StringField(*body, "callback_at", false);
  if (!callback) return ErrorResponse(callback.error());

  struct Pending {
    std::string campaign;
    uint64_t attempt_id = 0;
    std::string code;
    std::optional<int64_t> callback_ms;
    std::string notes;
    std::string answers_json;
    std::string reply_json;
    bool applied = false;
  } r;
  bool recorded = false;
  {
    auto prev = db_.Prepare(
        "SELECT user_name, contact_id, campaign_id, attempt_id, disposition, callback_ms, notes,"
        " answers_json, reply_json, state FROM agent_results WHERE idempotency_key = ?1");
    if (!prev) return ErrorResponse(prev.error());
    prev->Bind(1, *key);
    auto row = prev->Step();
    if (!row) return ErrorResponse(row.error());
    if (*row) {
      if (prev->Text(0) != p.user || prev->Int(1) != contact_id) {
        return ErrorResponse(
            Status::FailedPrecondition("idempotency_key ya usada para otro resultado"));
      }
      recorded = true;
      r.campaign = prev->Text(2);
      r.attempt_id = static_cast<uint64_t>(prev->Int(3));
      r.code = prev->Text(4);
      if (!prev->IsNull(5)) r.callback_ms = prev->Int(5);
      r.notes = prev->Text(6);
      r.answers_json = prev->Text(7);
      r.reply_json = prev->Text(8);
      r.applied = prev->Text(9) == "applied";
    }
  }
  if (r.applied) {
    json replay = json::parse(r.reply_json, nullptr, false);
    replay["duplicate"] = true;
    return JsonResponse(200, replay);
  }

  if (!recorded) {
    auto cur = calls_.find(p.user);
    if (cur == calls_.end() || cur->second.contact_id != contact_id) {
      return ErrorResponse(Status::PermissionDenied("este contacto no está asignado a usted"));
    }
    r.campaign = cur->second.campaign;
    r.attempt_id = cur->second.attempt_id;
  }
  auto info = GetCampaignInfo(r.campaign);
  if (!info) return ErrorResponse(info.error());
  const campaigns::Campaign* campaign = &(*info)->campaign;
  const int64_t now = NowMs();

  // Steps 1 and 2 commit without an fsync: Dispose's synchronous commit (step 3) flushes
  // them with it, before anything is acknowledged (one fsync per result, not four).
  std::optional<store::DeferredSync> defer;
  defer.emplace(db_);
  if (!recorded) {
    const campaigns::Disposition* d = campaign->dispositions.Find(*code);
    if (d == nullptr || d->set_by == campaigns::SetBy::kSystem) {
      return ErrorResponse(
          Status::InvalidArgument("disposition: '" + *code + "' no es una tipificación de agente"));
    }
    if (d->callback && callback->empty()) {
      return ErrorResponse(Status::InvalidArgument("callback_at: obligatorio para " + d->label));
    }
    if (!callback->empty()) {
      // "YYYY-MM-DDTHH:MM", local time of the campaign; must fall inside a calling window.
      auto date = campaigns::ParseDate(std::string_view(*callback).substr(0, 10));
      auto tod = callback->size() == 16 && (*callback)[10] == 'T'
                     ? campaigns::ParseTimeOfDay(std::string_view(*callback).substr(11))
                     : Result<std::chrono::minutes>(Status::InvalidArgument("hora"));
      if (!date || !tod) {
        return ErrorResponse(Status::InvalidArgument("callback_at: se esperaba AAAA-MM-DDTHH:MM"));
      }
      const auto local = std::chrono::local_days(*date) + *tod;
      const TimePoint at = campaign->calendar.zone.FromLocal(
          std::chrono::time_point_cast<std::chrono::milliseconds>(local));
      if (!campaign->MakeCalendar().IsCallable(at) || ToUnixMillis(at) <= now) {
        return ErrorResponse(Status::InvalidArgument(
            "callback_at: fuera de las ventanas de llamada de la campaña (o en el pasado)"));
      }
      r.callback_ms = ToUnixMillis(at);
    }
    json answers = body->contains("answers") ? (*body)["answers"] : json::object();
    if (!answers.is_object()) {
      return ErrorResponse(Status::InvalidArgument("answers: se esperaba un objeto"));
    }
    if (!answers.empty()) {
      if (!(*info)->survey || !(*info)->stored) {
        return ErrorResponse(Status::InvalidArgument("answers: la campaña no tiene encuesta"));
      }
      auto parsed = surveys::AnswersFromJson(*(*info)->survey, Dump(answers));
      if (!parsed) return ErrorResponse(parsed.error());
      if (Status s = surveys::ValidateAnswers(*(*info)->survey, *parsed); !s.ok()) {
        return ErrorResponse(s);
      }
      if (d->complete &&
          surveys::DecideStatus(*(*info)->survey, *parsed) != surveys::ResponseStatus::kComplete) {
        return ErrorResponse(
            Status::InvalidArgument("answers: faltan respuestas obligatorias para " + d->label));
      }
    } else if (d->complete && (*info)->survey) {
      return ErrorResponse(Status::InvalidArgument("answers: la encuesta está vacía"));
    }
    // The call must be in the agent's hands (connected or in wrap-up); a preview call that is
    // still ringing, or already ended by the network, cannot take an agent's result.
    auto st = db_.Prepare("SELECT state, COALESCE(disposition, '') FROM attempts WHERE id = ?1");
    if (!st) return ErrorResponse(st.error());
    st->Bind(1, static_cast<int64_t>(r.attempt_id));
    auto row = st->Step();
    if (!row) return ErrorResponse(row.error());
    const std::string state = *row ? st->Text(0) : "";
    const std::string system_code = *row ? st->Text(1) : "";
    st->Reset();
    if (state != "connected" && state != "wrapup") {
      return ErrorResponse(Status::FailedPrecondition(
          state == "disposed" ? "la llamada ya terminó (" + system_code + "); pida otro contacto"
                              : "la llamada aún no ha sido contestada"));
    }
    r.code = d->code;
    r.notes = *notes;
    r.answers_json = answers.empty() ? "" : Dump(answers);
    r.reply_json = Dump({{"ok", true},
                         {"contact_id", contact_id},
                         {"attempt_id", r.attempt_id},
                         {"disposition", d->code},
                         {"complete", d->complete},
                         {"saved_at", FormatUtc(FromUnixMillis(now))}});
    // Step 1: the result (durable with step 3's commit).
    auto ins = db_.Prepare(
        "INSERT INTO agent_results(idempotency_key, user_name, campaign_id, contact_id,"
        " attempt_id, disposition, callback_ms, notes, answers_json, reply_json, state,"
        " created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 'pending', ?11)");
    if (!ins) return ErrorResponse(ins.error());
    ins->Bind(1, *key).Bind(2, p.user).Bind(3, r.campaign).Bind(4, contact_id);
    ins->Bind(5, static_cast<int64_t>(r.attempt_id)).Bind(6, r.code).Bind(7, r.callback_ms);
    ins->Bind(8, r.notes).Bind(9, r.answers_json).Bind(10, r.reply_json).Bind(11, now);
    if (Status s = ins->Run(); !s.ok()) return ErrorResponse(s);
  }

  // Step 2: the answers (idempotent by key).
  if (!r.answers_json.empty() && (*info)->survey && (*info)->stored) {
    auto parsed = surveys::AnswersFromJson(*(*info)->survey, r.answers_json);
    if (!parsed) return ErrorResponse(parsed.error());
    surveys::NewResponse nr;
    nr.idempotency_key = "desk/" + *key;
    nr.survey_id = (*info)->stored->id;
    nr.survey_version = (*info)->stored->version;
    nr.campaign_id = r.campaign;
    nr.contact_id = contact_id;
    nr.attempt_id = static_cast<int64_t>(r.attempt_id);
    nr.agent = p.user;
    nr.started_ms = now;
    nr.ended_ms = now;
    nr.answers = std::move(*parsed);
    auto saved = surveys::SaveResponse(db_, *(*info)->survey, nr);
    if (!saved) return ErrorResponse(saved.error());
  }

  defer.reset();
  // Step 3: the disposition. An attempt already disposed with this code was applied by a
  // previous try (or by recovery).
  std::string disposed_as;
  {
    auto st = db_.Prepare("SELECT state, COALESCE(disposition, '') FROM attempts WHERE id = ?1");
    if (!st) return ErrorResponse(st.error());
    st->Bind(1, static_cast<int64_t>(r.attempt_id));
    auto row = st->Step();
    if (!row) return ErrorResponse(row.error());
    if (*row && st->Text(0) == "disposed") disposed_as = st->Text(1);
  }
  if (disposed_as.empty()) {
    auto engine = dialing_->EngineFor(r.campaign);
    if (!engine) return ErrorResponse(engine.error());
    std::optional<TimePoint> cb;
    if (r.callback_ms) cb = FromUnixMillis(*r.callback_ms);
    disposing_ = r.attempt_id;
    Status s = (*engine)->Dispose(r.attempt_id, r.code, cb, r.notes);
    disposing_ = 0;
    if (!s.ok()) return ErrorResponse(s);
  } else if (disposed_as != r.code) {
    return ErrorResponse(Status::FailedPrecondition("la llamada ya terminó (" + disposed_as + ")"));
  }
  // Step 4: 'applied'. After a Dispose its fsync can wait (a crash leaves the row pending
  // with its attempt disposed, which recovery and a retry finish); without one, this is the
  // synchronous commit that makes steps 1 and 2 durable before the reply.
  if (disposed_as.empty()) defer.emplace(db_);
  auto upd = db_.Prepare("UPDATE agent_results SET state = 'applied' WHERE idempotency_key = ?1");
  if (!upd) return ErrorResponse(upd.error());
  upd->Bind(1, *key);
  if (Status s = upd->Run(); !s.ok()) return ErrorResponse(s);
  defer.reset();

  if (auto cur = calls_.find(p.user);
      cur != calls_.end() && cur->second.attempt_id == r.attempt_id) {
    calls_.erase(cur);
  }
  const campaigns::Disposition* d = campaign->dispositions.Find(r.code);
  const bool complete = d != nullptr && d->complete;
  AgentState& a = agents_[p.user];
  ++a.results[r.code];
  if (complete) ++a.completes;
  if (a.state == "en_llamada") SetState(p.user, "listo", "");
  pushes->push_back({"", Dump({{"type", "result"},
                               {"user", p.user},
                               {"campaign", r.campaign},
                               {"disposition", r.code},
                               {"complete", complete}})});
  return JsonResponse(200, json::parse(r.reply_json, nullptr, false));
}

Result<std::map<uint64_t, dialer::RecoveredResult>> Api::RecoverPending(
    const std::string& campaign) {
  std::map<uint64_t, dialer::RecoveredResult> out;
  struct Row {
    std::string key, user;
    int64_t contact_id = 0, attempt_id = 0;
    std::string code;
    std::optional<int64_t> callback_ms;
    std::string notes, answers_json, attempt_state;
  };
  std::vector<Row> rows;
  {
    auto st = db_.Prepare(
        "SELECT r.idempotency_key, r.user_name, r.contact_id, r.attempt_id, r.disposition,"
        " r.callback_ms, r.notes, r.answers_json, COALESCE(a.state, '') FROM agent_results r"
        " LEFT JOIN attempts a ON a.id = r.attempt_id"
        " WHERE r.campaign_id = ?1 AND r.state = 'pending' ORDER BY r.created_ms");
    if (!st) return st.error();
    st->Bind(1, campaign);
    for (;;) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      Row x;
      x.key = st->Text(0);
      x.user = st->Text(1);
      x.contact_id = st->Int(2);
      x.attempt_id = st->Int(3);
      x.code = st->Text(4);
      if (!st->IsNull(5)) x.callback_ms = st->Int(5);
      x.notes = st->Text(6);
      x.answers_json = st->Text(7);
      x.attempt_state = st->Text(8);
      rows.push_back(std::move(x));
    }
  }
  if (rows.empty()) return out;
  auto info = GetCampaignInfo(campaign);
  if (!info) return info.error();
  for (const Row& x : rows) {
    if (!x.answers_json.empty() && (*info)->survey && (*info)->stored) {
      auto parsed = surveys::AnswersFromJson(*(*info)->survey, x.answers_json);
      if (!parsed) return parsed.error();
      surveys::NewResponse nr;
      nr.idempotency_key = "desk/" + x.key;
      nr.survey_id = (*info)->stored->id;
      nr.survey_version = (*info)->stored->version;
      nr.campaign_id = campaign;
      nr.contact_id = x.contact_id;
      nr.attempt_id = x.attempt_id;
      nr.agent = x.user;
      nr.started_ms = NowMs();
      nr.ended_ms = nr.started_ms;
      nr.answers = std::move(*parsed);
      auto saved = surveys::SaveResponse(db_, *(*info)->survey, nr);
      if (!saved) return saved.error();
    }
    if (x.attempt_state == "disposed" || x.attempt_state.empty()) {
      // Disposed before the crash (or gone): only the row's state was left behind.
      auto upd =
          db_.Prepare("UPDATE agent_results SET state = 'applied' WHERE idempotency_key = ?1");
      if (!upd) return upd.error();
      upd->Bind(1, x.key);
      if (Status s = upd->Run(); !s.ok()) return s;
      continue;
    }
    dialer::RecoveredResult rr;
    rr.code = x.code;
    if (x.callback_ms) rr.callback_at = FromUnixMillis(*x.callback_ms);
    rr.notes = x.notes;
    out[static_cast<uint64_t>(x.attempt_id)] = rr;
    log::Warn("campaña {}: resultado del agente {} recuperado para el intento {}", campaign, x.user,
              x.attempt_id);
  }
  return out;
}

HttpResponse Api::SmsGatewayCallback(const HttpRequest& request, std::string_view path) {
  const std::string token = QueryValue(request.query, "token");
  if (options_.sms_callback_token.empty() || token.empty() ||
      !ConstantTimeEquals(token, options_.sms_callback_token)) {
    return ErrorResponse(Status::NotFound("ruta desconocida"));
  }
  const TimePoint now = clock_.Now();
  if (path == "/sms/dlr") {
    const std::string key = QueryValue(request.query, "key");
    int status = 0;
    const std::string status_text = QueryValue(request.query, "status");
    const auto [end, ec] =
        std::from_chars(status_text.data(), status_text.data() + status_text.size(), status);
    if (key.empty() || ec != std::errc() || end != status_text.data() + status_text.size()) {
      return ErrorResponse(Status::InvalidArgument("dlr: se esperaban key y status (%d)"));
    }
    if (Status s = dialer::ApplyDlr(db_, key, status, QueryValue(request.query, "answer"), now);
        !s.ok()) {
      return ErrorResponse(s);
    }
    return JsonResponse(200, {{"ok", true}});
  }
  const std::string from = QueryValue(request.query, "from");
  if (from.empty()) return ErrorResponse(Status::InvalidArgument("mo: se esperaba from (%p)"));
  auto opt_out = dialer::ApplyMo(db_, from, QueryValue(request.query, "text"), now);
  if (!opt_out) return ErrorResponse(opt_out.error());
  return JsonResponse(200, {{"ok", true}, {"opt_out", *opt_out}});
}

HttpResponse Api::SmsEstimate(const HttpRequest& request) {
  auto body = ParseBody(request);
  if (!body) return ErrorResponse(body.error());
  auto text = StringField(*body, "text", true);
  if (!text) return ErrorResponse(text.error());
  int64_t recipients = 1;
  if (auto it = body->find("recipients"); it != body->end()) {
    if (!it->is_number_integer() || it->get<int64_t>() < 0) {
      return ErrorResponse(Status::InvalidArgument("recipients: entero no negativo"));
    }
    recipients = it->get<int64_t>();
  }
  const dialer::SmsEstimate e = dialer::Estimate(*text);
  auto seg_json = [&](const dialer::SmsSegmentation& s) {
    return json{{"encoding", dialer::SmsEncodingName(s.encoding)},
                {"units", s.units},
                {"segments", s.segments},
                {"segment_sizes", s.segment_sizes},
                {"non_gsm_chars", s.non_gsm_chars},
                {"total_segments", static_cast<int64_t>(s.segments) * recipients}};
  };
  return JsonResponse(200, {{"text", seg_json(e.seg)},
                            {"recipients", recipients},
                            {"alternative", seg_json(e.alternative)},
                            {"alternative_text", e.alternative_text}});
}

HttpResponse Api::Users(const Principal& p) {
  if (p.role != Role::kAdmin) {
    return ErrorResponse(Status::PermissionDenied("solo un administrador"));
  }
  auto users = ListUsers(db_);
  if (!users) return ErrorResponse(users.error());
  json list = json::array();
  for (const auto& u : *users) {
    list.push_back({{"name", u.name},
                    {"role", RoleName(u.role)},
                    {"disabled", u.disabled},
                    {"locked", u.locked_until_ms > NowMs()}});
  }
  return JsonResponse(200, {{"users", list}});
}

Result<json> Api::Wallboard() {
  const int64_t now = NowMs();
  // Today in Bogotá (UTC-5 all year).
  constexpr int64_t kDay = 24LL * 3600 * 1000;
  constexpr int64_t kOffset = -5LL * 3600 * 1000;
  const int64_t today = now - (((now + kOffset) % kDay) + kDay) % kDay;
  json agents = json::array();
  int64_t active_agents = 0;
  std::map<std::string, int64_t> dispositions;
  int64_t completes = 0;
  int64_t results = 0;
  for (const auto& [user, a] : agents_) {
    if (a.state != "desconectado") ++active_agents;
    for (const auto& [code, n] : a.results) {
      dispositions[code] += n;
      results += n;
    }
    completes += a.completes;
    agents.push_back({{"user", user},
                      {"state", a.state},
                      {"reason", a.reason},
                      {"campaign", a.campaign},
                      {"completes", a.completes},
                      {"seconds", (now - a.since_ms) / 1000}});
  }
  json j = {{"type", "wallboard"},
            {"at", FormatUtc(clock_.Now())},
            {"agents", agents},
            {"attempts_today", results},
            {"contacts_today", results},
            {"completes_today", completes},
            {"dispositions", dispositions},
            {"abandon_rate_today", nullptr},
            {"abandon_rate_30d", nullptr},
            {"lines_per_agent", nullptr},
            {"sms_month", nullptr},
            {"alerts", json(alerts_)}};
  // The dialer's attempts, when its tables exist.
  auto st = db_.Prepare(
      "SELECT COUNT(*), COALESCE(SUM(live), 0), COALESCE(SUM(abandoned), 0) FROM attempts "
      "WHERE queued_ms >= ?1");
  if (st) {
    st->Bind(1, today);
    auto row = st->Step();
    if (row && *row) {
      const int64_t attempts = st->Int(0);
      const int64_t live = st->Int(1);
      const int64_t abandoned = st->Int(2);
      // Agents' results are attempts of the engines: counted there, not twice.
      j["attempts_today"] = attempts;
      j["contacts_today"] = live;
      if (live > 0) {
        j["abandon_rate_today"] = static_cast<double>(abandoned) / static_cast<double>(live);
      }
    }
  }
  auto st30 = db_.Prepare(
      "SELECT COALESCE(SUM(live), 0), COALESCE(SUM(abandoned), 0) FROM attempts "
      "WHERE queued_ms >= ?1");
  if (st30) {
    st30->Bind(1, now - 30 * kDay);
    auto row = st30->Step();
    if (row && *row && st30->Int(0) > 0) {
      j["abandon_rate_30d"] = static_cast<double>(st30->Int(1)) / static_cast<double>(st30->Int(0));
    }
  }
  auto inflight =
      db_.Prepare("SELECT COUNT(*) FROM attempts WHERE state IN ('dialing','ringing','answered')");
  if (inflight && active_agents > 0) {
    auto row = inflight->Step();
    if (row && *row) {
      j["lines_per_agent"] =
          static_cast<double>(inflight->Int(0)) / static_cast<double>(active_agents);
    }
  }
  return j;
}

}  // namespace sondeo::server
