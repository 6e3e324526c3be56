#pragma once
// One dialing process per campaign. `sondeo serve` and `sondeo simulate` take a lease on the
// campaign (table campaign_leases) before their engine dials: the owner (kind, host, pid and
// the pid's start time), a heartbeat and an expiry. Another process is refused with one clear
// error while the lease is held. A lease is taken over when it expired, or at once when its
// owner is on this host and no longer alive (a kill -9: the pid is gone, a zombie, or reused
// by a process that started at another time), so a restarted serve dials again immediately.
// The same process (same host, pid and start) re-takes its own lease.
//
// Times are wall-clock Unix milliseconds (never a simulation's virtual clock).
#include <cstdint>
#include <optional>
#include <string>

#include "common/status.h"
#include "store/db.h"

namespace sondeo::dialer {

struct LeaseOwner {
  std::string kind;  // "serve" | "simulate"
  std::string host;
  int64_t pid = 0;
  int64_t start = 0;  // the process's start time (clock ticks since boot), 0 when unknown
  bool operator==(const LeaseOwner&) const = default;
};

struct LeaseRow {
  LeaseOwner owner;
  int64_t acquired_ms = 0;
  int64_t heartbeat_ms = 0;
  int64_t expires_ms = 0;
};

enum class LeaseVerdict {
  kFree,       // no lease: take it
  kOurs,       // this very process holds it: renew
  kExpired,    // no heartbeat until the expiry: take it over
  kOwnerDead,  // the owner was on this host and is gone: take it over at once
  kHeld,       // another live owner: refuse
};

// Pure. `owner_alive` says whether row->owner is still running (only consulted when it is
// on `me.host`; another host's owner is presumed alive until the lease expires).
LeaseVerdict DecideLease(const std::optional<LeaseRow>& row, const LeaseOwner& me, int64_t now_ms,
                         bool owner_alive);

// This process as a lease owner of `kind`.
LeaseOwner ThisProcess(const std::string& kind);
// Whether `owner` (on this host) is running: /proc/PID/stat exists, is not a zombie, and
// its start time matches.
bool OwnerAlive(const LeaseOwner& owner);

// Takes or renews the campaign's lease for `ttl_ms` (one transaction). kFailedPrecondition,
// with who holds it and until when, when another live process does.
Status AcquireLease(store::Db& db, const std::string& campaign, const LeaseOwner& me,
                    int64_t now_ms, int64_t ttl_ms);
// Renews our lease; kFailedPrecondition when it is no longer ours (taken over meanwhile).
Status RenewLease(store::Db& db, const std::string& campaign, const LeaseOwner& me, int64_t now_ms,
                  int64_t ttl_ms);
// Gives the lease up (no-op when it is not ours).
Status ReleaseLease(store::Db& db, const std::string& campaign, const LeaseOwner& me);
// The same lease on an activity that is not a campaign's dialing (table sender_leases).
// "sms": the one SMS sender of a database (serve's scheduler, or `sms send|run`), so two
// senders never take each other's in-flight messages for a crash's.
Status AcquireNamedLease(store::Db& db, const std::string& name, const LeaseOwner& me,
                         int64_t now_ms, int64_t ttl_ms);
Status ReleaseNamedLease(store::Db& db, const std::string& name, const LeaseOwner& me);
// The SMS sender's lease lasts long enough for a long rate-limited blast without renewal; a
// sender killed on this host is still replaced at once (its pid is gone).
inline constexpr int64_t kSmsSenderLeaseTtlMs = int64_t{6} * 3600 * 1000;
// Wall-clock now, for leases.
int64_t LeaseNowMs();

}  // namespace sondeo::dialer
