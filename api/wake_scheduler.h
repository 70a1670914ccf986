// WakeScheduler: the node's timer. It wakes postponed conversations when their time comes: it
// reads the postpone schedule view and sends each due conversation the WakeDue command; the
// domain refuses a wake-up that is no longer due (woken by the customer, postponed again), so a
// stale view or a second node doing the same is harmless. (Every node sends the first 500 due
// wake-ups, routed to their owners: filtering by owner after that limit could leave a node's own
// behind others' forever.) Each pass then runs the TaskTimer (reminders and schedules of tasks),
// which works the same way but walks the whole index, so it sends only what this node owns.
#pragma once

#include <atomic>
#include <thread>

#include "adapters/clock.h"
#include "api/task_timer.h"
#include "commands/commands.h"
#include "projections/view_queries.h"

namespace helpdesk {

class WakeScheduler {
 public:
  // `views`: how far the views are (for the task timer; not owned, may be null). `owns`: the
  // streams whose commands the task timer sends (empty: all).
  WakeScheduler(Commands& commands, const ViewQueries& queries, const TaskQueries& tasks,
                const Clock& clock, const ViewProgress* views = nullptr, OwnsStream owns = {});
  ~WakeScheduler();
  void Start();
  // One pass: wakes everything due now. Returns how many were woken.
  int RunOnce();

 private:
  Commands& commands_;
  const ViewQueries& queries_;
  const Clock& clock_;
  TaskTimer tasks_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace helpdesk
