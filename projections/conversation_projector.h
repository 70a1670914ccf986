// ConversationProjector: events of conversation streams into the conversation views — the
// rendered object, the inbox indexes, counters for the summary, messages, the timeline and
// the postpone schedule. It evolves the state with the domain's own Evolve, so a rule such as
// "only a public reply clears waiting_since" is written once.
#pragma once

#include "domain/conversation.h"
#include "domain/event.h"
#include "projections/conversation_cache.h"
#include "projections/view_txn.h"

namespace helpdesk {

class ConversationProjector {
 public:
  // Reads and changes conversations through `cache` (the step flushes it).
  void Apply(const RecordedEvent& r, ViewTxn& txn, ConversationCache& cache) const;
};

// Counter keys for the inbox summary.
std::string StatusCounterKey(ConversationStatus s);
std::string UserStatusCounterKey(const std::string& user_id, ConversationStatus s);
std::string TeamStatusCounterKey(const std::string& team_id, ConversationStatus s);
// Key of one wake-up in the postpone schedule.
std::string DueKey(Timestamp until, const std::string& conversation_id);
// A counter's value (0 when absent).
int64_t ReadCounter(const std::optional<std::string>& stored);

}  // namespace helpdesk
