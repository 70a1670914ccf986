// Tasks over HTTP against the real binary: types, a task's life (queued, taken, started,
// transferred, finished, reopened, archived), the lists by view with filters and totals, who
// sees what, deadline colours, notifications (given, queued, due soon, overdue: each once), the
// agenda, the contact's timeline, the tasks report, and bad input that changes nothing.
#include <chrono>
#include <thread>

#include "domain/time.h"
#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

std::string In(int64_t ms) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return FormatRfc3339(Timestamp{now + ms});
}

class TasksTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ana_ = CreateDeskWithAgentAna();  // ana in t1
    bia_ = CreateUser("bia", "agent", json::array({"t1"}));
    caio_ = CreateUser("caio", "agent", json::array());
    sup_ = CreateUser("sup", "supervisor");
    auto made = As(ana_, "POST", "/api/v1/contacts", {{"id", "rui"}, {"name", "Rui"}});
    ASSERT_EQ(made.status, 201) << made.body;
  }
  HttpReply NewTask(const std::string& token, const json& body) {
    return As(token, "POST", "/api/v1/tasks", body);
  }
  std::vector<std::string> Ids(const std::string& token, const std::string& query,
                               int64_t* total = nullptr) {
    auto r = As(token, "GET", "/api/v1/tasks" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    std::vector<std::string> ids;
    for (const auto& t : body["items"]) ids.push_back(t["id"]);
    if (total) *total = body.value("total", int64_t{-1});
    return ids;
  }
  // The caller's notifications of one kind about one task.
  int Told(const std::string& token, const std::string& kind, const std::string& task) {
    auto r = As(token, "GET", "/api/v1/notifications?limit=500");
    EXPECT_EQ(r.status, 200) << r.body;
    const json body = r.json();
    int n = 0;
    for (const auto& item : body["items"]) {
      n += item.value("kind", "") == kind && item.value("task_id", "") == task;
    }
    return n;
  }
  std::string ana_, bia_, caio_, sup_;
};

TEST_F(TasksTest, AQueuedTaskIsTakenWorkedAndFinished) {
  auto made = NewTask(sup_, {{"id", "k1"},
                             {"type", "call"},
                             {"title", "Ligar para o Rui"},
                             {"team_id", "t1"},
                             {"contact_id", "rui"},
                             {"due_at", In(3 * kDayMs)}});
  ASSERT_EQ(made.status, 201) << made.body;
  json task = made.json();
  EXPECT_EQ(task["status"], "queued");
  EXPECT_EQ(task["assignee_id"], nullptr);
  EXPECT_EQ(task["deadline"], "green");
  EXPECT_EQ(task["created_by"], "sup");
  EXPECT_EQ(made.headers["etag"], "\"1\"");
  // The team is told; someone outside it is not, and does not see it.
  EXPECT_EQ(Told(ana_, "task_queued", "k1"), 1);
  EXPECT_EQ(Told(bia_, "task_queued", "k1"), 1);
  EXPECT_EQ(As(caio_, "GET", "/api/v1/tasks/k1").status, 404);
  EXPECT_EQ(As(caio_, "POST", "/api/v1/tasks/k1/take").status, 404);

  int64_t total = 0;
  EXPECT_EQ(Ids(ana_, "?view=team&status=queued", &total), std::vector<std::string>{"k1"});
  EXPECT_EQ(total, 1);

  auto taken = As(ana_, "POST", "/api/v1/tasks/k1/take");
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(taken.json()["status"], "pending");
  EXPECT_EQ(taken.json()["assignee_id"], "ana");
  EXPECT_NE(taken.json()["taken_at"], nullptr);
  // Taken once: it left the queue, and bia (of the same team) no longer sees it; ana taking it
  // again changes nothing.
  EXPECT_EQ(As(bia_, "POST", "/api/v1/tasks/k1/take").status, 404);
  EXPECT_EQ(As(bia_, "GET", "/api/v1/tasks/k1").status, 404);
  EXPECT_EQ(As(bia_, "GET", "/api/v1/tasks?view=team&status=pending").status, 403);
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/k1/take").status, 200));
  EXPECT_EQ(Ids(ana_, "?view=team&status=queued"), std::vector<std::string>{});
  EXPECT_EQ(Ids(ana_, "?view=mine"), std::vector<std::string>{"k1"});

  auto started = As(ana_, "POST", "/api/v1/tasks/k1/start");
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_NE(started.json()["started_at"], nullptr);
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/k1/start").status, 200));

  auto edited = As(ana_, "PATCH", "/api/v1/tasks/k1", {{"description", "Sobre a troca"}},
                   {{"If-Match", "\"3\""}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json()["description"], "Sobre a troca");
  EXPECT_EQ(As(ana_, "PATCH", "/api/v1/tasks/k1", {{"title", "x"}}, {{"If-Match", "\"1\""}}).status,
            409);

  auto done = As(ana_, "POST", "/api/v1/tasks/k1/finish", {{"outcome", "Cliente atendido"}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["status"], "done");
  EXPECT_EQ(done.json()["outcome"], "Cliente atendido");
  EXPECT_EQ(done.json()["deadline"], "none");
  // Finishing twice is refused and changes nothing.
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/k1/finish").status, 409));

  auto reopened = As(ana_, "POST", "/api/v1/tasks/k1/reopen");
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  EXPECT_EQ(reopened.json()["status"], "pending");
  EXPECT_EQ(reopened.json()["outcome"], nullptr);
  auto archived = As(ana_, "POST", "/api/v1/tasks/k1/archive", {{"reason", "duplicada"}});
  ASSERT_EQ(archived.status, 200) << archived.body;
  EXPECT_EQ(archived.json()["status"], "archived");
  EXPECT_EQ(archived.json()["archive_reason"], "duplicada");

  // The contact's timeline has the task's story.
  auto timeline = As(ana_, "GET", "/api/v1/contacts/rui/timeline?limit=100");
  ASSERT_EQ(timeline.status, 200) << timeline.body;
  int task_items = 0;
  const json items = timeline.json()["items"];
  for (const auto& item : items) task_items += item.dump().find("Task") != std::string::npos;
  EXPECT_GE(task_items, 6) << timeline.body;
}

TEST_F(TasksTest, TasksForMeForAColleagueAndTransfers) {
  // Naming nobody: the caller's own task, pending, and nobody is told.
  auto mine = NewTask(ana_, {{"id", "m1"}, {"type", "email"}, {"title", "Responder e-mail"}});
  ASSERT_EQ(mine.status, 201) << mine.body;
  EXPECT_EQ(mine.json()["status"], "pending");
  EXPECT_EQ(mine.json()["assignee_id"], "ana");
  EXPECT_EQ(mine.json()["deadline"], "none");
  EXPECT_EQ(Told(ana_, "task_assigned", "m1"), 0);
  // For a colleague: they are told.
  ASSERT_EQ(NewTask(ana_, {{"id", "m2"}, {"type", "call"}, {"title", "Ligar"}, {"user_id", "bia"}})
                .status,
            201);
  EXPECT_EQ(Told(bia_, "task_assigned", "m2"), 1);
  EXPECT_EQ(Ids(ana_, "?view=created&sort=created"), (std::vector<std::string>{"m2", "m1"}));
  EXPECT_EQ(Ids(bia_, "?view=mine"), std::vector<std::string>{"m2"});

  // Given to caio; then back to the team's queue.
  auto given = As(bia_, "POST", "/api/v1/tasks/m2/transfer", {{"user_id", "caio"}});
  ASSERT_EQ(given.status, 200) << given.body;
  EXPECT_EQ(given.json()["assignee_id"], "caio");
  EXPECT_EQ(Told(caio_, "task_assigned", "m2"), 1);
  auto queued = As(caio_, "POST", "/api/v1/tasks/m2/transfer", {{"team_id", "t1"}});
  ASSERT_EQ(queued.status, 200) << queued.body;
  EXPECT_EQ(queued.json()["status"], "queued");
  EXPECT_EQ(queued.json()["assignee_id"], nullptr);
  EXPECT_EQ(Told(ana_, "task_queued", "m2"), 1);
  // Caio gave it away, and with it the sight of it.
  EXPECT_EQ(As(caio_, "GET", "/api/v1/tasks/m2").status, 404);

  // Agents see their own views; `all` is for supervisors and admins.
  EXPECT_EQ(As(ana_, "GET", "/api/v1/tasks?view=all").status, 403);
  int64_t total = 0;
  EXPECT_EQ(Ids(sup_, "?view=all&sort=created", &total), (std::vector<std::string>{"m2", "m1"}));
  EXPECT_EQ(total, 2);
  EXPECT_EQ(Ids(sup_, "?view=all&type=email", &total), std::vector<std::string>{"m1"});
  EXPECT_EQ(total, 1);
}

TEST_F(TasksTest, DeadlinesListsAndTheDueFilters) {
  const std::string overdue = In(-3 * kDayMs), soon = In(2 * kHourMs), later = In(5 * kDayMs);
  // A due date in the past is allowed: the task is red at once.
  auto late =
      NewTask(ana_, {{"id", "a"}, {"type", "call"}, {"title", "Atrasada"}, {"due_at", overdue}});
  ASSERT_EQ(late.status, 201) << late.body;
  EXPECT_EQ(late.json()["deadline"], "red");
  // Creations a few milliseconds apart: tasks created within the same millisecond list in id
  // order, which would hide the order of creation this test checks.
  const auto apart = [] { std::this_thread::sleep_for(std::chrono::milliseconds(3)); };
  apart();
  ASSERT_EQ(
      NewTask(ana_, {{"id", "b"}, {"type", "call"}, {"title", "Hoje"}, {"due_at", soon}}).status,
      201);
  apart();
  ASSERT_EQ(NewTask(ana_, {{"id", "c"}, {"type", "custom"}, {"title", "Depois"}, {"due_at", later}})
                .status,
            201);
  apart();
  ASSERT_EQ(NewTask(ana_, {{"id", "d"}, {"type", "custom"}, {"title", "Sem prazo"}}).status, 201);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/tasks/b").json()["deadline"], "yellow");
  EXPECT_EQ(As(ana_, "GET", "/api/v1/tasks/c").json()["deadline"], "green");

  // Soonest first, no due date last; newest first by creation.
  EXPECT_EQ(Ids(ana_, "?view=mine&sort=due"), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(Ids(ana_, "?view=mine&sort=created"), (std::vector<std::string>{"d", "c", "b", "a"}));
  int64_t total = 0;
  EXPECT_EQ(Ids(ana_, "?view=mine&due=overdue", &total), std::vector<std::string>{"a"});
  EXPECT_EQ(total, 1);
  EXPECT_EQ(Ids(ana_, "?view=mine&due=week", &total).size(), 2u);  // b and c (a is days past)
  // Pages follow their cursor.
  auto first = As(ana_, "GET", "/api/v1/tasks?view=mine&limit=3");
  ASSERT_EQ(first.status, 200);
  const json page = first.json();
  EXPECT_EQ(page["items"].size(), 3u);
  EXPECT_EQ(page["total"], 4);
  auto rest =
      As(ana_, "GET",
         "/api/v1/tasks?view=mine&limit=3&cursor=" + page["next_cursor"].get<std::string>());
  ASSERT_EQ(rest.status, 200) << rest.body;
  EXPECT_EQ(rest.json()["items"][0]["id"], "d");
  // A cursor belongs to its sort.
  auto by_created = As(ana_, "GET", "/api/v1/tasks?view=mine&limit=1&sort=created");
  ASSERT_EQ(by_created.status, 200) << by_created.body;
  const std::string created_cursor = by_created.json()["next_cursor"];
  EXPECT_EQ(As(ana_, "GET", "/api/v1/tasks?view=mine&limit=1&sort=created&cursor=" + created_cursor)
                .status,
            200);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/tasks?view=mine&limit=1&cursor=" + created_cursor).status,
            400);
  // A filtered list's total is the same on every page.
  auto calls = As(ana_, "GET", "/api/v1/tasks?view=mine&type=call&limit=1");
  ASSERT_EQ(calls.status, 200);
  const json calls_page = calls.json();
  EXPECT_EQ(calls_page["total"], 2);
  auto more_calls = As(ana_, "GET",
                       "/api/v1/tasks?view=mine&type=call&limit=1&cursor=" +
                           calls_page["next_cursor"].get<std::string>());
  ASSERT_EQ(more_calls.status, 200) << more_calls.body;
  EXPECT_EQ(more_calls.json()["total"], 2);
  EXPECT_EQ(more_calls.json()["items"][0]["id"], "b");

  // The agenda holds today's pending tasks, the overdue one first.
  auto agenda = As(ana_, "GET", "/api/v1/agenda");
  ASSERT_EQ(agenda.status, 200) << agenda.body;
  const json tasks = agenda.json()["tasks"];
  ASSERT_GE(tasks.size(), 1u) << agenda.body;
  EXPECT_EQ(tasks[0]["id"], "a");
}

TEST_F(TasksTest, RemindersComeOnceAnHourBeforeAndWhenOverdue) {
  ASSERT_EQ(NewTask(sup_, {{"id", "r1"},
                           {"type", "call"},
                           {"title", "Em meia hora"},
                           {"user_id", "ana"},
                           {"due_at", In(30 * kMinuteMs)}})
                .status,
            201);
  ASSERT_EQ(NewTask(sup_, {{"id", "r2"},
                           {"type", "call"},
                           {"title", "Já venceu"},
                           {"user_id", "ana"},
                           {"due_at", In(-kMinuteMs)}})
                .status,
            201);
  // The timer polls: within a few seconds both reminders are out.
  for (int i = 0;
       i < 100 && (Told(ana_, "task_due_soon", "r1") == 0 || Told(ana_, "task_overdue", "r2") == 0);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(Told(ana_, "task_due_soon", "r1"), 1);
  EXPECT_EQ(Told(ana_, "task_overdue", "r2"), 1);
  // Overdue before its hour's reminder went out: only the overdue one.
  EXPECT_EQ(Told(ana_, "task_due_soon", "r2"), 0);
  // And each only once, however many passes the timer makes.
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  EXPECT_EQ(Told(ana_, "task_due_soon", "r1"), 1);
  EXPECT_EQ(Told(ana_, "task_overdue", "r2"), 1);
}

TEST_F(TasksTest, TypesSchedulesAndTheReport) {
  auto types = As(ana_, "GET", "/api/v1/task-types");
  ASSERT_EQ(types.status, 200);
  EXPECT_EQ(types.json()["items"].size(), 4u);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/task-types", {{"id", "visit"}, {"name", "Visita"}}).status,
            403);
  auto added = Admin("POST", "/api/v1/task-types", {{"id", "visit"}, {"name", "Visita"}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(Admin("POST", "/api/v1/task-types", {{"id", "call"}, {"name", "x"}}).status, 409);
  EXPECT_EQ(NewTask(ana_, {{"type", "nope"}, {"title", "x"}}).status, 400);
  ASSERT_EQ(
      NewTask(
          ana_,
          {{"id", "v1"}, {"type", "visit"}, {"title", "Visitar loja"}, {"due_at", In(-kHourMs)}})
          .status,
      201);
  ASSERT_EQ(NewTask(ana_, {{"id", "v2"}, {"type", "visit"}, {"title", "Outra visita"}}).status,
            201);
  ASSERT_EQ(As(ana_, "POST", "/api/v1/tasks/v1/finish").status, 200);  // late
  ASSERT_EQ(As(ana_, "POST", "/api/v1/tasks/v2/finish").status, 200);

  auto report = As(sup_, "GET", "/api/v1/reports/tasks?tz=America/Sao_Paulo");
  ASSERT_EQ(report.status, 200) << report.body;
  const json r = report.json();
  EXPECT_EQ(r["created"], 2);
  EXPECT_EQ(r["done"], 2);
  EXPECT_EQ(r["done_late"], 1);
  EXPECT_EQ(r["overdue_now"], 0);
  EXPECT_NE(r["median_time_to_done_s"], nullptr);
  ASSERT_EQ(r["by_type"].size(), 1u);
  EXPECT_EQ(r["by_type"][0]["type"], "visit");
  ASSERT_EQ(r["by_assignee"].size(), 1u);
  EXPECT_EQ(r["by_assignee"][0]["assignee_id"], "ana");
  EXPECT_EQ(As(ana_, "GET", "/api/v1/reports/tasks").status, 403);

  // Schedules: supervisors only; a checked rule and task.
  const json schedule{{"id", "s1"},
                      {"every", "week"},
                      {"at", "08:30"},
                      {"tz", "America/Sao_Paulo"},
                      {"weekday", 1},
                      {"task",
                       {{"type", "call"},
                        {"title", "Revisar carteira"},
                        {"team_id", "t1"},
                        {"due_in_minutes", 480}}}};
  EXPECT_EQ(As(ana_, "POST", "/api/v1/task-schedules", schedule).status, 403);
  auto defined = As(sup_, "POST", "/api/v1/task-schedules", schedule);
  ASSERT_EQ(defined.status, 201) << defined.body;
  EXPECT_EQ(defined.json()["active"], true);
  EXPECT_EQ(defined.json()["last_occurrence_at"], nullptr);
  json bad = schedule;
  bad["id"] = "s2";
  bad["at"] = "25:00";
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(As(sup_, "POST", "/api/v1/task-schedules", bad).status, 400));
  bad["at"] = "08:00";
  bad["tz"] = "Mars/Olympus";
  EXPECT_EQ(As(sup_, "POST", "/api/v1/task-schedules", bad).status, 400);
  bad["tz"] = "UTC";
  bad["weekday"] = 1e300;
  auto huge = As(sup_, "POST", "/api/v1/task-schedules", bad);
  EXPECT_EQ(huge.status, 400);
  EXPECT_EQ(huge.error_code(), "invalid_field");
  EXPECT_NE(huge.body.find("weekday"), std::string::npos) << huge.body;
  bad["weekday"] = 1.5;
  EXPECT_EQ(As(sup_, "POST", "/api/v1/task-schedules", bad).status, 400);
  bad["weekday"] = 1;
  bad["task"]["type"] = "nope";
  EXPECT_EQ(As(sup_, "POST", "/api/v1/task-schedules", bad).status, 400);
  auto stopped = As(sup_, "DELETE", "/api/v1/task-schedules/s1");
  ASSERT_EQ(stopped.status, 200) << stopped.body;
  EXPECT_EQ(stopped.json()["active"], false);
}

TEST_F(TasksTest, AMergedContactsTasksFollowTheSurvivor) {
  ASSERT_EQ(As(ana_, "POST", "/api/v1/contacts", {{"id", "rui2"}, {"name", "Rui (dup)"}}).status,
            201);
  ASSERT_EQ(NewTask(ana_, {{"id", "f1"}, {"type", "call"}, {"title", "x"}, {"contact_id", "rui2"}})
                .status,
            201);
  EXPECT_EQ(Ids(ana_, "?view=mine&contact=rui2"), std::vector<std::string>{"f1"});
  auto merged = As(sup_, "POST", "/api/v1/contacts/rui/merge", {{"from", "rui2"}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(As(ana_, "GET", "/api/v1/tasks/f1").json()["contact_id"], "rui");
  EXPECT_EQ(Ids(ana_, "?view=mine&contact=rui"), std::vector<std::string>{"f1"});
  EXPECT_EQ(Ids(ana_, "?view=mine&contact=rui2"), std::vector<std::string>{});
}

TEST_F(TasksTest, ATaskCannotNameAConversationTheCallerDoesNotSee) {
  const std::string conversation =
      Inbound("wa", "w1", "+5511911112222").value("conversation_id", "");
  ASSERT_EQ(
      Admin("POST", "/api/v1/conversations/" + conversation + "/transfer", {{"team_id", "t1"}})
          .status,
      200);
  ASSERT_EQ(Admin("PATCH", "/api/v1/settings", {{"agent_visibility", "teams"}}).status, 200);
  // Caio is in no team: t1's conversation does not exist for him.
  const json body{{"type", "call"}, {"title", "x"}, {"conversation_id", conversation}};
  EXPECT_NO_NEW_EVENTS(EXPECT_EQ(NewTask(caio_, body).status, 400));
  auto made = NewTask(ana_, body);
  ASSERT_EQ(made.status, 201) << made.body;
  EXPECT_NE(made.json()["contact_id"], nullptr);
}

// Found by testing the server as a client: a queued task finished by a member stayed nobody's
// (its finisher lost sight of it), a transfer got round the take's team rule, a task could name
// another contact's conversation, and tasks could be given to users who cannot see them.
TEST_F(TasksTest, QueuedTasksLinksAndAssigneesFollowTheTakesRules) {
  ASSERT_EQ(
      NewTask(sup_, {{"id", "q1"}, {"type", "call"}, {"title", "Ligar"}, {"team_id", "t1"}}).status,
      201);
  auto done = As(bia_, "POST", "/api/v1/tasks/q1/finish", {{"outcome", "feito"}});
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_EQ(done.json()["status"], "done");
  EXPECT_EQ(done.json()["assignee_id"], "bia");
  EXPECT_EQ(As(bia_, "GET", "/api/v1/tasks/q1").status, 200);
  EXPECT_EQ(Ids(bia_, "?view=mine&status=done"), std::vector<std::string>{"q1"});
  EXPECT_EQ(As(bia_, "POST", "/api/v1/tasks/q1/reopen", json::object()).json()["assignee_id"],
            "bia");

  // caio is not in t1: he cannot take its queued task, nor give it to himself.
  ASSERT_EQ(
      NewTask(caio_, {{"id", "q2"}, {"type", "call"}, {"title", "Ver"}, {"team_id", "t1"}}).status,
      201);
  EXPECT_EQ(As(caio_, "POST", "/api/v1/tasks/q2/take", json::object()).status, 403);
  EXPECT_NO_NEW_EVENTS(
      EXPECT_EQ(As(caio_, "POST", "/api/v1/tasks/q2/transfer", {{"user_id", "caio"}}).status, 403));
  EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/q2/transfer", {{"user_id", "ana"}}).status, 200);

  // Links agree: a contact and another contact's conversation is refused; a deal gives its
  // contact.
  ASSERT_EQ(As(ana_, "POST", "/api/v1/contacts", {{"id", "ze"}, {"name", "Zé"}}).status, 201);
  const std::string zes = Inbound("wa", "z1", "+5511977770001", "oi", "Zé")["conversation_id"];
  EXPECT_NO_NEW_EVENTS({
    auto mixed = NewTask(
        ana_, {{"type", "call"}, {"title", "x"}, {"contact_id", "rui"}, {"conversation_id", zes}});
    EXPECT_EQ(mixed.status, 400) << mixed.body;
  });
  ASSERT_EQ(As(ana_, "POST", "/api/v1/deals",
               {{"id", "d1"}, {"title", "Plano"}, {"contact_id", "rui"}, {"value", 10}})
                .status,
            201);
  auto on_deal = NewTask(ana_, {{"type", "call"}, {"title", "Proposta"}, {"deal_id", "d1"}});
  ASSERT_EQ(on_deal.status, 201) << on_deal.body;
  EXPECT_EQ(on_deal.json()["contact_id"], "rui");

  // Auditors and analysts do not work tasks: none can be given to them.
  const std::string aud = CreateUser("aud", "auditor");
  EXPECT_NO_NEW_EVENTS(
      EXPECT_EQ(NewTask(sup_, {{"type", "call"}, {"title", "x"}, {"user_id", "aud"}}).status, 400));
  EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/q2/transfer", {{"user_id", "aud"}}).status, 400);
  // Nor a title of spaces.
  EXPECT_EQ(NewTask(ana_, {{"type", "call"}, {"title", "   "}}).status, 400);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/deals", {{"title", " "}, {"contact_id", "rui"}}).status, 400);
  EXPECT_EQ(Admin("POST", "/api/v1/funnels",
                  {{"name", " "}, {"stages", json::array({{{"id", "a"}, {"name", "A"}}})}})
                .status,
            400);
  EXPECT_EQ(Admin("POST", "/api/v1/funnels",
                  {{"name", "F"}, {"stages", json::array({{{"id", "a"}, {"name", "  "}}})}})
                .status,
            400);
}

TEST_F(TasksTest, BadInputIsRefusedAndChangesNothing) {
  size_t before = EventCount();
  {
    EXPECT_EQ(NewTask(ana_, {{"type", "call"}}).status, 400);                // no title
    EXPECT_EQ(NewTask(ana_, {{"type", "call"}, {"title", 7}}).status, 400);  // wrong type
    EXPECT_EQ(NewTask(ana_, {{"type", "call"}, {"title", "x"}, {"due_at", "amanhã"}}).status, 400);
    EXPECT_EQ(NewTask(ana_, {{"type", "call"}, {"title", "x"}, {"user_id", "ghost"}}).status, 400);
    EXPECT_EQ(NewTask(ana_, {{"type", "call"}, {"title", "x"}, {"team_id", "ghost"}}).status, 400);
    EXPECT_EQ(NewTask(ana_, {{"type", "call"}, {"title", "x"}, {"contact_id", "ghost"}}).status,
              400);
    EXPECT_EQ(NewTask(ana_, {{"type", "call"}, {"title", "x"}, {"colour", "red"}}).status, 400);
    EXPECT_EQ(
        As(ana_, "POST", "/api/v1/tasks", json(), {{"Content-Type", "application/json"}}).status,
        400);
    EXPECT_EQ(As(ana_, "GET", "/api/v1/tasks?view=everything").status, 400);
    EXPECT_EQ(As(ana_, "GET", "/api/v1/tasks?due=yesterday").status, 400);
    EXPECT_EQ(As(ana_, "GET", "/api/v1/tasks?cursor=zzz").status, 400);
    EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/ghost/finish").status, 404);
  }
  EXPECT_EQ(EventCount(), before);
  ASSERT_EQ(
      NewTask(ana_, {{"id", "q1"}, {"type", "call"}, {"title", "Fila"}, {"team_id", "t1"}}).status,
      201);
  // A queue's task is taken by a member of its team; transfers name someone who exists.
  before = EventCount();
  {
    EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/q1/start").status, 409);  // queued: take it first
    EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/q1/transfer", {{"user_id", "ghost"}}).status, 400);
    EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/q1/transfer", json::object()).status, 400);
    EXPECT_EQ(As(ana_, "POST", "/api/v1/tasks/q1/take", {{"outcome", "x"}}).status, 400);
  }
  EXPECT_EQ(EventCount(), before);
}

}  // namespace
}  // namespace helpdesk::testing
