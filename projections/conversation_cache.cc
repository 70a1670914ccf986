#include "projections/conversation_cache.h"

namespace helpdesk {

ConversationCache::Lookup ConversationCache::Find(const std::string& id, ConversationView** view) {
  if (auto it = views_.find(id); it != views_.end()) {
    *view = &it->second;
    return Lookup::kFound;
  }
  auto stored = txn_.Get("cs/" + id);
  if (!stored) return Lookup::kMissing;
  auto decoded = DecodeState(*stored);
  if (!decoded) return Lookup::kUnreadable;
  *view = &views_.emplace(id, std::move(*decoded)).first->second;
  return Lookup::kFound;
}

ConversationView& ConversationCache::Create(const std::string& id) {
  ConversationView& view = views_[id];
  view = ConversationView{};
  return view;
}

void ConversationCache::Flush() {
  for (const std::string& id : changed_) {
    const ConversationView& view = views_.at(id);
    txn_.Put("cs/" + id, EncodeState(view));
    txn_.Put("c/" + id, RenderStored(view));
  }
  changed_.clear();
  for (const std::string& id : deleted_) {
    txn_.Delete("cs/" + id);
    txn_.Delete("c/" + id);
  }
  deleted_.clear();
}

}  // namespace helpdesk
