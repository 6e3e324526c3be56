#pragma once
// The reports module's tables, as numbered migrations (applied by store::Db::Open).
#include <vector>

#include "store/db.h"

namespace sondeo::reports {

std::vector<store::Migration> Migrations();

}  // namespace sondeo::reports
