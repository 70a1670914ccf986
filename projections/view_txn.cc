#include "projections/view_txn.h"

#include <algorithm>

namespace helpdesk {
namespace {

bool IsScanned(const std::string& key) {
  for (const char* prefix : ViewTxn::kScannedPrefixes) {
    if (key.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace

std::optional<std::string> ViewTxn::Get(const std::string& key) {
  if (auto it = pending_.find(key); it != pending_.end()) return it->second.value;
  if (below_) {
    if (auto it = below_->pending_.find(key); it != below_->pending_.end()) {
      return it->second.value;
    }
  }
  std::string value;
  if (!db_->Get(rocksdb::ReadOptions(), key, &value).ok()) return std::nullopt;
  return value;
}

ViewTxn::Pending& ViewTxn::Touch(std::string key) {
  // The key is moved in: most are made for the call (a prefix and an id).
  auto [it, inserted] = pending_.try_emplace(std::move(key));
  if (inserted && IsScanned(it->first)) scanned_.insert(it->first);
  return it->second;
}

void ViewTxn::Put(std::string key, std::string value) {
  Touch(std::move(key)).value = std::move(value);
}

void ViewTxn::Insert(std::string key, std::string value) {
  const size_t touched = pending_.size();
  Pending& pending = Touch(std::move(key));
  // Untouched in this step and absent with it applied: absent from the database too.
  if (pending_.size() > touched) pending.absent_before = true;
  pending.value = std::move(value);
}

void ViewTxn::Delete(const std::string& key) {
  auto it = pending_.find(key);
  if (it != pending_.end() && it->second.absent_before) {
    // Made and unmade within the step: the database never needs to hear of it.
    scanned_.erase(key);
    pending_.erase(it);
    return;
  }
  Touch(key).value = std::nullopt;
}

std::vector<std::string> ViewTxn::KeysWithPrefix(const std::string& prefix) {
  std::set<std::string> keys;
  if (!iterator_) iterator_.reset(db_->NewIterator(rocksdb::ReadOptions()));
  rocksdb::Iterator* it = iterator_.get();
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    keys.insert(it->key().ToString());
  }
  const bool scanned = IsScanned(prefix);
  for (const ViewTxn* layer : {below_, static_cast<const ViewTxn*>(this)}) {
    if (!layer) continue;
    auto apply = [&keys](const std::string& key, const Pending& pending) {
      if (pending.value) {
        keys.insert(key);
      } else {
        keys.erase(key);
      }
    };
    if (scanned) {
      for (auto k = layer->scanned_.lower_bound(prefix);
           k != layer->scanned_.end() && k->starts_with(prefix); ++k) {
        apply(*k, layer->pending_.at(*k));
      }
    } else {
      for (const auto& [key, pending] : layer->pending_) {
        if (key.starts_with(prefix)) apply(key, pending);
      }
    }
  }
  return {keys.begin(), keys.end()};
}

std::optional<std::string> ViewTxn::FirstKeyAtOrAfter(const std::string& prefix,
                                                      const std::string& start) {
  // Whether the layers leave `key` present: the topmost layer that wrote it decides.
  auto live_in_layers = [this](const std::string& key) -> std::optional<bool> {
    for (const ViewTxn* layer : {static_cast<const ViewTxn*>(this), below_}) {
      if (!layer) continue;
      if (auto it = layer->pending_.find(key); it != layer->pending_.end()) {
        return it->second.value.has_value();
      }
    }
    return std::nullopt;
  };
  std::optional<std::string> first;
  for (const ViewTxn* layer : {static_cast<const ViewTxn*>(this), below_}) {
    if (!layer) continue;
    for (auto k = layer->scanned_.lower_bound(std::max(prefix, start));
         k != layer->scanned_.end() && k->starts_with(prefix); ++k) {
      if (first && *k >= *first) break;
      if (live_in_layers(*k).value_or(false)) {
        first = *k;
        break;
      }
    }
  }
  if (!iterator_) iterator_.reset(db_->NewIterator(rocksdb::ReadOptions()));
  rocksdb::Iterator* it = iterator_.get();
  for (it->Seek(std::max(prefix, start)); it->Valid() && it->key().starts_with(prefix);
       it->Next()) {
    std::string key = it->key().ToString();
    if (first && key >= *first) break;
    if (live_in_layers(key).value_or(true)) return key;
  }
  return first;
}

rocksdb::WriteBatch ViewTxn::ToWriteBatch() const {
  rocksdb::WriteBatch batch;
  WriteTo(batch);
  return batch;
}

void ViewTxn::WriteTo(rocksdb::WriteBatch& batch) const {
  // In key order: RocksDB's memtable inserts a run of ascending keys from where the last one
  // went, instead of searching its skip list from the top for each (a third of a commit's
  // time in a replay went to those key comparisons).
  std::vector<const std::pair<const std::string, Pending>*> sorted;
  sorted.reserve(pending_.size());
  for (const auto& entry : pending_) sorted.push_back(&entry);
  std::sort(sorted.begin(), sorted.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : sorted) {
    const auto& [key, pending] = *entry;
    if (pending.value) {
      batch.Put(key, *pending.value).PermitUncheckedError();
    } else {
      batch.Delete(key).PermitUncheckedError();
    }
  }
}

nlohmann::json LoadJson(ViewTxn& txn, const std::string& key) {
  auto v = txn.Get(key);
  if (!v) return nlohmann::json();
  return nlohmann::json::parse(*v, nullptr, false);
}

}  // namespace helpdesk
