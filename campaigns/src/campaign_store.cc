// Campaign records: create, load, list, start/pause (audited), status.
#include <string>
#include <utility>

#include "campaigns/campaign.h"

namespace sondeo::campaigns {

namespace {

Result<CampaignState> StateFromName(std::string_view s) {
  if (s == "draft") return CampaignState::kDraft;
  if (s == "running") return CampaignState::kRunning;
  if (s == "paused") return CampaignState::kPaused;
  if (s == "finished") return CampaignState::kFinished;
  return Status::Internal("estado de campaña desconocido en la base: " + std::string(s));
}

Result<bool> TableExists(store::Db& db, std::string_view table) {
  auto st = db.Prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  if (!st) return st.error();
  st->Bind(1, table);
  return st->Step();
}

Result<CampaignRow> GetRow(store::Db& db, std::string_view id) {
  auto st = db.Prepare("SELECT id, name, entity, status, created_ms FROM campaigns WHERE id = ?");
  if (!st) return st.error();
  st->Bind(1, id);
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return Status::NotFound("no existe la campaña \"" + std::string(id) + "\"");
  CampaignRow r;
  r.id = st->Text(0);
  r.name = st->Text(1);
  r.entity = st->Text(2);
  auto state = StateFromName(st->Text(3));
  if (!state) return state.error();
  r.state = *state;
  r.created_ms = st->Int(4);
  return r;
}

Status Transition(store::Db& db, std::string_view id, CampaignState to, std::string_view actor,
                  int64_t now_ms) {
  auto tx = store::Transaction::Begin(db);
  if (!tx) return tx.error();
  auto row = GetRow(db, id);
  if (!row) return row.error();
  const CampaignState from = row->state;
  const bool allowed = to == CampaignState::kRunning
                           ? (from == CampaignState::kDraft || from == CampaignState::kPaused ||
                              from == CampaignState::kRunning)
                           : (from == CampaignState::kRunning || from == CampaignState::kPaused);
  if (!allowed) {
    return Status::FailedPrecondition("la campaña \"" + std::string(id) + "\" está en estado " +
                                      std::string(CampaignStateName(from)) + ": no se puede " +
                                      (to == CampaignState::kRunning ? "iniciar" : "pausar"));
  }
  if (from != to) {
    auto st = db.Prepare("UPDATE campaigns SET status = ?, updated_ms = ? WHERE id = ?");
    if (!st) return st.error();
    st->Bind(1, CampaignStateName(to)).Bind(2, now_ms).Bind(3, id);
    if (Status s = st->Run(); !s.ok()) return s;
    const std::string action = to == CampaignState::kRunning ? "campaign.start" : "campaign.pause";
    const std::string detail = "campaign=" + std::string(id) +
                               " from=" + std::string(CampaignStateName(from)) +
                               " to=" + std::string(CampaignStateName(to));
    if (Status s = store::Audit(db, actor, action, detail, now_ms); !s.ok()) return s;
  }
  return tx->Commit();
}

}  // namespace

std::string_view CampaignStateName(CampaignState s) {
  switch (s) {
    case CampaignState::kDraft:
      return "draft";
    case CampaignState::kRunning:
      return "running";
    case CampaignState::kPaused:
      return "paused";
    case CampaignState::kFinished:
      return "finished";
  }
  return "draft";
}

Status CreateCampaign(store::Db& db, const Campaign& c, std::string_view yaml, int64_t now_ms) {
  auto tx = store::Transaction::Begin(db);
  if (!tx) return tx.error();
  auto st = db.Prepare(
      "INSERT INTO campaigns (id, name, entity, status, config_yaml, source_path, survey_path,"
      " purpose, legal_basis, exemption_reason, created_ms, updated_ms)"
      " VALUES (?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return st.error();
  st->Bind(1, c.id)
      .Bind(2, c.name)
      .Bind(3, c.entity)
      .Bind(4, yaml)
      .Bind(5, c.source_path)
      .Bind(6, c.survey_path)
      .Bind(7, c.purpose)
      .Bind(8, c.legal_basis)
      .Bind(9, c.exemption_reason)
      .Bind(10, now_ms)
      .Bind(11, now_ms);
  if (Status s = st->Run(); !s.ok()) {
    if (s.code() == StatusCode::kAlreadyExists) {
      return Status::AlreadyExists("ya existe una campaña con id \"" + c.id + "\"");
    }
    return s;
  }
  std::string detail = "campaign=" + c.id;
  if (c.exemption_reason) detail += " exempt=yes";  // the reason itself is in campaigns
  if (Status s = store::Audit(db, "cli", "campaign.create", detail, now_ms); !s.ok()) return s;
  return tx->Commit();
}

Result<Campaign> LoadCampaign(store::Db& db, std::string_view id) {
  auto st = db.Prepare(
      "SELECT id, name, entity, config_yaml, source_path, survey_path, exemption_reason"
      " FROM campaigns WHERE id = ?");
  if (!st) return st.error();
  st->Bind(1, id);
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return Status::NotFound("no existe la campaña \"" + std::string(id) + "\"");
  const auto yaml = st->OptText(3);
  if (!yaml) {
    Campaign bare;
    bare.id = st->Text(0);
    bare.name = st->Text(1);
    bare.entity = st->Text(2);
    return bare;
  }
  const std::string source = st->Text(4);
  auto c = ParseCampaign(*yaml, source.empty() ? "campaigns." + std::string(id) : source);
  if (!c) {
    return Status::Internal("la configuración guardada de la campaña \"" + std::string(id) +
                            "\" ya no es válida: " + c.error().message());
  }
  c->source_path = source;
  if (const std::string survey = st->Text(5); !survey.empty()) c->survey_path = survey;
  return c;
}

Result<std::vector<CampaignRow>> ListCampaigns(store::Db& db) {
  auto st = db.Prepare(
      "SELECT id, name, entity, status, created_ms FROM campaigns ORDER BY created_ms, id");
  if (!st) return st.error();
  std::vector<CampaignRow> out;
  while (true) {
    auto row = st->Step();
    if (!row) return row.error();
    if (!*row) break;
    CampaignRow r;
    r.id = st->Text(0);
    r.name = st->Text(1);
    r.entity = st->Text(2);
    auto state = StateFromName(st->Text(3));
    if (!state) return state.error();
    r.state = *state;
    r.created_ms = st->Int(4);
    out.push_back(std::move(r));
  }
  return out;
}

Status StartCampaign(store::Db& db, std::string_view id, std::string_view actor, int64_t now_ms) {
  return Transition(db, id, CampaignState::kRunning, actor, now_ms);
}

Status PauseCampaign(store::Db& db, std::string_view id, std::string_view actor, int64_t now_ms) {
  return Transition(db, id, CampaignState::kPaused, actor, now_ms);
}

Result<CampaignStatus> GetCampaignStatus(store::Db& db, std::string_view id) {
  auto row = GetRow(db, id);
  if (!row) return row.error();
  CampaignStatus out;
  out.campaign = std::move(*row);
  auto count = [&](std::string_view table, std::string_view sql) -> Result<int64_t> {
    auto exists = TableExists(db, table);
    if (!exists) return exists.error();
    if (!*exists) return int64_t{0};
    auto st = db.Prepare(sql);
    if (!st) return st.error();
    st->Bind(1, id);
    auto r = st->Step();
    if (!r) return r.error();
    return *r ? st->Int(0) : int64_t{0};
  };
  auto contacts = count("contacts", "SELECT COUNT(*) FROM contacts WHERE campaign_id = ?");
  if (!contacts) return contacts.error();
  out.contacts = *contacts;
  auto attempts = count("attempts", "SELECT COUNT(*) FROM attempts WHERE campaign_id = ?");
  if (!attempts) return attempts.error();
  out.attempts = *attempts;
  auto has_dialing = TableExists(db, "contact_dialing");
  if (!has_dialing) return has_dialing.error();
  if (*has_dialing) {
    auto st = db.Prepare(
        "SELECT final_disposition, COUNT(*) FROM contact_dialing"
        " WHERE campaign_id = ? AND final_disposition IS NOT NULL"
        " GROUP BY final_disposition ORDER BY final_disposition");
    // A dialer schema without these columns is tolerated: no breakdown then.
    if (st) {
      st->Bind(1, id);
      while (true) {
        auto r = st->Step();
        if (!r) return r.error();
        if (!*r) break;
        out.by_disposition.emplace_back(st->Text(0), st->Int(1));
      }
    }
  }
  return out;
}

}  // namespace sondeo::campaigns
