// sondeo serve, sondeo users (server/).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include <termios.h>
#include <unistd.h>

#include "cli/context.h"
#include "common/log.h"
#include "dialer/sip.h"
#include "server/server.h"
#include "server/users.h"

namespace sondeo::cli {

namespace {

struct ServeFlags {
  std::string config;
  std::string listen;
  std::string tls_cert;
  std::string tls_key;
  int pbkdf2_iterations = 0;
  std::string clock_start;
};

std::string Trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  s = s.substr(b, e - b + 1);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    s = s.substr(1, s.size() - 2);
  }
  return s;
}

// The server config file: flat "key: value" lines (a YAML subset), '#' comments.
// Keys: listen, db, tls_cert, tls_key, sms_callback_token, pbkdf2_iterations, session_hours,
// header_limit_bytes, body_limit_bytes, upload_limit_bytes, header_timeout_seconds;
// the dialer's drivers (the campaign YAML chooses telephony.driver):
//   simulated: sim_seed, sim_answer_rate, sim_busy_share, sim_voicemail_share,
//              sim_invalid_share, sim_damaged_share (0..1), sim_ring_seconds (mean, >= 3);
//   sip: sip_bind_host, sip_bind_port, sip_transport (udp|tcp|tls), sip_tls_ca_file (with
//        tls: PEM CA that signs the trunk's certificate, required), sip_uri_format,
//        sip_agent_uri_format (the agents' phones, "sip:{agent}@pbx:5060": 3PCC audio leg),
//        sip_auth_user (the password comes from $SONDEO_SIP_PASSWORD, never from a file);
// scheduled SMS, sent in the background when any sms_gateway* key is present (they mirror
// `sondeo sms send`'s gateway flags; the password comes from $SONDEO_SMS_PASSWORD):
//   sms_gateway (kannel|http), sms_gateway_url (required), sms_gateway_user,
//   sms_gateway_from, sms_gateway_smsc, sms_gateway_dlr_url (e.g. this server's
//   http://HOST:PORT/api/v1/sms/dlr?token=T), sms_gateway_dlr_mask, sms_gateway_http_method,
//   sms_gateway_http_header (repeatable), sms_gateway_http_body, sms_gateway_http_dedupes
//   (true|false), sms_gateway_concurrency, sms_gateway_rate, sms_gateway_timeout_ms,
//   sms_gateway_ca_file, sms_gateway_batch, sms_gateway_max_outage (seconds, 0 = never give
//   up), sms_gateway_poll_seconds (how often scheduled blasts are looked for).
Status ApplyConfigFile(const std::string& path, server::ServerOptions* o, std::string* db) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument(path + ": no se pudo leer el archivo de configuración");
  std::string line;
  int n = 0;
  bool sms_headers_seen = false;   // the first sms_gateway_http_header replaces the default
  std::string sip_transport_line;  // "file:N:1: " of sip_transport
  while (std::getline(in, line)) {
    ++n;
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    if (Trim(line).empty()) continue;
    const auto colon = line.find(':');
    const std::string where = path + ":" + std::to_string(n) + ":1: ";
    if (colon == std::string::npos) {
      return Status::InvalidArgument(where + "se esperaba 'clave: valor'");
    }
    const std::string key = Trim(line.substr(0, colon));
    const std::string value = Trim(line.substr(colon + 1));
    auto number = [&](int64_t* out) -> Status {
      try {
        size_t used = 0;
        const int64_t v = std::stoll(value, &used);
        if (used != value.size() || v <= 0) throw std::invalid_argument(value);
        *out = v;
        return Status::Ok();
      } catch (const std::exception&) {
        return Status::InvalidArgument(where + key + ": se esperaba un entero positivo");
      }
    };
    auto fraction = [&](double* out, double lo, double hi) -> Status {
      try {
        size_t used = 0;
        const double v = std::stod(value, &used);
        if (used != value.size() || !(v >= lo && v <= hi)) throw std::invalid_argument(value);
        *out = v;
        return Status::Ok();
      } catch (const std::exception&) {
        return Status::InvalidArgument(where + key + ": se esperaba un número entre " +
                                       fmt::format("{}", lo) + " y " + fmt::format("{}", hi));
      }
    };
    auto non_negative = [&](int64_t* out) -> Status {
      if (value == "0") {
        *out = 0;
        return Status::Ok();
      }
      if (Status st = number(out); !st.ok()) {
        return Status::InvalidArgument(where + key + ": se esperaba un entero (0 o más)");
      }
      return Status::Ok();
    };
    if (key.rfind("sms_gateway", 0) == 0) {
      if (!o->sms) {
        o->sms.emplace();
        o->sms->gateway.kannel.dlr_mask = 0;
        o->sms->gateway.kannel.url.clear();  // required
      }
      dialer::GatewayConfig& g = o->sms->gateway;
      int64_t num = 0;
      if (key == "sms_gateway") {
        if (value != "kannel" && value != "http") {
          return Status::InvalidArgument(where + key + ": se esperaba kannel o http");
        }
        g.kind = value == "http" ? dialer::GatewayKind::kHttpJson : dialer::GatewayKind::kKannel;
      } else if (key == "sms_gateway_url") {
        g.kannel.url = value;
        g.http.url = value;
      } else if (key == "sms_gateway_user") {
        g.kannel.username = value;
      } else if (key == "sms_gateway_from") {
        g.kannel.from = value;
        g.http.from = value;
      } else if (key == "sms_gateway_smsc") {
        g.kannel.smsc = value;
      } else if (key == "sms_gateway_dlr_url") {
        g.kannel.dlr_url = value;
        if (g.kannel.dlr_mask == 0) g.kannel.dlr_mask = 31;
      } else if (key == "sms_gateway_dlr_mask") {
        if (Status st = number(&num); !st.ok() || num > 31) {
          return Status::InvalidArgument(where + key + ": se esperaba una máscara entre 1 y 31");
        }
        g.kannel.dlr_mask = static_cast<int>(num);
      } else if (key == "sms_gateway_http_method") {
        g.http.method = value;
      } else if (key == "sms_gateway_http_header") {
        if (!sms_headers_seen) g.http.headers.clear();
        sms_headers_seen = true;
        g.http.headers.push_back(value);
      } else if (key == "sms_gateway_http_body") {
        g.http.body_template = value;
      } else if (key == "sms_gateway_http_dedupes") {
        if (value != "true" && value != "false") {
          return Status::InvalidArgument(where + key + ": se esperaba true o false");
        }
        g.http.dedupes_by_key = value == "true";
      } else if (key == "sms_gateway_concurrency") {
        if (Status st = number(&num); !st.ok()) return st;
        g.concurrency = static_cast<int>(num);
      } else if (key == "sms_gateway_rate") {
        if (Status st = fraction(&g.rate_per_second, 0, 100000); !st.ok()) return st;
      } else if (key == "sms_gateway_timeout_ms") {
        if (Status st = number(&num); !st.ok()) return st;
        g.timeout_ms = static_cast<int>(num);
      } else if (key == "sms_gateway_ca_file") {
        g.ca_file = value;
      } else if (key == "sms_gateway_batch") {
        if (Status st = number(&num); !st.ok()) return st;
        o->sms->sender.batch_size = static_cast<int>(num);
      } else if (key == "sms_gateway_max_outage") {
        if (Status st = non_negative(&num); !st.ok()) return st;
        o->sms->sender.max_outage = std::chrono::seconds(num);
      } else if (key == "sms_gateway_poll_seconds") {
        if (Status st = number(&num); !st.ok()) return st;
        o->sms->poll = std::chrono::seconds(num);
      } else {
        return Status::InvalidArgument(where + "clave desconocida '" + key + "'");
      }
      continue;
    }
    dialer::CitizenModel& cm = o->telephony.citizens;
    dialer::SipOptions& sip = o->telephony.sip;
    int64_t v = 0;
    if (key == "sim_seed") {
      if (Status s = number(&v); !s.ok()) return s;
      o->telephony.sim_seed = static_cast<uint64_t>(v);
    } else if (key == "sim_answer_rate") {
      if (Status s = fraction(&cm.live_answer_rate, 0, 1); !s.ok()) return s;
    } else if (key == "sim_busy_share") {
      if (Status s = fraction(&cm.busy_share, 0, 1); !s.ok()) return s;
    } else if (key == "sim_voicemail_share") {
      if (Status s = fraction(&cm.voicemail_share, 0, 1); !s.ok()) return s;
    } else if (key == "sim_invalid_share") {
      if (Status s = fraction(&cm.invalid_share, 0, 1); !s.ok()) return s;
    } else if (key == "sim_damaged_share") {
      if (Status s = fraction(&cm.damaged_share, 0, 1); !s.ok()) return s;
    } else if (key == "sim_ring_seconds") {
      if (Status s = fraction(&cm.mean_ring_to_answer, 3, 60); !s.ok()) return s;
    } else if (key == "sip_bind_host") {
      sip.bind_host = value;
    } else if (key == "sip_bind_port") {
      if (Status s = number(&v); !s.ok() || v > 65535) {
        return Status::InvalidArgument(where + key + ": se esperaba un puerto (1-65535)");
      }
      sip.bind_port = static_cast<uint16_t>(v);
    } else if (key == "sip_transport") {
      if (!dialer::CheckSipTransport(value).ok()) {
        return Status::InvalidArgument(where + key + ": se esperaba udp, tcp o tls");
      }
      sip.transport = value;
      sip_transport_line = where;
    } else if (key == "sip_tls_ca_file") {
      std::ifstream ca(value);
      if (value.empty() || !ca) {
        return Status::InvalidArgument(where + key + ": no se pudo leer el archivo de la CA '" +
                                       value + "'");
      }
      std::ostringstream content;
      content << ca.rdbuf();
      const std::string pem = content.str();
      if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
        return Status::InvalidArgument(where + key + ": '" + value +
                                       "' no es un certificado PEM (-----BEGIN CERTIFICATE-----)");
      }
      sip.tls_ca_file = value;
    } else if (key == "sip_uri_format") {
      sip.uri_format = value;
    } else if (key == "sip_agent_uri_format") {
      if (value.find("{agent}") == std::string::npos || value.rfind("sip", 0) != 0) {
        return Status::InvalidArgument(where + key +
                                       ": se esperaba una URI SIP con {agent}, p. ej. "
                                       "sip:{agent}@pbx:5060");
      }
      o->telephony.sip_agent_uri_format = value;
    } else if (key == "sip_auth_user") {
      sip.auth_user = value;
    } else if (key == "listen") {
      o->listen = value;
    } else if (key == "db") {
      *db = value;
    } else if (key == "tls_cert") {
      o->tls_cert_file = value;
    } else if (key == "tls_key") {
      o->tls_key_file = value;
    } else if (key == "sms_callback_token") {
      o->sms_callback_token = value;
    } else if (key == "pbkdf2_iterations") {
      if (Status s = number(&v); !s.ok()) return s;
      o->pbkdf2_iterations = static_cast<int>(v);
    } else if (key == "session_hours") {
      if (Status s = number(&v); !s.ok()) return s;
      o->session_ttl = std::chrono::hours(v);
    } else if (key == "header_limit_bytes") {
      if (Status s = number(&v); !s.ok()) return s;
      o->header_limit = static_cast<size_t>(v);
    } else if (key == "body_limit_bytes") {
      if (Status s = number(&v); !s.ok()) return s;
      o->body_limit = static_cast<size_t>(v);
    } else if (key == "upload_limit_bytes") {
      if (Status s = number(&v); !s.ok()) return s;
      o->upload_limit = static_cast<size_t>(v);
    } else if (key == "header_timeout_seconds") {
      if (Status s = number(&v); !s.ok()) return s;
      o->header_timeout = std::chrono::seconds(v);
    } else {
      return Status::InvalidArgument(where + "clave desconocida '" + key + "'");
    }
  }
  if (o->telephony.sip.transport == "tls" && o->telephony.sip.tls_ca_file.empty()) {
    return Status::InvalidArgument(sip_transport_line +
                                   "sip_transport: tls necesita sip_tls_ca_file (la CA que firma "
                                   "el certificado de la troncal)");
  }
  if (o->sms && o->sms->gateway.kannel.url.empty()) {
    return Status::InvalidArgument(path + ": sms_gateway_url: falta la URL del gateway SMS");
  }
  return Status::Ok();
}

// Real time that started at a given instant: `--clock-start` for tests and demos that must
// run inside the campaign's calling windows whatever the day (2026-12-01T15:00:00Z).
class StartedClock final : public Clock {
 public:
  explicit StartedClock(TimePoint start) : offset_(start - SystemClock::Instance().Now()) {}
  TimePoint Now() const override { return SystemClock::Instance().Now() + offset_; }

 private:
  Duration offset_;
};

Result<TimePoint> ParseUtcInstant(const std::string& text) {
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  char z = 0;
  if (std::sscanf(text.c_str(), "%d-%u-%uT%u:%u:%u%c", &y, &mo, &d, &h, &mi, &sec, &z) != 7 ||
      z != 'Z' || h > 23 || mi > 59 || sec > 59) {
    return Status::InvalidArgument("--clock-start: se esperaba AAAA-MM-DDTHH:MM:SSZ, no '" + text +
                                   "'");
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(mo),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return Status::InvalidArgument("--clock-start: fecha inválida '" + text + "'");
  return std::chrono::time_point_cast<Duration>(std::chrono::sys_days(ymd) + std::chrono::hours(h) +
                                                std::chrono::minutes(mi) +
                                                std::chrono::seconds(sec));
}

int RunServe(Context& ctx, const ServeFlags& f) {
  server::ServerOptions o;
  std::unique_ptr<StartedClock> started;
  if (!f.clock_start.empty()) {
    auto at = ParseUtcInstant(f.clock_start);
    if (!at) return ctx.Fail(at.error());
    started = std::make_unique<StartedClock>(*at);
  }
  if (const char* pw = std::getenv("SONDEO_SIP_PASSWORD"); pw != nullptr) {
    o.telephony.sip.auth_password = pw;
  }
  std::string db = ctx.DbPath();
  if (!f.config.empty()) {
    std::string config_db;
    if (Status s = ApplyConfigFile(f.config, &o, &config_db); !s.ok()) return ctx.Fail(s);
    if (!config_db.empty() && ctx.db_flag.empty()) db = config_db;
  }
  if (!f.listen.empty()) o.listen = f.listen;
  if (!f.tls_cert.empty()) o.tls_cert_file = f.tls_cert;
  if (!f.tls_key.empty()) o.tls_key_file = f.tls_key;
  if (f.pbkdf2_iterations > 0) o.pbkdf2_iterations = f.pbkdf2_iterations;
  if (o.sms) {
    if (const char* pw = std::getenv("SONDEO_SMS_PASSWORD"); pw != nullptr) {
      o.sms->gateway.kannel.password = pw;
    }
  }
  if (const char* t = std::getenv("SONDEO_SMS_CALLBACK_TOKEN"); t != nullptr && *t != '\0') {
    o.sms_callback_token = t;
  }
  o.db_path = db;
  o.migrations = AllMigrations();
  o.handle_signals = true;
  o.clock = started ? started.get() : ctx.clock;
  auto srv = server::Server::Start(std::move(o));
  if (!srv) return ctx.Fail(srv.error());
  const std::string scheme = (*srv)->tls() ? "https" : "http";
  const std::string listen = f.listen.empty() ? "" : f.listen;
  std::string host = "127.0.0.1";
  if (!listen.empty()) host = listen.substr(0, listen.rfind(':'));
  std::cout << "listening " << scheme << "://" << host << ":" << (*srv)->port() << std::endl;
  log::Info("serve: db {}", db);
  (*srv)->Wait();
  log::Info("serve: stopped");
  return kExitOk;
}

// Reads the password: a prompt without echo on a terminal, else one line of stdin.
Result<std::string> ReadPassword() {
  std::string pw;
  if (isatty(STDIN_FILENO) != 0) {
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    std::cerr << "Contraseña: " << std::flush;
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, pw);
    std::string again;
    std::cerr << "\nRepita la contraseña: " << std::flush;
    std::getline(std::cin, again);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
    if (pw != again) return Status::InvalidArgument("las contraseñas no coinciden");
  } else if (!std::getline(std::cin, pw)) {
    return Status::InvalidArgument("falta la contraseña en la entrada estándar");
  }
  if (!pw.empty() && pw.back() == '\r') pw.pop_back();
  return pw;
}

}  // namespace

void RegisterServe(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<ServeFlags>();
  auto* serve = app.add_subcommand(
      "serve", "Servidor web: escritorio del agente, consola del supervisor y API JSON");
  serve->add_option("--config", flags->config, "Archivo de configuración (clave: valor)");
  serve->add_option("--listen", flags->listen,
                    "DIRECCIÓN:PUERTO (por defecto 127.0.0.1:8080; puerto 0 = uno libre)");
  serve->add_option("--tls-cert", flags->tls_cert, "Certificado PEM (activa HTTPS)");
  serve->add_option("--tls-key", flags->tls_key, "Clave privada PEM");
  serve->add_option("--pbkdf2-iterations", flags->pbkdf2_iterations,
                    "Iteraciones PBKDF2 (por defecto 600000; solo para pruebas)");
  serve->add_option("--clock-start", flags->clock_start,
                    "Pruebas y demostraciones: el reloj arranca en este instante UTC "
                    "(AAAA-MM-DDTHH:MM:SSZ) y corre en tiempo real");
  serve->callback([&ctx, flags] { ctx.exit_code = RunServe(ctx, *flags); });

  auto* users = app.add_subcommand("users", "Cuentas del escritorio web");
  users->require_subcommand(1);

  auto add_name = std::make_shared<std::string>();
  auto add_role = std::make_shared<std::string>();
  auto add_iter = std::make_shared<int>(server::kDefaultPbkdf2Iterations);
  auto* add = users->add_subcommand(
      "add", "Crea un usuario (contraseña por teclado sin eco, o por stdin si no es terminal)");
  add->add_option("NAME", *add_name, "Nombre de usuario")->required();
  add->add_option("--role", *add_role, "agent | supervisor | admin")->required();
  add->add_option("--pbkdf2-iterations", *add_iter, "Iteraciones PBKDF2 (solo para pruebas)");
  add->callback([&ctx, add_name, add_role, add_iter] {
    auto role = server::ParseRole(*add_role);
    if (!role) {
      ctx.exit_code = ctx.Fail(role.error());
      return;
    }
    if (Status s = server::ValidateUserName(*add_name); !s.ok()) {
      ctx.exit_code = ctx.Fail(s);
      return;
    }
    auto pw = ReadPassword();
    if (!pw) {
      ctx.exit_code = ctx.Fail(pw.error());
      return;
    }
    auto db = ctx.OpenDb();
    if (!db) {
      ctx.exit_code = ctx.Fail(db.error());
      return;
    }
    Status s = server::AddUser(**db, *add_name, *role, *pw, *add_iter, "cli",
                               ToUnixMillis(ctx.clock->Now()));
    if (!s.ok()) {
      ctx.exit_code = ctx.Fail(s);
      return;
    }
    if (ctx.json) {
      ctx.PrintJson({{"user", *add_name}, {"role", server::RoleName(*role)}, {"ok", true}});
    } else {
      std::cout << "Usuario creado: " << *add_name << " (" << server::RoleName(*role) << ")\n";
    }
  });

  auto* list = users->add_subcommand("list", "Lista los usuarios");
  list->callback([&ctx] {
    auto db = ctx.OpenDb();
    if (!db) {
      ctx.exit_code = ctx.Fail(db.error());
      return;
    }
    auto all = server::ListUsers(**db);
    if (!all) {
      ctx.exit_code = ctx.Fail(all.error());
      return;
    }
    const int64_t now = ToUnixMillis(ctx.clock->Now());
    if (ctx.json) {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& u : *all) {
        arr.push_back({{"name", u.name},
                       {"role", server::RoleName(u.role)},
                       {"disabled", u.disabled},
                       {"locked", u.locked_until_ms > now}});
      }
      ctx.PrintJson({{"users", arr}});
      return;
    }
    for (const auto& u : *all) {
      std::cout << u.name << "\t" << server::RoleName(u.role)
                << (u.disabled ? "\tdeshabilitado" : "\tactivo")
                << (u.locked_until_ms > now ? "\tbloqueado" : "") << "\n";
    }
  });

  auto dis_name = std::make_shared<std::string>();
  auto* dis = users->add_subcommand("disable", "Deshabilita un usuario y cierra sus sesiones");
  dis->add_option("NAME", *dis_name, "Nombre de usuario")->required();
  dis->callback([&ctx, dis_name] {
    auto db = ctx.OpenDb();
    if (!db) {
      ctx.exit_code = ctx.Fail(db.error());
      return;
    }
    Status s = server::DisableUser(**db, *dis_name, "cli", ToUnixMillis(ctx.clock->Now()));
    if (!s.ok()) {
      ctx.exit_code = ctx.Fail(s);
      return;
    }
    if (ctx.json) {
      ctx.PrintJson({{"user", *dis_name}, {"disabled", true}});
    } else {
      std::cout << "Usuario deshabilitado: " << *dis_name << "\n";
    }
  });
}

}  // namespace sondeo::cli
