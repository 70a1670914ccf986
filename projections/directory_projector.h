// DirectoryProjector: users, teams, channels and contacts into their views (u/, t/, ch/, k/).
// A contact's change of funnel stage is copied onto each of its conversations, so the inbox can
// show and filter by it without a join at read time.
#pragma once

#include "domain/event.h"
#include "projections/view_txn.h"

namespace helpdesk {

class DirectoryProjector {
 public:
  void Apply(const RecordedEvent& r, ViewTxn& txn) const;
};

}  // namespace helpdesk
