#pragma once
// Contact bases: import (CSV/XLSX -> cleaned, de-duplicated contacts of a campaign),
// the global suppression list, export, and the small read API the dialer, SMS and reports
// use. Docs: docs/contacts.md. Every function takes the caller's Db (one per thread).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "store/db.h"

namespace sondeo::campaigns {

struct ImportOptions {
  std::string campaign_id;        // required; an unknown id creates a bare campaign
  std::string encoding = "auto";  // auto | utf-8 | windows-1252 (CSV only)
  std::string sheet;              // XLSX: sheet name; empty = first sheet
  std::vector<std::string> map;   // --map "COLUMN=FIELD" overrides
  std::string rejects_path;       // when set: every non-callable row, as CSV (UTF-8 + BOM)
  std::string actor = "cli";      // recorded in the audit entry
  // Called now and then while reading (rows read so far, fraction of the file read, 0..1).
  std::function<void(int64_t rows, double fraction)> progress;
};

// The funnel: initial = rejected + cleaned; cleaned = duplicates + suppressed + callable.
struct Funnel {
  int64_t initial = 0;                     // BASE INICIAL: data records read (blank lines skipped)
  int64_t rejected = 0;                    // RECHAZADOS
  int64_t cleaned = 0;                     // BASE DEPURADA
  int64_t duplicates = 0;                  // DUPLICADOS
  int64_t suppressed = 0;                  // SUPRIMIDOS
  int64_t callable = 0;                    // REGISTROS A GESTIONAR (new contacts)
  std::map<std::string, int64_t> reasons;  // rejection code -> rows (RECHAZADOS by reason)
};

struct ImportResult {
  int64_t import_id = 0;
  Funnel funnel;
  int64_t phones_added_to_existing = 0;  // extra phones that existing contacts gained
  std::string encoding;                  // what the reader used: utf-8, windows-1252, xlsx...
};

// Imports `path` into `options.campaign_id` in ONE transaction: on any error the database is
// left as it was. Errors: kNotFound (missing file), kInvalidArgument (bad file, with file,
// line and column; no phone column; bad --map), kUnavailable (database locked), kInternal.
Result<ImportResult> Import(store::Db& db, const std::string& path, const ImportOptions& options,
                            Clock& clock);

// The Spanish funnel table (BASE INICIAL ... REGISTROS A GESTIONAR), one line per row.
std::string FormatFunnel(const Funnel& funnel);
// {"initial":N,"rejected":N,"cleaned":N,"duplicates":N,"suppressed":N,"callable":N,
//  "reasons":{...}} (exactly these keys).
std::string FunnelJson(const Funnel& funnel);

// Rejection codes of rows, with their Spanish texts (docs/contacts.md).
struct ReasonInfo {
  std::string code;
  std::string text;
};
std::vector<ReasonInfo> RejectReasons();

struct SuppressResult {
  int64_t phones = 0;     // phones newly on the list
  int64_t documents = 0;  // documents newly on the list
  int64_t already = 0;    // entries that were already on the list
  int64_t invalid = 0;    // lines with neither a phone nor a document
};

// Adds the phones and/or documents of `path` (one per line, or a CSV with a phone and/or
// document column) to the global suppression list, normalised like imports. Applies to every
// campaign, now and later. One transaction; one audit entry "contacts.suppress" (counts only).
Result<SuppressResult> Suppress(store::Db& db, const std::string& path, const std::string& reason,
                                Clock& clock, const std::string& actor = "cli");

// Writes the callable contacts of a campaign (suppressed ones left out) as CSV (UTF-8 + BOM):
// fila, documento, nombres, apellidos, correo, municipio, departamento, telefono_1, tipo_1,
// ... then the extra attributes. Returns the number of contacts written. Audited
// ("contacts.export").
Result<int64_t> ExportContacts(store::Db& db, const std::string& campaign_id,
                               const std::string& out_path, Clock& clock,
                               const std::string& actor = "cli");

// ---- Read API (dialer, SMS, reports) ----

struct ContactPhone {
  std::string e164;         // "+573001234567"
  std::string type;         // "mobile" | "fixed"
  bool suppressed = false;  // on the suppression list now: never dial or message it
};

struct Contact {
  int64_t id = 0;
  std::string campaign_id;
  int64_t source_row = 0;  // 1-based data record of the imported file
  std::string document;    // digits; empty when the base had none
  std::string nombres, apellidos, email, municipio, departamento;
  std::map<std::string, std::string> extra;  // other columns of the base, by header
  std::vector<ContactPhone> phones;          // dialing order (mobile first)
  bool suppressed = false;  // the document or EVERY phone is on the suppression list
};

// One contact with its phones. kNotFound when there is no such id.
Result<Contact> LoadContact(store::Db& db, int64_t contact_id);

// The ids of a campaign's contacts in import order (suppressed ones included: check
// IsSuppressed or Contact::suppressed before dialing).
Result<std::vector<int64_t>> ListContactIds(store::Db& db, const std::string& campaign_id);

// True when the contact must not be called or messaged any more: its document, or every one
// of its phones, is on the suppression list. kNotFound for an unknown id.
Result<bool> IsSuppressed(store::Db& db, int64_t contact_id);
// True when this E.164 phone is on the suppression list (check before each dial/SMS).
Result<bool> IsPhoneSuppressed(store::Db& db, const std::string& e164);

// SQL condition, usable in other modules' queries, that holds for a phones row `p` (alias p)
// whose number is NOT suppressed: "NOT EXISTS (SELECT 1 FROM suppressions ...)".
inline constexpr const char* kPhoneNotSuppressedSql =
    "NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'phone' AND s.value = p.e164)";

}  // namespace sondeo::campaigns
