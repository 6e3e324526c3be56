#include "reports/export.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <xlsxwriter.h>

#include "campaigns/campaign.h"
#include "reports/report.h"
#include "reports/src/campaign_survey.h"
#include "reports/src/tables.h"
#include "surveys/survey.h"

namespace sondeo::reports {

namespace {

std::string Neutralise(std::string v) {
  if (!v.empty() &&
      (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r')) {
    v.insert(v.begin(), '\'');
  }
  return v;
}

struct AnswerColumn {
  std::string name;  // "p1_amabilidad"
  std::string question_id, item_id;
};

struct CodebookRow {
  std::string column, question_id, item_id, type, text, code, label;
};

// Writes rows to CSV or XLSX.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Row(const std::vector<std::string>& cells) = 0;
  virtual Status Close(const std::vector<CodebookRow>& codebook) = 0;
};

const std::vector<std::string> kCodebookHeader = {"columna", "pregunta", "item",    "tipo",
                                                  "texto",   "codigo",   "etiqueta"};

std::vector<std::string> CodebookCells(const CodebookRow& c) {
  return {c.column, c.question_id, c.item_id, c.type, c.text, c.code, c.label};
}

class CsvSink : public Sink {
 public:
  CsvSink(std::string path, std::string codebook_path, char sep)
      : path_(std::move(path)), codebook_path_(std::move(codebook_path)), sep_(sep) {}
  Status Open() {
    f_.open(path_, std::ios::binary | std::ios::trunc);
    if (!f_) return Status::InvalidArgument(path_ + ": no se puede escribir");
    f_ << kUtf8Bom;
    return Status::Ok();
  }
  Status Row(const std::vector<std::string>& cells) override {
    WriteLine(f_, cells);
    if (!f_) return Status::ResourceExhausted(path_ + ": error de escritura");
    return Status::Ok();
  }
  Status Close(const std::vector<CodebookRow>& codebook) override {
    f_.close();
    if (!f_) return Status::ResourceExhausted(path_ + ": error de escritura");
    std::ofstream cb(codebook_path_, std::ios::binary | std::ios::trunc);
    if (!cb) return Status::InvalidArgument(codebook_path_ + ": no se puede escribir");
    cb << kUtf8Bom;
    WriteLine(cb, kCodebookHeader);
    for (const auto& c : codebook) WriteLine(cb, CodebookCells(c));
    cb.close();
    if (!cb) return Status::ResourceExhausted(codebook_path_ + ": error de escritura");
    return Status::Ok();
  }

 private:
  void WriteLine(std::ofstream& f, const std::vector<std::string>& cells) {
    line_.clear();
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) line_ += sep_;
      line_ += CsvField(cells[i], sep_);
    }
    line_ += "\r\n";
    f << line_;
  }
  std::string path_, codebook_path_;
  char sep_;
  std::ofstream f_;
  std::string line_;
};

class XlsxSink : public Sink {
 public:
  explicit XlsxSink(std::string path) : path_(std::move(path)) {}
  ~XlsxSink() override {
    if (wb_ != nullptr) workbook_close(wb_);
  }
  Status Open() {
    lxw_workbook_options opts{};
    opts.constant_memory = LXW_TRUE;
    wb_ = workbook_new_opt(path_.c_str(), &opts);
    if (wb_ == nullptr) return Status::InvalidArgument(path_ + ": no se puede crear el XLSX");
    data_ = workbook_add_worksheet(wb_, "Resultados");
    codebook_ = workbook_add_worksheet(wb_, "Libro de códigos");
    bold_ = workbook_add_format(wb_);
    format_set_bold(bold_);
    return Status::Ok();
  }
  Status Row(const std::vector<std::string>& cells) override {
    if (row_ >= 1'048'576) {
      return Status::ResourceExhausted("XLSX admite 1.048.576 filas: use --format csv");
    }
    for (size_t c = 0; c < cells.size(); ++c) {
      if (cells[c].empty()) continue;
      worksheet_write_string(data_, row_, static_cast<lxw_col_t>(c), cells[c].c_str(),
                             row_ == 0 ? bold_ : nullptr);
    }
    ++row_;
    return Status::Ok();
  }
  Status Close(const std::vector<CodebookRow>& codebook) override {
    lxw_row_t r = 0;
    for (size_t c = 0; c < kCodebookHeader.size(); ++c) {
      worksheet_write_string(codebook_, r, static_cast<lxw_col_t>(c), kCodebookHeader[c].c_str(),
                             bold_);
    }
    for (const auto& row : codebook) {
      ++r;
      const auto cells = CodebookCells(row);
      for (size_t c = 0; c < cells.size(); ++c) {
        worksheet_write_string(codebook_, r, static_cast<lxw_col_t>(c), cells[c].c_str(), nullptr);
      }
    }
    lxw_error err = workbook_close(wb_);
    wb_ = nullptr;
    if (err != LXW_NO_ERROR) return Status::InvalidArgument(path_ + ": " + lxw_strerror(err));
    return Status::Ok();
  }

 private:
  std::string path_;
  lxw_workbook* wb_ = nullptr;
  lxw_worksheet* data_ = nullptr;
  lxw_worksheet* codebook_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_row_t row_ = 0;
};

Result<std::optional<surveys::Survey>> CampaignSurvey(store::Db& db, const std::string& id) {
  auto yaml = CampaignSurveyYaml(db, id);
  if (!yaml) return yaml.error();
  if (!*yaml) return std::optional<surveys::Survey>();
  auto loaded = surveys::LoadSurvey(**yaml, "surveys");
  if (!loaded) return std::optional<surveys::Survey>();
  return std::optional<surveys::Survey>(std::move(*loaded));
}

std::string Protect(const ExportOptions& o, const std::string& v) {
  if (v.empty()) return v;
  switch (o.pii) {
    case PiiMode::kClear:
      return v;
    case PiiMode::kMask:
      return MaskPii(v);
    case PiiMode::kPseudonymise:
      return Pseudonymise(o.hmac_key, v);
  }
  return v;
}

std::string National(const std::string& e164) {
  return e164.rfind("+57", 0) == 0 ? e164.substr(3) : e164;
}

}  // namespace

std::string MaskPii(std::string_view value) {
  std::string v(value);
  if (v.rfind("+57", 0) == 0) v = v.substr(3);
  if (v.size() <= 6) {
    for (size_t i = 0; i + 2 < v.size(); ++i) v[i] = '*';
    return v;
  }
  for (size_t i = 3; i + 3 < v.size(); ++i) v[i] = '*';
  return v;
}

std::string Pseudonymise(std::string_view key, std::string_view value) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(value.data()), value.size(), out, &len);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 0xF];
  }
  return hex;
}

Result<std::string> LoadHmacKey(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return Status::InvalidArgument(path + ": no se puede leer el archivo de clave");
  std::stringstream ss;
  ss << f.rdbuf();
  std::string key = ss.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  if (key.size() < 16) {
    return Status::InvalidArgument(path + ": la clave debe tener al menos 16 bytes");
  }
  return key;
}

Result<ExportResult> ExportContacts(store::Db& db, const std::string& campaign_id,
                                    const ExportOptions& o, int64_t now_unix_ms) {
  auto campaign = campaigns::LoadCampaign(db, campaign_id);
  if (!campaign) return campaign.error();
  if (o.format != "csv" && o.format != "xlsx") {
    return Status::InvalidArgument("--format " + o.format + ": se esperaba csv o xlsx");
  }
  if (o.pii == PiiMode::kPseudonymise && o.hmac_key.size() < 16) {
    return Status::InvalidArgument("--pseudonymise: la clave debe tener al menos 16 bytes");
  }
  auto survey = CampaignSurvey(db, campaign_id);
  if (!survey) return survey.error();

  // Extra source columns (keys of extra_json).
  std::vector<std::string> extra;
  {
    auto st = db.Prepare(
        "SELECT DISTINCT j.key FROM contacts c, json_each(c.extra_json) j"
        " WHERE c.campaign_id = ? ORDER BY j.key");
    if (!st) return st.error();
    st->Bind(1, campaign_id);
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      extra.push_back(st->Text(0));
    }
  }
  // Answer columns and the codebook.
  std::vector<AnswerColumn> answers;
  std::vector<CodebookRow> codebook;
  for (const auto& d : campaign->dispositions.all()) {
    codebook.push_back(
        {"tipificacion_final", "", "", "tipificacion", "Tipificación final", d.code, d.label});
  }
  codebook.push_back({"tipificacion_final", "", "", "tipificacion", "Tipificación final",
                      "PENDIENTE", "Sin tipificación final"});
  if (*survey) {
    for (const auto& q : (*survey)->questions) {
      const std::string type(surveys::QuestionTypeName(q.type));
      std::vector<std::pair<std::string, std::string>> cols;  // item id, label
      if (q.type == surveys::QuestionType::kMatrix) {
        for (const auto& it : q.items) cols.push_back({it.id, it.label});
      } else {
        cols.push_back({"", ""});
      }
      for (const auto& [item, label] : cols) {
        AnswerColumn col{item.empty() ? q.id : q.id + "_" + item, q.id, item};
        const std::string text = label.empty() ? q.text : q.text + " - " + label;
        if (q.options.empty()) {
          codebook.push_back({col.name, q.id, item, type, text, "", ""});
        }
        for (const auto& opt : q.options) {
          codebook.push_back({col.name, q.id, item, type, text, opt.code, opt.label});
        }
        if (q.ns_nr) {
          codebook.push_back({col.name, q.id, item, type, text, std::string(surveys::kNsNr),
                              "No sabe / No responde"});
        }
        answers.push_back(std::move(col));
      }
    }
  } else {
    auto st = db.Prepare(
        "SELECT DISTINCT a.question_id, a.item_id FROM answers a JOIN responses r"
        " ON r.id = a.response_id WHERE r.campaign_id = ? ORDER BY 1, 2");
    if (!st) return st.error();
    st->Bind(1, campaign_id);
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      AnswerColumn col{st->Text(1).empty() ? st->Text(0) : st->Text(0) + "_" + st->Text(1),
                       st->Text(0), st->Text(1)};
      codebook.push_back({col.name, col.question_id, col.item_id, "", "", "", ""});
      answers.push_back(std::move(col));
    }
  }
  std::map<std::pair<std::string, std::string>, size_t> answer_index;
  for (size_t i = 0; i < answers.size(); ++i) {
    answer_index[{answers[i].question_id, answers[i].item_id}] = i;
  }

  // Sink.
  ExportResult result;
  std::unique_ptr<Sink> sink;
  if (o.format == "csv") {
    std::filesystem::path base(o.out);
    if (base.extension() == ".csv") base.replace_extension();
    const std::string cb = base.string() + "_codebook.csv";
    auto csv = std::make_unique<CsvSink>(o.out, cb, o.separator);
    if (Status s = csv->Open(); !s.ok()) return s;
    result.files = {o.out, cb};
    sink = std::move(csv);
  } else {
    auto x = std::make_unique<XlsxSink>(o.out);
    if (Status s = x->Open(); !s.ok()) return s;
    result.files = {o.out};
    sink = std::move(x);
  }

  const std::vector<std::string> fixed = {"contacto_id",  "fila_origen", "documento",
                                          "nombres",      "apellidos",   "municipio",
                                          "departamento", "email",       "telefono"};
  std::vector<std::string> header = fixed;
  for (const auto& e : extra) header.push_back(e);
  for (const char* h :
       {"tipificacion_final", "tipificacion_etiqueta", "intentos", "ultimo_intento", "agente"}) {
    header.push_back(h);
  }
  for (const auto& a : answers) header.push_back(a.name);
  if (Status s = sink->Row(header); !s.ok()) return s;

  // Extra columns are extracted by SQLite (json_extract), unless a key holds a '"' that a
  // JSON path cannot name: then each row's JSON is parsed here.
  bool slow_extra = false;
  for (const auto& e : extra) slow_extra = slow_extra || e.find('"') != std::string::npos;
  std::string extra_sql;
  if (!slow_extra) {
    for (size_t i = 0; i < extra.size(); ++i) {
      extra_sql += ", json_extract(c.extra_json, ?" + std::to_string(i + 2) + ")";
    }
  }
  auto main = db.Prepare(
      "SELECT c.id, c.source_row, c.document, c.nombres, c.apellidos, c.municipio,"
      " c.departamento, c.email, c.extra_json,"
      " (SELECT p.e164 FROM phones p WHERE p.contact_id = c.id ORDER BY p.position LIMIT 1),"
      " CASE WHEN d.status = 'final' THEN d.final_disposition END, COALESCE(d.dials, 0),"
      " COALESCE(a.dial_ms, a.queued_ms), a.agent" +
      extra_sql +
      " FROM contacts c LEFT JOIN contact_dialing d ON d.contact_id = c.id"
      " LEFT JOIN attempts a ON a.id = d.last_attempt_id"
      " WHERE c.campaign_id = ?1 ORDER BY c.id");
  if (!main) return main.error();
  main->Bind(1, campaign_id);
  if (!slow_extra) {
    for (size_t i = 0; i < extra.size(); ++i) {
      main->Bind(static_cast<int>(i) + 2, "$.\"" + extra[i] + "\"");
    }
  }
  // Answers of each contact's latest response (complete ones win), merged by contact id.
  auto ans = db.Prepare(
      "SELECT r.contact_id, a.question_id, a.item_id, a.value, r.id FROM responses r"
      " JOIN answers a ON a.response_id = r.id WHERE r.campaign_id = ?"
      " ORDER BY r.contact_id, r.status = 'complete', r.ended_ms, r.id, a.question_id,"
      " a.item_id, a.value");
  if (!ans) return ans.error();
  ans->Bind(1, campaign_id);
  auto ans_row = ans->Step();
  if (!ans_row) return ans_row.error();
  bool ans_more = *ans_row;

  std::vector<std::string> cells;
  std::vector<std::string> values(answers.size());
  std::vector<int64_t> value_response(answers.size());
  while (true) {
    auto row = main->Step();
    if (!row) return row.error();
    if (!*row) break;
    const int64_t contact = main->Int(0);
    cells.clear();
    cells.push_back(std::to_string(contact));
    cells.push_back(std::to_string(main->Int(1)));
    cells.push_back(Neutralise(Protect(o, main->OptText(2).value_or(""))));
    for (int c = 3; c <= 7; ++c) cells.push_back(Neutralise(main->Text(c)));
    cells.push_back(Neutralise(Protect(o, National(main->OptText(9).value_or("")))));
    if (!slow_extra) {
      for (size_t i = 0; i < extra.size(); ++i) {
        cells.push_back(Neutralise(main->OptText(14 + static_cast<int>(i)).value_or("")));
      }
    } else if (!extra.empty()) {
      const auto j = nlohmann::json::parse(main->Text(8), nullptr, false);
      for (const auto& e : extra) {
        std::string v;
        if (j.is_object() && j.contains(e)) {
          v = j[e].is_string() ? j[e].get<std::string>() : j[e].dump();
        }
        cells.push_back(Neutralise(std::move(v)));
      }
    }
    const auto final_code = main->OptText(10);
    const std::string code = final_code.value_or("PENDIENTE");
    const campaigns::Disposition* disp = campaign->dispositions.Find(code);
    cells.push_back(code);
    cells.push_back(disp ? disp->label : (final_code ? code : "PENDIENTE"));
    cells.push_back(std::to_string(main->Int(11)));
    const auto last = main->OptInt(12);
    cells.push_back(last ? FormatLocal(*last, o.utc_offset_minutes) : "");
    cells.push_back(Neutralise(main->OptText(13).value_or("")));
    // Merge the answers of this contact.
    std::fill(values.begin(), values.end(), std::string());
    std::fill(value_response.begin(), value_response.end(), int64_t{0});
    while (ans_more && ans->Int(0) < contact) {
      auto r = ans->Step();
      if (!r) return r.error();
      ans_more = *r;
    }
    while (ans_more && ans->Int(0) == contact) {
      auto it = answer_index.find({ans->Text(1), ans->Text(2)});
      if (it != answer_index.end()) {
        // A later response replaces an earlier one; multi_choice values are joined by '|'.
        std::string& v = values[it->second];
        const int64_t rid = ans->Int(4);
        if (value_response[it->second] != rid) {
          v = ans->Text(3);
          value_response[it->second] = rid;
        } else {
          v += "|" + ans->Text(3);
        }
      }
      auto r = ans->Step();
      if (!r) return r.error();
      ans_more = *r;
    }
    for (auto& v : values) cells.push_back(Neutralise(v));
    if (Status s = sink->Row(cells); !s.ok()) return s;
    ++result.rows;
  }
  if (Status s = sink->Close(codebook); !s.ok()) return s;

  const char* pii = o.pii == PiiMode::kMask           ? "mask"
                    : o.pii == PiiMode::kPseudonymise ? "hmac"
                                                      : "clear";
  if (Status s = store::Audit(db, o.actor, "export",
                              "campaign=" + campaign_id + " format=" + o.format +
                                  " rows=" + std::to_string(result.rows) + " pii=" + pii,
                              now_unix_ms);
      !s.ok()) {
    return s;
  }
  return result;
}

}  // namespace sondeo::reports
