#include "campaigns/src/dedup.h"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tests/testutil/testutil.h"

namespace sondeo::campaigns {
namespace {

Phone M(std::string n) { return Phone{"+57" + std::move(n), PhoneType::kMobile, false}; }
Phone F(std::string n) { return Phone{"+57" + std::move(n), PhoneType::kFixed, false}; }

std::vector<std::string> Numbers(const std::vector<Phone>& phones) {
  std::vector<std::string> out;
  for (const auto& p : phones) out.push_back(p.e164.substr(3));
  return out;
}

struct Want {
  bool duplicate;
  int64_t of_row;
  int64_t of_contact;
  DupKey key;
};

struct Case {
  std::string name;
  std::vector<DedupRow> rows;
  ExistingContacts existing;
  std::vector<Want> want;
};

TEST(DedupTest, Classifies) {
  const Want kWin{false, -1, 0, DupKey::kNone};
  const std::vector<Case> cases = {
      {"all distinct", {{"1", {M("3001000001")}}, {"2", {M("3001000002")}}}, {}, {kWin, kWin}},
      {"same document",
       {{"1", {M("3001000001")}}, {"1", {M("3001000002")}}},
       {},
       {kWin, {true, 0, 0, DupKey::kDocument}}},
      {"same phone, no documents",
       {{"", {M("3001000001")}}, {"", {F("6012345678"), M("3001000001")}}},
       {},
       {kWin, {true, 0, 0, DupKey::kPhone}}},
      {"transitive: A~B by document, B~C by phone",
       {{"1", {M("3001000001")}}, {"1", {M("3001000002")}}, {"9", {M("3001000002")}}},
       {},
       {kWin, {true, 0, 0, DupKey::kDocument}, {true, 0, 0, DupKey::kPhone}}},
      {"a later row joins two earlier people: the first wins",
       {{"1", {M("3001000001")}}, {"2", {M("3001000002")}}, {"2", {M("3001000001")}}},
       {},
       {kWin, {true, 0, 0, DupKey::kDocument}, {true, 0, 0, DupKey::kPhone}}},
      {"empty documents never match",
       {{"", {M("3001000001")}}, {"", {M("3001000002")}}},
       {},
       {kWin, kWin}},
      {"against an existing contact by document",
       {{"5", {M("3001000009")}}},
       {{{"5", 17}}, {{"+573001000001", 17}}},
       {{true, -1, 17, DupKey::kDocument}}},
      {"against an existing contact by phone, transitively",
       {{"7", {M("3001000009")}}, {"7", {M("3001000001")}}},
       {{}, {{"+573001000001", 17}}},
       {{true, -1, 17, DupKey::kDocument}, {true, -1, 17, DupKey::kPhone}}},
      // Keys of up to 18 digits are compared as numbers, longer or odd ones as text: both
      // match only themselves.
      {"documents of 18, 19 and 25 digits",
       {{"123456789012345678", {M("3001000001")}},
        {"1234567890123456789", {M("3001000002")}},
        {"1234567890123456789012345", {M("3001000003")}},
        {"1234567890123456789012346", {M("3001000004")}},
        {"1234567890123456789012345", {M("3001000005")}},
        {"123456789012345678", {M("3001000006")}},
        {"1234567890123456789", {M("3001000007")}},
        {"12345678901234567", {M("3001000008")}}},
       {},
       {kWin,
        kWin,
        kWin,
        kWin,
        {true, 2, 0, DupKey::kDocument},
        {true, 0, 0, DupKey::kDocument},
        {true, 1, 0, DupKey::kDocument},
        kWin}},
      {"phones that are not plain digits match only themselves",
       {{"", {Phone{"+0573001000001", PhoneType::kMobile, false}}},
        {"", {Phone{"+573001000001", PhoneType::kMobile, false}}},
        {"", {Phone{"+0573001000001", PhoneType::kMobile, false}}},
        {"", {Phone{"+5730010000011234567", PhoneType::kMobile, false}}},
        {"", {Phone{"+5730010000011234567", PhoneType::kMobile, false}}}},
       {},
       {kWin, kWin, {true, 0, 0, DupKey::kPhone}, kWin, {true, 3, 0, DupKey::kPhone}}},
      {"existing contacts with long and short keys",
       {{"99999999999999999999", {M("3001000009")}}, {"8", {M("3001000001")}}},
       {{{"99999999999999999999", 40}}, {{"+573001000001", 41}}},
       {{true, -1, 40, DupKey::kDocument}, {true, -1, 41, DupKey::kPhone}}},
      {"two existing contacts: the oldest wins",
       {{"5", {M("3001000001")}}},
       {{{"5", 30}}, {{"+573001000001", 12}}},
       {{true, -1, 12, DupKey::kPhone}}},
  };
  for (const auto& c : cases) {
    const DedupResult r = Deduplicate(c.rows, c.existing);
    ASSERT_EQ(r.rows.size(), c.want.size()) << c.name;
    for (size_t i = 0; i < c.want.size(); ++i) {
      EXPECT_EQ(r.rows[i].duplicate, c.want[i].duplicate) << c.name << " row " << i;
      EXPECT_EQ(r.rows[i].of_row, c.want[i].of_row) << c.name << " row " << i;
      EXPECT_EQ(r.rows[i].of_contact, c.want[i].of_contact) << c.name << " row " << i;
      EXPECT_EQ(r.rows[i].key, c.want[i].key) << c.name << " row " << i;
    }
    // In two steps: who is a duplicate is known before the rest, and stays so after it.
    Deduplication steps(c.rows, c.existing);
    ASSERT_EQ(steps.size(), c.want.size()) << c.name;
    for (size_t i = 0; i < c.want.size(); ++i) {
      EXPECT_EQ(steps.IsDuplicate(i), c.want[i].duplicate) << c.name << " row " << i;
    }
    const DedupResult finished = steps.Finish();
    for (size_t i = 0; i < c.want.size(); ++i) {
      EXPECT_EQ(steps.IsDuplicate(i), c.want[i].duplicate) << c.name << " row " << i;
      EXPECT_EQ(finished.rows[i].of_row, c.want[i].of_row) << c.name << " row " << i;
      EXPECT_EQ(finished.rows[i].key, c.want[i].key) << c.name << " row " << i;
    }
  }
}

TEST(DedupTest, WinnerGainsPhonesMobileFirstWithoutRepeats) {
  std::vector<DedupRow> rows = {
      {"1", {F("6012345678")}},
      {"1", {F("6042345678"), M("3001000002")}},
      {"", {M("3001000002"), M("3001000003"), F("6012345678")}},
      {"2", {M("3109999999")}},
  };
  const DedupResult r = Deduplicate(rows, {});
  EXPECT_EQ(Numbers(r.rows[0].phones),
            (std::vector<std::string>{"3001000002", "3001000003", "6012345678", "6042345678"}));
  EXPECT_TRUE(r.rows[1].phones.empty());
  EXPECT_TRUE(r.rows[2].phones.empty());
  EXPECT_EQ(Numbers(r.rows[3].phones), (std::vector<std::string>{"3109999999"}));
  EXPECT_TRUE(r.gained.empty());
}

TEST(DedupTest, ExistingContactGainsOnlyNewPhones) {
  ExistingContacts existing{{{"5", 17}}, {{"+573001000001", 17}}};
  std::vector<DedupRow> rows = {{"5", {F("6012345678"), M("3001000001"), M("3001000005")}}};
  const DedupResult r = Deduplicate(rows, existing);
  ASSERT_EQ(r.gained.size(), 1u);
  EXPECT_EQ(Numbers(r.gained.at(17)), (std::vector<std::string>{"3001000005", "6012345678"}));
}

TEST(DedupTest, ReImportOfTheSameRowsIsAllDuplicates) {
  std::vector<DedupRow> rows = {{"1", {M("3001000001")}}, {"2", {M("3001000002")}}};
  ExistingContacts existing{{{"1", 1}, {"2", 2}}, {{"+573001000001", 1}, {"+573001000002", 2}}};
  const DedupResult r = Deduplicate(rows, existing);
  EXPECT_TRUE(r.rows[0].duplicate);
  EXPECT_TRUE(r.rows[1].duplicate);
  EXPECT_TRUE(r.gained.empty());
}

// The documents' table on a second thread gives exactly what one thread gives: random
// rows sharing documents and phones, with existing contacts.
TEST(DedupTest, TwoThreadsGiveWhatOneGives) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<DedupRow> rows(500);
    for (auto& row : rows) {
      if (rng() % 4 != 0) row.document = std::to_string(rng() % 300);
      const int phones = static_cast<int>(rng() % 3);
      for (int p = 0; p < phones; ++p) {
        Phone phone = rng() % 2 == 0 ? M(std::to_string(3000000000 + rng() % 400))
                                     : F(std::to_string(6010000000 + rng() % 400));
        if (std::none_of(row.phones.begin(), row.phones.end(),
                         [&](const Phone& q) { return q.e164 == phone.e164; })) {
          row.phones.push_back(phone);
        }
      }
    }
    ExistingContacts existing;
    for (int c = 0; c < 30; ++c) {
      existing.by_document.emplace(std::to_string(rng() % 300), 100 + c);
      existing.by_phone.emplace("+57" + std::to_string(3000000000 + rng() % 400), 100 + c);
    }
    const DedupResult one = Deduplicate(rows, existing, SIZE_MAX);
    const DedupResult two = Deduplicate(rows, existing, 0);
    ASSERT_EQ(one.rows.size(), two.rows.size());
    int duplicates = 0;
    for (size_t i = 0; i < one.rows.size(); ++i) {
      SCOPED_TRACE("round " + std::to_string(round) + ", row " + std::to_string(i));
      EXPECT_EQ(one.rows[i].duplicate, two.rows[i].duplicate);
      EXPECT_EQ(one.rows[i].of_row, two.rows[i].of_row);
      EXPECT_EQ(one.rows[i].of_contact, two.rows[i].of_contact);
      EXPECT_EQ(one.rows[i].key, two.rows[i].key);
      EXPECT_EQ(Numbers(one.rows[i].phones), Numbers(two.rows[i].phones));
      duplicates += one.rows[i].duplicate ? 1 : 0;
    }
    EXPECT_GT(duplicates, 0);
    ASSERT_EQ(one.gained.size(), two.gained.size());
    for (const auto& [id, phones] : one.gained) {
      ASSERT_EQ(two.gained.count(id), 1u);
      EXPECT_EQ(Numbers(phones), Numbers(two.gained.at(id)));
    }
  }
}

}  // namespace
}  // namespace sondeo::campaigns
