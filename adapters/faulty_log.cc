#include "adapters/faulty_log.h"

#include <thread>

namespace helpdesk {
namespace {

std::future<Result<AppendResult>> Failed(const std::string& why) {
  std::promise<Result<AppendResult>> p;
  p.set_value(Error{ErrorCode::kLogUnavailable, why});
  return p.get_future();
}

}  // namespace

Error FaultyLog::Refused() {
  ++refused_;
  return Error{ErrorCode::kLogUnavailable, "reads refused (injected fault)"};
}

void FaultyLog::FailAppend(int nth) {
  std::lock_guard<std::mutex> lock(mu_);
  countdown_ = nth;
}

void FaultyLog::LoseAnswer(int nth) {
  std::lock_guard<std::mutex> lock(mu_);
  lose_countdown_ = nth;
}

std::future<Result<AppendResult>> FaultyLog::AppendAsync(AppendRequest request) {
  std::future<Result<AppendResult>> result;
  bool lose_answer = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (countdown_ > 0 && --countdown_ == 0) failing_ = true;
    if (failing_) {
      ++failed_;
      result = Failed("the log refused the append (injected fault)");
    } else if (lose_countdown_ > 0 && --lose_countdown_ == 0) {
      lose_answer = true;
      failing_ = true;
      ++failed_;
    }
  }
  if (lose_answer) {
    // Written, and only then refused: the caller cannot tell it from a refusal.
    (void)inner_.AppendAsync(std::move(request)).get();
    result = Failed("the log's answer was lost (injected fault)");
  }
  // Handed on at once, in the order appends come, as a real log queues them.
  if (!result.valid()) result = inner_.AppendAsync(std::move(request));
  const int64_t ms = delay_ms_.load();
  if (ms <= 0) return result;
  // Only the answer is late, as with a slow disk or broker: the caller is not held up.
  std::promise<Result<AppendResult>> late;
  std::future<Result<AppendResult>> answer = late.get_future();
  std::thread([ms, result = std::move(result), late = std::move(late)]() mutable {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    late.set_value(result.get());
  }).detach();
  return answer;
}

void FaultyLog::Reset() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    failing_ = false;
  }
  inner_.Reset();
}

Result<std::vector<RecordedEvent>> FaultyLog::Read(const ConsistencyToken& after, size_t max,
                                                   std::chrono::milliseconds wait) {
  if (refuse_reads_) return Refused();
  return inner_.Read(after, max, wait);
}

Result<bool> FaultyLog::IsCaughtUp(const ConsistencyToken& token) {
  if (refuse_reads_) return Refused();
  return inner_.IsCaughtUp(token);
}

}  // namespace helpdesk
