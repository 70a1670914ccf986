#include "projections/inbox_index.h"

#include "adapters/rocks_status.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

constexpr char kColumns[] = {'m', 'w', 's', 'o'};
constexpr uint64_t kNullsLast = UINT64_MAX;

uint64_t SortValue(const ConversationState& s, char column) {
  auto ms = [](std::optional<Timestamp> t) {
    return t ? static_cast<uint64_t>(t->ms) : kNullsLast;
  };
  switch (column) {
    case 'm':
      return static_cast<uint64_t>((s.last_message ? s.last_message->at : s.opened_at).ms);
    case 'w':
      return ms(s.waiting_since);
    case 's':
      return ms(s.assigned_at);
    default:
      return static_cast<uint64_t>(s.opened_at.ms);
  }
}

}  // namespace

std::optional<InboxSort> ParseInboxSort(const std::string& name) {
  if (name == "recent") return InboxSort::kRecent;
  if (name == "waiting_longest") return InboxSort::kWaitingLongest;
  if (name == "in_service_longest") return InboxSort::kInServiceLongest;
  if (name == "oldest") return InboxSort::kOldest;
  if (name == "newest") return InboxSort::kNewest;
  return std::nullopt;
}

SortOrder OrderFor(InboxSort sort) {
  switch (sort) {
    case InboxSort::kRecent:
      return {'m', true};
    case InboxSort::kWaitingLongest:
      return {'w', false};
    case InboxSort::kInServiceLongest:
      return {'s', false};
    case InboxSort::kOldest:
      return {'o', false};
    case InboxSort::kNewest:
      return {'o', true};
  }
  return {'m', true};
}

std::string ScopePrefix(const std::string& scope, char column) {
  std::string p = view_keys::kInbox + scope;
  p.push_back('\0');
  p.push_back(column);
  return p;
}

std::string QueueScope(const std::optional<std::string>& team_id) {
  return "q:" + (team_id ? *team_id : std::string("-"));
}

std::set<std::string> IndexKeys(const ConversationState& s) {
  std::set<std::string> keys;
  if (!s.exists || s.deleted) return keys;
  const bool closed = s.status == ConversationStatus::kClosed;
  std::vector<std::string> scopes{StatusScope(s.status)};
  if (!closed) {
    scopes.push_back(kAllScope);
    if (s.assignee_id)
      scopes.push_back(AssigneeScope(*s.assignee_id));
    else
      scopes.push_back(kUnassignedScope);
    if (s.team_id) scopes.push_back(TeamScope(*s.team_id));
    for (const auto& user : s.participants) scopes.push_back(ParticipantScope(user));
  }
  if (s.status == ConversationStatus::kQueued) scopes.push_back(QueueScope(s.team_id));
  for (const auto& tag : s.tags) scopes.push_back(TagScope(tag));
  for (const auto& scope : scopes) {
    for (char column : kColumns) {
      keys.insert(ScopePrefix(scope, column) + EncodeBigEndian64(SortValue(s, column)) + s.id);
    }
  }
  return keys;
}

std::string StatusCounterKey(ConversationStatus s) { return std::string("n/st/") + StatusName(s); }
std::string UserStatusCounterKey(const std::string& user_id, ConversationStatus s) {
  return "n/u/" + user_id + "/" + StatusName(s);
}
std::string TeamStatusCounterKey(const std::string& team_id, ConversationStatus s) {
  return "n/t/" + team_id + "/" + StatusName(s);
}

std::string TagCounterKey(const std::string& tag) { return "n/tag/" + tag; }

std::vector<std::string> CounterKeys(const ConversationState& s) {
  std::vector<std::string> keys;
  if (!s.exists || s.deleted) return keys;
  keys.push_back(StatusCounterKey(s.status));
  if (s.assignee_id) keys.push_back(UserStatusCounterKey(*s.assignee_id, s.status));
  if (s.team_id) keys.push_back(TeamStatusCounterKey(*s.team_id, s.status));
  if (s.status != ConversationStatus::kClosed) {
    for (const auto& tag : s.tags) keys.push_back(TagCounterKey(tag));
  }
  return keys;
}

}  // namespace helpdesk
