// Tasks and activities: /task-types, /tasks, /task-schedules and /reports/tasks.
#include "adapters/time_zone.h"
#include "api/app.h"
#include "api/json_io.h"
#include "api/report_period.h"
#include "domain/roles.h"
#include "domain/task.h"

namespace helpdesk {
namespace {

using nlohmann::json;

HttpResponse NoRoute() { return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"}); }

// A due date from the body: an RFC 3339 time, or null (none).
std::optional<Timestamp> ReadDueAt(Body& b, std::optional<Error>* error) {
  auto text = b.OptString("due_at");
  if (!text) return std::nullopt;
  auto due = ParseRfc3339(*text);
  if (!due) *error = InvalidField("due_at", "must be an RFC 3339 time");
  return due;
}

// A small integer field (weekday, day) from the body: nullopt when absent or null.
std::optional<int> ReadSmallInt(Body& b, const char* name, std::optional<Error>* error) {
  const std::optional<double> n = b.OptNumber(name);
  if (!n) return std::nullopt;
  // The range first: casting a double outside int's range (1e300) is undefined behaviour.
  if (*n < -1000 || *n > 1000 || *n != static_cast<int>(*n)) {
    *error = InvalidField(name, "must be an integer");
    return std::nullopt;
  }
  return static_cast<int>(*n);
}

}  // namespace

std::optional<HttpResponse> App::RouteTasks(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  const bool is_report = p.size() == 4 && p[2] == "reports" && p[3] == "tasks";
  if (p[2] != "tasks" && p[2] != "task-types" && p[2] != "task-schedules" && !is_report) {
    return std::nullopt;
  }
  if (!caller.channel_id.empty()) return ErrorResponse(Forbidden("a channel token reads no tasks"));
  const Timestamp now = clock_.Now();

  if (is_report) {
    if (r.method != "GET") return NoRoute();
    if (!CanReadReports(caller.role)) {
      return ErrorResponse(Forbidden("only an admin, a supervisor or an analyst can read reports"));
    }
    auto period = ReadReportPeriod(r, now);
    if (!period.ok()) return ErrorResponse(period.error());
    json report = tasks_.Report(period.value().from, period.value().to, now);
    report["from"] = FormatRfc3339(period.value().from);
    report["to"] = FormatRfc3339(period.value().to);
    report["tz"] = period.value().zone.name();
    return JsonResponse(200, report);
  }
  if (!CanWorkConversations(caller.role)) {
    return ErrorResponse(Forbidden("this role does not work tasks"));
  }
  // The caller's teams, as the directory's views have them.
  std::vector<std::string> teams;
  if (caller.is_user()) {
    if (auto user = lookups_.FindUser(caller.user_id)) {
      teams.assign(user->teams.begin(), user->teams.end());
    }
  }
  const bool supervises = CanSupervise(caller.role);
  // Whether the caller sees this task (else it answers 404, as if it did not exist).
  auto sees = [&](const json& task) {
    if (supervises) return true;
    const json team = task.value("team_id", json());
    const bool in_queue =
        task.value("status", json()) == json("queued") && team.is_string() &&
        std::find(teams.begin(), teams.end(), team.get<std::string>()) != teams.end();
    return in_queue || task.value("assignee_id", json()) == json(caller.user_id) ||
           task.value("created_by", json()) == json(caller.user_id);
  };
  // A command's answer: once the views have it, the object `read` finds for its id.
  auto answer = [&](const Result<CommandOutcome>& outcome, int status, auto read) {
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    std::optional<json> object = read(outcome.value().id);
    if (!object) return ErrorResponse(Error{ErrorCode::kInternal, "missing from the views"});
    HttpResponse response = VersionedResponse(outcome.value().created ? 201 : status, *object);
    SetPosition(response, outcome.value().token);
    return response;
  };
  auto read_task = [&](const std::string& id) { return tasks_.Task(id, clock_.Now()); };
  auto read_schedule = [&](const std::string& id) { return tasks_.Schedule(id); };
  auto answer_task = [&](const Result<CommandOutcome>& outcome, int status) {
    return answer(outcome, status, read_task);
  };

  if (p[2] == "task-types") {
    if (p.size() != 3) return NoRoute();
    if (r.method == "GET") {
      json items = json::array();
      for (json& t : tasks_.TaskTypes()) items.push_back(std::move(t));
      return JsonResponse(200, json{{"items", items}});
    }
    if (r.method != "POST") return NoRoute();
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown = b.UnknownField({"id", "name"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of a task type"));
    }
    cmd::DefineTaskType c{b.NonEmptyString("id"), b.NonEmptyString("name")};
    if (b.error()) return ErrorResponse(*b.error());
    auto outcome = commands_.Execute(caller, std::move(c));
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    auto type = tasks_.TaskType(outcome.value().id);
    if (!type) return ErrorResponse(Error{ErrorCode::kInternal, "missing from the views"});
    HttpResponse response = JsonResponse(outcome.value().created ? 201 : 200, *type);
    SetPosition(response, outcome.value().token);
    return response;
  }

  if (p[2] == "task-schedules") {
    if (!supervises) return ErrorResponse(Forbidden("only supervisors and admins schedule tasks"));
    if (p.size() == 3 && r.method == "GET") {
      json items = json::array();
      for (json& s : tasks_.Schedules()) items.push_back(std::move(s));
      return JsonResponse(200, json{{"items", items}});
    }
    if (p.size() == 3 && r.method == "POST") {
      auto body = Body::Parse(r.body);
      if (!body.ok()) return ErrorResponse(body.error());
      Body& b = body.value();
      if (auto unknown = b.UnknownField({"id", "every", "at", "tz", "weekday", "day", "task"})) {
        return ErrorResponse(InvalidField(*unknown, "is not a field of a task schedule"));
      }
      std::optional<Error> error;
      cmd::DefineTaskSchedule c;
      c.id = b.OptString("id");
      c.every = b.NonEmptyString("every");
      c.at = b.NonEmptyString("at");
      c.tz = b.NonEmptyString("tz");
      c.weekday = ReadSmallInt(b, "weekday", &error);
      c.day = ReadSmallInt(b, "day", &error);
      auto task = b.OptObject("task");
      if (b.error()) return ErrorResponse(*b.error());
      if (error) return ErrorResponse(*error);
      if (!task) return ErrorResponse(InvalidField("task", "must be an object"));
      c.task = std::move(*task);
      return answer(commands_.Execute(caller, std::move(c)), 200, read_schedule);
    }
    if (p.size() == 4 && r.method == "GET") {
      auto schedule = tasks_.Schedule(p[3]);
      if (!schedule) return ErrorResponse(NotFound("task schedule " + p[3]));
      return VersionedResponse(200, *schedule);
    }
    if (p.size() == 4 && r.method == "DELETE") {
      return answer(commands_.Execute(caller, cmd::StopTaskSchedule{p[3]}), 200, read_schedule);
    }
    return NoRoute();
  }

  // /tasks
  if (p.size() == 3 && r.method == "GET") {
    auto list = ReadListParams(r);
    if (!list.ok()) return ErrorResponse(list.error());
    TaskListRequest q;
    q.now = now;
    q.cursor = list.value().cursor;
    q.limit = list.value().limit;
    const std::string view = QueryParam(r, "view").value_or("mine");
    if (view == "mine") {
      q.scopes = {TaskAssigneeScope(caller.user_id)};
    } else if (view == "created") {
      q.scopes = {TaskCreatorScope(caller.user_id)};
    } else if (view == "team") {
      // An agent sees their teams' queues; supervisors and admins every task of a team.
      if (!supervises) {
        if (auto status = QueryParam(r, "status"); status && *status != "queued") {
          return ErrorResponse(Forbidden("an agent sees only their teams' queued tasks"));
        }
        q.status = "queued";
      }
      if (auto team = QueryParam(r, "team")) {
        if (!supervises && std::find(teams.begin(), teams.end(), *team) == teams.end()) {
          return ErrorResponse(Forbidden("an agent sees only their own teams' tasks"));
        }
        q.scopes = {TaskTeamScope(*team)};
      } else {
        for (const std::string& team : teams) q.scopes.push_back(TaskTeamScope(team));
      }
    } else if (view == "all") {
      if (!supervises) return ErrorResponse(Forbidden("only supervisors and admins see all tasks"));
      q.scopes = {kEveryTaskScope};
    } else {
      return ErrorResponse(InvalidField("view", "must be mine, team, created or all"));
    }
    if (!q.status) q.status = QueryParam(r, "status");
    if (q.status && *q.status != "queued" && *q.status != "pending" && *q.status != "done" &&
        *q.status != "archived") {
      return ErrorResponse(InvalidField("status", "must be queued, pending, done or archived"));
    }
    q.type = QueryParam(r, "type");
    q.contact = QueryParam(r, "contact");
    const std::string sort = QueryParam(r, "sort").value_or("due");
    if (sort != "due" && sort != "created") {
      return ErrorResponse(InvalidField("sort", "must be due or created"));
    }
    q.sort = sort == "due" ? 'd' : 'c';
    if (auto due = QueryParam(r, "due")) {
      auto zone = TimeZone::Find(QueryParam(r, "tz").value_or("UTC"));
      if (!zone.ok()) return ErrorResponse(zone.error());
      if (*due == "overdue") {
        q.overdue_at = now;
      } else if (*due == "today" || *due == "week") {
        q.due_from = LocalMidnight(now, zone.value(), 0);
        q.due_to = LocalMidnight(now, zone.value(), *due == "today" ? 1 : 7);
      } else {
        return ErrorResponse(InvalidField("due", "must be overdue, today or week"));
      }
    }
    auto page = tasks_.List(q);
    if (!page.ok()) return ErrorResponse(page.error());
    return ListResponse(page.value().page.items_json, page.value().page.next_cursor,
                        page.value().total);
  }
  if (p.size() == 3 && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown =
            b.UnknownField({"id", "type", "title", "description", "due_at", "user_id", "team_id",
                            "contact_id", "conversation_id", "deal_id", "email_template"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of a task"));
    }
    std::optional<Error> error;
    cmd::CreateTask c;
    c.id = b.OptString("id");
    c.type = b.NonEmptyString("type");
    c.title = b.NonEmptyString("title");
    c.description = b.OptString("description");
    c.due_at = ReadDueAt(b, &error);
    c.user_id = b.OptString("user_id");
    c.team_id = b.OptString("team_id");
    c.contact_id = b.OptString("contact_id");
    c.conversation_id = b.OptString("conversation_id");
    c.deal_id = b.OptString("deal_id");
    c.email_template = b.OptString("email_template");
    if (b.error()) return ErrorResponse(*b.error());
    if (error) return ErrorResponse(*error);
    return answer_task(commands_.Execute(caller, std::move(c)), 200);
  }
  if (p.size() < 4) return NoRoute();
  const std::string& id = p[3];
  // Every route of one task: it exists for the caller only if they see it.
  auto task = tasks_.Task(id, now);
  if (!task || !sees(*task)) return ErrorResponse(NotFound("task " + id));
  if (p.size() == 4 && r.method == "GET") return VersionedResponse(200, *task);
  auto if_match = ReadIfMatch(r);
  if (!if_match.ok()) return ErrorResponse(if_match.error());
  if (p.size() == 4 && r.method == "PATCH") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown = b.UnknownField({"title", "description", "due_at"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field a task's edit takes"));
    }
    if (b.IsNull("title")) return ErrorResponse(InvalidField("title", "cannot be removed"));
    std::optional<Error> error;
    cmd::UpdateTask c;
    c.task_id = id;
    c.if_match = if_match.value();
    c.title = b.OptString("title");
    // null removes the description or the due date.
    c.description = b.Has("description") ? std::optional(b.OptString("description").value_or(""))
                                         : std::nullopt;
    c.due_at = ReadDueAt(b, &error);
    c.clear_due_at = b.IsNull("due_at");
    if (b.error()) return ErrorResponse(*b.error());
    if (error) return ErrorResponse(*error);
    return answer_task(commands_.Execute(caller, std::move(c)), 200);
  }
  if (p.size() != 5 || r.method != "POST") return NoRoute();
  const std::string& action = p[4];
  // Each action's body is optional; its one text field (outcome, reason) or its target.
  std::optional<Body> body;
  if (!r.body.empty()) {
    auto parsed = Body::Parse(r.body);
    if (!parsed.ok()) return ErrorResponse(parsed.error());
    body = std::move(parsed).value();
  }
  if (action == "transfer") {
    if (!body) return ErrorResponse(InvalidField("user_id", "name a user_id or a team_id"));
    if (auto unknown = body->UnknownField({"user_id", "team_id"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of a transfer"));
    }
    cmd::TransferTask c{id, body->OptString("user_id"), body->OptString("team_id"),
                        if_match.value()};
    if (body->error()) return ErrorResponse(*body->error());
    return answer_task(commands_.Execute(caller, std::move(c)), 200);
  }
  const char* text_field = action == "finish" ? "outcome" : action == "archive" ? "reason" : "";
  if (action != "take" && action != "start" && action != "finish" && action != "archive" &&
      action != "reopen") {
    return NoRoute();
  }
  std::optional<std::string> text;
  if (body) {
    if (auto unknown = *text_field ? body->UnknownField({text_field}) : body->UnknownField({})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of a task's " + action));
    }
    if (*text_field) text = body->OptString(text_field);
    if (body->error()) return ErrorResponse(*body->error());
  }
  return answer_task(commands_.Execute(caller, cmd::ActOnTask{id, action, text, if_match.value()}),
                     200);
}

}  // namespace helpdesk
