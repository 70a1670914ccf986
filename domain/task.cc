#include "domain/task.h"

#include <algorithm>
#include <cstring>

#include "domain/events.h"
#include "domain/text.h"

namespace helpdesk {

bool IsBuiltInTaskType(const std::string& id) {
  return std::any_of(std::begin(kBuiltInTaskTypes), std::end(kBuiltInTaskTypes),
                     [&](const char* t) { return id == t; });
}

bool IsOpenTaskStatus(const std::string& status) {
  return status == "queued" || status == "pending";
}

std::string TaskDeadline(const std::optional<Timestamp>& due_at, const std::string& status,
                         Timestamp now) {
  if (!due_at || !IsOpenTaskStatus(status)) return "none";
  if (now >= *due_at) return "red";
  if (due_at->ms - now.ms <= kTaskYellowWindowMs) return "yellow";
  return "green";
}

TaskReminder ReminderDue(const TaskState& task, Timestamp now) {
  if (!task.exists || !task.due_at || !IsOpenTaskStatus(task.status)) return TaskReminder::kNone;
  const Timestamp due = *task.due_at;
  if (now >= due) {
    return task.reminded_overdue_for == due ? TaskReminder::kNone : TaskReminder::kOverdue;
  }
  if (now.ms >= due.ms - kTaskReminderLeadMs && task.reminded_soon_for != due) {
    return TaskReminder::kDueSoon;
  }
  return TaskReminder::kNone;
}

std::optional<Timestamp> NextReminderAt(const TaskState& task) {
  if (!task.exists || !task.due_at || !IsOpenTaskStatus(task.status)) return std::nullopt;
  const Timestamp due = *task.due_at;
  if (task.reminded_overdue_for == due) return std::nullopt;
  if (task.reminded_soon_for == due) return due;
  return Timestamp{due.ms - kTaskReminderLeadMs};
}

const char* ReminderName(TaskReminder reminder) {
  return reminder == TaskReminder::kOverdue ? "overdue" : "due_soon";
}

std::optional<std::string> TaskTitleProblem(const std::string& title) {
  if (Trimmed(title).empty() || title.size() > 256) return "must be 1 to 256 bytes, not blank";
  if (HasControlCharacter(title)) return "must have no control characters";
  return std::nullopt;
}

std::optional<std::string> TaskTextProblem(const std::string& text, size_t max_bytes) {
  if (text.size() > max_bytes) return "must be at most " + std::to_string(max_bytes) + " bytes";
  for (const unsigned char c : text) {
    if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) {
      return "must have no control characters but newlines and tabs";
    }
  }
  return std::nullopt;
}

std::optional<std::string> TaskActionProblem(const std::string& action, const std::string& status) {
  auto is = [&](std::initializer_list<const char*> allowed) {
    return std::any_of(allowed.begin(), allowed.end(), [&](const char* s) { return status == s; });
  };
  bool ok = false;
  if (action == "take") {
    ok = is({"queued"});
  } else if (action == "start") {
    ok = is({"pending"});
  } else if (action == "finish" || action == "archive" || action == "transfer" ||
             action == "edit") {
    ok = is({"queued", "pending"});
  } else if (action == "reopen") {
    ok = is({"done", "archived"});
  }
  if (ok) return std::nullopt;
  return "a " + status + " task cannot " + action;
}

// --- Schedules ---

std::optional<int> ParseTimeOfDay(const std::string& at) {
  if (at.size() != 5 || at[2] != ':') return std::nullopt;
  for (int i : {0, 1, 3, 4}) {
    if (at[i] < '0' || at[i] > '9') return std::nullopt;
  }
  const int h = (at[0] - '0') * 10 + (at[1] - '0');
  const int m = (at[3] - '0') * 10 + (at[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::optional<std::pair<std::string, std::string>> ScheduleRuleProblem(
    const std::string& every, const std::string& at, const std::optional<int>& weekday,
    const std::optional<int>& day) {
  if (every != "day" && every != "week" && every != "month") {
    return std::make_pair("every", "must be day, week or month");
  }
  if (!ParseTimeOfDay(at)) {
    return std::make_pair("at", "must be a local time of day, HH:MM from 00:00 to 23:59");
  }
  if (every == "week" && (!weekday || *weekday < 1 || *weekday > 7)) {
    return std::make_pair("weekday", "a weekly schedule needs 1 (Monday) to 7 (Sunday)");
  }
  if (every != "week" && weekday) return std::make_pair("weekday", "is only for weekly schedules");
  if (every == "month" && (!day || *day < 1 || *day > 31)) {
    return std::make_pair("day", "a monthly schedule needs a day of the month, 1 to 31");
  }
  if (every != "month" && day) return std::make_pair("day", "is only for monthly schedules");
  return std::nullopt;
}

namespace {

// Civil dates (proleptic Gregorian), after Howard Hinnant's algorithms.
struct Civil {
  int64_t y;
  unsigned m, d;
};
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m != 2) return kDays[m - 1];
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return leap ? 29 : 28;
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Whether the rule has an occurrence on this local day (days since the epoch).
bool OccursOn(const TaskScheduleRule& rule, int64_t day) {
  if (rule.every == "day") return true;
  if (rule.every == "week") {
    // 1970-01-01 was a Thursday (ISO weekday 4).
    const int64_t weekday = ((day % 7) + 7 + 3) % 7 + 1;
    return weekday == rule.weekday;
  }
  const Civil c = CivilFromDays(day);
  const unsigned target = std::min<unsigned>(rule.day, DaysInMonth(c.y, c.m));
  return c.d == target;
}

}  // namespace

Timestamp LocalToInstant(int64_t local_ms, const UtcOffsetAt& offset_at) {
  // The offsets in force a day either side bound every offset the local time may have.
  const int64_t before = offset_at(Timestamp{local_ms - kDayMs}) * 1000;
  const int64_t after = offset_at(Timestamp{local_ms + kDayMs}) * 1000;
  std::optional<int64_t> best;
  for (const int64_t offset : {before, after}) {
    const int64_t candidate = local_ms - offset;
    if (offset_at(Timestamp{candidate}) * 1000 == offset && (!best || candidate < *best)) {
      best = candidate;
    }
  }
  if (best) return Timestamp{*best};
  // In a gap: read with the offset before it, which lands as far past the gap's end as the
  // time was past its start.
  return Timestamp{local_ms - before};
}

Timestamp NextOccurrence(const TaskScheduleRule& rule, Timestamp after,
                         const UtcOffsetAt& offset_at) {
  const int64_t local_after = after.ms + offset_at(after) * 1000;
  // Start the day before (an occurrence in a gap or an overlap may land on either side), and
  // walk at most 400 days: every rule occurs within a month.
  for (int64_t day = FloorDiv(local_after, kDayMs) - 1, n = 0; n < 400; ++day, ++n) {
    if (!OccursOn(rule, day)) continue;
    const Timestamp at = LocalToInstant(
        day * kDayMs + static_cast<int64_t>(rule.minute_of_day) * kMinuteMs, offset_at);
    if (at > after) return at;
  }
  return Timestamp{after.ms + 366 * kDayMs};  // unreachable for a valid rule
}

// --- Evolve ---

void Evolve(TaskTypeState& s, const NewEvent&, const std::optional<events::Event>& event,
            uint64_t v) {
  s.version = v;
  if (const auto* d = events::As<events::TaskTypeDefined>(event)) {
    s.exists = true;
    s.id = d->type_id;
    s.name = d->name;
  }
}

void Evolve(TaskState& s, const NewEvent& e, const std::optional<events::Event>& event,
            uint64_t v) {
  s.version = v;
  if (!event) return;
  std::visit(events::Overloaded{
                 [&](const events::TaskCreated& c) {
                   s.exists = true;
                   s.id = c.task_id;
                   s.type = c.type;
                   s.title = c.title;
                   s.description = c.description.value_or("");
                   s.status = c.status;
                   s.due_at = c.due_at;
                   s.assignee_id = c.assignee_id.value_or("");
                   s.team_id = c.team_id.value_or("");
                   s.contact_id = c.contact_id.value_or("");
                   s.conversation_id = c.conversation_id.value_or("");
                   s.deal_id = c.deal_id.value_or("");
                   s.schedule_id = c.schedule_id.value_or("");
                   s.created_by = e.actor.type == Actor::Type::kUser ? e.actor.id : "";
                   s.created_at = e.at;
                 },
                 [&](const events::TaskUpdated& u) {
                   if (u.title) s.title = *u.title;
                   if (u.description) s.description = *u.description;
                   if (u.due_at_changed) s.due_at = u.due_at;
                 },
                 [&](const events::TaskTaken& t) {
                   s.assignee_id = t.user_id;
                   s.status = "pending";
                 },
                 [&](const events::TaskTransferred& t) {
                   s.assignee_id = t.to_user_id.value_or("");
                   if (t.to_team_id) s.team_id = *t.to_team_id;
                   s.status = t.status;
                 },
                 [&](const events::TaskStarted&) { s.started = true; },
                 [&](const events::TaskFinished&) { s.status = "done"; },
                 [&](const events::TaskArchived&) { s.status = "archived"; },
                 [&](const events::TaskReopened& r) {
                   s.status = "pending";
                   s.started = false;
                   s.assignee_id = r.assignee_id;
                 },
                 [&](const events::TaskReminded& r) {
                   if (r.reminder == "overdue") {
                     s.reminded_overdue_for = r.due_at;
                   } else {
                     s.reminded_soon_for = r.due_at;
                   }
                 },
                 [](const auto&) {},
             },
             *event);
}

void Evolve(TaskScheduleState& s, const NewEvent& e, const std::optional<events::Event>& event,
            uint64_t v) {
  s.version = v;
  if (const auto* d = events::As<events::TaskScheduleDefined>(event)) {
    if (!s.exists) s.created_at = e.at;
    s.exists = true;
    s.id = d->schedule_id;
    s.rule = {d->every, ParseTimeOfDay(d->at).value_or(0), d->weekday.value_or(0),
              d->day.value_or(0)};
    s.tz = d->tz;
    s.task = d->task;
    s.active = true;
  } else if (events::As<events::TaskScheduleStopped>(event)) {
    s.active = false;
  } else if (const auto* o = events::As<events::TaskScheduleOccurred>(event)) {
    s.last_occurrence = o->occurrence_at;
  }
}

}  // namespace helpdesk
