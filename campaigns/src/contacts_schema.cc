#include "campaigns/src/contacts_schema.h"

namespace sondeo::campaigns {

// Other modules rely on these columns (dialer: contacts, phones; reports: imports;
// SMS: phones.type = 'mobile'; everyone: suppressions). Add, never rename.
std::vector<store::Migration> ContactsMigrations() {
  return {
      {"contacts", 1, "imports, contacts, phones, suppressions",
       "CREATE TABLE imports ("
       " id INTEGER PRIMARY KEY,"
       " campaign_id TEXT NOT NULL REFERENCES campaigns(id),"
       " file_name TEXT NOT NULL,"
       " imported_ms INTEGER NOT NULL,"
       " initial INTEGER NOT NULL, rejected INTEGER NOT NULL, cleaned INTEGER NOT NULL,"
       " duplicates INTEGER NOT NULL, suppressed INTEGER NOT NULL, callable INTEGER NOT NULL,"
       " reasons_json TEXT NOT NULL DEFAULT '{}');"
       "CREATE TABLE contacts ("
       " id INTEGER PRIMARY KEY,"
       " campaign_id TEXT NOT NULL REFERENCES campaigns(id),"
       " import_id INTEGER REFERENCES imports(id),"
       " source_row INTEGER NOT NULL,"  // 1-based data record of the imported file
       " document TEXT,"                // digits only, leading zeros dropped
       " nombres TEXT NOT NULL DEFAULT '', apellidos TEXT NOT NULL DEFAULT '',"
       " municipio TEXT NOT NULL DEFAULT '', departamento TEXT NOT NULL DEFAULT '',"
       " email TEXT NOT NULL DEFAULT '',"
       " extra_json TEXT NOT NULL DEFAULT '{}');"  // every other column of the base
       "CREATE INDEX contacts_campaign ON contacts(campaign_id);"
       "CREATE INDEX contacts_document ON contacts(campaign_id, document);"
       "CREATE TABLE phones ("
       " id INTEGER PRIMARY KEY,"
       " contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
       " e164 TEXT NOT NULL,"         // +57XXXXXXXXXX
       " type TEXT NOT NULL,"         // mobile | fixed
       " position INTEGER NOT NULL,"  // dialing order within the contact, 0 first (mobile first)
       " flags TEXT NOT NULL DEFAULT '');"  // e.g. 'unknown_to_libphonenumber'
       "CREATE INDEX phones_contact ON phones(contact_id, position);"
       "CREATE INDEX phones_e164 ON phones(e164);"
       "CREATE TABLE suppressions ("
       " kind TEXT NOT NULL CHECK (kind IN ('phone','document')),"
       " value TEXT NOT NULL,"  // E.164 phone, or document digits
       " reason TEXT NOT NULL DEFAULT '',"
       " added_ms INTEGER NOT NULL,"
       " PRIMARY KEY (kind, value));"},
      // No query reads these two: contacts are looked up by campaign (contacts_campaign) and
      // phones by contact (phones_contact); suppressions are matched through their own
      // primary key. Each cost a sort of every row on a bulk import (0.3-0.4 s per million
      // rows of the base, a quarter of the import's serial SQLite work).
      {"contacts", 2, "drop the unused indexes on documents and phone numbers",
       "DROP INDEX IF EXISTS contacts_document;"
       "DROP INDEX IF EXISTS phones_e164;"},
  };
}

const std::vector<IndexDef>& ContactsBulkIndexes() {
  // contacts_schema_test checks these against sqlite_master after the migrations.
  static const std::vector<IndexDef> kIndexes = {
      {"contacts_campaign", "CREATE INDEX contacts_campaign ON contacts(campaign_id)"},
      {"phones_contact", "CREATE INDEX phones_contact ON phones(contact_id, position)"},
  };
  return kIndexes;
}

}  // namespace sondeo::campaigns
