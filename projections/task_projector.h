// TaskProjector: task types, tasks and task schedules into their views (view_keys.h, "Tasks"):
//   - each task as the API shows it (tk/; its deadline colour is computed at read time);
//   - the task lists: one key per task, scope and sort, the scopes being every task, an
//     assignee's, a team's and a creator's, each for one status and for any (tx/), valued with
//     the fields the other filters test, and a counter per scope (tn/: `total`);
//   - the timer's index of reminders to come (trm/: the next reminder's instant, then the id);
//   - the tasks report's period cells (trp/, period_cells.h);
//   - notifications (nt/, domain/notifications.h) and each task event in its contact's timeline;
//   - each contact's tasks (ktk/), which a merge moves to the surviving contact.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/event.h"
#include "domain/events.h"
#include "projections/view_txn.h"

namespace helpdesk {

class TaskProjector {
 public:
  // An event of a task type's, a task's or a task schedule's stream.
  void Apply(const RecordedEvent& r, ViewTxn& txn) const;
  // An event of a contact's stream (`event` its decoding): a merge moves the duplicate's tasks
  // to the survivor.
  void ApplyContact(const RecordedEvent& r, const std::optional<events::Event>& event,
                    ViewTxn& txn) const;
};

// List scopes (the part before "|<status>").
inline constexpr char kEveryTaskScope[] = "*";
inline std::string TaskAssigneeScope(const std::string& user) { return "u/" + user; }
inline std::string TaskTeamScope(const std::string& team) { return "t/" + team; }
inline std::string TaskCreatorScope(const std::string& user) { return "c/" + user; }
// A list: a scope narrowed to a status ("" any) and sorted by due date ('d', soonest first, no
// due date last) or by creation ('c', newest first).
std::string TaskListPrefix(const std::string& scope, const std::string& status, char sort);
std::string TaskCountKey(const std::string& scope, const std::string& status);
// The sort part of a list key (8 bytes) for a due date or a creation instant.
std::string TaskDueSortKey(const std::optional<int64_t>& due_ms);
std::string TaskCreatedSortKey(int64_t created_ms);

// The value of a list key: what the filters test without reading the task.
struct TaskListEntry {
  std::string type, contact_id, status, assignee_id;
  std::optional<int64_t> due_ms;
};
std::string EncodeTaskListEntry(const TaskListEntry& entry);
TaskListEntry DecodeTaskListEntry(std::string_view value);

// The timer's index: trm/<be64 instant><id>.
std::string TaskReminderKey(int64_t at_ms, const std::string& id);
// The tasks report's cells; measures <dimension>\0<c|d|l|h>, the dimension "" (every task),
// "y/<type>" or "a/<assignee>": c created, d done, l done late, h time to done (a histogram).
std::string TaskReportPrefix(char grain);

}  // namespace helpdesk
