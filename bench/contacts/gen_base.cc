// sondeo_gen_base: a deterministic generator of dirty Colombian contact bases, with the
// ground truth of every row.
//
//   sondeo_gen_base --rows N --seed S [--encoding utf-8|windows-1252] [--sep ';']
//                   --out base.csv --truth truth.csv
//
// base.csv: documento;nombres;apellidos;telefono;celular;municipio;departamento;correo
// truth.csv (UTF-8, ','): fila,clase,persona,telefonos,motivo
//   fila      1-based data record number (header excluded)
//   clase     callable | duplicate | rejected
//   persona   fila of the person's first row (callable/duplicate), empty when rejected
//   telefonos the row's own valid numbers, E.164, space-separated
//   motivo    for rejected rows: the reason of the first bad piece, or SIN_TELEFONO
//
// Proportions follow the seed (§2.2.6.1 of the brief): ~43% of rows rejected, about half of
// the cleaned rows duplicates (by document, by phone, and transitively).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace {

struct Place {
  const char* municipio;
  const char* departamento;
  char zone;
  int weight;
};

// Zone per domain.md §1.2.
const Place kPlaces[] = {
    {"Bogotá", "Bogotá D.C.", '1', 30},
    {"Soacha", "Cundinamarca", '1', 3},
    {"Zipaquirá", "Cundinamarca", '1', 2},
    {"Girardot", "Cundinamarca", '1', 1},
    {"Medellín", "Antioquia", '4', 14},
    {"Bello", "Antioquia", '4', 3},
    {"Envigado", "Antioquia", '4', 2},
    {"Itagüí", "Antioquia", '4', 2},
    {"Montería", "Córdoba", '4', 2},
    {"Quibdó", "Chocó", '4', 1},
    {"Cali", "Valle del Cauca", '2', 12},
    {"Palmira", "Valle del Cauca", '2', 2},
    {"Popayán", "Cauca", '2', 2},
    {"Pasto", "Nariño", '2', 2},
    {"Barranquilla", "Atlántico", '5', 8},
    {"Soledad", "Atlántico", '5', 2},
    {"Cartagena", "Bolívar", '5', 5},
    {"Santa Marta", "Magdalena", '5', 3},
    {"Valledupar", "Cesar", '5', 2},
    {"Sincelejo", "Sucre", '5', 1},
    {"Riohacha", "La Guajira", '5', 1},
    {"Manizales", "Caldas", '6', 2},
    {"Pereira", "Risaralda", '6', 3},
    {"Armenia", "Quindío", '6', 2},
    {"Bucaramanga", "Santander", '7', 5},
    {"Floridablanca", "Santander", '7', 1},
    {"Cúcuta", "Norte de Santander", '7', 4},
    {"Arauca", "Arauca", '7', 1},
    {"Ibagué", "Tolima", '8', 3},
    {"Neiva", "Huila", '8', 2},
    {"Villavicencio", "Meta", '8', 3},
    {"Tunja", "Boyacá", '8', 2},
    {"Yopal", "Casanare", '8', 1},
    {"Florencia", "Caquetá", '8', 1},
    {"Mocoa", "Putumayo", '8', 1},
    {"Leticia", "Amazonas", '8', 1},
};

const char* const kNombres[] = {
    "María",    "José",     "Luis",    "Ana",       "Carlos",   "Juan",    "Luz",     "Jorge",
    "Martha",   "Andrés",   "Claudia", "Diego",     "Sandra",   "Jhon",    "Gloria",  "Camilo",
    "Paola",    "Julián",   "Ángela",  "Sebastián", "Natalia",  "Andrea",  "Óscar",   "Mónica",
    "Fabián",   "Yolanda",  "Hernán",  "Valentina", "Santiago", "Daniela", "Nicolás", "Leidy",
    "Cristian", "Marisol",  "Édgar",   "Beatriz",   "Germán",   "Rocío",   "Iván",    "Lucía",
    "Ramón",    "Inés",     "Wilson",  "Johana",    "Efraín",   "Dayana",  "Héctor",  "Nubia",
    "Víctor",   "Estefanía"};
const char* const kSegundos[] = {"",       "",        "",         "Fernanda", "Alejandro",
                                 "Camila", "Eduardo", "Patricia", "Antonio",  "del Pilar",
                                 "Andrés", "Sofía",   "Esteban"};
const char* const kApellidos[] = {
    "Rodríguez", "Gómez",   "González", "Martínez",  "García",   "López",    "Hernández",
    "Sánchez",   "Ramírez", "Pérez",    "Díaz",      "Muñoz",    "Rojas",    "Moreno",
    "Jiménez",   "Vargas",  "Castro",   "Gutiérrez", "Álvarez",  "Ruiz",     "Ortiz",
    "Torres",    "Suárez",  "Romero",   "Herrera",   "Valencia", "Quintero", "Restrepo",
    "Cárdenas",  "Osorio",  "Mejía",    "Ospina",    "Zapata",   "Peña",     "Cañas",
    "Muñetón",   "Londoño", "Arango",   "Ibáñez",    "Bermúdez", "Ríos",     "Cortés",
    "Parra",     "Salazar", "Benítez",  "Acuña",     "Nuñez",    "Patiño",   "Ibargüen"};

class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  uint64_t Below(uint64_t n) { return g_() % n; }
  bool Chance(double p) { return static_cast<double>(g_() >> 11) * 0x1.0p-53 < p; }
  char Digit(char lo = '0', char hi = '9') {
    return static_cast<char>(lo + static_cast<char>(Below(static_cast<uint64_t>(hi - lo + 1))));
  }
  template <typename T, size_t N>
  const T& Pick(const T (&a)[N]) {
    return a[Below(N)];
  }

 private:
  std::mt19937_64 g_;
};

bool IsPlaceholder(std::string_view nsn) {
  std::string_view sub = nsn.substr(nsn.size() - 7);
  if (sub == "1234567") return true;
  for (char c : sub) {
    if (c != sub[0]) return false;
  }
  return true;
}

std::string Digits(Rng& rng, size_t n, char first_lo = '0') {
  std::string s;
  s += rng.Digit(first_lo);
  while (s.size() < n) s += rng.Digit();
  return s;
}

// A random assigned mobile NSN (libphonenumber 8.12.57 blocks).
std::string Mobile(Rng& rng) {
  static const char* const kBlocks[] = {"300", "301", "302", "304", "305", "310", "311",
                                        "312", "313", "314", "315", "316", "317", "318",
                                        "319", "320", "321", "322", "323", "350", "351"};
  for (;;) {
    std::string s = std::string(rng.Pick(kBlocks)) + Digits(rng, 7);
    if (!IsPlaceholder(s)) return s;
  }
}

// A random 60B fixed NSN of `zone` (local number 2-8 first digit).
std::string Fixed(Rng& rng, char zone) {
  for (;;) {
    std::string s = std::string("60") + zone + Digits(rng, 7, '2');
    // Now and then a 6011.../6081... line: valid from libphonenumber 9.0.6, unknown to 8.12.57.
    if ((zone == '1' || zone == '8') && rng.Chance(0.01)) s[3] = '1';
    if (s[3] == '9' || IsPlaceholder(s)) continue;
    return s;
  }
}

std::string Group(std::string_view s, std::initializer_list<size_t> sizes, const char* sep) {
  std::string out;
  size_t pos = 0;
  for (size_t n : sizes) {
    if (!out.empty()) out += sep;
    out += s.substr(pos, n);
    pos += n;
  }
  if (pos < s.size()) out += std::string(sep) + std::string(s.substr(pos));
  return out;
}

// A dirty but repairable rendering of a mobile NSN.
std::string DirtyMobile(Rng& rng, const std::string& m) {
  uint64_t k = rng.Below(100);
  if (k < 30) return m;
  if (k < 40) return Group(m, {3, 3, 4}, " ");
  if (k < 45) return Group(m, {3, 3, 4}, "-");
  if (k < 48) return Group(m, {3, 3, 4}, ".");
  if (k < 56) return "+57 " + Group(m, {3, 3, 4}, " ");
  if (k < 61) return "57" + m;
  if (k < 69) return m + ".0";
  if (k < 72) return "0057 " + m;
  if (k < 73) return "00573" + m.substr(1);
  if (k < 75) return "057 " + m;
  if (k < 78) return rng.Chance(0.5) ? "03 " + m : "03" + m;
  if (k < 82) return "Cel: " + Group(m, {3, 3, 4}, " ");
  if (k < 85) return "(" + m.substr(0, 3) + ") " + m.substr(3);
  if (k < 87) return "tel:+57" + m;
  if (k < 89) return "+57(" + m.substr(0, 3) + ")" + m.substr(3);
  return m;
}

// A dirty but repairable rendering of a fixed NSN; `has_place` allows a bare local number.
std::string DirtyFixed(Rng& rng, const std::string& f, bool has_place) {
  const std::string b = f.substr(2, 1);
  const std::string local = f.substr(3);
  // 6011.../6081... never existed in the old plan: only the new 10-digit forms.
  uint64_t k = local[0] == '1' ? rng.Below(42) : rng.Below(100);
  if (k < 15) return f.substr(0, 3) + " " + local;
  if (k < 25) return "(" + f.substr(0, 3) + ") " + local;
  if (k < 30) return "+57 " + f.substr(0, 3) + " " + local;
  if (k < 42) return f;
  if (k < 52) return "(" + b + ") " + local;
  if (k < 58) return rng.Chance(0.5) ? b + " " + local : b + local;
  if (k < 61) return "(57" + b + ") " + local;
  if (k < 63) return "57 " + b + " " + local;
  if (k < 67) return "03" + b + " " + local;
  if (k < 71) {
    static const char* const kCarriers[] = {"5", "7", "9", "456", "444", "414"};
    return "0" + std::string(rng.Pick(kCarriers)) + " " + b + " " + local;
  }
  if (k < 83 && has_place) return local.substr(0, 3) + " " + local.substr(3);
  if (k < 88)
    return f.substr(0, 3) + "-" + local.substr(0, 3) + "-" + local.substr(3) + " Ext. " +
           std::to_string(1 + rng.Below(300));
  if (k < 90) return f + ".0";
  return f;
}

struct Bad {
  std::string text;
  const char* reason;  // the normaliser's code, or "" for a cell that holds no number
};

// A piece that looks like a phone but is not callable (or holds no number at all).
Bad BadPiece(Rng& rng, bool has_place) {
  uint64_t k = rng.Below(100);
  if (k < 12) {
    static const char* const kFill[] = {"3000000000", "3111111111", "3001234567", "3101234567",
                                        "6012222222", "1234567",    "3333333333", "3201234567"};
    return {rng.Pick(kFill), "NUMERO_RELLENO"};
  }
  if (k < 27) {
    // Excel's General format: 6 significant digits survive.
    std::string m = rng.Chance(0.6) ? Mobile(rng) : "57" + Mobile(rng);
    std::string sci = m.substr(0, 1) + "." + m.substr(1, 5) + "E+" +
                      (m.size() == 10 ? std::string("09") : std::string("11"));
    return {sci, "DIGITOS_PERDIDOS"};
  }
  if (k < 47) {
    uint64_t t = rng.Below(4);
    if (t == 0) return {Mobile(rng).substr(0, 9), "TELEFONO_INVALIDO"};
    if (t == 1) return {Mobile(rng) + rng.Digit(), "TELEFONO_INVALIDO"};
    if (t == 2) return {"36" + Digits(rng, 8), "TELEFONO_INVALIDO"};
    return {Digits(rng, 5, '2'), "TELEFONO_INVALIDO"};
  }
  if (k < 57) {
    return {rng.Chance(0.5) ? "01 8000 " + Digits(rng, 6) : "018000" + Digits(rng, 6),
            "NO_LLAMABLE"};
  }
  if (k < 59) {
    static const char* const kArea[] = {"212", "305", "646", "415", "713"};
    return {"+1 " + std::string(rng.Pick(kArea)) + " " + Digits(rng, 3, '2') + " " + Digits(rng, 4),
            "NUMERO_EXTRANJERO"};
  }
  if (k < 78 && !has_place) {
    std::string local = Digits(rng, 7, '2');
    if (IsPlaceholder(local)) return {"", ""};
    return {local.substr(0, 3) + " " + local.substr(3), "SIN_INDICATIVO"};
  }
  static const char* const kNone[] = {"", "", "", "N/A", "no tiene", "0", "-", "sin dato"};
  return {rng.Pick(kNone), ""};
}

struct Person {
  uint32_t first_row;
  std::string doc;
  std::vector<std::string> phones;  // NSNs
};

std::string FormatDoc(Rng& rng, const std::string& doc, bool dirty) {
  if (!dirty) return doc;
  uint64_t k = rng.Below(3);
  if (k == 0 && doc.size() > 6) {
    std::string out;
    size_t lead = doc.size() % 3 == 0 ? 3 : doc.size() % 3;
    out = doc.substr(0, lead);
    for (size_t i = lead; i < doc.size(); i += 3) out += "." + doc.substr(i, 3);
    return out;
  }
  if (k == 1) return "0" + doc;
  return doc + " ";
}

std::string CsvField(const std::string& s, char sep) {
  if (s.find_first_of(std::string(1, sep) + "\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// UTF-8 -> Windows-1252 for the Latin-1 letters used here.
std::string ToCp1252(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if ((c == 0xC3 || c == 0xC2) && i + 1 < s.size()) {
      auto n = static_cast<unsigned char>(s[++i]);
      out += static_cast<char>(c == 0xC3 ? n + 0x40 : n);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Ascii(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c == 0xC3 && i + 1 < s.size()) {
      static const char kMap[] = "AAAAAAACEEEEIIIIDNOOOOO.OUUUUYTsaaaaaaaceeeeiiiidnooooo/ouuuuyty";
      auto n = static_cast<unsigned char>(s[++i]);
      char a = kMap[n - 0x80];
      if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
      out += a;
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    } else if (c >= 'a' && c <= 'z') {
      out += static_cast<char>(c);
    }
  }
  return out;
}

[[noreturn]] void Usage(const char* msg) {
  std::fprintf(stderr,
               "sondeo_gen_base: %s\nusage: sondeo_gen_base --rows N --seed S "
               "[--encoding utf-8|windows-1252] [--sep ';'] --out base.csv --truth truth.csv\n",
               msg);
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 0;
  uint64_t seed = 1;
  bool cp1252 = false;
  char sep = ';';
  std::string out_path;
  std::string truth_path;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Usage("missing value");
      return argv[++i];
    };
    if (a == "--rows") {
      rows = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--seed") {
      seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--encoding") {
      std::string e = value();
      if (e == "windows-1252") {
        cp1252 = true;
      } else if (e != "utf-8") {
        Usage("unknown encoding");
      }
    } else if (a == "--sep") {
      std::string s = value();
      if (s.size() != 1) Usage("--sep takes one character");
      sep = s[0];
    } else if (a == "--out") {
      out_path = value();
    } else if (a == "--truth") {
      truth_path = value();
    } else {
      Usage("unknown argument");
    }
  }
  if (rows == 0 || out_path.empty() || truth_path.empty()) Usage("missing argument");
  FILE* out = std::fopen(out_path.c_str(), "wb");
  FILE* truth = std::fopen(truth_path.c_str(), "wb");
  if (out == nullptr || truth == nullptr) Usage("cannot open output");
  static char out_buf[1 << 16];
  static char truth_buf[1 << 16];
  std::setvbuf(out, out_buf, _IOFBF, sizeof(out_buf));
  std::setvbuf(truth, truth_buf, _IOFBF, sizeof(truth_buf));

  Rng rng(seed);
  int total_weight = 0;
  for (const Place& p : kPlaces) total_weight += p.weight;
  std::vector<Person> persons;
  std::unordered_set<std::string> used_docs;
  std::unordered_set<std::string> used_phones;

  const std::string header = std::string("documento") + sep + "nombres" + sep + "apellidos" + sep +
                             "telefono" + sep + "celular" + sep + "municipio" + sep +
                             "departamento" + sep + "correo\r\n";
  std::fputs(header.c_str(), out);
  std::fputs("fila,clase,persona,telefonos,motivo\n", truth);

  auto fresh_doc = [&]() {
    for (;;) {
      uint64_t len = 7 + rng.Below(4);
      std::string d = Digits(rng, len, '1');
      if (used_docs.insert(d).second) return d;
    }
  };
  auto fresh_mobile = [&]() {
    for (;;) {
      std::string m = Mobile(rng);
      if (used_phones.insert(m).second) return m;
    }
  };
  auto fresh_fixed = [&](char zone) {
    for (;;) {
      std::string f = Fixed(rng, zone);
      if (used_phones.insert(f).second) return f;
    }
  };

  for (uint64_t r = 1; r <= rows; ++r) {
    // Where the row lives; some rows have no place, some only one of the two fields.
    const Place* place = nullptr;
    {
      int w = static_cast<int>(rng.Below(static_cast<uint64_t>(total_weight)));
      for (const Place& p : kPlaces) {
        if ((w -= p.weight) < 0) {
          place = &p;
          break;
        }
      }
    }
    std::string municipio = place->municipio;
    std::string departamento = place->departamento;
    uint64_t pk = rng.Below(100);
    if (pk < 8) {
      municipio.clear();
      departamento.clear();
    } else if (pk < 14) {
      departamento.clear();  // municipio alone still names the zone
    } else if (pk < 18) {
      municipio.clear();
    } else if (pk < 22) {
      for (char& c : departamento) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
    }
    const bool has_place = !departamento.empty() || !municipio.empty();

    std::string cells[2];  // telefono, celular
    std::vector<std::string> row_phones;
    std::string clase;
    std::string persona;
    std::string motivo;
    std::string doc;

    auto add_bad = [&](std::string& cell) {
      Bad b = BadPiece(rng, has_place);
      if (motivo.empty() && b.reason[0] != '\0') motivo = b.reason;
      if (!b.text.empty()) cell = cell.empty() ? b.text : cell + " / " + b.text;
    };
    auto render = [&](const std::string& nsn) {
      // A bare 7-digit local number only where the row's place names the number's zone.
      return nsn[0] == '3' ? DirtyMobile(rng, nsn)
                           : DirtyFixed(rng, nsn, has_place && place->zone == nsn[2]);
    };

    if (rng.Chance(0.43)) {
      clase = "rejected";
      doc = fresh_doc();
      add_bad(cells[0]);
      if (rng.Chance(0.6)) add_bad(cells[1]);
      if (motivo.empty()) motivo = "SIN_TELEFONO";
    } else if (!persons.empty() && rng.Chance(0.49)) {
      clase = "duplicate";
      size_t pi = persons.size() - 1 - rng.Below(std::min<size_t>(persons.size(), 50000));
      Person& p = persons[pi];
      persona = std::to_string(p.first_row);
      uint64_t mode = rng.Below(100);
      const std::string& known = p.phones[rng.Below(p.phones.size())];
      if (mode < 50) {  // same document, a phone it already had
        doc = FormatDoc(rng, p.doc, true);
        row_phones.push_back(known);
      } else if (mode < 70) {  // same document, a new phone (joins the person)
        doc = FormatDoc(rng, p.doc, true);
        std::string m = fresh_mobile();
        p.phones.push_back(m);
        row_phones.push_back(m);
      } else {  // a new document, a shared phone (joins the person transitively)
        doc = fresh_doc();
        row_phones.push_back(known);
      }
    } else {
      clase = "callable";
      doc = fresh_doc();
      persona = std::to_string(r);
      Person p{static_cast<uint32_t>(r), doc, {}};
      if (rng.Chance(0.75)) p.phones.push_back(fresh_mobile());
      if (p.phones.empty() || rng.Chance(0.3)) {
        char zone = place->zone;
        if (!has_place && rng.Chance(0.5)) zone = '1';
        p.phones.push_back(fresh_fixed(zone));
      }
      row_phones = p.phones;
      persons.push_back(std::move(p));
    }

    // Lay the valid numbers out: mobiles in "celular", fixed in "telefono", sometimes two
    // numbers in one cell or swapped columns.
    for (const std::string& nsn : row_phones) {
      std::string text = render(nsn);
      size_t col = nsn[0] == '3' ? 1 : 0;
      if (rng.Chance(0.1)) col = 1 - col;
      std::string& cell = cells[col];
      if (cell.empty()) {
        cell = text;
      } else {
        static const char* const kSeps[] = {" / ", "/", " - ", ";", " o ", "\n", ", "};
        cell += rng.Pick(kSeps) + text;
      }
    }
    if (clase != "rejected" && rng.Chance(0.15)) add_bad(cells[rng.Below(2)]);
    if (clase != "rejected") motivo.clear();

    std::string nombres = rng.Pick(kNombres);
    if (rng.Chance(0.4)) {
      const char* segundo = rng.Pick(kSegundos);
      if (segundo[0] != '\0') nombres += std::string(" ") + segundo;
    }
    const std::string apellidos =
        std::string(rng.Pick(kApellidos)) + " " + std::string(rng.Pick(kApellidos));
    std::string correo;
    if (rng.Chance(0.5)) {
      correo = Ascii(nombres.substr(0, nombres.find(' '))) + "." +
               Ascii(apellidos.substr(0, apellidos.find(' '))) + std::to_string(rng.Below(100)) +
               "@correo.com.co";
    }

    std::string line;
    line += CsvField(doc, sep) + sep;
    line += CsvField(nombres, sep) + sep;
    line += CsvField(apellidos, sep) + sep;
    line += CsvField(cells[0], sep) + sep;
    line += CsvField(cells[1], sep) + sep;
    line += CsvField(municipio, sep) + sep;
    line += CsvField(departamento, sep) + sep;
    line += CsvField(correo, sep) + "\r\n";
    if (cp1252) line = ToCp1252(line);
    std::fwrite(line.data(), 1, line.size(), out);

    std::string phones;
    for (const std::string& nsn : row_phones) {
      if (!phones.empty()) phones += ' ';
      phones += "+57" + nsn;
    }
    std::fprintf(truth, "%llu,%s,%s,%s,%s\n", static_cast<unsigned long long>(r), clase.c_str(),
                 persona.c_str(), phones.c_str(), motivo.c_str());
  }
  if (std::fclose(out) != 0 || std::fclose(truth) != 0) Usage("write failed");
  return 0;
}
