#pragma once
#include <vector>

#include "store/db.h"

namespace sondeo::campaigns {

// Tables of contact bases (module key "contacts"): imports, contacts, phones, suppressions.
std::vector<store::Migration> ContactsMigrations();

// The secondary indexes of contacts and phones, exactly as the migrations create them. A
// large import into a small table drops them and builds each once after the bulk insert
// (in the same transaction), instead of updating them row by row.
struct IndexDef {
  const char* name;
  const char* create_sql;
};
const std::vector<IndexDef>& ContactsBulkIndexes();

}  // namespace sondeo::campaigns
