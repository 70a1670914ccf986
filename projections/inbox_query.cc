#include "projections/inbox_query.h"

#include <rocksdb/db.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "adapters/rocks_status.h"
#include "domain/directory.h"
#include "projections/conversation_view.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// Most index entries one request may look at; past it the page ends early with a cursor.
constexpr size_t kMaxScanned = 20000;

std::string Digits(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isdigit(static_cast<unsigned char>(c))) out += c;
  }
  return out;
}

std::vector<std::string> ChooseScopes(const InboxRequest& r) {
  switch (r.view) {
    case InboxView::kMine:
      return {AssigneeScope(r.caller_id)};
    case InboxView::kQueue: {
      if (r.team_id) return {QueueScope(r.team_id)};
      std::vector<std::string> scopes{QueueScope(std::nullopt)};
      for (const auto& t : r.caller_teams) scopes.push_back(QueueScope(t));
      return scopes;
    }
    case InboxView::kUnassigned:
      return {kUnassignedScope};
    case InboxView::kPostponed:
      return {StatusScope(ConversationStatus::kPostponed)};
    case InboxView::kClosed:
      return {StatusScope(ConversationStatus::kClosed)};
    case InboxView::kParticipating:
      return {ParticipantScope(r.caller_id)};
    case InboxView::kWaiting:  // the same scopes, walked by waiting_since
    case InboxView::kAll:
      if (r.assignee_id) return {AssigneeScope(*r.assignee_id)};
      if (r.team_id) return {TeamScope(*r.team_id)};
      if (r.status) return {StatusScope(*r.status)};
      if (r.tag) return {TagScope(*r.tag)};
      return {kAllScope};
  }
  return {kAllScope};
}

bool HasFilters(const InboxRequest& r) {
  return r.team_id || r.assignee_id || r.status || r.tag || r.stage || r.q;
}

// The view's own rule, for what the scope alone does not guarantee.
bool InView(const InboxRequest& r, const StoredHeader& h) {
  if (r.view == InboxView::kClosed) {
    return h.closed_at && r.now.ms - h.closed_at->ms <= kClosedViewWindowMs;
  }
  return h.status != ConversationStatus::kClosed;
}

// The caller hid it from their queue (JivoChat's "ignore") and that time has not come yet.
bool IgnoredByCaller(const InboxRequest& r, const std::string& rendered) {
  // Nearly always nobody ignores it: no parse then.
  if (r.caller_id.empty() || rendered.find("\"ignored_by\":{}") != std::string::npos) {
    return false;
  }
  const json c = json::parse(rendered, nullptr, false);
  const json ignored = c.is_object() ? c.value("ignored_by", json::object()) : json::object();
  auto it = ignored.find(r.caller_id);
  if (it == ignored.end() || !it->is_string()) return false;
  auto until = ParseRfc3339(it->get<std::string>());
  return until && r.now < *until;
}

bool MatchesFilters(const InboxRequest& r, const json& c) {
  if (r.team_id && c["team_id"] != *r.team_id) return false;
  if (r.assignee_id && c["assignee_id"] != *r.assignee_id) return false;
  if (r.status && c["status"] != StatusName(*r.status)) return false;
  if (r.tag) {
    const auto& tags = c["tags"];
    if (std::find(tags.begin(), tags.end(), *r.tag) == tags.end()) return false;
  }
  const json& contact = c["contact"];
  if (r.stage && contact.value("stage", "") != *r.stage) return false;
  if (r.q) {
    if (LooksLikePhoneQuery(*r.q)) {
      const std::string phone =
          contact["phone"].is_string() ? contact["phone"].get<std::string>() : "";
      if (Digits(phone).find(Digits(*r.q)) == std::string::npos) return false;
    } else {
      const std::string name =
          contact["name"].is_string() ? contact["name"].get<std::string>() : "";
      if (FoldForSearch(name).find(FoldForSearch(*r.q)) == std::string::npos) return false;
    }
  }
  return true;
}

}  // namespace

bool ConversationInSight(const NarrowedViewer& sight, const json& c) {
  auto text = [&](const char* field) -> std::optional<std::string> {
    auto it = c.find(field);
    if (it == c.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  std::set<std::string> participants;
  if (auto it = c.find("participants"); it != c.end() && it->is_array()) {
    for (const auto& u : *it) {
      if (u.is_string()) participants.insert(u.get<std::string>());
    }
  }
  return MaySeeConversation(sight, text("assignee_id"), text("team_id"), participants);
}

namespace {

// One scope's index walked in order, positioned after a cursor.
struct ScopeWalk {
  std::string prefix;
  std::unique_ptr<rocksdb::Iterator> it;

  bool Valid() const { return it->Valid() && it->key().starts_with(prefix); }
  std::string Suffix() const { return it->key().ToString().substr(prefix.size()); }
};

}  // namespace

std::optional<InboxView> ParseInboxView(const std::string& name) {
  if (name == "mine") return InboxView::kMine;
  if (name == "queue") return InboxView::kQueue;
  if (name == "unassigned") return InboxView::kUnassigned;
  if (name == "all") return InboxView::kAll;
  if (name == "postponed") return InboxView::kPostponed;
  if (name == "closed") return InboxView::kClosed;
  if (name == "waiting") return InboxView::kWaiting;
  if (name == "participating") return InboxView::kParticipating;
  return std::nullopt;
}

Result<Page> QueryInbox(const ViewStore& views, const InboxRequest& r) {
  std::optional<std::string> after;
  if (r.cursor) {
    after = DecodeCursor(*r.cursor);
    if (!after || after->size() < 8) return InvalidField("cursor", "is not a cursor of this list");
  }
  const bool waiting = r.view == InboxView::kWaiting;
  const SortOrder order = OrderFor(waiting ? InboxSort::kWaitingLongest : r.sort);
  // Past the last waiting conversation come those with no waiting_since (sorted last).
  const std::string nobody_waits = EncodeBigEndian64(UINT64_MAX);
  const rocksdb::Snapshot* snapshot = views.db()->GetSnapshot();
  rocksdb::ReadOptions ro;
  ro.snapshot = snapshot;

  std::vector<ScopeWalk> walks;
  for (const auto& scope : ChooseScopes(r)) {
    ScopeWalk w{ScopePrefix(scope, order.column),
                std::unique_ptr<rocksdb::Iterator>(views.db()->NewIterator(ro))};
    if (!order.backwards) {
      w.it->Seek(w.prefix + after.value_or(""));
      if (after && w.Valid() && w.Suffix() == *after) w.it->Next();
    } else {
      w.it->SeekForPrev(after ? w.prefix + *after : w.prefix + std::string(80, '\xff'));
      if (after && w.Valid() && w.Suffix() == *after) w.it->Prev();
    }
    walks.push_back(std::move(w));
  }

  const bool filtered = HasFilters(r);
  Page page;
  page.items_json = "[";
  size_t count = 0, scanned = 0;
  std::string last_suffix;
  std::string stored;
  bool more = false;
  for (;;) {
    ScopeWalk* next = nullptr;
    std::string best;
    for (auto& w : walks) {
      if (!w.Valid()) continue;
      std::string s = w.Suffix();
      if (!next || (order.backwards ? s > best : s < best)) {
        next = &w;
        best = std::move(s);
      }
    }
    if (!next || (waiting && best.compare(0, 8, nobody_waits) == 0)) break;
    if (count == r.limit || scanned == kMaxScanned) {
      more = true;
      break;
    }
    ++scanned;
    last_suffix = best;
    if (order.backwards)
      next->it->Prev();
    else
      next->it->Next();

    const std::string id = best.substr(8);
    stored.clear();
    if (!views.db()->Get(ro, view_keys::kConversation + id, &stored).ok()) continue;
    auto header = ReadHeader(stored);
    if (!header || !InView(r, *header)) continue;
    std::string rendered;
    RenderForClient(stored, r.now, rendered);
    if (filtered || r.sight) {
      const json c = json::parse(rendered, nullptr, false);
      if (!c.is_object()) continue;
      if (filtered && !MatchesFilters(r, c)) continue;
      if (r.sight && !ConversationInSight(*r.sight, c)) continue;
    }
    if (r.view == InboxView::kQueue && IgnoredByCaller(r, rendered)) continue;
    if (count > 0) page.items_json += ',';
    page.items_json += rendered;
    ++count;
  }
  page.items_json += ']';
  if (more) page.next_cursor = EncodeCursor(last_suffix);
  views.db()->ReleaseSnapshot(snapshot);
  return page;
}

}  // namespace helpdesk
