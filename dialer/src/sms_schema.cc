// Module key "sms": the contract, blasts, one row per (blast, recipient), inbound messages.
#include "dialer/sms_send.h"
#include "dialer/src/engine_schema.h"

namespace sondeo::dialer {

std::vector<store::Migration> SmsMigrations() {
  return {
      {"sms", 1, "sms_contract, sms_blasts, sms_messages, sms_inbound",
       "CREATE TABLE sms_contract ("
       " id INTEGER PRIMARY KEY CHECK (id = 1),"
       " monthly_cap_segments INTEGER NOT NULL,"  // 0 = no cap
       " unit_price REAL NOT NULL DEFAULT 0,"     // per segment (COP)
       " updated_ms INTEGER NOT NULL);"
       "CREATE TABLE sms_blasts ("
       " id INTEGER PRIMARY KEY,"
       " campaign_id TEXT NOT NULL REFERENCES campaigns(id),"
       " sequence_id INTEGER,"  // shared by the steps of one sequence; NULL for a blast
       " step INTEGER NOT NULL DEFAULT 0,"
       " template TEXT NOT NULL,"
       " filter_municipio TEXT NOT NULL DEFAULT '',"
       " scheduled_ms INTEGER NOT NULL,"
       " created_ms INTEGER NOT NULL,"
       " created_by TEXT NOT NULL,"
       " recipients INTEGER NOT NULL,"
       " segments INTEGER NOT NULL,"
       " unit_price REAL NOT NULL DEFAULT 0,"
       " overrun_approved_by TEXT,"
       " status TEXT NOT NULL DEFAULT 'scheduled'"
       "   CHECK (status IN ('scheduled','sending','done','cancelled')),"
       " finished_ms INTEGER);"
       "CREATE INDEX sms_blasts_scheduled ON sms_blasts(status, scheduled_ms);"
       "CREATE TABLE sms_messages ("
       " id INTEGER PRIMARY KEY,"
       " blast_id INTEGER NOT NULL REFERENCES sms_blasts(id),"
       " contact_id INTEGER NOT NULL REFERENCES contacts(id),"
       " phone_e164 TEXT NOT NULL,"
       " idem_key TEXT NOT NULL UNIQUE,"  // committed before the gateway is called
       " text TEXT NOT NULL,"
       " encoding TEXT NOT NULL,"
       " segments INTEGER NOT NULL,"
       " state TEXT NOT NULL DEFAULT 'pending'"
       "   CHECK (state IN ('pending','sending','sent','failed','uncertain')),"
       " attempts INTEGER NOT NULL DEFAULT 0,"
       " last_error TEXT NOT NULL DEFAULT '',"
       " sent_ms INTEGER,"
       " dlr TEXT CHECK (dlr IN ('pending','delivered','failed','expired')),"
       " dlr_code INTEGER,"
       " dlr_ms INTEGER,"
       " UNIQUE (blast_id, contact_id),"
       " UNIQUE (blast_id, phone_e164));"
       "CREATE INDEX sms_messages_state ON sms_messages(blast_id, state, id);"
       "CREATE TABLE sms_inbound ("
       " id INTEGER PRIMARY KEY,"
       " phone_e164 TEXT NOT NULL,"
       " text TEXT NOT NULL,"
       " received_ms INTEGER NOT NULL,"
       " opt_out INTEGER NOT NULL);"},
      // The same lease for activities that are not a campaign's dialing: "sms", the one
      // SMS sender of the database (dialer/lease.h).
      {"sms", 2, "sender_leases",
       "CREATE TABLE sender_leases ("
       " name TEXT PRIMARY KEY,"
       " owner_kind TEXT NOT NULL,"  // serve | sms
       " owner_host TEXT NOT NULL,"
       " owner_pid INTEGER NOT NULL,"
       " owner_start INTEGER NOT NULL,"
       " acquired_ms INTEGER NOT NULL,"
       " heartbeat_ms INTEGER NOT NULL,"
       " expires_ms INTEGER NOT NULL);"},
  };
}

}  // namespace sondeo::dialer
