#include "commands/cluster/replay_guard.h"

namespace helpdesk {

void ReplayGuard::Remember(const std::string& request_id, int64_t sent_at_ms) {
  if (ids_.insert(request_id).second) by_age_.emplace_back(sent_at_ms, request_id);
}

void ReplayGuard::Expire(int64_t now_ms) {
  const int64_t oldest_kept = now_ms - window_.count();
  while (!by_age_.empty() && by_age_.front().first < oldest_kept) {
    ids_.erase(by_age_.front().second);
    by_age_.pop_front();
  }
}

}  // namespace helpdesk
