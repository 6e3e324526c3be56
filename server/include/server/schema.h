#pragma once
// The server module's tables, as numbered migrations (applied by store::Db::Open).
#include <vector>

#include "store/db.h"

namespace sondeo::server {

std::vector<store::Migration> Migrations();

}  // namespace sondeo::server
