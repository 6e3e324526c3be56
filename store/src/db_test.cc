#include "store/db.h"

#include <filesystem>
#include <optional>

#include <gtest/gtest.h>

#include "tests/testutil/testutil.h"

namespace sondeo::store {
namespace {

using sondeo::testing::TempDir;

std::vector<Migration> V1() {
  return {
      {"demo", 1, "people", "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"}};
}

std::vector<Migration> V2() {
  auto m = V1();
  m.push_back({"demo", 2, "phones",
               "ALTER TABLE people ADD COLUMN municipio TEXT;"
               "CREATE TABLE phones (id INTEGER PRIMARY KEY,"
               " person_id INTEGER NOT NULL REFERENCES people(id), e164 TEXT NOT NULL UNIQUE);"});
  return m;
}

int Count(Db& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  EXPECT_TRUE(st.ok()) << st.status().ToString();
  auto row = st->Step();
  EXPECT_TRUE(row.ok() && *row);
  return static_cast<int>(st->Int(0));
}

bool HasTable(Db& db, const std::string& name) {
  return Count(db, "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name='" + name +
                       "'") == 1;
}

TEST(DbTest, OpenSetsWalForeignKeysAndBusyTimeout) {
  TempDir dir;
  DbOptions opts;
  opts.busy_timeout_ms = 1234;
  auto db = Db::Open(dir.File("a.db"), opts);
  ASSERT_OK(db);
  auto st = (*db)->Prepare("PRAGMA journal_mode");
  ASSERT_OK(st);
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->Text(0), "wal");
  EXPECT_EQ(Count(**db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(Count(**db, "PRAGMA busy_timeout"), 1234);
  EXPECT_EQ(Count(**db, "PRAGMA synchronous"), 2);  // FULL: acknowledged means on disk
  EXPECT_TRUE(HasTable(**db, "schema_migrations"));
}

TEST(DbTest, DeferredSyncSkipsTheFsyncOnlyInItsScope) {
  TempDir dir;
  auto db = Db::Open(dir.File("d.db"));
  ASSERT_OK(db);
  ASSERT_OK((*db)->Exec("CREATE TABLE t (x INTEGER)"));
  {
    DeferredSync defer(**db);
    EXPECT_EQ(Count(**db, "PRAGMA synchronous"), 1);  // NORMAL: no fsync at commit
    ASSERT_OK((*db)->Exec("INSERT INTO t VALUES (1)"));
  }
  EXPECT_EQ(Count(**db, "PRAGMA synchronous"), 2);  // FULL again
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM t"), 1);
  // Inside a transaction it changes nothing (the setting would not reach that commit).
  auto txn = Transaction::Begin(**db);
  ASSERT_OK(txn);
  {
    DeferredSync defer(**db);
    EXPECT_EQ(Count(**db, "PRAGMA synchronous"), 2);
  }
  ASSERT_OK(txn->Commit());
  EXPECT_EQ(Count(**db, "PRAGMA synchronous"), 2);
  // On a connection that is not durable it is a no-op too.
  DbOptions opts;
  opts.durable = false;
  auto fast = Db::Open(dir.File("f.db"), opts);
  ASSERT_OK(fast);
  { DeferredSync defer(**fast); }
  EXPECT_EQ(Count(**fast, "PRAGMA synchronous"), 1);
}

TEST(DbTest, ScopedForeignKeysOffOnlyInItsScope) {
  TempDir dir;
  auto db = Db::Open(dir.File("k.db"), DbOptions{.migrations = V2()});
  ASSERT_OK(db);
  {
    ScopedForeignKeysOff off(**db);
    EXPECT_EQ(Count(**db, "PRAGMA foreign_keys"), 0);
    // A dangling reference goes in while it is alive...
    ASSERT_OK((*db)->Exec("INSERT INTO phones(person_id, e164) VALUES (7, '+573001112233')"));
  }
  EXPECT_EQ(Count(**db, "PRAGMA foreign_keys"), 1);
  // ...and not after it.
  EXPECT_FALSE((*db)->Exec("INSERT INTO phones(person_id, e164) VALUES (8, '+573001112234')").ok());
  // Inside a transaction the pragma would do nothing: the guard leaves it alone.
  auto txn = Transaction::Begin(**db);
  ASSERT_OK(txn);
  {
    ScopedForeignKeysOff off(**db);
    EXPECT_EQ(Count(**db, "PRAGMA foreign_keys"), 1);
  }
  ASSERT_OK(txn->Commit());
  EXPECT_EQ(Count(**db, "PRAGMA foreign_keys"), 1);
}

TEST(DbTest, NotDurableIsSynchronousNormal) {
  TempDir dir;
  DbOptions opts;
  opts.durable = false;
  auto db = Db::Open(dir.File("a.db"), opts);
  ASSERT_OK(db);
  EXPECT_EQ(Count(**db, "PRAGMA synchronous"), 1);
}

TEST(DbTest, MissingFolderIsAClearUserError) {
  auto db = Db::Open("/nonexistent/dir/x.db");
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(db.error().message().find("/nonexistent/dir/x.db"), std::string::npos);
}

TEST(DbTest, NotADatabaseIsAClearUserError) {
  TempDir dir;
  sondeo::testing::WriteFile(dir.File("junk.db"), std::string(8192, 'x'));
  auto db = Db::Open(dir.File("junk.db"));
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code(), StatusCode::kInvalidArgument) << db.error().ToString();
}

TEST(DbTest, MigrationsApplyOnceAndAreIdempotent) {
  TempDir dir;
  DbOptions opts;
  opts.migrations = V1();
  {
    auto db = Db::Open(dir.File("m.db"), opts);
    ASSERT_OK(db);
    EXPECT_EQ(*(*db)->SchemaVersion("demo"), 1);
    ASSERT_OK((*db)->Exec("INSERT INTO people(name) VALUES ('Ana')"));
  }
  auto db = Db::Open(dir.File("m.db"), opts);
  ASSERT_OK(db);
  EXPECT_EQ(*(*db)->SchemaVersion("demo"), 1);
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM schema_migrations WHERE module='demo'"), 1);
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM people"), 1);
}

TEST(DbTest, UpgradesFromAnOlderSchemaKeepingData) {
  TempDir dir;
  DbOptions v1;
  v1.migrations = V1();
  {
    auto db = Db::Open(dir.File("u.db"), v1);
    ASSERT_OK(db);
    ASSERT_OK((*db)->Exec("INSERT INTO people(name) VALUES ('Ana'), ('Luis')"));
  }
  DbOptions v2;
  v2.migrations = V2();
  auto db = Db::Open(dir.File("u.db"), v2);
  ASSERT_OK(db);
  EXPECT_EQ(*(*db)->SchemaVersion("demo"), 2);
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM people"), 2);
  EXPECT_TRUE(HasTable(**db, "phones"));
  ASSERT_OK((*db)->Exec("INSERT INTO phones(person_id, e164) VALUES (1, '+573001112233')"));
}

TEST(DbTest, FailedMigrationLeavesDatabaseUntouched) {
  TempDir dir;
  DbOptions v1;
  v1.migrations = V1();
  {
    auto db = Db::Open(dir.File("f.db"), v1);
    ASSERT_OK(db);
    ASSERT_OK((*db)->Exec("INSERT INTO people(name) VALUES ('Ana')"));
  }
  const auto size_before = std::filesystem::file_size(dir.File("f.db"));
  DbOptions broken;
  broken.migrations = V2();  // v2 succeeds on its own...
  broken.migrations.push_back({"demo", 3, "broken", "CREATE TABLE extra (x); SELEC nonsense;"});
  auto db = Db::Open(dir.File("f.db"), broken);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(db.error().message().find("demo/3"), std::string::npos) << db.error().message();

  // ...but it ran in the same transaction as v3, so neither is there.
  auto again = Db::Open(dir.File("f.db"), v1);
  ASSERT_OK(again);
  EXPECT_EQ(*(*again)->SchemaVersion("demo"), 1);
  EXPECT_FALSE(HasTable(**again, "phones"));
  EXPECT_FALSE(HasTable(**again, "extra"));
  EXPECT_EQ(Count(**again, "SELECT COUNT(*) FROM people"), 1);
  EXPECT_GT(size_before, 0u);
}

TEST(DbTest, RefusesADatabaseNewerThanTheProgram) {
  TempDir dir;
  DbOptions v2;
  v2.migrations = V2();
  ASSERT_OK(Db::Open(dir.File("n.db"), v2));
  DbOptions v1;
  v1.migrations = V1();
  auto db = Db::Open(dir.File("n.db"), v1);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.error().code(), StatusCode::kFailedPrecondition);
}

TEST(TransactionTest, RollsBackUnlessCommitted) {
  TempDir dir;
  DbOptions opts;
  opts.migrations = V1();
  auto db = Db::Open(dir.File("t.db"), opts);
  ASSERT_OK(db);
  {
    auto tx = Transaction::Begin(**db);
    ASSERT_OK(tx);
    ASSERT_OK((*db)->Exec("INSERT INTO people(name) VALUES ('Ana')"));
  }
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM people"), 0);
  {
    auto tx = Transaction::Begin(**db);
    ASSERT_OK(tx);
    ASSERT_OK((*db)->Exec("INSERT INTO people(name) VALUES ('Luis')"));
    ASSERT_OK(tx->Commit());
    EXPECT_FALSE(tx->Commit().ok());
  }
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM people"), 1);
}

TEST(StatementTest, BindsAndReadsEveryType) {
  auto db = Db::Open(":memory:");
  ASSERT_OK(db);
  ASSERT_OK((*db)->Exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n TEXT)"));
  auto ins = (*db)->Prepare("INSERT INTO t VALUES (?,?,?,?)");
  ASSERT_OK(ins);
  ins->Bind(1, int64_t{9'000'000'000}).Bind(2, 2.5).Bind(3, "Colosó").BindNull(4);
  ASSERT_OK(ins->Run());
  auto sel = (*db)->Prepare("SELECT i, d, s, n FROM t");
  ASSERT_OK(sel);
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->Int(0), 9'000'000'000);
  EXPECT_DOUBLE_EQ(sel->Double(1), 2.5);
  EXPECT_EQ(sel->Text(2), "Colosó");
  EXPECT_FALSE(sel->OptText(3).has_value());
  EXPECT_FALSE(*sel->Step());
}

// An empty view (even one without a data pointer) is empty text, not NULL.
TEST(StatementTest, EmptyViewBindsEmptyText) {
  auto db = Db::Open(":memory:");
  ASSERT_OK(db);
  ASSERT_OK((*db)->Exec("CREATE TABLE t (s TEXT NOT NULL)"));
  auto ins = (*db)->Prepare("INSERT INTO t VALUES (?)");
  ASSERT_OK(ins);
  ins->Bind(1, std::string_view());
  ASSERT_OK(ins->Run());
  auto sel = (*db)->Prepare("SELECT s IS NULL, length(s) FROM t");
  ASSERT_OK(sel);
  ASSERT_TRUE(*sel->Step());
  EXPECT_EQ(sel->Int(0), 0);
  EXPECT_EQ(sel->Int(1), 0);
}

// BindStatic reads the caller's bytes when the statement steps; Rewind keeps every
// binding for the next run, Reset clears them.
TEST(StatementTest, BindStaticAndRewindKeepBindings) {
  auto db = Db::Open(":memory:");
  ASSERT_OK(db);
  ASSERT_OK((*db)->Exec("CREATE TABLE t (s TEXT, e TEXT, n INTEGER)"));
  auto ins = (*db)->Prepare("INSERT INTO t VALUES (?,?,?)");
  ASSERT_OK(ins);
  std::string text = "Lorica";
  ins->BindStatic(1, text).BindStatic(2, std::string_view()).Bind(3, 7);
  text[0] = 'l';  // read at the step, not at the bind
  ASSERT_OK(ins->Run());
  ins->Rewind();
  ASSERT_OK(ins->Run());  // the same bindings again
  ins->Reset();
  ASSERT_OK(ins->Run());  // cleared: all NULL
  auto sel = (*db)->Prepare("SELECT s, e IS NULL, length(e), n FROM t ORDER BY rowid");
  ASSERT_OK(sel);
  for (int row = 0; row < 2; ++row) {
    ASSERT_TRUE(*sel->Step());
    EXPECT_EQ(sel->Text(0), "lorica");
    EXPECT_EQ(sel->Int(1), 0);  // an empty view is empty text
    EXPECT_EQ(sel->Int(2), 0);
    EXPECT_EQ(sel->Int(3), 7);
  }
  ASSERT_TRUE(*sel->Step());
  EXPECT_FALSE(sel->OptText(0).has_value());
  EXPECT_FALSE(sel->OptInt(3).has_value());
  EXPECT_FALSE(*sel->Step());
}

TEST(StatementTest, ConstraintViolationIsAlreadyExists) {
  auto db = Db::Open(":memory:");
  ASSERT_OK(db);
  ASSERT_OK((*db)->Exec("CREATE TABLE k (key TEXT PRIMARY KEY)"));
  ASSERT_OK((*db)->Exec("INSERT INTO k VALUES ('a')"));
  auto ins = (*db)->Prepare("INSERT INTO k VALUES ('a')");
  ASSERT_OK(ins);
  Status s = ins->Run();
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
}

TEST(StatementTest, BadSqlIsInvalidArgument) {
  auto db = Db::Open(":memory:");
  ASSERT_OK(db);
  auto st = (*db)->Prepare("SELEC 1");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code(), StatusCode::kInvalidArgument);
}

TEST(DbTest, LockedDatabaseGivesBoundedWaitThenUnavailable) {
  TempDir dir;
  DbOptions opts;
  opts.migrations = V1();
  opts.busy_timeout_ms = 100;
  auto a = Db::Open(dir.File("l.db"), opts);
  ASSERT_OK(a);
  auto tx = Transaction::Begin(**a);  // holds the write lock
  ASSERT_OK(tx);
  auto b = Db::Open(dir.File("l.db"), opts);
  // Opening needs the write lock to check migrations: it waits 100 ms, then gives up cleanly.
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().code(), StatusCode::kUnavailable) << b.error().ToString();
}

TEST(AuditTest, RecordsActionsWithoutNumbers) {
  DbOptions opts;
  opts.migrations = Migrations();
  auto db = Db::Open(":memory:", opts);
  ASSERT_OK(db);
  ASSERT_OK(Audit(**db, "ana", "suppress", "added 3001234567", 1000));
  auto st = (*db)->Prepare("SELECT actor, action, detail, at_ms FROM audit_log");
  ASSERT_OK(st);
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->Text(0), "ana");
  EXPECT_EQ(st->Text(1), "suppress");
  EXPECT_EQ(st->Text(2), "added [redactado]");
  EXPECT_EQ(st->Int(3), 1000);
}

TEST(StatementCacheTest, ReusedStatementStartsFresh) {
  TempDir dir;
  auto db = Db::Open(dir.File("c.db"));
  ASSERT_OK(db);
  {
    auto st = (*db)->Prepare("SELECT ?1");
    ASSERT_OK(st);
    st->Bind(1, int64_t{5});
    ASSERT_TRUE(*st->Step());
    EXPECT_EQ(st->Int(0), 5);
    // Destroyed in the middle of its rows, with a binding.
  }
  auto again = (*db)->Prepare("SELECT ?1");
  ASSERT_OK(again);
  ASSERT_TRUE(*again->Step());
  EXPECT_TRUE(again->IsNull(0));  // no binding carried over
  // Two live statements of the same SQL are independent.
  auto other = (*db)->Prepare("SELECT ?1");
  ASSERT_OK(other);
  other->Bind(1, "x");
  ASSERT_TRUE(*other->Step());
  EXPECT_EQ(other->Text(0), "x");
  EXPECT_TRUE(again->IsNull(0));
}

TEST(StatementCacheTest, CachedStatementsDoNotHoldReadsOrBlockSchemaChanges) {
  TempDir dir;
  DbOptions opts;
  opts.migrations = V1();
  auto db = Db::Open(dir.File("c.db"), opts);
  ASSERT_OK(db);
  ASSERT_OK((*db)->Exec("INSERT INTO people(name) VALUES ('a'), ('b')"));
  {
    auto st = (*db)->Prepare("SELECT name FROM people ORDER BY id");
    ASSERT_OK(st);
    ASSERT_TRUE(*st->Step());  // left mid-read
  }
  // A writer on another connection is not blocked by the idle cached statement.
  auto writer = Db::Open(dir.File("c.db"));
  ASSERT_OK(writer);
  ASSERT_OK((*writer)->Exec("INSERT INTO people(name) VALUES ('c')"));
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM people"), 3);
  // Schema change: the cached statement is recompiled, the table can be dropped.
  ASSERT_OK((*db)->Exec("ALTER TABLE people ADD COLUMN extra TEXT DEFAULT 'z'"));
  auto st = (*db)->Prepare("SELECT name FROM people ORDER BY id");
  ASSERT_OK(st);
  ASSERT_TRUE(*st->Step());
  EXPECT_EQ(st->Text(0), "a");
  st->Reset();
  ASSERT_OK((*db)->Exec("DROP TABLE people"));
  EXPECT_FALSE((*db)->Prepare("SELECT name FROM people").ok());
}

TEST(StatementCacheTest, ManyDistinctStatementsAreEvictedAndStillWork) {
  TempDir dir;
  auto db = Db::Open(dir.File("c.db"));
  ASSERT_OK(db);
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 3 * static_cast<int>(Db::kStatementCacheSize); ++i) {
      EXPECT_EQ(Count(**db, "SELECT " + std::to_string(i)), i);
    }
  }
}

TEST(StatementCacheTest, StatementMayOutliveItsDb) {
  TempDir dir;
  std::optional<Statement> st;
  {
    auto db = Db::Open(dir.File("c.db"));
    ASSERT_OK(db);
    auto p = (*db)->Prepare("SELECT 1");
    ASSERT_OK(p);
    st.emplace(std::move(*p));
  }
  st.reset();  // finalized, not given to the closed cache (ASan/LSan clean)
}

}  // namespace
}  // namespace sondeo::store
