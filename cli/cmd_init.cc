// sondeo init [--db PATH]: creates the database (or brings it up to date). Idempotent.
#include <iostream>

#include "cli/context.h"

namespace sondeo::cli {

void RegisterInit(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("init", "Crea la base de datos de sondeo o la actualiza");
  cmd->callback([&ctx] {
    auto db = ctx.OpenDb();
    if (!db) {
      ctx.exit_code = ctx.Fail(db.error());
      return;
    }
    if (ctx.json) {
      ctx.PrintJson({{"db", ctx.DbPath()}, {"ok", true}});
    } else {
      std::cout << "Base de datos lista: " << ctx.DbPath() << "\n";
    }
  });
}

}  // namespace sondeo::cli
