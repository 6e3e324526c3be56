// sondeo contacts suppress: the global list of phones and documents never to contact.
#include <filesystem>

#include <fmt/format.h>

#include "campaigns/src/headers.h"
#include "campaigns/src/import_internal.h"
#include "campaigns/src/table_reader.h"
#include "common/log.h"

namespace sondeo::campaigns {

Result<SuppressResult> SuppressWith(store::Db& db, const std::string& path,
                                    const std::string& reason, Clock& clock,
                                    const std::string& actor, CellNormalizer& normalizer) {
  auto reader = OpenTable(path, TableOptions{});
  if (!reader.ok()) return reader.error();
  TableRecord record;
  auto got = (*reader)->Next(record);
  if (!got.ok()) return got.error();
  if (!*got) return Status::InvalidArgument(path + ": archivo vacío");

  // With a header naming a phone or document column, those columns; otherwise a plain list:
  // the first field of every line (the first line included).
  std::vector<size_t> phone_cols;
  int doc_col = -1;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const Field f = GuessField(record.fields[i]);
    if (f == Field::kPhone) phone_cols.push_back(i);
    if (f == Field::kDocument && doc_col < 0) doc_col = static_cast<int>(i);
  }
  const bool has_header = !phone_cols.empty() || doc_col >= 0;

  std::vector<std::pair<std::string, std::string>> entries;  // kind, value
  SuppressResult result;
  auto take = [&](const TableRecord& rec) {
    bool any = false;
    if (has_header) {
      for (size_t col : phone_cols) {
        if (col >= rec.fields.size()) continue;
        const CellResult& cell = normalizer.Normalize(rec.fields[col], RowPlace{});
        for (const auto& p : cell.phones) {
          entries.emplace_back("phone", p.e164);
          any = true;
        }
      }
      if (doc_col >= 0 && static_cast<size_t>(doc_col) < rec.fields.size()) {
        std::string doc = NormalizeDocument(rec.fields[static_cast<size_t>(doc_col)]);
        if (!doc.empty()) {
          entries.emplace_back("document", std::move(doc));
          any = true;
        }
      }
    } else if (!rec.fields.empty()) {
      const std::string& v = rec.fields[0];
      const CellResult& cell = normalizer.Normalize(v, RowPlace{});
      for (const auto& p : cell.phones) {
        entries.emplace_back("phone", p.e164);
        any = true;
      }
      if (!any) {
        std::string doc = NormalizeDocument(v);
        const bool only_number = v.find_first_of("eE+") == std::string::npos;
        if (only_number && doc.size() >= 5 && doc.size() <= 15) {
          entries.emplace_back("document", std::move(doc));
          any = true;
        }
      }
    }
    if (!any) ++result.invalid;
  };
  if (!has_header) take(record);
  while (true) {
    got = (*reader)->Next(record);
    if (!got.ok()) return got.error();
    if (!*got) break;
    take(record);
  }
  if (entries.empty()) {
    return Status::InvalidArgument(
        path +
        ": ningún teléfono ni documento válido (una columna teléfono/documento, o uno "
        "por línea)");
  }

  auto txn = store::Transaction::Begin(db);
  if (!txn.ok()) return txn.error();
  const int64_t now_ms = ToUnixMillis(clock.Now());
  auto ins = db.Prepare(
      "INSERT OR IGNORE INTO suppressions(kind, value, reason, added_ms) VALUES(?,?,?,?)");
  if (!ins.ok()) return ins.error();
  for (const auto& [kind, value] : entries) {
    ins->Reset();
    ins->Bind(1, kind).Bind(2, value).Bind(3, reason).Bind(4, now_ms);
    if (Status s = ins->Run(); !s.ok()) return s;
    if (db.Changes() == 0) {
      ++result.already;
    } else if (kind == "phone") {
      ++result.phones;
    } else {
      ++result.documents;
    }
  }
  if (Status s = store::Audit(
          db, actor, "contacts.suppress",
          fmt::format("file={} phones={} documents={} already={} invalid={} reason={}",
                      std::filesystem::path(path).filename().string(), result.phones,
                      result.documents, result.already, result.invalid, Redact(reason)),
          now_ms);
      !s.ok()) {
    return s;
  }
  if (Status s = txn->Commit(); !s.ok()) return s;
  return result;
}

}  // namespace sondeo::campaigns
