// XLSX reader: the ZIP through libzip, the workbook, shared strings and the sheet through
// expat (streamed: the sheet is parsed chunk by chunk as records are pulled).
#include <cmath>
#include <cstdlib>
#include <deque>
#include <map>

#include <expat.h>
#include <fmt/format.h>
#include <zip.h>

#include "campaigns/src/table_reader.h"

namespace sondeo::campaigns {

namespace {

std::string_view LocalName(const XML_Char* name) {
  std::string_view n(name);
  if (size_t colon = n.rfind(':'); colon != std::string_view::npos) n.remove_prefix(colon + 1);
  return n;
}

const char* Attr(const XML_Char** attrs, std::string_view want) {
  for (int i = 0; attrs[i] != nullptr; i += 2) {
    if (LocalName(attrs[i]) == want) return attrs[i + 1];
  }
  return nullptr;
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};
struct ParserFree {
  void operator()(XML_ParserStruct* p) const { XML_ParserFree(p); }
};
using ZipPtr = std::unique_ptr<zip_t, ZipCloser>;
using ZipFilePtr = std::unique_ptr<zip_file_t, ZipFileCloser>;
using ParserPtr = std::unique_ptr<XML_ParserStruct, ParserFree>;

// Parses a whole member of the archive with `handler` (start, end, text callbacks on an
// object). Returns false when the member is missing.
template <typename Handler>
Result<bool> ParseMember(zip_t* zip, const std::string& member, const std::string& name,
                         Handler& handler) {
  ZipFilePtr file(zip_fopen(zip, member.c_str(), 0));
  if (!file) return false;
  ParserPtr parser(XML_ParserCreate(nullptr));
  XML_SetUserData(parser.get(), &handler);
  XML_SetElementHandler(
      parser.get(),
      [](void* ud, const XML_Char* el, const XML_Char** attrs) {
        static_cast<Handler*>(ud)->Start(LocalName(el), attrs);
      },
      [](void* ud, const XML_Char* el) { static_cast<Handler*>(ud)->End(LocalName(el)); });
  XML_SetCharacterDataHandler(parser.get(), [](void* ud, const XML_Char* s, int len) {
    static_cast<Handler*>(ud)->Text(std::string_view(s, static_cast<size_t>(len)));
  });
  char buf[65536];
  while (true) {
    const zip_int64_t got = zip_fread(file.get(), buf, sizeof buf);
    if (got < 0) return Status::InvalidArgument(fmt::format("{}: {} dañado", name, member));
    const bool last = got == 0;
    if (XML_Parse(parser.get(), buf, static_cast<int>(got), last ? 1 : 0) != XML_STATUS_OK) {
      return Status::InvalidArgument(fmt::format("{}: {} línea {}: XML inválido ({})", name, member,
                                                 XML_GetCurrentLineNumber(parser.get()),
                                                 XML_ErrorString(XML_GetErrorCode(parser.get()))));
    }
    if (!handler.error.ok()) return handler.error;
    if (last) break;
  }
  return true;
}

struct WorkbookHandler {
  std::vector<std::pair<std::string, std::string>> sheets;  // name, relationship id
  Status error;
  void Start(std::string_view el, const XML_Char** attrs) {
    if (el != "sheet") return;
    const char* n = Attr(attrs, "name");
    const char* id = Attr(attrs, "id");
    sheets.emplace_back(n ? n : "", id ? id : "");
  }
  void End(std::string_view) {}
  void Text(std::string_view) {}
};

struct RelsHandler {
  std::map<std::string, std::string> targets;
  Status error;
  void Start(std::string_view el, const XML_Char** attrs) {
    if (el != "Relationship") return;
    const char* id = Attr(attrs, "Id");
    const char* target = Attr(attrs, "Target");
    if (id && target) targets[id] = target;
  }
  void End(std::string_view) {}
  void Text(std::string_view) {}
};

struct SharedStringsHandler {
  std::vector<std::string> strings;
  Status error;
  std::string current;
  bool in_t = false;
  int phonetic = 0;  // inside <rPh>: reading hints, not text
  void Start(std::string_view el, const XML_Char**) {
    if (el == "si") current.clear();
    if (el == "rPh") ++phonetic;
    if (el == "t") in_t = true;
  }
  void End(std::string_view el) {
    if (el == "t") in_t = false;
    if (el == "rPh") --phonetic;
    if (el == "si") strings.push_back(std::move(current));
  }
  void Text(std::string_view s) {
    if (in_t && phonetic == 0) {
      current.append(s);
      if (current.size() > kMaxFieldBytes) error = Status::InvalidArgument("texto de más de 1 MB");
    }
  }
};

// "AB12" -> 0-based column 27; -1 when malformed.
int64_t ColumnOf(std::string_view ref) {
  int64_t col = 0;
  size_t i = 0;
  for (; i < ref.size() && ref[i] >= 'A' && ref[i] <= 'Z'; ++i) {
    col = col * 26 + (ref[i] - 'A' + 1);
    if (col > 20000) return -1;
  }
  return i == 0 ? -1 : col - 1;
}

// A number cell as text: integral values without exponent or ".0" (3.001234567E9 ->
// "3001234567"), others in their shortest round-trip form.
std::string NumberText(const std::string& v) {
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || !std::isfinite(d)) return v;
  if (std::fabs(d) < 1e15 && d == std::floor(d)) return fmt::format("{:.0f}", d);
  return fmt::format("{}", d);
}

class XlsxReader final : public TableReader {
 public:
  Status Init(const std::string& path, const std::string& name, const std::string& sheet) {
    name_ = name;
    int err = 0;
    zip_.reset(zip_open(path.c_str(), ZIP_RDONLY, &err));
    if (!zip_) return Status::InvalidArgument(name + ": no es un XLSX válido (ZIP ilegible)");
    WorkbookHandler wb;
    auto found = ParseMember(zip_.get(), "xl/workbook.xml", name, wb);
    if (!found.ok()) return found.error();
    if (!*found || wb.sheets.empty()) {
      return Status::InvalidArgument(name + ": no es un XLSX (falta xl/workbook.xml)");
    }
    size_t index = 0;
    if (!sheet.empty()) {
      index = wb.sheets.size();
      for (size_t i = 0; i < wb.sheets.size(); ++i) {
        if (wb.sheets[i].first == sheet) index = i;
      }
      if (index == wb.sheets.size()) {
        std::string names;
        for (const auto& s : wb.sheets) names += (names.empty() ? "" : ", ") + s.first;
        return Status::InvalidArgument(
            fmt::format("{}: no hay una hoja llamada '{}' (hojas: {})", name, sheet, names));
      }
    }
    RelsHandler rels;
    auto rels_found = ParseMember(zip_.get(), "xl/_rels/workbook.xml.rels", name, rels);
    if (!rels_found.ok()) return rels_found.error();
    std::string member = fmt::format("xl/worksheets/sheet{}.xml", index + 1);
    if (auto it = rels.targets.find(wb.sheets[index].second); it != rels.targets.end()) {
      member = it->second[0] == '/' ? it->second.substr(1) : "xl/" + it->second;
    }
    SharedStringsHandler ss;
    auto ss_found = ParseMember(zip_.get(), "xl/sharedStrings.xml", name, ss);
    if (!ss_found.ok()) return ss_found.error();
    shared_ = std::move(ss.strings);

    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat(zip_.get(), member.c_str(), 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE)) {
      total_ = st.size;
    }
    sheet_.reset(zip_fopen(zip_.get(), member.c_str(), 0));
    if (!sheet_) return Status::InvalidArgument(fmt::format("{}: falta la hoja {}", name, member));
    member_ = member;
    parser_.reset(XML_ParserCreate(nullptr));
    XML_SetUserData(parser_.get(), this);
    XML_SetElementHandler(
        parser_.get(),
        [](void* ud, const XML_Char* el, const XML_Char** attrs) {
          static_cast<XlsxReader*>(ud)->Start(LocalName(el), attrs);
        },
        [](void* ud, const XML_Char* el) { static_cast<XlsxReader*>(ud)->End(LocalName(el)); });
    XML_SetCharacterDataHandler(parser_.get(), [](void* ud, const XML_Char* s, int len) {
      static_cast<XlsxReader*>(ud)->Text(std::string_view(s, static_cast<size_t>(len)));
    });
    return Status::Ok();
  }

  Result<bool> Next(TableRecord& record) override {
    while (ready_.empty()) {
      if (done_) return false;
      char buf[65536];
      const zip_int64_t got = zip_fread(sheet_.get(), buf, sizeof buf);
      if (got < 0) return Status::InvalidArgument(fmt::format("{}: {} dañado", name_, member_));
      read_ += static_cast<uint64_t>(got);
      const bool last = got == 0;
      if (XML_Parse(parser_.get(), buf, static_cast<int>(got), last ? 1 : 0) != XML_STATUS_OK) {
        return Status::InvalidArgument(
            fmt::format("{}: {} línea {}: XML inválido ({})", name_, member_,
                        XML_GetCurrentLineNumber(parser_.get()),
                        XML_ErrorString(XML_GetErrorCode(parser_.get()))));
      }
      if (!error_.ok()) return error_;
      if (last) done_ = true;
    }
    record = std::move(ready_.front());
    ready_.pop_front();
    return true;
  }

  double Progress() const override {
    return total_ == 0 ? 0.0 : static_cast<double>(read_) / static_cast<double>(total_);
  }
  std::string_view EncodingName() const override { return "xlsx"; }

 private:
  void Start(std::string_view el, const XML_Char** attrs) {
    if (!error_.ok()) return;
    if (el == "row") {
      row_ = TableRecord{};
      const char* r = Attr(attrs, "r");
      row_.line = r ? std::atoll(r) : last_row_ + 1;
      last_row_ = row_.line;
      next_col_ = 0;
    } else if (el == "c") {
      const char* r = Attr(attrs, "r");
      const char* t = Attr(attrs, "t");
      cell_col_ = r ? ColumnOf(r) : next_col_;
      if (cell_col_ < 0) cell_col_ = next_col_;
      next_col_ = cell_col_ + 1;
      cell_type_ = t ? t : "n";
      value_.clear();
      in_cell_ = true;
    } else if (el == "v" || (el == "t" && in_cell_)) {
      in_text_ = true;
    } else if (el == "rPh") {
      ++phonetic_;
    }
  }

  void End(std::string_view el) {
    if (!error_.ok()) return;
    if (el == "v" || el == "t") {
      in_text_ = false;
    } else if (el == "rPh") {
      --phonetic_;
    } else if (el == "c") {
      in_cell_ = false;
      if (static_cast<size_t>(cell_col_) >= kMaxFields) {
        error_ = Status::InvalidArgument(
            fmt::format("{}, fila {}, columna {}: fila de más de 1000 campos", name_, row_.line,
                        cell_col_ + 1));
        return;
      }
      std::string text;
      if (cell_type_ == "s") {
        const auto idx = static_cast<size_t>(std::strtoull(value_.c_str(), nullptr, 10));
        if (idx < shared_.size()) text = shared_[idx];
      } else if (cell_type_ == "n") {
        text = value_.empty() ? "" : NumberText(value_);
      } else if (cell_type_ == "e") {
        text.clear();
      } else {
        text = std::move(value_);
      }
      const auto col = static_cast<size_t>(cell_col_);
      if (row_.fields.size() <= col) row_.fields.resize(col + 1);
      row_.fields[col] = std::move(text);
    } else if (el == "row") {
      bool blank = true;
      for (const auto& f : row_.fields) {
        if (!f.empty()) blank = false;
      }
      if (!blank) ready_.push_back(std::move(row_));
    }
  }

  void Text(std::string_view s) {
    if (!in_text_ || phonetic_ > 0 || !error_.ok()) return;
    value_.append(s);
    if (value_.size() > kMaxFieldBytes) {
      error_ = Status::InvalidArgument(fmt::format("{}, fila {}, columna {}: campo de más de 1 MB",
                                                   name_, row_.line, cell_col_ + 1));
    }
  }

  std::string name_;
  std::string member_;
  ZipPtr zip_;
  ZipFilePtr sheet_;
  ParserPtr parser_;
  std::vector<std::string> shared_;
  std::deque<TableRecord> ready_;
  TableRecord row_;
  int64_t last_row_ = 0;
  int64_t next_col_ = 0;
  int64_t cell_col_ = 0;
  std::string cell_type_;
  std::string value_;
  bool in_cell_ = false;
  bool in_text_ = false;
  int phonetic_ = 0;
  bool done_ = false;
  Status error_;
  uint64_t total_ = 0;
  uint64_t read_ = 0;
};

}  // namespace

Result<std::unique_ptr<TableReader>> OpenXlsx(const std::string& path, const std::string& name,
                                              const std::string& sheet) {
  auto reader = std::make_unique<XlsxReader>();
  if (Status s = reader->Init(path, name, sheet); !s.ok()) return s;
  return std::unique_ptr<TableReader>(std::move(reader));
}

}  // namespace sondeo::campaigns
