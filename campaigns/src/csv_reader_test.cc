#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include "campaigns/src/encoding.h"
#include "campaigns/src/table_reader.h"
#include "tests/testutil/testutil.h"

namespace sondeo::campaigns {
namespace {

using encoding::Encoding;
using Rows = std::vector<std::vector<std::string>>;

Result<Rows> ReadAll(std::string bytes, Encoding enc = Encoding::kAuto,
                     std::vector<int64_t>* lines = nullptr) {
  auto reader = OpenCsvBytes(std::move(bytes), "base.csv", enc);
  if (!reader.ok()) return reader.error();
  Rows rows;
  TableRecord rec;
  while (true) {
    auto got = (*reader)->Next(rec);
    if (!got.ok()) return got.error();
    if (!*got) break;
    rows.push_back(rec.fields);
    if (lines) lines->push_back(rec.line);
  }
  return rows;
}

struct Case {
  std::string name;
  std::string input;
  Rows want;
};

TEST(CsvReaderTest, ParsesDialects) {
  const std::vector<Case> cases = {
      {"comma", "a,b\n1,2\n", {{"a", "b"}, {"1", "2"}}},
      {"semicolon", "a;b\n1,5;2\n", {{"a", "b"}, {"1,5", "2"}}},
      {"pipe", "a|b\n1|2\n", {{"a", "b"}, {"1", "2"}}},
      {"tab", "a\tb\n1\t2\n", {{"a", "b"}, {"1", "2"}}},
      {"crlf", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
      {"no final newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
      {"quoted separator", "a,b\n\"x,y\",2\n", {{"a", "b"}, {"x,y", "2"}}},
      {"escaped quote", "a,b\n\"say \"\"hi\"\"\",2\n", {{"a", "b"}, {"say \"hi\"", "2"}}},
      {"embedded newline", "a,b\n\"l1\nl2\",2\n", {{"a", "b"}, {"l1\nl2", "2"}}},
      {"embedded crlf", "a,b\r\n\"l1\r\nl2\",2\r\n", {{"a", "b"}, {"l1\r\nl2", "2"}}},
      {"empty fields", "a,b,c\n,,\n", {{"a", "b", "c"}, {"", "", ""}}},
      {"blank lines skipped", "a,b\n\n1,2\n\r\n3,4\n", {{"a", "b"}, {"1", "2"}, {"3", "4"}}},
      {"ragged kept as read", "a,b\n1\n1,2,3\n", {{"a", "b"}, {"1"}, {"1", "2", "3"}}},
      {"stray quote kept", "a,b\nO\"Neil,2\n", {{"a", "b"}, {"O\"Neil", "2"}}},
      {"bom", "\xEF\xBB\xBFnombre,tel\n1,2\n", {{"nombre", "tel"}, {"1", "2"}}},
      {"utf8 accents", "teléfono;ciudad\n1;Bogotá\n", {{"teléfono", "ciudad"}, {"1", "Bogotá"}}},
      {"windows-1252 o acute",
       "tel\xE9"
       "fono;ciudad\n1;Medell\xEDn\n",
       {{"teléfono", "ciudad"}, {"1", "Medellín"}}},
      {"windows-1252 euro and quotes", "a\n\x80\x96\x93\n", {{"a"}, {"€–“"}}},
      {"cr before crlf", "a,b\r\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
      {"lone cr ends a record", "a,b\r1,2\n3\r", {{"a", "b"}, {"1", "2"}, {"3"}}},
      {"trailing separators", "a;b;\n;;\n", {{"a", "b", ""}, {"", "", ""}}},
      // Records without quotes take a fast path up to 64 KiB; longer ones the general one.
      {"plain records around 64 KiB",
       "a,b\n" + std::string(65530, 'x') + ",1\n" + std::string(65540, 'y') + ",2\n",
       {{"a", "b"}, {std::string(65530, 'x'), "1"}, {std::string(65540, 'y'), "2"}}},
  };
  for (const auto& c : cases) {
    auto rows = ReadAll(c.input);
    ASSERT_OK(rows) << c.name;
    EXPECT_EQ(*rows, c.want) << c.name;
  }
}

// The import's path: views of the text (unescaped fields in a scratch string), and every
// record read again later by its mark, give exactly what Next() gives.
TEST(CsvReaderTest, ViewsAndRereadMatchNext) {
  const std::vector<std::string> inputs = {
      "a,b\n1,2\n",
      "a,b\n\"say \"\"hi\"\"\",2\n\"x\"tail,\"\"\n",
      "a,b\r\n\"l1\r\nl2\",2\r\n\n\n3,\"4\"\"\"\r\n",
      "a;b\nO\"Neil;\"\"\"\";\n,\n1;2;3;4",
      "tel\xE9;x\nMedell\xEDn;\"a\"\"b\"\n",
  };
  for (const auto& input : inputs) {
    auto want = ReadAll(input);
    ASSERT_OK(want) << input;
    auto reader = OpenCsvBytes(input, "base.csv", Encoding::kAuto);
    ASSERT_OK(reader);
    std::vector<std::string_view> view;
    std::vector<uint64_t> marks;
    Rows got;
    while (true) {
      uint64_t mark = 0;
      auto more = (*reader)->NextView(view, mark);
      ASSERT_OK(more);
      if (!*more) break;
      marks.push_back(mark);
      got.emplace_back(view.begin(), view.end());
    }
    EXPECT_EQ(got, *want) << input;
    std::string scratch;
    for (size_t i = marks.size(); i-- > 0;) {
      (*reader)->Reread(marks[i], view, scratch);
      EXPECT_EQ(std::vector<std::string>(view.begin(), view.end()), (*want)[i]) << input;
    }
  }
}

// A record without quotes is given back as its bytes (no line end), and its fields are the
// runs between separators; a record with a quote anywhere is not.
TEST(CsvReaderTest, PlainRecordIsTheBytesOfARecordWithoutQuotes) {
  struct PlainCase {
    std::string input;
    std::vector<std::string> want;  // per data record: the raw bytes, or "-" when not plain
  };
  const std::vector<PlainCase> cases = {
      {"a,b\n1,2\n3,4", {"1,2", "3,4"}},
      {"a;b\r\n1,5;2\r\n\r\n\n;\r\n", {"1,5;2", ";"}},
      {"a|b\n\"x\"|2\nO\"Neil|3\n4|\"l1\nl2\"\n5|6\n", {"-", "-", "-", "5|6"}},
      {"a\tb\n1\t\t\n", {"1\t\t"}},
      {"a,b\n1,2\r3,4\n", {"-", "3,4"}},  // a lone CR in the line: the general scanner's
      {"tel\xE9;x\nMedell\xEDn;1\n", {"Medellín;1"}},  // the text is UTF-8
  };
  for (const auto& c : cases) {
    auto reader = OpenCsvBytes(c.input, "base.csv", Encoding::kAuto);
    ASSERT_OK(reader);
    TableRecord header;
    ASSERT_OK((*reader)->Next(header));
    std::vector<std::string_view> view;
    std::vector<std::string> got;
    while (true) {
      uint64_t mark = 0;
      auto more = (*reader)->NextView(view, mark);
      ASSERT_OK(more);
      if (!*more) break;
      std::string_view raw;
      char separator = 0;
      if (!(*reader)->PlainRecord(mark, raw, separator)) {
        got.emplace_back("-");
        continue;
      }
      got.emplace_back(raw);
      // The fields are the runs between separators.
      std::vector<std::string_view> runs;
      for (size_t start = 0;;) {
        const size_t end = raw.find(separator, start);
        runs.push_back(raw.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
      }
      EXPECT_EQ(runs, view) << c.input;
    }
    EXPECT_EQ(got, c.want) << c.input;
  }
}

TEST(CsvReaderTest, RecordLinesCountEmbeddedNewlines) {
  std::vector<int64_t> lines;
  auto rows = ReadAll("a,b\n\"x\ny\nz\",1\n\n2,3\n", Encoding::kAuto, &lines);
  ASSERT_OK(rows);
  EXPECT_EQ(lines, (std::vector<int64_t>{1, 2, 6}));
}

TEST(CsvReaderTest, EncodingOverride) {
  // Valid UTF-8 read as Windows-1252 on request: "Ã³" instead of "ó".
  auto rows = ReadAll("a\nó\n", Encoding::kWindows1252);
  ASSERT_OK(rows);
  EXPECT_EQ((*rows)[1][0], "Ã³");
  // Invalid UTF-8 with --encoding utf-8 is an error naming line and column.
  auto bad = ReadAll("a,b\nx,Medell\xEDn\n", Encoding::kUtf8);
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message(), ::testing::HasSubstr("base.csv, línea 2, columna 9"));
}

struct ErrorCase {
  std::string name;
  std::string input;
  std::string want;  // substring of the message
};

TEST(CsvReaderTest, BadInputIsAClearError) {
  const std::vector<ErrorCase> cases = {
      {"empty", "", "archivo vacío"},
      {"only bom and newlines", "\xEF\xBB\xBF\r\n\n", "archivo vacío"},
      {"nul byte", std::string("a,b\n1,\0\n", 7), "línea 2, columna 3: archivo binario"},
      {"unterminated quote", "a,b\n1,2\n3,\"abc\n4,5\n", "línea 3, columna 3: comillas sin cerrar"},
      {"huge field", "a,b\n1," + std::string(kMaxFieldBytes + 1, 'x') + "\n",
       "línea 2, columna 3: campo de más de 1 MB"},
      {"huge quoted field", "a\n\"" + std::string(10 * kMaxFieldBytes, 'x') + "\"\n",
       "línea 2, columna 1: campo de más de 1 MB"},
      {"too many fields", "a\n" + std::string(kMaxFields, ',') + "\n",
       "línea 2, columna 1001: fila de más de 1000 campos"},
  };
  for (const auto& c : cases) {
    auto rows = ReadAll(c.input);
    ASSERT_FALSE(rows.ok()) << c.name;
    EXPECT_EQ(rows.error().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_THAT(rows.error().message(), ::testing::HasSubstr("base.csv")) << c.name;
    EXPECT_THAT(rows.error().message(), ::testing::HasSubstr(c.want)) << c.name;
  }
}

TEST(CsvReaderTest, ExactlyTheLimitsAreAccepted) {
  auto wide = ReadAll("a\n" + std::string(kMaxFields - 1, ',') + "\n");
  ASSERT_OK(wide);
  EXPECT_EQ((*wide)[1].size(), kMaxFields);
  auto big = ReadAll("a\n" + std::string(kMaxFieldBytes, 'x') + "\n");
  ASSERT_OK(big);
  EXPECT_EQ((*big)[1][0].size(), kMaxFieldBytes);
}

TEST(CsvReaderTest, OpenTableErrors) {
  testing::TempDir dir;
  auto missing = OpenTable(dir.File("nope.csv"), {});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), StatusCode::kNotFound);
  testing::WriteFile(dir.File("empty.csv"), "");
  auto empty = OpenTable(dir.File("empty.csv"), {});
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.error().message(), ::testing::HasSubstr("empty.csv: archivo vacío"));
  testing::WriteFile(dir.File("fake.xlsx"), std::string("PK\x03\x04garbage", 11));
  auto fake = OpenTable(dir.File("fake.xlsx"), {});
  ASSERT_FALSE(fake.ok());
  EXPECT_THAT(fake.error().message(), ::testing::HasSubstr("fake.xlsx"));
}

// A file read in two halves on two threads gives the same records as one read at once,
// whatever the size and wherever the middle falls (inside a quoted field, a multi-byte
// character, a CRLF).
TEST(CsvReaderTest, FileReadInHalvesReadsTheSame) {
  testing::TempDir dir;
  auto records = [](TableReader& reader) {
    Rows rows;
    TableRecord rec;
    while (true) {
      auto got = reader.Next(rec);
      if (!got.ok()) {  // a cut inside a quoted field: the same error for both
        rows.push_back({got.error().message()});
        break;
      }
      if (!*got) break;
      rows.push_back(rec.fields);
    }
    return rows;
  };
  std::string text = "documento;nombres;teléfono\r\n";
  for (int i = 0; i < 300; ++i) {
    text += std::to_string(1000 + i) + ";\"Peña\r\n" + std::to_string(i) + "\";300" +
            std::to_string(1000000 + i) + "\r\n";
  }
  for (size_t size : {size_t{2}, size_t{3}, size_t{17}, text.size() / 2, text.size()}) {
    const std::string content = text.substr(0, size);
    testing::WriteFile(dir.File("base.csv"), content);
    TableOptions plain;
    plain.parallel_read_bytes = SIZE_MAX;
    TableOptions halves;
    halves.parallel_read_bytes = 1;
    auto one = OpenTable(dir.File("base.csv"), plain);
    auto two = OpenTable(dir.File("base.csv"), halves);
    ASSERT_EQ(one.ok(), two.ok()) << size;
    if (!one.ok()) {
      EXPECT_EQ(one.error().message(), two.error().message()) << size;
      continue;
    }
    EXPECT_EQ((*two)->TextBytes(), content.size()) << size;
    EXPECT_EQ(records(**one), records(**two)) << size;
  }
}

// A pipe is read the plain way, once: the two-halves reader looks before it opens (opening
// it would wait for the writer, and what it sent would be lost to the plain read).
TEST(CsvReaderTest, PipeIsReadOnce) {
  testing::TempDir dir;
  const std::string path = dir.File("base.fifo");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  std::thread writer([&] {
    std::ofstream out(path, std::ios::binary);
    out << "documento;telefono\n1;3001234567\n2;3009876543\n";
  });
  TableOptions halves;
  halves.parallel_read_bytes = 1;
  auto reader = OpenTable(path, halves);
  writer.join();
  ASSERT_TRUE(reader.ok()) << reader.error().message();
  TableRecord rec;
  int records = 0;
  while (true) {
    auto got = (*reader)->Next(rec);
    ASSERT_TRUE(got.ok());
    if (!*got) break;
    ++records;
  }
  EXPECT_EQ(records, 3);  // the header and two rows
}

// Every record, line number, mark and error of a reader, as text.
std::vector<std::string> Transcript(TableReader& reader) {
  std::vector<std::string> out;
  TableRecord rec;
  for (int n = 0; n < 100000; ++n) {
    auto got = reader.Next(rec);
    if (!got.ok()) {
      out.push_back("error: " + got.error().message());
      break;
    }
    if (!*got) break;
    std::string line = std::to_string(rec.line) + ":";
    for (const auto& f : rec.fields) line += "[" + f + "]";
    out.push_back(std::move(line));
  }
  return out;
}

// The one-pass scanner of plain records reads exactly what the general scanner reads, on
// random text full of separators, quotes, CRs and line ends, with lines of every length
// around its 16-byte steps and its 64 KiB limit.
TEST(CsvReaderTest, FastPathReadsWhatTheGeneralScannerReads) {
  std::mt19937_64 rng(20261129);
  const std::string alphabet[] = {"a",  "b",  "7",  " ",  ",",    ";", "|",
                                  "\t", "\"", "\r", "\n", "\r\n", "ñ", "\"\""};
  const size_t weights[] = {30, 10, 20, 6, 8, 8, 3, 2, 2, 1, 6, 3, 2, 1};
  std::discrete_distribution<size_t> pick(std::begin(weights), std::end(weights));
  size_t records = 0;
  for (int round = 0; round < 400; ++round) {
    std::string text = "doc;nombre;telefono\n";
    const size_t pieces = rng() % 400;
    for (size_t k = 0; k < pieces; ++k) text += alphabet[pick(rng)];
    if (round % 100 == 7)
      text += std::string((size_t{64} << 10) - 1 + rng() % 3, 'x');  // the fast path's limit
    if (round % 3 == 0) text += "\n";
    auto fast = OpenCsvBytes(text, "base.csv", Encoding::kAuto, true);
    auto slow = OpenCsvBytes(text, "base.csv", Encoding::kAuto, false);
    ASSERT_EQ(fast.ok(), slow.ok()) << round;
    if (!fast.ok()) continue;
    const auto want = Transcript(**slow);
    EXPECT_EQ(Transcript(**fast), want) << "round " << round << " text [" << text << "]";
    records += want.size();
  }
  EXPECT_GT(records, 4000u);
}

TEST(EncodingTest, Utf8Validation) {
  EXPECT_EQ(encoding::FirstInvalidUtf8("año ñ €"), std::string::npos);
  EXPECT_EQ(encoding::FirstInvalidUtf8("ab\xF3"), 2u);
  EXPECT_EQ(encoding::FirstInvalidUtf8("\xC0\x80"), 0u);       // overlong
  EXPECT_EQ(encoding::FirstInvalidUtf8("x\xED\xA0\x80"), 1u);  // surrogate
  EXPECT_EQ(encoding::FirstInvalidUtf8("\xE2\x82"), 0u);       // truncated
  // Past the eight-byte ASCII steps: at every offset, also in the last partial word.
  for (size_t at = 0; at < 40; ++at) {
    std::string text(40, 'a');
    text[at] = '\xF3';
    EXPECT_EQ(encoding::FirstInvalidUtf8(text), at);
    text[at] = '\xC3';
    if (at + 1 < text.size()) {
      text[at + 1] = '\xB1';
      EXPECT_EQ(encoding::FirstInvalidUtf8(text), std::string::npos);
    }
  }
  // Split in two halves (here from 8 bytes on): the same offsets as in one piece, also when
  // a character or an ill-formed run straddles the middle.
  for (size_t size : {8u, 9u, 16u, 17u, 33u}) {
    for (size_t at = 0; at < size; ++at) {
      for (std::string_view bad : {"\xF3", "\xC3\xB1", "\xE2\x82\xAC", "\xF0\x9F\x98\x80",
                                   "\xE2\x82", "\x80\x80\x80\x80\x80", "\xED\xA0\x80"}) {
        std::string text(size, 'a');
        text.replace(at, std::min(bad.size(), size - at), bad.substr(0, size - at));
        EXPECT_EQ(encoding::FirstInvalidUtf8Split(text, 8), encoding::FirstInvalidUtf8(text))
            << "size " << size << " at " << at;
      }
    }
  }
  EXPECT_EQ(encoding::Windows1252ToUtf8("\xF1\x81"), "ñ\xEF\xBF\xBD");
  EXPECT_EQ(encoding::FoldForMatch("TELÉFONO Móvil Ñame"), "telefono movil name");
}

}  // namespace
}  // namespace sondeo::campaigns
