#include "store/src/coalescing_vfs.h"

#include <string>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/db.h"
#include "tests/testutil/testutil.h"

namespace sondeo::store {
namespace {

using sondeo::testing::TempDir;

// A connection through SQLite's default VFS: what another process sees in the files.
struct Plain {
  sqlite3* db = nullptr;
  explicit Plain(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  }
  ~Plain() { sqlite3_close_v2(db); }
  std::string One(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sql;
    std::string out;
    if (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* text = sqlite3_column_text(st, 0);
      out = text != nullptr ? reinterpret_cast<const char*>(text) : "";
    }
    sqlite3_finalize(st);
    return out;
  }
};

std::vector<Migration> Schema() {
  return {{"demo", 1, "rows",
           "CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
           "CREATE INDEX rows_body ON rows(body);"}};
}

// Writes `n` rows of 200 bytes in one transaction (a few megabytes of WAL frames).
void Fill(Db& db, int from, int n) {
  auto tx = Transaction::Begin(db);
  ASSERT_TRUE(tx.ok());
  auto ins = db.Prepare("INSERT INTO rows(id, body) VALUES(?, ?)");
  ASSERT_TRUE(ins.ok());
  for (int i = from; i < from + n; ++i) {
    ins->Reset();
    ins->Bind(1, int64_t{i})
        .Bind(2, std::string(190, 'a' + static_cast<char>(i % 26)) + std::to_string(i));
    ASSERT_TRUE(ins->Run().ok());
  }
  ASSERT_TRUE(tx->Commit().ok());
}

TEST(CoalescingVfsTest, IsRegisteredButNotTheDefault) {
  ASSERT_NE(CoalescingVfsName(), nullptr);
  EXPECT_NE(sqlite3_vfs_find(CoalescingVfsName()), nullptr);
  EXPECT_NE(sqlite3_vfs_find(nullptr), sqlite3_vfs_find(CoalescingVfsName()));  // not default
}

// Frames a large commit gathered are in the WAL file when the commit returns: a connection
// through the default VFS (another process, as far as the files go) reads every row while
// the writer is still open, and the files pass an integrity check.
// Both with synchronous=FULL (the commit syncs the WAL) and NORMAL (it does not: only the
// publishing of the frames writes them).
class CoalescingVfsSyncTest : public ::testing::TestWithParam<bool> {};

TEST_P(CoalescingVfsSyncTest, CommittedFramesAreInTheFileForOtherConnections) {
  TempDir dir;
  const std::string path = dir.File("big.db");
  auto db = Db::Open(path, {.durable = GetParam(), .migrations = Schema()});
  ASSERT_TRUE(db.ok());
  Fill(**db, 1, 30000);
  Plain other(path);
  EXPECT_EQ(other.One("SELECT COUNT(*) FROM rows"), "30000");
  EXPECT_EQ(other.One("SELECT body FROM rows WHERE id = 29999"),
            std::string(190, 'a' + 29999 % 26) + "29999");
  // A second transaction on top, then a checkpoint into the database file.
  Fill(**db, 30001, 20000);
  EXPECT_EQ(other.One("SELECT COUNT(*) FROM rows"), "50000");
  ASSERT_TRUE((*db)->Exec("PRAGMA wal_checkpoint(TRUNCATE)").ok());
  EXPECT_EQ(other.One("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(other.One("SELECT COUNT(*) FROM rows WHERE body LIKE 'c%'"),
            other.One("SELECT COUNT(*) FROM rows WHERE id % 26 = 2"));
  db->reset();
  // Reopened through the default VFS alone: the database file holds everything.
  Plain after(path);
  EXPECT_EQ(after.One("SELECT COUNT(*) FROM rows"), "50000");
  EXPECT_EQ(after.One("PRAGMA integrity_check"), "ok");
}

INSTANTIATE_TEST_SUITE_P(Durability, CoalescingVfsSyncTest, ::testing::Bool());

// The writer reads back what it wrote in the same transaction (gathered writes are written
// before any read), and a rolled-back transaction leaves nothing.
TEST(CoalescingVfsTest, ReadsItsOwnWritesAndRollsBack) {
  TempDir dir;
  const std::string path = dir.File("rw.db");
  auto db = Db::Open(path, {.migrations = Schema()});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->Exec("PRAGMA cache_size = 10").ok());  // spill pages to the WAL early
  {
    auto tx = Transaction::Begin(**db);
    ASSERT_TRUE(tx.ok());
    auto ins = (*db)->Prepare("INSERT INTO rows(id, body) VALUES(?, ?)");
    ASSERT_TRUE(ins.ok());
    for (int i = 1; i <= 20000; ++i) {
      ins->Reset();
      ins->Bind(1, int64_t{i}).Bind(2, std::string(150, 'x') + std::to_string(i));
      ASSERT_TRUE(ins->Run().ok());
    }
    auto st = (*db)->Prepare("SELECT COUNT(*), SUM(length(body)) FROM rows");
    ASSERT_TRUE(st.ok());
    ASSERT_TRUE(*st->Step());
    EXPECT_EQ(st->Int(0), 20000);
    // Not committed: the transaction rolls back here.
  }
  Plain other(path);
  EXPECT_EQ(other.One("SELECT COUNT(*) FROM rows"), "0");
  EXPECT_EQ(other.One("PRAGMA integrity_check"), "ok");
  Fill(**db, 1, 1000);
  EXPECT_EQ(other.One("SELECT COUNT(*) FROM rows"), "1000");
}

}  // namespace
}  // namespace sondeo::store
