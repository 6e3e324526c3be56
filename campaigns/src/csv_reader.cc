// CSV reader: sniffed separator, RFC 4180 quotes, CRLF/LF, UTF-8 (BOM) or Windows-1252.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include <fmt/format.h>

#include "campaigns/src/table_reader.h"

namespace sondeo::campaigns {

namespace {

using encoding::Encoding;

// 1-based line and column (in code points) of byte `pos` in `text`.
void LineColumn(std::string_view text, size_t pos, int64_t& line, int64_t& column) {
  line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  column = 1;
  for (size_t i = line_start; i < pos && i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
}

Status ErrorAt(const std::string& name, std::string_view text, size_t pos, std::string_view what) {
  int64_t line = 0;
  int64_t column = 0;
  LineColumn(text, pos, line, column);
  return Status::InvalidArgument(
      fmt::format("{}, línea {}, columna {}: {}", name, line, column, what));
}

// The separator of the first record: the most frequent of , ; tab | outside quotes
// (ties in that order); ',' when none appears.
char SniffSeparator(std::string_view text) {
  size_t counts[4] = {0, 0, 0, 0};
  const char seps[4] = {',', ';', '\t', '|'};
  bool quoted = false;
  for (char c : text) {
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted) {
      if (c == '\n' || c == '\r') break;
      for (int k = 0; k < 4; ++k) {
        if (c == seps[k]) ++counts[k];
      }
    }
  }
  int best = 0;
  for (int k = 1; k < 4; ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  return seps[best];
}

class CsvReader final : public TableReader {
 public:
  CsvReader(std::string text, std::string name, std::string encoding_name)
      : text_(std::move(text)), name_(std::move(name)), encoding_name_(std::move(encoding_name)) {
    sep_ = SniffSeparator(text_);
  }

  Result<bool> Next(TableRecord& record) override {
    record.fields.clear();
    const size_t n = text_.size();
    // Skip blank lines.
    while (pos_ < n && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
    if (pos_ >= n) return false;
    record.line = line_;
    std::string field;
    size_t field_start = pos_;
    bool field_quoted = false;
    while (true) {
      if (pos_ >= n) {
        if (auto s = EndField(record, field, field_start); !s.ok()) return s;
        return true;
      }
      const char c = text_[pos_];
      if (c == '"' && field.empty() && !field_quoted && pos_ == field_start) {
        // A quoted field: read to the closing quote ("" is a quote).
        field_quoted = true;
        const size_t open = pos_;
        ++pos_;
        while (true) {
          if (pos_ >= n) return ErrorAt(name_, text_, open, "comillas sin cerrar (abren aquí)");
          const char q = text_[pos_];
          if (q == '"') {
            if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
              field.push_back('"');
              pos_ += 2;
              continue;
            }
            ++pos_;
            break;
          }
          if (q == '\n') ++line_;
          field.push_back(q);
          ++pos_;
          if (field.size() > kMaxFieldBytes) return TooLong(field_start);
        }
        continue;
      }
      if (c == sep_) {
        if (auto s = EndField(record, field, field_start); !s.ok()) return s;
        ++pos_;
        field_start = pos_;
        field_quoted = false;
        continue;
      }
      if (c == '\r' && pos_ + 1 < n && text_[pos_ + 1] == '\n') {
        ++pos_;
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (c == '\n') ++line_;
        ++pos_;
        if (auto s = EndField(record, field, field_start); !s.ok()) return s;
        return true;
      }
      // Anything else (also a stray quote inside an unquoted field) is kept as is.
      field.push_back(c);
      ++pos_;
      if (field.size() > kMaxFieldBytes) return TooLong(field_start);
    }
  }

  double Progress() const override {
    return text_.empty() ? 1.0 : static_cast<double>(pos_) / static_cast<double>(text_.size());
  }
  std::string_view EncodingName() const override { return encoding_name_; }

 private:
  Status TooLong(size_t field_start) const {
    return ErrorAt(name_, text_, field_start, "campo de más de 1 MB");
  }
  Status EndField(TableRecord& record, std::string& field, size_t field_start) {
    if (record.fields.size() >= kMaxFields) {
      return ErrorAt(name_, text_, field_start, "fila de más de 1000 campos");
    }
    record.fields.push_back(std::move(field));
    field.clear();
    return Status::Ok();
  }

  std::string text_;
  std::string name_;
  std::string encoding_name_;
  char sep_ = ',';
  size_t pos_ = 0;
  int64_t line_ = 1;
};

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ';' || c == '|';
  });
}

}  // namespace

Result<std::unique_ptr<TableReader>> OpenCsvBytes(std::string bytes, std::string name,
                                                  Encoding enc) {
  if (const void* nul = std::memchr(bytes.data(), '\0', bytes.size()); nul != nullptr) {
    const auto pos = static_cast<size_t>(static_cast<const char*>(nul) - bytes.data());
    return ErrorAt(name, bytes, pos,
                   "archivo binario (byte NUL): no es un CSV de texto ni un XLSX");
  }
  std::string enc_name;
  std::string text;
  if (encoding::HasUtf8Bom(bytes) && enc != Encoding::kWindows1252) {
    text = bytes.substr(3);
    enc_name = "utf-8-bom";
    if (size_t bad = encoding::FirstInvalidUtf8(text); bad != std::string::npos) {
      return ErrorAt(name, text, bad, "bytes inválidos en UTF-8 (use --encoding windows-1252)");
    }
  } else if (enc == Encoding::kWindows1252) {
    text = encoding::Windows1252ToUtf8(bytes);
    enc_name = "windows-1252";
  } else if (size_t bad = encoding::FirstInvalidUtf8(bytes); bad == std::string::npos) {
    text = std::move(bytes);
    enc_name = "utf-8";
  } else if (enc == Encoding::kUtf8) {
    return ErrorAt(name, bytes, bad, "bytes inválidos en UTF-8 (use --encoding windows-1252)");
  } else {
    text = encoding::Windows1252ToUtf8(bytes);
    enc_name = "windows-1252";
  }
  if (IsBlank(text)) return Status::InvalidArgument(name + ": archivo vacío");
  return std::unique_ptr<TableReader>(
      std::make_unique<CsvReader>(std::move(text), std::move(name), std::move(enc_name)));
}

Result<std::unique_ptr<TableReader>> OpenTable(const std::string& path,
                                               const TableOptions& options) {
  // stdio, not istreambuf_iterator: GCC 12 at -O2 flags libstdc++'s streambuf with
  // -Wnull-dereference, and one read of the whole file is all this needs.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) return Status::NotFound(path + ": no se puede abrir el archivo");
  std::string bytes;
  char chunk[1 << 16];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0) bytes.append(chunk, n);
  if (std::ferror(file.get()) != 0) return Status::InvalidArgument(path + ": error de lectura");
  if (bytes.empty()) return Status::InvalidArgument(path + ": archivo vacío");
  if (bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0) {
    bytes.clear();
    bytes.shrink_to_fit();
    return OpenXlsx(path, path, options.sheet);
  }
  return OpenCsvBytes(std::move(bytes), path, options.encoding);
}

}  // namespace sondeo::campaigns
