// ConversationCache: the conversations one projection step touches, decoded from cs/ once and
// written back once when the step ends, instead of once per event: replaying a conversation's
// eight events in one step encodes and renders it once, and moves its inbox index keys and
// summary counters once, from what the step found stored to where the step leaves it.
// Single-threaded: lives for one step of the projection runner.
#pragma once

#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

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
  // `id` changed: it is written when the step flushes (unless the step deleted it: a later event
  // of another stream, read after the deletion on a partitioned log, leaves it deleted).
  void MarkChanged(const std::string& id) {
    if (!deleted_.count(id)) changed_.insert(id);
  }
  // `id` was deleted: its stored forms, index keys and counts are removed when the step flushes.
  void MarkDeleted(const std::string& id) {
    changed_.erase(id);
    deleted_.insert(id);
  }
  // Writes every changed or deleted conversation into the step's transaction.
  void Flush();

 private:
  struct Entry {
    ConversationView view;
    // The index keys and counters of the state the step found stored (none when it made the
    // conversation): the database holds exactly these for it.
    std::set<std::string> stored_index_keys;
    std::vector<std::string> stored_counter_keys;
  };
  // Moves the index keys and counters of `entry` from its stored state to its current one.
  void MoveIndexAndCounters(const Entry& entry);

  ViewTxn& txn_;
  std::unordered_map<std::string, Entry> entries_;
  std::unordered_set<std::string> changed_, deleted_;
};

}  // namespace helpdesk
