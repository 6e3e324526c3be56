// CSV reader: sniffed separator, RFC 4180 quotes, CRLF/LF, UTF-8 (BOM) or Windows-1252.
#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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
  CsvReader(std::string text, std::string name, std::string encoding_name, bool fast_path)
      : text_(std::move(text)),
        name_(std::move(name)),
        encoding_name_(std::move(encoding_name)),
        fast_path_(fast_path) {
    sep_ = SniffSeparator(text_);
    ends_run_[static_cast<unsigned char>(sep_)] = true;
    ends_run_[static_cast<unsigned char>('\n')] = true;
    ends_run_[static_cast<unsigned char>('\r')] = true;
  }

  Result<bool> Next(TableRecord& record) override {
    record.fields.clear();
    auto got = NextView(views_, mark_);
    if (!got.ok() || !*got) return got;
    record.line = record_line_;
    for (std::string_view f : views_) record.fields.emplace_back(f);
    return true;
  }

  Result<bool> NextView(std::vector<std::string_view>& fields, uint64_t& mark) override {
    Cursor cur{pos_, line_};
    auto got = Scan(cur, scratch_, fields);
    if (got.ok() && *got) {
      mark = cur.record_start;
      record_line_ = cur.record_line;
    }
    pos_ = cur.pos;
    line_ = cur.line;
    return got;
  }

  void Reread(uint64_t mark, std::vector<std::string_view>& fields,
              std::string& scratch) const override {
    Cursor cur{static_cast<size_t>(mark), 1};
    (void)Scan(cur, scratch, fields);  // read once already: no error the second time
  }

  bool PlainRecord(uint64_t mark, std::string_view& raw, char& separator) const override {
    size_t next = 0;
    if (!PlainLine(static_cast<size_t>(mark), raw, next)) return false;
    separator = sep_;
    return true;
  }

  std::unique_ptr<TableCursor> SplitHalf(size_t min_bytes) const override {
    if (text_.size() < min_bytes || text_.size() < 2) return nullptr;
    const size_t mid = std::max(text_.size() / 2, pos_);
    const void* nl = std::memchr(text_.data() + mid, '\n', text_.size() - mid);
    if (nl == nullptr) return nullptr;
    const auto start = static_cast<size_t>(static_cast<const char*>(nl) - text_.data()) + 1;
    if (start >= text_.size()) return nullptr;
    return std::make_unique<Half>(*this, start);
  }
  uint64_t TextBytes() const override { return text_.size(); }

  double Progress() const override {
    return text_.empty() ? 1.0 : static_cast<double>(pos_) / static_cast<double>(text_.size());
  }
  std::string_view EncodingName() const override { return encoding_name_; }

 private:
  struct Cursor {
    size_t pos = 0;
    int64_t line = 1;
    size_t record_start = 0;
    int64_t record_line = 0;
  };
  class Half final : public TableCursor {
   public:
    Half(const CsvReader& reader, size_t start) : reader_(reader), start_(start) {
      cur_.pos = start;
    }
    Result<bool> NextView(std::vector<std::string_view>& fields, uint64_t& mark) override {
      auto got = reader_.Scan(cur_, scratch_, fields);
      if (got.ok() && *got) mark = cur_.record_start;
      return got;
    }
    uint64_t Start() const override { return start_; }
    uint64_t Consumed() const override { return cur_.pos - start_; }

   private:
    const CsvReader& reader_;
    size_t start_;
    Cursor cur_;
    std::string scratch_;
  };

  // A field being read: a span of text_, or of `scratch` once it is not one contiguous run
  // of the text any more (an escaped quote, text after a closing quote).
  struct Field {
    size_t off = 0;
    size_t len = 0;
    bool in_scratch = false;
  };

  void Append(Field& f, std::string& scratch, size_t off, size_t len) const {
    if (len == 0) return;
    if (!f.in_scratch && f.len == 0) {
      f.off = off;
      f.len = len;
      return;
    }
    if (!f.in_scratch && f.off + f.len == off) {
      f.len += len;
      return;
    }
    if (!f.in_scratch) {
      const size_t moved = scratch.size();
      scratch.append(text_, f.off, f.len);
      f.off = moved;
      f.in_scratch = true;
    }
    scratch.append(text_, off, len);
    f.len += len;
  }

  // Reads the record at cur.pos (blank lines skipped) into `out`: views of text_ or of
  // `scratch` (cleared first).
  Result<bool> Scan(Cursor& cur, std::string& scratch, std::vector<std::string_view>& out) const {
    out.clear();
    scratch.clear();
    const size_t n = text_.size();
    const char* text = text_.data();
    // Skip blank lines.
    while (cur.pos < n && (text[cur.pos] == '\n' || text[cur.pos] == '\r')) {
      if (text[cur.pos] == '\n') ++cur.line;
      ++cur.pos;
    }
    if (cur.pos >= n) return false;
    cur.record_start = cur.pos;
    cur.record_line = cur.line;
    if (ScanPlain(cur, out)) return true;
    // Fields are kept as spans first: `scratch` may move while the record is read.
    Field spans[kSmallRecord];
    std::vector<Field> more;
    size_t count = 0;
    Field field;
    size_t field_start = cur.pos;
    auto end_field = [&]() -> Status {
      if (count >= kMaxFields) {
        return ErrorAt(name_, text_, field_start, "fila de más de 1000 campos");
      }
      if (count < kSmallRecord) {
        spans[count] = field;
      } else {
        more.push_back(field);
      }
      ++count;
      field = Field{};
      return Status::Ok();
    };
    auto finish = [&]() {
      out.reserve(count);
      for (size_t i = 0; i < count; ++i) {
        const Field& f = i < kSmallRecord ? spans[i] : more[i - kSmallRecord];
        out.emplace_back((f.in_scratch ? scratch.data() : text) + f.off, f.len);
      }
      return true;
    };
    size_t& pos = cur.pos;
    while (true) {
      if (pos >= n) {
        if (auto s = end_field(); !s.ok()) return s;
        return finish();
      }
      const char c = text[pos];
      if (c == '"' && pos == field_start) {
        // A quoted field: read to the closing quote ("" is a quote).
        const size_t open = pos;
        ++pos;
        while (true) {
          const void* q = std::memchr(text + pos, '"', n - pos);
          const size_t close =
              q == nullptr ? n : static_cast<size_t>(static_cast<const char*>(q) - text);
          const bool escaped = close + 1 < n && text[close + 1] == '"';
          const size_t run = close - pos + (escaped ? 1 : 0);
          if (field.len + run > kMaxFieldBytes) return TooLong(field_start);
          cur.line += std::count(text + pos, text + close, '\n');
          if (close >= n) return ErrorAt(name_, text_, open, "comillas sin cerrar (abren aquí)");
          Append(field, scratch, pos, run);
          pos = close + (escaped ? 2 : 1);
          if (!escaped) break;
        }
        continue;
      }
      if (c == sep_) {
        if (auto s = end_field(); !s.ok()) return s;
        ++pos;
        field_start = pos;
        continue;
      }
      if (c == '\r' && pos + 1 < n && text[pos + 1] == '\n') {
        ++pos;
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (c == '\n') ++cur.line;
        ++pos;
        if (auto s = end_field(); !s.ok()) return s;
        return finish();
      }
      // Anything else (also a stray quote inside an unquoted field) is kept as is: the run
      // up to the next separator or line end is taken at once.
      const size_t room = kMaxFieldBytes + 1 - field.len;
      size_t end = pos + 1;
      const size_t limit = std::min(n, pos + room);
      while (end < limit && !ends_run_[static_cast<unsigned char>(text[end])]) ++end;
      Append(field, scratch, pos, end - pos);
      pos = end;
      if (field.len > kMaxFieldBytes) return TooLong(field_start);
    }
  }

  // A record that is one line (LF, CRLF or the end of the text) of at most
  // kPlainRecordBytes, with no quote and no other CR, as most records of a base are: its
  // fields are the runs between separators. `body` is its bytes without the line end,
  // `next` where the next record starts. False for any other record.
  static constexpr size_t kPlainRecordBytes = size_t{64} << 10;
  bool PlainLine(size_t pos, std::string_view& body, size_t& next) const {
    const char* p = text_.data() + pos;
    const size_t avail = text_.size() - pos;
    const auto* nl =
        static_cast<const char*>(std::memchr(p, '\n', std::min(avail, kPlainRecordBytes + 1)));
    const size_t len = nl != nullptr ? static_cast<size_t>(nl - p) : avail;
    if (len > kPlainRecordBytes || std::memchr(p, '"', len) != nullptr) return false;
    const size_t size = len > 0 && p[len - 1] == '\r' ? len - 1 : len;
    if (std::memchr(p, '\r', size) != nullptr) return false;
    body = std::string_view(p, size);
    next = pos + len + (nl != nullptr ? 1 : 0);
    return true;
  }

  // Scan's fast path: a record that is one line (LF, CRLF or the end of the text) of at most
  // kPlainRecordBytes, with no quote, no other CR and at most kMaxFields fields, as most
  // records of a base are. Its fields are the runs between separators, found in one pass
  // over the line, 16 bytes at a time (a quarter of pass 1 went to finding the line end,
  // the quotes, the CRs and the separators in four). False, with `cur` as it was and `out`
  // empty, for any other record: the general scanner reads it.
  bool ScanPlain(Cursor& cur, std::vector<std::string_view>& out) const {
    if (!fast_path_) return false;
    const char* text = text_.data();
    const size_t n = text_.size();
    const size_t limit = std::min(n, cur.pos + kPlainRecordBytes + 1);
    size_t field_start = cur.pos;
    auto field_ends_at = [&](size_t end) {
      out.emplace_back(text + field_start, end - field_start);
      field_start = end + 1;
    };
    size_t i = cur.pos;
    bool stopped = false;  // at a line end, quote or CR
#ifdef __SSE2__
    const __m128i sep = _mm_set1_epi8(sep_);
    const __m128i lf = _mm_set1_epi8('\n');
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i quote = _mm_set1_epi8('"');
    while (i + 16 <= limit) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text + i));
      auto seps = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, sep)));
      const auto stops = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)), _mm_cmpeq_epi8(v, quote))));
      if (stops != 0) seps &= (1u << std::countr_zero(stops)) - 1;
      for (; seps != 0; seps &= seps - 1)
        field_ends_at(i + static_cast<size_t>(std::countr_zero(seps)));
      if (stops != 0) {
        i += static_cast<size_t>(std::countr_zero(stops));
        stopped = true;
        break;
      }
      i += 16;
    }
#endif
    for (; !stopped && i < limit; ++i) {
      const char c = text[i];
      if (c == '\n' || c == '\r' || c == '"') {
        stopped = true;
        break;
      }
      if (c == sep_) field_ends_at(i);
    }
    size_t next = 0;
    if (!stopped && i == n) {
      next = n;  // the last record, without a line end
    } else if (stopped && text[i] == '\n') {
      next = i + 1;
    } else if (stopped && text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') {
      next = i + 2;
    } else {  // a quote, a lone CR, or a line too long
      out.clear();
      return false;
    }
    field_ends_at(i);
    if (out.size() > kMaxFields) {
      out.clear();
      return false;
    }
    if (text[next - 1] == '\n') ++cur.line;  // next > cur.pos: Scan is not at the end
    cur.pos = next;
    return true;
  }

  Status TooLong(size_t field_start) const {
    return ErrorAt(name_, text_, field_start, "campo de más de 1 MB");
  }

  static constexpr size_t kSmallRecord = 32;

  std::string text_;
  std::string name_;
  std::string encoding_name_;
  bool fast_path_ = true;  // ScanPlain (false only to test it against the general scanner)
  char sep_ = ',';
  bool ends_run_[256] = {};  // the separator, '\n' and '\r'
  size_t pos_ = 0;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
  // Next()'s and NextView()'s working space.
  std::string scratch_;
  std::vector<std::string_view> views_;
  uint64_t mark_ = 0;
};

// The whole stream in blocks (also for pipes and devices, whose size is unknown), reserving
// the file's size when the stream can tell it. nullopt on a read error.
std::optional<std::string> ReadAll(std::ifstream& in) {
  std::string bytes;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.clear();
  in.seekg(0, std::ios::beg);
  in.clear();
  constexpr size_t kBlock = size_t{1} << 20;
  // One read of size + 1 bytes for a regular file (the extra byte meets the end of file).
  size_t want = size > 0 ? static_cast<size_t>(size) + 1 : kBlock;
  size_t used = 0;
  bytes.reserve(want);
  while (true) {
    bytes.resize(used + want);
    in.read(bytes.data() + used, static_cast<std::streamsize>(want));
    used += static_cast<size_t>(in.gcount());
    if (!in) break;
    want = kBlock;
  }
  bytes.resize(used);
  if (in.bad()) return std::nullopt;
  return bytes;
}

// `n` bytes at `offset` into `out`. False on an error or an early end of file.
bool ReadAt(int fd, char* out, size_t n, size_t offset) {
  while (n > 0) {
    const ssize_t got = ::pread(fd, out, n, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    out += got;
    n -= static_cast<size_t>(got);
    offset += static_cast<size_t>(got);
  }
  return true;
}

// Faults in the whole pages of [p, p + n) for writing, without writing them (they are
// zero). False when the kernel cannot (before Linux 5.14): the first writes fault them in.
bool Prefault(char* p, size_t n) {
  constexpr uintptr_t kPage = 4096;
  const auto begin = (reinterpret_cast<uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
  const auto end = (reinterpret_cast<uintptr_t>(p) + n) & ~(kPage - 1);
  if (end <= begin) return false;
  return ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_POPULATE_WRITE) == 0;
}

// A regular file of `parallel_from` bytes or more, read in two halves on two threads: the
// page faults of a fresh buffer of a hundred megabytes and the kernel's copy into it are
// most of the reading, and each thread takes half. nullopt when the file is not such a file
// or changed size while it was read: the caller reads it the plain way.
std::optional<std::string> ReadInHalves(const std::string& path, size_t parallel_from) {
  // Looked at before it is opened: opening a pipe would wait for its writer, and what it
  // then sent would be lost to the plain read.
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0 || !S_ISREG(before.st_mode)) return std::nullopt;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      static_cast<uint64_t>(st.st_size) < std::max<size_t>(parallel_from, 2)) {
    return std::nullopt;
  }
  const auto size = static_cast<size_t>(st.st_size);
  const size_t mid = size / 2;
  std::string bytes;
  bytes.reserve(size);
  // Fault in the halves at once (then the zeroing of resize() costs little), then read them.
  std::thread other([&] { Prefault(bytes.data() + mid, size - mid); });
  Prefault(bytes.data(), mid);
  other.join();
  bytes.resize(size);
  bool second_ok = false;
  other = std::thread([&] { second_ok = ReadAt(fd, bytes.data() + mid, size - mid, mid); });
  const bool first_ok = ReadAt(fd, bytes.data(), mid, 0);
  other.join();
  char more = 0;
  if (!first_ok || !second_ok || ::pread(fd, &more, 1, static_cast<off_t>(size)) != 0) {
    return std::nullopt;
  }
  return bytes;
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' || c == ';' || c == '|';
  });
}

}  // namespace

Result<std::unique_ptr<TableReader>> OpenCsvBytes(std::string bytes, std::string name, Encoding enc,
                                                  bool fast_path) {
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
    if (size_t bad = encoding::FirstInvalidUtf8Split(text); bad != std::string::npos) {
      return ErrorAt(name, text, bad, "bytes inválidos en UTF-8 (use --encoding windows-1252)");
    }
  } else if (enc == Encoding::kWindows1252) {
    text = encoding::Windows1252ToUtf8(bytes);
    enc_name = "windows-1252";
  } else if (size_t bad = encoding::FirstInvalidUtf8Split(bytes); bad == std::string::npos) {
    text = std::move(bytes);
    enc_name = "utf-8";
  } else if (enc == Encoding::kUtf8) {
    return ErrorAt(name, bytes, bad, "bytes inválidos en UTF-8 (use --encoding windows-1252)");
  } else {
    text = encoding::Windows1252ToUtf8(bytes);
    enc_name = "windows-1252";
  }
  if (IsBlank(text)) return Status::InvalidArgument(name + ": archivo vacío");
  return std::unique_ptr<TableReader>(std::make_unique<CsvReader>(std::move(text), std::move(name),
                                                                  std::move(enc_name), fast_path));
}

Result<std::unique_ptr<TableReader>> OpenTable(const std::string& path,
                                               const TableOptions& options) {
  std::optional<std::string> bytes_read = ReadInHalves(path, options.parallel_read_bytes);
  if (!bytes_read) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::NotFound(path + ": no se puede abrir el archivo");
    bytes_read = ReadAll(in);
    if (!bytes_read) return Status::InvalidArgument(path + ": error de lectura");
  }
  std::string bytes = std::move(*bytes_read);
  if (bytes.empty()) return Status::InvalidArgument(path + ": archivo vacío");
  if (bytes.size() >= 4 && bytes.compare(0, 4, "PK\x03\x04") == 0) {
    bytes.clear();
    bytes.shrink_to_fit();
    return OpenXlsx(path, path, options.sheet);
  }
  return OpenCsvBytes(std::move(bytes), path, options.encoding);
}

}  // namespace sondeo::campaigns
