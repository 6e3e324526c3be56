#pragma once
// Header mapping of contact bases: which column is the document, the names, the phones...
// Pure (no I/O); table-driven tests in headers_test.cc.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sondeo::campaigns {

enum class Field {
  kExtra,         // kept as an extra attribute (contacts.extra_json)
  kIgnore,        // dropped (--map COL=ignorar)
  kDocument,      // documento, cédula, identificación, cc, nit
  kNombres,       // nombres
  kApellidos,     // apellidos
  kFullName,      // nombre, nombre completo
  kPhone,         // teléfono, fijo, celular, móvil, cel, "telefono 2"...
  kEmail,         // correo, email
  kMunicipio,     // municipio, ciudad
  kDepartamento,  // departamento, depto
};

// "documento", "nombres", "apellidos", "nombre", "telefono", "correo", "municipio",
// "departamento", "extra", "ignorar".
std::string_view FieldName(Field f);

// The field a header names by itself (accent- and case-insensitive, Spanish and English).
Field GuessField(std::string_view header);

// Parses a --map FIELD name (the names above, plus English: document, phone, email, name,
// first_name, last_name, city, state, ignore). False when unknown.
bool ParseFieldName(std::string_view name, Field& out);

struct ColumnMap {
  std::vector<Field> fields;  // one per header column
  // Column indexes by role (first column wins for single-valued fields; -1 when absent).
  int document = -1, nombres = -1, apellidos = -1, full_name = -1, email = -1, municipio = -1,
      departamento = -1;
  std::vector<size_t> phones;  // every phone column, left to right
  std::vector<size_t> extras;  // every extra column, left to right
};

// Maps the header row. `overrides` are --map "COLUMN=FIELD" strings (COLUMN matched like a
// header: accent- and case-insensitive). Errors (kInvalidArgument): a malformed or unknown
// --map, a --map naming no column, and no phone column at all (naming `file`).
Result<ColumnMap> MapHeader(const std::vector<std::string>& header,
                            const std::vector<std::string>& overrides, std::string_view file);

// Document digits only, leading zeros dropped ("0012.345.678" -> "12345678"; "" if none).
std::string NormalizeDocument(std::string_view raw);

}  // namespace sondeo::campaigns
