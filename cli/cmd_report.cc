// sondeo report ID --format html|csv|xlsx|json --out FILE [--from DATE --to DATE]
// sondeo export ID --format csv|xlsx --out FILE [--mask-pii | --pseudonymise KEYFILE]
//               [--separator ';']
// The numbers come from reports/ (docs/reports.md); this file only parses and prints.
#include <fstream>
#include <iostream>
#include <optional>

#include "cli/context.h"
#include "reports/export.h"
#include "reports/report.h"

namespace sondeo::cli {

namespace {

struct ReportArgs {
  std::string id;
  std::string format = "html";
  std::string out;
  std::string from, to;
  char separator = ',';
  std::string separator_text = ",";
};

struct ExportArgs {
  std::string id;
  std::string format = "csv";
  std::string out;
  bool mask = false;
  std::string key_file;
  std::string separator_text = ",";
};

Result<char> ParseSeparator(const std::string& s) {
  if (s == "\\t" || s == "tab") return '\t';
  if (s.size() != 1 || s == "\"" || s == "\n" || s == "\r") {
    return Status::InvalidArgument("--separator \"" + s +
                                   "\": se esperaba un carácter (, ; | tab)");
  }
  return s[0];
}

Status WriteText(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return Status::InvalidArgument(path + ": no se puede escribir");
  f << text;
  f.close();
  if (!f) return Status::ResourceExhausted(path + ": error de escritura");
  return Status::Ok();
}

int RunReport(const ReportArgs& a, Context& ctx) {
  if (a.format != "html" && a.format != "csv" && a.format != "xlsx" && a.format != "json") {
    return ctx.Fail(
        Status::InvalidArgument("--format " + a.format + ": se esperaba html, csv, xlsx o json"));
  }
  if (a.out.empty() && a.format != "json") {
    return ctx.Fail(Status::InvalidArgument("--out: falta el archivo de salida"));
  }
  auto sep = ParseSeparator(a.separator_text);
  if (!sep) return ctx.Fail(sep.error());
  auto db = ctx.OpenDb();
  if (!db) return ctx.Fail(db.error());
  reports::ReportOptions opt;
  if (!a.from.empty()) opt.from = a.from;
  if (!a.to.empty()) opt.to = a.to;
  auto report = reports::BuildReport(**db, a.id, opt, ToUnixMillis(ctx.clock->Now()));
  if (!report) return ctx.Fail(report.error());
  std::vector<std::string> files;
  if (a.format == "json") {
    const std::string text = reports::RenderJson(*report);
    if (a.out.empty()) {
      std::cout << text << "\n";  // the report itself is the one JSON object
      return kExitOk;
    }
    if (Status s = WriteText(a.out, text + "\n"); !s.ok()) return ctx.Fail(s);
    files.push_back(a.out);
  } else if (a.format == "html") {
    if (Status s = WriteText(a.out, reports::RenderHtml(*report)); !s.ok()) return ctx.Fail(s);
    files.push_back(a.out);
  } else if (a.format == "xlsx") {
    if (Status s = reports::WriteReportXlsx(*report, a.out); !s.ok()) return ctx.Fail(s);
    files.push_back(a.out);
  } else {
    auto written = reports::WriteReportCsv(*report, a.out, *sep);
    if (!written) return ctx.Fail(written.error());
    files = *written;
  }
  if (ctx.json) {
    ctx.PrintJson({{"ok", true},
                   {"campaign", a.id},
                   {"format", a.format},
                   {"files", files},
                   {"managed", report->managed},
                   {"completes", report->completes}});
  } else {
    for (const auto& f : files) std::cout << "Informe escrito: " << f << "\n";
  }
  return kExitOk;
}

int RunExport(const ExportArgs& a, Context& ctx) {
  reports::ExportOptions opt;
  opt.format = a.format;
  opt.out = a.out;
  if (a.format != "csv" && a.format != "xlsx") {
    return ctx.Fail(Status::InvalidArgument("--format " + a.format + ": se esperaba csv o xlsx"));
  }
  auto sep = ParseSeparator(a.separator_text);
  if (!sep) return ctx.Fail(sep.error());
  opt.separator = *sep;
  if (a.mask) opt.pii = reports::PiiMode::kMask;
  if (!a.key_file.empty()) {
    auto key = reports::LoadHmacKey(a.key_file);
    if (!key) return ctx.Fail(key.error());
    opt.pii = reports::PiiMode::kPseudonymise;
    opt.hmac_key = std::move(*key);
  }
  auto db = ctx.OpenDb();
  if (!db) return ctx.Fail(db.error());
  auto res = reports::ExportContacts(**db, a.id, opt, ToUnixMillis(ctx.clock->Now()));
  if (!res) return ctx.Fail(res.error());
  if (ctx.json) {
    ctx.PrintJson({{"ok", true},
                   {"campaign", a.id},
                   {"format", a.format},
                   {"rows", res->rows},
                   {"files", res->files}});
  } else {
    std::cout << "Exportados " << res->rows << " registros:";
    for (const auto& f : res->files) std::cout << " " << f;
    std::cout << "\n";
  }
  return kExitOk;
}

}  // namespace

void RegisterReport(CLI::App& app, Context& ctx) {
  auto ra = std::make_shared<ReportArgs>();
  auto* rep = app.add_subcommand("report", "Genera el informe de una campaña");
  rep->add_option("id", ra->id, "Id de la campaña")->required();
  rep->add_option("--format", ra->format, "html | csv | xlsx | json")->capture_default_str();
  rep->add_option("--out", ra->out,
                  "Archivo de salida (csv: un archivo por sección, ARCHIVO_<seccion>.csv; "
                  "json sin --out: stdout)");
  rep->add_option("--from", ra->from, "Desde la fecha AAAA-MM-DD (inclusive)");
  rep->add_option("--to", ra->to, "Hasta la fecha AAAA-MM-DD (inclusive)");
  rep->add_option("--separator", ra->separator_text, "Separador CSV (, ; | tab)");
  rep->callback([ra, &ctx] { ctx.exit_code = RunReport(*ra, ctx); });

  auto ea = std::make_shared<ExportArgs>();
  auto* exp = app.add_subcommand("export", "Exporta los resultados: un registro por contacto");
  exp->add_option("id", ea->id, "Id de la campaña")->required();
  exp->add_option("--format", ea->format, "csv | xlsx")->capture_default_str();
  exp->add_option("--out", ea->out, "Archivo de salida")->required();
  auto* mask = exp->add_flag("--mask-pii", ea->mask,
                             "Enmascara teléfonos y documentos (3001234567 -> 300****567)");
  auto* pseudo = exp->add_option("--pseudonymise,--pseudonymize", ea->key_file,
                                 "Reemplaza teléfonos y documentos por HMAC-SHA256 con la "
                                 "clave del ARCHIVO");
  mask->excludes(pseudo);
  exp->add_option("--separator", ea->separator_text, "Separador CSV (, ; | tab)");
  exp->callback([ea, &ctx] { ctx.exit_code = RunExport(*ea, ctx); });
}

}  // namespace sondeo::cli
