#include "api/task_timer.h"

#include <spdlog/spdlog.h>

#include "adapters/time_zone.h"
#include "domain/task.h"

namespace helpdesk {
namespace {

// Reminders sent per pass: all decided, then awaited together, so the log makes them durable
// in a few group commits while the next ones are being decided.
constexpr size_t kRemindersPerPass = 5000;
// The longest a new walk waits for the views to hold the last one's reminders (a stalled
// projector must not stall reminders: the write model refuses doubles anyway).
constexpr int64_t kMaxWaitForViewsMs = 30'000;
// Occurrences of one schedule made per pass: a long outage catches up over a few passes.
constexpr int kOccurrencesPerPass = 100;

int IntOr0(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
}

}  // namespace

int TaskTimer::RunOnce() {
  const Timestamp now = clock_.Now();
  return RemindDue(now) + RunSchedules(now);
}

bool TaskTimer::ViewsHoldLastWalk(Timestamp now) {
  if (!last_walk_sent_) return true;
  if (now < last_walk_end_) last_walk_end_ = now;  // the clock went back: wait from here
  if (views_ && !views_->Applied().Covers(*last_walk_sent_) &&
      now.ms - last_walk_end_.ms < kMaxWaitForViewsMs) {
    return false;  // its index keys are still there: starting over would decide them again
  }
  last_walk_sent_.reset();
  return true;
}

int TaskTimer::RemindDue(Timestamp now) {
  if (reminder_cursor_.empty() && !ViewsHoldLastWalk(now)) return 0;
  TaskQueries::DueReminders due = tasks_.RemindersDue(now, kRemindersPerPass, reminder_cursor_);
  // A full pass leaves more behind it: the next goes on from here. A short one ends the walk, and
  // the next starts over (a reminder moved earlier, by a new due date, is met then).
  const bool walk_ends = due.task_ids.size() < kRemindersPerPass;
  reminder_cursor_ = walk_ends ? "" : due.last_key;
  std::vector<Command> batch;
  batch.reserve(due.task_ids.size());
  for (std::string& id : due.task_ids) {
    if (Owns("task/" + id)) batch.push_back(cmd::RemindTask{std::move(id)});
  }
  int sent = 0;
  bool refused = false;
  for (const auto& outcome : commands_.ExecuteAll(Caller::System(), std::move(batch))) {
    if (outcome.ok()) {
      ++sent;
      walk_sent_.Merge(outcome.value().token);
    } else if (outcome.error().code == ErrorCode::kLogUnavailable && !refused) {
      spdlog::warn("task reminders: {}", outcome.error().message);
      refused = true;
    }
  }
  if (refused) reminder_cursor_.clear();  // what was refused is sent again on a later walk
  if (walk_ends || refused) {
    if (!walk_sent_.offsets().empty()) {
      last_walk_sent_ = std::move(walk_sent_);
      last_walk_end_ = now;
    }
    walk_sent_ = ConsistencyToken();
  }
  return sent;
}

int TaskTimer::RunSchedules(Timestamp now) {
  int made = 0;
  for (const nlohmann::json& schedule : tasks_.Schedules()) {
    if (!schedule.value("active", false)) continue;
    const std::string id = schedule.value("id", "");
    if (!Owns("task_schedule/" + id)) continue;
    auto zone = TimeZone::Find(schedule.value("tz", "UTC"));
    const auto minute = ParseTimeOfDay(schedule.value("at", ""));
    if (!zone.ok() || !minute) continue;
    const TaskScheduleRule rule{schedule.value("every", ""), *minute, IntOr0(schedule, "weekday"),
                                IntOr0(schedule, "day")};
    const UtcOffsetAt offset = [&](Timestamp t) { return zone.value().OffsetAt(t).seconds; };
    auto last = ParseRfc3339(schedule.value("last_occurrence_at", nlohmann::json()).is_string()
                                 ? schedule["last_occurrence_at"].get<std::string>()
                                 : schedule.value("created_at", ""));
    if (!last) continue;
    for (int n = 0; n < kOccurrencesPerPass; ++n) {
      const Timestamp next = NextOccurrence(rule, *last, offset);
      if (next > now) break;
      auto outcome = commands_.Execute(Caller::System(), cmd::RunTaskSchedule{id, next});
      if (!outcome.ok()) {
        if (outcome.error().code != ErrorCode::kInvalidTransition) {
          spdlog::warn("task schedule {}: {}", id, outcome.error().message);
        }
        break;  // the write model knows better (another node ran it): the next pass reads again
      }
      ++made;
      last = next;
    }
  }
  return made;
}

}  // namespace helpdesk
