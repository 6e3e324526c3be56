#include "campaigns/src/dedup.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string_view>
#include <thread>
#include <utility>

#include "common/memory.h"

namespace sondeo::campaigns {

namespace {

class UnionFind {
 public:
  // Nodes [0, rows) are rows, [rows, rows + contacts) are existing contacts. The root of a set
  // is its member of lowest priority: contacts (by id) before rows (by index).
  UnionFind(size_t rows, std::vector<int64_t> contact_ids)
      : rows_(rows), contact_ids_(std::move(contact_ids)) {
    parent_ = HugeVector<uint32_t>(rows_ + contact_ids_.size());
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

// Key -> owning node, open addressing with linear probing: no allocation per key (a
// 1,000,000-row base has about as many documents and phones). Keys are not copied: they
// must outlive the table and stay where they are.
class OwnerTable {
 public:
  explicit OwnerTable(size_t expected) {
    size_t cap = 16;
    while (cap < expected + expected / 2) cap <<= 1;
    slots_ = HugeVector<Slot>(cap);
  }
  // The owner of `key`: `node` when the key is new (and it is recorded), else the first one.
  std::pair<uint32_t, bool> Emplace(const std::string& key, uint32_t node) {
    const size_t hash = std::hash<std::string_view>{}(key);
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.key == nullptr) {
        s = Slot{hash, &key, node};
        if (++size_ * 4 > slots_.size() * 3) Grow();
        return {node, true};
      }
      if (s.hash == hash && *s.key == key) return {s.node, false};
    }
  }

 private:
  struct Slot {
    size_t hash = 0;
    const std::string* key = nullptr;
    uint32_t node = 0;
  };
  void Grow() {
    std::vector<Slot> old = HugeVector<Slot>(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.key == nullptr) continue;
      size_t i = s.hash & mask;
      while (slots_[i].key != nullptr) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t size_ = 0;
};

bool HasPhone(const std::vector<Phone>& phones, const std::string& e164) {
  return std::any_of(phones.begin(), phones.end(), [&](const Phone& p) { return p.e164 == e164; });
}

}  // namespace

void MobileFirst(std::vector<Phone>& phones) {
  std::stable_partition(phones.begin(), phones.end(),
                        [](const Phone& p) { return p.type == PhoneType::kMobile; });
}

DedupResult Deduplicate(std::vector<DedupRow> rows, const ExistingContacts& existing,
                        size_t two_threads_from) {
  // Existing contacts become nodes after the rows.
  std::unordered_map<int64_t, uint32_t> contact_node;
  std::vector<int64_t> contact_ids;
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
  constexpr uint32_t kNew = UINT32_MAX;
  std::vector<uint32_t> doc_owner_of = HugeVector<uint32_t>(rows.size(), kNew);
  auto fill_documents = [&] {
    OwnerTable owners(rows.size() + existing.by_document.size());
    size_t k = 0;
    for (const auto& entry : existing.by_document)
      owners.Emplace(entry.first, doc_contact_node[k++]);
    for (size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].document.empty()) continue;
      auto [owner, added] = owners.Emplace(rows[i].document, static_cast<uint32_t>(i));
      if (!added) doc_owner_of[i] = owner;
    }
  };
  std::vector<uint32_t> phone_owner_of =
      HugeVector<uint32_t>(phone_count, kNew);  // rows' phones, in order
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
    size_t at = 0;
    for (size_t i = 0; i < rows.size(); ++i) {
      for (const auto& p : rows[i].phones) {
        auto [owner, added] = owners.Emplace(p.e164, static_cast<uint32_t>(i));
        if (!added) phone_owner_of[at] = owner;
        ++at;
      }
    }
    if (documents.joinable()) documents.join();
  }

  UnionFind uf(rows.size(), contact_ids);
  std::vector<DupKey> link = HugeVector<DupKey>(rows.size(), DupKey::kNone);
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
  DedupResult result;
  result.rows = HugeVector<DedupOutcome>(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const uint32_t root = uf.Find(static_cast<uint32_t>(i));
    DedupOutcome& out = result.rows[i];
    if (root == i) continue;  // a winner: its phones are collected below
    out.duplicate = true;
    const auto& row = rows[i];
    if (uf.IsContact(root)) {
      const int64_t id = uf.ContactId(root);
      out.of_contact = id;
      auto d = existing.by_document.find(row.document);
      if (!row.document.empty() && d != existing.by_document.end() && d->second == id) {
        out.key = DupKey::kDocument;
      } else if (std::any_of(row.phones.begin(), row.phones.end(), [&](const Phone& p) {
                   auto f = existing.by_phone.find(p.e164);
                   return f != existing.by_phone.end() && f->second == id;
                 })) {
        out.key = DupKey::kPhone;
      } else {
        out.key = link[i];
      }
    } else {
      out.of_row = root;
      const auto& winner = rows[root];
      if (!row.document.empty() && row.document == winner.document) {
        out.key = DupKey::kDocument;
      } else if (std::any_of(row.phones.begin(), row.phones.end(),
                             [&](const Phone& p) { return HasPhone(winner.phones, p.e164); })) {
        out.key = DupKey::kPhone;
      } else {
        out.key = link[i];
      }
    }
  }
  // Phones: each winner keeps its own, then gains the others' in row order.
  for (size_t i = 0; i < rows.size(); ++i) {
    const uint32_t root = uf.Find(static_cast<uint32_t>(i));
    if (root == i) {
      // A winner's own phones come first (no row before it is in its set) and have no
      // repeats: they are taken as they are.
      result.rows[i].phones = std::move(rows[i].phones);
      continue;
    }
    std::vector<Phone>* into = nullptr;
    if (uf.IsContact(root)) {
      into = &result.gained[uf.ContactId(root)];
    } else {
      into = &result.rows[root].phones;
    }
    for (auto& p : rows[i].phones) {
      if (uf.IsContact(root) && existing.by_phone.count(p.e164) > 0) continue;
      if (!HasPhone(*into, p.e164)) into->push_back(std::move(p));
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
  return result;
}

}  // namespace sondeo::campaigns
