// FaultyLog: wraps an EventLog and fails it on purpose, for tests of what a node does when its
// log misbehaves. Faults are armed from the test's thread while the node runs:
//   FailAppend(n):        the n-th append from now (1 = the next) fails with kLogUnavailable,
//                         and so does every append after it until Reset(), as a real log does;
//   LoseAnswer(n):        the n-th append from now is written, but answered kLogUnavailable
//                         (its acknowledgement lost on the way); appends after it fail until
//                         Reset(), as after FailAppend;
//   DelayAppends(d):      every append's answer comes `d` late (the append itself is handed on
//                         at once, in order; the caller is not held up);
//   RefuseReads(true):    reads fail with kLogUnavailable until RefuseReads(false).
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>

#include "adapters/event_log.h"

namespace helpdesk {

class FaultyLog final : public EventLog {
 public:
  explicit FaultyLog(EventLog& inner) : inner_(inner) {}

  void FailAppend(int nth);
  void LoseAnswer(int nth);
  void DelayAppends(std::chrono::milliseconds delay) { delay_ms_ = delay.count(); }
  void RefuseReads(bool refuse) { refuse_reads_ = refuse; }
  // Appends that failed on purpose so far.
  int failed_appends() const { return failed_; }
  // Reads (and catch-up checks) refused on purpose so far.
  int refused_reads() const { return refused_; }

  std::future<Result<AppendResult>> AppendAsync(AppendRequest request) override;
  void Reset() override;
  void HoldAppends() override { inner_.HoldAppends(); }
  void ReleaseAppends() override { inner_.ReleaseAppends(); }
  Result<std::vector<RecordedEvent>> Read(const ConsistencyToken& after, size_t max,
                                          std::chrono::milliseconds wait) override;
  ConsistencyToken Head() const override { return inner_.Head(); }
  Result<bool> Reaches(const ConsistencyToken& token) override { return inner_.Reaches(token); }
  Result<bool> IsCaughtUp(const ConsistencyToken& token) override;

 private:
  Error Refused();  // counts it

  EventLog& inner_;
  std::mutex mu_;
  int countdown_ = 0;       // appends until the armed failure; 0: none armed
  int lose_countdown_ = 0;  // appends until the armed lost answer; 0: none armed
  bool failing_ = false;    // a failure happened: refuse appends until Reset()
  std::atomic<int64_t> delay_ms_{0};
  std::atomic<bool> refuse_reads_{false};
  std::atomic<int> refused_{0};
  std::atomic<int> failed_{0};
};

}  // namespace helpdesk
