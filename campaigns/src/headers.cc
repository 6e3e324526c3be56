#include "campaigns/src/headers.h"

#include <array>
#include <utility>

#include <fmt/format.h>

#include "campaigns/src/encoding.h"

namespace sondeo::campaigns {

namespace {

// Folds a header to lower-case ASCII words separated by one space ("Teléfono_2" -> "telefono 2").
std::string Canonical(std::string_view header) {
  const std::string folded = encoding::FoldForMatch(header);
  std::string out;
  for (char c : folded) {
    const bool word =
        (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (static_cast<unsigned char>(c) >= 0x80);
    if (word) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

struct Synonym {
  std::string_view canonical;
  Field field;
};

constexpr std::array kExact = {
    Synonym{"documento", Field::kDocument},
    Synonym{"cedula", Field::kDocument},
    Synonym{"cedula de ciudadania", Field::kDocument},
    Synonym{"identificacion", Field::kDocument},
    Synonym{"numero de identificacion", Field::kDocument},
    Synonym{"numero identificacion", Field::kDocument},
    Synonym{"numero de documento", Field::kDocument},
    Synonym{"numero documento", Field::kDocument},
    Synonym{"no documento", Field::kDocument},
    Synonym{"nro documento", Field::kDocument},
    Synonym{"documento de identidad", Field::kDocument},
    Synonym{"cc", Field::kDocument},
    Synonym{"nit", Field::kDocument},
    Synonym{"cc nit", Field::kDocument},
    Synonym{"document", Field::kDocument},
    Synonym{"document number", Field::kDocument},
    Synonym{"id number", Field::kDocument},
    Synonym{"nombres", Field::kNombres},
    Synonym{"primer nombre", Field::kNombres},
    Synonym{"first name", Field::kNombres},
    Synonym{"first names", Field::kNombres},
    Synonym{"given name", Field::kNombres},
    Synonym{"apellidos", Field::kApellidos},
    Synonym{"apellido", Field::kApellidos},
    Synonym{"last name", Field::kApellidos},
    Synonym{"surname", Field::kApellidos},
    Synonym{"nombre", Field::kFullName},
    Synonym{"nombre completo", Field::kFullName},
    Synonym{"nombres y apellidos", Field::kFullName},
    Synonym{"nombre y apellido", Field::kFullName},
    Synonym{"name", Field::kFullName},
    Synonym{"full name", Field::kFullName},
    Synonym{"correo", Field::kEmail},
    Synonym{"correo electronico", Field::kEmail},
    Synonym{"email", Field::kEmail},
    Synonym{"e mail", Field::kEmail},
    Synonym{"mail", Field::kEmail},
    Synonym{"municipio", Field::kMunicipio},
    Synonym{"ciudad", Field::kMunicipio},
    Synonym{"city", Field::kMunicipio},
    Synonym{"departamento", Field::kDepartamento},
    Synonym{"depto", Field::kDepartamento},
    Synonym{"dpto", Field::kDepartamento},
    Synonym{"state", Field::kDepartamento},
};

// Words that make a header a phone column ("telefono 2", "numero celular", "tel1").
constexpr std::array<std::string_view, 16> kPhoneWords = {
    "telefono", "telefonos", "tel",   "tels",   "fijo", "celular",  "celulares",    "cel",
    "movil",    "moviles",   "phone", "mobile", "cell", "whatsapp", "contacto tel", "telf"};

bool IsPhoneHeader(const std::string& canonical) {
  size_t start = 0;
  while (start <= canonical.size()) {
    size_t end = canonical.find(' ', start);
    if (end == std::string::npos) end = canonical.size();
    std::string_view word(canonical.data() + start, end - start);
    while (!word.empty() && word.back() >= '0' && word.back() <= '9') word.remove_suffix(1);
    for (auto w : kPhoneWords) {
      if (word == w) return true;
    }
    start = end + 1;
  }
  return false;
}

constexpr std::array<std::pair<std::string_view, Field>, 30> kFieldNames = {{
    {"documento", Field::kDocument},
    {"document", Field::kDocument},
    {"cedula", Field::kDocument},
    {"nombres", Field::kNombres},
    {"first_name", Field::kNombres},
    {"apellidos", Field::kApellidos},
    {"last_name", Field::kApellidos},
    {"nombre", Field::kFullName},
    {"nombre_completo", Field::kFullName},
    {"name", Field::kFullName},
    {"full_name", Field::kFullName},
    {"telefono", Field::kPhone},
    {"phone", Field::kPhone},
    {"celular", Field::kPhone},
    {"correo", Field::kEmail},
    {"email", Field::kEmail},
    {"municipio", Field::kMunicipio},
    {"ciudad", Field::kMunicipio},
    {"city", Field::kMunicipio},
    {"departamento", Field::kDepartamento},
    {"state", Field::kDepartamento},
    {"extra", Field::kExtra},
    {"atributo", Field::kExtra},
    {"ignorar", Field::kIgnore},
    {"ignore", Field::kIgnore},
    {"phones", Field::kPhone},
    {"telefonos", Field::kPhone},
    {"documento_identidad", Field::kDocument},
    {"mail", Field::kEmail},
    {"depto", Field::kDepartamento},
}};

}  // namespace

std::string_view FieldName(Field f) {
  switch (f) {
    case Field::kExtra:
      return "extra";
    case Field::kIgnore:
      return "ignorar";
    case Field::kDocument:
      return "documento";
    case Field::kNombres:
      return "nombres";
    case Field::kApellidos:
      return "apellidos";
    case Field::kFullName:
      return "nombre";
    case Field::kPhone:
      return "telefono";
    case Field::kEmail:
      return "correo";
    case Field::kMunicipio:
      return "municipio";
    case Field::kDepartamento:
      return "departamento";
  }
  return "extra";
}

Field GuessField(std::string_view header) {
  const std::string c = Canonical(header);
  for (const auto& s : kExact) {
    if (c == s.canonical) return s.field;
  }
  if (IsPhoneHeader(c)) return Field::kPhone;
  return Field::kExtra;
}

bool ParseFieldName(std::string_view name, Field& out) {
  std::string c = Canonical(name);
  for (char& ch : c) {
    if (ch == ' ') ch = '_';
  }
  for (const auto& [n, f] : kFieldNames) {
    if (c == n) {
      out = f;
      return true;
    }
  }
  return false;
}

Result<ColumnMap> MapHeader(const std::vector<std::string>& header,
                            const std::vector<std::string>& overrides, std::string_view file) {
  ColumnMap map;
  map.fields.reserve(header.size());
  for (const auto& h : header) map.fields.push_back(GuessField(h));
  for (const auto& o : overrides) {
    const size_t eq = o.rfind('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == o.size()) {
      return Status::InvalidArgument(
          fmt::format("--map '{}': se espera COLUMNA=CAMPO (p. ej. \"Tel Casa=telefono\")", o));
    }
    Field f;
    if (!ParseFieldName(o.substr(eq + 1), f)) {
      return Status::InvalidArgument(fmt::format(
          "--map '{}': campo desconocido '{}' (documento, nombres, apellidos, nombre, telefono, "
          "correo, municipio, departamento, extra, ignorar)",
          o, o.substr(eq + 1)));
    }
    const std::string col = Canonical(o.substr(0, eq));
    bool found = false;
    for (size_t i = 0; i < header.size(); ++i) {
      if (Canonical(header[i]) == col) {
        map.fields[i] = f;
        found = true;
      }
    }
    if (!found) {
      return Status::InvalidArgument(
          fmt::format("--map '{}': {} no tiene una columna '{}'", o, file, o.substr(0, eq)));
    }
  }
  auto set_once = [](int& slot, size_t i) {
    if (slot < 0) {
      slot = static_cast<int>(i);
      return true;
    }
    return false;
  };
  for (size_t i = 0; i < map.fields.size(); ++i) {
    bool used = true;
    switch (map.fields[i]) {
      case Field::kDocument:
        used = set_once(map.document, i);
        break;
      case Field::kNombres:
        used = set_once(map.nombres, i);
        break;
      case Field::kApellidos:
        used = set_once(map.apellidos, i);
        break;
      case Field::kFullName:
        used = set_once(map.full_name, i);
        break;
      case Field::kEmail:
        used = set_once(map.email, i);
        break;
      case Field::kMunicipio:
        used = set_once(map.municipio, i);
        break;
      case Field::kDepartamento:
        used = set_once(map.departamento, i);
        break;
      case Field::kPhone:
        map.phones.push_back(i);
        break;
      case Field::kExtra:
        used = false;
        break;
      case Field::kIgnore:
        break;
    }
    if (!used) {
      map.fields[i] = Field::kExtra;  // a second "documento" column is kept, not lost
      map.extras.push_back(i);
    }
  }
  if (map.phones.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}, línea 1: ninguna columna de teléfono en el encabezado (se esperaba teléfono, "
        "celular, móvil, fijo...; use --map COLUMNA=telefono)",
        file));
  }
  return map;
}

std::string NormalizeDocument(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (c >= '0' && c <= '9' && !(out.empty() && c == '0')) out.push_back(c);
  }
  return out;
}

}  // namespace sondeo::campaigns
