#include "projections/conversation_cache.h"

#include "projections/inbox_index.h"
#include "projections/view_keys.h"

namespace helpdesk {

ConversationCache::Lookup ConversationCache::Find(const std::string& id, ConversationView** view) {
  if (auto it = entries_.find(id); it != entries_.end()) {
    *view = &it->second.view;
    return Lookup::kFound;
  }
  auto stored = txn_.Get(view_keys::kConversationState + id);
  if (!stored) return Lookup::kMissing;
  auto decoded = DecodeState(*stored);
  if (!decoded) return Lookup::kUnreadable;
  Entry entry;
  entry.stored_index_keys = IndexKeys(decoded->state);
  entry.stored_counter_keys = CounterKeys(decoded->state);
  entry.view = std::move(*decoded);
  *view = &entries_.emplace(id, std::move(entry)).first->second.view;
  return Lookup::kFound;
}

ConversationView& ConversationCache::Create(const std::string& id) {
  // Nothing stored for it: no index keys or counts to move away from.
  Entry& entry = entries_[id];
  entry = Entry{};
  return entry.view;
}

void ConversationCache::MoveIndexAndCounters(const Entry& entry) {
  const std::set<std::string> keys = IndexKeys(entry.view.state);
  for (const auto& k : entry.stored_index_keys) {
    if (!keys.count(k)) txn_.Delete(k);
  }
  for (const auto& k : keys) {
    if (!entry.stored_index_keys.count(k)) txn_.Insert(k, "");
  }
  const std::vector<std::string> counters = CounterKeys(entry.view.state);
  if (counters == entry.stored_counter_keys) return;
  for (const auto& k : entry.stored_counter_keys) txn_.AddToCounter(k, -1);
  for (const auto& k : counters) txn_.AddToCounter(k, +1);
}

void ConversationCache::Flush() {
  for (const std::string& id : changed_) {
    const Entry& entry = entries_.at(id);
    MoveIndexAndCounters(entry);
    std::string state, rendered;
    EncodeAndRender(entry.view, &state, &rendered);
    txn_.Put(view_keys::kConversationState + id, std::move(state));
    txn_.Put(view_keys::kConversation + id, std::move(rendered));
  }
  changed_.clear();
  for (const std::string& id : deleted_) {
    MoveIndexAndCounters(entries_.at(id));  // a deleted state has none
    txn_.Delete(view_keys::kConversationState + id);
    txn_.Delete(view_keys::kConversation + id);
  }
  deleted_.clear();
}

}  // namespace helpdesk
