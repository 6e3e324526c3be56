#include "surveys/schema.h"

namespace sondeo::surveys {

// Module key "surveys". Other modules read these tables (reports: responses and answers;
// dialer: responses by contact). Add columns, never rename. No foreign keys to other
// modules' tables: campaign_id, contact_id and attempt_id are plain values.
std::vector<store::Migration> Migrations() {
  return {
      {"surveys", 1, "surveys, responses, answers",
       "CREATE TABLE surveys ("
       " id TEXT NOT NULL,"
       " version INTEGER NOT NULL,"  // 1, 2, ...: a new one when a survey with responses changes
       " title TEXT NOT NULL,"
       " yaml TEXT NOT NULL,"          // the file as loaded
       " content_hash TEXT NOT NULL,"  // of the parsed content (comments do not count)
       " created_ms INTEGER NOT NULL,"
       " PRIMARY KEY (id, version));"
       "CREATE TABLE responses ("
       " id INTEGER PRIMARY KEY,"
       " survey_id TEXT NOT NULL,"
       " survey_version INTEGER NOT NULL,"
       " campaign_id TEXT NOT NULL DEFAULT '',"
       " contact_id INTEGER NOT NULL,"
       " attempt_id INTEGER,"
       " agent TEXT NOT NULL DEFAULT '',"
       " status TEXT NOT NULL CHECK (status IN ('complete','partial','refused')),"
       " started_ms INTEGER NOT NULL,"
       " ended_ms INTEGER NOT NULL,"
       " idempotency_key TEXT NOT NULL UNIQUE,"
       " FOREIGN KEY (survey_id, survey_version) REFERENCES surveys(id, version));"
       "CREATE INDEX responses_survey ON responses(survey_id, survey_version);"
       "CREATE INDEX responses_contact ON responses(campaign_id, contact_id);"
       // One row per answer value: matrix items have item_id; multi_choice has one row per
       // selected option; a question left blank has one row with value ''.
       "CREATE TABLE answers ("
       " response_id INTEGER NOT NULL REFERENCES responses(id) ON DELETE CASCADE,"
       " question_id TEXT NOT NULL,"
       " item_id TEXT NOT NULL DEFAULT '',"
       " value TEXT NOT NULL,"
       " PRIMARY KEY (response_id, question_id, item_id, value));"},
  };
}

}  // namespace sondeo::surveys
