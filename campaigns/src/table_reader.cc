// The default bulk path of TableReader (used by the XLSX reader): every record is packed
// into one arena as it is read, so Reread() can give it back.
#include "campaigns/src/table_reader.h"

#include <cstring>

namespace sondeo::campaigns {

Result<bool> TableReader::NextView(std::vector<std::string_view>& fields, uint64_t& mark) {
  fields.clear();
  auto got = Next(kept_record_);
  if (!got.ok() || !*got) return got;
  mark = kept_starts_.size();
  kept_starts_.push_back(kept_.size());
  const auto count = static_cast<uint32_t>(kept_record_.fields.size());
  kept_.append(reinterpret_cast<const char*>(&count), sizeof count);
  for (const auto& f : kept_record_.fields) {
    const auto len = static_cast<uint32_t>(f.size());
    kept_.append(reinterpret_cast<const char*>(&len), sizeof len);
    kept_.append(f);
  }
  for (const auto& f : kept_record_.fields) fields.emplace_back(f);
  return true;
}

void TableReader::Reread(uint64_t mark, std::vector<std::string_view>& fields,
                         std::string& /*scratch*/) const {
  fields.clear();
  size_t pos = kept_starts_[mark];
  uint32_t count = 0;
  std::memcpy(&count, kept_.data() + pos, sizeof count);
  pos += sizeof count;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t len = 0;
    std::memcpy(&len, kept_.data() + pos, sizeof len);
    pos += sizeof len;
    fields.emplace_back(kept_.data() + pos, len);
    pos += len;
  }
}

bool TableReader::PlainRecord(uint64_t /*mark*/, std::string_view& /*raw*/,
                              char& /*separator*/) const {
  return false;
}

std::unique_ptr<TableCursor> TableReader::SplitHalf(size_t /*min_bytes*/) const { return nullptr; }

}  // namespace sondeo::campaigns
