// Task rules with plain inputs and a fixed clock: the deadline colour at its boundaries, the
// reminders (each once per due date), which action each status allows, schedule rules, and
// occurrences across daylight-saving gaps and overlaps (America/Sao_Paulo's 2018–2019 summer
// time, Europe/Lisbon's 2026 changes), with the zones' offsets written out by hand.
#include "domain/task.h"

#include <gtest/gtest.h>

#include "domain/events.h"
#include "tests/support/domain_fixtures.h"

namespace helpdesk {
namespace {

Timestamp T(const char* rfc3339) { return *ParseRfc3339(rfc3339); }

// A zone that changes offset once: `before` seconds until `change`, `after` from it on.
UtcOffsetAt OneChange(Timestamp change, int64_t before, int64_t after) {
  return [=](Timestamp t) { return t < change ? before : after; };
}
// America/Sao_Paulo around its 2018 spring change: 00:00 local on 2018-11-04 became 01:00.
const UtcOffsetAt kSaoPauloSpring = OneChange(T("2018-11-04T03:00:00Z"), -3 * 3600, -2 * 3600);
// And its 2019 autumn change: 00:00 local on 2019-02-17 went back to 23:00 of the 16th.
const UtcOffsetAt kSaoPauloAutumn = OneChange(T("2019-02-17T02:00:00Z"), -2 * 3600, -3 * 3600);
// Europe/Lisbon, 2026: 01:00 local became 02:00 on 29 March; 02:00 went back to 01:00 on
// 25 October.
const UtcOffsetAt kLisbonSpring = OneChange(T("2026-03-29T01:00:00Z"), 0, 3600);
const UtcOffsetAt kLisbonAutumn = OneChange(T("2026-10-25T01:00:00Z"), 3600, 0);

TEST(TaskDeadline, ColoursAtTheirBoundaries) {
  const Timestamp due = T("2026-12-10T12:00:00Z");
  EXPECT_EQ(TaskDeadline(std::nullopt, "pending", due), "none");
  EXPECT_EQ(TaskDeadline(due, "pending", Timestamp{due.ms - 24 * kHourMs - 1}), "green");
  // Exactly 24 hours left is within the last 24 hours.
  EXPECT_EQ(TaskDeadline(due, "pending", Timestamp{due.ms - 24 * kHourMs}), "yellow");
  EXPECT_EQ(TaskDeadline(due, "queued", Timestamp{due.ms - 1}), "yellow");
  // Exactly due is overdue.
  EXPECT_EQ(TaskDeadline(due, "pending", due), "red");
  EXPECT_EQ(TaskDeadline(due, "queued", Timestamp{due.ms + kDayMs}), "red");
  // Done or archived: no deadline any more.
  EXPECT_EQ(TaskDeadline(due, "done", Timestamp{due.ms + 1}), "none");
  EXPECT_EQ(TaskDeadline(due, "archived", Timestamp{due.ms + 1}), "none");
}

TaskState DueAt(Timestamp due) {
  TaskState t;
  t.exists = true;
  t.status = "pending";
  t.due_at = due;
  return t;
}

TEST(TaskReminders, AnHourBeforeThenAtTheDueInstantEachOnce) {
  const Timestamp due = T("2026-12-10T12:00:00Z");
  TaskState t = DueAt(due);
  EXPECT_EQ(NextReminderAt(t), Timestamp{due.ms - kHourMs});
  EXPECT_EQ(ReminderDue(t, Timestamp{due.ms - kHourMs - 1}), TaskReminder::kNone);
  EXPECT_EQ(ReminderDue(t, Timestamp{due.ms - kHourMs}), TaskReminder::kDueSoon);
  t.reminded_soon_for = due;
  EXPECT_EQ(ReminderDue(t, Timestamp{due.ms - 1}), TaskReminder::kNone);
  EXPECT_EQ(NextReminderAt(t), due);
  EXPECT_EQ(ReminderDue(t, due), TaskReminder::kOverdue);
  t.reminded_overdue_for = due;
  EXPECT_EQ(ReminderDue(t, Timestamp{due.ms + kDayMs}), TaskReminder::kNone);
  EXPECT_EQ(NextReminderAt(t), std::nullopt);
  // A new due date is reminded again.
  t.due_at = Timestamp{due.ms + kDayMs};
  EXPECT_EQ(NextReminderAt(t), Timestamp{due.ms + kDayMs - kHourMs});
}

TEST(TaskReminders, ATaskOverdueAtOnceGetsOnlyTheOverdueOne) {
  const Timestamp due = T("2026-12-10T12:00:00Z");
  TaskState t = DueAt(due);
  EXPECT_EQ(ReminderDue(t, Timestamp{due.ms + 5 * kMinuteMs}), TaskReminder::kOverdue);
  t.status = "done";
  EXPECT_EQ(ReminderDue(t, Timestamp{due.ms + 5 * kMinuteMs}), TaskReminder::kNone);
  EXPECT_EQ(NextReminderAt(t), std::nullopt);
}

TEST(TaskActions, EachStatusAllowsItsActions) {
  EXPECT_EQ(TaskActionProblem("take", "queued"), std::nullopt);
  EXPECT_NE(TaskActionProblem("take", "pending"), std::nullopt);
  EXPECT_EQ(TaskActionProblem("start", "pending"), std::nullopt);
  EXPECT_NE(TaskActionProblem("start", "queued"), std::nullopt);
  EXPECT_EQ(TaskActionProblem("finish", "queued"), std::nullopt);
  EXPECT_EQ(TaskActionProblem("finish", "pending"), std::nullopt);
  EXPECT_NE(TaskActionProblem("finish", "done"), std::nullopt);  // finishing twice
  EXPECT_NE(TaskActionProblem("archive", "archived"), std::nullopt);
  EXPECT_EQ(TaskActionProblem("reopen", "done"), std::nullopt);
  EXPECT_EQ(TaskActionProblem("reopen", "archived"), std::nullopt);
  EXPECT_NE(TaskActionProblem("reopen", "pending"), std::nullopt);
  EXPECT_NE(TaskActionProblem("transfer", "done"), std::nullopt);
  EXPECT_NE(TaskActionProblem("edit", "archived"), std::nullopt);
  EXPECT_NE(TaskActionProblem("fly", "pending"), std::nullopt);
}

TEST(TaskFields, TitlesAndTexts) {
  EXPECT_NE(TaskTitleProblem(""), std::nullopt);
  EXPECT_NE(TaskTitleProblem(std::string(257, 'a')), std::nullopt);
  EXPECT_NE(TaskTitleProblem("a\nb"), std::nullopt);
  EXPECT_EQ(TaskTitleProblem("Ligar para o cliente"), std::nullopt);
  EXPECT_EQ(TaskTextProblem("linha 1\nlinha 2\tfim", 100), std::nullopt);
  EXPECT_NE(TaskTextProblem(std::string(101, 'a'), 100), std::nullopt);
  EXPECT_NE(TaskTextProblem(std::string("a\0b", 3), 100), std::nullopt);
}

TEST(TaskSchedules, RulesAreChecked) {
  EXPECT_EQ(ScheduleRuleProblem("day", "09:00", std::nullopt, std::nullopt), std::nullopt);
  EXPECT_EQ(ScheduleRuleProblem("week", "23:59", 7, std::nullopt), std::nullopt);
  EXPECT_EQ(ScheduleRuleProblem("month", "00:00", std::nullopt, 31), std::nullopt);
  EXPECT_EQ(ScheduleRuleProblem("hour", "09:00", std::nullopt, std::nullopt)->first, "every");
  // A local time of day that no day has.
  EXPECT_EQ(ScheduleRuleProblem("day", "24:00", std::nullopt, std::nullopt)->first, "at");
  EXPECT_EQ(ScheduleRuleProblem("day", "12:60", std::nullopt, std::nullopt)->first, "at");
  EXPECT_EQ(ScheduleRuleProblem("day", "9:00", std::nullopt, std::nullopt)->first, "at");
  EXPECT_EQ(ScheduleRuleProblem("week", "09:00", 0, std::nullopt)->first, "weekday");
  EXPECT_EQ(ScheduleRuleProblem("week", "09:00", std::nullopt, std::nullopt)->first, "weekday");
  EXPECT_EQ(ScheduleRuleProblem("month", "09:00", std::nullopt, 32)->first, "day");
  EXPECT_EQ(ScheduleRuleProblem("day", "09:00", 1, std::nullopt)->first, "weekday");
}

TaskScheduleRule Daily(const char* at) { return {"day", *ParseTimeOfDay(at), 0, 0}; }

TEST(TaskSchedules, DailyOccurrencesFollowTheLocalClock) {
  const UtcOffsetAt utc = [](Timestamp) { return int64_t{0}; };
  const TaskScheduleRule rule = Daily("09:00");
  EXPECT_EQ(NextOccurrence(rule, T("2026-12-04T08:00:00Z"), utc), T("2026-12-04T09:00:00Z"));
  // Strictly after: the occurrence itself gives the next day's.
  EXPECT_EQ(NextOccurrence(rule, T("2026-12-04T09:00:00Z"), utc), T("2026-12-05T09:00:00Z"));
}

TEST(TaskSchedules, SaoPauloSpringGapMovesTheOccurrenceLaterByTheGap) {
  // 00:30 did not exist on 2018-11-04: that day's occurrence is at 01:30 local (-02).
  const TaskScheduleRule rule = Daily("00:30");
  const Timestamp on_gap_day = NextOccurrence(rule, T("2018-11-03T12:00:00Z"), kSaoPauloSpring);
  EXPECT_EQ(on_gap_day, T("2018-11-04T03:30:00Z"));
  // The next day is ordinary again: 00:30 at -02.
  EXPECT_EQ(NextOccurrence(rule, on_gap_day, kSaoPauloSpring), T("2018-11-05T02:30:00Z"));
  // The day before, at -03.
  EXPECT_EQ(NextOccurrence(rule, T("2018-11-02T12:00:00Z"), kSaoPauloSpring),
            T("2018-11-03T03:30:00Z"));
}

TEST(TaskSchedules, SaoPauloAutumnOverlapOccursOnce) {
  // 23:30 on 2019-02-16 happened twice (at -02, then at -03): the first one only.
  const TaskScheduleRule rule = Daily("23:30");
  const Timestamp first = NextOccurrence(rule, T("2019-02-16T12:00:00Z"), kSaoPauloAutumn);
  EXPECT_EQ(first, T("2019-02-17T01:30:00Z"));
  EXPECT_EQ(NextOccurrence(rule, first, kSaoPauloAutumn), T("2019-02-18T02:30:00Z"));
}

TEST(TaskSchedules, LisbonGapAndOverlap) {
  // Spring: 01:30 did not exist on 29 March 2026; it happens at 02:30 WEST (01:30 UTC).
  const TaskScheduleRule early = Daily("01:30");
  EXPECT_EQ(NextOccurrence(early, T("2026-03-28T12:00:00Z"), kLisbonSpring),
            T("2026-03-29T01:30:00Z"));
  EXPECT_EQ(NextOccurrence(early, T("2026-03-29T01:30:00Z"), kLisbonSpring),
            T("2026-03-30T00:30:00Z"));
  // Autumn: 01:30 happened twice on 25 October 2026 (WEST, then WET): once, the first.
  const Timestamp first = NextOccurrence(early, T("2026-10-24T12:00:00Z"), kLisbonAutumn);
  EXPECT_EQ(first, T("2026-10-25T00:30:00Z"));
  EXPECT_EQ(NextOccurrence(early, first, kLisbonAutumn), T("2026-10-26T01:30:00Z"));
}

TEST(TaskSchedules, WeeklyAndMonthly) {
  const UtcOffsetAt utc = [](Timestamp) { return int64_t{0}; };
  // 2026-12-04 is a Friday (5); Monday is 1.
  const TaskScheduleRule monday{"week", 8 * 60, 1, 0};
  EXPECT_EQ(NextOccurrence(monday, T("2026-12-04T10:00:00Z"), utc), T("2026-12-07T08:00:00Z"));
  const TaskScheduleRule friday{"week", 8 * 60, 5, 0};
  EXPECT_EQ(NextOccurrence(friday, T("2026-12-04T07:00:00Z"), utc), T("2026-12-04T08:00:00Z"));
  // Day 31 of a month without it: its last day.
  const TaskScheduleRule last{"month", 18 * 60, 0, 31};
  EXPECT_EQ(NextOccurrence(last, T("2026-02-01T00:00:00Z"), utc), T("2026-02-28T18:00:00Z"));
  EXPECT_EQ(NextOccurrence(last, T("2026-02-28T18:00:00Z"), utc), T("2026-03-31T18:00:00Z"));
  EXPECT_EQ(NextOccurrence(last, T("2028-02-01T00:00:00Z"), utc), T("2028-02-29T18:00:00Z"));
}

using test::Staged;

TEST(TaskEvents, EventsEvolveATask) {
  TaskState t;
  events::TaskCreated created;
  created.task_id = "k1";
  created.type = "call";
  created.title = "Ligar";
  created.status = "queued";
  created.team_id = "t1";
  created.due_at = T("2026-12-05T10:00:00Z");
  Evolve(t, Staged(created, "task/k1"), 1);
  EXPECT_TRUE(t.exists);
  EXPECT_EQ(t.status, "queued");
  EXPECT_EQ(t.created_by, "ana");
  Evolve(t, Staged(events::TaskTaken{"k1", "bia"}, "task/k1"), 2);
  EXPECT_EQ(t.status, "pending");
  EXPECT_EQ(t.assignee_id, "bia");
  Evolve(t, Staged(events::TaskReminded{"k1", "due_soon", *created.due_at, {"bia"}}, "task/k1"), 3);
  EXPECT_EQ(t.reminded_soon_for, created.due_at);
  events::TaskTransferred back;
  back.task_id = "k1";
  back.to_team_id = "t2";
  back.status = "queued";
  Evolve(t, Staged(back, "task/k1"), 4);
  EXPECT_EQ(t.status, "queued");
  EXPECT_EQ(t.assignee_id, "");
  EXPECT_EQ(t.team_id, "t2");
  Evolve(t, Staged(events::TaskFinished{"k1", std::string("feito"), false}, "task/k1"), 5);
  EXPECT_EQ(t.status, "done");
  Evolve(t, Staged(events::TaskReopened{"k1", "done", "ana"}, "task/k1"), 6);
  EXPECT_EQ(t.status, "pending");
  EXPECT_EQ(t.assignee_id, "ana");
  EXPECT_EQ(t.version, 6u);
}

TEST(TaskEvents, AScheduleKeepsItsLastOccurrence) {
  TaskScheduleState s;
  Evolve(s,
         Staged(events::TaskScheduleDefined{"s1", "week", "08:30", "Europe/Lisbon", 1, std::nullopt,
                                        {{"type", "call"}, {"title", "Revisão"}}},
            "task_schedule/s1"),
         1);
  EXPECT_TRUE(s.exists);
  EXPECT_EQ(s.rule.minute_of_day, 8 * 60 + 30);
  EXPECT_EQ(s.rule.weekday, 1);
  EXPECT_EQ(s.created_at, T("2026-12-04T10:00:00Z"));
  Evolve(s,
         Staged(events::TaskScheduleOccurred{"s1", "k9", T("2026-12-07T08:30:00Z")},
            "task_schedule/s1"),
         2);
  EXPECT_EQ(s.last_occurrence, T("2026-12-07T08:30:00Z"));
  Evolve(s, Staged(events::TaskScheduleStopped{"s1"}, "task_schedule/s1"), 3);
  EXPECT_FALSE(s.active);
}

}  // namespace
}  // namespace helpdesk
