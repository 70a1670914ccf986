// DirectoryProjector: users, teams, channels, settings, templates and quick replies into their
// views (u/, t/, ch/, set/, tpl/, qr/); contacts' streams go to the ContactProjector,
// imports' to the ImportProjector, funnels' and deals' (and contacts' stages) to the
// FunnelProjector, task types', tasks' and task schedules' to the TaskProjector.
#pragma once

#include "domain/event.h"
#include "projections/contact_projector.h"
#include "projections/funnel_projector.h"
#include "projections/conversation_cache.h"
#include "projections/import_projector.h"
#include "projections/task_projector.h"
#include "projections/view_txn.h"

namespace helpdesk {

class DirectoryProjector {
 public:
  // Contact changes reach the conversations through `cache`.
  void Apply(const RecordedEvent& r, ViewTxn& txn, ConversationCache& cache) const;

 private:
  ContactProjector contacts_;
  ImportProjector imports_;
  FunnelProjector funnels_;
  TaskProjector tasks_;
};

}  // namespace helpdesk
