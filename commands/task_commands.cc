// Tasks, their types and their recurring schedules (domain/task.h).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/time_zone.h"
#include "commands/command_service.h"
#include "commands/id_rules.h"
#include "domain/events.h"
#include "domain/task.h"
#include "domain/text.h"

namespace helpdesk {
namespace {

using nlohmann::json;

constexpr int64_t kMaxDueInMinutes = 366 * 24 * 60;

Error VersionConflict(const TaskState& task) {
  return Error{ErrorCode::kVersionConflict,
               "task " + task.id + " is at version " + std::to_string(task.version)};
}

bool IsSupervisor(const Caller& caller) { return CanSupervise(caller.role); }

// Whether the caller is a member of `team_id` (as the write model has it).
bool InTeam(const WriteModel& model, const Caller& caller, const std::string& team_id) {
  if (team_id.empty() || !caller.is_user()) return false;
  const TeamState* team = model.Team(team_id);
  return team && team->members.count(caller.user_id) > 0;
}

// Who may take a task out of its team's queue (take it, give it to a user, or finish or archive
// it as its taker): supervisors and admins, and the team's members.
bool MayTakeFromQueue(const WriteModel& model, const Caller& caller, const std::string& team_id) {
  return IsSupervisor(caller) || InTeam(model, caller, team_id);
}

// Who may act on a task: supervisors and admins; its assignee; its creator; a member of the
// team whose queue holds it.
bool MayActOn(const WriteModel& model, const Caller& caller, const TaskState& task) {
  if (IsSupervisor(caller)) return true;
  if (!caller.is_user()) return false;
  return task.assignee_id == caller.user_id || task.created_by == caller.user_id ||
         (task.status == "queued" && InTeam(model, caller, task.team_id));
}

std::optional<Error> AssigneeProblem(const WriteModel& model, const std::string& user_id) {
  const UserState* user = model.User(user_id);
  if (!user) return InvalidField("user_id", "names no user");
  if (!user->active) return InvalidTransition("user " + user_id + " is deactivated");
  // Auditors and analysts read; a task given to them could never be seen or worked.
  if (!CanWorkConversations(user->role)) {
    return InvalidField("user_id", "names a user whose role does not work tasks");
  }
  return std::nullopt;
}

std::vector<std::string> MembersOf(const WriteModel& model, const std::string& team_id) {
  const TeamState* team = model.Team(team_id);
  return team ? std::vector<std::string>(team->members.begin(), team->members.end())
              : std::vector<std::string>();
}

std::optional<std::string> OptStr(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? std::optional(it->get<std::string>()) : std::nullopt;
}

// A schedule's task fields: a task's create fields, with `due_in_minutes` (0 to a year) for the
// due date. The create itself is checked again at each occurrence.
std::optional<Error> ScheduledTaskProblem(const json& task) {
  if (!task.is_object()) return InvalidField("task", "must be an object");
  static const char* kFields[] = {"type",           "title",   "description",
                                  "due_in_minutes", "user_id", "team_id",
                                  "contact_id",     "deal_id", "email_template"};
  for (const auto& [key, value] : task.items()) {
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      return InvalidField("task." + key, "is not a field of a scheduled task");
    }
    if (key == "due_in_minutes") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0 ||
          value.get<int64_t>() > kMaxDueInMinutes) {
        return InvalidField("task.due_in_minutes", "must be an integer from 0 to 527040");
      }
    } else if (!value.is_string() && !value.is_null()) {
      return InvalidField("task." + key, "must be a string");
    }
  }
  return std::nullopt;
}

// A field's error as one of the schedule's `task` fields.
Error OfScheduledTask(Error error) {
  const std::string prefix = "field '";
  if (error.message.starts_with(prefix)) error.message.insert(prefix.size(), "task.");
  return error;
}

cmd::CreateTask TaskOfSchedule(const json& task, Timestamp occurrence) {
  cmd::CreateTask c;
  c.type = OptStr(task, "type").value_or("");
  c.title = OptStr(task, "title").value_or("");
  c.description = OptStr(task, "description");
  if (auto it = task.find("due_in_minutes"); it != task.end() && it->is_number_integer()) {
    c.due_at = Timestamp{occurrence.ms + it->get<int64_t>() * kMinuteMs};
  }
  c.user_id = OptStr(task, "user_id");
  c.team_id = OptStr(task, "team_id");
  c.contact_id = OptStr(task, "contact_id");
  c.deal_id = OptStr(task, "deal_id");
  c.email_template = OptStr(task, "email_template");
  return c;
}

// The checks of a new task that need no state.
std::optional<Error> TaskFieldsProblem(const cmd::CreateTask& c) {
  if (c.id && !IsValidId(*c.id)) return InvalidField("id", "must be 1 to 64 of [A-Za-z0-9_.-]");
  if (!IsValidId(c.type)) return InvalidField("type", "must name a task type");
  if (auto problem = TaskTitleProblem(c.title)) return InvalidField("title", *problem);
  if (c.description) {
    if (auto problem = TaskTextProblem(*c.description, kMaxTaskDescriptionBytes)) {
      return InvalidField("description", *problem);
    }
  }
  if (c.email_template && (c.email_template->empty() || c.email_template->size() > 256)) {
    return InvalidField("email_template", "must be 1 to 256 bytes");
  }
  return std::nullopt;
}

}  // namespace

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::DefineTaskType& c) {
  if (caller.role != Role::kAdmin || !caller.channel_id.empty()) {
    return Forbidden("only admins define task types");
  }
  if (!IsValidId(c.id)) return InvalidField("id", "must be 1 to 64 of [A-Za-z0-9_.-]");
  if (IsBuiltInTaskType(c.id)) return InvalidTransition("task type " + c.id + " is built in");
  if (c.name.empty() || c.name.size() > kMaxNameBytes || HasControlCharacter(c.name)) {
    return InvalidField("name", "must be 1 to 256 bytes without control characters");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const TaskTypeState* existing = model_.TaskType(c.id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.id, !existing);
  if (existing && existing->name == c.name) return Unchanged(std::move(out), lock);
  std::vector<NewEvent> events;
  Stage(events, TaskTypeStream(c.id), {events::Encode(events::TaskTypeDefined{c.id, c.name})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<std::optional<events::TaskCreated>> CommandService::DecideNewTask(
    const Caller& caller, const cmd::CreateTask& c, const std::string& id) const {
  if (!IsBuiltInTaskType(c.type) && !model_.TaskType(c.type)) {
    return InvalidField("type", "names no task type");
  }
  if (c.user_id) {
    if (auto problem = AssigneeProblem(model_, *c.user_id)) return *problem;
  }
  if (c.team_id && !model_.Team(*c.team_id)) return InvalidField("team_id", "names no team");
  std::optional<std::string> contact_id;
  if (c.contact_id) {
    contact_id = SurvivorOf(*c.contact_id);
    const ContactState* contact = model_.Contact(*contact_id);
    if (!contact) return InvalidField("contact_id", "names no contact");
    if (contact->erased) return InvalidTransition("contact " + *contact_id + " was erased");
  }
  if (c.conversation_id) {
    const ConversationState* conversation = model_.Conversation(*c.conversation_id);
    // One the caller may not see (the desk's visibility) is as if it did not exist.
    if (!conversation || !SeesLocked(caller, *conversation)) {
      return InvalidField("conversation_id", "names no conversation");
    }
    const std::string its_contact = SurvivorOf(conversation->contact_id);
    if (contact_id && *contact_id != its_contact) {
      return InvalidField("conversation_id", "is another contact's conversation");
    }
    contact_id = its_contact;
  }
  if (c.deal_id) {
    const DealState* deal = model_.Deal(*c.deal_id);
    if (!deal) return InvalidField("deal_id", "names no deal");
    // The task shows on the deal's contact (their timeline, `?contact=`).
    const std::string its_contact = SurvivorOf(deal->contact_id);
    if (contact_id && !its_contact.empty() && *contact_id != its_contact) {
      return InvalidField("deal_id", "is another contact's deal");
    }
    if (!contact_id && !its_contact.empty()) contact_id = its_contact;
  }
  events::TaskCreated created;
  created.task_id = id;
  created.type = c.type;
  created.title = c.title;
  created.description = c.description && !c.description->empty() ? c.description : std::nullopt;
  created.due_at = c.due_at;
  created.team_id = c.team_id;
  created.contact_id = contact_id;
  created.conversation_id = c.conversation_id;
  created.deal_id = c.deal_id;
  created.email_template = c.email_template;
  if (c.user_id || !c.team_id) {
    // For a user (or, naming nobody, for the caller): pending.
    const std::string assignee = c.user_id.value_or(caller.user_id);
    if (assignee.empty()) {
      return InvalidField("user_id", "must name a user or a team when no user asks");
    }
    created.assignee_id = assignee;
    created.status = "pending";
  } else {
    created.status = "queued";
    created.team_members = MembersOf(model_, *c.team_id);
  }
  return std::optional(std::move(created));
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::CreateTask& c) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("this role cannot create tasks");
  }
  if (auto problem = TaskFieldsProblem(c)) return *problem;
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  if (c.id) {
    if (const TaskState* existing = model_.Task(*c.id)) {
      // A retry of the same create answers as the first did; anything else is a clash.
      const bool same = existing->type == c.type && existing->title == c.title &&
                        existing->created_by == caller.user_id && existing->due_at == c.due_at;
      if (!same) return Conflict("task " + *c.id + " exists already", *c.id);
      return Unchanged(CommandOutcome::For(ConsistencyToken(), *c.id, false), lock);
    }
  }
  const std::string id = c.id ? *c.id : NewStreamId(TaskStream);
  auto created = DecideNewTask(caller, c, id);
  if (!created.ok()) return created.error();
  std::vector<NewEvent> events;
  Stage(events, TaskStream(id), {events::Encode(*created.value())}, caller.actor(), clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), id, true), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::UpdateTask& c) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("this role cannot work tasks");
  }
  if (c.title) {
    if (auto problem = TaskTitleProblem(*c.title)) return InvalidField("title", *problem);
  }
  if (c.description) {
    if (auto problem = TaskTextProblem(*c.description, kMaxTaskDescriptionBytes)) {
      return InvalidField("description", *problem);
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const TaskState* task = model_.Task(c.task_id);
  if (!task || !MayActOn(model_, caller, *task)) return NotFound("task " + c.task_id);
  if (c.if_match && *c.if_match != task->version) return VersionConflict(*task);
  events::TaskUpdated changed{c.task_id};
  if (c.title && *c.title != task->title) changed.title = c.title;
  if (c.description && *c.description != task->description) changed.description = c.description;
  const std::optional<Timestamp> due = c.clear_due_at ? std::nullopt : c.due_at;
  if ((c.clear_due_at || c.due_at) && due != task->due_at) {
    changed.due_at_changed = true;
    changed.due_at = due;
  }
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.task_id, false);
  if (!changed.title && !changed.description && !changed.due_at_changed) {
    return Unchanged(std::move(out), lock);
  }
  if (auto problem = TaskActionProblem("edit", task->status)) return InvalidTransition(*problem);
  std::vector<NewEvent> events;
  Stage(events, TaskStream(c.task_id), {events::Encode(changed)}, caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::ActOnTask& c) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("this role cannot work tasks");
  }
  if (c.action != "take" && c.action != "start" && c.action != "finish" && c.action != "archive" &&
      c.action != "reopen") {
    return InvalidField("action", "is not an action on a task");
  }
  if (c.text) {
    if (auto problem = TaskTextProblem(*c.text, kMaxTaskOutcomeBytes)) {
      return InvalidField(c.action == "finish" ? "outcome" : "reason", *problem);
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const TaskState* task = model_.Task(c.task_id);
  if (!task || !MayActOn(model_, caller, *task)) return NotFound("task " + c.task_id);
  if (c.if_match && *c.if_match != task->version) return VersionConflict(*task);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.task_id, false);
  if (c.action == "take" && task->status == "pending" && task->assignee_id == caller.user_id) {
    return Unchanged(std::move(out), lock);  // a retry of a take that went through
  }
  if (c.action == "start" && task->status == "pending" && task->started) {
    return Unchanged(std::move(out), lock);  // started once is started
  }
  if (auto problem = TaskActionProblem(c.action, task->status)) {
    return InvalidTransition(*problem);
  }
  const Timestamp now = clock_.Now();
  std::vector<DomainEvent> recorded;
  // A user who finishes or archives a queued task they may take does it as its taker: the task
  // stays theirs (in their done list, credited to them, theirs to reopen).
  if ((c.action == "finish" || c.action == "archive") && task->status == "queued" &&
      caller.is_user() && MayTakeFromQueue(model_, caller, task->team_id)) {
    recorded.push_back(events::Encode(events::TaskTaken{c.task_id, caller.user_id}));
  }
  DomainEvent event;
  if (c.action == "take") {
    if (!caller.is_user()) return Forbidden("only a user takes a task");
    if (!MayTakeFromQueue(model_, caller, task->team_id)) {
      return Forbidden("only a member of the task's team takes it");
    }
    event = events::Encode(events::TaskTaken{c.task_id, caller.user_id});
  } else if (c.action == "start") {
    event = events::Encode(events::TaskStarted{c.task_id});
  } else if (c.action == "finish") {
    const bool late = task->due_at && now >= *task->due_at;  // red from the due instant on
    event = events::Encode(events::TaskFinished{c.task_id, c.text, late});
  } else if (c.action == "archive") {
    event = events::Encode(events::TaskArchived{c.task_id, c.text});
  } else {
    // Back to its assignee, while active; a task archived from a queue (or whose assignee was
    // deactivated) goes to whoever reopens it.
    const UserState* previous =
        task->assignee_id.empty() ? nullptr : model_.User(task->assignee_id);
    const std::string assignee = previous && previous->active ? task->assignee_id : caller.user_id;
    if (assignee.empty()) return InvalidTransition("task " + c.task_id + " has nobody to go to");
    event = events::Encode(events::TaskReopened{c.task_id, task->status, assignee});
  }
  recorded.push_back(std::move(event));
  std::vector<NewEvent> events;
  Stage(events, TaskStream(c.task_id), std::move(recorded), caller.actor(), now);
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::TransferTask& c) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("this role cannot work tasks");
  }
  if (!c.user_id && !c.team_id) return InvalidField("user_id", "name a user_id or a team_id");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const TaskState* task = model_.Task(c.task_id);
  if (!task || !MayActOn(model_, caller, *task)) return NotFound("task " + c.task_id);
  if (c.if_match && *c.if_match != task->version) return VersionConflict(*task);
  if (c.user_id) {
    if (auto problem = AssigneeProblem(model_, *c.user_id)) return *problem;
  }
  if (c.team_id && !model_.Team(*c.team_id)) return InvalidField("team_id", "names no team");
  if (auto problem = TaskActionProblem("transfer", task->status)) {
    return InvalidTransition(*problem);
  }
  // Giving a team's queued task to someone is taking it out of the queue: the take's rule.
  if (c.user_id && task->status == "queued" && !MayTakeFromQueue(model_, caller, task->team_id)) {
    return Forbidden("only a member of the task's team gives it to a user");
  }
  events::TaskTransferred moved;
  moved.task_id = c.task_id;
  if (!task->assignee_id.empty()) moved.from_user_id = task->assignee_id;
  if (!task->team_id.empty()) moved.from_team_id = task->team_id;
  moved.to_user_id = c.user_id;
  moved.to_team_id = c.team_id;
  moved.status = c.user_id ? "pending" : "queued";
  const std::string team_after = c.team_id.value_or(task->team_id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.task_id, false);
  if (task->status == moved.status && task->assignee_id == c.user_id.value_or("") &&
      task->team_id == team_after) {
    return Unchanged(std::move(out), lock);
  }
  if (!c.user_id) moved.team_members = MembersOf(model_, *c.team_id);
  std::vector<NewEvent> events;
  Stage(events, TaskStream(c.task_id), {events::Encode(moved)}, caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::RemindTask& c) {
  if (caller.is_user() || !caller.channel_id.empty()) return Forbidden("only the timer reminds");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const TaskState* task = model_.Task(c.task_id);
  if (!task) return NotFound("task " + c.task_id);
  const Timestamp now = clock_.Now();
  const TaskReminder reminder = ReminderDue(*task, now);
  if (reminder == TaskReminder::kNone) {
    return InvalidTransition("task " + c.task_id + " has no reminder due");
  }
  std::vector<std::string> told;
  if (!task->assignee_id.empty()) {
    told.push_back(task->assignee_id);
  } else {
    told = MembersOf(model_, task->team_id);
  }
  std::vector<NewEvent> events;
  Stage(events, TaskStream(c.task_id),
        {events::Encode(
            events::TaskReminded{c.task_id, ReminderName(reminder), *task->due_at, told})},
        Actor::System("scheduler"), now);
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), c.task_id, false), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::DefineTaskSchedule& c) {
  if (!IsSupervisor(caller) || !caller.channel_id.empty()) {
    return Forbidden("only supervisors and admins schedule tasks");
  }
  if (c.id && !IsValidId(*c.id)) return InvalidField("id", "must be 1 to 64 of [A-Za-z0-9_.-]");
  if (auto problem = ScheduleRuleProblem(c.every, c.at, c.weekday, c.day)) {
    return InvalidField(problem->first, problem->second);
  }
  if (auto zone = TimeZone::Find(c.tz); !zone.ok()) return zone.error();
  if (auto problem = ScheduledTaskProblem(c.task)) return *problem;
  cmd::CreateTask sample = TaskOfSchedule(c.task, clock_.Now());
  if (auto problem = TaskFieldsProblem(sample)) return OfScheduledTask(*problem);
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  // The task must be one that can be made now (its type, user, team, contact exist).
  if (!sample.user_id && !sample.team_id) {
    return InvalidField("task.user_id", "a scheduled task needs a user_id or a team_id");
  }
  if (auto created = DecideNewTask(caller, sample, "check"); !created.ok()) {
    return OfScheduledTask(created.error());
  }
  if (const TaskScheduleState* existing = c.id ? model_.TaskSchedule(*c.id) : nullptr) {
    // A retry of the same definition answers as the first did; anything else is a clash.
    const bool same = existing->rule.every == c.every && existing->tz == c.tz &&
                      existing->rule.minute_of_day == ParseTimeOfDay(c.at) &&
                      existing->rule.weekday == c.weekday.value_or(0) &&
                      existing->rule.day == c.day.value_or(0) && existing->task == c.task;
    if (!same) return Conflict("task schedule " + *c.id + " exists already", *c.id);
    return Unchanged(CommandOutcome::For(ConsistencyToken(), *c.id, false), lock);
  }
  const std::string id = c.id ? *c.id : NewStreamId(TaskScheduleStream);
  std::vector<NewEvent> events;
  Stage(events, TaskScheduleStream(id),
        {events::Encode(
            events::TaskScheduleDefined{id, c.every, c.at, c.tz, c.weekday, c.day, c.task})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), id, true), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::StopTaskSchedule& c) {
  if (!IsSupervisor(caller) || !caller.channel_id.empty()) {
    return Forbidden("only supervisors and admins schedule tasks");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const TaskScheduleState* schedule = model_.TaskSchedule(c.schedule_id);
  if (!schedule) return NotFound("task schedule " + c.schedule_id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.schedule_id, false);
  if (!schedule->active) return Unchanged(std::move(out), lock);
  std::vector<NewEvent> events;
  Stage(events, TaskScheduleStream(c.schedule_id),
        {events::Encode(events::TaskScheduleStopped{c.schedule_id})}, caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::RunTaskSchedule& c) {
  if (caller.is_user() || !caller.channel_id.empty()) return Forbidden("only the timer runs it");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const TaskScheduleState* schedule = model_.TaskSchedule(c.schedule_id);
  if (!schedule) return NotFound("task schedule " + c.schedule_id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.schedule_id, false);
  // Each occurrence once: one at or before the last that ran is done already.
  if (schedule->last_occurrence && c.occurrence_at <= *schedule->last_occurrence) {
    return Unchanged(std::move(out), lock);
  }
  if (!schedule->active) return InvalidTransition("task schedule " + c.schedule_id + " stopped");
  auto zone = TimeZone::Find(schedule->tz);
  if (!zone.ok()) return zone.error();
  const UtcOffsetAt offset = [&](Timestamp t) { return zone.value().OffsetAt(t).seconds; };
  const Timestamp next = NextOccurrence(
      schedule->rule, schedule->last_occurrence.value_or(schedule->created_at), offset);
  const Timestamp now = clock_.Now();
  if (c.occurrence_at != next || next > now) {
    return InvalidTransition("the next occurrence of " + c.schedule_id + " is " +
                             FormatRfc3339(next));
  }
  const std::string task_id = NewStreamId(TaskStream);
  const json task_fields = schedule->task;  // copied: the lookups below may move the record
  const std::string schedule_id = c.schedule_id;
  auto created = DecideNewTask(Caller::System(), TaskOfSchedule(task_fields, next), task_id);
  std::vector<NewEvent> events;
  if (created.ok()) {
    events::TaskCreated task = std::move(*created.value());
    task.schedule_id = schedule_id;
    task.occurrence_at = next;
    Stage(events, TaskStream(task_id), {events::Encode(task)}, Actor::System("scheduler"), now);
  } else {
    // What it names is gone (a deactivated user, a removed type): the occurrence passes with no
    // task, and says why, rather than blocking every later one.
    spdlog::warn("task schedule {}: occurrence {} made no task: {}", schedule_id,
                 FormatRfc3339(next), created.error().message);
  }
  Stage(events, TaskScheduleStream(schedule_id),
        {events::Encode(events::TaskScheduleOccurred{
            schedule_id, created.ok() ? task_id : std::string(), next})},
        Actor::System("scheduler"), now);
  out.id = created.ok() ? task_id : schedule_id;
  out.created = created.ok();
  return Commit(std::move(events), std::move(out), lock);
}

}  // namespace helpdesk
