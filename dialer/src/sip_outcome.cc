// Pure parts of the SIP driver: outcome mapping and the carrier circuit breaker.
#include <algorithm>
#include <charconv>

#include "dialer/sip.h"

namespace sondeo::dialer {
namespace {

constexpr struct {
  SipOutcome outcome;
  std::string_view name;
  std::string_view disposition;
} kOutcomes[] = {
    {SipOutcome::kAnswered, "answered", ""},
    {SipOutcome::kBusy, "busy", "OCUPADO"},
    {SipOutcome::kNoAnswer, "no_answer", "NO_CONTESTA_TIMEOUT"},
    {SipOutcome::kInvalidNumber, "invalid_number", "NUMERO_INVALIDO"},
    {SipOutcome::kDamaged, "damaged", "TELEFONO_DANADO"},
    {SipOutcome::kRejected, "rejected", "RECHAZADA"},
    {SipOutcome::kNetworkFailure, "network_failure", "FALLA_DE_RED"},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ParseCode(std::string_view s, int* out) {
  s = Trim(s);
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size() && *out >= 100 && *out <= 699;
}

}  // namespace

std::string_view SipOutcomeName(SipOutcome o) {
  for (const auto& e : kOutcomes) {
    if (e.outcome == o) return e.name;
  }
  return "network_failure";
}

std::string_view SipOutcomeDisposition(SipOutcome o) {
  for (const auto& e : kOutcomes) {
    if (e.outcome == o) return e.disposition;
  }
  return "FALLA_DE_RED";
}

bool SipOutcomeConsumesAttempt(SipOutcome o) { return o != SipOutcome::kNetworkFailure; }

SipOutcomeTable SipOutcomeTable::Defaults() {
  return {{
      {200, 299, SipOutcome::kAnswered},
      {486, 486, SipOutcome::kBusy},
      {600, 600, SipOutcome::kBusy},
      {408, 408, SipOutcome::kNoAnswer},
      {480, 480, SipOutcome::kNoAnswer},
      {404, 404, SipOutcome::kInvalidNumber},
      {484, 484, SipOutcome::kInvalidNumber},
      {604, 604, SipOutcome::kInvalidNumber},
      {410, 410, SipOutcome::kDamaged},
      {403, 403, SipOutcome::kRejected},
      {603, 603, SipOutcome::kRejected},
      {500, 599, SipOutcome::kNetworkFailure},
  }};
}

Result<SipOutcomeTable> SipOutcomeTable::Parse(std::string_view spec) {
  SipOutcomeTable custom;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    std::string_view item = Trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::InvalidArgument("outcome map: '" + std::string(item) +
                                     "' is not CODE=OUTCOME or FROM-TO=OUTCOME");
    }
    std::string_view codes = Trim(item.substr(0, eq));
    const std::string_view name = Trim(item.substr(eq + 1));
    SipOutcomeRule rule;
    const size_t dash = codes.find('-');
    const bool ok = dash == std::string_view::npos
                        ? ParseCode(codes, &rule.from) && ParseCode(codes, &rule.to)
                        : ParseCode(codes.substr(0, dash), &rule.from) &&
                              ParseCode(codes.substr(dash + 1), &rule.to) && rule.from <= rule.to;
    if (!ok) {
      return Status::InvalidArgument("outcome map: '" + std::string(codes) +
                                     "' is not a SIP status code (100-699) or range");
    }
    const auto* e = std::find_if(std::begin(kOutcomes), std::end(kOutcomes),
                                 [&](const auto& o) { return o.name == name; });
    if (e == std::end(kOutcomes)) {
      return Status::InvalidArgument("outcome map: unknown outcome '" + std::string(name) +
                                     "' (answered, busy, no_answer, invalid_number, damaged, "
                                     "rejected, network_failure)");
    }
    rule.outcome = e->outcome;
    custom.rules.push_back(rule);
  }
  for (const auto& r : Defaults().rules) custom.rules.push_back(r);
  return custom;
}

SipOutcome MapSipFinal(int code, bool cancelled_by_timeout, const SipOutcomeTable& table) {
  if (code == 487 && cancelled_by_timeout) return SipOutcome::kNoAnswer;
  if (code == 0) return SipOutcome::kNetworkFailure;
  for (const auto& r : table.rules) {
    if (code >= r.from && code <= r.to) return r.outcome;
  }
  return SipOutcome::kNetworkFailure;
}

bool CircuitBreaker::AllowCall(Clock::time_point now) {
  if (!WouldAllow(now)) return false;
  if (state(now) == State::kHalfOpen) probe_in_flight_ = true;  // the one probe
  return true;
}

bool CircuitBreaker::WouldAllow(Clock::time_point now) const {
  switch (state(now)) {
    case State::kClosed:
      return true;
    case State::kOpen:
      return false;
    case State::kHalfOpen:
      return !probe_in_flight_;
  }
  return false;
}

void CircuitBreaker::OnResult(bool carrier_failure, Clock::time_point now) {
  const bool was_probe = probe_in_flight_;
  probe_in_flight_ = false;
  if (!carrier_failure) {
    consecutive_ = 0;
    open_ = false;
    opened_at_.reset();
    pause_ = options_.open_for;
    return;
  }
  ++consecutive_;
  if (open_ && was_probe) {
    pause_ = std::min(pause_ * 2, options_.max_open_for);
    opened_at_ = now;
  } else if (!open_ && consecutive_ >= options_.threshold) {
    open_ = true;
    opened_at_ = now;
  }
}

CircuitBreaker::State CircuitBreaker::state(Clock::time_point now) const {
  if (!open_) return State::kClosed;
  if (opened_at_ && now - *opened_at_ < pause_) return State::kOpen;
  return State::kHalfOpen;
}

std::vector<std::string> SipTransportNames() { return {"udp", "tcp", "tls"}; }

Status CheckSipTransport(std::string_view transport) {
  for (const std::string& t : SipTransportNames()) {
    if (t == transport) return Status::Ok();
  }
  return Status::InvalidArgument("sip transport must be udp, tcp or tls, not '" +
                                 std::string(transport) + "'");
}

std::string FormatRequestUri(const SipOptions& options, std::string_view e164) {
  std::string digits(e164);
  if (!digits.empty() && digits.front() == '+') digits.erase(0, 1);
  std::string national = digits.rfind("57", 0) == 0 ? digits.substr(2) : digits;
  std::string out;
  std::string_view f = options.uri_format;
  while (!f.empty()) {
    const size_t open = f.find('{');
    out.append(f.substr(0, open));
    if (open == std::string_view::npos) break;
    const size_t close = f.find('}', open);
    if (close == std::string_view::npos) {
      out.append(f.substr(open));
      break;
    }
    const std::string_view key = f.substr(open + 1, close - open - 1);
    if (key == "e164") {
      out += "+" + digits;
    } else if (key == "digits") {
      out += digits;
    } else if (key == "national") {
      out += national;
    } else if (key == "trunk") {
      out += options.trunk;
    } else {
      out.append(f.substr(open, close - open + 1));
    }
    f = f.substr(close + 1);
  }
  if (options.transport == "tls" && out.rfind("sip:", 0) == 0 &&
      out.find("transport=") == std::string::npos) {
    const size_t headers = out.find('?');
    out.insert(headers == std::string::npos ? out.size() : headers, ";transport=tls");
  }
  return out;
}

}  // namespace sondeo::dialer
