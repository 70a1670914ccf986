// Tasks and activities: the to-dos of an agent's day ("Atividades"), the rules of their life and
// of their deadlines, and the recurring schedules that make them. All pure: time comes in as an
// argument, and a time zone as a function giving its UTC offset at an instant.
//
// A task is `queued` for a team until a member takes it, `pending` for one user, then `done`
// (finished, with an outcome) or `archived`; `reopen` brings it back to `pending`.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/event.h"
#include "domain/events.h"
#include "domain/evolve.h"
#include "domain/time.h"

namespace helpdesk {

// The types every desk has; admins add more (TaskTypeDefined).
inline constexpr const char* kBuiltInTaskTypes[] = {"email", "call", "scheduling", "custom"};
bool IsBuiltInTaskType(const std::string& id);

// "Within the deadline" ends this long before it (yellow), and the reminder comes this long
// before it.
inline constexpr int64_t kTaskYellowWindowMs = 24 * kHourMs;
inline constexpr int64_t kTaskReminderLeadMs = kHourMs;

struct TaskTypeState {
  bool exists = false;
  uint64_t version = 0;
  std::string id, name;
};

struct TaskState {
  bool exists = false;
  uint64_t version = 0;
  std::string id, type, title, description, status;  // status: queued|pending|done|archived
  std::optional<Timestamp> due_at;
  std::string assignee_id, team_id, contact_id, conversation_id, deal_id;
  std::string created_by;   // the user who made it; "" when the system did (a schedule, the admin)
  std::string schedule_id;  // the schedule that made it, or ""
  bool started = false;     // its assignee recorded they started it (since it was last reopened)
  Timestamp created_at;
  // The due date each reminder was sent for (a new due date may be reminded again).
  std::optional<Timestamp> reminded_soon_for, reminded_overdue_for;
};

bool IsOpenTaskStatus(const std::string& status);  // queued or pending

// The colour of a task's deadline at `now`: "none" without a due date or once done or archived;
// "red" from the due instant on; "yellow" within the last 24 hours before it (exactly 24 h left
// is yellow); "green" before.
std::string TaskDeadline(const std::optional<Timestamp>& due_at, const std::string& status,
                         Timestamp now);

// The reminders a task has to get, in the order they are due.
enum class TaskReminder { kNone, kDueSoon, kOverdue };
// The reminder due at `now`, if any: `overdue` from the due instant on, `due_soon` in the last
// hour before it; each once per due date. A task that is overdue before its hour's reminder went
// out gets only the overdue one.
TaskReminder ReminderDue(const TaskState& task, Timestamp now);
// When the next reminder falls due (nullopt: none is left). The timer's index is keyed by it.
std::optional<Timestamp> NextReminderAt(const TaskState& task);
const char* ReminderName(TaskReminder reminder);  // "due_soon" | "overdue"

// Field rules: a title 1–256 bytes, a description at most 4,096, an outcome or an archive reason
// at most 1,024; no control characters but newlines and tabs in the long ones.
std::optional<std::string> TaskTitleProblem(const std::string& title);
std::optional<std::string> TaskTextProblem(const std::string& text, size_t max_bytes);
inline constexpr size_t kMaxTaskDescriptionBytes = 4096;
inline constexpr size_t kMaxTaskOutcomeBytes = 1024;

// What each action needs of the task's status; nullopt when it may go on.
//   take: queued (taking your own pending task is nothing to do: callers check first);
//   start: pending; finish, archive: queued or pending; reopen: done or archived;
//   transfer, edit: queued or pending.
std::optional<std::string> TaskActionProblem(const std::string& action, const std::string& status);

// --- Schedules ---

// A recurring schedule: every day, week (on `weekday`, 1 Monday … 7 Sunday) or month (on `day`,
// 1–31; a month without that day uses its last day) at a local time of day.
struct TaskScheduleRule {
  std::string every;  // "day" | "week" | "month"
  int minute_of_day = 0;
  int weekday = 0;
  int day = 0;
};
// The rule read from the API's fields, or why not ({field, why}).
std::optional<std::pair<std::string, std::string>> ScheduleRuleProblem(
    const std::string& every, const std::string& at, const std::optional<int>& weekday,
    const std::optional<int>& day);
// Parses "HH:MM" (00:00–23:59) into minutes of the day.
std::optional<int> ParseTimeOfDay(const std::string& at);

// The zone's UTC offset at an instant, in seconds.
using UtcOffsetAt = std::function<int64_t(Timestamp)>;

// The instant a local wall-clock time (milliseconds as if it were UTC) happens in the zone.
// A time the zone skips (a daylight-saving gap) happens as much later as the gap is long (02:30
// in a gap from 02:00 to 03:00 is 03:30); a time that happens twice (an overlap) happens at the
// first of the two.
Timestamp LocalToInstant(int64_t local_ms, const UtcOffsetAt& offset_at);

// The schedule's first occurrence strictly after `after`.
Timestamp NextOccurrence(const TaskScheduleRule& rule, Timestamp after,
                         const UtcOffsetAt& offset_at);

struct TaskScheduleState {
  bool exists = false;
  uint64_t version = 0;
  std::string id;
  TaskScheduleRule rule;
  std::string tz;
  bool active = true;
  Timestamp created_at;
  std::optional<Timestamp> last_occurrence;        // the last occurrence that made its task
  nlohmann::json task = nlohmann::json::object();  // the fields of each task it makes
};

// Each state's move with one event of its stream (domain/evolve.h).
void Evolve(TaskTypeState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);
void Evolve(TaskState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);
void Evolve(TaskScheduleState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);

}  // namespace helpdesk
