// TaskTimer: what tasks need when their time comes. One pass sends each task whose next reminder
// is due the RemindTask command (an hour before its due instant, then at it), and each active
// schedule whose next occurrence has come the RunTaskSchedule command, one occurrence at a time
// (occurrences missed while no node ran are made one by one, in order). The write model decides
// both, so a stale view or a second node doing the same is harmless: each reminder and each
// occurrence happens once.
#pragma once

#include "adapters/clock.h"
#include "commands/commands.h"
#include "projections/task_queries.h"

namespace helpdesk {

class TaskTimer {
 public:
  TaskTimer(Commands& commands, const TaskQueries& tasks, const Clock& clock)
      : commands_(commands), tasks_(tasks), clock_(clock) {}
  // One pass; returns how many commands changed something.
  int RunOnce();
  // The last pass stopped at its size limit with reminders left due: run the next one at once.
  bool HasMore() const { return !reminder_cursor_.empty(); }

 private:
  int RemindDue(Timestamp now);
  int RunSchedules(Timestamp now);

  Commands& commands_;
  const TaskQueries& tasks_;
  const Clock& clock_;
  // Where the walk over due reminders goes on ("" starts over): a burst of reminders falling due
  // together is sent in passes that each pick up after the last, not from the start again.
  std::string reminder_cursor_;
};

}  // namespace helpdesk
