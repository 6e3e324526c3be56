// sondeo survey check FILE.yaml [--base-columns a,b,c] [--campaign ID] [--json]
// sondeo survey load FILE.yaml [--json]      stores the survey (a new version when needed)
// sondeo survey show ID [--version N]        the stored survey as JSON
// (surveys/survey.h, surveys/responses.h; docs/surveys.md)
#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/context.h"
#include "surveys/responses.h"
#include "surveys/survey.h"

namespace sondeo::cli {

namespace {

std::vector<std::string> SplitColumns(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream ss(list);
  std::string part;
  while (std::getline(ss, part, ',')) {
    const auto b = part.find_first_not_of(" \t");
    const auto e = part.find_last_not_of(" \t");
    if (b != std::string::npos) out.push_back(part.substr(b, e - b + 1));
  }
  return out;
}

// The columns a campaign's contacts can fill: the fixed ones and every key of extra_json.
Result<std::vector<std::string>> CampaignColumns(store::Db& db, const std::string& campaign) {
  auto exists = db.Prepare("SELECT 1 FROM campaigns WHERE id = ?");
  if (!exists) return exists.error();
  exists->Bind(1, campaign);
  auto row = exists->Step();
  if (!row) return row.error();
  if (!*row) return Status::NotFound("--campaign: no existe la campaña '" + campaign + "'");
  std::vector<std::string> columns = {"nombres", "apellidos", "municipio", "departamento"};
  std::set<std::string> seen(columns.begin(), columns.end());
  auto st = db.Prepare("SELECT extra_json FROM contacts WHERE campaign_id = ?");
  if (!st) return st.error();
  st->Bind(1, campaign);
  for (;;) {
    auto r = st->Step();
    if (!r) return r.error();
    if (!*r) break;
    auto j = nlohmann::json::parse(st->Text(0), nullptr, /*allow_exceptions=*/false);
    if (!j.is_object()) continue;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (seen.insert(it.key()).second) columns.push_back(it.key());
    }
  }
  return columns;
}

nlohmann::json ErrorsJson(const std::vector<surveys::Diagnostic>& errors) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : errors) {
    list.push_back(
        {{"file", d.file}, {"line", d.line}, {"column", d.column}, {"message", d.message}});
  }
  return list;
}

// Prints the diagnostics (stderr, one per line; with --json also the object on stdout).
int ReportErrors(const Context& ctx, const std::vector<surveys::Diagnostic>& errors) {
  for (const auto& d : errors) std::cerr << d.ToString() << "\n";
  if (ctx.json) ctx.PrintJson({{"ok", false}, {"errors", ErrorsJson(errors)}});
  return kExitUser;
}

struct CheckArgs {
  std::string file;
  std::string base_columns;
  std::string campaign;
};

void RunCheck(Context& ctx, const CheckArgs& args) {
  surveys::CheckOptions options;
  if (!args.base_columns.empty()) options.base_columns = SplitColumns(args.base_columns);
  if (!args.campaign.empty()) {
    auto db = ctx.OpenDb();
    if (!db) {
      ctx.exit_code = ctx.Fail(db.error());
      return;
    }
    auto columns = CampaignColumns(**db, args.campaign);
    if (!columns) {
      ctx.exit_code = ctx.Fail(columns.error());
      return;
    }
    if (!options.base_columns) options.base_columns.emplace();
    for (auto& c : *columns) options.base_columns->push_back(std::move(c));
  }
  const auto result = surveys::CheckSurveyFile(args.file, options);
  if (!result.ok()) {
    ctx.exit_code = ReportErrors(ctx, result.errors);
    return;
  }
  if (ctx.json) {
    ctx.PrintJson({{"ok", true},
                   {"questions", result.questions},
                   {"branches", result.branches},
                   {"longest_path", result.longest_path}});
    return;
  }
  std::cout << args.file << ": encuesta '" << result.survey->id
            << "' correcta: " << result.questions << " preguntas, " << result.branches
            << " condiciones, camino más largo " << result.longest_path << " preguntas\n";
}

void RunLoad(Context& ctx, const std::string& file) {
  const auto result = surveys::CheckSurveyFile(file);
  if (!result.ok()) {
    ctx.exit_code = ReportErrors(ctx, result.errors);
    return;
  }
  auto db = ctx.OpenDb();
  if (!db) {
    ctx.exit_code = ctx.Fail(db.error());
    return;
  }
  std::ostringstream text;
  {
    std::ifstream in(file, std::ios::binary);
    text << in.rdbuf();
  }
  auto stored =
      surveys::RegisterSurvey(**db, *result.survey, text.str(), ToUnixMillis(ctx.clock->Now()));
  if (!stored) {
    ctx.exit_code = ctx.Fail(stored.error());
    return;
  }
  if (ctx.json) {
    ctx.PrintJson({{"ok", true},
                   {"id", stored->id},
                   {"version", stored->version},
                   {"created", stored->created},
                   {"hash", stored->hash}});
    return;
  }
  std::cout << "Encuesta '" << stored->id << "' versión " << stored->version
            << (stored->created ? " guardada" : " sin cambios") << "\n";
}

void RunShow(Context& ctx, const std::string& id, int version) {
  auto db = ctx.OpenDb();
  if (!db) {
    ctx.exit_code = ctx.Fail(db.error());
    return;
  }
  auto survey = surveys::LoadStoredSurvey(**db, id, version);
  if (!survey) {
    ctx.exit_code = ctx.Fail(survey.error());
    return;
  }
  // The model's JSON is the output in both modes (it is what the agent desktop reads).
  ctx.PrintJson(nlohmann::json::parse(surveys::ToJsonString(*survey)));
}

}  // namespace

void RegisterSurvey(CLI::App& app, Context& ctx) {
  auto* survey = app.add_subcommand("survey", "Guiones de encuesta (YAML): revisar, cargar, ver");
  survey->require_subcommand(1);

  auto check_args = std::make_shared<CheckArgs>();
  auto* check = survey->add_subcommand(
      "check", "Revisa un guion de encuesta y lista cada problema como ARCHIVO:LÍNEA:COLUMNA");
  check->add_option("FILE", check_args->file, "Archivo YAML de la encuesta")->required();
  check->add_option("--base-columns", check_args->base_columns,
                    "Columnas de la base que llenan {marcadores}, separadas por comas");
  check->add_option("--campaign", check_args->campaign,
                    "Campaña cuya base (nombres, apellidos, municipio, departamento y columnas "
                    "extra) llena los {marcadores}");
  check->callback([&ctx, check_args] { RunCheck(ctx, *check_args); });

  auto load_file = std::make_shared<std::string>();
  auto* load = survey->add_subcommand(
      "load",
      "Guarda la encuesta en la base de datos (nueva versión si cambió y ya tiene "
      "respuestas)");
  load->add_option("FILE", *load_file, "Archivo YAML de la encuesta")->required();
  load->callback([&ctx, load_file] { RunLoad(ctx, *load_file); });

  auto show_id = std::make_shared<std::string>();
  auto show_version = std::make_shared<int>(0);
  auto* show = survey->add_subcommand("show", "Muestra una encuesta guardada como JSON");
  show->add_option("ID", *show_id, "Id de la encuesta")->required();
  show->add_option("--version", *show_version, "Versión (por defecto la última)")
      ->check(CLI::NonNegativeNumber);
  show->callback([&ctx, show_id, show_version] { RunShow(ctx, *show_id, *show_version); });
}

}  // namespace sondeo::cli
