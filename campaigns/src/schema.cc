#include "campaigns/schema.h"

#include "campaigns/src/contacts_schema.h"

namespace sondeo::campaigns {

namespace {

// Module key "campaigns": the campaign records and their configuration.
std::vector<store::Migration> CampaignMigrations() {
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

}  // namespace

std::vector<store::Migration> Migrations() {
  auto all = CampaignMigrations();
  for (auto& m : ContactsMigrations()) all.push_back(std::move(m));
  return all;
}

}  // namespace sondeo::campaigns
