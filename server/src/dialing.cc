#include "server/src/dialing.h"

#include <algorithm>
#include <utility>

#include "common/log.h"
#include "dialer/campaign_config.h"

namespace sondeo::server {

namespace {

constexpr Duration kReconcileEvery = std::chrono::seconds(2);
constexpr Duration kTickAtLeastEvery = std::chrono::seconds(5);
// A serve that stops renewing (frozen, or killed on another host) loses its campaigns after
// this; on this host a killed serve's leases are taken over at once (dialer/lease.h).
constexpr int64_t kLeaseTtlMs = 15000;

// The SIP driver delivers events on the SIP thread; the engine must hear them on the owner's
// thread. Commands go straight through (SipEndpoint's methods are thread-safe).
class PostingDriver final : public dialer::Driver {
 public:
  PostingDriver(std::unique_ptr<dialer::Driver> inner, Dialing::Post post)
      : inner_(std::move(inner)), state_(std::make_shared<State>()) {
    auto state = state_;
    inner_->SetSink([state, post = std::move(post)](const dialer::DriverEvent& ev) {
      post([state, ev] {
        if (state->sink) state->sink(ev);
      });
    });
  }
  ~PostingDriver() override {
    state_->sink = nullptr;
    inner_->SetSink(nullptr);
  }
  void SetSink(Sink sink) override { state_->sink = std::move(sink); }
  Status Originate(const dialer::OriginateRequest& request) override {
    return inner_->Originate(request);
  }
  void Cancel(uint64_t attempt_id) override { inner_->Cancel(attempt_id); }
  void Hangup(uint64_t attempt_id) override { inner_->Hangup(attempt_id); }
  Status ConnectAgent(uint64_t attempt_id, const std::string& agent) override {
    return inner_->ConnectAgent(attempt_id, agent);
  }
  bool CanDial() override { return inner_->CanDial(); }

 private:
  struct State {
    Sink sink;  // owner's thread only
  };
  std::unique_ptr<dialer::Driver> inner_;
  std::shared_ptr<State> state_;
};

// "sip:trunk@127.0.0.1:5070;transport=udp" -> "127.0.0.1:5070" (SipOptions::trunk).
std::string TrunkHostPort(std::string uri) {
  if (auto colon = uri.find(':'); uri.rfind("sip", 0) == 0 && colon != std::string::npos) {
    uri = uri.substr(colon + 1);
  }
  if (auto at = uri.find('@'); at != std::string::npos) uri = uri.substr(at + 1);
  if (auto semi = uri.find(';'); semi != std::string::npos) uri.resize(semi);
  return uri;
}

}  // namespace

struct Dialing::Runner {
  campaigns::Campaign campaign;
  std::unique_ptr<dialer::CampaignCalendar> calendar;
  // `simulated` only: the citizens' event queue on a clock kept at real time.
  std::unique_ptr<ManualClock> sim_clock;
  std::unique_ptr<dialer::EventQueue> queue;
  std::unique_ptr<dialer::Driver> driver;
  std::unique_ptr<dialer::Engine> engine;  // last: destroyed before its driver and calendar
  bool running = true;
  TimePoint last_tick{};
};

Dialing::Dialing(store::Db& db, const Clock& clock, TelephonyOptions options)
    : db_(db), clock_(clock), options_(std::move(options)), me_(dialer::ThisProcess("serve")) {}

Dialing::~Dialing() {
  *alert_ = nullptr;
  for (auto& [id, r] : runners_) {
    r->engine.reset();
    r->driver.reset();
    (void)dialer::ReleaseLease(db_, id, me_);
  }
}

void Dialing::SyncSim(Runner& r) {
  if (!r.sim_clock) return;
  const TimePoint now = clock_.Now();
  if (now > r.sim_clock->Now()) r.sim_clock->Set(now);
  r.queue->RunUntil(now);
}

Result<Dialing::Runner*> Dialing::Open(const std::string& id) {
  auto campaign = campaigns::LoadCampaign(db_, id);
  if (!campaign) return campaign.error();
  if (Status s = dialer::AcquireLease(db_, id, me_, dialer::LeaseNowMs(), kLeaseTtlMs); !s.ok()) {
    return s;
  }
  auto r = std::make_unique<Runner>();
  r->campaign = std::move(*campaign);
  r->calendar = std::make_unique<dialer::CampaignCalendar>(r->campaign.MakeCalendar());
  if (r->campaign.telephony.driver == campaigns::Driver::kSip) {
    if (!post_) return Status::FailedPrecondition("sip: el servidor no entrega eventos");
    dialer::SipDriverOptions so;
    so.sip = options_.sip;
    so.agent_uri_format = options_.sip_agent_uri_format;
    so.sip.trunk = TrunkHostPort(r->campaign.telephony.trunk);
    if (!r->campaign.telephony.caller_id.empty())
      so.sip.caller_id = r->campaign.telephony.caller_id;
    const std::string cid = id;
    so.on_alert = [cid, post = post_, alert = alert_](const std::string& message) {
      log::Warn("campaña {}: {}", cid, message);
      post([cid, alert, message] {
        if (*alert) (*alert)(cid, message);
      });
    };
    auto sip = dialer::MakeSipDriver(std::move(so));
    if (!sip) return sip.error();
    r->driver = std::make_unique<PostingDriver>(std::move(*sip), post_);
  } else {
    r->sim_clock = std::make_unique<ManualClock>(clock_.Now());
    r->queue = std::make_unique<dialer::EventQueue>(*r->sim_clock);
    // Same seed and campaign, same citizens: the campaign id is mixed in so two campaigns
    // do not answer alike.
    uint64_t seed = options_.sim_seed;
    for (char c : id) seed = seed * 131 + static_cast<unsigned char>(c);
    r->driver = std::make_unique<dialer::SimulatedDriver>(*r->queue, options_.citizens, seed);
  }
  dialer::EngineOptions eo = dialer::EngineOptionsFor(r->campaign);
  bool recovered = false;
  if (recover_) {
    auto pending = recover_(id);
    if (!pending) return pending.error();
    recovered = !pending->empty();
    eo.recover_result = [pending = std::move(*pending)](uint64_t attempt) {
      auto it = pending.find(attempt);
      return it == pending.end() ? std::optional<dialer::RecoveredResult>() : it->second;
    };
  }
  auto engine = dialer::Engine::Open(db_, clock_, *r->calendar, *r->driver, std::move(eo));
  if (!engine) return engine.error();
  r->engine = std::move(*engine);
  if (recovered) {
    // The recovered attempts are disposed now: a second pass marks their results applied.
    if (auto again = recover_(id); !again) {
      log::Error("campaña {}: {}", id, again.error().ToString());
    }
  }
  r->engine->SetAgentSink([this, id](const dialer::AgentEvent& ev) {
    if (notify_) notify_(id, ev);
  });
  r->last_tick = clock_.Now();
  log::Info("campaña {}: motor de marcación en marcha ({}, {})", id,
            dialer::DialModeName(dialer::EngineOptionsFor(r->campaign).mode),
            campaigns::DriverName(r->campaign.telephony.driver));
  Runner* raw = r.get();
  runners_[id] = std::move(r);
  return raw;
}

void Dialing::Reconcile() {
  last_reconcile_ = clock_.Now();
  auto rows = campaigns::ListCampaigns(db_);
  if (!rows) {
    log::Error("marcación: no se pudieron leer las campañas: {}", rows.error().ToString());
    return;
  }
  for (const auto& row : *rows) {
    const bool running = row.state == campaigns::CampaignState::kRunning;
    auto it = runners_.find(row.id);
    if (running && it == runners_.end()) {
      if (auto r = Open(row.id); !r) {
        // Logged once per distinct error, not at every reconcile.
        std::string& last = open_errors_[row.id];
        if (last != r.error().message()) {
          last = r.error().message();
          log::Error("campaña {}: no se pudo abrir el motor: {}", row.id, r.error().ToString());
        }
      } else {
        open_errors_.erase(row.id);
      }
      continue;
    }
    if (it == runners_.end()) continue;
    if (Status s = dialer::RenewLease(db_, row.id, me_, dialer::LeaseNowMs(), kLeaseTtlMs);
        !s.ok()) {
      // Another process took the campaign over (this one stalled past the expiry): stop
      // dialing it at once (the driver hangs up its calls).
      log::Error("campaña {}: {}; se detiene la marcación aquí", row.id, s.ToString());
      for (auto a = agent_campaign_.begin(); a != agent_campaign_.end();) {
        a = a->second == row.id ? agent_campaign_.erase(a) : std::next(a);
      }
      runners_.erase(it);
      continue;
    }
    Runner& r = *it->second;
    if (r.running && !running) {
      // Paused: nobody takes new calls; calls in flight end normally.
      for (auto a = agent_campaign_.begin(); a != agent_campaign_.end();) {
        if (a->second == row.id) {
          (void)r.engine->LogOut(a->first);
          a = agent_campaign_.erase(a);
        } else {
          ++a;
        }
      }
    }
    r.running = running;
  }
}

void Dialing::Pump() {
  const TimePoint now = clock_.Now();
  if (now - last_reconcile_ >= kReconcileEvery) Reconcile();
  for (auto& [id, r] : runners_) {
    SyncSim(*r);
    auto wake = r->engine->NextWakeup();
    if ((wake && *wake <= now) || now - r->last_tick >= kTickAtLeastEvery) {
      r->last_tick = now;
      if (Status s = r->engine->Tick(); !s.ok()) {
        log::Error("campaña {}: {}", id, s.ToString());
      }
      SyncSim(*r);
    }
  }
}

TimePoint Dialing::NextWakeup() const {
  const TimePoint now = clock_.Now();
  TimePoint best = std::min(now + kTickAtLeastEvery, last_reconcile_ + kReconcileEvery);
  for (const auto& [id, r] : runners_) {
    if (auto w = r->engine->NextWakeup()) best = std::min(best, *w);
    if (r->queue) {
      if (auto w = r->queue->NextTime()) best = std::min(best, *w);
    }
  }
  return std::max(best, now);
}

Result<dialer::Engine*> Dialing::EngineFor(const std::string& campaign) {
  auto it = runners_.find(campaign);
  if (it == runners_.end() || !it->second->running) {
    Reconcile();
    it = runners_.find(campaign);
  }
  if (it == runners_.end() || !it->second->running) {
    // A running campaign that could not open (another process holds its lease...): say why.
    if (auto e = open_errors_.find(campaign); e != open_errors_.end()) {
      return Status::FailedPrecondition(e->second);
    }
    return Status::FailedPrecondition("la campaña " + campaign + " no está en curso");
  }
  SyncSim(*it->second);
  return it->second->engine.get();
}

const campaigns::Campaign* Dialing::CampaignOf(const std::string& campaign) const {
  auto it = runners_.find(campaign);
  return it == runners_.end() ? nullptr : &it->second->campaign;
}

std::string Dialing::AgentCampaign(const std::string& agent) const {
  auto it = agent_campaign_.find(agent);
  return it == agent_campaign_.end() ? "" : it->second;
}

void Dialing::SetAgentCampaign(const std::string& agent, const std::string& campaign) {
  if (campaign.empty()) {
    agent_campaign_.erase(agent);
  } else {
    agent_campaign_[agent] = campaign;
  }
}

}  // namespace sondeo::server
