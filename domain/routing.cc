#include "domain/routing.h"

namespace helpdesk {

bool WithinReopenWindow(Timestamp closed_at, Timestamp now) {
  return now.ms - closed_at.ms < kReopenWindowMs;
}

RoutingDecision RouteInbound(const std::vector<const ConversationState*>& candidates,
                             Timestamp now) {
  const ConversationState* newest_closed = nullptr;
  for (const ConversationState* c : candidates) {
    if (c->status != ConversationStatus::kClosed) {
      return {RoutingDecision::Kind::kJoin, c->id};
    }
    if (!newest_closed || c->closed_at > newest_closed->closed_at) newest_closed = c;
  }
  if (newest_closed && newest_closed->closed_at &&
      WithinReopenWindow(*newest_closed->closed_at, now)) {
    return {RoutingDecision::Kind::kReopen, newest_closed->id};
  }
  return {RoutingDecision::Kind::kOpenNew, ""};
}

}  // namespace helpdesk
