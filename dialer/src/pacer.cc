#include "dialer/pacer.h"

#include <algorithm>
#include <cmath>

namespace sondeo::dialer {
namespace {

constexpr double kGrace = 2.0;  // seconds an answered citizen may wait for an agent

// The distribution of D = (live answers) - (available agents), as a PMF over an offset range.
class Difference {
 public:
  Difference(int min, int max) : offset_(-min), pmf_(static_cast<size_t>(max - min + 1), 0.0) {}
  void SetPoint(int d) { pmf_[Idx(d)] = 1.0; }
  // D += Bernoulli(p) * step, step = +1 (a call) or -1 (an agent).
  void Add(double p, int step) {
    std::vector<double> next(pmf_.size(), 0.0);
    for (size_t i = 0; i < pmf_.size(); ++i) {
      if (pmf_[i] == 0.0) continue;
      next[i] += pmf_[i] * (1 - p);
      const auto j = static_cast<size_t>(static_cast<long>(i) + step);
      if (j < pmf_.size()) next[j] += pmf_[i] * p;
    }
    pmf_.swap(next);
  }
  double ExpectedExcess() const {
    double e = 0;
    for (size_t i = 0; i < pmf_.size(); ++i) {
      const long d = static_cast<long>(i) - offset_;
      if (d > 0) e += static_cast<double>(d) * pmf_[i];
    }
    return e;
  }

 private:
  size_t Idx(int d) const { return static_cast<size_t>(d + offset_); }
  int offset_;
  std::vector<double> pmf_;
};

// FreeInTimeProbability for many agents at once: sorted talk samples and suffix sums of
// exp(-t/m), so each agent costs a binary search instead of a pass over the samples.
class TalkModel {
 public:
  explicit TalkModel(const PacingStats& s)
      : m_(std::max(s.mean_ring_to_answer, 0.1)), shift_(s.mean_wrap - kGrace) {
    sorted_ = s.talk_samples;
    if (!std::is_sorted(sorted_.begin(), sorted_.end())) std::sort(sorted_.begin(), sorted_.end());
    suffix_.assign(sorted_.size() + 1, 0.0);
    for (size_t i = sorted_.size(); i-- > 0;)
      suffix_[i] = suffix_[i + 1] + std::exp(-sorted_[i] / m_);
  }
  double Free(double elapsed) const {
    const auto first = std::upper_bound(sorted_.begin(), sorted_.end(), elapsed);
    const auto n = static_cast<double>(sorted_.end() - first);
    if (n == 0) return std::exp(-std::max(shift_, 0.0) / m_);
    // Samples t <= cut are free in time for sure (remaining talk + wrap <= grace).
    const double cut = elapsed - shift_;
    const auto split = std::upper_bound(first, sorted_.end(), cut);
    const auto sure = static_cast<double>(split - first);
    const auto idx = static_cast<size_t>(split - sorted_.begin());
    return (sure + std::exp(cut / m_) * suffix_[idx]) / n;
  }

 private:
  double m_;
  double shift_;
  std::vector<double> sorted_;
  std::vector<double> suffix_;
};

int Progressive(const PacerInput& in) {
  return std::max(0,
                  in.ready_agents - static_cast<int>(in.ringing_ages.size()) - in.waiting_answers);
}

}  // namespace

std::string_view DialModeName(DialMode m) {
  switch (m) {
    case DialMode::kPreview:
      return "preview";
    case DialMode::kProgressive:
      return "progressive";
    case DialMode::kPredictive:
      return "predictive";
  }
  return "progressive";
}

Result<DialMode> ParseDialMode(std::string_view s) {
  if (s == "preview") return DialMode::kPreview;
  if (s == "progressive") return DialMode::kProgressive;
  if (s == "predictive") return DialMode::kPredictive;
  return Status::InvalidArgument("modo de marcación desconocido '" + std::string(s) +
                                 "' (preview, progressive, predictive)");
}

double LiveProbability(const PacingStats& s, double age) {
  if (age >= s.ring_timeout) return 0;
  const double p = std::clamp(s.answer_rate, 0.0, 1.0);
  const double r = std::clamp(s.ringout_share, 0.0, 1.0 - p);
  const double early = std::max(0.0, 1.0 - p - r);
  const double live = p * std::exp(-age / std::max(s.mean_ring_to_answer, 0.1));
  const double other = r + early * std::exp(-age / std::max(s.mean_early_end, 0.1));
  return live + other <= 0 ? 0 : live / (live + other);
}

double FreeInTimeProbability(const PacingStats& s, double elapsed) {
  // A live answer arrives after tau ~ Exp(mean ring-to-answer); the agent is in time when
  // remaining talk + wrap <= tau + grace: P = E[exp(-max(rem - grace, 0) / m)].
  const double m = std::max(s.mean_ring_to_answer, 0.1);
  double sum = 0;
  int n = 0;
  for (double t : s.talk_samples) {
    if (t <= elapsed) continue;
    sum += std::exp(-std::max(t - elapsed + s.mean_wrap - kGrace, 0.0) / m);
    ++n;
  }
  if (n == 0) return std::exp(-std::max(s.mean_wrap - kGrace, 0.0) / m);  // about to end
  return sum / n;
}

PacerDecision CallsToPlace(const PacerInput& in) {
  PacerDecision d;
  if (in.mode == DialMode::kPreview) return d;
  if (in.mode == DialMode::kProgressive) {
    d.calls = Progressive(in);
    return d;
  }
  // Predictive. Fall back to progressive when one more abandon would break the cap, and
  // while the estimates are not yet trustworthy.
  const double cap = in.max_abandon_rate * in.guard_fraction;
  const bool day_full = static_cast<double>(in.abandons.day_abandoned + 1) >
                        cap * static_cast<double>(in.abandons.day_live + 1);
  const bool rolling_full = static_cast<double>(in.abandons.rolling_abandoned + 1) >
                            cap * static_cast<double>(in.abandons.rolling_live + 1);
  const bool warm = in.stats.dials >= in.warmup_dials &&
                    static_cast<int>(in.stats.talk_samples.size()) >= in.warmup_talks;
  if (day_full || rolling_full || !warm) {
    d.calls = Progressive(in);
    d.progressive_fallback = true;
    return d;
  }
  // Abandons budget left before the cap (never negative here, by the test above).
  const double budget = std::min(cap * static_cast<double>(in.abandons.day_live) -
                                     static_cast<double>(in.abandons.day_abandoned),
                                 cap * static_cast<double>(in.abandons.rolling_live) -
                                     static_cast<double>(in.abandons.rolling_abandoned));

  const int max_in_flight = static_cast<int>(std::floor(in.max_lines_per_agent * in.agents));
  const int room = max_in_flight - static_cast<int>(in.ringing_ages.size());
  const int agents_coming =
      static_cast<int>(in.talking_elapsed.size() + in.wrapping_elapsed.size());
  const int max_new = std::max(0, room);
  Difference diff(-(in.ready_agents + agents_coming) - 1,
                  in.waiting_answers + static_cast<int>(in.ringing_ages.size()) + max_new + 1);
  diff.SetPoint(in.waiting_answers - in.ready_agents);
  double expected_live = in.waiting_answers;
  for (double age : in.ringing_ages) {
    const double p = LiveProbability(in.stats, age);
    expected_live += p;
    diff.Add(p, +1);
  }
  const TalkModel talk(in.stats);
  for (double t : in.talking_elapsed) diff.Add(talk.Free(t), -1);
  for (double w : in.wrapping_elapsed) {
    const double m = std::max(in.stats.mean_ring_to_answer, 0.1);
    diff.Add(std::exp(-std::max(in.stats.mean_wrap - w - kGrace, 0.0) / m), -1);
  }
  const double alpha = in.max_abandon_rate * in.target_fraction;
  const double p_new = std::clamp(in.stats.answer_rate, 0.0, 1.0);
  int calls = 0;
  double excess = diff.ExpectedExcess();
  while (calls < max_new) {
    Difference next = diff;
    next.Add(p_new, +1);
    const double e = next.ExpectedExcess();
    const double live = expected_live + p_new;
    if (e > alpha * live || e > 0.5 * budget) break;
    diff = std::move(next);
    excess = e;
    expected_live = live;
    ++calls;
  }
  // Never below progressive: a ready agent with no call coming always gets one.
  calls = std::max(calls, Progressive(in));
  d.calls = calls;
  d.expected_live = expected_live;
  d.expected_abandons = excess;
  return d;
}

}  // namespace sondeo::dialer
