#include "campaigns/schema.h"

namespace sondeo::campaigns {

std::vector<store::Migration> Migrations() {
  return {
      {"campaigns", 1, "campaigns",
       "CREATE TABLE campaigns ("
       " id TEXT PRIMARY KEY,"
       " name TEXT NOT NULL DEFAULT '',"
       " entity TEXT NOT NULL DEFAULT '',"
       " status TEXT NOT NULL DEFAULT 'draft'"
       "   CHECK (status IN ('draft','running','paused','finished')),"
       " config_yaml TEXT,"  // the campaign file as created; NULL for a bare campaign
       " created_ms INTEGER NOT NULL);"},
  };
}

}  // namespace sondeo::campaigns
