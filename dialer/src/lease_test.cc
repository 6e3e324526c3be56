#include "dialer/lease.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "campaigns/schema.h"
#include "dialer/simulate.h"
#include "dialer/sms_send.h"
#include "dialer/src/engine_schema.h"
#include "tests/testutil/testutil.h"

namespace sondeo::dialer {
namespace {

LeaseOwner Owner(std::string host, int64_t pid, int64_t start = 7) {
  return LeaseOwner{"serve", std::move(host), pid, start};
}

TEST(LeaseTest, DecisionTable) {
  const LeaseOwner me = Owner("h1", 100);
  LeaseRow row{Owner("h1", 200), 0, 1000, 16000};
  EXPECT_EQ(DecideLease(std::nullopt, me, 5000, true), LeaseVerdict::kFree);
  EXPECT_EQ(DecideLease(row, me, 5000, true), LeaseVerdict::kHeld);
  EXPECT_EQ(DecideLease(row, me, 5000, false), LeaseVerdict::kOwnerDead);
  EXPECT_EQ(DecideLease(row, me, 16000, true), LeaseVerdict::kExpired);
  // Another host's owner cannot be checked: held until the lease expires.
  row.owner = Owner("h2", 200);
  EXPECT_EQ(DecideLease(row, me, 5000, false), LeaseVerdict::kHeld);
  EXPECT_EQ(DecideLease(row, me, 16001, false), LeaseVerdict::kExpired);
  // Our own lease (same host, pid and start), even expired.
  row.owner = me;
  EXPECT_EQ(DecideLease(row, me, 99999, true), LeaseVerdict::kOurs);
  // Same pid, another start time: a reused pid, not us.
  row.owner = Owner("h1", 100, 8);
  EXPECT_EQ(DecideLease(row, me, 5000, false), LeaseVerdict::kOwnerDead);
}

TEST(LeaseTest, ThisProcessIsAliveAndADeadChildIsNot) {
  const LeaseOwner me = ThisProcess("serve");
  EXPECT_GT(me.start, 0);
  EXPECT_FALSE(me.host.empty());
  EXPECT_TRUE(OwnerAlive(me));
  LeaseOwner reused = me;
  reused.start = me.start + 1;
  EXPECT_FALSE(OwnerAlive(reused));
  const pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);
  LeaseOwner dead = me;
  dead.pid = child;
  EXPECT_FALSE(OwnerAlive(dead));
}

TEST(LeaseTest, AcquireRenewReleaseAndRefuse) {
  testing::TempDir dir;
  store::DbOptions o;
  o.migrations = store::Migrations();
  for (auto& m : campaigns::Migrations()) o.migrations.push_back(std::move(m));
  for (auto& m : EngineMigrations()) o.migrations.push_back(std::move(m));
  auto db = store::Db::Open(dir.File("l.db"), o);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(CreateSyntheticContacts(**db, "c1", 1, 1).ok());
  const LeaseOwner me = ThisProcess("serve");
  ASSERT_TRUE(AcquireLease(**db, "c1", me, 1000, 15000).ok());
  ASSERT_TRUE(AcquireLease(**db, "c1", me, 2000, 15000).ok());  // ours again
  ASSERT_TRUE(RenewLease(**db, "c1", me, 3000, 15000).ok());
  // A live process on this host (our parent, pid 1 or whoever) holds it: refused.
  LeaseOwner other = ThisProcess("simulate");
  other.pid = getppid();
  other.start = 0;  // unknown start: alive as long as the pid runs
  Status refused = AcquireLease(**db, "c1", other, 4000, 15000);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(
      refused.message().find("ya la está marcando sondeo serve (pid " + std::to_string(me.pid)),
      std::string::npos)
      << refused.message();
  // After the expiry anyone takes it over, and the old owner's renewal fails.
  ASSERT_TRUE(AcquireLease(**db, "c1", other, 18001, 15000).ok());
  EXPECT_EQ(RenewLease(**db, "c1", me, 18002, 15000).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ReleaseLease(**db, "c1", me).ok());  // not ours: no-op
  EXPECT_EQ(AcquireLease(**db, "c1", me, 19000, 15000).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ReleaseLease(**db, "c1", other).ok());
  EXPECT_TRUE(AcquireLease(**db, "c1", me, 19000, 15000).ok());
}

TEST(LeaseTest, TheSmsSenderLeaseIsOnePerDatabase) {
  testing::TempDir dir;
  store::DbOptions o;
  o.migrations = store::Migrations();
  for (auto& m : campaigns::Migrations()) o.migrations.push_back(std::move(m));
  for (auto& m : SmsMigrations()) o.migrations.push_back(std::move(m));
  auto db = store::Db::Open(dir.File("s.db"), o);
  ASSERT_TRUE(db.ok());
  const LeaseOwner serve = ThisProcess("serve");
  LeaseOwner cli = ThisProcess("sms");
  cli.pid = getppid();
  cli.start = 0;
  ASSERT_TRUE(AcquireNamedLease(**db, "sms", serve, 1000, kSmsSenderLeaseTtlMs).ok());
  Status refused = AcquireNamedLease(**db, "sms", cli, 2000, kSmsSenderLeaseTtlMs);
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("el envío de SMS ya lo hace sondeo serve (pid " +
                                   std::to_string(serve.pid)),
            std::string::npos)
      << refused.message();
  ASSERT_TRUE(ReleaseNamedLease(**db, "sms", cli).ok());  // not ours: no-op
  EXPECT_FALSE(AcquireNamedLease(**db, "sms", cli, 3000, kSmsSenderLeaseTtlMs).ok());
  ASSERT_TRUE(ReleaseNamedLease(**db, "sms", serve).ok());
  EXPECT_TRUE(AcquireNamedLease(**db, "sms", cli, 4000, kSmsSenderLeaseTtlMs).ok());
}

}  // namespace
}  // namespace sondeo::dialer
