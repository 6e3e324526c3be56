#include "campaigns/src/dedup.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <functional>
#include <string_view>
#include <thread>
#include <utility>

namespace sondeo::campaigns {

namespace {

class UnionFind {
 public:
  // Nodes [0, rows) are rows, [rows, rows + contacts) are existing contacts. The root of a set
  // is its member of lowest priority: contacts (by id) before rows (by index).
  UnionFind(size_t rows, std::vector<int64_t> contact_ids)
      : rows_(rows), contact_ids_(std::move(contact_ids)) {
    parent_.resize(rows_ + contact_ids_.size());
    for (size_t i = 0; i < parent_.size(); ++i) parent_[i] = static_cast<uint32_t>(i);
  }
  uint32_t Find(uint32_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void Union(uint32_t a, uint32_t b) {
    a = Find(a);
    b = Find(b);
    if (a == b) return;
    if (Before(a, b)) {
      parent_[b] = a;
    } else {
      parent_[a] = b;
    }
  }
  bool IsContact(uint32_t x) const { return x >= rows_; }
  int64_t ContactId(uint32_t x) const { return contact_ids_[x - rows_]; }

 private:
  bool Before(uint32_t a, uint32_t b) const {
    if (IsContact(a) != IsContact(b)) return IsContact(a);
    if (IsContact(a)) return ContactId(a) < ContactId(b);
    return a < b;
  }
  size_t rows_;
  std::vector<int64_t> contact_ids_;
  std::vector<uint32_t> parent_;
};

// The tables here are plain vectors, on small pages: each is written once, in a tenth of a
// second, and on the 2-core VMs we measure on a fresh transparent huge page faults in several
// times slower than the same memory in 4 KiB pages (its 2 MiB are found and zeroed at once),
// which cost the de-duplication of a 1,000,000-row base 20-40 ms.

// Key -> owning node. Documents and E.164 numbers are decimal digits (a phone after its
// '+'): up to 18 of them without a leading zero make a distinct integer, kept in the slot
// itself (open addressing, linear probing: no allocation and no string compare per key; a
// 1,000,000-row base has about as many documents and phones). Any other key goes to a
// plain map; its text must outlive the table and stay where it is.
class OwnerTable {
 public:
  explicit OwnerTable(size_t expected) {
    size_t cap = 16;
    while (cap < expected + expected / 2) cap <<= 1;
    slots_.resize(cap);
    shift_ = 64 - std::countr_zero(cap);
  }
  // The owner of `key`: `node` when the key is new (and it is recorded), else the first one.
  std::pair<uint32_t, bool> Emplace(std::string_view key, uint32_t node) {
    return Emplace(key, Number(key), node);
  }
  // The same, `number` being Number(key).
  std::pair<uint32_t, bool> Emplace(std::string_view key, uint64_t number, uint32_t node) {
    if (number == 0) {
      auto [it, added] = others_.emplace(key, node);
      return {it->second, added};
    }
    const size_t mask = slots_.size() - 1;
    for (size_t i = Home(number);; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.key == 0) {
        s = Slot{number, node};
        if (++size_ * 4 > slots_.size() * 3) Grow();
        return {node, true};
      }
      if (s.key == number) return {s.node, false};
    }
  }

  // Brings the slot of `number` into the cache ahead of its Emplace: the tables are far
  // larger than the cache, and a loop over the rows would wait for memory at every key.
  void Prefetch(uint64_t number) const {
    if (number != 0) __builtin_prefetch(&slots_[Home(number)]);
  }
  // The key as digits' value + 1, or 0 when it is not 1 to 18 digits without a leading zero
  // (after a leading '+').
  static uint64_t Number(std::string_view key) {
    if (!key.empty() && key.front() == '+') key.remove_prefix(1);
    if (key.empty() || key.size() > 18 || key.front() == '0') return 0;
    uint64_t value = 0;
    for (char c : key) {
      if (c < '0' || c > '9') return 0;
      value = value * 10 + static_cast<uint64_t>(c - '0');
    }
    return value + 1;
  }

 private:
  struct Slot {
    uint64_t key = 0;  // the digits' value + 1; 0 = empty
    uint32_t node = 0;
  };
  size_t Home(uint64_t number) const { return (number * 0x9E3779B97F4A7C15u) >> shift_; }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    --shift_;
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      size_t i = Home(s.key);
      while (slots_[i].key != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  int shift_ = 0;
  size_t size_ = 0;
  std::unordered_map<std::string_view, uint32_t> others_;
};

}  // namespace

void MobileFirst(std::vector<Phone>& phones) {
  // Most are in order already (one phone, or a mobile first); stable_partition would still
  // take a buffer.
  const auto mobile = [](const Phone& p) { return p.type == PhoneType::kMobile; };
  if (std::is_partitioned(phones.begin(), phones.end(), mobile)) return;
  std::stable_partition(phones.begin(), phones.end(), mobile);
}

struct Deduplication::State {
  static constexpr uint32_t kNew = UINT32_MAX;
  std::vector<DedupRow> rows;
  std::vector<uint32_t> doc_owner_of;    // per row: its document's earlier owner, or kNew
  std::vector<uint32_t> phone_owner_of;  // per phone of the rows, in order: idem
  std::vector<DupKey> link;              // per row: the key of its first link
  std::vector<uint32_t> root;            // per row: its set's first node
  std::vector<int64_t> contact_ids;      // nodes past the rows: existing contacts
  bool IsContact(uint32_t node) const { return node >= rows.size(); }
  int64_t ContactId(uint32_t node) const { return contact_ids[node - rows.size()]; }
};

Deduplication::Deduplication(std::vector<DedupRow> rows_in, const ExistingContacts& existing,
                             size_t two_threads_from)
    : state_(std::make_unique<State>()) {
  State& st = *state_;
  st.rows = std::move(rows_in);
  std::vector<DedupRow>& rows = st.rows;
  // Existing contacts become nodes after the rows.
  std::unordered_map<int64_t, uint32_t> contact_node;
  std::vector<int64_t>& contact_ids = st.contact_ids;
  auto node_of_contact = [&](int64_t id) {
    auto [it, added] =
        contact_node.emplace(id, static_cast<uint32_t>(rows.size() + contact_ids.size()));
    if (added) contact_ids.push_back(id);
    return it->second;
  };
  size_t phone_count = 0;
  for (const auto& row : rows) phone_count += row.phones.size();
  // The contacts' nodes, in the order they are first met (documents, then phones).
  std::vector<uint32_t> doc_contact_node;
  std::vector<uint32_t> phone_contact_node;
  for (const auto& [doc, id] : existing.by_document)
    doc_contact_node.push_back(node_of_contact(id));
  for (const auto& [e164, id] : existing.by_phone)
    phone_contact_node.push_back(node_of_contact(id));

  // The first owner of every key, each table on its own (in row order, as one loop over the
  // rows would give): per row its document's earlier owner, per phone its phone's; kNew
  // when the key is new. A large base fills the document table on a second thread.
  constexpr uint32_t kNew = State::kNew;
  constexpr size_t kAhead = 16;  // keys prefetched ahead
  std::vector<uint32_t>& doc_owner_of = st.doc_owner_of;
  doc_owner_of.assign(rows.size(), kNew);
  auto fill_documents = [&] {
    OwnerTable owners(rows.size() + existing.by_document.size());
    size_t k = 0;
    for (const auto& entry : existing.by_document)
      owners.Emplace(entry.first, doc_contact_node[k++]);
    std::vector<uint64_t> numbers(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) numbers[i] = OwnerTable::Number(rows[i].document);
    for (size_t i = 0; i < rows.size(); ++i) {
      if (i + kAhead < rows.size()) owners.Prefetch(numbers[i + kAhead]);
      if (rows[i].document.empty()) continue;
      auto [owner, added] = owners.Emplace(rows[i].document, numbers[i], static_cast<uint32_t>(i));
      if (!added) doc_owner_of[i] = owner;
    }
  };
  std::vector<uint32_t>& phone_owner_of = st.phone_owner_of;
  phone_owner_of.assign(phone_count, kNew);  // rows' phones, in order
  {
    std::thread documents;
    if (rows.size() >= two_threads_from) {
      documents = std::thread(fill_documents);
    } else {
      fill_documents();
    }
    OwnerTable owners(phone_count + existing.by_phone.size());
    size_t k = 0;
    for (const auto& entry : existing.by_phone)
      owners.Emplace(entry.first, phone_contact_node[k++]);
    std::vector<uint64_t> numbers(phone_count);
    size_t at = 0;
    for (const auto& row : rows) {
      for (const auto& p : row.phones) numbers[at++] = OwnerTable::Number(p.e164);
    }
    at = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      for (const auto& p : rows[i].phones) {
        if (at + kAhead < phone_count) owners.Prefetch(numbers[at + kAhead]);
        auto [owner, added] = owners.Emplace(p.e164, numbers[at], static_cast<uint32_t>(i));
        if (!added) phone_owner_of[at] = owner;
        ++at;
      }
    }
    if (documents.joinable()) documents.join();
  }

  UnionFind uf(rows.size(), contact_ids);
  std::vector<DupKey>& link = st.link;
  link.assign(rows.size(), DupKey::kNone);
  size_t at = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto node = static_cast<uint32_t>(i);
    auto link_with = [&](uint32_t owner, DupKey key) {
      uf.Union(node, owner);
      if (link[i] == DupKey::kNone) link[i] = key;
      if (owner < rows.size() && link[owner] == DupKey::kNone) link[owner] = key;
    };
    if (doc_owner_of[i] != kNew) link_with(doc_owner_of[i], DupKey::kDocument);
    for (size_t j = 0; j < rows[i].phones.size(); ++j, ++at) {
      if (phone_owner_of[at] != kNew) link_with(phone_owner_of[at], DupKey::kPhone);
    }
  }
  // Every row's root, once (Find compresses paths: it writes).
  st.root.resize(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) st.root[i] = uf.Find(static_cast<uint32_t>(i));
}

Deduplication::~Deduplication() = default;
Deduplication::Deduplication(Deduplication&&) noexcept = default;
Deduplication& Deduplication::operator=(Deduplication&&) noexcept = default;

size_t Deduplication::size() const { return state_->root.size(); }

bool Deduplication::IsDuplicate(size_t row) const { return state_->root[row] != row; }

DedupResult Deduplication::Finish() {
  State& st = *state_;
  constexpr uint32_t kNew = State::kNew;
  std::vector<DedupRow>& rows = st.rows;
  const std::vector<uint32_t>& doc_owner_of = st.doc_owner_of;
  const std::vector<uint32_t>& phone_owner_of = st.phone_owner_of;
  const std::vector<DupKey>& link = st.link;
  // A key's first owner is the earliest node that has it, and every node that has it is in
  // that node's set. So a duplicate shares its document with its winner (the set's earliest
  // node) exactly when the winner owns the document, and a phone exactly when the winner
  // owns the phone; a phone is new to the set exactly when the row owns it. No key is
  // compared again.
  DedupResult result;
  result.rows.resize(rows.size());
  size_t at = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const uint32_t root = st.root[i];
    const size_t first_phone = at;
    at += rows[i].phones.size();
    if (root == i) continue;  // a winner: its phones are collected below
    DedupOutcome& out = result.rows[i];
    out.duplicate = true;
    if (st.IsContact(root)) {
      out.of_contact = st.ContactId(root);
    } else {
      out.of_row = root;
    }
    if (doc_owner_of[i] == root) {
      out.key = DupKey::kDocument;
    } else if (std::find(phone_owner_of.begin() + static_cast<std::ptrdiff_t>(first_phone),
                         phone_owner_of.begin() + static_cast<std::ptrdiff_t>(at),
                         root) != phone_owner_of.begin() + static_cast<std::ptrdiff_t>(at)) {
      out.key = DupKey::kPhone;
    } else {
      out.key = link[i];
    }
  }
  // Phones: each winner keeps its own, then gains the others' in row order (those new to
  // the set: not an existing contact's, not an earlier row's).
  at = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    const uint32_t root = st.root[i];
    if (root == i) {
      // A winner's own phones come first (no row before it is in its set) and have no
      // repeats: they are taken as they are.
      at += rows[i].phones.size();
      result.rows[i].phones = std::move(rows[i].phones);
      continue;
    }
    std::vector<Phone>* into = nullptr;
    if (st.IsContact(root)) {
      into = &result.gained[st.ContactId(root)];
    } else {
      into = &result.rows[root].phones;
    }
    for (auto& p : rows[i].phones) {
      if (phone_owner_of[at++] == kNew) into->push_back(std::move(p));
    }
  }
  for (auto& out : result.rows) MobileFirst(out.phones);
  for (auto it = result.gained.begin(); it != result.gained.end();) {
    if (it->second.empty()) {
      it = result.gained.erase(it);
    } else {
      MobileFirst(it->second);
      ++it;
    }
  }
  // The tables go now, on this thread; IsDuplicate still answers.
  State rest;
  rest.root = std::move(st.root);
  st = std::move(rest);
  return result;
}

DedupResult Deduplicate(std::vector<DedupRow> rows, const ExistingContacts& existing,
                        size_t two_threads_from) {
  return Deduplication(std::move(rows), existing, two_threads_from).Finish();
}

}  // namespace sondeo::campaigns
