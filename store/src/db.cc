#include "store/db.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <list>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include <sqlite3.h>

#include "common/log.h"
#include "store/src/coalescing_vfs.h"

namespace sondeo::store {
namespace {

// `what` prefixes the message ("sql: ..."; none when empty); `detail` replaces SQLite's own
// error text when given (sqlite3_exec's message).
Status FromSqlite(sqlite3* db, int rc, std::string_view what, const char* detail = nullptr) {
  const int primary = rc & 0xff;
  std::string msg(what);
  if (!msg.empty()) msg += ": ";
  if (detail != nullptr) {
    msg += detail;
  } else {
    msg += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  }
  switch (primary) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return Status::AlreadyExists(std::move(msg));
      }
      return Status::FailedPrecondition(std::move(msg));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Unavailable(msg + " (the database is in use by another process)");
    case SQLITE_FULL:
      return Status::ResourceExhausted(msg + " (disk full)");
    case SQLITE_IOERR: {
      // SQLite reports ENOSPC as SQLITE_FULL only on some paths; a write past the file size
      // limit (EFBIG) or the quota (EDQUOT) is SQLITE_IOERR_WRITE. All mean "no room".
      const int err = db != nullptr ? sqlite3_system_errno(db) : 0;
      if (err == ENOSPC || err == EFBIG || err == EDQUOT) {
        return Status::ResourceExhausted(msg + " (disk full: " + std::strerror(err) + ")");
      }
      // A cached statement's reset can report the failed write after errno moved on: a
      // refused write or truncate is still most likely a full disk.
      if (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_TRUNCATE || rc == SQLITE_IOERR_FSYNC) {
        return Status::ResourceExhausted(msg + " (disk full, or the disk refused a write)");
      }
      return Status::Internal(std::move(msg));
    }
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return Status::InvalidArgument(std::move(msg));
    default:
      return Status::Internal(std::move(msg));
  }
}

}  // namespace

// Idle compiled statements of one connection, keyed by their SQL text, least recently
// used first. Statements in use are not here: each Statement owns its sqlite3_stmt.
class StatementCache {
 public:
  explicit StatementCache(size_t capacity) : capacity_(capacity) {}
  ~StatementCache() { Close(); }
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  // An idle statement compiled from exactly `sql`, or null.
  sqlite3_stmt* Take(std::string_view sql) {
    auto it = index_.find(std::string(sql));
    if (it == index_.end()) return nullptr;
    sqlite3_stmt* stmt = it->second->second;
    lru_.erase(it->second);
    index_.erase(it);
    return stmt;
  }
  // Keeps `stmt` (already reset) for reuse, or finalizes it once the connection is closing.
  void Give(sqlite3_stmt* stmt) {
    if (closed_ || capacity_ == 0) {
      sqlite3_finalize(stmt);
      return;
    }
    if (lru_.size() >= capacity_) {  // evict the least recently used
      auto oldest = std::prev(lru_.end());
      for (auto [i, end] = index_.equal_range(oldest->first); i != end; ++i) {
        if (i->second == oldest) {
          index_.erase(i);
          break;
        }
      }
      sqlite3_finalize(oldest->second);
      lru_.erase(oldest);
    }
    lru_.emplace_front(sqlite3_sql(stmt), stmt);
    index_.emplace(lru_.front().first, lru_.begin());
  }
  // Finalizes every idle statement; later Give()s finalize at once.
  void Close() {
    closed_ = true;
    for (auto& [sql, stmt] : lru_) sqlite3_finalize(stmt);
    lru_.clear();
    index_.clear();
  }
  size_t size() const { return lru_.size(); }

 private:
  using Lru = std::list<std::pair<std::string, sqlite3_stmt*>>;
  size_t capacity_;
  bool closed_ = false;
  Lru lru_;
  std::unordered_multimap<std::string, Lru::iterator> index_;
};

void Db::Closer::operator()(sqlite3* db) const { sqlite3_close_v2(db); }

Db::Db(sqlite3* db, std::string path)
    : db_(db),
      path_(std::move(path)),
      cache_(std::make_shared<StatementCache>(kStatementCacheSize)) {}
// The cached statements are finalized before the connection closes (members go after this).
Db::~Db() { cache_->Close(); }

Result<std::unique_ptr<Db>> Db::Open(const std::string& path, const DbOptions& options) {
  // Before SQLite's first use in the process: no allocation statistics, whose global mutex
  // every sqlite3_malloc would take (nothing in sondeo reads them).
  static const bool configured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) == SQLITE_OK;
  (void)configured;
  int flags = options.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (options.create && !options.read_only) flags |= SQLITE_OPEN_CREATE;
  sqlite3* raw = nullptr;
  // Through the coalescing VFS (coalescing_vfs.h): a large commit's writes go out in large
  // pieces.
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, CoalescingVfsName());
  std::unique_ptr<Db> db(new Db(raw, path));
  if (rc != SQLITE_OK) {
    return Status::InvalidArgument("cannot open database '" + path + "': " +
                                   (raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)) +
                                   " (does its folder exist and is it writable?)");
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  // journal_mode=WAL is the first statement that reads the file: a non-database fails here.
  if (!options.read_only && path != ":memory:") {
    Status s = db->Exec("PRAGMA journal_mode=WAL");
    if (!s.ok()) {
      return Status(s.code() == StatusCode::kInternal ? StatusCode::kInvalidArgument : s.code(),
                    "cannot open database '" + path + "': " + s.message());
    }
  }
  Status s = db->Exec(options.durable ? "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL"
                                      : "PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL");
  if (!s.ok()) return Status(s.code(), "cannot open database '" + path + "': " + s.message());
  db->durable_ = options.durable && !options.read_only && path != ":memory:";
  if (options.read_only) return db;
  s = db->ApplyMigrations(options.migrations);
  if (!s.ok()) return s;
  return db;
}

Status Db::ApplyMigrations(const std::vector<Migration>& migrations) {
  auto tx = Transaction::Begin(*this);
  if (!tx) return tx.error();
  Status s = Exec(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " module TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,"
      " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
      " PRIMARY KEY (module, version))");
  if (!s.ok()) return s;

  std::map<std::string, int> known_max;
  for (const Migration& m : migrations) {
    known_max[m.module] = std::max(known_max[m.module], m.version);
  }
  std::map<std::string, int> applied;
  {
    auto st = Prepare("SELECT module, MAX(version) FROM schema_migrations GROUP BY module");
    if (!st) return st.error();
    while (true) {
      auto row = st->Step();
      if (!row) return row.error();
      if (!*row) break;
      applied[st->Text(0)] = static_cast<int>(st->Int(1));
    }
  }
  for (const auto& [module, version] : applied) {
    auto it = known_max.find(module);
    if (it != known_max.end() && version > it->second) {
      return Status::FailedPrecondition("database '" + path_ + "' has schema version " +
                                        std::to_string(version) + " of '" + module +
                                        "', newer than this sondeo knows (" +
                                        std::to_string(it->second) + "); upgrade sondeo");
    }
  }
  for (const Migration& m : migrations) {
    if (m.version <= applied[m.module]) continue;
    s = Exec(m.sql);
    if (!s.ok()) {
      return Status::FailedPrecondition("migration " + m.module + "/" + std::to_string(m.version) +
                                        " (" + m.name +
                                        ") failed, database left unchanged: " + s.message());
    }
    auto ins = Prepare("INSERT INTO schema_migrations(module, version, name) VALUES (?,?,?)");
    if (!ins) return ins.error();
    ins->Bind(1, m.module).Bind(2, m.version).Bind(3, m.name);
    s = ins->Run();
    if (!s.ok()) return s;
    applied[m.module] = m.version;
  }
  return tx->Commit();
}

Status Db::Exec(std::string_view sql) {
  std::string owned(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_.get(), owned.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    // Keeps the code's explanation (lock held by another process, disk full).
    return FromSqlite(db_.get(), rc, "", msg.c_str());
  }
  return Status::Ok();
}

Result<Statement> Db::Prepare(std::string_view sql) {
  if (sqlite3_stmt* cached = cache_->Take(sql); cached != nullptr) {
    return Statement(this, cached, cache_);
  }
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    return Status::InvalidArgument(std::string("cannot prepare SQL: ") + sqlite3_errmsg(db_.get()));
  }
  return Statement(this, stmt, cache_);
}

int64_t Db::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_.get()); }
int Db::Changes() const { return sqlite3_changes(db_.get()); }
std::string Db::LastError() const { return sqlite3_errmsg(db_.get()); }

Result<int> Db::SchemaVersion(std::string_view module) {
  auto st = Prepare("SELECT COALESCE(MAX(version),0) FROM schema_migrations WHERE module=?");
  if (!st) return st.error();
  st->Bind(1, module);
  auto row = st->Step();
  if (!row) return row.error();
  return static_cast<int>(st->Int(0));
}

// --- Statement ---

Statement::Statement(Statement&& o) noexcept
    : db_(std::exchange(o.db_, nullptr)),
      stmt_(std::exchange(o.stmt_, nullptr)),
      cache_(std::move(o.cache_)) {}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    Release();
    db_ = std::exchange(o.db_, nullptr);
    stmt_ = std::exchange(o.stmt_, nullptr);
    cache_ = std::move(o.cache_);
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (stmt_ == nullptr) return;
  sqlite3_stmt* stmt = std::exchange(stmt_, nullptr);
  if (cache_ == nullptr) {
    sqlite3_finalize(stmt);
    return;
  }
  // As good as new: no open read, no bindings. A failed step's error is not kept.
  sqlite3_reset(stmt);
  sqlite3_clear_bindings(stmt);
  cache_->Give(stmt);
  cache_.reset();
}

Statement& Statement::Bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, std::string_view value) {
  // A default-constructed view has no data pointer, which SQLite would bind as NULL: text
  // is text, even when empty.
  const char* data = value.data() != nullptr ? value.data() : "";
  sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}
Statement& Statement::BindStatic(int index, std::string_view value) {
  const char* data = value.data() != nullptr ? value.data() : "";
  sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_STATIC, SQLITE_UTF8);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return FromSqlite(db_->db_.get(), rc, "sql");
}

Status Statement::Run() {
  while (true) {
    auto r = Step();
    if (!r) {
      sqlite3_reset(stmt_);
      return r.error();
    }
    if (!*r) break;
  }
  sqlite3_reset(stmt_);
  return Status::Ok();
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::Rewind() { sqlite3_reset(stmt_); }

int Statement::ColumnCount() const { return sqlite3_column_count(stmt_); }
bool Statement::IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }
double Statement::Double(int col) const { return sqlite3_column_double(stmt_, col); }
std::string Statement::Text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  if (p == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(p),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}
std::optional<std::string> Statement::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}
std::optional<int64_t> Statement::OptInt(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Int(col);
}

// --- ScopedCacheSize ---

ScopedCacheSize::ScopedCacheSize(Db& db, int64_t bytes) : db_(&db) {
  auto st = db.Prepare("PRAGMA cache_size");
  if (!st) return;
  auto row = st->Step();
  if (!row || !*row) return;
  const int64_t previous = st->Int(0);
  st->Reset();
  // A negative cache_size is in KiB.
  if (db.Exec("PRAGMA cache_size = -" + std::to_string(std::max<int64_t>(bytes / 1024, 1))).ok()) {
    previous_ = previous;
  }
}

ScopedCacheSize::~ScopedCacheSize() {
  if (previous_) (void)db_->Exec("PRAGMA cache_size = " + std::to_string(*previous_));
}

// --- ScopedForeignKeysOff ---

ScopedForeignKeysOff::ScopedForeignKeysOff(Db& db) {
  // Inside a transaction the pragma is a no-op: say so rather than pretend.
  if (sqlite3_get_autocommit(db.db_.get()) == 0) return;
  auto st = db.Prepare("PRAGMA foreign_keys");
  if (!st.ok()) return;
  auto row = st->Step();
  if (!row.ok() || !*row || st->Int(0) == 0) return;
  st->Reset();
  if (db.Exec("PRAGMA foreign_keys=OFF").ok()) db_ = &db;
}

ScopedForeignKeysOff::~ScopedForeignKeysOff() {
  if (db_ == nullptr) return;
  if (Status s = db_->Exec("PRAGMA foreign_keys=ON"); !s.ok()) {
    log::Error("store: foreign_keys=ON could not be restored: {}", s.message());
  }
}

// --- Transaction ---

Result<Transaction> Transaction::Begin(Db& db) {
  Status s = db.Exec("BEGIN IMMEDIATE");
  if (!s.ok()) return s;
  return Transaction(&db);
}

Transaction::Transaction(Transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Transaction::~Transaction() {
  if (db_ != nullptr) (void)db_->Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (db_ == nullptr) return Status::FailedPrecondition("transaction already finished");
  Status s = db_->Exec("COMMIT");
  if (s.ok()) db_ = nullptr;
  return s;
}

// --- Audit ---

std::vector<Migration> Migrations() {
  return {
      {"store", 1, "audit log",
       "CREATE TABLE audit_log ("
       " id INTEGER PRIMARY KEY,"
       " at_ms INTEGER NOT NULL,"
       " actor TEXT NOT NULL,"
       " action TEXT NOT NULL,"
       " detail TEXT NOT NULL DEFAULT '');"
       "CREATE INDEX audit_log_at ON audit_log(at_ms);"},
  };
}

Status Audit(Db& db, std::string_view actor, std::string_view action, std::string_view detail,
             int64_t at_unix_ms) {
  auto st = db.Prepare("INSERT INTO audit_log(at_ms, actor, action, detail) VALUES (?,?,?,?)");
  if (!st) return st.error();
  st->Bind(1, at_unix_ms).Bind(2, actor).Bind(3, action).Bind(4, Redact(detail));
  return st->Run();
}

DeferredSync::DeferredSync(Db& db) {
  // Inside a transaction the setting would not apply to its commit: only outside one.
  if (!db.durable_ || sqlite3_get_autocommit(db.db_.get()) == 0) return;
  if (db.Exec("PRAGMA synchronous=NORMAL").ok()) db_ = &db;
}

DeferredSync::~DeferredSync() {
  if (db_ == nullptr) return;
  if (Status s = db_->Exec("PRAGMA synchronous=FULL"); !s.ok()) {
    log::Error("store: synchronous=FULL could not be restored: {}", s.message());
  }
}

}  // namespace sondeo::store
