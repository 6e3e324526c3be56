// sondeo campaign create FILE.yaml | list | start ID | pause ID | status ID [--json]
// (campaigns/campaign.h). start and pause are audited with the operator's name ($SONDEO_USER,
// else $USER, else "cli").
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "campaigns/campaign.h"
#include "cli/context.h"

namespace sondeo::cli {

namespace {

std::string Actor() {
  for (const char* var : {"SONDEO_USER", "USER"}) {
    if (const char* v = std::getenv(var); v != nullptr && *v != '\0') return v;
  }
  return "cli";
}

// "FILE:LINE:COLUMN" of the value of the top-level `survey:` key (1:1 when not found).
std::string SurveyPosition(const std::string& file, const std::string& yaml) {
  std::istringstream in(yaml);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.rfind("survey:", 0) == 0) {
      const size_t value = line.find_first_not_of(" \t", 7);
      const size_t col = value == std::string::npos ? 8 : value + 1;
      return file + ":" + std::to_string(n) + ":" + std::to_string(col);
    }
  }
  return file + ":1:1";
}

std::string FormatLocal(const campaigns::Calendar& cal, TimePoint t) {
  const auto local = cal.rules().zone.ToLocal(t);
  const auto day = std::chrono::floor<std::chrono::days>(local);
  const auto mins = std::chrono::duration_cast<std::chrono::minutes>(local - day);
  return campaigns::FormatDate(campaigns::Date{std::chrono::sys_days{day.time_since_epoch()}}) +
         " " + campaigns::FormatTimeOfDay(mins);
}

void Create(Context& ctx, const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    ctx.exit_code = ctx.Fail(Status::InvalidArgument(file + ": no se puede leer el archivo"));
    return;
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string yaml = text.str();
  auto campaign = campaigns::LoadCampaignFile(file);
  if (!campaign) {
    ctx.exit_code = ctx.Fail(campaign.error());
    return;
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(campaign->survey_path, ec)) {
    ctx.exit_code = ctx.Fail(Status::InvalidArgument(SurveyPosition(file, yaml) +
                                                     ": survey: no existe el archivo de encuesta " +
                                                     campaign->survey_path));
    return;
  }
  auto db = ctx.OpenDb();
  if (!db) {
    ctx.exit_code = ctx.Fail(db.error());
    return;
  }
  if (Status s = campaigns::CreateCampaign(**db, *campaign, yaml, ToUnixMillis(ctx.clock->Now()));
      !s.ok()) {
    ctx.exit_code = ctx.Fail(s);
    return;
  }
  if (ctx.json) {
    nlohmann::json j = {{"id", campaign->id},
                        {"name", campaign->name},
                        {"state", "draft"},
                        {"survey", campaign->survey_path},
                        {"mode", campaigns::DialModeName(campaign->dialing.mode)},
                        {"dispositions", campaign->dispositions.all().size()},
                        {"exempt", campaign->exemption_reason.has_value()}};
    if (campaign->exemption_reason) j["exemption_reason"] = *campaign->exemption_reason;
    ctx.PrintJson(j);
    return;
  }
  std::cout << "Campaña creada: " << campaign->id << " (" << campaign->name << "), en borrador\n";
  if (campaign->exemption_reason) {
    std::cout << "Excepción al horario legal registrada: " << *campaign->exemption_reason << "\n";
  }
}

void List(Context& ctx) {
  auto db = ctx.OpenDb();
  if (!db) {
    ctx.exit_code = ctx.Fail(db.error());
    return;
  }
  auto rows = campaigns::ListCampaigns(**db);
  if (!rows) {
    ctx.exit_code = ctx.Fail(rows.error());
    return;
  }
  if (ctx.json) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : *rows) {
      list.push_back({{"id", r.id},
                      {"name", r.name},
                      {"entity", r.entity},
                      {"state", campaigns::CampaignStateName(r.state)},
                      {"created", FormatUtc(FromUnixMillis(r.created_ms))}});
    }
    ctx.PrintJson({{"campaigns", list}});
    return;
  }
  if (rows->empty()) {
    std::cout << "No hay campañas.\n";
    return;
  }
  for (const auto& r : *rows) {
    std::cout << r.id << "\t" << campaigns::CampaignStateName(r.state) << "\t" << r.name << "\n";
  }
}

void Transition(Context& ctx, const std::string& id, bool start) {
  auto db = ctx.OpenDb();
  if (!db) {
    ctx.exit_code = ctx.Fail(db.error());
    return;
  }
  const int64_t now = ToUnixMillis(ctx.clock->Now());
  const Status s = start ? campaigns::StartCampaign(**db, id, Actor(), now)
                         : campaigns::PauseCampaign(**db, id, Actor(), now);
  if (!s.ok()) {
    ctx.exit_code = ctx.Fail(s);
    return;
  }
  const char* state = start ? "running" : "paused";
  if (ctx.json) {
    ctx.PrintJson({{"id", id}, {"state", state}});
  } else {
    std::cout << "Campaña " << id << (start ? " iniciada" : " en pausa") << "\n";
  }
}

void ShowStatus(Context& ctx, const std::string& id) {
  auto db = ctx.OpenDb();
  if (!db) {
    ctx.exit_code = ctx.Fail(db.error());
    return;
  }
  auto st = campaigns::GetCampaignStatus(**db, id);
  if (!st) {
    ctx.exit_code = ctx.Fail(st.error());
    return;
  }
  auto campaign = campaigns::LoadCampaign(**db, id);
  if (!campaign) {
    ctx.exit_code = ctx.Fail(campaign.error());
    return;
  }
  const campaigns::Calendar cal = campaign->MakeCalendar();
  const TimePoint now = ctx.clock->Now();
  const auto next = cal.NextCallable(now);
  if (ctx.json) {
    nlohmann::json by = nlohmann::json::object();
    for (const auto& [code, n] : st->by_disposition) by[code] = n;
    nlohmann::json j = {{"id", st->campaign.id},
                        {"name", st->campaign.name},
                        {"entity", st->campaign.entity},
                        {"state", campaigns::CampaignStateName(st->campaign.state)},
                        {"mode", campaigns::DialModeName(campaign->dialing.mode)},
                        {"contacts", st->contacts},
                        {"attempts", st->attempts},
                        {"by_disposition", by},
                        {"zone", cal.rules().zone.name()},
                        {"callable_now", cal.IsCallable(now)},
                        {"next_callable", next ? nlohmann::json(FormatUtc(*next)) : nullptr}};
    ctx.PrintJson(j);
    return;
  }
  std::cout << "Campaña " << st->campaign.id << ": " << st->campaign.name << "\n"
            << "Estado: " << campaigns::CampaignStateName(st->campaign.state)
            << "  Modo: " << campaigns::DialModeName(campaign->dialing.mode) << "\n"
            << "Contactos: " << st->contacts << "  Intentos: " << st->attempts << "\n";
  if (!st->by_disposition.empty()) {
    std::cout << "Tipificaciones finales:\n";
    for (const auto& [code, n] : st->by_disposition) {
      const auto* d = campaign->dispositions.Find(code);
      std::cout << "  " << (d != nullptr ? d->label : code) << "\t" << n << "\n";
    }
  }
  std::cout << "Horario (" << cal.rules().zone.name() << "): "
            << (cal.IsCallable(now) ? "dentro de una franja de llamada" : "fuera de franja");
  if (next && !cal.IsCallable(now)) std::cout << "; próxima franja " << FormatLocal(cal, *next);
  std::cout << "\n";
}

}  // namespace

void RegisterCampaign(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("campaign", "Campañas: crear, listar, iniciar, pausar, estado");
  cmd->require_subcommand(1);
  cmd->fallthrough();

  auto file = std::make_shared<std::string>();
  auto* create = cmd->add_subcommand("create", "Crea una campaña desde su archivo YAML");
  create->add_option("FILE", *file, "Archivo de campaña (.yaml)")->required();
  create->callback([&ctx, file] { Create(ctx, *file); });

  auto* list = cmd->add_subcommand("list", "Lista las campañas");
  list->callback([&ctx] { List(ctx); });

  auto id = std::make_shared<std::string>();
  auto* start = cmd->add_subcommand("start", "Inicia (o reanuda) una campaña");
  start->add_option("ID", *id, "Id de la campaña")->required();
  start->callback([&ctx, id] { Transition(ctx, *id, true); });

  auto* pause = cmd->add_subcommand("pause", "Pausa una campaña");
  pause->add_option("ID", *id, "Id de la campaña")->required();
  pause->callback([&ctx, id] { Transition(ctx, *id, false); });

  auto* status = cmd->add_subcommand("status", "Estado y conteos de una campaña");
  status->add_option("ID", *id, "Id de la campaña")->required();
  status->callback([&ctx, id] { ShowStatus(ctx, *id); });
}

}  // namespace sondeo::cli
