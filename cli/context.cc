#include "cli/context.h"

#include <cstdlib>
#include <iostream>

#include "campaigns/schema.h"
#include "dialer/schema.h"
#include "reports/schema.h"
#include "server/schema.h"
#include "surveys/schema.h"

namespace sondeo::cli {

std::vector<store::Migration> AllMigrations() {
  std::vector<store::Migration> all;
  for (auto part : {store::Migrations(), campaigns::Migrations(), surveys::Migrations(),
                    dialer::Migrations(), reports::Migrations(), server::Migrations()}) {
    all.insert(all.end(), std::make_move_iterator(part.begin()),
               std::make_move_iterator(part.end()));
  }
  return all;
}

std::string Context::DbPath() const {
  if (!db_flag.empty()) return db_flag;
  if (const char* env = std::getenv("SONDEO_DB"); env != nullptr && *env != '\0') return env;
  return "sondeo.db";
}

Result<std::unique_ptr<store::Db>> Context::OpenDb(bool durable) const {
  store::DbOptions opts;
  opts.durable = durable;
  opts.migrations = AllMigrations();
  return store::Db::Open(DbPath(), opts);
}

int Context::Fail(const Status& status) const {
  const int code = status.IsUserError() ? kExitUser : kExitInternal;
  std::cerr << "sondeo: error: " << status.message() << "\n";
  if (json) {
    PrintJson(
        {{"error",
          {{"code", std::string(StatusCodeName(status.code()))}, {"message", status.message()}}}});
  }
  return code;
}

void Context::PrintJson(const nlohmann::json& j) const {
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace sondeo::cli
