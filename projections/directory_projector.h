// DirectoryProjector: users, teams, channels and contacts into their views (u/, t/, ch/, k/).
// A contact's change of funnel stage is copied onto each of its conversations, so the inbox can
// show and filter by it without a join at read time.
#pragma once

#include "domain/event.h"
#include "projections/conversation_cache.h"
#include "projections/view_txn.h"

namespace helpdesk {

class DirectoryProjector {
 public:
  // Contact changes reach the conversations through `cache`.
  void Apply(const RecordedEvent& r, ViewTxn& txn, ConversationCache& cache) const;
};

}  // namespace helpdesk
