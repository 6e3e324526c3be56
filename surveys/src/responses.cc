#include "surveys/responses.h"

#include <cstdio>
#include <map>

namespace sondeo::surveys {

namespace {

// FNV-1a 64 of the canonical JSON form: comments, formatting and key order in the YAML do
// not make a new version; any change of content does.
std::string ContentHash(const Survey& survey) {
  const std::string canonical = ToJsonString(survey);
  uint64_t h = 1469598103934665603ULL;
  for (char c : canonical) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Status InsertSurvey(store::Db& db, const Survey& survey, int version, std::string_view yaml,
                    const std::string& hash, int64_t now_ms) {
  auto st = db.Prepare(
      "INSERT INTO surveys (id, version, title, yaml, content_hash, created_ms) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  if (!st) return st.error();
  st->Bind(1, survey.id).Bind(2, version).Bind(3, survey.title).Bind(4, yaml).Bind(5, hash);
  st->Bind(6, now_ms);
  return st->Run();
}

// Reads the answer rows of one response into the shape of its survey's questions.
Result<Answers> ReadAnswers(store::Db& db, int64_t response_id, const Survey& survey) {
  auto st = db.Prepare(
      "SELECT question_id, item_id, value FROM answers WHERE response_id = ? "
      "ORDER BY question_id, item_id, value");
  if (!st) return st.error();
  st->Bind(1, response_id);
  Answers answers;
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    const std::string qid = st->Text(0), item = st->Text(1), value = st->Text(2);
    Answer& a = answers[qid];
    const Question* q = survey.FindQuestion(qid);
    if (value.empty()) continue;  // left blank
    if (q != nullptr && q->type == QuestionType::kMatrix) {
      a.items[item] = value;
    } else if (q != nullptr && q->type == QuestionType::kMultiChoice) {
      a.selected.push_back(value);
    } else {
      a.value = value;
    }
  }
  // Keep multi_choice selections in the survey's option order (the table sorts by code).
  for (auto& [qid, a] : answers) {
    const Question* q = survey.FindQuestion(qid);
    if (q == nullptr || q->type != QuestionType::kMultiChoice || a.selected.size() < 2) continue;
    std::vector<std::string> ordered;
    for (const auto& o : q->options) {
      if (std::find(a.selected.begin(), a.selected.end(), o.code) != a.selected.end()) {
        ordered.push_back(o.code);
      }
    }
    if (ordered.size() == a.selected.size()) a.selected = std::move(ordered);
  }
  return answers;
}

constexpr const char* kResponseColumns =
    "SELECT id, survey_id, survey_version, campaign_id, contact_id, attempt_id, agent, status, "
    "started_ms, ended_ms, idempotency_key FROM responses ";

Result<StoredResponse> ReadResponseRow(store::Statement& st) {
  StoredResponse r;
  r.id = st.Int(0);
  r.survey_id = st.Text(1);
  r.survey_version = static_cast<int>(st.Int(2));
  r.campaign_id = st.Text(3);
  r.contact_id = st.Int(4);
  r.attempt_id = st.OptInt(5);
  r.agent = st.Text(6);
  auto status = ParseResponseStatus(st.Text(7));
  if (!status) return Status::Internal("respuesta " + std::to_string(r.id) + ": estado no válido");
  r.status = *status;
  r.started_ms = st.Int(8);
  r.ended_ms = st.Int(9);
  r.idempotency_key = st.Text(10);
  return r;
}

}  // namespace

Result<StoredSurvey> RegisterSurvey(store::Db& db, const Survey& survey, std::string_view yaml,
                                    int64_t now_ms) {
  if (survey.id.empty()) return Status::InvalidArgument("la encuesta no tiene id");
  const std::string hash = ContentHash(survey);
  auto txn = store::Transaction::Begin(db);
  if (!txn) return txn.error();
  auto st =
      db.Prepare("SELECT version, content_hash FROM surveys WHERE id = ? ORDER BY version DESC");
  if (!st) return st.error();
  st->Bind(1, survey.id);
  int latest = 0;
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    const int version = static_cast<int>(st->Int(0));
    if (latest == 0) latest = version;
    if (st->Text(1) == hash) return StoredSurvey{survey.id, version, hash, false};
  }
  StoredSurvey out{survey.id, latest + 1, hash, true};
  if (latest > 0) {
    auto used =
        db.Prepare("SELECT 1 FROM responses WHERE survey_id = ? AND survey_version = ? LIMIT 1");
    if (!used) return used.error();
    used->Bind(1, survey.id).Bind(2, latest);
    auto has = used->Step();
    if (!has) return has.error();
    if (!*has) {
      auto upd = db.Prepare(
          "UPDATE surveys SET title = ?, yaml = ?, content_hash = ?, created_ms = ? "
          "WHERE id = ? AND version = ?");
      if (!upd) return upd.error();
      upd->Bind(1, survey.title).Bind(2, yaml).Bind(3, hash).Bind(4, now_ms);
      upd->Bind(5, survey.id).Bind(6, latest);
      if (Status s = upd->Run(); !s.ok()) return s;
      out.version = latest;
      if (Status s = txn->Commit(); !s.ok()) return s;
      return out;
    }
  }
  if (Status s = InsertSurvey(db, survey, out.version, yaml, hash, now_ms); !s.ok()) return s;
  if (Status s = txn->Commit(); !s.ok()) return s;
  return out;
}

Result<int> LatestVersion(store::Db& db, std::string_view id) {
  auto st = db.Prepare("SELECT MAX(version) FROM surveys WHERE id = ?");
  if (!st) return st.error();
  st->Bind(1, id);
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row || st->IsNull(0)) {
    return Status::NotFound("no hay una encuesta '" + std::string(id) + "' cargada");
  }
  return static_cast<int>(st->Int(0));
}

Result<Survey> LoadStoredSurvey(store::Db& db, std::string_view id, int version) {
  if (version == 0) {
    auto latest = LatestVersion(db, id);
    if (!latest) return latest.error();
    version = *latest;
  }
  auto st = db.Prepare("SELECT yaml FROM surveys WHERE id = ? AND version = ?");
  if (!st) return st.error();
  st->Bind(1, id).Bind(2, version);
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) {
    return Status::NotFound("no hay versión " + std::to_string(version) + " de la encuesta '" +
                            std::string(id) + "'");
  }
  auto survey = LoadSurvey(st->Text(0), std::string(id) + " v" + std::to_string(version));
  if (!survey) return Status::Internal(survey.error().message());
  return survey;
}

Result<SavedResponse> SaveResponse(store::Db& db, const Survey& survey, const NewResponse& r) {
  if (r.idempotency_key.empty()) {
    return Status::InvalidArgument("la respuesta necesita una clave de idempotencia");
  }
  if (r.survey_id != survey.id) {
    return Status::InvalidArgument("la respuesta es de la encuesta '" + r.survey_id +
                                   "' pero se validó con '" + survey.id + "'");
  }
  if (Status s = ValidateAnswers(survey, r.answers); !s.ok()) return s;
  const ResponseStatus status = DecideStatus(survey, r.answers);

  auto txn = store::Transaction::Begin(db);
  if (!txn) return txn.error();
  {
    auto st = db.Prepare(
        "SELECT id, survey_id, survey_version, contact_id, status FROM responses "
        "WHERE idempotency_key = ?");
    if (!st) return st.error();
    st->Bind(1, r.idempotency_key);
    auto row = st->Step();
    if (!row) return row.error();
    if (*row) {
      if (st->Text(1) != r.survey_id || st->Int(2) != r.survey_version ||
          st->Int(3) != r.contact_id) {
        return Status::FailedPrecondition(
            "la clave de idempotencia ya se usó para otra entrevista (respuesta " +
            std::to_string(st->Int(0)) + ")");
      }
      auto stored = ParseResponseStatus(st->Text(4));
      return SavedResponse{st->Int(0), stored ? *stored : status, true};
    }
  }
  {
    auto st = db.Prepare("SELECT content_hash FROM surveys WHERE id = ? AND version = ?");
    if (!st) return st.error();
    st->Bind(1, r.survey_id).Bind(2, r.survey_version);
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) {
      return Status::NotFound("no hay versión " + std::to_string(r.survey_version) +
                              " de la encuesta '" + r.survey_id + "'");
    }
    if (st->Text(0) != ContentHash(survey)) {
      return Status::InvalidArgument("la encuesta dada no es la versión " +
                                     std::to_string(r.survey_version) + " guardada de '" +
                                     r.survey_id + "'");
    }
  }
  auto ins = db.Prepare(
      "INSERT INTO responses (survey_id, survey_version, campaign_id, contact_id, attempt_id, "
      "agent, status, started_ms, ended_ms, idempotency_key) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return ins.error();
  ins->Bind(1, r.survey_id).Bind(2, r.survey_version).Bind(3, r.campaign_id);
  ins->Bind(4, r.contact_id).Bind(5, r.attempt_id).Bind(6, r.agent);
  ins->Bind(7, ResponseStatusName(status)).Bind(8, r.started_ms).Bind(9, r.ended_ms);
  ins->Bind(10, r.idempotency_key);
  if (Status s = ins->Run(); !s.ok()) return s;
  const int64_t id = db.LastInsertRowId();

  auto ans = db.Prepare(
      "INSERT INTO answers (response_id, question_id, item_id, value) VALUES (?, ?, ?, ?)");
  if (!ans) return ans.error();
  auto put = [&](const std::string& q, const std::string& item, const std::string& value) {
    ans->Reset();
    ans->Bind(1, id).Bind(2, q).Bind(3, item).Bind(4, value);
    return ans->Run();
  };
  for (const auto& [qid, a] : r.answers) {
    Status s;
    if (a.empty()) {
      s = put(qid, "", "");
    } else if (!a.items.empty()) {
      for (const auto& [item, value] : a.items) {
        s = put(qid, item, value);
        if (!s.ok()) break;
      }
    } else if (!a.selected.empty()) {
      for (const auto& value : a.selected) {
        s = put(qid, "", value);
        if (!s.ok()) break;
      }
    } else {
      s = put(qid, "", a.value);
    }
    if (!s.ok()) return s;
  }
  if (Status s = txn->Commit(); !s.ok()) return s;
  return SavedResponse{id, status, false};
}

Result<StoredResponse> LoadResponse(store::Db& db, int64_t response_id) {
  auto st = db.Prepare(std::string(kResponseColumns) + "WHERE id = ?");
  if (!st) return st.error();
  st->Bind(1, response_id);
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return Status::NotFound("no hay respuesta " + std::to_string(response_id));
  auto r = ReadResponseRow(*st);
  if (!r) return r.error();
  auto survey = LoadStoredSurvey(db, r->survey_id, r->survey_version);
  if (!survey) return survey.error();
  auto answers = ReadAnswers(db, r->id, *survey);
  if (!answers) return answers.error();
  r->answers = std::move(*answers);
  return r;
}

Result<std::vector<StoredResponse>> LoadResponses(store::Db& db, std::string_view survey_id) {
  auto st = db.Prepare(std::string(kResponseColumns) + "WHERE survey_id = ? ORDER BY id");
  if (!st) return st.error();
  st->Bind(1, survey_id);
  std::vector<StoredResponse> out;
  for (;;) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    auto r = ReadResponseRow(*st);
    if (!r) return r.error();
    out.push_back(std::move(*r));
  }
  std::map<int, Survey> versions;
  for (auto& r : out) {
    auto it = versions.find(r.survey_version);
    if (it == versions.end()) {
      auto survey = LoadStoredSurvey(db, r.survey_id, r.survey_version);
      if (!survey) return survey.error();
      it = versions.emplace(r.survey_version, std::move(*survey)).first;
    }
    auto answers = ReadAnswers(db, r.id, it->second);
    if (!answers) return answers.error();
    r.answers = std::move(*answers);
  }
  return out;
}

}  // namespace sondeo::surveys
