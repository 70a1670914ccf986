// Routing of an inbound customer message to a conversation (contract: "Routing of an inbound
// message"). Given the contact's conversations on the channel, decide where the message goes:
//  - an unclosed conversation: the message joins it (waking it if postponed);
//  - else the newest one, if closed less than 7 days ago: it is reopened;
//  - else a new conversation opens in the queue.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "domain/conversation.h"
#include "domain/time.h"

namespace helpdesk {

constexpr int64_t kReopenWindowMs = 7 * kDayMs;

struct RoutingDecision {
  enum class Kind { kJoin, kReopen, kOpenNew };
  Kind kind = Kind::kOpenNew;
  std::string conversation_id;  // for kJoin and kReopen
};

// `candidates`: the contact's conversations on the channel, any order.
RoutingDecision RouteInbound(const std::vector<const ConversationState*>& candidates,
                             Timestamp now);

// True when a conversation closed at `closed_at` may still be reopened by the customer at `now`.
bool WithinReopenWindow(Timestamp closed_at, Timestamp now);

}  // namespace helpdesk
