#pragma once
// store: the only code that talks to SQLite. A Db owns one connection; Statement and
// Transaction are RAII wrappers. Not thread-safe: one Db per thread (SQLite connections
// are not shared across threads in sondeo; open another Db instead).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace sondeo::store {

// One schema step of one module. Modules own their tables: each exposes its list
// (e.g. campaigns::Migrations()) and the composition root passes them all to Db::Open.
struct Migration {
  std::string module;  // "store", "campaigns", "surveys", ...
  int version;         // 1, 2, 3... within the module, applied in increasing order
  std::string name;    // short description, recorded in schema_migrations
  std::string sql;     // one or more statements
};

struct DbOptions {
  // Milliseconds SQLite waits on a locked database before SQLITE_BUSY. Default 5000.
  int busy_timeout_ms = 5000;
  // Open read-only (reports). Migrations are then only checked, never applied.
  bool read_only = false;
  // Create the file when missing. Default true.
  bool create = true;
  // synchronous=FULL (default): a committed transaction survives a power cut, so whatever is
  // acknowledged after a commit (an answer, a disposition, a sent SMS) is on disk. false gives
  // synchronous=NORMAL (still safe against process crashes in WAL mode): for virtual-time
  // simulations and benchmarks only.
  bool durable = true;
  // Migrations to apply on open, in the order given (dependencies first).
  std::vector<Migration> migrations;
};

class Statement;
class StatementCache;

class Db {
 public:
  // Opens (or creates) the database at `path` (":memory:" for an in-memory one), sets WAL,
  // the busy timeout and foreign keys, and applies all pending migrations in ONE transaction:
  // if any migration fails, the database is left exactly as it was.
  // Errors: kInvalidArgument (cannot open/create the path: missing folder, not a database),
  // kFailedPrecondition (a migration failed, or the file is newer than this program),
  // kUnavailable (locked by another process past the busy timeout).
  static Result<std::unique_ptr<Db>> Open(const std::string& path, const DbOptions& options = {});

  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs one or more statements without results.
  Status Exec(std::string_view sql);
  // Prepares a statement. kInvalidArgument on SQL errors (with SQLite's message).
  // Statements are cached per connection: when a Statement is destroyed its compiled form
  // is reset, its bindings cleared and it is kept (up to kStatementCacheSize, least recently
  // used first out), so preparing the same SQL again costs a hash lookup, not a compile.
  Result<Statement> Prepare(std::string_view sql);
  static constexpr size_t kStatementCacheSize = 64;

  int64_t LastInsertRowId() const;
  int Changes() const;
  const std::string& path() const { return path_; }

  // The applied version of `module` (0 when none).
  Result<int> SchemaVersion(std::string_view module);

  // A short description of SQLite's last error on this connection.
  std::string LastError() const;

 private:
  Db(sqlite3* db, std::string path);
  Status ApplyMigrations(const std::vector<Migration>& migrations);

  struct Closer {
    void operator()(sqlite3* db) const;
  };
  std::unique_ptr<sqlite3, Closer> db_;
  std::string path_;
  bool durable_ = false;  // synchronous=FULL (DbOptions::durable) on a WAL file
  // Shared with the statements handed out, so one that outlives its Db finalizes itself.
  std::shared_ptr<StatementCache> cache_;
  friend class Statement;
  friend class Transaction;
  friend class DeferredSync;
  friend class ScopedForeignKeysOff;
};

// A prepared statement. Bind parameters are 1-based, as in SQLite.
class Statement {
 public:
  Statement(Statement&&) noexcept;
  Statement& operator=(Statement&&) noexcept;
  ~Statement();

  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value) { return Bind(index, static_cast<int64_t>(value)); }
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, const char* value) { return Bind(index, std::string_view(value)); }
  Statement& Bind(int index, const std::string& value) {
    return Bind(index, std::string_view(value));
  }
  Statement& BindNull(int index);
  // Binds text without copying it: SQLite reads the bytes when the statement next steps, so
  // they must stay valid and unchanged until then (for bulk inserts of text that outlives
  // the statement's run; Bind copies).
  Statement& BindStatic(int index, std::string_view value);
  template <typename T>
  Statement& Bind(int index, const std::optional<T>& value) {
    if (value) return Bind(index, *value);
    return BindNull(index);
  }

  // Advances: true when a row is available, false when done. Errors: kAlreadyExists for a
  // constraint violation, kUnavailable when busy/locked, kResourceExhausted when the disk
  // is full, kInternal otherwise.
  Result<bool> Step();
  // Runs a statement that returns no rows (Step until done).
  Status Run();
  // Resets for reuse with new bindings (bindings are cleared).
  void Reset();
  // Resets for reuse keeping the bindings: for a statement whose every parameter is bound
  // again before each run (clearing hundreds of parameters is not free).
  void Rewind();

  int ColumnCount() const;
  bool IsNull(int col) const;
  int64_t Int(int col) const;
  double Double(int col) const;
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<int64_t> OptInt(int col) const;

 private:
  friend class Db;
  Statement(Db* db, sqlite3_stmt* stmt, std::shared_ptr<StatementCache> cache)
      : db_(db), stmt_(stmt), cache_(std::move(cache)) {}
  // Gives the compiled statement back to the cache (or finalizes it).
  void Release();
  Db* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
  std::shared_ptr<StatementCache> cache_;
};

// Sets the connection's page cache to `bytes` for a bulk load (a large transaction with a
// small cache spills and re-reads pages); the previous size is restored on destruction.
class ScopedCacheSize {
 public:
  ScopedCacheSize(Db& db, int64_t bytes);
  ~ScopedCacheSize();
  ScopedCacheSize(const ScopedCacheSize&) = delete;
  ScopedCacheSize& operator=(const ScopedCacheSize&) = delete;

 private:
  Db* db_;
  std::optional<int64_t> previous_;  // PRAGMA cache_size as it was
};

// Turns foreign-key enforcement off for a bulk load whose references the loader builds itself
// in the same transaction (each checked row costs a B-tree lookup of its parent: about half
// of SQLite's insert work for the contacts and phones of a base). Must be made outside a
// transaction, where the setting applies; restores enforcement on destruction.
class ScopedForeignKeysOff {
 public:
  explicit ScopedForeignKeysOff(Db& db);
  ~ScopedForeignKeysOff();
  ScopedForeignKeysOff(const ScopedForeignKeysOff&) = delete;
  ScopedForeignKeysOff& operator=(const ScopedForeignKeysOff&) = delete;

 private:
  Db* db_ = nullptr;  // null when there is nothing to restore
};

// BEGIN IMMEDIATE on construction; rolls back on destruction unless Commit() succeeded.
class Transaction {
 public:
  static Result<Transaction> Begin(Db& db);
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();
  Status Commit();

 private:
  explicit Transaction(Db* db) : db_(db) {}
  Db* db_ = nullptr;  // null once committed or rolled back
};

// While one is alive, commits on a durable connection skip their fsync (WAL with
// synchronous=NORMAL): they reach the disk with the connection's next synchronous commit,
// which syncs the whole WAL, earlier frames included. For writes that such a commit always
// follows before anything in them is acknowledged (a durable record written in steps, the
// last of which commits normally). A no-op on a connection opened without `durable`.
class DeferredSync {
 public:
  explicit DeferredSync(Db& db);
  ~DeferredSync();
  DeferredSync(const DeferredSync&) = delete;
  DeferredSync& operator=(const DeferredSync&) = delete;

 private:
  Db* db_ = nullptr;  // null when there is nothing to restore
};

// Records an audited action (logins, imports, exports, campaign start/pause, suppression
// changes). `detail` must not hold phone or document numbers.
Status Audit(Db& db, std::string_view actor, std::string_view action, std::string_view detail,
             int64_t at_unix_ms);

// The store module's own schema (schema_migrations is created by Db::Open itself).
std::vector<Migration> Migrations();

}  // namespace sondeo::store
