// libFuzzer target for the CSV reader of contact bases: never crashes, and whatever it
// returns keeps its invariants (valid UTF-8 fields, at most kMaxFields fields of at most
// kMaxFieldBytes each, line numbers >= 1 and never going back, progress within 0..1). Errors
// are kInvalidArgument and name the file.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "campaigns/src/encoding.h"
#include "campaigns/src/table_reader.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// The import's bulk path: every record NextView gives that PlainRecord takes as plain has
// the fields of its raw bytes split at the separator.
void CheckPlainRecords(const std::string& bytes, sondeo::campaigns::encoding::Encoding enc) {
  using namespace sondeo::campaigns;  // NOLINT(google-build-using-namespace)
  auto reader = OpenCsvBytes(bytes, "base.csv", enc);
  if (!reader) return;
  std::vector<std::string_view> view;
  for (int n = 0; n < 100000; ++n) {
    uint64_t mark = 0;
    auto more = (*reader)->NextView(view, mark);
    if (!more || !*more) return;
    std::string_view raw;
    char separator = 0;
    if (!(*reader)->PlainRecord(mark, raw, separator)) continue;
    size_t start = 0;
    for (const std::string_view field : view) {
      Check(start <= raw.size());
      const size_t end = std::min(raw.find(separator, start), raw.size());
      Check(raw.substr(start, end - start) == field);
      start = end + 1;
    }
    Check(start == raw.size() + 1);
  }
}

// The one-pass scanner of plain records reads what the general scanner reads: the same
// records, fields, lines and errors.
void CheckFastPath(const std::string& bytes, sondeo::campaigns::encoding::Encoding enc) {
  using namespace sondeo::campaigns;  // NOLINT(google-build-using-namespace)
  auto fast = OpenCsvBytes(bytes, "base.csv", enc, true);
  auto slow = OpenCsvBytes(bytes, "base.csv", enc, false);
  Check(fast.ok() == slow.ok());
  if (!fast) return;
  TableRecord a;
  TableRecord b;
  for (int n = 0; n < 100000; ++n) {
    auto more_a = (*fast)->Next(a);
    auto more_b = (*slow)->Next(b);
    Check(more_a.ok() == more_b.ok());
    if (!more_a) {
      Check(more_a.error().message() == more_b.error().message());
      return;
    }
    Check(*more_a == *more_b);
    if (!*more_a) return;
    Check(a.line == b.line && a.fields == b.fields);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sondeo::campaigns;  // NOLINT(google-build-using-namespace)
  // First byte picks --encoding (auto, utf-8, windows-1252); the rest is the file.
  static const encoding::Encoding kEnc[] = {encoding::Encoding::kAuto, encoding::Encoding::kUtf8,
                                            encoding::Encoding::kWindows1252};
  const encoding::Encoding enc = size > 0 ? kEnc[data[0] % 3] : encoding::Encoding::kAuto;
  std::string bytes(reinterpret_cast<const char*>(data) + (size > 0 ? 1 : 0),
                    size > 0 ? size - 1 : 0);
  CheckPlainRecords(bytes, enc);
  CheckFastPath(bytes, enc);
  auto reader = OpenCsvBytes(std::move(bytes), "base.csv", enc);
  if (!reader) {
    Check(reader.error().code() == sondeo::StatusCode::kInvalidArgument);
    Check(reader.error().message().find("base.csv") != std::string::npos);
    return 0;
  }
  TableRecord rec;
  int64_t last_line = 0;
  for (int n = 0; n < 100000; ++n) {
    auto more = (*reader)->Next(rec);
    if (!more) {
      Check(more.error().code() == sondeo::StatusCode::kInvalidArgument);
      Check(more.error().message().find("base.csv") != std::string::npos);
      break;
    }
    if (!*more) break;
    Check(rec.line >= 1 && rec.line >= last_line);
    last_line = rec.line;
    Check(rec.fields.size() <= kMaxFields);
    for (const auto& f : rec.fields) {
      Check(f.size() <= kMaxFieldBytes);
      Check(encoding::FirstInvalidUtf8(f) == std::string::npos);
    }
    const double p = (*reader)->Progress();
    Check(p >= 0.0 && p <= 1.0);
  }
  return 0;
}
