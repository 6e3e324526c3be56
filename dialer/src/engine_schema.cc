#include "dialer/src/engine_schema.h"

namespace sondeo::dialer {

// Module key "dialer". Other modules (reports, campaigns status) read these tables:
// add columns, never rename. Times are Unix milliseconds (UTC).
std::vector<store::Migration> EngineMigrations() {
  return {
      {"dialer", 1, "attempts, contact_dialing",
       "CREATE TABLE attempts ("
       " id INTEGER PRIMARY KEY,"
       " campaign_id TEXT NOT NULL REFERENCES campaigns(id),"
       " contact_id INTEGER NOT NULL REFERENCES contacts(id),"
       " phone_id INTEGER REFERENCES phones(id),"
       " e164 TEXT NOT NULL,"
       " attempt_number INTEGER NOT NULL,"  // 1, 2, ... per contact (every dial)
       " agent TEXT,"                       // the agent connected (or reserved)
       // queued -> dialing -> ringing -> answered -> connected -> wrapup -> disposed
       " state TEXT NOT NULL CHECK (state IN ('queued','dialing','ringing','answered',"
       "   'connected','wrapup','disposed')),"
       " disposition TEXT,"  // catalogue code, set when disposed
       " sip_code INTEGER,"
       " queued_ms INTEGER NOT NULL, dial_ms INTEGER, ring_ms INTEGER, answer_ms INTEGER,"
       " connect_ms INTEGER, end_ms INTEGER, wrapup_end_ms INTEGER,"
       " talk_seconds REAL NOT NULL DEFAULT 0,"
       " notes TEXT NOT NULL DEFAULT '',"
       " callback_ms INTEGER,"                    // VOLVER A LLAMAR: the time chosen
       " consumed INTEGER NOT NULL DEFAULT 0,"    // counted against the attempt caps
       " abandoned INTEGER NOT NULL DEFAULT 0,"   // live answer with no agent within 2 s
       " live INTEGER NOT NULL DEFAULT 0,"        // answered by a person
       " mode TEXT NOT NULL DEFAULT '',"          // preview | progressive | predictive
       " idempotency_key TEXT NOT NULL UNIQUE);"  // campaign/contact/attempt_number
       "CREATE INDEX attempts_campaign ON attempts(campaign_id, state);"
       "CREATE INDEX attempts_contact ON attempts(contact_id, attempt_number);"
       "CREATE INDEX attempts_answer ON attempts(campaign_id, answer_ms);"
       "CREATE TABLE contact_dialing ("
       " contact_id INTEGER PRIMARY KEY REFERENCES contacts(id),"
       " campaign_id TEXT NOT NULL REFERENCES campaigns(id),"
       " status TEXT NOT NULL CHECK (status IN ('pending','in_flight','final')),"
       " attempts INTEGER NOT NULL DEFAULT 0,"  // consumed
       " dials INTEGER NOT NULL DEFAULT 0,"     // every attempt
       " attempts_today INTEGER NOT NULL DEFAULT 0, day INTEGER NOT NULL DEFAULT 0,"
       " phones TEXT NOT NULL DEFAULT '',"   // 'phone_id:attempts:dead;...' (dialing order)
       " retries TEXT NOT NULL DEFAULT '',"  // 'CODE:n;...'
       " next_due_ms INTEGER NOT NULL,"
       " callback_ms INTEGER, callback_agent TEXT NOT NULL DEFAULT '',"
       " reserved_until_ms INTEGER,"  // abandoned: only with a reserved agent until then
       " last_disposition TEXT NOT NULL DEFAULT '',"
       " final_disposition TEXT,"  // exactly one per contact once final
       " last_attempt_id INTEGER,"
       " updated_ms INTEGER NOT NULL);"
       "CREATE INDEX contact_dialing_due ON contact_dialing(campaign_id, status, next_due_ms);"},
      // One dialing process per campaign (dialer/lease.h): the owner, its heartbeat and
      // when the lease lapses without one.
      {"dialer", 2, "campaign_leases",
       "CREATE TABLE campaign_leases ("
       " campaign_id TEXT PRIMARY KEY REFERENCES campaigns(id),"
       " owner_kind TEXT NOT NULL,"  // serve | simulate
       " owner_host TEXT NOT NULL,"  // gethostname()
       " owner_pid INTEGER NOT NULL,"
       " owner_start INTEGER NOT NULL,"  // the process's start time (/proc/PID/stat field 22)
       " acquired_ms INTEGER NOT NULL,"
       " heartbeat_ms INTEGER NOT NULL,"
       " expires_ms INTEGER NOT NULL);"},
  };
}

}  // namespace sondeo::dialer
