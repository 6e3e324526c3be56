#pragma once
// What every subcommand shares: global options, the database, output and exit codes
// (docs/design.md §3: --json prints exactly one JSON object on stdout; exit 0 success,
// 1 user error, 2 internal error).
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace sondeo::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUser = 1;
inline constexpr int kExitInternal = 2;

struct Context {
  std::string db_flag;  // --db
  bool json = false;    // --json
  Clock* clock = &SystemClock::Instance();
  int exit_code = kExitOk;

  // --db, else $SONDEO_DB, else ./sondeo.db
  std::string DbPath() const;
  // Opens the database and applies every module's migrations. `durable` = false only for
  // virtual-time work (simulate), where a power cut loses nothing anyone was told.
  Result<std::unique_ptr<store::Db>> OpenDb(bool durable = true) const;

  // Reports a failure once (stderr; with --json also {"error":{...}} on stdout) and
  // returns the exit code for it.
  int Fail(const Status& status) const;
  // Prints one JSON object on stdout.
  void PrintJson(const nlohmann::json& j) const;
};

// Every module's migrations, dependencies first.
std::vector<store::Migration> AllMigrations();

// One function per subcommand family (one file each in cli/).
void RegisterInit(CLI::App& app, Context& ctx);
void RegisterDemo(CLI::App& app, Context& ctx);
void RegisterContacts(CLI::App& app, Context& ctx);
void RegisterSurvey(CLI::App& app, Context& ctx);
void RegisterCampaign(CLI::App& app, Context& ctx);
void RegisterCalendar(CLI::App& app, Context& ctx);
void RegisterSimulate(CLI::App& app, Context& ctx);
void RegisterSms(CLI::App& app, Context& ctx);
void RegisterReport(CLI::App& app, Context& ctx);
void RegisterServe(CLI::App& app, Context& ctx);
void RegisterCall(CLI::App& app, Context& ctx);

}  // namespace sondeo::cli
