// TaskTimer: what tasks need when their time comes. One pass sends each task whose next reminder
// is due the RemindTask command (an hour before its due instant, then at it), and each active
// schedule whose next occurrence has come the RunTaskSchedule command, one occurrence at a time
// (occurrences missed while no node ran are made one by one, in order). The write model decides
// both, so a stale view or a second node doing the same is harmless: each reminder and each
// occurrence happens once. A walk over the due reminders starts over only once the views hold
// the reminders the last walk sent (their index keys gone), so a burst is not decided twice
// over while the views catch up. On a cluster each node's timer sends only the commands of the
// streams whose partitions it owns (the others' owners send theirs).
#pragma once

#include <optional>
#include <string>

#include "adapters/clock.h"
#include "commands/cluster/view_progress.h"
#include "commands/commands.h"
#include "commands/stream_placement.h"
#include "projections/task_queries.h"

namespace helpdesk {

class TaskTimer {
 public:
  // `views`: how far the views the queries read are (not owned; null: never waited for).
  // `owns`: the streams this node's timer sends commands for (empty: all).
  TaskTimer(Commands& commands, const TaskQueries& tasks, const Clock& clock,
            const ViewProgress* views = nullptr, OwnsStream owns = {})
      : commands_(commands), tasks_(tasks), clock_(clock), views_(views), owns_(std::move(owns)) {}
  // One pass; returns how many commands changed something.
  int RunOnce();
  // The last pass stopped at its size limit with reminders left due: run the next one at once.
  bool HasMore() const { return !reminder_cursor_.empty(); }

 private:
  int RemindDue(Timestamp now);
  int RunSchedules(Timestamp now);
  // Whether a new walk may start: the views hold what the last one sent, or waited long enough.
  bool ViewsHoldLastWalk(Timestamp now);
  bool Owns(const std::string& stream) const { return !owns_ || owns_(stream); }

  Commands& commands_;
  const TaskQueries& tasks_;
  const Clock& clock_;
  // Where the walk over due reminders goes on ("" starts over): a burst of reminders falling due
  // together is sent in passes that each pick up after the last, not from the start again.
  std::string reminder_cursor_;
  const ViewProgress* views_;
  OwnsStream owns_;
  ConsistencyToken walk_sent_;  // the reminders the walk under way has sent
  // The last finished walk's reminders, until the views hold them, and since when.
  std::optional<ConsistencyToken> last_walk_sent_;
  Timestamp last_walk_end_{0};
};

}  // namespace helpdesk
