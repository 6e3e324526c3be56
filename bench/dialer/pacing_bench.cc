// Pacing benchmark (issue 5): 20 agents, live answers 30%, talk 208 s, ring-to-answer 12 s,
// one 8-hour day, several seeds; preview, progressive and predictive side by side on the
// same seed. Also 2 agents (the seed's team) in predictive: abandons never above 3%.
// Usage: dialer_pacing_bench [SEEDS] [AGENTS]
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "campaigns/schema.h"
#include "dialer/simulate.h"
#include "dialer/src/engine_schema.h"

using namespace sondeo;          // NOLINT(google-build-using-namespace)
using namespace sondeo::dialer;  // NOLINT(google-build-using-namespace)

namespace {

double g_target = 0.15;

Result<SimReport> RunOne(DialMode mode, uint64_t seed, int agents) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("sondeo_pacing_" + std::to_string(::getpid()) + ".db"))
                               .string();
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path + ext);
  store::DbOptions o;
  o.migrations = store::Migrations();
  for (auto& m : campaigns::Migrations()) o.migrations.push_back(m);
  for (auto& m : EngineMigrations()) o.migrations.push_back(m);
  auto db = store::Db::Open(path, o);
  if (!db) return db.error();
  auto made = CreateSyntheticContacts(**db, "bench", 600 * agents, seed);
  if (!made) return made.error();
  auto co = WeeklyCalendar::Defaults();
  for (int d = 0; d < 5; ++d) co.windows[static_cast<size_t>(d)] = {{8 * 60, 16 * 60}};
  WeeklyCalendar cal(co);
  SimOptions s;
  s.engine.campaign_id = "bench";
  s.engine.mode = mode;
  s.engine.target_fraction = g_target;
  s.agents = agents;
  s.days = 1;
  s.seed = seed;
  s.start = FromUnixMillis((WeeklyCalendar::DayOf(2026, 11, 30) * 86400) * 1000);
  auto r = RunSimulation(**db, cal, s);
  db->reset();
  for (const char* ext : {"", "-wal", "-shm"}) std::filesystem::remove(path + ext);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const int seeds = argc > 1 ? std::atoi(argv[1]) : 3;
  const int agents = argc > 2 ? std::atoi(argv[2]) : 20;
  if (argc > 3) g_target = std::atof(argv[3]);
  bool ok = true;
  std::printf(
      "| seed | mode | agents | attempts | live answers | abandon %% | occupancy %% |"
      " idle vs progressive | completes/agent-hour |\n|---|---|---|---|---|---|---|---|---|\n");
  for (int seed = 1; seed <= seeds; ++seed) {
    double prog_idle = 0;
    for (DialMode mode : {DialMode::kPreview, DialMode::kProgressive, DialMode::kPredictive}) {
      auto r = RunOne(mode, static_cast<uint64_t>(seed), agents);
      if (!r) {
        std::fprintf(stderr, "error: %s\n", r.status().ToString().c_str());
        return 2;
      }
      const auto& m = r->metrics;
      const double idle = 1 - m.occupancy();
      if (mode == DialMode::kProgressive) prog_idle = idle;
      const double ratio = mode == DialMode::kPredictive && prog_idle > 0 ? idle / prog_idle : 0;
      std::printf("| %d | %s | %d | %lld | %lld | %.2f | %.1f | %s | %.2f |\n", seed,
                  std::string(DialModeName(mode)).c_str(), agents,
                  static_cast<long long>(m.attempts), static_cast<long long>(m.answered),
                  100 * m.abandon_rate(), 100 * m.occupancy(),
                  mode == DialMode::kPredictive ? std::to_string(ratio).substr(0, 4).c_str() : "",
                  r->completes_per_agent_hour);
      if (mode == DialMode::kPredictive) {
        ok = ok && m.abandon_rate() <= 0.03;
        if (agents >= 20) ok = ok && m.occupancy() >= 0.85 && ratio <= 0.6;
      }
    }
  }
  for (int seed = 1; seed <= seeds; ++seed) {
    auto r = RunOne(DialMode::kPredictive, static_cast<uint64_t>(seed), 2);
    if (!r) return 2;
    std::printf("| %d | predictive | 2 | %lld | %lld | %.2f | %.1f | | %.2f |\n", seed,
                static_cast<long long>(r->metrics.attempts),
                static_cast<long long>(r->metrics.answered), 100 * r->metrics.abandon_rate(),
                100 * r->metrics.occupancy(), r->completes_per_agent_hour);
    ok = ok && r->metrics.abandon_rate() <= 0.03;
  }
  std::printf(
      "goals (predictive abandon <= 3%%, occupancy >= 85%%, idle <= 0.6x progressive;"
      " 2 agents abandon <= 3%%): %s\n",
      ok ? "met" : "NOT met");
  return ok ? 0 : 1;
}
