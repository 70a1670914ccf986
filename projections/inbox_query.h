// The inbox: GET /api/v1/conversations. Picks the narrowest index scope for the view and
// filters, walks it in the requested order (merging several scopes for the queue of many
// teams), and renders the page straight from the stored objects.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "domain/conversation.h"
#include "domain/result.h"
#include "domain/roles.h"
#include "domain/time.h"
#include "projections/cursor.h"
#include "projections/inbox_index.h"
#include "projections/view_store.h"

namespace helpdesk {

// kWaiting: not closed and the customer waits for our reply, longest first (whatever `sort`).
// kParticipating: not closed and the caller was invited in.
enum class InboxView {
  kMine,
  kQueue,
  kUnassigned,
  kAll,
  kPostponed,
  kClosed,
  kWaiting,
  kParticipating
};
std::optional<InboxView> ParseInboxView(const std::string& name);

constexpr int64_t kClosedViewWindowMs = 90 * kDayMs;

struct InboxRequest {
  InboxView view = InboxView::kAll;
  std::string caller_id;
  std::vector<std::string> caller_teams;
  // Set when the desk's agent_visibility narrows what the caller sees.
  std::optional<NarrowedViewer> sight;
  std::optional<std::string> team_id, assignee_id, tag, stage, q;
  std::optional<ConversationStatus> status;
  InboxSort sort = InboxSort::kRecent;
  size_t limit = 50;
  std::optional<std::string> cursor;
  Timestamp now;
};

struct Page {
  std::string items_json;  // a JSON array
  std::optional<std::string> next_cursor;
};

// Whether a narrowed sight takes in a conversation (its API object).
bool ConversationInSight(const NarrowedViewer& sight, const nlohmann::json& conversation);

// Errors: invalid_field "cursor" for a cursor this query did not make.
Result<Page> QueryInbox(const ViewStore& views, const InboxRequest& request);

}  // namespace helpdesk
