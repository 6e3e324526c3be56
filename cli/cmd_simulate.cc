// sondeo simulate --campaign ID --agents N [--days D] [--mode M] [--answer-rate P] [--seed S]
//                 [--talk SECONDS] [--ring SECONDS] [--json]
// Runs the real dialing engine on the `simulated` driver (statistical citizens, simulated
// agents that fill the survey and typify) over D working days of the campaign's calendar, on
// virtual time. Everything is written to the database, so reports and exports run on it. A
// second run on the same database resumes where the first stopped (in-flight attempts of a
// killed run become INTERRUMPIDA).
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include "campaigns/campaign.h"
#include "cli/context.h"
#include "common/log.h"
#include "dialer/campaign_config.h"
#include "dialer/lease.h"
#include "dialer/simulate.h"
#include "surveys/engine.h"
#include "surveys/responses.h"
#include "surveys/survey.h"

namespace sondeo::cli {
namespace {

struct SimulateArgs {
  std::string campaign;
  int agents = 0;
  int days = 1;
  std::string mode;
  double answer_rate = 0.30;
  uint64_t seed = 1;
  double talk = 208;
  double ring = 12;
};

Result<int64_t> QueryInt(store::Db& db, const std::string& sql, const std::string& campaign) {
  auto st = db.Prepare(sql);
  if (!st) return st.error();
  st->Bind(1, campaign);
  auto row = st->Step();
  if (!row) return row.error();
  return *row && !st->IsNull(0) ? st->Int(0) : int64_t{0};
}

// Simulated agents' survey answers: the campaign's survey, stored as a version, answered at
// random (valid and complete) for every ENCUESTA_EFECTIVA.
struct SurveyFiller {
  surveys::Survey survey;
  surveys::StoredSurvey stored;
  std::mt19937_64 rng;
};

// simulate does not renew its lease while it runs (virtual time, seconds of wall time); an
// hour covers any run, and a killed run's lease is taken over at once (dead owner).
constexpr int64_t kSimulateLeaseMs = 3600 * 1000;

Status Run(Context& ctx, const SimulateArgs& a) {
  if (a.agents < 1 || a.agents > 1000) {
    return Status::InvalidArgument("--agents: entre 1 y 1000, no " + std::to_string(a.agents));
  }
  if (a.days < 1 || a.days > 366) {
    return Status::InvalidArgument("--days: entre 1 y 366, no " + std::to_string(a.days));
  }
  if (!(a.answer_rate > 0 && a.answer_rate <= 1)) {
    return Status::InvalidArgument("--answer-rate: una proporción entre 0 y 1 (p. ej. 0.3)");
  }
  if (!(a.talk >= 10 && a.talk <= 3600) || !(a.ring >= 3 && a.ring <= 60)) {
    return Status::InvalidArgument("--talk (10-3600 s) o --ring (3-60 s) fuera de rango");
  }
  auto db_or = ctx.OpenDb(/*durable=*/false);  // virtual time: see Context::OpenDb
  if (!db_or) return db_or.error();
  store::Db& db = **db_or;
  auto campaign = campaigns::LoadCampaign(db, a.campaign);
  if (!campaign) return campaign.error();
  dialer::SimOptions o;
  o.engine = dialer::EngineOptionsFor(*campaign);
  if (!a.mode.empty()) {
    auto mode = dialer::ParseDialMode(a.mode);
    if (!mode) return Status::InvalidArgument("--mode: " + mode.error().message());
    o.engine.mode = *mode;
  }
  o.agents = a.agents;
  o.days = a.days;
  o.seed = a.seed;
  o.citizens.live_answer_rate = a.answer_rate;
  o.citizens.mean_talk = a.talk;
  o.citizens.mean_ring_to_answer = a.ring;
  auto contacts = QueryInt(db, "SELECT COUNT(*) FROM contacts WHERE campaign_id = ?", a.campaign);
  if (!contacts) return contacts.error();
  if (*contacts == 0) {
    return Status::FailedPrecondition("la campaña " + a.campaign +
                                      " no tiene contactos: importe una base con "
                                      "`sondeo contacts import FILE --campaign " +
                                      a.campaign + "`");
  }
  dialer::CampaignCalendar calendar(campaign->MakeCalendar());
  // Resume after the last recorded event, or start on the next working day.
  auto last = QueryInt(db,
                       "SELECT MAX(MAX(COALESCE(wrapup_end_ms, 0)), MAX(COALESCE(end_ms, 0)),"
                       " MAX(dial_ms)) FROM attempts WHERE campaign_id = ?",
                       a.campaign);
  if (!last) return last.error();
  auto open =
      QueryInt(db, "SELECT COUNT(*) FROM attempts WHERE campaign_id = ? AND state <> 'disposed'",
               a.campaign);
  if (!open) return open.error();
  const TimePoint now = ctx.clock->Now();
  if (*last == 0) {
    o.start = calendar.DayStart(calendar.LocalDay(now) + 1);  // the next working day
  } else if (*open > 0) {
    o.start = FromUnixMillis(*last + 1000);  // a run was killed: resume right after it
  } else {
    o.start = calendar.DayStart(calendar.LocalDay(FromUnixMillis(*last)) + 1);
  }
  // The survey, when the campaign has one that loads.
  std::unique_ptr<SurveyFiller> filler;
  if (!campaign->survey_path.empty()) {
    std::ifstream in(campaign->survey_path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    auto survey = surveys::LoadSurvey(text.str(), campaign->survey_path);
    if (!in || !survey) {
      std::cerr << "sondeo: aviso: no se pudo cargar la encuesta " << campaign->survey_path
                << "; los agentes simulados solo tipifican\n";
    } else {
      auto stored = surveys::RegisterSurvey(db, *survey, text.str(), ToUnixMillis(now));
      if (!stored) return stored.error();
      filler = std::make_unique<SurveyFiller>(
          SurveyFiller{std::move(*survey), std::move(*stored), std::mt19937_64(a.seed)});
    }
  }
  if (filler) {
    SurveyFiller* f = filler.get();
    const std::string campaign_id = a.campaign;
    o.on_complete = [&db, f, campaign_id](uint64_t attempt, int64_t contact,
                                          const std::string& agent, TimePoint started,
                                          TimePoint ended) -> Status {
      surveys::NewResponse r;
      r.idempotency_key = "sim/" + campaign_id + "/" + std::to_string(attempt);
      r.survey_id = f->stored.id;
      r.survey_version = f->stored.version;
      r.campaign_id = campaign_id;
      r.contact_id = contact;
      r.attempt_id = static_cast<int64_t>(attempt);
      r.agent = agent;
      r.started_ms = ToUnixMillis(started);
      r.ended_ms = ToUnixMillis(ended);
      r.answers = surveys::RandomAnswers(f->survey, [f](uint64_t n) { return f->rng() % n; });
      auto saved = surveys::SaveResponse(db, f->survey, r);
      return saved.ok() ? Status::Ok() : saved.error();
    };
  }
  // One dialing process per campaign: refused while a serve (or another simulate) dials it.
  const dialer::LeaseOwner me = dialer::ThisProcess("simulate");
  if (Status s = dialer::AcquireLease(db, a.campaign, me, dialer::LeaseNowMs(), kSimulateLeaseMs);
      !s.ok()) {
    return s;
  }
  auto report = dialer::RunSimulation(db, calendar, o);
  (void)dialer::ReleaseLease(db, a.campaign, me);
  if (!report) return report.error();
  const auto& m = report->metrics;
  if (ctx.json) {
    nlohmann::json by = nlohmann::json::object();
    for (const auto& [code, n] : m.by_disposition) by[code] = n;
    ctx.PrintJson({{"campaign", a.campaign},
                   {"mode", std::string(dialer::DialModeName(o.engine.mode))},
                   {"agents", a.agents},
                   {"days", report->days},
                   {"from", FormatUtc(report->started)},
                   {"to", FormatUtc(report->ended)},
                   {"attempts", m.attempts},
                   {"answered", m.answered},
                   {"abandoned", m.abandoned},
                   {"abandon_rate", m.abandon_rate()},
                   {"agent_occupancy", m.occupancy()},
                   {"completes", m.completes},
                   {"completes_per_agent_hour", report->completes_per_agent_hour},
                   {"interrupted_on_resume", m.interrupted_on_open},
                   {"by_disposition", by}});
    return Status::Ok();
  }
  std::cout << "Simulación de la campaña " << a.campaign << " ("
            << dialer::DialModeName(o.engine.mode) << ", " << a.agents << " agentes, "
            << report->days << " días hábiles desde " << FormatUtc(report->started) << ")\n"
            << "  Intentos:                 " << m.attempts << "\n"
            << "  Contestadas (persona):    " << m.answered << "\n"
            << "  Abandonadas:              " << m.abandoned << " ("
            << fmt::format("{:.2f}", 100 * m.abandon_rate()) << " %)\n"
            << "  Ocupación de agentes:     " << fmt::format("{:.1f}", 100 * m.occupancy())
            << " %\n"
            << "  Encuestas efectivas:      " << m.completes << " ("
            << fmt::format("{:.2f}", report->completes_per_agent_hour) << " por hora-agente)\n"
            << "  Tipificaciones:\n";
  for (const auto& [code, n] : m.by_disposition) {
    std::cout << "    " << code << ": " << n << "\n";
  }
  return Status::Ok();
}

}  // namespace

void RegisterSimulate(CLI::App& app, Context& ctx) {
  auto args = std::make_shared<SimulateArgs>();
  auto* cmd = app.add_subcommand(
      "simulate", "Simula la marcación de una campaña con ciudadanos y agentes simulados");
  cmd->add_option("--campaign", args->campaign, "Campaña")->required();
  cmd->add_option("--agents", args->agents, "Número de agentes")->required();
  cmd->add_option("--days", args->days, "Días hábiles a simular (1)");
  cmd->add_option("--mode", args->mode,
                  "preview | progressive | predictive (por defecto, el de la campaña)");
  cmd->add_option("--answer-rate", args->answer_rate,
                  "Proporción de marcaciones que contesta una persona (0.30)");
  cmd->add_option("--seed", args->seed, "Semilla (1)");
  cmd->add_option("--talk", args->talk, "Duración media de la conversación, s (208)");
  cmd->add_option("--ring", args->ring, "Tiempo medio hasta contestar, s (12)");
  cmd->callback([&ctx, args] {
    Status s = Run(ctx, *args);
    if (!s.ok()) ctx.exit_code = ctx.Fail(s);
  });
}

}  // namespace sondeo::cli
