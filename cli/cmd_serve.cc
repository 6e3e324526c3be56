// sondeo serve, sondeo users (server/).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include <termios.h>
#include <unistd.h>

#include "cli/context.h"
#include "common/log.h"
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
//   sip: sip_bind_host, sip_bind_port, sip_transport (udp|tcp), sip_uri_format,
//        sip_agent_uri_format (the agents' phones, "sip:{agent}@pbx:5060": 3PCC audio leg),
//        sip_auth_user (the password comes from $SONDEO_SIP_PASSWORD, never from a file).
Status ApplyConfigFile(const std::string& path, server::ServerOptions* o, std::string* db) {
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument(path + ": no se pudo leer el archivo de configuración");
  std::string line;
  int n = 0;
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
      if (value != "udp" && value != "tcp") {
        return Status::InvalidArgument(where + key + ": se esperaba udp o tcp");
      }
      sip.transport = value;
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
