// sondeo demo: the whole flow on the bundled example, in a workspace folder.
//
// The demo runs sondeo's own subcommands, as child processes of this same binary, in the
// order an operator would: init, campaign create, contacts import, simulate, sms estimate,
// report, export. It reads each step's --json answer and prints the headline numbers, so
// what it shows is exactly what the commands do (no demo-only code paths).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include "campaigns/calendar.h"
#include "cli/context.h"

extern char** environ;

namespace sondeo::cli {
namespace {

namespace fs = std::filesystem;

struct DemoOptions {
  std::string dir = "sondeo-demo";
  std::string examples;  // default: $SONDEO_EXAMPLES, else the source tree's examples/
  int agents = 2;
  uint64_t seed = 1;
  bool serve = false;
  std::string listen = "127.0.0.1:8080";
  std::string kannel;  // smsbox sendsms URL: send the sequence there instead of a dry run
};

struct StepResult {
  int rc = 0;
  std::string out;
  std::string err;
};

// Runs this binary with `args`; stdin from `input` (when given), stdout/stderr captured.
StepResult RunSelf(const std::vector<std::string>& args, const std::string& input = "") {
  StepResult r;
  char out_tpl[] = "/tmp/sondeo-demo-out-XXXXXX";
  char err_tpl[] = "/tmp/sondeo-demo-err-XXXXXX";
  char in_tpl[] = "/tmp/sondeo-demo-in-XXXXXX";
  const int out_fd = mkstemp(out_tpl);
  const int err_fd = mkstemp(err_tpl);
  const int in_fd = mkstemp(in_tpl);
  if (out_fd < 0 || err_fd < 0 || in_fd < 0) {
    r.rc = kExitInternal;
    r.err = "cannot create temporary files";
    return r;
  }
  if (!input.empty() && write(in_fd, input.data(), input.size()) < 0) r.err = "stdin";
  lseek(in_fd, 0, SEEK_SET);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
  posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
  posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
  std::vector<std::string> argv_s = {"sondeo"};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawn_rc = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (spawn_rc != 0) {
    r.rc = kExitInternal;
    r.err = "cannot run sondeo";
  } else {
    int status = 0;
    waitpid(pid, &status, 0);
    r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : kExitInternal;
  }
  auto slurp = [](const char* path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  r.out = slurp(out_tpl);
  r.err = slurp(err_tpl);
  close(out_fd);
  close(err_fd);
  close(in_fd);
  unlink(out_tpl);
  unlink(err_tpl);
  unlink(in_tpl);
  return r;
}

std::string ExamplesDir(const DemoOptions& o) {
  if (!o.examples.empty()) return o.examples;
  if (const char* env = std::getenv("SONDEO_EXAMPLES"); env != nullptr && *env != '\0') return env;
  return std::string(SONDEO_SOURCE_DIR) + "/examples";
}

class Demo {
 public:
  Demo(const Context& ctx, const DemoOptions& o) : ctx_(ctx), o_(o) {}

  int Run() {
    const auto t0 = std::chrono::steady_clock::now();
    std::error_code ec;
    fs::create_directories(o_.dir, ec);
    if (ec) {
      return ctx_.Fail(
          Status::InvalidArgument("cannot create demo folder '" + o_.dir + "': " + ec.message()));
    }
    dir_ = fs::absolute(o_.dir).string();
    db_ = dir_ + "/sondeo.db";
    fs::remove(db_, ec);
    fs::remove(db_ + "-wal", ec);
    fs::remove(db_ + "-shm", ec);
    const std::string ex = ExamplesDir(o_);
    const std::string base = ex + "/bases/base_ejemplo.csv";
    const std::string campaign_file = ex + "/campaigns/satisfaccion_art.yaml";
    const std::string campaign2_file = ex + "/campaigns/obras_por_impuestos.yaml";
    for (const auto& f : {base, campaign_file, campaign2_file}) {
      if (!fs::exists(f)) {
        return ctx_.Fail(Status::NotFound("demo example missing: " + f +
                                          " (use --examples DIR or $SONDEO_EXAMPLES)"));
      }
    }

    Say("1. Base de datos: " + db_);
    if (!Step({"init"})) return rc_;

    Say("2. Campañas del informe: satisfacción (ART, progresiva) y Obras por Impuestos "
        "(predictiva)");
    if (!Step({"campaign", "create", campaign_file})) return rc_;
    const std::string campaign = Json().value("id", "");
    if (!Step({"campaign", "create", campaign2_file})) return rc_;
    const std::string campaign2 = Json().value("id", "");

    Say("3. Importación y depuración de la base de ejemplo (Windows-1252)");
    if (!Step({"contacts", "import", base, "--campaign", campaign, "--rejects",
               dir_ + "/rechazos.csv"})) {
      return rc_;
    }
    const auto funnel = Json();
    if (!Step({"contacts", "import", base, "--campaign", campaign2})) return rc_;

    Say("4. Un día de trabajo simulado por campaña (" + std::to_string(o_.agents) +
        " agentes, ciudadanos simulados, semilla " + std::to_string(o_.seed) + ")");
    nlohmann::json sims = nlohmann::json::object();
    for (const auto& id : {campaign, campaign2}) {
      if (!Step({"campaign", "start", id})) return rc_;
      if (!Step({"simulate", "--campaign", id, "--agents", std::to_string(o_.agents), "--seed",
                 std::to_string(o_.seed)})) {
        return rc_;
      }
      sims[id] = Json();
    }

    Say("5. Secuencia de SMS del informe (4 mensajes cada 15 minutos): segmentos y costo");
    // The seed's contract (30.000 segments a month at $18,54) comes from the campaign's YAML,
    // and so does the sequence (sms_sequences: PDET).
    std::vector<std::string> sms_args = {"sms",        "send", "--campaign", campaign,
                                         "--sequence", "PDET", "--at",       NextDay0900()};
    if (o_.kannel.empty()) {
      sms_args.emplace_back("--dry-run");
    } else {
      Say("   programada para " + NextDay0900() + " por Kannel (" + o_.kannel + "): " +
          (o_.serve ? "sondeo serve la envía a esa hora"
                    : "la envía a esa hora `sondeo sms run` o `sondeo serve`"));
      for (const char* a : {"--gateway", "kannel", "--no-wait", "--approve-overrun"}) {
        sms_args.emplace_back(a);
      }
      sms_args.insert(sms_args.end(), {"--gateway-url", o_.kannel});
      if (const char* user = std::getenv("SONDEO_SMS_USER"); user != nullptr) {
        sms_args.insert(sms_args.end(), {"--gateway-user", user});
      }
      if (const char* from = std::getenv("SONDEO_SMS_FROM"); from != nullptr) {
        sms_args.insert(sms_args.end(), {"--from", from});
      }
    }
    if (!Step(sms_args)) return rc_;
    const auto sms = Json();

    Say("6. Informes (HTML, JSON, XLSX) y exportación con datos personales enmascarados");
    nlohmann::json files = nlohmann::json::object();
    for (const auto& id : {campaign, campaign2}) {
      for (const char* fmt : {"html", "json", "xlsx"}) {
        const std::string out = dir_ + "/informe_" + id + "." + fmt;
        if (!Step({"report", id, "--format", fmt, "--out", out})) return rc_;
        files["informe_" + id + "_" + fmt] = out;
      }
      const std::string out = dir_ + "/exportacion_" + id + ".csv";
      if (!Step({"export", id, "--format", "csv", "--out", out, "--mask-pii"})) return rc_;
      files["exportacion_" + id] = out;
    }
    files["rechazos"] = dir_ + "/rechazos.csv";

    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    nlohmann::json summary = {
        {"dir", dir_},      {"db", db_},          {"campaigns", {campaign, campaign2}},
        {"funnel", funnel}, {"simulation", sims}, {"sms", sms},
        {"files", files},   {"seconds", secs},
    };
    if (ctx_.json) {
      ctx_.PrintJson(summary);
    } else {
      PrintHeadlines(summary);
    }
    if (o_.serve) return Serve();
    return kExitOk;
  }

 private:
  void Say(const std::string& line) const {
    (ctx_.json ? std::cerr : std::cout) << line << std::endl;
  }

  // Runs `sondeo --db DB --json ARGS...`; on failure reports it and keeps the exit code.
  bool Step(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"--db", db_, "--json"});
    last_ = RunSelf(args, input);
    if (last_.rc != 0) {
      std::string cmd;
      for (size_t i = 3; i < args.size(); ++i) cmd += (i > 3 ? " " : "") + args[i];
      std::cerr << "sondeo demo: the step `sondeo " << cmd << "` failed (exit " << last_.rc
                << "):\n"
                << last_.err;
      rc_ = last_.rc;
      return false;
    }
    return true;
  }

  nlohmann::json Json() const {
    auto j = nlohmann::json::parse(last_.out, nullptr, false);
    return j.is_discarded() ? nlohmann::json::object() : j;
  }

  static std::string Num(const nlohmann::json& j, const char* key) {
    if (!j.contains(key)) return "?";
    const auto& v = j[key];
    if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
    if (v.is_number()) {
      std::ostringstream ss;
      ss.setf(std::ios::fixed);
      ss.precision(3);
      ss << v.get<double>();
      return ss.str();
    }
    return v.dump();
  }

  static std::string Pct(const nlohmann::json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number()) return "?";
    std::ostringstream ss;
    ss.setf(std::ios::fixed);
    ss.precision(1);
    ss << 100 * j[key].get<double>() << " %";
    return ss.str();
  }

  // "YYYY-MM-DD 09:00" of tomorrow in Bogotá (UTC-5 all year): the SMS sequence's start.
  std::string NextDay0900() const {
    // `sms send --at` reads Bogotá's wall clock (the campaigns' zone), so "tomorrow" is
    // tomorrow there, not in UTC.
    const auto local = campaigns::TimeZone().ToLocal(ctx_.clock->Now());
    const std::chrono::year_month_day d{std::chrono::floor<std::chrono::days>(local) +
                                        std::chrono::days(1)};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u 09:00", static_cast<int>(d.year()),
                  static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
    return buf;
  }

  void PrintHeadlines(const nlohmann::json& s) const {
    const auto& f = s["funnel"];
    std::cout << "\nDepuración de la base (" << s["campaigns"][0].get<std::string>() << ")\n"
              << "  Base inicial:            " << Num(f, "initial") << "\n"
              << "  Rechazados:              " << Num(f, "rejected") << "\n"
              << "  Base depurada:           " << Num(f, "cleaned") << "\n"
              << "  Duplicados:              " << Num(f, "duplicates") << "\n"
              << "  Registros a gestionar:   " << Num(f, "callable") << "\n";
    for (const auto& [id, m] : s["simulation"].items()) {
      std::cout << "\nCampaña " << id << " (" << m.value("mode", "?") << ")\n"
                << "  Intentos:                " << Num(m, "attempts") << "\n"
                << "  Contestadas:             " << Num(m, "answered") << "\n"
                << "  Encuestas efectivas:     " << Num(m, "completes") << "\n"
                << "  Tasa de abandono:        " << Pct(m, "abandon_rate") << "\n"
                << "  Ocupación de agentes:    " << Pct(m, "agent_occupancy") << "\n";
    }
    if (const auto& p = s["sms"]; p.contains("plan")) {
      const auto& plan = p["plan"];
      int64_t segments = 0;
      int64_t recipients = 0;
      for (const auto& m : plan.value("messages", nlohmann::json::array())) {
        segments += m.value("segments", int64_t{0});
        recipients = std::max(recipients, m.value("recipients", int64_t{0}));
      }
      std::cout << "\nSecuencia de SMS\n"
                << "  Destinatarios:           " << recipients << "\n"
                << "  Segmentos facturables:   " << segments << " (costo " << Num(plan, "cost")
                << ")\n";
      if (plan.contains("gsm7_alternative")) {
        std::cout << "  Sin tildes (GSM-7):      " << Num(plan["gsm7_alternative"], "segments")
                  << " segmentos (costo " << Num(plan["gsm7_alternative"], "cost") << ")\n";
      }
    }
    std::cout << "\nArchivos\n";
    for (const auto& [k, v] : s["files"].items()) {
      std::cout << "  " << v.get<std::string>() << "\n";
    }
    std::cout << "\nListo en " << static_cast<int>(s["seconds"].get<double>()) << " s.\n";
  }

  int Serve() {
    const std::vector<std::pair<std::string, std::string>> users = {
        {"supervisora", "supervisor"}, {"agente1", "agent"}, {"agente2", "agent"}};
    for (const auto& [name, role] : users) {
      if (!Step({"users", "add", name, "--role", role}, "demo-" + name + "\n")) {
        // An existing account from an earlier demo run is fine.
        if (last_.err.find("exist") == std::string::npos) return rc_;
      }
    }
    std::cout << "\nEscritorio y consola: http://" << o_.listen << "/\n"
              << "Cuentas de demostración (usuario / clave):\n";
    for (const auto& [name, role] : users) {
      std::cout << "  " << name << " / demo-" << name << "  (" << role << ")\n";
    }
    std::cout.flush();
    std::vector<std::string> argv_s = {"sondeo", "--db", db_, "serve", "--listen", o_.listen};
    if (!o_.kannel.empty()) {
      // The scheduled SMS sequence goes out from serve's background sender when it is due.
      const std::string conf = dir_ + "/serve.conf";
      std::ofstream out(conf);
      out << "# sondeo demo --serve --kannel: serve sends the scheduled SMS through Kannel\n"
          << "sms_gateway: kannel\nsms_gateway_url: " << o_.kannel << "\n";
      if (const char* user = std::getenv("SONDEO_SMS_USER"); user != nullptr) {
        out << "sms_gateway_user: " << user << "\n";
      }
      if (const char* from = std::getenv("SONDEO_SMS_FROM"); from != nullptr) {
        out << "sms_gateway_from: " << from << "\n";
      }
      if (!out.flush()) return ctx_.Fail(Status::Internal(conf + ": no se pudo escribir"));
      argv_s.insert(argv_s.end(), {"--config", conf});
      std::cout << "Envío de SMS programado: lo hace serve por " << o_.kannel << " (" << conf
                << ")\n";
    }
    std::vector<char*> argv;
    for (auto& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    return ctx_.Fail(Status::Internal("cannot start sondeo serve"));
  }

  const Context& ctx_;
  const DemoOptions& o_;
  std::string dir_;
  std::string db_;
  StepResult last_;
  int rc_ = kExitOk;
};

}  // namespace

void RegisterDemo(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand("demo", "Ejecuta el flujo completo sobre el ejemplo incluido");
  cmd->add_option("--dir", opts->dir, "Carpeta del espacio de trabajo (se reemplaza su base)");
  cmd->add_option("--examples", opts->examples, "Carpeta de ejemplos (bases/, campaigns/)");
  cmd->add_option("--agents", opts->agents, "Agentes simulados")->check(CLI::Range(1, 200));
  cmd->add_option("--seed", opts->seed, "Semilla de la simulación");
  cmd->add_flag("--serve", opts->serve, "Deja el escritorio y la consola en marcha al terminar");
  cmd->add_option("--listen", opts->listen, "Dirección del servidor con --serve");
  cmd->add_option("--kannel", opts->kannel,
                  "URL de sendsms de un Kannel local: envía la secuencia de SMS de verdad "
                  "(usuario, clave y remitente: $SONDEO_SMS_USER, $SONDEO_SMS_PASSWORD, "
                  "$SONDEO_SMS_FROM)");
  cmd->callback([&ctx, opts] { ctx.exit_code = Demo(ctx, *opts).Run(); });
}

}  // namespace sondeo::cli
