#pragma once
// The campaign's configuration (campaigns/campaign.h, calendar.h) as the engine needs it.
#include "campaigns/calendar.h"
#include "campaigns/campaign.h"
#include "dialer/call_calendar.h"
#include "dialer/engine.h"

namespace sondeo::dialer {

// The campaign calendar (zone, windows, holidays, start/end dates) behind the scheduler's
// seam. `calendar` must outlive the adapter.
class CampaignCalendar final : public CallingCalendar {
 public:
  explicit CampaignCalendar(campaigns::Calendar calendar) : calendar_(std::move(calendar)) {}
  bool IsCallable(TimePoint t) const override { return calendar_.IsCallable(t); }
  TimePoint NextCallable(TimePoint t) const override {
    return calendar_.NextCallable(t).value_or(TimePoint::max());
  }
  TimePoint WindowEnd(TimePoint t) const override {
    return calendar_.WindowEnd(t).value_or(TimePoint::min());
  }
  int64_t LocalDay(TimePoint t) const override {
    return calendar_.LocalDay(t).time_since_epoch().count();
  }
  TimePoint DayStart(int64_t day) const override {
    return calendar_.StartOfLocalDay(campaigns::Day(campaigns::Day::duration(day)));
  }

 private:
  campaigns::Calendar calendar_;
};

// The dialer's rules for the campaign's disposition catalogue.
std::vector<DispositionRule> RulesFromCatalog(const campaigns::DispositionCatalog& catalog);

// Engine options from the campaign: attempts caps, dialing mode, abandon cap, ring timeout,
// caller id and dispositions.
EngineOptions EngineOptionsFor(const campaigns::Campaign& campaign);

}  // namespace sondeo::dialer
