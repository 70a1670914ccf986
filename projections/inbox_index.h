// Inbox indexes: for every scope a conversation is in and every sort column, one key
//   "i/" + scope + "\0" + column + be64(sort value) + conversation id
// with an empty value. A page of any view is a seek and a short scan of one scope (or a merge
// of a few, for the queue of several teams), so it costs the same with 100 or 1,000,000
// conversations.
//
// Scopes: all (not closed) · st:<status> · as:<assignee> (not closed) · tm:<team> (not closed)
//         q:<team or "-"> (queued) · un (not closed, no assignee) · tag:<tag>
//         pt:<user> (not closed, the user was invited in)
// Columns: m last activity (recent = backwards) · w waiting_since (nulls last) ·
//          s assigned_at (nulls last) · o opened_at (newest = backwards)
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/conversation.h"

namespace helpdesk {

enum class InboxSort { kRecent, kWaitingLongest, kInServiceLongest, kOldest, kNewest };
std::optional<InboxSort> ParseInboxSort(const std::string& name);

struct SortOrder {
  char column;
  bool backwards;
};
SortOrder OrderFor(InboxSort sort);

// Prefix of one scope's index in one column.
std::string ScopePrefix(const std::string& scope, char column);

// Every index key of a conversation in this state (none if it does not exist).
std::set<std::string> IndexKeys(const ConversationState& s);

// Counter keys for the inbox summary, and the ones a conversation in this state counts in
// (none if it does not exist).
std::string StatusCounterKey(ConversationStatus s);
std::string UserStatusCounterKey(const std::string& user_id, ConversationStatus s);
std::string TeamStatusCounterKey(const std::string& team_id, ConversationStatus s);
std::vector<std::string> CounterKeys(const ConversationState& s);
// Open conversations carrying a tag (the tag catalog's open_count).
std::string TagCounterKey(const std::string& tag);

// Scope names.
std::string QueueScope(const std::optional<std::string>& team_id);
inline std::string AssigneeScope(const std::string& user) { return "as:" + user; }
inline std::string TeamScope(const std::string& team) { return "tm:" + team; }
inline std::string StatusScope(ConversationStatus s) { return std::string("st:") + StatusName(s); }
inline std::string TagScope(const std::string& tag) { return "tag:" + tag; }
inline std::string ParticipantScope(const std::string& user) { return "pt:" + user; }
inline const char* kAllScope = "all";
inline const char* kUnassignedScope = "un";

}  // namespace helpdesk
