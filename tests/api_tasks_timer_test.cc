// Tasks on the node's manual clock: reminders an hour before and at the due instant, each once;
// schedules that make each occurrence's task exactly once, in order, across a restart and across
// Lisbon's daylight-saving change (the zone database's own offsets).
#include "tests/inprocess_fixture.h"

namespace helpdesk {
namespace {

using namespace helpdesk::inprocess;  // NOLINT: the suite's own fixture

class TaskTimerApi : public InProcessApi {
 protected:
  // Team t1 with agent ana (whose token this returns).
  std::string DeskWithATeam() {
    EXPECT_EQ(Call(kAdmin, "POST", "/api/v1/teams", {{"id", "t1"}, {"name", "SAC"}}).status, 201);
    auto ana = Call(kAdmin, "POST", "/api/v1/users",
                    {{"id", "ana"},
                     {"name", "Ana"},
                     {"email", "ana@x.co"},
                     {"role", "agent"},
                     {"teams", {"t1"}}});
    EXPECT_EQ(ana.status, 201) << ana.body;
    return Json(ana).value("token", "");
  }
  int Told(const std::string& token, const std::string& kind) {
    const json body = Json(Call(token, "GET", "/api/v1/notifications?limit=500"));
    int n = 0;
    for (const auto& item : body["items"]) n += item.value("kind", "") == kind;
    return n;
  }
  // Every task the schedule made, by occurrence.
  std::vector<std::string> Occurrences() {
    const json body = Json(Call(kAdmin, "GET", "/api/v1/tasks?view=all&sort=created&limit=500"));
    std::vector<std::string> out;
    for (const auto& t : body["items"]) {
      if (t["occurrence_at"].is_string()) out.push_back(t["occurrence_at"]);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  // Lets the timer make a few passes at the clock's time.
  static void Passes() { std::this_thread::sleep_for(std::chrono::milliseconds(700)); }
};

TEST_F(TaskTimerApi, RemindersComeAnHourBeforeAndAtTheDueInstantEachOnce) {
  const std::string ana = DeskWithATeam();
  const Timestamp due{kStart.ms + 3 * kHourMs};
  auto made = Call(ana, "POST", "/api/v1/tasks",
                   {{"type", "call"}, {"title", "Ligar"}, {"due_at", FormatRfc3339(due)}});
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string path = "/api/v1/tasks/" + Json(made).value("id", "");
  EXPECT_EQ(Json(Call(ana, "GET", path)).value("deadline", ""), "yellow");
  Passes();
  EXPECT_EQ(Told(ana, "task_due_soon"), 0);

  clock_.Set(Timestamp{due.ms - kHourMs - 1});
  Passes();
  EXPECT_EQ(Told(ana, "task_due_soon"), 0);
  clock_.Set(Timestamp{due.ms - kHourMs});
  EXPECT_TRUE(Eventually([&] { return Told(ana, "task_due_soon") == 1; }));
  EXPECT_EQ(Told(ana, "task_overdue"), 0);

  clock_.Set(due);
  EXPECT_TRUE(Eventually([&] { return Told(ana, "task_overdue") == 1; }));
  EXPECT_EQ(Json(Call(ana, "GET", path)).value("deadline", ""), "red");
  clock_.Set(Timestamp{due.ms + kDayMs});
  Passes();
  EXPECT_EQ(Told(ana, "task_due_soon"), 1);
  EXPECT_EQ(Told(ana, "task_overdue"), 1);

  // A new due date is reminded again; a finished task never.
  auto moved = Call(ana, "PATCH", path, {{"due_at", FormatRfc3339(Timestamp{due.ms + 2 * kDayMs})}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(Json(moved).value("deadline", ""), "yellow");
  clock_.Set(Timestamp{due.ms + 2 * kDayMs - 30 * kMinuteMs});
  EXPECT_TRUE(Eventually([&] { return Told(ana, "task_due_soon") == 2; }));
  ASSERT_EQ(Call(ana, "POST", path + "/finish").status, 200);
  clock_.Set(Timestamp{due.ms + 3 * kDayMs});
  Passes();
  EXPECT_EQ(Told(ana, "task_overdue"), 1);
}

TEST_F(TaskTimerApi, EachOccurrenceMakesItsTaskOnceAcrossARestart) {
  DeskWithATeam();
  auto defined = Call(kAdmin, "POST", "/api/v1/task-schedules",
                      {{"id", "daily"},
                       {"every", "day"},
                       {"at", "09:30"},
                       {"tz", "Europe/Lisbon"},
                       {"task", {{"type", "call"}, {"title", "Retornos do dia"}, {"team_id", "t1"},
                                 {"due_in_minutes", 120}}}});
  ASSERT_EQ(defined.status, 201) << defined.body;
  Passes();
  EXPECT_TRUE(Occurrences().empty());  // 09:00: not yet

  clock_.Set(*ParseRfc3339("2026-11-23T09:31:00Z"));
  EXPECT_TRUE(Eventually([&] { return Occurrences().size() == 1; }));
  const json tasks = Json(Call(kAdmin, "GET", "/api/v1/tasks?view=all"));
  ASSERT_EQ(tasks["items"].size(), 1u);
  EXPECT_EQ(tasks["items"][0]["status"], "queued");
  EXPECT_EQ(tasks["items"][0]["created_by"], "system");
  EXPECT_EQ(tasks["items"][0]["due_at"], "2026-11-23T11:30:00Z");

  // Three days later: the missed occurrences are made one by one, in order.
  clock_.Set(*ParseRfc3339("2026-11-26T10:00:00Z"));
  EXPECT_TRUE(Eventually([&] { return Occurrences().size() == 4; }));
  // The node stops and starts again on the same log: nothing is made twice.
  StartNode();
  Passes();
  EXPECT_EQ(Occurrences(),
            (std::vector<std::string>{"2026-11-23T09:30:00Z", "2026-11-24T09:30:00Z",
                                      "2026-11-25T09:30:00Z", "2026-11-26T09:30:00Z"}));
  clock_.Set(*ParseRfc3339("2026-11-27T09:30:00Z"));
  EXPECT_TRUE(Eventually([&] { return Occurrences().size() == 5; }));

  // Stopped: no more.
  ASSERT_EQ(Call(kAdmin, "DELETE", "/api/v1/task-schedules/daily").status, 200);
  clock_.Set(*ParseRfc3339("2026-11-29T10:00:00Z"));
  Passes();
  EXPECT_EQ(Occurrences().size(), 5u);
}

TEST_F(TaskTimerApi, ASchedulesLocalTimeFollowsLisbonsClockChange) {
  clock_.Set(*ParseRfc3339("2026-03-27T12:00:00Z"));
  DeskWithATeam();
  // 01:30 did not exist in Lisbon on 29 March 2026 (01:00 became 02:00).
  auto defined = Call(kAdmin, "POST", "/api/v1/task-schedules",
                      {{"every", "day"},
                       {"at", "01:30"},
                       {"tz", "Europe/Lisbon"},
                       {"task", {{"type", "custom"}, {"title", "Backup"}, {"user_id", "ana"}}}});
  ASSERT_EQ(defined.status, 201) << defined.body;
  clock_.Set(*ParseRfc3339("2026-03-30T12:00:00Z"));
  EXPECT_TRUE(Eventually([&] { return Occurrences().size() == 3; }));
  EXPECT_EQ(Occurrences(), (std::vector<std::string>{"2026-03-28T01:30:00Z",  // 01:30 WET
                                                     "2026-03-29T01:30:00Z",  // 02:30 WEST
                                                     "2026-03-30T00:30:00Z"}));  // 01:30 WEST
}

}  // namespace
}  // namespace helpdesk
