#pragma once
// The dialer module's tables, as numbered migrations (applied by store::Db::Open).
#include <vector>

#include "store/db.h"

namespace sondeo::dialer {

std::vector<store::Migration> Migrations();

}  // namespace sondeo::dialer
