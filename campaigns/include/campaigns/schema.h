#pragma once
// The campaigns module's tables, as numbered migrations (applied by store::Db::Open).
#include <vector>

#include "store/db.h"

namespace sondeo::campaigns {

std::vector<store::Migration> Migrations();

}  // namespace sondeo::campaigns
