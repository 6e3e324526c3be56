#pragma once
// De-duplication of a contact base (pure; table-driven tests in dedup_test.cc).
// Rows are linked by document and by any shared normalised phone, transitively (union-find):
// A~B by document and B~C by phone are one person. The first occurrence wins (an existing
// contact of the campaign before any row; the lowest contact id first) and gains the others'
// phones, mobile first, without repeats.
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "campaigns/phone.h"

namespace sondeo::campaigns {

struct DedupRow {
  std::string document;       // digits only, leading zeros dropped; empty = none
  std::vector<Phone> phones;  // callable, not suppressed, in cell order, no repeats
};

// The campaign's contacts before this import.
struct ExistingContacts {
  std::unordered_map<std::string, int64_t> by_document;  // document -> contact id
  std::unordered_map<std::string, int64_t> by_phone;     // e164 -> contact id
};

enum class DupKey { kNone, kDocument, kPhone };

struct DedupOutcome {
  bool duplicate = false;
  int64_t of_row = -1;     // the winning row (index into the input), or -1
  int64_t of_contact = 0;  // the winning existing contact id, or 0
  DupKey key = DupKey::kNone;
  std::vector<Phone> phones;  // winners only: every phone of the person, mobile first
};

struct DedupResult {
  std::vector<DedupOutcome> rows;  // one per input row
  // Phones existing contacts gain from duplicate rows (mobile first, no repeats).
  std::unordered_map<int64_t, std::vector<Phone>> gained;
};

// De-duplication in two steps: the constructor links the rows (who is a duplicate), Finish()
// works out the rest (of whom, by which key, the winners' phones). The import writes the new
// contacts, which need only the first, while the second runs on another thread.
// From `two_threads_from` rows on, the documents' owners are found on a second thread
// (same result).
class Deduplication {
 public:
  Deduplication(std::vector<DedupRow> rows, const ExistingContacts& existing,
                size_t two_threads_from = size_t{1} << 16);
  ~Deduplication();
  Deduplication(Deduplication&&) noexcept;
  Deduplication& operator=(Deduplication&&) noexcept;

  size_t size() const;                 // rows
  bool IsDuplicate(size_t row) const;  // before and after Finish()
  // The outcome of every row; once (the rows' phones move into it).
  DedupResult Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Both steps at once.
DedupResult Deduplicate(std::vector<DedupRow> rows, const ExistingContacts& existing,
                        size_t two_threads_from = size_t{1} << 16);

// Stable: mobile numbers first, then the others, each group in its original order.
void MobileFirst(std::vector<Phone>& phones);

}  // namespace sondeo::campaigns
