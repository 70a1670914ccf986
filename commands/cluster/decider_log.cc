#include "commands/cluster/decider_log.h"

namespace helpdesk {

std::future<Result<AppendResult>> DeciderLog::AppendAsync(AppendRequest request) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.push_back(Pending{std::move(request), {}});
  return pending_.back().done.get_future();
}

std::vector<DeciderLog::Pending> DeciderLog::TakeAll() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Pending> out;
  out.swap(pending_);
  return out;
}

}  // namespace helpdesk
