// sondeo sms estimate|contract|send|run|status|dlr|mo (dialer/sms)
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "campaigns/calendar.h"
#include "campaigns/campaign.h"
#include "cli/context.h"
#include "dialer/lease.h"
#include "dialer/sms.h"
#include "dialer/sms_gateway.h"
#include "dialer/sms_send.h"

namespace sondeo::cli {

namespace {

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument(path + ": no se puede leer el archivo");
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

nlohmann::json SegmentationJson(const dialer::SmsSegmentation& s) {
  return {{"encoding", std::string(dialer::SmsEncodingName(s.encoding))},
          {"units", s.units},
          {"segments", s.segments},
          {"segment_sizes", s.segment_sizes},
          {"non_gsm_chars", s.non_gsm_chars}};
}

nlohmann::json EstimateJson(const dialer::SmsEstimate& e) {
  nlohmann::json j = SegmentationJson(e.seg);
  j["gsm7_alternative"] = {{"text", e.alternative_text}, {"segments", e.alternative.segments}};
  return j;
}

std::string JoinInts(const std::vector<int>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " + " : "") + std::to_string(v[i]);
  return out;
}

void PrintEstimateHuman(const dialer::SmsEstimate& e) {
  const bool gsm = e.seg.encoding == dialer::SmsEncoding::kGsm7;
  std::cout << "Codificación:      " << dialer::SmsEncodingName(e.seg.encoding) << "\n"
            << "Unidades:          " << e.seg.units << (gsm ? " septetos" : " unidades UTF-16")
            << "\n"
            << "Segmentos:         " << e.seg.segments << " (" << JoinInts(e.seg.segment_sizes)
            << ")\n";
  if (!gsm) {
    std::cout << "Fuera de GSM-7:    ";
    for (size_t i = 0; i < e.seg.non_gsm_chars.size(); ++i) {
      std::cout << (i ? " " : "") << e.seg.non_gsm_chars[i];
    }
    std::cout << "\nAlternativa GSM-7: " << e.alternative.segments << " segmento(s): \""
              << e.alternative_text << "\"\n";
  }
}

void RegisterEstimate(CLI::App& sms, Context& ctx) {
  auto* cmd = sms.add_subcommand("estimate", "Calcula codificación, segmentos y alternativa GSM-7");
  auto text = std::make_shared<std::string>();
  auto file = std::make_shared<std::string>();
  auto* t = cmd->add_option("--text", *text, "Texto del mensaje");
  auto* f = cmd->add_option("--file", *file, "Archivo con el texto (UTF-8)");
  t->excludes(f);
  cmd->callback([&ctx, text, file, t, f] {
    if (t->count() == 0 && f->count() == 0) {
      ctx.exit_code = ctx.Fail(Status::InvalidArgument("sms estimate: falta --text o --file"));
      return;
    }
    std::string body = *text;
    if (f->count() > 0) {
      auto r = ReadTextFile(*file);
      if (!r) {
        ctx.exit_code = ctx.Fail(r.error());
        return;
      }
      body = std::move(*r);
    }
    const dialer::SmsEstimate e = dialer::Estimate(body);
    if (ctx.json) {
      ctx.PrintJson(EstimateJson(e));
    } else {
      PrintEstimateHuman(e);
    }
  });
}

// Options shared by the sms subcommands.
struct SmsCommon {
  std::string clock_start;  // hidden test seam
  std::string actor;
};

// The system clock shifted so that it started at a given instant (tests of legal hours).
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(Duration offset) : offset_(offset) {}
  TimePoint Now() const override { return SystemClock::Instance().Now() + offset_; }

 private:
  Duration offset_;
};

// "YYYY-MM-DD HH:MM", local America/Bogota time.
Result<TimePoint> ParseLocalDateTime(const std::string& text, const std::string& what) {
  const size_t sp = text.find(' ');
  auto date = campaigns::ParseDate(text.substr(0, sp));
  if (sp == std::string::npos || !date) {
    return Status::InvalidArgument(what + ": se esperaba \"AAAA-MM-DD HH:MM\" (hora de Bogotá)");
  }
  auto tod = campaigns::ParseTimeOfDay(text.substr(sp + 1));
  if (!tod) {
    return Status::InvalidArgument(what + ": se esperaba \"AAAA-MM-DD HH:MM\" (hora de Bogotá)");
  }
  const campaigns::TimeZone zone;
  return zone.FromLocal(
      std::chrono::local_time<std::chrono::milliseconds>(std::chrono::local_days(*date)) + *tod);
}

std::string Actor(const SmsCommon& c) {
  if (!c.actor.empty()) return c.actor;
  if (const char* u = std::getenv("USER"); u != nullptr && *u != '\0') return u;
  return "cli";
}

Result<std::unique_ptr<Clock>> MakeClock(const SmsCommon& c) {
  if (c.clock_start.empty()) return std::unique_ptr<Clock>(new OffsetClock(Duration(0)));
  auto t = ParseLocalDateTime(c.clock_start, "--clock-start");
  if (!t) return t.error();
  return std::unique_ptr<Clock>(
      new OffsetClock(std::chrono::duration_cast<Duration>(*t - SystemClock::Instance().Now())));
}

std::string Money(double v) { return fmt::format("{:.2f}", v); }

// ---------------------------------------------------------------------------------------

void RegisterContract(CLI::App& sms, Context& ctx, std::shared_ptr<SmsCommon> common) {
  auto* cmd =
      sms.add_subcommand("contract", "Fija o muestra el tope mensual de segmentos y el precio");
  struct Opts {
    int64_t cap = -1;
    double price = -1;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--cap", o->cap, "Tope mensual en segmentos (0 = sin tope)");
  cmd->add_option("--unit-price", o->price, "Precio por segmento (COP)");
  cmd->callback([&ctx, o, common] {
    auto db = ctx.OpenDb();
    if (!db) {
      ctx.exit_code = ctx.Fail(db.error());
      return;
    }
    auto cur = dialer::LoadContract(**db);
    if (!cur) {
      ctx.exit_code = ctx.Fail(cur.error());
      return;
    }
    dialer::SmsContract c = cur->value_or(dialer::SmsContract{});
    if (o->cap >= 0 || o->price >= 0) {
      if (o->cap >= 0) c.monthly_cap_segments = o->cap;
      if (o->price >= 0) c.unit_price = o->price;
      auto clock = MakeClock(*common);
      if (!clock) {
        ctx.exit_code = ctx.Fail(clock.error());
        return;
      }
      if (Status s = dialer::SaveContract(**db, c, Actor(*common), (*clock)->Now()); !s.ok()) {
        ctx.exit_code = ctx.Fail(s);
        return;
      }
    }
    if (ctx.json) {
      ctx.PrintJson(
          {{"monthly_cap_segments", c.monthly_cap_segments}, {"unit_price", c.unit_price}});
    } else {
      std::cout << "Tope mensual: " << c.monthly_cap_segments
                << " segmentos; precio por segmento: " << Money(c.unit_price) << "\n";
    }
  });
}

// Gateway flags shared by send and run.
struct GatewayFlags {
  std::string kind = "kannel";
  std::string url;
  std::string user;
  std::string password;
  std::string from;
  std::string smsc;
  std::string dlr_url;
  int dlr_mask = 31;
  std::string http_method = "POST";
  std::vector<std::string> http_headers;
  std::string http_body;
  bool http_dedupes = false;
  int concurrency = 16;
  double rate = 0;
  int timeout_ms = 10000;
  std::string ca_file;
  int batch = 64;
  int max_outage_s = 600;
};

void AddGatewayFlags(CLI::App* cmd, GatewayFlags& g) {
  cmd->add_option("--gateway", g.kind, "kannel | http")->check(CLI::IsMember({"kannel", "http"}));
  cmd->add_option("--gateway-url", g.url,
                  "URL del gateway (kannel: http://HOST:13013/cgi-bin/sendsms)");
  cmd->add_option("--gateway-user", g.user, "Usuario de sendsms (Kannel)");
  cmd->add_option("--gateway-password", g.password,
                  "Clave de sendsms (si no: $SONDEO_SMS_PASSWORD)");
  cmd->add_option("--from", g.from, "Remitente (código corto)");
  cmd->add_option("--smsc", g.smsc, "smsc-id de Kannel");
  cmd->add_option("--dlr-url", g.dlr_url, "URL base de los reportes de entrega");
  cmd->add_option("--dlr-mask", g.dlr_mask, "Máscara de reportes de Kannel (31 = todos)");
  cmd->add_option("--http-method", g.http_method, "Método del gateway HTTP JSON");
  cmd->add_option("--http-header", g.http_headers, "Cabecera \"Nombre: valor\" (repetible)");
  cmd->add_option("--http-body", g.http_body,
                  "Plantilla del cuerpo JSON: {to} {to_digits} {text} {key} {from} {encoding}");
  cmd->add_flag(
      "--http-dedupes", g.http_dedupes,
      "El gateway HTTP descarta repetidos por {key}: se puede reintentar tras un timeout");
  cmd->add_option("--concurrency", g.concurrency, "Solicitudes simultáneas al gateway");
  cmd->add_option("--rate", g.rate, "Mensajes por segundo como máximo (0 = sin límite)");
  cmd->add_option("--timeout-ms", g.timeout_ms, "Tiempo máximo por solicitud");
  cmd->add_option("--ca-file", g.ca_file, "Certificados de CA para verificar TLS");
  cmd->add_option("--batch", g.batch, "Mensajes reclamados por transacción");
  cmd->add_option("--max-outage", g.max_outage_s,
                  "Segundos sin respuesta del gateway antes de detenerse (0 = nunca)");
}

Result<std::unique_ptr<dialer::HttpGateway>> MakeGateway(const GatewayFlags& f) {
  dialer::GatewayConfig c;
  c.kind = f.kind == "http" ? dialer::GatewayKind::kHttpJson : dialer::GatewayKind::kKannel;
  std::string password = f.password;
  if (password.empty()) {
    if (const char* p = std::getenv("SONDEO_SMS_PASSWORD"); p != nullptr) password = p;
  }
  if (c.kind == dialer::GatewayKind::kKannel) {
    if (!f.url.empty()) c.kannel.url = f.url;
    c.kannel.username = f.user;
    c.kannel.password = password;
    c.kannel.from = f.from;
    c.kannel.smsc = f.smsc;
    c.kannel.dlr_url = f.dlr_url;
    c.kannel.dlr_mask = f.dlr_url.empty() ? 0 : f.dlr_mask;
  } else {
    if (f.url.empty()) return Status::InvalidArgument("--gateway http requiere --gateway-url");
    c.http.url = f.url;
    c.http.method = f.http_method;
    if (!f.http_headers.empty()) c.http.headers = f.http_headers;
    if (!f.http_body.empty()) c.http.body_template = f.http_body;
    c.http.from = f.from;
    c.http.dedupes_by_key = f.http_dedupes;
  }
  c.concurrency = f.concurrency;
  c.rate_per_second = f.rate;
  c.timeout_ms = f.timeout_ms;
  c.ca_file = f.ca_file;
  return dialer::HttpGateway::Create(std::move(c));
}

dialer::SenderOptions SenderOptionsFrom(const GatewayFlags& f) {
  dialer::SenderOptions o;
  o.batch_size = std::max(1, f.batch);
  o.max_outage = std::chrono::seconds(f.max_outage_s);
  return o;
}

nlohmann::json ReportJson(const dialer::SendReport& r) {
  nlohmann::json j = {{"blast", r.blast_id},
                      {"sent", r.sent},
                      {"failed", r.failed},
                      {"uncertain", r.uncertain},
                      {"recovered_uncertain", r.recovered_uncertain},
                      {"retries", r.retries},
                      {"pending", r.pending},
                      {"done", r.done}};
  if (!r.waiting_until.empty()) j["waiting_until"] = r.waiting_until;
  return j;
}

void PrintReportHuman(const dialer::SendReport& r) {
  std::cout << "Envío " << r.blast_id << (r.done ? " terminado" : " sin terminar") << ": enviados "
            << r.sent << ", rechazados " << r.failed << ", inciertos " << r.uncertain
            << ", pendientes " << r.pending << ", reintentos " << r.retries << "\n";
  if (!r.waiting_until.empty()) {
    std::cout << "En espera hasta " << r.waiting_until
              << " (hora de envío u horario legal); reanudar con: sondeo sms run\n";
  }
  if (r.recovered_uncertain > 0) {
    std::cout << "Atención: " << r.recovered_uncertain
              << " mensajes quedaron en envío tras una interrupción y no se reenvían "
                 "(pueden haber salido).\n";
  }
}

// Runs blasts in order; the first error stops. One sender per database: the "sms" lease
// (dialer/lease.h) refuses while `sondeo serve` or another `sms send|run` is sending.
Result<std::vector<dialer::SendReport>> RunBlasts(store::Db& db, const std::vector<int64_t>& ids,
                                                  const GatewayFlags& flags, Clock& clock) {
  auto gw = MakeGateway(flags);
  if (!gw) return gw.error();
  const dialer::LeaseOwner me = dialer::ThisProcess("sms");
  if (Status s = dialer::AcquireNamedLease(db, "sms", me, dialer::LeaseNowMs(),
                                           dialer::kSmsSenderLeaseTtlMs);
      !s.ok()) {
    return s;
  }
  struct Release {
    store::Db& db;
    const dialer::LeaseOwner& me;
    ~Release() { (void)dialer::ReleaseNamedLease(db, "sms", me); }
  } release{db, me};
  const dialer::SenderOptions opts = SenderOptionsFrom(flags);
  auto sleeper = [](Duration d) { std::this_thread::sleep_for(d); };
  std::vector<dialer::SendReport> reports;
  for (int64_t id : ids) {
    auto r = dialer::RunBlast(db, id, **gw, clock, sleeper, opts);
    if (!r) return r.error();
    reports.push_back(*r);
    if (!r->done) break;  // waiting: later blasts are later still
  }
  return reports;
}

// The campaign YAML's SMS sequence called `name` (campaigns::Campaign::sms_sequences).
Result<campaigns::SmsSequence> CampaignSequence(store::Db& db, const std::string& campaign,
                                                const std::string& name) {
  auto c = campaigns::LoadCampaign(db, campaign);
  if (!c) return c.error();
  std::string names;
  for (const auto& s : c->sms_sequences) {
    if (s.name == name) return s;
    names += (names.empty() ? "" : ", ") + s.name;
  }
  return Status::InvalidArgument(
      "--sequence " + name + ": no es un archivo ni una secuencia de la campaña " + campaign +
      (names.empty() ? " (su YAML no tiene sms_sequences)" : " (secuencias: " + names + ")"));
}

struct SendOpts {
  std::string campaign;
  std::string text;
  std::string template_file;
  std::string sequence_file;
  std::string at;
  std::string filter;
  bool dry_run = false;
  bool approve_overrun = false;
  bool no_wait = false;
  int64_t cap = -1;
  double unit_price = -1;
  GatewayFlags gw;
};

void RegisterSend(CLI::App& sms, Context& ctx, std::shared_ptr<SmsCommon> common) {
  auto* cmd =
      sms.add_subcommand("send", "Programa y envía un mensaje (o una secuencia) a una campaña");
  auto o = std::make_shared<SendOpts>();
  cmd->add_option("--campaign", o->campaign, "Campaña")->required();
  auto* t = cmd->add_option("--text", o->text, "Texto (admite {nombres}, {municipio}, ...)");
  auto* f = cmd->add_option("--template", o->template_file, "Archivo con la plantilla");
  auto* q = cmd->add_option(
      "--sequence", o->sequence_file,
      "Archivo con una línea \"HH:MM texto\" por mensaje (fecha de --at), o el nombre "
      "de una secuencia (sms_sequences) del YAML de la campaña");
  t->excludes(f)->excludes(q);
  f->excludes(q);
  cmd->add_option("--at", o->at, "Cuándo: \"AAAA-MM-DD HH:MM\" (hora de Bogotá)")->required();
  cmd->add_option("--filter", o->filter, "Filtro: municipio=NOMBRE");
  cmd->add_flag("--dry-run", o->dry_run, "Solo muestra destinatarios, segmentos y costo");
  cmd->add_flag("--approve-overrun", o->approve_overrun,
                "Aprueba (como administrador) superar el tope mensual; queda auditado");
  cmd->add_flag("--no-wait", o->no_wait, "Programa el envío y termina sin esperar la hora");
  cmd->add_option("--cap", o->cap, "Fija el tope mensual del contrato (segmentos)");
  cmd->add_option("--unit-price", o->unit_price, "Fija el precio por segmento del contrato");
  AddGatewayFlags(cmd, o->gw);
  cmd->callback([&ctx, o, common, t, f, q] {
    auto fail = [&ctx](const Status& s) { ctx.exit_code = ctx.Fail(s); };
    if (t->count() + f->count() + q->count() == 0) {
      return fail(Status::InvalidArgument("sms send: falta --text, --template o --sequence"));
    }
    auto clock = MakeClock(*common);
    if (!clock) return fail(clock.error());
    auto at = ParseLocalDateTime(o->at, "--at");
    if (!at) return fail(at.error());
    std::string municipio;
    if (!o->filter.empty()) {
      if (o->filter.rfind("municipio=", 0) != 0) {
        return fail(Status::InvalidArgument("--filter: se esperaba municipio=NOMBRE"));
      }
      municipio = o->filter.substr(10);
    }
    auto db = ctx.OpenDb();
    if (!db) return fail(db.error());
    const std::string actor = Actor(*common);
    if (o->cap >= 0 || o->unit_price >= 0) {
      auto cur = dialer::LoadContract(**db);
      if (!cur) return fail(cur.error());
      dialer::SmsContract c = cur->value_or(dialer::SmsContract{});
      if (o->cap >= 0) c.monthly_cap_segments = o->cap;
      if (o->unit_price >= 0) c.unit_price = o->unit_price;
      if (Status s = dialer::SaveContract(**db, c, actor, (*clock)->Now()); !s.ok()) return fail(s);
    }
    auto contract = dialer::LoadContract(**db);
    if (!contract) return fail(contract.error());
    dialer::SmsContract c = contract->value_or(dialer::SmsContract{});
    if (!*contract) {
      // No operator-wide contract (`sms contract`): the campaign YAML's contract applies.
      auto campaign = campaigns::LoadCampaign(**db, o->campaign);
      if (!campaign) return fail(campaign.error());
      c.monthly_cap_segments = campaign->contract.sms_monthly_cap;
      c.unit_price = campaign->contract.sms_segments.unit_price;
    }

    // Plan: one blast, or one per sequence step.
    std::vector<dialer::BlastPlan> plans;
    std::vector<TimePoint> ats;
    std::vector<std::string> texts;
    dialer::SmsSequence sequence;
    if (q->count() > 0) {
      sequence.campaign_id = o->campaign;
      sequence.date = std::chrono::year_month_day(
          std::chrono::floor<std::chrono::days>(campaigns::TimeZone().ToLocal(*at)));
      sequence.filter_municipio = municipio;
      std::error_code ec;
      if (std::filesystem::is_regular_file(o->sequence_file, ec)) {
        auto file = ReadTextFile(o->sequence_file);
        if (!file) return fail(file.error());
        auto steps = dialer::ParseSequenceSteps(*file);
        if (!steps)
          return fail(Status::InvalidArgument(o->sequence_file + ": " + steps.error().message()));
        sequence.steps = std::move(*steps);
      } else {
        // Not a file: the name of one of the campaign YAML's sms_sequences.
        auto from_campaign = CampaignSequence(**db, o->campaign, o->sequence_file);
        if (!from_campaign) return fail(from_campaign.error());
        if (from_campaign->date) sequence.date = *from_campaign->date;
        for (const auto& m : from_campaign->messages) {
          sequence.steps.push_back({from_campaign->start + m.offset, m.text});
        }
        if (municipio.empty() && from_campaign->municipios.size() == 1) {
          sequence.filter_municipio = from_campaign->municipios.front();
        } else if (municipio.empty() && from_campaign->municipios.size() > 1) {
          return fail(Status::InvalidArgument(
              "--sequence " + o->sequence_file + ": la secuencia es para " +
              std::to_string(from_campaign->municipios.size()) +
              " municipios; envíela una vez por municipio con --filter municipio=NOMBRE"));
        }
      }
      auto plan = dialer::PlanSequence(**db, sequence);
      if (!plan) return fail(plan.error());
      plans = plan->steps;
      ats = plan->at;
      for (const auto& s : sequence.steps) texts.push_back(s.template_text);
    } else {
      std::string body = o->text;
      if (f->count() > 0) {
        auto file = ReadTextFile(o->template_file);
        if (!file) return fail(file.error());
        body = std::move(*file);
      }
      dialer::BlastRequest req{o->campaign, body, municipio, *at};
      auto plan = dialer::PlanBlast(**db, req);
      if (!plan) {
        const std::string where = f->count() > 0 ? o->template_file + ": " : "--text: ";
        return fail(Status(plan.error().code(), where + plan.error().message()));
      }
      plans.push_back(std::move(*plan));
      ats.push_back(*at);
      texts.push_back(body);
    }
    int64_t segments = 0, alt_segments = 0;
    for (const auto& p : plans) {
      segments += p.segments;
      alt_segments += p.alternative_segments;
    }
    auto used = dialer::UsedSegmentsInMonth(**db, ats.front());
    if (!used) return fail(used.error());
    const dialer::CapCheck cap = dialer::CheckCap(c.monthly_cap_segments, *used, segments);
    const double cost = static_cast<double>(segments) * c.unit_price;
    const double alt_cost = static_cast<double>(alt_segments) * c.unit_price;

    nlohmann::json plan_json = {
        {"campaign", o->campaign},
        {"recipients", plans.front().recipients},
        {"messages", nlohmann::json::array()},
        {"segments", segments},
        {"cost", cost},
        {"unit_price", c.unit_price},
        {"gsm7_alternative", {{"segments", alt_segments}, {"cost", alt_cost}}},
        {"cap",
         {{"monthly_cap_segments", cap.cap},
          {"used", cap.used},
          {"remaining", cap.cap > 0 ? std::max<int64_t>(cap.remaining, 0) : 0},
          {"after", cap.after},
          {"exceeds", cap.exceeds},
          {"warning_80", cap.warn}}},
        {"suppressed", plans.front().suppressed},
        {"without_mobile", plans.front().without_mobile},
        {"duplicate_phones", plans.front().duplicate_phones}};
    for (size_t i = 0; i < plans.size(); ++i) {
      nlohmann::json by_seg = nlohmann::json::object();
      for (auto [k, v] : plans[i].recipients_by_segments) by_seg[std::to_string(k)] = v;
      plan_json["messages"].push_back({{"at", FormatUtc(ats[i])},
                                       {"recipients", plans[i].recipients},
                                       {"segments", plans[i].segments},
                                       {"ucs2_recipients", plans[i].ucs2_recipients},
                                       {"recipients_by_segments", by_seg},
                                       {"template", EstimateJson(plans[i].template_estimate)}});
    }
    std::ostream& human = ctx.json ? std::cerr : std::cout;
    human << "Campaña " << o->campaign << ": " << plans.front().recipients
          << " destinatarios con celular (" << plans.front().suppressed << " excluidos por lista de"
          << " supresión, " << plans.front().without_mobile << " sin celular, "
          << plans.front().duplicate_phones << " celulares repetidos)\n";
    for (size_t i = 0; i < plans.size(); ++i) {
      const auto& e = plans[i].template_estimate;
      human << "  Mensaje " << (i + 1) << " (" << FormatUtc(ats[i]) << "): " << plans[i].segments
            << " segmentos, " << dialer::SmsEncodingName(e.seg.encoding);
      if (!e.seg.non_gsm_chars.empty()) {
        human << " por";
        for (const auto& ch : e.seg.non_gsm_chars) human << " " << ch;
      }
      human << "\n";
    }
    human << "Total: " << segments << " segmentos, costo " << Money(cost)
          << "; alternativa GSM-7 (sin tildes): " << alt_segments << " segmentos, costo "
          << Money(alt_cost) << "\n";
    if (cap.cap > 0) {
      human << "Tope mensual: " << cap.cap << " segmentos; usados " << cap.used << "; saldo "
            << std::max<int64_t>(cap.remaining, 0) << "; tras el envío " << cap.after << "\n";
      if (cap.warn && !cap.exceeds)
        human << "Aviso: el envío lleva el consumo al 80% o más del tope\n";
    }
    if (o->dry_run) {
      if (ctx.json) ctx.PrintJson({{"dry_run", true}, {"plan", plan_json}});
      return;
    }
    dialer::SendApproval approval{actor, o->approve_overrun};
    std::vector<int64_t> ids;
    if (q->count() > 0) {
      dialer::SequencePlan sp;
      sp.steps = plans;
      sp.at = ats;
      sp.segments = segments;
      sp.alternative_segments = alt_segments;
      auto r = dialer::CreateSequence(**db, sequence, sp, approval, (*clock)->Now());
      if (!r) return fail(r.error());
      ids = *r;
    } else {
      auto r =
          dialer::CreateBlast(**db, dialer::BlastRequest{o->campaign, texts[0], municipio, ats[0]},
                              plans[0], approval, (*clock)->Now());
      if (!r) return fail(r.error());
      ids.push_back(*r);
    }
    human << "Programado: envío(s)";
    for (int64_t id : ids) human << " " << id;
    human << "\n";
    nlohmann::json out = {{"plan", plan_json}, {"blasts", ids}};
    if (!o->no_wait) {
      auto reports = RunBlasts(**db, ids, o->gw, **clock);
      if (!reports) {
        if (ctx.json) out["error"] = reports.error().message();
        return fail(reports.error());
      }
      out["reports"] = nlohmann::json::array();
      for (const auto& r : *reports) {
        out["reports"].push_back(ReportJson(r));
        if (!ctx.json) PrintReportHuman(r);
      }
    }
    if (ctx.json) ctx.PrintJson(out);
  });
}

void RegisterRun(CLI::App& sms, Context& ctx, std::shared_ptr<SmsCommon> common) {
  auto* cmd =
      sms.add_subcommand("run", "Reanuda los envíos pendientes (tras una caída o a su hora)");
  struct Opts {
    int64_t blast = 0;
    GatewayFlags gw;
  };
  auto o = std::make_shared<Opts>();
  cmd->add_option("--blast", o->blast, "Solo este envío");
  AddGatewayFlags(cmd, o->gw);
  cmd->callback([&ctx, o, common] {
    auto fail = [&ctx](const Status& s) { ctx.exit_code = ctx.Fail(s); };
    auto clock = MakeClock(*common);
    if (!clock) return fail(clock.error());
    auto db = ctx.OpenDb();
    if (!db) return fail(db.error());
    std::vector<int64_t> ids;
    if (o->blast > 0) {
      ids.push_back(o->blast);
    } else {
      auto r = dialer::UnfinishedBlasts(**db);
      if (!r) return fail(r.error());
      ids = *r;
    }
    auto reports = RunBlasts(**db, ids, o->gw, **clock);
    if (!reports) return fail(reports.error());
    nlohmann::json out = {{"reports", nlohmann::json::array()}};
    for (const auto& r : *reports) {
      out["reports"].push_back(ReportJson(r));
      if (!ctx.json) PrintReportHuman(r);
    }
    if (ctx.json) ctx.PrintJson(out);
    if (!ctx.json && reports->empty()) std::cout << "No hay envíos pendientes\n";
  });
}

void RegisterStatus(CLI::App& sms, Context& ctx) {
  auto* cmd = sms.add_subcommand("status", "Estado de un envío: mensajes por estado y entrega");
  auto blast = std::make_shared<int64_t>(0);
  cmd->add_option("--blast", *blast, "Envío")->required();
  cmd->callback([&ctx, blast] {
    auto fail = [&ctx](const Status& s) { ctx.exit_code = ctx.Fail(s); };
    auto db = ctx.OpenDb();
    if (!db) return fail(db.error());
    auto st = (*db)->Prepare(
        "SELECT b.status, b.recipients, b.segments, m.state, COALESCE(m.dlr, ''), COUNT(*) "
        "FROM sms_blasts b JOIN sms_messages m ON m.blast_id = b.id WHERE b.id = ? "
        "GROUP BY m.state, m.dlr ORDER BY m.state, m.dlr");
    if (!st) return fail(st.error());
    st->Bind(1, *blast);
    nlohmann::json j = {
        {"blast", *blast}, {"states", nlohmann::json::object()}, {"dlr", nlohmann::json::object()}};
    bool any = false;
    while (true) {
      auto row = st->Step();
      if (!row) return fail(row.error());
      if (!*row) break;
      any = true;
      j["status"] = st->Text(0);
      j["recipients"] = st->Int(1);
      j["segments"] = st->Int(2);
      const std::string state = st->Text(3);
      const std::string dlr = st->Text(4);
      j["states"][state] = j["states"].value(state, 0) + st->Int(5);
      if (!dlr.empty()) j["dlr"][dlr] = j["dlr"].value(dlr, 0) + st->Int(5);
    }
    if (!any) return fail(Status::NotFound("envío " + std::to_string(*blast) + ": no existe"));
    if (ctx.json) {
      ctx.PrintJson(j);
    } else {
      std::cout << "Envío " << *blast << " (" << j["status"].get<std::string>()
                << "): " << j["recipients"] << " destinatarios, " << j["segments"]
                << " segmentos\n";
      for (auto& [k, v] : j["states"].items()) std::cout << "  " << k << ": " << v << "\n";
      for (auto& [k, v] : j["dlr"].items()) std::cout << "  entrega " << k << ": " << v << "\n";
    }
  });
}

void RegisterDlr(CLI::App& sms, Context& ctx, std::shared_ptr<SmsCommon> common) {
  auto* dlr = sms.add_subcommand("dlr", "Aplica un reporte de entrega de Kannel (%d, %A)");
  struct DlrOpts {
    std::string key;
    int status = 0;
    std::string answer;
  };
  auto d = std::make_shared<DlrOpts>();
  dlr->add_option("--key", d->key, "Clave de idempotencia del mensaje")->required();
  dlr->add_option("--status", d->status, "Código de Kannel: 1, 2, 4, 8, 16")->required();
  dlr->add_option("--answer", d->answer, "Respuesta del SMSC (%A)");
  dlr->callback([&ctx, d, common] {
    auto fail = [&ctx](const Status& s) { ctx.exit_code = ctx.Fail(s); };
    auto clock = MakeClock(*common);
    if (!clock) return fail(clock.error());
    auto db = ctx.OpenDb();
    if (!db) return fail(db.error());
    if (Status s = dialer::ApplyDlr(**db, d->key, d->status, d->answer, (*clock)->Now()); !s.ok())
      return fail(s);
    const auto state = dialer::DlrStateName(dialer::MapKannelDlr(d->status, d->answer));
    if (ctx.json)
      ctx.PrintJson({{"key", d->key}, {"dlr", std::string(state)}});
    else
      std::cout << "Reporte aplicado: " << state << "\n";
  });
  auto* mo = sms.add_subcommand("mo", "Registra un SMS entrante (NO, SALIR, STOP dan de baja)");
  struct MoOpts {
    std::string from;
    std::string text;
  };
  auto m = std::make_shared<MoOpts>();
  mo->add_option("--from", m->from, "Número que responde")->required();
  mo->add_option("--text", m->text, "Texto recibido")->required();
  mo->callback([&ctx, m, common] {
    auto fail = [&ctx](const Status& s) { ctx.exit_code = ctx.Fail(s); };
    auto clock = MakeClock(*common);
    if (!clock) return fail(clock.error());
    auto db = ctx.OpenDb();
    if (!db) return fail(db.error());
    auto r = dialer::ApplyMo(**db, m->from, m->text, (*clock)->Now());
    if (!r) return fail(r.error());
    if (ctx.json)
      ctx.PrintJson({{"opt_out", *r}});
    else
      std::cout << (*r ? "Número agregado a la lista de supresión\n" : "Mensaje registrado\n");
  });
}

}  // namespace

void RegisterSms(CLI::App& app, Context& ctx) {
  auto* sms = app.add_subcommand("sms", "Mensajes SMS: estimación, envíos y reportes de entrega");
  sms->require_subcommand(1);
  auto common = std::make_shared<SmsCommon>();
  // Test seam (hidden): the local Bogotá time the clock starts at, then it runs normally.
  sms->add_option("--clock-start", common->clock_start, "")->group("");
  sms->add_option("--actor", common->actor, "Quién ordena la acción (auditoría)");
  RegisterEstimate(*sms, ctx);
  RegisterContract(*sms, ctx, common);
  RegisterSend(*sms, ctx, common);
  RegisterRun(*sms, ctx, common);
  RegisterStatus(*sms, ctx);
  RegisterDlr(*sms, ctx, common);
}

}  // namespace sondeo::cli
