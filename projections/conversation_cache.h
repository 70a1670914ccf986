// ConversationCache: the conversations one projection step touches, decoded from cs/ once and
// written back (cs/ and c/) once when the step ends, instead of once per event: replaying a
// conversation's eight events in one step encodes and renders it once.
// Single-threaded: lives for one step of the projection runner.
#pragma once

#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "projections/conversation_view.h"
#include "projections/view_txn.h"

namespace helpdesk {

class ConversationCache {
 public:
  explicit ConversationCache(ViewTxn& txn) : txn_(txn) {}

  enum class Lookup { kFound, kMissing, kUnreadable };
  // The conversation as of this step, in `*view` when found.
  Lookup Find(const std::string& id, ConversationView** view);
  // A conversation not stored yet.
  ConversationView& Create(const std::string& id);
  // The inbox index keys of `id`'s current state, if this step computed them (else empty).
  std::set<std::string>& IndexKeysOf(const std::string& id) { return index_keys_[id]; }
  // `id` changed: it is written when the step flushes.
  void MarkChanged(const std::string& id) { changed_.insert(id); }
  // `id` was deleted: its stored forms are removed when the step flushes.
  void MarkDeleted(const std::string& id) {
    changed_.erase(id);
    deleted_.insert(id);
  }
  // Writes every changed conversation into the step's transaction.
  void Flush();

 private:
  ViewTxn& txn_;
  std::unordered_map<std::string, ConversationView> views_;
  std::unordered_set<std::string> changed_, deleted_;
  std::unordered_map<std::string, std::set<std::string>> index_keys_;
};

}  // namespace helpdesk
