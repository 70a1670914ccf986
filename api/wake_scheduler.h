// WakeScheduler: wakes postponed conversations when their time comes. It reads the postpone
// schedule view and sends each due conversation the WakeDue command; the domain refuses a
// wake-up that is no longer due (woken by the customer, postponed again), so a stale view or a
// second node doing the same is harmless.
#pragma once

#include <atomic>
#include <thread>

#include "adapters/clock.h"
#include "commands/commands.h"
#include "projections/view_queries.h"

namespace helpdesk {

class WakeScheduler {
 public:
  WakeScheduler(Commands& commands, const ViewQueries& queries, const Clock& clock);
  ~WakeScheduler();
  void Start();
  // One pass: wakes everything due now. Returns how many were woken.
  int RunOnce();

 private:
  Commands& commands_;
  const ViewQueries& queries_;
  const Clock& clock_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace helpdesk
