#pragma once
// The dialer inside `sondeo serve`: one dialer::Engine per running campaign, with its
// telephony driver (`simulated` on real time, or `sip`). Asio-free: the owner runs Pump()
// whenever NextWakeup() comes (a steady timer) and after every request that touched an
// engine.
//
// Threading: everything here runs on ONE thread, the server's store thread, which also owns
// the Db and the Api (engines write attempts through the same connection). Driver events
// from other threads (the SIP stack's) are handed over through the Post hook.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "campaigns/campaign.h"
#include "common/clock.h"
#include "common/status.h"
#include "dialer/engine.h"
#include "dialer/lease.h"
#include "dialer/simulate.h"
#include "dialer/sip.h"
#include "server/server.h"
#include "store/db.h"

namespace sondeo::server {

class Dialing {
 public:
  // Runs `fn` later on the owner's thread (for driver events from other threads).
  using Post = std::function<void(std::function<void()>)>;
  // An agent event of a campaign's engine (called on the owner's thread, after the engine's
  // transaction committed).
  using AgentNotify = std::function<void(const std::string& campaign, const dialer::AgentEvent&)>;
  // Called before a campaign's engine opens: returns the typifications the agents' desks
  // recorded durably for attempts the engine never disposed (crash recovery).
  using Recover =
      std::function<Result<std::map<uint64_t, dialer::RecoveredResult>>(const std::string&)>;

  Dialing(store::Db& db, const Clock& clock, TelephonyOptions options);
  ~Dialing();
  Dialing(const Dialing&) = delete;
  Dialing& operator=(const Dialing&) = delete;

  void SetPost(Post post) { post_ = std::move(post); }
  void SetAgentNotify(AgentNotify notify) { notify_ = std::move(notify); }
  void SetRecover(Recover recover) { recover_ = std::move(recover); }
  // Telephony alerts for the supervisor (the SIP trunk's circuit breaker opening or
  // closing), delivered on the thread of the posts (SetPost).
  using AlertNotify = std::function<void(const std::string& campaign, const std::string& message)>;
  void SetAlertNotify(AlertNotify notify) { *alert_ = std::move(notify); }

  // Opens engines for campaigns that are running in the database (start from the API or
  // the CLI) and logs every agent out of campaigns that are not (pause). Errors of one
  // campaign are logged and do not stop the others.
  void Reconcile();
  // Delivers due simulated-citizen events, ticks engines that are due and reconciles the
  // campaigns every few seconds. Call whenever NextWakeup() passes.
  void Pump();
  // When Pump() should run next.
  TimePoint NextWakeup() const;

  // The engine of a running campaign (opened on demand); kFailedPrecondition when the
  // campaign is not running, kNotFound when unknown. Sync()s the campaign's driver first.
  Result<dialer::Engine*> EngineFor(const std::string& campaign);
  // The parsed campaign of an opened engine (nullptr when none).
  const campaigns::Campaign* CampaignOf(const std::string& campaign) const;
  // The campaign the agent is logged in to ("" when none).
  std::string AgentCampaign(const std::string& agent) const;
  void SetAgentCampaign(const std::string& agent, const std::string& campaign);

 private:
  struct Runner;
  Result<Runner*> Open(const std::string& campaign);
  void SyncSim(Runner& r);

  store::Db& db_;
  const Clock& clock_;
  TelephonyOptions options_;
  Post post_;
  AgentNotify notify_;
  Recover recover_;
  // Shared with the alerts posted from the SIP thread; emptied when Dialing goes.
  std::shared_ptr<AlertNotify> alert_ = std::make_shared<AlertNotify>();
  std::map<std::string, std::unique_ptr<Runner>> runners_;
  std::map<std::string, std::string> agent_campaign_;
  TimePoint last_reconcile_{};
  // One dialing process per campaign (dialer/lease.h): renewed at every reconcile.
  dialer::LeaseOwner me_;
  std::map<std::string, std::string> open_errors_;  // last error logged per campaign
};

}  // namespace sondeo::server
