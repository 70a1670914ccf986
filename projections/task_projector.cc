#include "projections/task_projector.h"

#include <nlohmann/json.hpp>
#include <set>

#include "adapters/event_codec.h"
#include "adapters/rocks_status.h"
#include "domain/events.h"
#include "domain/json_text.h"
#include "domain/notifications.h"
#include "domain/task.h"
#include "projections/conversation_projector.h"
#include "projections/period_cells.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

std::string IdOf(const std::string& stream) { return stream.substr(stream.find('/') + 1); }
json OrNull(const std::optional<std::string>& v) {
  return v && !v->empty() ? json(*v) : json(nullptr);
}
json TimeOrNull(const std::optional<Timestamp>& t) {
  return t ? json(FormatRfc3339(*t)) : json(nullptr);
}
std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
std::optional<Timestamp> TimeOf(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? ParseRfc3339(it->get<std::string>()) : std::nullopt;
}

// --- Lists ---

std::set<std::pair<std::string, std::string>> ScopesOf(const json& task) {
  if (!task.is_object()) return {};
  std::vector<std::string> scopes{kEveryTaskScope};
  if (auto a = Str(task, "assignee_id"); !a.empty()) scopes.push_back(TaskAssigneeScope(a));
  if (auto t = Str(task, "team_id"); !t.empty()) scopes.push_back(TaskTeamScope(t));
  if (auto c = Str(task, "created_by"); !c.empty()) scopes.push_back(TaskCreatorScope(c));
  const std::string status = Str(task, "status");
  std::set<std::pair<std::string, std::string>> out;
  for (const std::string& scope : scopes) {
    out.emplace(scope, "");
    out.emplace(scope, status);
  }
  return out;
}

TaskListEntry EntryOf(const json& task) {
  TaskListEntry entry{Str(task, "type"), Str(task, "contact_id"), Str(task, "status"),
                      Str(task, "assignee_id"), std::nullopt};
  if (auto due = TimeOf(task, "due_at")) entry.due_ms = due->ms;
  return entry;
}

std::string ListKeySuffix(const json& task, char sort) {
  const std::string id = Str(task, "id");
  if (sort == 'd') {
    const auto due = TimeOf(task, "due_at");
    return TaskDueSortKey(due ? std::optional(due->ms) : std::nullopt) + id;
  }
  const auto created = TimeOf(task, "created_at");
  return TaskCreatedSortKey(created ? created->ms : 0) + id;
}

// What a task's list keys and contact link derive from, taken before an event changes the task
// (so the change needs no copy of it).
struct TaskIndexFacts {
  bool exists = false;
  std::set<std::pair<std::string, std::string>> scopes;
  std::string entry;  // the list keys' value
  std::string due_suffix, created_suffix;
  std::string contact_id;
};

TaskIndexFacts IndexFactsOf(const json& task) {
  TaskIndexFacts facts;
  if (!task.is_object()) return facts;
  facts.exists = true;
  facts.scopes = ScopesOf(task);
  facts.entry = EncodeTaskListEntry(EntryOf(task));
  facts.due_suffix = ListKeySuffix(task, 'd');
  facts.created_suffix = ListKeySuffix(task, 'c');
  facts.contact_id = Str(task, "contact_id");
  return facts;
}

// Writes the task and moves its list keys, counters and contact link from what it `was`.
void PutTask(ViewTxn& txn, const std::string& id, const TaskIndexFacts& was, const json& task) {
  const TaskIndexFacts is = IndexFactsOf(task);
  const bool moved = !was.exists || was.due_suffix != is.due_suffix;
  const bool changed = moved || was.entry != is.entry;
  for (const auto& [scope, status] : was.scopes) {
    const bool stays = is.scopes.count({scope, status}) > 0;
    if (stays && !moved) continue;
    txn.Delete(TaskListPrefix(scope, status, 'd') + was.due_suffix);
    txn.Delete(TaskListPrefix(scope, status, 'c') + was.created_suffix);
    if (!stays) txn.AddToCounter(TaskCountKey(scope, status), -1);
  }
  for (const auto& [scope, status] : is.scopes) {
    const bool is_new = !was.scopes.count({scope, status});
    if (is_new) txn.AddToCounter(TaskCountKey(scope, status), +1);
    if (is_new || changed) {
      txn.Put(TaskListPrefix(scope, status, 'd') + is.due_suffix, is.entry);
      txn.Put(TaskListPrefix(scope, status, 'c') + is.created_suffix, is.entry);
    }
  }
  if (was.contact_id != is.contact_id) {
    if (!was.contact_id.empty()) txn.Delete(view_keys::kContactTasks + was.contact_id + "/" + id);
    if (!is.contact_id.empty()) txn.Put(view_keys::kContactTasks + is.contact_id + "/" + id, "");
  }
  txn.Put(view_keys::kTask + id, DumpJson(task));
}

// The state the reminder rules read (domain/task.h), from the stored task and the due dates its
// reminders went out for.
TaskState ReminderStateOf(const json& task, const json& sent) {
  TaskState s;
  if (!task.is_object()) return s;
  s.exists = true;
  s.status = Str(task, "status");
  s.due_at = TimeOf(task, "due_at");
  if (sent.is_object()) {
    s.reminded_soon_for = TimeOf(sent, "soon");
    s.reminded_overdue_for = TimeOf(sent, "overdue");
  }
  return s;
}

// Moves the timer's index key of the task from the reminder that `was` next.
void MoveReminderKey(ViewTxn& txn, const std::string& id, const std::optional<Timestamp>& was,
                     const json& task, const json& sent) {
  const auto is = NextReminderAt(ReminderStateOf(task, sent));
  if (was == is) return;
  if (was) txn.Delete(TaskReminderKey(was->ms, id));
  if (is) txn.Insert(TaskReminderKey(is->ms, id), "");
}

// --- Report ---

CellPrefix ReportCells() {
  return [](char grain) { return TaskReportPrefix(grain); };
}

std::string Measure(const std::string& dimension, char measure) {
  std::string key = dimension;
  key.push_back('\0');
  key.push_back(measure);
  return key;
}

// The report's dimensions a task counts in: every task, its type, its assignee (when it has one).
std::vector<std::string> DimensionsOf(const json& task) {
  std::vector<std::string> dimensions{"", "y/" + Str(task, "type")};
  if (auto a = Str(task, "assignee_id"); !a.empty()) dimensions.push_back("a/" + a);
  return dimensions;
}

void Count(ViewTxn& txn, Timestamp at, const json& task, char measure) {
  for (const std::string& d : DimensionsOf(task)) {
    AddToPeriodCells(txn, ReportCells(), at, Measure(d, measure));
  }
}

void AddTimeToDone(ViewTxn& txn, Timestamp at, const json& task, int64_t seconds) {
  for (const std::string& d : DimensionsOf(task)) {
    AddDurationToPeriodCells(txn, ReportCells(), at, Measure(d, 'h'), seconds);
  }
}

// --- Events ---

std::string CreatorOf(const Actor& actor) {
  return actor.type == Actor::Type::kUser ? actor.id : "system";
}

void ApplyTask(const RecordedEvent& r, const std::optional<events::Event>& event, ViewTxn& txn) {
  const NewEvent& e = r.event;
  const std::string id = IdOf(e.stream);
  json task = LoadJson(txn, view_keys::kTask + id);
  const bool existed = task.is_object();
  json sent = LoadJson(txn, view_keys::kTaskRemindersSent + id);
  if (!sent.is_object()) sent = json::object();
  // Reminders and starts change none of what the lists hold: their events skip the lists.
  const bool lists_may_change =
      !events::As<events::TaskReminded>(event) && !events::As<events::TaskStarted>(event);
  const TaskIndexFacts was = lists_may_change ? IndexFactsOf(task) : TaskIndexFacts{};
  const auto reminder_was = NextReminderAt(ReminderStateOf(task, sent));
  const std::string at = FormatRfc3339(e.at);
  if (const auto* c = events::As<events::TaskCreated>(event)) {
    if (existed) return;  // a malformed log: a task is created once
    task = {{"id", id},
            {"type", c->type},
            {"title", c->title},
            {"description", OrNull(c->description)},
            {"status", c->status},
            {"due_at", TimeOrNull(c->due_at)},
            {"assignee_id", OrNull(c->assignee_id)},
            {"team_id", OrNull(c->team_id)},
            {"created_by", CreatorOf(e.actor)},
            {"contact_id", OrNull(c->contact_id)},
            {"conversation_id", OrNull(c->conversation_id)},
            {"deal_id", OrNull(c->deal_id)},
            {"email_template", OrNull(c->email_template)},
            {"schedule_id", OrNull(c->schedule_id)},
            {"occurrence_at", TimeOrNull(c->occurrence_at)},
            {"outcome", nullptr},
            {"archive_reason", nullptr},
            {"created_at", at},
            {"taken_at", c->assignee_id ? json(at) : json(nullptr)},
            {"started_at", nullptr},
            {"done_at", nullptr},
            {"archived_at", nullptr}};
    Count(txn, e.at, task, 'c');
  } else if (!existed) {
    return;  // an event of a task never created: nothing to show it on
  } else if (const auto* u = events::As<events::TaskUpdated>(event)) {
    if (u->title) task["title"] = *u->title;
    if (u->description) task["description"] = OrNull(u->description);
    if (u->due_at_changed) task["due_at"] = TimeOrNull(u->due_at);
  } else if (const auto* t = events::As<events::TaskTaken>(event)) {
    task["assignee_id"] = t->user_id;
    task["status"] = "pending";
    task["taken_at"] = at;
  } else if (const auto* m = events::As<events::TaskTransferred>(event)) {
    task["assignee_id"] = OrNull(m->to_user_id);
    if (m->to_team_id) task["team_id"] = *m->to_team_id;
    task["status"] = m->status;
    task["taken_at"] = m->to_user_id ? json(at) : json(nullptr);
  } else if (events::As<events::TaskStarted>(event)) {
    task["started_at"] = at;
  } else if (const auto* f = events::As<events::TaskFinished>(event)) {
    task["status"] = "done";
    task["outcome"] = OrNull(f->outcome);
    task["done_at"] = at;
    Count(txn, e.at, task, 'd');
    if (f->late) Count(txn, e.at, task, 'l');
    if (auto created = TimeOf(task, "created_at")) {
      AddTimeToDone(txn, e.at, task, std::max<int64_t>(0, (e.at.ms - created->ms) / 1000));
    }
  } else if (const auto* a = events::As<events::TaskArchived>(event)) {
    task["status"] = "archived";
    task["archive_reason"] = OrNull(a->reason);
    task["archived_at"] = at;
  } else if (const auto* o = events::As<events::TaskReopened>(event)) {
    task["status"] = "pending";
    task["assignee_id"] = o->assignee_id;
    task["outcome"] = nullptr;
    task["archive_reason"] = nullptr;
    task["done_at"] = nullptr;
    task["archived_at"] = nullptr;
    task["started_at"] = nullptr;  // it may be started anew
  } else if (const auto* rm = events::As<events::TaskReminded>(event)) {
    sent[rm->reminder == "overdue" ? "overdue" : "soon"] = FormatRfc3339(rm->due_at);
    txn.Put(view_keys::kTaskRemindersSent + id, DumpJson(sent));
  } else {
    return;
  }
  task["updated_at"] = at;
  task["version"] = r.stream_version;
  if (lists_may_change) {
    PutTask(txn, id, was, task);
  } else {
    txn.Put(view_keys::kTask + id, DumpJson(task));
  }
  MoveReminderKey(txn, id, reminder_was, task, sent);
  for (const Notification& n : NotificationsFor(e, event)) {
    const std::string key = NotificationKey(n.user_id, e.at, r.position, e.id);
    json item{{"id", key.substr(NotificationPrefix(n.user_id).size())},
              {"kind", n.kind},
              {"task_id", id},
              {"title", Str(task, "title")},
              {"actor", ActorToJson(e.actor)},
              {"at", at},
              {"read", false}};
    txn.Put(key, DumpJson(item));
    txn.AddToCounter(UnreadNotificationsKey(n.user_id), +1);
  }
  if (const std::string contact = Str(task, "contact_id"); !contact.empty()) {
    txn.Put(ContactTimelineKey(contact, e.at, r.position), TimelineItem(r, /*with_stream=*/true));
  }
}

void ApplySchedule(const RecordedEvent& r, const std::optional<events::Event>& event,
                   ViewTxn& txn) {
  const NewEvent& e = r.event;
  const std::string id = IdOf(e.stream);
  const std::string key = view_keys::kTaskSchedule + id;
  json schedule = LoadJson(txn, key);
  const std::string at = FormatRfc3339(e.at);
  if (const auto* d = events::As<events::TaskScheduleDefined>(event)) {
    const bool is_new = !schedule.is_object();
    if (is_new)
      schedule = {{"id", id},
                  {"created_at", at},
                  {"last_occurrence_at", nullptr},
                  {"last_task_id", nullptr},
                  {"created_by", CreatorOf(e.actor)}};
    schedule["every"] = d->every;
    schedule["at"] = d->at;
    schedule["tz"] = d->tz;
    schedule["weekday"] = d->weekday ? json(*d->weekday) : json(nullptr);
    schedule["day"] = d->day ? json(*d->day) : json(nullptr);
    schedule["task"] = d->task;
    schedule["active"] = true;
  } else if (!schedule.is_object()) {
    return;
  } else if (events::As<events::TaskScheduleStopped>(event)) {
    schedule["active"] = false;
  } else if (const auto* o = events::As<events::TaskScheduleOccurred>(event)) {
    schedule["last_occurrence_at"] = FormatRfc3339(o->occurrence_at);
    schedule["last_task_id"] = o->task_id.empty() ? json(nullptr) : json(o->task_id);
  } else {
    return;
  }
  schedule["updated_at"] = at;
  schedule["version"] = r.stream_version;
  txn.Put(key, DumpJson(schedule));
}

}  // namespace

void TaskProjector::ApplyContact(const RecordedEvent& r, const std::optional<events::Event>& event,
                                 ViewTxn& txn) const {
  const auto* merged = events::As<events::ContactsMerged>(event);
  if (!merged) return;
  // The duplicate's tasks become the survivor's.
  const std::string survivor = IdOf(r.event.stream);
  const std::string prefix = view_keys::kContactTasks + merged->from + "/";
  for (const std::string& key : txn.KeysWithPrefix(prefix)) {
    const std::string id = key.substr(prefix.size());
    json task = LoadJson(txn, view_keys::kTask + id);
    if (!task.is_object()) continue;
    const TaskIndexFacts was = IndexFactsOf(task);
    task["contact_id"] = survivor;
    PutTask(txn, id, was, task);
  }
}

void TaskProjector::Apply(const RecordedEvent& r, ViewTxn& txn) const {
  const std::optional<events::Event> event = events::Decode(r.event);
  if (const auto* t = events::As<events::TaskTypeDefined>(event)) {
    txn.Put(view_keys::kTaskType + t->type_id,
            json{{"id", t->type_id}, {"name", t->name}, {"built_in", false}}.dump());
  } else if (r.event.stream.starts_with("task/")) {
    ApplyTask(r, event, txn);
  } else if (r.event.stream.starts_with("task_schedule/")) {
    ApplySchedule(r, event, txn);
  }
}

std::string TaskListPrefix(const std::string& scope, const std::string& status, char sort) {
  std::string prefix = view_keys::kTaskList + scope + "|" + status;
  prefix.push_back('\0');
  prefix.push_back(sort);
  return prefix;
}

std::string TaskCountKey(const std::string& scope, const std::string& status) {
  return view_keys::kTaskCount + scope + "|" + status;
}

std::string TaskDueSortKey(const std::optional<int64_t>& due_ms) {
  // Flipping the sign bit sorts negative instants first; no due date sorts last.
  return EncodeBigEndian64(due_ms ? static_cast<uint64_t>(*due_ms) ^ (1ULL << 63) : ~0ULL);
}

std::string TaskCreatedSortKey(int64_t created_ms) {
  return EncodeBigEndian64(~(static_cast<uint64_t>(created_ms) ^ (1ULL << 63)));
}

std::string EncodeTaskListEntry(const TaskListEntry& e) {
  std::string out = e.type;
  for (const std::string* part : {&e.contact_id, &e.status, &e.assignee_id}) {
    out.push_back('\0');
    out += *part;
  }
  out.push_back('\0');
  if (e.due_ms) out += std::to_string(*e.due_ms);
  return out;
}

TaskListEntry DecodeTaskListEntry(std::string_view value) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t zero = value.find('\0', start);
    parts.emplace_back(value.substr(start, zero == std::string_view::npos ? zero : zero - start));
    if (zero == std::string_view::npos) break;
    start = zero + 1;
  }
  parts.resize(5);
  TaskListEntry entry{parts[0], parts[1], parts[2], parts[3], std::nullopt};
  if (!parts[4].empty()) entry.due_ms = std::strtoll(parts[4].c_str(), nullptr, 10);
  return entry;
}

std::string TaskReminderKey(int64_t at_ms, const std::string& id) {
  return view_keys::kTaskReminder + TaskDueSortKey(at_ms) + id;
}

std::string TaskReportPrefix(char grain) { return std::string(view_keys::kTaskReport) + grain; }

}  // namespace helpdesk
