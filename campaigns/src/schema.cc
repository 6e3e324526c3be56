#include "campaigns/schema.h"

#include "campaigns/src/contacts_schema.h"

namespace sondeo::campaigns {

namespace {

// Module key "campaigns": the campaign records and their configuration.
std::vector<store::Migration> CampaignMigrations() {
  return {
      {"campaigns", 1, "campaigns",
       // Other modules insert bare rows (id, name, created_ms): every other column has a
       // default. Add columns, never rename.
       "CREATE TABLE campaigns ("
       " id TEXT PRIMARY KEY,"
       " name TEXT NOT NULL DEFAULT '',"
       " entity TEXT NOT NULL DEFAULT '',"
       " status TEXT NOT NULL DEFAULT 'draft'"
       "   CHECK (status IN ('draft','running','paused','finished')),"
       " config_yaml TEXT,"  // the campaign file as created; NULL for a bare campaign
       " source_path TEXT NOT NULL DEFAULT '',"  // the file it was created from (absolute)
       " survey_path TEXT NOT NULL DEFAULT '',"  // its survey file, resolved (absolute)
       " purpose TEXT NOT NULL DEFAULT '',"
       " legal_basis TEXT NOT NULL DEFAULT '',"
       " exemption_reason TEXT,"  // set when its windows may exceed the legal hours
       " created_ms INTEGER NOT NULL,"
       " updated_ms INTEGER);"},
  };
}

}  // namespace

std::vector<store::Migration> Migrations() {
  auto all = CampaignMigrations();
  for (auto& m : ContactsMigrations()) all.push_back(std::move(m));
  return all;
}

}  // namespace sondeo::campaigns
