// The read API of contacts (dialer, SMS, reports) and the export.
#include <fstream>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "campaigns/contacts.h"
#include "campaigns/src/import_internal.h"

namespace sondeo::campaigns {

namespace {

constexpr const char* kContactSql =
    "SELECT c.id, c.campaign_id, c.source_row, COALESCE(c.document, ''), c.nombres, c.apellidos,"
    " c.email, c.municipio, c.departamento, c.extra_json,"
    " EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'document' AND s.value = c.document)"
    " FROM contacts c";

constexpr const char* kPhonesSql =
    "SELECT p.e164, p.type, EXISTS (SELECT 1 FROM suppressions s WHERE s.kind = 'phone'"
    " AND s.value = p.e164) FROM phones p WHERE p.contact_id = ? ORDER BY p.position, p.id";

// Reads the current row of a kContactSql statement, then its phones.
Result<Contact> ReadContact(store::Statement& c, store::Statement& phones) {
  Contact out;
  out.id = c.Int(0);
  out.campaign_id = c.Text(1);
  out.source_row = c.Int(2);
  out.document = c.Text(3);
  out.nombres = c.Text(4);
  out.apellidos = c.Text(5);
  out.email = c.Text(6);
  out.municipio = c.Text(7);
  out.departamento = c.Text(8);
  const auto extra = nlohmann::json::parse(c.Text(9), nullptr, false);
  if (extra.is_object()) {
    for (const auto& [k, v] : extra.items()) {
      out.extra[k] = v.is_string() ? v.get<std::string>() : v.dump();
    }
  }
  const bool doc_suppressed = c.Int(10) != 0;
  phones.Reset();
  phones.Bind(1, out.id);
  bool all_suppressed = true;
  while (true) {
    auto more = phones.Step();
    if (!more.ok()) return more.error();
    if (!*more) break;
    ContactPhone p{phones.Text(0), phones.Text(1), phones.Int(2) != 0};
    if (!p.suppressed) all_suppressed = false;
    out.phones.push_back(std::move(p));
  }
  out.suppressed = doc_suppressed || all_suppressed;
  return out;
}

}  // namespace

Result<Contact> LoadContact(store::Db& db, int64_t contact_id) {
  auto c = db.Prepare(std::string(kContactSql) + " WHERE c.id = ?");
  if (!c.ok()) return c.error();
  auto p = db.Prepare(kPhonesSql);
  if (!p.ok()) return p.error();
  c->Bind(1, contact_id);
  auto row = c->Step();
  if (!row.ok()) return row.error();
  if (!*row) return Status::NotFound(fmt::format("no existe el contacto {}", contact_id));
  return ReadContact(*c, *p);
}

Result<std::vector<int64_t>> ListContactIds(store::Db& db, const std::string& campaign_id) {
  auto st = db.Prepare("SELECT id FROM contacts WHERE campaign_id = ? ORDER BY id");
  if (!st.ok()) return st.error();
  st->Bind(1, campaign_id);
  std::vector<int64_t> ids;
  while (true) {
    auto more = st->Step();
    if (!more.ok()) return more.error();
    if (!*more) break;
    ids.push_back(st->Int(0));
  }
  return ids;
}

Result<bool> IsSuppressed(store::Db& db, int64_t contact_id) {
  auto c = LoadContact(db, contact_id);
  if (!c.ok()) return c.error();
  return c->suppressed;
}

Result<bool> IsPhoneSuppressed(store::Db& db, const std::string& e164) {
  auto st = db.Prepare("SELECT 1 FROM suppressions WHERE kind = 'phone' AND value = ?");
  if (!st.ok()) return st.error();
  st->Bind(1, e164);
  auto row = st->Step();
  if (!row.ok()) return row.error();
  return *row;
}

Result<int64_t> ExportContacts(store::Db& db, const std::string& campaign_id,
                               const std::string& out_path, Clock& clock,
                               const std::string& actor) {
  auto c = db.Prepare(std::string(kContactSql) + " WHERE c.campaign_id = ? ORDER BY c.id");
  if (!c.ok()) return c.error();
  auto p = db.Prepare(kPhonesSql);
  if (!p.ok()) return p.error();
  c->Bind(1, campaign_id);
  std::vector<Contact> contacts;
  std::vector<std::string> extra_keys;
  std::set<std::string> seen_keys;
  size_t max_phones = 0;
  bool any = false;
  while (true) {
    auto more = c->Step();
    if (!more.ok()) return more.error();
    if (!*more) break;
    any = true;
    auto contact = ReadContact(*c, *p);
    if (!contact.ok()) return contact.error();
    if (contact->suppressed) continue;
    std::erase_if(contact->phones, [](const ContactPhone& ph) { return ph.suppressed; });
    max_phones = std::max(max_phones, contact->phones.size());
    for (const auto& [k, v] : contact->extra) {
      if (seen_keys.insert(k).second) extra_keys.push_back(k);
    }
    contacts.push_back(std::move(*contact));
  }
  if (!any) {
    auto exists = db.Prepare("SELECT 1 FROM campaigns WHERE id = ?");
    if (!exists.ok()) return exists.error();
    exists->Bind(1, campaign_id);
    auto row = exists->Step();
    if (!row.ok()) return row.error();
    if (!*row) return Status::NotFound(fmt::format("no existe la campaña '{}'", campaign_id));
  }
  const std::string tmp = out_path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::InvalidArgument(out_path + ": no se puede escribir el archivo");
    std::string line =
        "\xEF\xBB\xBF"
        "fila,documento,nombres,apellidos,correo,municipio,departamento";
    for (size_t k = 1; k <= max_phones; ++k) line += fmt::format(",telefono_{},tipo_{}", k, k);
    for (const auto& key : extra_keys) {
      line.push_back(',');
      AppendCsvField(line, key);
    }
    line += "\r\n";
    out << line;
    for (const auto& ct : contacts) {
      line = std::to_string(ct.source_row);
      for (const std::string* f :
           {&ct.document, &ct.nombres, &ct.apellidos, &ct.email, &ct.municipio, &ct.departamento}) {
        line.push_back(',');
        AppendCsvField(line, *f);
      }
      for (size_t k = 0; k < max_phones; ++k) {
        if (k < ct.phones.size()) {
          line +=
              "," + ct.phones[k].e164 + "," + (ct.phones[k].type == "mobile" ? "movil" : "fijo");
        } else {
          line += ",,";
        }
      }
      for (const auto& key : extra_keys) {
        line.push_back(',');
        if (auto it = ct.extra.find(key); it != ct.extra.end()) AppendCsvField(line, it->second);
      }
      line += "\r\n";
      out << line;
    }
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      return Status::InvalidArgument(out_path + ": no se puede escribir el archivo");
    }
  }
  const auto n = static_cast<int64_t>(contacts.size());
  if (Status s = store::Audit(db, actor, "contacts.export",
                              fmt::format("campaign={} contacts={}", campaign_id, n),
                              ToUnixMillis(clock.Now()));
      !s.ok()) {
    std::remove(tmp.c_str());
    return s;
  }
  if (std::rename(tmp.c_str(), out_path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::InvalidArgument(out_path + ": no se puede escribir el archivo");
  }
  return n;
}

}  // namespace sondeo::campaigns
