// MemoryLog: an EventLog held in memory, for hermetic tests (no disk, no broker). One partition,
// positions 1, 2, 3… like the embedded log, with the same contract: an append is atomic and
// checks its streams' expected versions; reads wait for events to arrive. Appends resolve at
// once (there is nothing to sync). Thread-safe.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/event_log.h"

namespace helpdesk {

class MemoryLog final : public EventLog {
 public:
  std::future<Result<AppendResult>> AppendAsync(AppendRequest request) override;
  void Reset() override {}
  Result<std::vector<RecordedEvent>> Read(const ConsistencyToken& after, size_t max,
                                          std::chrono::milliseconds wait) override;
  ConsistencyToken Head() const override;
  Result<bool> IsCaughtUp(const ConsistencyToken& token) override { return token.Covers(Head()); }

 private:
  mutable std::mutex mu_;
  std::condition_variable grew_;
  std::vector<RecordedEvent> events_;  // events_[i] is at position i + 1
  std::unordered_map<std::string, uint64_t> versions_;
};

}  // namespace helpdesk
