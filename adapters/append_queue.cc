#include "adapters/append_queue.h"

namespace helpdesk {

std::future<Result<AppendResult>> AppendQueue::Push(AppendRequest request,
                                                    const ConsistencyToken& head) {
  std::promise<Result<AppendResult>> ready;
  if (request.events.empty()) {
    ready.set_value(AppendResult{{}, head});
    return ready.get_future();
  }
  std::future<Result<AppendResult>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ || broken_) {
      ready.set_value(Error{ErrorCode::kLogUnavailable,
                            stopping_ ? "the event log is shutting down"
                                      : "the event log failed an append and waits for a reset"});
      return ready.get_future();
    }
    queue_.push_back(Pending{std::move(request), {}});
    done = queue_.back().done.get_future();
  }
  cv_.notify_one();
  return done;
}

std::deque<AppendQueue::Pending> AppendQueue::TakeAll() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  std::deque<Pending> group;
  group.swap(queue_);
  return group;
}

void AppendQueue::Break(std::deque<Pending>& group, const Error& error) {
  std::deque<Pending> behind;
  {
    std::lock_guard<std::mutex> lock(mu_);
    broken_ = true;
    behind.swap(queue_);
  }
  for (Pending& p : group) p.done.set_value(error);
  for (Pending& p : behind) p.done.set_value(error);
}

void AppendQueue::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  broken_ = false;
}

void AppendQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
}

}  // namespace helpdesk
