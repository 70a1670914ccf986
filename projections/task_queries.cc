#include "projections/task_queries.h"

#include <rocksdb/db.h>

#include <map>
#include <memory>

#include "adapters/rocks_status.h"
#include "domain/histogram.h"
#include "domain/task.h"
#include "projections/conversation_projector.h"
#include "projections/period_cells.h"
#include "projections/task_projector.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// The stored task as the API shows it at `now`: the deadline colour added.
json Shown(json task, Timestamp now) {
  std::optional<Timestamp> due;
  if (auto it = task.find("due_at"); it != task.end() && it->is_string()) {
    due = ParseRfc3339(it->get<std::string>());
  }
  task["deadline"] = TaskDeadline(due, task.value("status", ""), now);
  return task;
}

bool Passes(const TaskListRequest& q, const TaskListEntry& e) {
  if (q.status && e.status != *q.status) return false;
  if (q.type && e.type != *q.type) return false;
  if (q.contact && e.contact_id != *q.contact) return false;
  if (q.due_from || q.due_to || q.overdue_at) {
    if (!e.due_ms) return false;
    if (q.due_from && *e.due_ms < q.due_from->ms) return false;
    if (q.due_to && *e.due_ms >= q.due_to->ms) return false;
    if (q.overdue_at && (*e.due_ms >= q.overdue_at->ms || !IsOpenTaskStatus(e.status))) {
      return false;
    }
  }
  return true;
}

// One list's iterator in a merge.
struct Lane {
  std::string prefix;
  std::unique_ptr<rocksdb::Iterator> it;
  bool Valid() const { return it->Valid() && it->key().starts_with(prefix); }
  std::string_view Suffix() const {
    return std::string_view(it->key().data() + prefix.size(), it->key().size() - prefix.size());
  }
};

}  // namespace

std::vector<json> TaskQueries::TaskTypes() const {
  std::vector<json> out;
  for (const char* id : kBuiltInTaskTypes) {
    out.push_back({{"id", id}, {"name", id}, {"built_in", true}});
  }
  std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(view_keys::kTaskType); it->Valid() && it->key().starts_with(view_keys::kTaskType);
       it->Next()) {
    json t = json::parse(it->value().ToString(), nullptr, false);
    if (t.is_object()) out.push_back(std::move(t));
  }
  return out;
}

std::optional<json> TaskQueries::TaskType(const std::string& id) const {
  if (IsBuiltInTaskType(id)) return json{{"id", id}, {"name", id}, {"built_in", true}};
  return views_.GetObject(view_keys::kTaskType + id);
}

std::optional<json> TaskQueries::Task(const std::string& id, Timestamp now) const {
  auto task = views_.GetObject(view_keys::kTask + id);
  if (!task) return std::nullopt;
  return Shown(std::move(*task), now);
}

Result<TaskPage> TaskQueries::List(const TaskListRequest& q) const {
  // The lists hold one status, or all: a status filter reads its own.
  const std::string status = q.status.value_or("");
  // A cursor names its sort (one letter) before the last key: another sort's keys would seek
  // to a place that means nothing in this one.
  std::optional<std::string> after;
  if (q.cursor) {
    after = DecodeCursor(*q.cursor);
    if (!after || after->size() <= 9 || (*after)[0] != q.sort) {
      return InvalidField("cursor", "is not a cursor of this list (or of this sort)");
    }
    after->erase(0, 1);
  }
  // With the due sort, a due window is a range of each list.
  std::string start_suffix, end_suffix;
  if (q.sort == 'd') {
    if (q.due_from) start_suffix = TaskDueSortKey(q.due_from->ms);
    const std::optional<Timestamp> end =
        q.overdue_at && (!q.due_to || *q.overdue_at < *q.due_to) ? q.overdue_at : q.due_to;
    if (end) end_suffix = TaskDueSortKey(end->ms);
  }
  rocksdb::ReadOptions options;
  const rocksdb::Snapshot* snapshot = views_.db()->GetSnapshot();
  options.snapshot = snapshot;
  struct Release {
    const ViewStore& views;
    const rocksdb::Snapshot* s;
    ~Release() { views.db()->ReleaseSnapshot(s); }
  } release{views_, snapshot};
  // A filtered list counts its `total` from its start, whatever page is read: it reads from
  // there, and keeps items only past the cursor.
  const bool filtered = q.type || q.contact || q.due_from || q.due_to || q.overdue_at;
  std::vector<Lane> lanes;
  for (const std::string& scope : q.scopes) {
    Lane lane{TaskListPrefix(scope, status, q.sort),
              std::unique_ptr<rocksdb::Iterator>(views_.db()->NewIterator(options))};
    const std::string& from = !filtered && after && *after > start_suffix ? *after : start_suffix;
    lane.it->Seek(lane.prefix + from);
    if (!filtered && after && lane.Valid() && lane.Suffix() == *after) lane.it->Next();
    lanes.push_back(std::move(lane));
  }
  TaskPage out;
  std::string items = "[";
  size_t taken = 0;
  std::string last, previous;
  bool more = false;
  while (true) {
    Lane* next = nullptr;
    for (Lane& lane : lanes) {
      if (lane.Valid() && (!next || lane.Suffix() < next->Suffix())) next = &lane;
    }
    if (!next) break;
    const std::string suffix(next->Suffix());
    if (!end_suffix.empty() && suffix.compare(0, 8, end_suffix) >= 0) break;
    const std::string value = next->it->value().ToString();
    next->it->Next();
    if (suffix == previous) continue;  // the same task in two of the lists
    previous = suffix;
    const TaskListEntry entry = DecodeTaskListEntry(value);
    if (!Passes(q, entry)) continue;
    if (filtered && after && suffix <= *after) {
      ++out.total;  // before the page: counted, not shown
      continue;
    }
    if (taken == q.limit) {
      more = true;
      if (!filtered) break;
      ++out.total;  // counting the rest of a filtered list
      continue;
    }
    if (filtered) ++out.total;
    std::string stored;
    if (!views_.db()->Get(options, view_keys::kTask + suffix.substr(8), &stored).ok() ||
        stored.size() < 2 || stored.back() != '}') {
      continue;
    }
    // The stored object as it is, with the deadline its list entry tells (no parse: a page is
    // a seek and a few point reads).
    const std::optional<Timestamp> due =
        entry.due_ms ? std::optional(Timestamp{*entry.due_ms}) : std::nullopt;
    stored.pop_back();
    if (taken > 0) items += ",";
    items += stored;
    items += ",\"deadline\":\"" + TaskDeadline(due, entry.status, q.now) + "\"}";
    ++taken;
    last = suffix;
  }
  items += "]";
  out.page.items_json = std::move(items);
  if (more) out.page.next_cursor = EncodeCursor(std::string(1, q.sort) + last);
  if (!filtered) {
    for (const std::string& scope : q.scopes) {
      std::string counter;
      if (views_.db()->Get(options, TaskCountKey(scope, status), &counter).ok()) {
        out.total += ReadCounter(counter);
      }
    }
  }
  return out;
}

json TaskQueries::Report(Timestamp from, Timestamp to, Timestamp now) const {
  struct Sums {
    int64_t created = 0, done = 0, done_late = 0, overdue_now = 0;
    LatencyHistogram time_to_done;
  };
  std::map<std::string, Sums> sums;  // by dimension: "", "y/<type>", "a/<assignee>"
  SumPeriodCells(
      views_, [](char grain) { return TaskReportPrefix(grain); }, from, to,
      [&](std::string_view key, std::string_view value) {
        const size_t zero = key.find('\0');
        if (zero == std::string_view::npos || zero + 2 != key.size()) return;
        Sums& s = sums[std::string(key.substr(0, zero))];
        switch (key[zero + 1]) {
          case 'c':
            s.created += ReadCounter(std::string(value));
            break;
          case 'd':
            s.done += ReadCounter(std::string(value));
            break;
          case 'l':
            s.done_late += ReadCounter(std::string(value));
            break;
          case 'h': {
            std::map<uint32_t, uint64_t> buckets;
            DecodeDurations(value, &buckets);
            for (const auto& [bucket, count] : buckets) s.time_to_done.AddToBucket(bucket, count);
            break;
          }
          default:
            break;
        }
      });
  // Overdue now: the open lists, due soonest first, up to now.
  for (const char* status : {"queued", "pending"}) {
    const std::string prefix = TaskListPrefix(kEveryTaskScope, status, 'd');
    const std::string end = prefix + TaskDueSortKey(now.ms);
    std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(prefix); it->Valid() && it->key().compare(end) < 0; it->Next()) {
      const TaskListEntry e = DecodeTaskListEntry(it->value().ToString());
      ++sums[""].overdue_now;
      ++sums["y/" + e.type].overdue_now;
      if (!e.assignee_id.empty()) ++sums["a/" + e.assignee_id].overdue_now;
    }
  }
  auto figures = [](const Sums& s) {
    const auto median = s.time_to_done.Quantile(0.5);
    return json{{"created", s.created},
                {"done", s.done},
                {"done_late", s.done_late},
                {"overdue_now", s.overdue_now},
                {"median_time_to_done_s", median ? json(*median) : json()}};
  };
  json report = figures(sums[""]);
  json by_type = json::array(), by_assignee = json::array();
  for (const auto& [dimension, s] : sums) {
    if (dimension.starts_with("y/")) {
      json row = figures(s);
      row["type"] = dimension.substr(2);
      by_type.push_back(std::move(row));
    } else if (dimension.starts_with("a/")) {
      json row = figures(s);
      row["assignee_id"] = dimension.substr(2);
      by_assignee.push_back(std::move(row));
    }
  }
  report["by_type"] = std::move(by_type);
  report["by_assignee"] = std::move(by_assignee);
  return report;
}

TaskQueries::DueReminders TaskQueries::RemindersDue(Timestamp now, size_t limit,
                                                    const std::string& after) const {
  DueReminders out;
  const std::string end = view_keys::kTaskReminder + TaskDueSortKey(now.ms + 1);
  const rocksdb::Slice upper(end);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;  // the walk stops at `now`, tombstones past it unread
  std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(options));
  const size_t id_at = std::string(view_keys::kTaskReminder).size() + 8;
  if (after.empty()) {
    it->Seek(view_keys::kTaskReminder);
  } else {
    it->Seek(after);
    if (it->Valid() && it->key() == rocksdb::Slice(after)) it->Next();
  }
  for (; it->Valid() && out.task_ids.size() < limit; it->Next()) {
    if (it->key().size() <= id_at) continue;
    out.task_ids.push_back(it->key().ToString().substr(id_at));
    out.last_key = it->key().ToString();
  }
  return out;
}

std::vector<json> TaskQueries::Schedules() const {
  std::vector<json> out;
  std::unique_ptr<rocksdb::Iterator> it(views_.db()->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(view_keys::kTaskSchedule);
       it->Valid() && it->key().starts_with(view_keys::kTaskSchedule); it->Next()) {
    json s = json::parse(it->value().ToString(), nullptr, false);
    if (s.is_object()) out.push_back(std::move(s));
  }
  return out;
}

std::optional<json> TaskQueries::Schedule(const std::string& id) const {
  return views_.GetObject(view_keys::kTaskSchedule + id);
}

}  // namespace helpdesk
