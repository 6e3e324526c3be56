// sondeo contacts import|suppress|export (campaigns/, docs/contacts.md)
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <unistd.h>

#include "campaigns/contacts.h"
#include "cli/context.h"

namespace sondeo::cli {

namespace {

struct ImportArgs {
  std::string file;
  campaigns::ImportOptions options;
};

struct SuppressArgs {
  std::string file;
  std::string reason;
};

struct ExportArgs {
  std::string campaign;
  std::string out;
};

// A progress bar on stderr, only when stderr is a terminal.
void ShowProgress(int64_t rows, double fraction) {
  const int width = 30;
  const int done = static_cast<int>(fraction * width);
  std::string bar(static_cast<size_t>(done), '#');
  bar.append(static_cast<size_t>(width - done), '.');
  std::fprintf(stderr, "\r[%s] %3d%%  %lld filas", bar.c_str(), static_cast<int>(fraction * 100),
               static_cast<long long>(rows));
  if (fraction >= 1.0) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

void RunImport(const ImportArgs& args, Context& ctx) {
  auto db = ctx.OpenDb();
  if (!db.ok()) {
    ctx.exit_code = ctx.Fail(db.error());
    return;
  }
  campaigns::ImportOptions options = args.options;
  if (isatty(STDERR_FILENO) == 1) options.progress = ShowProgress;
  auto result = campaigns::Import(**db, args.file, options, *ctx.clock);
  if (!result.ok()) {
    ctx.exit_code = ctx.Fail(result.error());
    return;
  }
  if (ctx.json) {
    std::cout << campaigns::FunnelJson(result->funnel) << "\n";
    return;
  }
  std::cout << campaigns::FormatFunnel(result->funnel);
  std::cout << "Importación " << result->import_id << " en la campaña " << options.campaign_id
            << " (" << result->encoding << ")";
  if (!options.rejects_path.empty()) std::cout << "; rechazos en " << options.rejects_path;
  std::cout << "\n";
}

void RunSuppress(const SuppressArgs& args, Context& ctx) {
  auto db = ctx.OpenDb();
  if (!db.ok()) {
    ctx.exit_code = ctx.Fail(db.error());
    return;
  }
  auto r = campaigns::Suppress(**db, args.file, args.reason, *ctx.clock);
  if (!r.ok()) {
    ctx.exit_code = ctx.Fail(r.error());
    return;
  }
  if (ctx.json) {
    ctx.PrintJson({{"phones", r->phones},
                   {"documents", r->documents},
                   {"already", r->already},
                   {"invalid", r->invalid}});
    return;
  }
  std::cout << "Lista de supresión: " << r->phones << " teléfonos y " << r->documents
            << " documentos nuevos; " << r->already << " ya estaban; " << r->invalid
            << " líneas sin teléfono ni documento\n";
}

void RunExport(const ExportArgs& args, Context& ctx) {
  auto db = ctx.OpenDb();
  if (!db.ok()) {
    ctx.exit_code = ctx.Fail(db.error());
    return;
  }
  auto n = campaigns::ExportContacts(**db, args.campaign, args.out, *ctx.clock);
  if (!n.ok()) {
    ctx.exit_code = ctx.Fail(n.error());
    return;
  }
  if (ctx.json) {
    ctx.PrintJson({{"contacts", *n}, {"out", args.out}});
    return;
  }
  std::cout << *n << " contactos exportados a " << args.out << "\n";
}

}  // namespace

void RegisterContacts(CLI::App& app, Context& ctx) {
  auto* contacts =
      app.add_subcommand("contacts", "Bases de contactos: importar, suprimir, exportar");
  contacts->require_subcommand(1);

  auto import_args = std::make_shared<ImportArgs>();
  auto* imp = contacts->add_subcommand(
      "import", "Importa una base (CSV o XLSX): depura, normaliza teléfonos, quita duplicados");
  imp->add_option("FILE", import_args->file, "Archivo CSV o XLSX")->required();
  imp->add_option("--campaign", import_args->options.campaign_id, "Campaña (se crea si no existe)")
      ->required();
  imp->add_option("--encoding", import_args->options.encoding,
                  "Codificación del CSV: auto, utf-8 o windows-1252")
      ->check(CLI::IsMember({"auto", "utf-8", "utf8", "windows-1252", "cp1252", "latin1"}));
  imp->add_option("--sheet", import_args->options.sheet, "Hoja del XLSX (por defecto la primera)");
  imp->add_option("--map", import_args->options.map,
                  "COLUMNA=CAMPO (documento, nombres, apellidos, nombre, telefono, correo, "
                  "municipio, departamento, extra, ignorar); repetible");
  imp->add_option("--rejects", import_args->options.rejects_path,
                  "Escribe aquí las filas no gestionables con su motivo (CSV)");
  imp->callback([import_args, &ctx] { RunImport(*import_args, ctx); });

  auto suppress_args = std::make_shared<SuppressArgs>();
  auto* sup = contacts->add_subcommand(
      "suppress", "Agrega teléfonos y/o documentos a la lista de supresión (todas las campañas)");
  sup->add_option("FILE", suppress_args->file,
                  "Uno por línea, o un CSV con columna teléfono/documento")
      ->required();
  sup->add_option("--reason", suppress_args->reason, "Motivo (p. ej. RNE, solicitud del titular)");
  sup->callback([suppress_args, &ctx] { RunSuppress(*suppress_args, ctx); });

  auto export_args = std::make_shared<ExportArgs>();
  auto* exp = contacts->add_subcommand("export", "Exporta los contactos gestionables (CSV)");
  exp->add_option("--campaign", export_args->campaign, "Campaña")->required();
  exp->add_option("--out", export_args->out, "Archivo CSV de salida")->required();
  exp->callback([export_args, &ctx] { RunExport(*export_args, ctx); });
}

}  // namespace sondeo::cli
