#pragma once
// The surveys module's tables, as numbered migrations (applied by store::Db::Open).
#include <vector>

#include "store/db.h"

namespace sondeo::surveys {

std::vector<store::Migration> Migrations();

}  // namespace sondeo::surveys
