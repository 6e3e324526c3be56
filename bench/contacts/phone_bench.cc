// sondeo_phone_bench: the phone normaliser alone over a generated base.
//
//   sondeo_phone_bench base.csv [--out phones.csv] [--check] [--lib] [--repeat N]
//
// Reads the base (';' separated, quoted fields, UTF-8 or Windows-1252 as written by
// sondeo_gen_base), normalises the telefono and celular cells of every row with the row's
// municipio/departamento, and prints cells/s and ns per cell. --out writes
// "fila,telefonos" (E.164, space-separated) for scoring. --check verifies every accepted
// number with libphonenumber 8.12.57 (valid and same type, or a documented unknown shape):
// the property test on millions of cells. --lib times libphonenumber's Parse+IsValidNumber
// +GetNumberType on the same cells instead (what a tool without the fast path pays).
// --repeat N runs the timed loop N times over the cells (steadier per-cell figures).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include "campaigns/phone.h"

namespace {

// Splits `data` into records of fields (RFC 4180 quoting).
struct CsvReader {
  std::string_view data;
  size_t pos = 0;
  char sep = ';';
  bool Next(std::vector<std::string>& fields) {
    fields.clear();
    if (pos >= data.size()) return false;
    std::string field;
    bool quoted = false;
    while (pos < data.size()) {
      char c = data[pos++];
      if (quoted) {
        if (c == '"') {
          if (pos < data.size() && data[pos] == '"') {
            field += '"';
            ++pos;
          } else {
            quoted = false;
          }
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == sep) {
        fields.push_back(std::move(field));
        field.clear();
      } else if (c == '\n') {
        break;
      } else if (c != '\r') {
        field += c;
      }
    }
    fields.push_back(std::move(field));
    return true;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: sondeo_phone_bench base.csv [--out phones.csv] [--check] [--lib]\n");
    return 1;
  }
  std::string out_path;
  bool check = false;
  bool lib = false;
  size_t repeat = 1;
  for (int i = 2; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--out" && i + 1 < argc) {
      out_path = argv[++i];
    } else if (a == "--check") {
      check = true;
    } else if (a == "--repeat" && i + 1 < argc) {
      repeat = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--lib") {
      lib = true;
    } else {
      std::fprintf(stderr, "sondeo_phone_bench: unknown argument\n");
      return 1;
    }
  }
  std::ifstream in(argv[1], std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "sondeo_phone_bench: cannot read %s\n", argv[1]);
    return 1;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string data = ss.str();

  // Parse first, so only normalisation is timed.
  CsvReader reader{data};
  std::vector<std::string> fields;
  reader.Next(fields);
  size_t tel = 3, cel = 4, mun = 5, dep = 6;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] == "telefono") tel = i;
    if (fields[i] == "celular") cel = i;
    if (fields[i] == "municipio") mun = i;
    if (fields[i] == "departamento") dep = i;
  }
  std::vector<std::vector<std::string>> rows;
  while (reader.Next(fields)) {
    if (fields.size() > std::max({tel, cel, mun, dep})) rows.push_back(fields);
  }

  using i18n::phonenumbers::PhoneNumber;
  using i18n::phonenumbers::PhoneNumberUtil;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  sondeo::campaigns::PhoneNormalizer norm;
  size_t cells = 0;
  size_t accepted = 0;
  size_t lib_valid = 0;
  std::string out;
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  for (size_t r = 0; r < rows.size() * repeat; ++r) {
    const auto& row = rows[r % rows.size()];
    const sondeo::campaigns::RowPlace place{row[dep], row[mun]};
    const bool write = !out_path.empty() && r < rows.size();
    if (write) out += std::to_string(r + 1) + ",";
    bool first = true;
    for (size_t col : {tel, cel}) {
      ++cells;
      if (lib) {
        PhoneNumber number;
        if (util.Parse(row[col], "CO", &number) == PhoneNumberUtil::NO_PARSING_ERROR &&
            util.IsValidNumber(number) && util.GetNumberType(number) != PhoneNumberUtil::UNKNOWN) {
          ++lib_valid;
        }
        continue;
      }
      const auto& result = norm.NormalizeCell(row[col], place);
      accepted += result.phones.size();
      if (write) {
        for (const auto& p : result.phones) {
          if (!first) out += ' ';
          out += p.e164;
          first = false;
        }
      }
    }
    if (write) out += '\n';
  }
  const double wall =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // CPU time: the machine is shared, so wall time of a short loop is noisy.
  const double secs = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::printf("%s: %zu rows, %zu cells, %.3f s CPU (%.3f s wall), %.0f ns/cell, %.2f M cells/s\n",
              lib ? "libphonenumber" : "sondeo", rows.size(), cells, secs, wall,
              secs * 1e9 / static_cast<double>(cells), static_cast<double>(cells) / secs / 1e6);
  if (lib) {
    std::printf("libphonenumber valid: %zu\n", lib_valid);
  } else {
    std::printf("accepted numbers: %zu, cache hits %llu, misses %llu\n", accepted,
                static_cast<unsigned long long>(norm.cache_hits()),
                static_cast<unsigned long long>(norm.cache_misses()));
  }
  if (!out_path.empty()) {
    std::ofstream o(out_path, std::ios::binary);
    o << "fila,telefonos\n" << out;
  }
  if (check) {
    size_t checked = 0;
    size_t disagree = 0;
    size_t unknown = 0;
    for (const auto& row : rows) {
      const sondeo::campaigns::RowPlace place{row[dep], row[mun]};
      for (size_t col : {tel, cel}) {
        for (const auto& p : norm.NormalizeCell(row[col], place).phones) {
          PhoneNumber number;
          ++checked;
          bool ok = util.Parse(p.e164, "CO", &number) == PhoneNumberUtil::NO_PARSING_ERROR;
          bool valid = ok && util.IsValidNumber(number);
          if (p.unknown_to_libphonenumber) {
            ++unknown;
            if (valid) ++disagree;
            continue;
          }
          auto type = util.GetNumberType(number);
          bool same = valid && (p.type == sondeo::campaigns::PhoneType::kMobile
                                    ? type == PhoneNumberUtil::MOBILE
                                    : type == PhoneNumberUtil::FIXED_LINE);
          if (!same) {
            ++disagree;
            if (disagree <= 5) std::fprintf(stderr, "disagreement on a number (row hidden)\n");
          }
        }
      }
    }
    std::printf(
        "check: %zu accepted numbers verified with libphonenumber, %zu unknown-shape, "
        "%zu disagreements\n",
        checked, unknown, disagree);
    if (disagree != 0) return 2;
  }
  return 0;
}
