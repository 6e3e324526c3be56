// libFuzzer target for the CSV reader of contact bases: never crashes, and whatever it
// returns keeps its invariants (valid UTF-8 fields, at most kMaxFields fields of at most
// kMaxFieldBytes each, line numbers >= 1 and never going back, progress within 0..1). Errors
// are kInvalidArgument and name the file.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "campaigns/src/encoding.h"
#include "campaigns/src/table_reader.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
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
