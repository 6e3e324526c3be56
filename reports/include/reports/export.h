#pragma once
// The results export (issue 9): one row per managed contact (source fields, final
// disposition, attempts, last attempt, agent, one column per answer; a matrix item is a
// column) plus a codebook, as CSV (UTF-8 with BOM) or XLSX. Streams: memory does not grow
// with the number of rows (one statement stepped while writing; XLSX in constant_memory
// mode). Phones and documents can be masked or pseudonymised (HMAC-SHA256). Every export is
// audited (store::Audit, action "export"). docs/reports.md documents the columns.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "store/db.h"

namespace sondeo::reports {

enum class PiiMode { kClear, kMask, kPseudonymise };

struct ExportOptions {
  std::string format = "csv";  // "csv" | "xlsx"
  std::string out;             // the file; CSV codebook: <out without .csv>_codebook.csv
  PiiMode pii = PiiMode::kClear;
  std::string hmac_key;  // the key's bytes, for kPseudonymise
  char separator = ',';  // CSV only
  int utc_offset_minutes = -300;
  std::string actor = "cli";  // recorded in the audit log
};

struct ExportResult {
  int64_t rows = 0;
  std::vector<std::string> files;
};

// kNotFound for an unknown campaign; kInvalidArgument for a bad format or an unwritable
// file; store errors otherwise. A failed export leaves no audit record.
Result<ExportResult> ExportContacts(store::Db& db, const std::string& campaign_id,
                                    const ExportOptions& options, int64_t now_unix_ms);

// Keeps the first 3 and last 3 characters and masks the rest with '*':
// "3001234567" -> "300****567". Values of 6 characters or fewer keep only the last 2.
// A leading "+57" is dropped first.
std::string MaskPii(std::string_view value);
// Lower-case hex HMAC-SHA256 of `value` under `key`.
std::string Pseudonymise(std::string_view key, std::string_view value);
// Reads a key file (trailing newlines dropped). kInvalidArgument when unreadable or shorter
// than 16 bytes.
Result<std::string> LoadHmacKey(const std::string& path);

}  // namespace sondeo::reports
