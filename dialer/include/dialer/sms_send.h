#pragma once
// SMS blasts and sequences: recipients, per-recipient rendering and segments, cost, the
// monthly cap, exactly-once sending, delivery reports and opt-outs (module key "sms").
//
// Exactly once: every (blast, recipient) row is written with its idempotency key, in state
// 'pending', before anything goes out. The sender claims a batch (pending -> sending, one
// committed transaction) BEFORE calling the gateway, then records each answer (sent, failed,
// or back to pending for a retryable failure). A row found in 'sending' when a sender starts
// was interrupted by a crash while its request may have reached the gateway; Kannel has no
// de-duplication, so such rows become 'uncertain' and are NEVER resent (they are reported:
// at most the last claimed batch per crash). Likewise a request that went out and got no
// answer (timeout, reset) becomes 'uncertain'.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "campaigns/calendar.h"
#include "common/clock.h"
#include "common/status.h"
#include "dialer/sms.h"
#include "dialer/sms_gateway.h"
#include "store/db.h"

namespace sondeo::dialer {

// Module key "sms" (tables sms_contract, sms_blasts, sms_messages, sms_inbound).
// Needs the "campaigns" and "contacts" tables.
std::vector<store::Migration> SmsMigrations();

// ---------------------------------------------------------------------------------------
// Contract and monthly cap (in segments, per calendar month in America/Bogota)

struct SmsContract {
  int64_t monthly_cap_segments = 0;  // 0 = no cap
  double unit_price = 0;             // per segment, in the contract's currency (COP)
};
Result<std::optional<SmsContract>> LoadContract(store::Db& db);
Status SaveContract(store::Db& db, const SmsContract& contract, std::string_view actor,
                    TimePoint now);

// Segments already committed (pending, sending, sent or uncertain) in blasts scheduled in the
// Bogotá calendar month of `at`.
Result<int64_t> UsedSegmentsInMonth(store::Db& db, TimePoint at);

struct CapCheck {
  int64_t cap = 0;        // 0 = no cap
  int64_t used = 0;       // this month so far
  int64_t planned = 0;    // this send
  int64_t remaining = 0;  // cap - used (may be negative); 0 when there is no cap
  int64_t after = 0;      // used + planned
  bool exceeds = false;   // after > cap
  bool warn = false;      // after >= 80% of cap
};
// Pure.
CapCheck CheckCap(int64_t cap, int64_t used, int64_t planned);

// ---------------------------------------------------------------------------------------
// Planning

struct BlastRequest {
  std::string campaign_id;
  std::string template_text;     // "{nombres}", "{municipio}", extra_json keys...
  std::string filter_municipio;  // empty = all; compared case- and accent-insensitively
  TimePoint at;                  // when to start (UTC instant)
};

struct PlannedMessage {
  int64_t contact_id = 0;
  std::string phone_e164;
  std::string text;
  SmsEncoding encoding = SmsEncoding::kGsm7;
  int segments = 0;
  int alternative_segments = 0;  // segments of its GSM-7 alternative
};

struct BlastPlan {
  std::vector<PlannedMessage> messages;
  int recipients = 0;
  int64_t segments = 0;
  int64_t alternative_segments = 0;  // if every text were sent as its GSM-7 alternative
  int ucs2_recipients = 0;
  int suppressed = 0;                         // contacts skipped by the suppression list
  int without_mobile = 0;                     // contacts with no mobile number
  int duplicate_phones = 0;                   // contacts whose mobile already gets this message
  std::map<int, int> recipients_by_segments;  // segments -> recipients
  SmsEstimate template_estimate;              // of the template text itself
};

// Reads the campaign's contacts (first mobile each, minus suppressions by phone or document,
// one message per phone), renders the template per contact and counts segments per recipient.
// Errors: kNotFound (campaign), kInvalidArgument (template: unknown placeholder, with its
// column and the first contact's row that lacks it).
Result<BlastPlan> PlanBlast(store::Db& db, const BlastRequest& request);

struct SendApproval {
  std::string actor = "cli";
  bool approve_overrun = false;  // an admin's explicit approval, audited
};

// Creates the blast and every recipient row (idempotency keys) in one transaction, after the
// cap check. kFailedPrecondition when the cap would be exceeded without approval (nothing is
// written). Returns the blast id.
Result<int64_t> CreateBlast(store::Db& db, const BlastRequest& request, const BlastPlan& plan,
                            const SendApproval& approval, TimePoint now,
                            std::optional<int64_t> sequence_id = std::nullopt, int step = 0);

// ---------------------------------------------------------------------------------------
// Sequences: several messages spaced in time (the seed's 09:00 / 09:15 / 09:30 / 09:45 per
// municipality). The campaign YAML will hold them; this is the struct it fills.

struct SequenceStep {
  std::chrono::minutes local_time{0};  // local time of day (America/Bogota) on `date`
  std::string template_text;
};
struct SmsSequence {
  std::string campaign_id;
  campaigns::Date date;          // local date
  std::string filter_municipio;  // empty = all
  std::vector<SequenceStep> steps;
};
// Parses "HH:MM texto" lines (blank lines and '#' comments skipped). kInvalidArgument with the
// line number otherwise.
Result<std::vector<SequenceStep>> ParseSequenceSteps(std::string_view text);

struct SequencePlan {
  std::vector<BlastPlan> steps;
  std::vector<TimePoint> at;
  int64_t segments = 0;
  int64_t alternative_segments = 0;
};
Result<SequencePlan> PlanSequence(store::Db& db, const SmsSequence& sequence);
// One blast per step, all in one transaction, after one cap check on the sum. Returns the ids.
Result<std::vector<int64_t>> CreateSequence(store::Db& db, const SmsSequence& sequence,
                                            const SequencePlan& plan, const SendApproval& approval,
                                            TimePoint now);

// ---------------------------------------------------------------------------------------
// Sending

// Mon-Fri 07:00-19:00, Sat 08:00-15:00, never Sundays or holidays (America/Bogota).
campaigns::Calendar LegalSmsCalendar();

struct SenderOptions {
  int batch_size = 64;  // rows claimed per transaction; the next batch is claimed while the
                        // last requests of the previous one are in flight, so at most about
                        // two batches become 'uncertain' if the process is killed
  Duration backoff_initial{200};
  Duration backoff_max{5000};
  // Give up (kUnavailable, rows stay pending, `sondeo sms run` resumes) after the gateway has
  // accepted nothing for this long. Zero = never.
  Duration max_outage{std::chrono::minutes(10)};
  // Do not wait for a start time or legal hours further away than this; return instead
  // (the blast stays scheduled). Zero = never wait.
  Duration max_wait{std::chrono::hours(24 * 8)};
  // Legal hours (Ley 2300 de 2023 art. 3) with Colombian holidays, America/Bogota.
  campaigns::Calendar calendar = LegalSmsCalendar();
  // Asked before each claim and after each wait: true stops the send (requests in flight
  // are finished and recorded; the blast keeps its place). Empty = never.
  std::function<bool()> stop;
};

struct SendReport {
  int64_t blast_id = 0;
  int sent = 0;
  int failed = 0;               // rejected by the gateway (4xx): not billed
  int uncertain = 0;            // may or may not have gone out; never resent
  int recovered_uncertain = 0;  // of those, rows found in 'sending' at start (a crash)
  int retries = 0;              // retryable failures (5xx, timeouts before sending, refused)
  int pending = 0;              // left pending (outage or waiting)
  bool done = false;
  std::string waiting_until;  // when it returned to wait (UTC), empty otherwise
};

using Sleeper = std::function<void(Duration)>;

// Sends one blast's pending rows. Waits (through `sleep`) until the blast's time and inside
// legal hours; on a gateway outage it backs off and keeps its place. A batch with any
// retryable failure (5xx, 408/429, timeout before sending) is followed by a backoff
// (doubling up to backoff_max; a clean batch resets it), never by an immediate retry.
Result<SendReport> RunBlast(store::Db& db, int64_t blast_id, HttpGateway& gateway, Clock& clock,
                            const Sleeper& sleep, const SenderOptions& options = {});
// Every unfinished blast, oldest scheduled first.
Result<std::vector<int64_t>> UnfinishedBlasts(store::Db& db);

// ---------------------------------------------------------------------------------------
// Delivery reports and inbound messages (called by `sondeo serve`'s HTTP endpoints)

enum class DlrState { kPending, kDelivered, kFailed, kExpired };
std::string_view DlrStateName(DlrState s);
// Kannel's %d: 1 delivered, 2 failed, 4 buffered (pending), 8 SMSC ack (pending), 16 SMSC
// reject (failed). An SMPP receipt in %A with stat:EXPIRED -> expired, stat:UNDELIV /
// REJECTD / DELETED -> failed. Pure.
DlrState MapKannelDlr(int status, std::string_view answer);
// Applies a report to the row with that idempotency key. A final state (delivered, failed,
// expired) is never replaced by pending. kNotFound for an unknown key.
Status ApplyDlr(store::Db& db, std::string_view key, int kannel_status, std::string_view answer,
                TimePoint at);

// True when the text asks to stop messages: "NO", "SALIR", "STOP" (also "Stop.", " salir ",
// "No!"), case- and accent-insensitive. Pure.
bool IsOptOut(std::string_view text);
// "+57..." from "57300...", "300...", "+57 300 ..." (digits only otherwise, with a '+').
std::string NormalizeMsisdn(std::string_view from);
// Records an inbound message; when it is an opt-out, adds the phone to `suppressions`
// (kind 'phone') and audits it. Returns true for an opt-out.
Result<bool> ApplyMo(store::Db& db, std::string_view from, std::string_view text, TimePoint at);

}  // namespace sondeo::dialer
