#pragma once
#include <vector>

#include "store/db.h"

namespace sondeo::campaigns {

// Tables of contact bases (module key "contacts"): imports, contacts, phones, suppressions.
std::vector<store::Migration> ContactsMigrations();

}  // namespace sondeo::campaigns
