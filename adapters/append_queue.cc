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
  bool wake = false;
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
    if (holds_ == 0) free_ = queue_.size();
    // While held, the writer needs waking only for the first append and at the cap.
    wake = holds_ == 0 || queue_.size() == 1 || queue_.size() >= kHeldAppends;
  }
  if (wake) cv_.notify_one();
  return done;
}

std::deque<AppendQueue::Pending> AppendQueue::TakeAll() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
  if (holds_ > 0) {
    cv_.wait_for(lock, kLongestHold, [this] {
      return stopping_ || holds_ == 0 || free_ > 0 || queue_.size() >= kHeldAppends;
    });
  }
  std::deque<Pending> group;
  if (holds_ > 0 && free_ > 0 && !stopping_ && queue_.size() < kHeldAppends) {
    // The appends from before the holds go; those queued under them wait for their end.
    group.insert(group.end(), std::make_move_iterator(queue_.begin()),
                 std::make_move_iterator(queue_.begin() + free_));
    queue_.erase(queue_.begin(), queue_.begin() + free_);
  } else {
    group.swap(queue_);
  }
  free_ = holds_ == 0 ? queue_.size() : 0;
  return group;
}

void AppendQueue::Break(std::deque<Pending>& group, const Error& error) {
  std::deque<Pending> behind;
  {
    std::lock_guard<std::mutex> lock(mu_);
    broken_ = true;
    behind.swap(queue_);
    free_ = 0;
  }
  for (Pending& p : group) p.done.set_value(error);
  for (Pending& p : behind) p.done.set_value(error);
}

void AppendQueue::Hold() {
  std::lock_guard<std::mutex> lock(mu_);
  ++holds_;
}

void AppendQueue::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (--holds_ > 0) return;
    free_ = queue_.size();
  }
  cv_.notify_all();
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
