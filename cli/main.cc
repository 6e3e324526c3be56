// sondeo: the one executable and the composition root.
#include <exception>
#include <iostream>

#include "cli/context.h"

int main(int argc, char** argv) {
  using sondeo::cli::Context;
  try {
    Context ctx;
    CLI::App app{"sondeo: campañas de encuestas salientes para centros de contacto", "sondeo"};
    app.set_version_flag("--version", std::string("sondeo ") + SONDEO_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    app.add_option("--db", ctx.db_flag, "Base de datos (si no: $SONDEO_DB, si no: ./sondeo.db)");
    app.add_flag("--json", ctx.json, "Imprime un único objeto JSON en stdout");

    sondeo::cli::RegisterInit(app, ctx);
    sondeo::cli::RegisterDemo(app, ctx);
    sondeo::cli::RegisterContacts(app, ctx);
    sondeo::cli::RegisterSurvey(app, ctx);
    sondeo::cli::RegisterCampaign(app, ctx);
    sondeo::cli::RegisterCalendar(app, ctx);
    sondeo::cli::RegisterSimulate(app, ctx);
    sondeo::cli::RegisterSms(app, ctx);
    sondeo::cli::RegisterReport(app, ctx);
    sondeo::cli::RegisterServe(app, ctx);
    sondeo::cli::RegisterCall(app, ctx);

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int rc = app.exit(e);
      return rc == 0 ? 0 : sondeo::cli::kExitUser;
    }
    return ctx.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "sondeo: internal error: " << e.what() << "\n";
    return sondeo::cli::kExitInternal;
  }
}
