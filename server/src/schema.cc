#include "server/schema.h"

namespace sondeo::server {

// Module key "server": accounts, sessions, and the agents' results (idempotency keys).
std::vector<store::Migration> Migrations() {
  return {
      {"server", 1, "users, sessions, assignments, idempotent results",
       "CREATE TABLE users ("
       " name TEXT PRIMARY KEY,"
       " role TEXT NOT NULL CHECK (role IN ('agent','supervisor','admin')),"
       " password_hash TEXT NOT NULL,"  // pbkdf2-sha256$ITER$SALT_B64$HASH_B64
       " disabled INTEGER NOT NULL DEFAULT 0,"
       " failed_count INTEGER NOT NULL DEFAULT 0,"
       " locked_until_ms INTEGER NOT NULL DEFAULT 0,"
       " created_ms INTEGER NOT NULL);"
       "CREATE TABLE sessions ("
       " token_hash TEXT PRIMARY KEY,"  // SHA-256 (hex) of the cookie value: never the token
       " user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,"
       " csrf TEXT NOT NULL,"
       " created_ms INTEGER NOT NULL,"
       " last_seen_ms INTEGER NOT NULL,"
       " expires_ms INTEGER NOT NULL);"
       "CREATE INDEX sessions_user ON sessions(user_name);"
       "CREATE TABLE assignments ("  // the contact an agent holds right now
       " contact_id INTEGER PRIMARY KEY,"
       " campaign_id TEXT NOT NULL,"
       " user_name TEXT NOT NULL,"
       " phone_e164 TEXT NOT NULL DEFAULT '',"
       " assigned_ms INTEGER NOT NULL);"
       "CREATE INDEX assignments_user ON assignments(user_name);"
       "CREATE TABLE api_results ("  // replay of a result already saved (idempotency)
       " idempotency_key TEXT PRIMARY KEY,"
       " user_name TEXT NOT NULL,"
       " contact_id INTEGER NOT NULL,"
       " response_json TEXT NOT NULL,"
       " created_ms INTEGER NOT NULL);"},
      // Since `serve` runs the dialer, contacts come from the engines (attempts) and results
      // go to surveys' responses and the engine: assignments and api_results are no longer
      // used (kept, so existing databases stay valid). agent_results is the durable record
      // of each agent result (see Api::SubmitResult): idempotency and crash recovery.
      {"server", 2, "agent results (engine dispositions + survey responses)",
       "CREATE TABLE agent_results ("
       " idempotency_key TEXT PRIMARY KEY,"
       " user_name TEXT NOT NULL,"
       " campaign_id TEXT NOT NULL,"
       " contact_id INTEGER NOT NULL,"
       " attempt_id INTEGER NOT NULL,"
       " disposition TEXT NOT NULL,"
       " callback_ms INTEGER,"
       " notes TEXT NOT NULL DEFAULT '',"
       " answers_json TEXT NOT NULL DEFAULT '',"  // as received; '' = no answers
       " reply_json TEXT NOT NULL,"               // the 200's body, replayed on retries
       " state TEXT NOT NULL CHECK (state IN ('pending','applied')),"
       " created_ms INTEGER NOT NULL);"
       "CREATE INDEX agent_results_pending ON agent_results(campaign_id, state);"
       "CREATE INDEX agent_results_attempt ON agent_results(attempt_id);"},
  };
}

}  // namespace sondeo::server
