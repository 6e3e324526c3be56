// sondeo demo [--dir DIR]: the whole flow on the bundled example (grows with each module).
#include <filesystem>
#include <iostream>

#include "cli/context.h"

namespace sondeo::cli {
namespace {

struct DemoOptions {
  std::string dir = "sondeo-demo";
  int agents = 2;
  uint64_t seed = 1;
  bool serve = false;
};

int RunDemo(Context& ctx, const DemoOptions& o) {
  std::error_code ec;
  std::filesystem::create_directories(o.dir, ec);
  if (ec) {
    return ctx.Fail(
        Status::InvalidArgument("cannot create demo folder '" + o.dir + "': " + ec.message()));
  }
  Context demo_ctx = ctx;
  demo_ctx.db_flag = (std::filesystem::path(o.dir) / "sondeo.db").string();
  auto db = demo_ctx.OpenDb();
  if (!db) return ctx.Fail(db.error());
  if (ctx.json) {
    ctx.PrintJson({{"dir", o.dir}, {"db", demo_ctx.DbPath()}});
  } else {
    std::cout << "sondeo demo\n"
              << "  espacio de trabajo: " << o.dir << "\n"
              << "  base de datos:      " << demo_ctx.DbPath() << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterDemo(CLI::App& app, Context& ctx) {
  auto opts = std::make_shared<DemoOptions>();
  auto* cmd = app.add_subcommand("demo", "Ejecuta el flujo completo sobre el ejemplo incluido");
  cmd->add_option("--dir", opts->dir, "Carpeta del espacio de trabajo");
  cmd->add_option("--agents", opts->agents, "Agentes simulados")->check(CLI::Range(1, 500));
  cmd->add_option("--seed", opts->seed, "Semilla de la simulación");
  cmd->add_flag("--serve", opts->serve, "Deja el servidor en marcha al terminar");
  cmd->callback([&ctx, opts] { ctx.exit_code = RunDemo(ctx, *opts); });
}

}  // namespace sondeo::cli
