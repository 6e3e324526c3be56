#include "surveys/responses.h"

#include <string>

#include "surveys/schema.h"
#include "tests/testutil/testutil.h"

namespace sondeo::surveys {
namespace {

using sondeo::testing::TempDir;
using ::testing::HasSubstr;

constexpr const char* kV1 = R"(
id: sat
title: Satisfacción
scales: {c4: {4: Excelente, 3: Bueno, 2: Regular, 1: Malo}}
questions:
  - {id: ok, type: yes_no, consent: true, text: t}
  - {id: p1, type: matrix, scale: c4, items: {amabilidad: A, rapidez: R}, text: t}
  - {id: p2, type: multi_choice, options: [radio, tv], text: t, required: false}
  - {id: p3, type: yes_no, text: t}
)";

Result<std::unique_ptr<store::Db>> Open(const std::string& path) {
  store::DbOptions options;
  options.migrations = store::Migrations();
  for (auto& m : Migrations()) options.migrations.push_back(std::move(m));
  return store::Db::Open(path, options);
}

NewResponse Complete(const std::string& key, int version) {
  NewResponse r;
  r.idempotency_key = key;
  r.survey_id = "sat";
  r.survey_version = version;
  r.campaign_id = "art-2019-09";
  r.contact_id = 42;
  r.attempt_id = 7;
  r.agent = "agente1";
  r.started_ms = 1'000;
  r.ended_ms = 61'000;
  r.answers = {{"ok", {"si", {}, {}}},
               {"p1", {"", {{"amabilidad", "4"}, {"rapidez", "3"}}, {}}},
               {"p2", {"", {}, {"tv", "radio"}}},
               {"p3", {"no", {}, {}}}};
  return r;
}

int Count(store::Db& db, const std::string& sql) {
  auto st = db.Prepare(sql);
  EXPECT_TRUE(st.ok());
  auto row = st->Step();
  EXPECT_TRUE(row.ok() && *row);
  return static_cast<int>(st->Int(0));
}

TEST(ResponsesTest, SurviveReopenAndDuplicatesAreStoredOnce) {
  TempDir dir;
  const std::string path = dir.File("s.db");
  int64_t first_id = 0;
  {
    auto db = Open(path);
    ASSERT_OK(db);
    auto survey = LoadSurvey(kV1);
    ASSERT_OK(survey);
    auto stored = RegisterSurvey(**db, *survey, kV1, 5);
    ASSERT_OK(stored);
    EXPECT_EQ(stored->version, 1);
    EXPECT_TRUE(stored->created);
    auto saved = SaveResponse(**db, *survey, Complete("k-1", 1));
    ASSERT_OK(saved);
    EXPECT_EQ(saved->status, ResponseStatus::kComplete);
    EXPECT_FALSE(saved->duplicate);
    first_id = saved->id;
    // A retry (same key) returns the same id and writes nothing.
    auto again = SaveResponse(**db, *survey, Complete("k-1", 1));
    ASSERT_OK(again);
    EXPECT_EQ(again->id, first_id);
    EXPECT_TRUE(again->duplicate);
    EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM responses"), 1);
    EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM answers"), 6);
  }
  {
    auto db = Open(path);
    ASSERT_OK(db);
    auto r = LoadResponse(**db, first_id);
    ASSERT_OK(r);
    EXPECT_EQ(r->survey_id, "sat");
    EXPECT_EQ(r->survey_version, 1);
    EXPECT_EQ(r->campaign_id, "art-2019-09");
    EXPECT_EQ(r->contact_id, 42);
    EXPECT_EQ(r->attempt_id, std::optional<int64_t>(7));
    EXPECT_EQ(r->agent, "agente1");
    EXPECT_EQ(r->status, ResponseStatus::kComplete);
    EXPECT_EQ(r->started_ms, 1'000);
    EXPECT_EQ(r->ended_ms, 61'000);
    EXPECT_EQ(r->answers.at("p1").items.at("amabilidad"), "4");
    EXPECT_EQ(r->answers.at("p2").selected, (std::vector<std::string>{"radio", "tv"}));
    EXPECT_EQ(r->answers.at("p3").value, "no");
    auto all = LoadResponses(**db, "sat");
    ASSERT_OK(all);
    ASSERT_EQ(all->size(), 1u);
    // Still idempotent after a restart.
    auto survey = LoadStoredSurvey(**db, "sat");
    ASSERT_OK(survey);
    auto again = SaveResponse(**db, *survey, Complete("k-1", 1));
    ASSERT_OK(again);
    EXPECT_EQ(again->id, first_id);
    EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM responses"), 1);
  }
}

TEST(ResponsesTest, StatusIsDecidedFromTheAnswers) {
  TempDir dir;
  auto db = Open(dir.File("s.db"));
  ASSERT_OK(db);
  auto survey = LoadSurvey(kV1);
  ASSERT_OK(survey);
  ASSERT_OK(RegisterSurvey(**db, *survey, kV1, 5));
  NewResponse refused = Complete("k-r", 1);
  refused.answers = {{"ok", {"no", {}, {}}}};
  auto r = SaveResponse(**db, *survey, refused);
  ASSERT_OK(r);
  EXPECT_EQ(r->status, ResponseStatus::kRefused);
  NewResponse partial = Complete("k-p", 1);
  partial.answers = {{"ok", {"si", {}, {}}}};
  auto p = SaveResponse(**db, *survey, partial);
  ASSERT_OK(p);
  EXPECT_EQ(p->status, ResponseStatus::kPartial);
  NewResponse blank = Complete("k-b", 1);
  blank.answers["p2"] = {};
  auto b = SaveResponse(**db, *survey, blank);
  ASSERT_OK(b);
  auto loaded = LoadResponse(**db, b->id);
  ASSERT_OK(loaded);
  EXPECT_TRUE(loaded->answers.at("p2").empty());
  EXPECT_EQ(loaded->status, ResponseStatus::kComplete);
}

TEST(ResponsesTest, RejectsInvalidSubmissionsAndWritesNothing) {
  TempDir dir;
  auto db = Open(dir.File("s.db"));
  ASSERT_OK(db);
  auto survey = LoadSurvey(kV1);
  ASSERT_OK(survey);
  ASSERT_OK(RegisterSurvey(**db, *survey, kV1, 5));

  NewResponse bad = Complete("k-bad", 1);
  bad.answers["p1"].items["rapidez"] = "9";
  auto r = SaveResponse(**db, *survey, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(r.error().message(), HasSubstr("p1"));

  NewResponse no_key = Complete("", 1);
  EXPECT_EQ(SaveResponse(**db, *survey, no_key).error().code(), StatusCode::kInvalidArgument);

  NewResponse no_version = Complete("k-v", 9);
  EXPECT_EQ(SaveResponse(**db, *survey, no_version).error().code(), StatusCode::kNotFound);

  ASSERT_OK(SaveResponse(**db, *survey, Complete("k-1", 1)));
  NewResponse other_contact = Complete("k-1", 1);
  other_contact.contact_id = 43;
  EXPECT_EQ(SaveResponse(**db, *survey, other_contact).error().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM responses"), 1);
}

TEST(ResponsesTest, VersionsBumpOnlyWhenAnsweredContentChanges) {
  TempDir dir;
  auto db = Open(dir.File("s.db"));
  ASSERT_OK(db);
  auto v1 = LoadSurvey(kV1);
  ASSERT_OK(v1);
  auto a = RegisterSurvey(**db, *v1, kV1, 5);
  ASSERT_OK(a);
  EXPECT_EQ(a->version, 1);

  // Identical content (even with a comment added) reuses the version.
  const std::string commented = std::string("# comentario\n") + kV1;
  auto same = RegisterSurvey(**db, *LoadSurvey(commented), commented, 6);
  ASSERT_OK(same);
  EXPECT_EQ(same->version, 1);
  EXPECT_FALSE(same->created);

  // A change before any response replaces version 1 in place.
  std::string changed = kV1;
  changed.replace(changed.find("title: Satisfacción"), std::string("title: Satisfacción").size(),
                  "title: Satisfacción ART");
  auto c = LoadSurvey(changed);
  ASSERT_OK(c);
  auto in_place = RegisterSurvey(**db, *c, changed, 7);
  ASSERT_OK(in_place);
  EXPECT_EQ(in_place->version, 1);
  EXPECT_TRUE(in_place->created);
  EXPECT_EQ(Count(**db, "SELECT COUNT(*) FROM surveys"), 1);

  // Once version 1 has a response, a change makes version 2; the response keeps version 1.
  ASSERT_OK(SaveResponse(**db, *c, Complete("k-1", 1)));
  std::string changed2 = changed;
  const std::string p3 = "{id: p3, type: yes_no, text: t}";
  changed2.replace(changed2.find(p3), p3.size(), "{id: p3, type: yes_no, text: '¿Volvería?'}");
  auto c2 = LoadSurvey(changed2);
  ASSERT_OK(c2);
  auto bumped = RegisterSurvey(**db, *c2, changed2, 8);
  ASSERT_OK(bumped);
  EXPECT_EQ(bumped->version, 2);
  EXPECT_TRUE(bumped->created);
  auto latest = LatestVersion(**db, "sat");
  ASSERT_OK(latest);
  EXPECT_EQ(*latest, 2);
  // Loading the new file again reuses version 2; the old content still resolves to 1.
  auto again = RegisterSurvey(**db, *c2, changed2, 9);
  ASSERT_OK(again);
  EXPECT_EQ(again->version, 2);
  EXPECT_FALSE(again->created);
  auto old = RegisterSurvey(**db, *c, changed, 9);
  ASSERT_OK(old);
  EXPECT_EQ(old->version, 1);

  auto loaded1 = LoadStoredSurvey(**db, "sat", 1);
  ASSERT_OK(loaded1);
  EXPECT_EQ(loaded1->title, "Satisfacción ART");
  EXPECT_EQ(loaded1->questions[3].text, "t");
  auto loaded2 = LoadStoredSurvey(**db, "sat");
  ASSERT_OK(loaded2);
  EXPECT_EQ(loaded2->questions[3].text, "¿Volvería?");
  EXPECT_EQ(LoadStoredSurvey(**db, "sat", 3).error().code(), StatusCode::kNotFound);
  EXPECT_EQ(LoadStoredSurvey(**db, "otra").error().code(), StatusCode::kNotFound);

  // A response validated against version 2 cannot claim version 1.
  auto wrong = SaveResponse(**db, *c2, Complete("k-2", 1));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code(), StatusCode::kInvalidArgument);
  ASSERT_OK(SaveResponse(**db, *c2, Complete("k-2", 2)));
  auto all = LoadResponses(**db, "sat");
  ASSERT_OK(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].survey_version, 1);
  EXPECT_EQ((*all)[1].survey_version, 2);
}

TEST(ResponsesTest, MigrationsApplyOnMemory) {
  auto db = Open(":memory:");
  ASSERT_OK(db);
  auto v = (*db)->SchemaVersion("surveys");
  ASSERT_OK(v);
  EXPECT_EQ(*v, 1);
}

}  // namespace
}  // namespace sondeo::surveys
