#include "adapters/memory_log.h"

#include "adapters/event_codec.h"

namespace helpdesk {

std::future<Result<AppendResult>> MemoryLog::AppendAsync(AppendRequest request) {
  std::promise<Result<AppendResult>> done;
  std::future<Result<AppendResult>> answer = done.get_future();
  std::unique_lock<std::mutex> lock(mu_);
  for (const auto& [stream, expected] : request.expected_versions) {
    auto it = versions_.find(stream);
    const uint64_t actual = it == versions_.end() ? 0 : it->second;
    if (actual != expected) {
      done.set_value(Error{ErrorCode::kVersionConflict,
                           "stream " + stream + " is at version " + std::to_string(actual)});
      return answer;
    }
  }
  AppendResult result;
  for (NewEvent& e : request.events) {
    RecordedEvent r;
    r.position = events_.size() + 1;
    r.stream_version = ++versions_[e.stream];
    r.event = std::move(e);
    TakeDataText(r.event);  // kept as a tree: reads hand it out as it is
    events_.push_back(r);
    result.recorded.push_back(std::move(r));
  }
  result.token.Set(0, events_.size());
  lock.unlock();
  grew_.notify_all();
  done.set_value(std::move(result));
  return answer;
}

Result<std::vector<RecordedEvent>> MemoryLog::Read(const ConsistencyToken& after, size_t max,
                                                   std::chrono::milliseconds wait) {
  const uint64_t from = after.At(0);
  std::unique_lock<std::mutex> lock(mu_);
  grew_.wait_for(lock, wait, [&] { return events_.size() > from; });
  std::vector<RecordedEvent> out;
  for (uint64_t p = from; p < events_.size() && out.size() < max; ++p) out.push_back(events_[p]);
  return out;
}

ConsistencyToken MemoryLog::Head() const {
  std::lock_guard<std::mutex> lock(mu_);
  ConsistencyToken t;
  t.Set(0, events_.size());
  return t;
}

}  // namespace helpdesk
