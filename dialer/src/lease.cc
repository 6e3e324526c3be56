#include "dialer/lease.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "common/log.h"

namespace sondeo::dialer {
namespace {

// Fields 3 (state) and 22 (starttime) of /proc/PID/stat; the command name (field 2) may
// hold spaces and parentheses, so parsing starts after its last ')'.
bool ReadStat(int64_t pid, char* state, int64_t* start) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  if (!in) return false;
  std::ostringstream all;
  all << in.rdbuf();
  const std::string text = all.str();
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(text.substr(close + 1));
  std::string field;
  int index = 2;
  while (rest >> field) {
    ++index;
    if (index == 3 && !field.empty()) *state = field[0];
    if (index == 22) {
      *start = std::stoll(field);
      return true;
    }
  }
  return false;
}

std::string Describe(const LeaseRow& r, int64_t now_ms) {
  const int64_t ago = std::max<int64_t>(0, (now_ms - r.heartbeat_ms) / 1000);
  const int64_t left = std::max<int64_t>(0, (r.expires_ms - now_ms + 999) / 1000);
  return "sondeo " + r.owner.kind + " (pid " + std::to_string(r.owner.pid) + " en " + r.owner.host +
         ", último latido hace " + std::to_string(ago) + " s, la concesión vence en " +
         std::to_string(left) + " s)";
}

// Where a lease lives: a campaign's dialing (campaign_leases) or a named activity such as the
// SMS sender (sender_leases). Both tables have the same owner columns.
struct Scope {
  const char* table;
  const char* key_column;
  std::string key;
  std::string what;  // for messages: "la campaña X", "el envío de SMS"
  std::string held;  // "<what> ya la está marcando <owner>"
  std::string hint;  // what to do about it
};
Scope CampaignScope(const std::string& campaign) {
  return {"campaign_leases",
          "campaign_id",
          campaign,
          "la campaña " + campaign,
          " ya la está marcando ",
          "; deténgalo antes de marcar desde otro proceso"};
}
Scope NamedScope(const std::string& name) {
  return {"sender_leases",
          "name",
          name,
          name == "sms" ? "el envío de SMS" : name,
          " ya lo hace ",
          "; deténgalo antes de enviar desde otro proceso"};
}

Result<std::optional<LeaseRow>> Load(store::Db& db, const Scope& scope) {
  auto st =
      db.Prepare(std::string("SELECT owner_kind, owner_host, owner_pid, owner_start, acquired_ms,"
                             " heartbeat_ms, expires_ms FROM ") +
                 scope.table + " WHERE " + scope.key_column + " = ?");
  if (!st) return st.error();
  st->Bind(1, scope.key);
  auto row = st->Step();
  if (!row) return row.error();
  if (!*row) return std::optional<LeaseRow>();
  LeaseRow r;
  r.owner.kind = st->Text(0);
  r.owner.host = st->Text(1);
  r.owner.pid = st->Int(2);
  r.owner.start = st->Int(3);
  r.acquired_ms = st->Int(4);
  r.heartbeat_ms = st->Int(5);
  r.expires_ms = st->Int(6);
  return std::optional<LeaseRow>(r);
}

}  // namespace

LeaseVerdict DecideLease(const std::optional<LeaseRow>& row, const LeaseOwner& me, int64_t now_ms,
                         bool owner_alive) {
  if (!row) return LeaseVerdict::kFree;
  const LeaseOwner& o = row->owner;
  if (o.host == me.host && o.pid == me.pid && o.start == me.start) return LeaseVerdict::kOurs;
  if (now_ms >= row->expires_ms) return LeaseVerdict::kExpired;
  if (o.host == me.host && !owner_alive) return LeaseVerdict::kOwnerDead;
  return LeaseVerdict::kHeld;
}

LeaseOwner ThisProcess(const std::string& kind) {
  LeaseOwner me;
  me.kind = kind;
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) == 0) me.host = host;
  me.pid = getpid();
  char state = 0;
  if (!ReadStat(me.pid, &state, &me.start)) me.start = 0;
  return me;
}

bool OwnerAlive(const LeaseOwner& owner) {
  char state = 0;
  int64_t start = 0;
  if (!ReadStat(owner.pid, &state, &start)) return false;
  if (state == 'Z' || state == 'X' || state == 'x') return false;
  return owner.start == 0 || start == owner.start;
}

int64_t LeaseNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

Status Acquire(store::Db& db, const Scope& scope, const LeaseOwner& me, int64_t now_ms,
               int64_t ttl_ms) {
  auto t = store::Transaction::Begin(db);
  if (!t) return t.error();
  auto row = Load(db, scope);
  if (!row) return row.error();
  const bool alive = *row && (*row)->owner.host == me.host && OwnerAlive((*row)->owner);
  const LeaseVerdict v = DecideLease(*row, me, now_ms, alive);
  if (v == LeaseVerdict::kHeld) {
    return Status::FailedPrecondition(scope.what + scope.held + Describe(**row, now_ms) +
                                      scope.hint);
  }
  if (v == LeaseVerdict::kExpired || v == LeaseVerdict::kOwnerDead) {
    log::Warn("{}: se retoma la concesión de {} ({})", scope.what, Describe(**row, now_ms),
              v == LeaseVerdict::kOwnerDead ? "el proceso ya no existe" : "venció");
  }
  const std::string k = scope.key_column;
  auto st = db.Prepare(
      std::string("INSERT INTO ") + scope.table + " (" + k +
      ", owner_kind, owner_host, owner_pid, owner_start, acquired_ms, heartbeat_ms, expires_ms)"
      " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(" +
      k +
      ") DO UPDATE SET owner_kind = excluded.owner_kind,"
      " owner_host = excluded.owner_host, owner_pid = excluded.owner_pid,"
      " owner_start = excluded.owner_start,"
      " acquired_ms = CASE WHEN ? THEN acquired_ms ELSE excluded.acquired_ms END,"
      " heartbeat_ms = excluded.heartbeat_ms, expires_ms = excluded.expires_ms");
  if (!st) return st.error();
  st->Bind(1, scope.key)
      .Bind(2, me.kind)
      .Bind(3, me.host)
      .Bind(4, me.pid)
      .Bind(5, me.start)
      .Bind(6, now_ms)
      .Bind(7, now_ms)
      .Bind(8, now_ms + ttl_ms)
      .Bind(9, v == LeaseVerdict::kOurs ? 1 : 0);
  if (Status s = st->Run(); !s.ok()) return s;
  return t->Commit();
}

Status Release(store::Db& db, const Scope& scope, const LeaseOwner& me) {
  auto st = db.Prepare(std::string("DELETE FROM ") + scope.table + " WHERE " + scope.key_column +
                       " = ? AND owner_host = ? AND owner_pid = ? AND owner_start = ?");
  if (!st) return st.error();
  st->Bind(1, scope.key).Bind(2, me.host).Bind(3, me.pid).Bind(4, me.start);
  return st->Run();
}

}  // namespace

Status AcquireLease(store::Db& db, const std::string& campaign, const LeaseOwner& me,
                    int64_t now_ms, int64_t ttl_ms) {
  return Acquire(db, CampaignScope(campaign), me, now_ms, ttl_ms);
}

Status AcquireNamedLease(store::Db& db, const std::string& name, const LeaseOwner& me,
                         int64_t now_ms, int64_t ttl_ms) {
  return Acquire(db, NamedScope(name), me, now_ms, ttl_ms);
}

Status ReleaseNamedLease(store::Db& db, const std::string& name, const LeaseOwner& me) {
  return Release(db, NamedScope(name), me);
}

Status RenewLease(store::Db& db, const std::string& campaign, const LeaseOwner& me, int64_t now_ms,
                  int64_t ttl_ms) {
  auto st = db.Prepare(
      "UPDATE campaign_leases SET heartbeat_ms = ?, expires_ms = ? WHERE campaign_id = ?"
      " AND owner_host = ? AND owner_pid = ? AND owner_start = ?");
  if (!st) return st.error();
  st->Bind(1, now_ms).Bind(2, now_ms + ttl_ms).Bind(3, campaign).Bind(4, me.host);
  st->Bind(5, me.pid).Bind(6, me.start);
  if (Status s = st->Run(); !s.ok()) return s;
  if (db.Changes() == 0) {
    return Status::FailedPrecondition("la campaña " + campaign +
                                      ": la concesión de marcación ya no es de este proceso");
  }
  return Status::Ok();
}

Status ReleaseLease(store::Db& db, const std::string& campaign, const LeaseOwner& me) {
  return Release(db, CampaignScope(campaign), me);
}

}  // namespace sondeo::dialer
