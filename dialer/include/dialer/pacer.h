#pragma once
// Pacing: how many new calls to place now. Pure (dialer/README.md documents the formula).
//   preview:     0 (the agent asks for the next contact and starts the call);
//   progressive: one call per ready agent that has no call coming;
//   predictive:  as many calls as keep the expected abandons under the target, given the
//                measured answer rate, ring time and handle time, each in-flight call's
//                ring age, and the talk-time distribution of the agents in conversation.
//                Falls back to progressive whenever one more abandon would put the day's or
//                the rolling 30 days' abandon rate over the cap.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sondeo::dialer {

enum class DialMode { kPreview, kProgressive, kPredictive };
std::string_view DialModeName(DialMode m);  // "preview", "progressive", "predictive"
Result<DialMode> ParseDialMode(std::string_view s);

// Measured figures, re-estimated continuously by the engine (seconds).
struct PacingStats {
  int64_t dials = 0;                // pool and reserved dials measured so far
  double answer_rate = 0.3;         // live answers / dials
  double ringout_share = 0.45;      // dials that ring until the timeout
  double mean_ring_to_answer = 12;  // live answers: seconds from dial to answer
  double mean_early_end = 5;        // non-live dials that end before the timeout (busy, ...)
  double ring_timeout = 30;
  double mean_wrap = 15;
  std::vector<double> talk_samples;  // recent completed talk times (empirical distribution)
};

struct AbandonCounters {
  int64_t day_abandoned = 0;
  int64_t day_live = 0;  // live answers today
  int64_t rolling_abandoned = 0;
  int64_t rolling_live = 0;  // over the rolling 30 days, today included
};

struct PacerInput {
  DialMode mode = DialMode::kProgressive;
  int agents = 0;                        // logged-in pool agents (for the lines-per-agent ceiling)
  int ready_agents = 0;                  // idle pool agents, not reserved for a call
  int waiting_answers = 0;               // answered calls waiting for an agent right now
  std::vector<double> ringing_ages;      // pool calls in flight, not answered: age (s)
  std::vector<double> talking_elapsed;   // pool agents in conversation: elapsed talk (s)
  std::vector<double> wrapping_elapsed;  // pool agents in wrap-up: elapsed wrap (s)
  PacingStats stats;
  AbandonCounters abandons;
  double max_abandon_rate = 0.03;
  // Share of the cap the predictive pacer aims at per decision (safety margin).
  double target_fraction = 0.15;
  double max_lines_per_agent = 4.0;
  // Progressive fallback once one more abandon would pass this share of the cap (calls
  // already in flight may still add abandons after the switch).
  double guard_fraction = 0.9;
  // Predictive waits for this many dials and talk samples before it trusts its estimates.
  int warmup_dials = 40;
  int warmup_talks = 10;
};

struct PacerDecision {
  int calls = 0;
  bool progressive_fallback = false;  // predictive asked, progressive applied
  double expected_live = 0;           // live answers expected from the calls in flight + new
  double expected_abandons = 0;
};

// The probability that a call still ringing at `age` seconds ends in a live answer.
double LiveProbability(const PacingStats& s, double age);
// The probability that an agent `elapsed` seconds into a conversation is free (talk and
// wrap-up over) in time for a live answer arriving after a typical ring (2 s grace included).
double FreeInTimeProbability(const PacingStats& s, double elapsed);

PacerDecision CallsToPlace(const PacerInput& in);

}  // namespace sondeo::dialer
