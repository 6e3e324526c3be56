#include "dialer/campaign_config.h"

namespace sondeo::dialer {

std::vector<DispositionRule> RulesFromCatalog(const campaigns::DispositionCatalog& catalog) {
  std::vector<DispositionRule> rules;
  for (const auto& d : catalog.all()) {
    DispositionRule r;
    r.code = d.code;
    r.label = d.label;
    r.by_agent = d.set_by != campaigns::SetBy::kSystem;
    r.final = d.final;
    r.consumes_attempt = d.consumes_attempt;
    r.next_phone = d.try_next_phone;
    r.callback = d.callback;
    r.contact = d.contact;
    r.complete = d.complete;
    r.refusal = d.refusal;
    r.abandoned = d.code == kAbandonada;
    r.retry_delay = d.retry_delay;
    r.retry_max = d.retry_max;
    r.aapor = d.aapor;
    rules.push_back(std::move(r));
  }
  return rules;
}

EngineOptions EngineOptionsFor(const campaigns::Campaign& c) {
  EngineOptions o;
  o.campaign_id = c.id;
  switch (c.dialing.mode) {
    case campaigns::DialMode::kPreview:
      o.mode = DialMode::kPreview;
      break;
    case campaigns::DialMode::kProgressive:
      o.mode = DialMode::kProgressive;
      break;
    case campaigns::DialMode::kPredictive:
      o.mode = DialMode::kPredictive;
      break;
  }
  o.max_abandon_rate = c.dialing.max_abandon_rate;
  o.ring_timeout = c.dialing.ring_timeout;
  o.caller_id = c.telephony.caller_id;
  o.scheduler.max_attempts_per_contact = c.attempts.max_per_contact;
  o.scheduler.max_attempts_per_phone = c.attempts.max_per_phone;
  o.scheduler.max_attempts_per_day = c.attempts.max_per_day;
  o.scheduler.dispositions = RulesFromCatalog(c.dispositions);
  return o;
}

}  // namespace sondeo::dialer
