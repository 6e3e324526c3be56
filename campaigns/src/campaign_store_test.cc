#include <string>

#include <gtest/gtest.h>

#include "campaigns/campaign.h"
#include "campaigns/schema.h"
#include "tests/testutil/testutil.h"

namespace sondeo::campaigns {
namespace {

const char kYaml[] =
    "id: sat-2019\n"
    "name: Encuesta de satisfacción\n"
    "entity: Agencia de Renovación del Territorio\n"
    "purpose: Medir la satisfacción\n"
    "legal_basis: Ley 1581 de 2012 art. 10 lit. a\n"
    "survey: ../surveys/s.yaml\n"
    "time:\n"
    "  windows: {sábado: \"07:00-12:00\"}\n"
    "  exempt: {reason: \"Acuerdo con la entidad\"}\n"
    "dialing: {mode: predictive}\n";

class CampaignStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::DbOptions opts;
    opts.migrations = store::Migrations();
    for (auto& m : Migrations()) opts.migrations.push_back(std::move(m));
    auto db = store::Db::Open(dir_.File("t.db"), opts);
    ASSERT_OK(db);
    db_ = std::move(*db);
  }
  int64_t Count(const std::string& sql) {
    auto st = db_->Prepare(sql);
    EXPECT_OK(st);
    auto row = st->Step();
    EXPECT_OK(row);
    return st->Int(0);
  }
  testing::TempDir dir_;
  std::unique_ptr<store::Db> db_;
};

TEST_F(CampaignStoreTest, CreateLoadRoundTrip) {
  auto c = ParseCampaign(kYaml, "/data/campaigns/sat.yaml");
  ASSERT_OK(c);
  c->source_path = "/data/campaigns/sat.yaml";
  ASSERT_OK(CreateCampaign(*db_, *c, kYaml, 1000));
  auto again = CreateCampaign(*db_, *c, kYaml, 2000);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);

  auto loaded = LoadCampaign(*db_, "sat-2019");
  ASSERT_OK(loaded);
  EXPECT_EQ(loaded->name, "Encuesta de satisfacción");
  EXPECT_EQ(loaded->dialing.mode, DialMode::kPredictive);
  EXPECT_EQ(loaded->survey_path, "/data/surveys/s.yaml");
  EXPECT_EQ(loaded->source_path, "/data/campaigns/sat.yaml");
  ASSERT_TRUE(loaded->exemption_reason.has_value());
  EXPECT_EQ(*loaded->exemption_reason, "Acuerdo con la entidad");
  EXPECT_EQ(Count("SELECT COUNT(*) FROM campaigns WHERE exemption_reason = "
                  "'Acuerdo con la entidad'"),
            1);
  EXPECT_EQ(LoadCampaign(*db_, "nope").status().code(), StatusCode::kNotFound);
}

TEST_F(CampaignStoreTest, BareRowsFromOtherModulesLoadWithDefaults) {
  ASSERT_OK(db_->Exec("INSERT INTO campaigns (id, name, created_ms) VALUES ('bare', 'Bare', 5)"));
  auto c = LoadCampaign(*db_, "bare");
  ASSERT_OK(c);
  EXPECT_EQ(c->id, "bare");
  EXPECT_EQ(c->name, "Bare");
  EXPECT_EQ(c->calendar.windows, DefaultWindows());
  auto list = ListCampaigns(*db_);
  ASSERT_OK(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].state, CampaignState::kDraft);
}

TEST_F(CampaignStoreTest, StartPauseAreAuditedTransitions) {
  auto c = ParseCampaign(kYaml, "sat.yaml");
  ASSERT_OK(c);
  ASSERT_OK(CreateCampaign(*db_, *c, kYaml, 1000));
  ASSERT_OK(StartCampaign(*db_, "sat-2019", "supervisor1", 2000));
  EXPECT_EQ(ListCampaigns(*db_)->at(0).state, CampaignState::kRunning);
  ASSERT_OK(StartCampaign(*db_, "sat-2019", "supervisor1", 2500));  // idempotent, not audited
  ASSERT_OK(PauseCampaign(*db_, "sat-2019", "supervisor1", 3000));
  EXPECT_EQ(ListCampaigns(*db_)->at(0).state, CampaignState::kPaused);
  ASSERT_OK(StartCampaign(*db_, "sat-2019", "supervisor1", 4000));
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'campaign.start'"), 2);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'campaign.pause'"), 1);
  EXPECT_EQ(Count("SELECT COUNT(*) FROM audit_log WHERE action = 'campaign.start' AND "
                  "actor = 'supervisor1' AND detail LIKE '%sat-2019%'"),
            2);
  EXPECT_EQ(StartCampaign(*db_, "nope", "x", 1).code(), StatusCode::kNotFound);
  // A draft cannot be paused; a finished campaign cannot be started.
  ASSERT_OK(db_->Exec("INSERT INTO campaigns (id, name, created_ms) VALUES ('d', 'D', 5)"));
  EXPECT_EQ(PauseCampaign(*db_, "d", "x", 1).code(), StatusCode::kFailedPrecondition);
  ASSERT_OK(db_->Exec("UPDATE campaigns SET status = 'finished' WHERE id = 'd'"));
  EXPECT_EQ(StartCampaign(*db_, "d", "x", 1).code(), StatusCode::kFailedPrecondition);
}

TEST_F(CampaignStoreTest, StatusCountsContactsAndToleratesMissingDialerTables) {
  auto c = ParseCampaign(kYaml, "sat.yaml");
  ASSERT_OK(c);
  ASSERT_OK(CreateCampaign(*db_, *c, kYaml, 1000));
  ASSERT_OK(db_->Exec(
      "INSERT INTO contacts (campaign_id, source_row) VALUES ('sat-2019', 1), ('sat-2019', 2),"
      " ('sat-2019', 3)"));
  auto st = GetCampaignStatus(*db_, "sat-2019");
  ASSERT_OK(st);
  EXPECT_EQ(st->contacts, 3);
  EXPECT_EQ(st->attempts, 0);
  EXPECT_TRUE(st->by_disposition.empty());
  EXPECT_EQ(st->campaign.state, CampaignState::kDraft);
  // With (a minimal form of) the dialer's tables.
  ASSERT_OK(
      db_->Exec("CREATE TABLE attempts (id INTEGER PRIMARY KEY, campaign_id TEXT);"
                "INSERT INTO attempts (campaign_id) VALUES ('sat-2019'), ('sat-2019'), ('other');"
                "CREATE TABLE contact_dialing (contact_id INTEGER, campaign_id TEXT,"
                " final_disposition TEXT);"
                "INSERT INTO contact_dialing VALUES (1, 'sat-2019', 'ENCUESTA_EFECTIVA'),"
                " (2, 'sat-2019', 'CORREO_DE_VOZ'), (3, 'sat-2019', 'CORREO_DE_VOZ'),"
                " (4, 'sat-2019', NULL);"));
  st = GetCampaignStatus(*db_, "sat-2019");
  ASSERT_OK(st);
  EXPECT_EQ(st->attempts, 2);
  ASSERT_EQ(st->by_disposition.size(), 2u);
  EXPECT_EQ(st->by_disposition[0], (std::pair<std::string, int64_t>{"CORREO_DE_VOZ", 2}));
  EXPECT_EQ(st->by_disposition[1], (std::pair<std::string, int64_t>{"ENCUESTA_EFECTIVA", 1}));
  EXPECT_EQ(GetCampaignStatus(*db_, "nope").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sondeo::campaigns
