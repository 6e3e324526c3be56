// Zone digit (60B) of Colombian departamentos and main municipios (domain.md §1.2).
#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "campaigns/phone.h"
#include "campaigns/src/phone_internal.h"

namespace sondeo::campaigns {
namespace {

using Entry = std::pair<std::string_view, char>;

// Folded names (phone_internal::FoldPlaceName) -> zone digit. Departamentos and their usual
// short forms; each department belongs to exactly one zone.
constexpr auto kDepartamentos = std::to_array<Entry>({
    {"amazonas", '8'},
    {"antioquia", '4'},
    {"arauca", '7'},
    {"archipielagodesanandres", '8'},
    {"archipielagodesanandresprovidenciaysantacatalina", '8'},
    {"atlantico", '5'},
    {"bogota", '1'},
    {"bogotadc", '1'},
    {"bogotadistritocapital", '1'},
    {"bolivar", '5'},
    {"boyaca", '8'},
    {"caldas", '6'},
    {"caqueta", '8'},
    {"casanare", '8'},
    {"cauca", '2'},
    {"cesar", '5'},
    {"choco", '4'},
    {"cordoba", '4'},
    {"cundinamarca", '1'},
    {"dc", '1'},
    {"distritocapital", '1'},
    {"guainia", '8'},
    {"guajira", '5'},
    {"guaviare", '8'},
    {"huila", '8'},
    {"laguajira", '5'},
    {"magdalena", '5'},
    {"meta", '8'},
    {"narino", '2'},
    {"ndesantander", '7'},
    {"nortedesantander", '7'},
    {"nsantander", '7'},
    {"putumayo", '8'},
    {"quindio", '6'},
    {"risaralda", '6'},
    {"sanandres", '8'},
    {"sanandresyprovidencia", '8'},
    {"sanandresprovidenciaysantacatalina", '8'},
    {"santafedebogota", '1'},
    {"santander", '7'},
    {"sucre", '5'},
    {"tolima", '8'},
    {"valle", '2'},
    {"valledelcauca", '2'},
    {"vaupes", '8'},
    {"vichada", '8'},
});

// Department capitals and the larger municipios whose name is unique in the country (names
// shared by municipios of different zones, like Rionegro or Sabanalarga, are left out).
constexpr auto kMunicipios = std::to_array<Entry>({
    {"acacias", '8'},
    {"aguachica", '5'},
    {"apartado", '4'},
    {"arauca", '7'},
    {"armenia", '6'},
    {"barrancabermeja", '7'},
    {"barranquilla", '5'},
    {"bello", '4'},
    {"bogota", '1'},
    {"bogotadc", '1'},
    {"bucaramanga", '7'},
    {"buenaventura", '2'},
    {"buga", '2'},
    {"cajica", '1'},
    {"calarca", '6'},
    {"cali", '2'},
    {"santiagodecali", '2'},
    {"cartagena", '5'},
    {"cartagenadeindias", '5'},
    {"cartago", '2'},
    {"caucasia", '4'},
    {"cerete", '4'},
    {"chia", '1'},
    {"chiquinquira", '8'},
    {"cienaga", '5'},
    {"cucuta", '7'},
    {"sanjosedecucuta", '7'},
    {"dosquebradas", '6'},
    {"duitama", '8'},
    {"envigado", '4'},
    {"espinal", '8'},
    {"facatativa", '1'},
    {"florencia", '8'},
    {"floridablanca", '7'},
    {"funza", '1'},
    {"fusagasuga", '1'},
    {"garzon", '8'},
    {"girardot", '1'},
    {"giron", '7'},
    {"ibague", '8'},
    {"inirida", '8'},
    {"ipiales", '2'},
    {"itagui", '4'},
    {"jamundi", '2'},
    {"ladorada", '6'},
    {"leticia", '8'},
    {"lorica", '4'},
    {"madrid", '1'},
    {"magangue", '5'},
    {"maicao", '5'},
    {"malambo", '5'},
    {"manizales", '6'},
    {"medellin", '4'},
    {"mitu", '8'},
    {"mocoa", '8'},
    {"monteria", '4'},
    {"mosquera", '1'},
    {"neiva", '8'},
    {"ocana", '7'},
    {"palmira", '2'},
    {"pamplona", '7'},
    {"pasto", '2'},
    {"sanjuandepasto", '2'},
    {"pereira", '6'},
    {"piedecuesta", '7'},
    {"pitalito", '8'},
    {"popayan", '2'},
    {"puertocarreno", '8'},
    {"quibdo", '4'},
    {"riohacha", '5'},
    {"sahagun", '4'},
    {"sanandres", '8'},
    {"sanjosedelguaviare", '8'},
    {"santamarta", '5'},
    {"sincelejo", '5'},
    {"soacha", '1'},
    {"sogamoso", '8'},
    {"soledad", '5'},
    {"tulua", '2'},
    {"tumaco", '2'},
    {"tunja", '8'},
    {"turbaco", '5'},
    {"turbo", '4'},
    {"valledupar", '5'},
    {"villavicencio", '8'},
    {"yopal", '8'},
    {"yumbo", '2'},
    {"zipaquira", '1'},
});

template <size_t N>
char Lookup(const std::array<Entry, N>& table, std::string_view key) {
  // Tables are small; a linear scan over folded keys is a few hundred ns at most and only
  // runs for cells that hold a bare 7-digit number.
  for (const Entry& e : table) {
    if (e.first == key) return e.second;
  }
  return 0;
}

// Latin-1 code point (0xC0..0xFF) -> ASCII letter, or 0.
char FoldLatin1(unsigned char c) {
  static constexpr std::string_view kUpper = "AAAAAAACEEEEIIIIDNOOOOO.OUUUUYTs";  // C0..DF
  static constexpr std::string_view kLower = "aaaaaaaceeeeiiiidnooooo/ouuuuyty";  // E0..FF
  if (c >= 0xC0 && c <= 0xDF) return kUpper[c - 0xC0];
  if (c >= 0xE0) return kLower[c - 0xE0];
  return 0;
}

}  // namespace

namespace phone_internal {

std::string FoldPlaceName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (size_t i = 0; i < name.size(); ++i) {
    auto c = static_cast<unsigned char>(name[i]);
    char folded = 0;
    if (c < 0x80) {
      folded = static_cast<char>(c);
    } else if (c == 0xC2 && i + 1 < name.size() &&
               static_cast<unsigned char>(name[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(name[i + 1]) <= 0xBF) {
      ++i;  // UTF-8 U+0080..U+00BF (NBSP, punctuation): not a letter
    } else if (c == 0xC3 && i + 1 < name.size()) {
      // UTF-8 two-byte form of U+00C0..U+00FF.
      auto next = static_cast<unsigned char>(name[i + 1]);
      if (next >= 0x80 && next <= 0xBF) {
        folded = FoldLatin1(static_cast<unsigned char>(next + 0x40));
        ++i;
      }
    } else {
      folded = FoldLatin1(c);  // Windows-1252 / Latin-1 byte
    }
    if (folded >= 'A' && folded <= 'Z') folded = static_cast<char>(folded - 'A' + 'a');
    if (folded >= 'a' && folded <= 'z') out += folded;
  }
  return out;
}

}  // namespace phone_internal

char PhoneNormalizer::ZoneDigit(std::string_view departamento, std::string_view municipio) {
  std::string dep = phone_internal::FoldPlaceName(departamento);
  if (!dep.empty()) {
    if (char z = Lookup(kDepartamentos, dep); z != 0) return z;
  }
  std::string mun = phone_internal::FoldPlaceName(municipio);
  if (!mun.empty()) {
    if (char z = Lookup(kMunicipios, mun); z != 0) return z;
    // "Bogotá D.C." style suffixes on a municipio.
    if (mun.starts_with("bogota")) return '1';
  }
  return 0;
}

}  // namespace sondeo::campaigns
