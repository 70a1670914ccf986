// Read-side queries of tasks (TaskProjector's views): task types, a task with its deadline
// colour at the instant of the read, the task lists with their total, the tasks report, and what
// the timer has to do (reminders due, schedules). All thread-safe (RocksDB reads).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/result.h"
#include "domain/time.h"
#include "projections/inbox_query.h"
#include "projections/view_store.h"

namespace helpdesk {

// A page of GET /tasks. `scopes`: the lists the view reads (one per team for a team view); the
// page merges them in sort order. Absent filters do not narrow.
struct TaskListRequest {
  std::vector<std::string> scopes;
  std::optional<std::string> status, type, contact;
  // Due in [due_from, due_to) (nullopt ends: unbounded); `overdue_at`: due before it and open.
  std::optional<Timestamp> due_from, due_to, overdue_at;
  char sort = 'd';  // 'd' due soonest first (no due date last), 'c' newest first
  std::optional<std::string> cursor;
  size_t limit = 50;
  Timestamp now;  // for the deadline colours
};

struct TaskPage {
  Page page;
  int64_t total = 0;
};

class TaskQueries {
 public:
  explicit TaskQueries(const ViewStore& views) : views_(views) {}

  // The built-in types, then the admins' ones, by id.
  std::vector<nlohmann::json> TaskTypes() const;
  std::optional<nlohmann::json> TaskType(const std::string& id) const;
  // The task as the API shows it, its `deadline` computed at `now`.
  std::optional<nlohmann::json> Task(const std::string& id, Timestamp now) const;
  // Errors: invalid_field "cursor".
  Result<TaskPage> List(const TaskListRequest& request) const;

  // created, done, done late and median time to done of [from, to); overdue now; each for every
  // task, per type and per assignee.
  nlohmann::json Report(Timestamp from, Timestamp to, Timestamp now) const;

  // Tasks whose next reminder is due by `now`, soonest first, at most `limit`, from just after
  // the reminder key `after` ("" from the first). `last_key` continues the walk: the timer goes
  // on from there instead of stepping again over reminders it has just sent (their keys may still
  // be in the view, or deleted but not yet compacted away).
  struct DueReminders {
    std::vector<std::string> task_ids;
    std::string last_key;
  };
  DueReminders RemindersDue(Timestamp now, size_t limit, const std::string& after = "") const;
  std::vector<nlohmann::json> Schedules() const;
  std::optional<nlohmann::json> Schedule(const std::string& id) const;

 private:
  const ViewStore& views_;
};

}  // namespace helpdesk
