#pragma once
// One small interface over the readers of contact bases (CSV and XLSX): records of UTF-8
// strings, the first one being the header. Private to campaigns/.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "campaigns/src/encoding.h"
#include "common/status.h"

namespace sondeo::campaigns {

struct TableRecord {
  int64_t line = 0;  // 1-based line (CSV) or sheet row (XLSX) where the record starts
  std::vector<std::string> fields;  // UTF-8, as read (CSV never pads; XLSX fills gaps)
};

// An independent reader of a CSV's records from a line start on, for a second thread of the
// import's pass 1: NextView as TableReader's (same records, marks and errors as the reader
// would give from that position). It reads the reader's text: the reader must outlive it.
class TableCursor {
 public:
  virtual ~TableCursor() = default;
  virtual Result<bool> NextView(std::vector<std::string_view>& fields, uint64_t& mark) = 0;
  // The byte where it started (every mark it gives is at or after it).
  virtual uint64_t Start() const = 0;
  // Bytes of the text it has consumed so far.
  virtual uint64_t Consumed() const = 0;
};

class TableReader {
 public:
  virtual ~TableReader() = default;
  // Reads the next non-blank record. Returns false at the end. Errors (kInvalidArgument)
  // name the file, line and column: unterminated quote, field over 1 MB, over 1,000 fields,
  // invalid bytes, NUL bytes.
  virtual Result<bool> Next(TableRecord& record) = 0;
  // Fraction of the input consumed, 0..1 (for the progress bar).
  virtual double Progress() const = 0;
  // What the reader decided: "utf-8", "utf-8-bom", "windows-1252", "xlsx".
  virtual std::string_view EncodingName() const = 0;

  // The bulk path of the import (no string per field): like Next(), but `fields` are views
  // valid until the next call, and `mark` names the record for Reread(). Both read from the
  // same position: the import reads the header with Next(), then every record with
  // NextView(). The default keeps a packed copy of every record (XLSX); the CSV reader
  // points into its text and keeps nothing.
  virtual Result<bool> NextView(std::vector<std::string_view>& fields, uint64_t& mark);
  // The fields of the record `mark` (from NextView) again, views valid while the reader
  // lives and until `scratch` (unescaped quoted fields) changes. Const: concurrent calls with
  // different scratch strings are safe once NextView is done.
  virtual void Reread(uint64_t mark, std::vector<std::string_view>& fields,
                      std::string& scratch) const;
  // The bytes of the record `mark` as they are in the text, without its line end, when it
  // holds no quote (so its fields are the runs between `separator`s); false otherwise and
  // for XLSX. Const and safe alongside Reread.
  virtual bool PlainRecord(uint64_t mark, std::string_view& raw, char& separator) const;
  // Splitting the records in two (CSV only): a cursor from the first line start after the
  // middle of the text, past what NextView has read; nullptr for XLSX, a text smaller than
  // `min_bytes` or no such line start. The mark of a record the cursor gives is a record
  // start of the file only when NextView reaches that same mark: the middle can fall inside
  // a quoted field, and the caller checks (the import keeps the cursor's records from the
  // first mark both give on, and reads on by itself when there is none).
  virtual std::unique_ptr<TableCursor> SplitHalf(size_t min_bytes) const;
  // Bytes of text (CSV; 0 for XLSX).
  virtual uint64_t TextBytes() const { return 0; }

 private:
  // The default NextView's copy: per record a 4-byte field count, then per field a 4-byte
  // length and the bytes; `kept_starts_[mark]` is where the record starts.
  std::string kept_;
  std::vector<size_t> kept_starts_;
  TableRecord kept_record_;
};

struct TableOptions {
  encoding::Encoding encoding = encoding::Encoding::kAuto;
  std::string sheet;  // XLSX only: sheet name; empty = first sheet
  // A regular file this large or larger is read in two halves on two threads.
  size_t parallel_read_bytes = size_t{8} << 20;
};

// Opens a CSV or XLSX file (by content: a ZIP signature means XLSX). Errors: kNotFound
// (missing file), kInvalidArgument (unreadable, empty, binary, not a spreadsheet, no such
// sheet), each message naming the file.
Result<std::unique_ptr<TableReader>> OpenTable(const std::string& path,
                                               const TableOptions& options);

// Limits on untrusted input.
inline constexpr size_t kMaxFieldBytes = 1 << 20;
inline constexpr size_t kMaxFields = 1000;

// The CSV reader over bytes already in memory (`name` is used in messages only).
// `fast_path` = false reads every record with the general scanner (for tests: same records).
Result<std::unique_ptr<TableReader>> OpenCsvBytes(std::string bytes, std::string name,
                                                  encoding::Encoding enc, bool fast_path = true);
// The XLSX reader.
Result<std::unique_ptr<TableReader>> OpenXlsx(const std::string& path, const std::string& name,
                                              const std::string& sheet);

}  // namespace sondeo::campaigns
