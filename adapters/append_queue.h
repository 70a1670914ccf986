// AppendQueue: the queue between appenders and a log's single writer thread, shared by the
// embedded and the Kafka log. Appenders Push and get a future; the writer TakeAll()s whatever
// is queued and commits it as one group. After a failed group the queue is broken: it fails
// everything queued and refuses new appends until Reset() (appends queued behind a failure may
// rest on it). Thread-safe.
//
// A hold keeps back the appends queued while it lasts (and while holds begun meanwhile last):
// those queued when no hold lasted (a batch whose own hold ended) go at once. Otherwise a
// batcher that releases one hold and begins the next before the writer wakes (an import
// deciding batch after batch) kept its previous batch waiting for the next one's end: groups of
// two batches, and the batcher waiting for the log. Two batchers at once (an import and the
// task timer) may still keep each other's appends until the later hold ends, as before.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>

#include "adapters/event_log.h"

namespace helpdesk {

class AppendQueue {
 public:
  struct Pending {
    AppendRequest request;
    std::promise<Result<AppendResult>> done;
  };

  // How long, and up to how many appends, a hold keeps a group waiting (EventLog::HoldAppends).
  static constexpr std::chrono::milliseconds kLongestHold{100};
  static constexpr size_t kHeldAppends = 4096;

  // Queues `request`. An empty request resolves at once with `head`; a stopped or broken queue
  // resolves with kLogUnavailable.
  std::future<Result<AppendResult>> Push(AppendRequest request, const ConsistencyToken& head);
  // Blocks until something is queued or Stop() was called. While a hold lasts, takes what was
  // queued before it, or waits for its end (see kLongestHold) when nothing was. Empty once
  // stopping and drained.
  std::deque<Pending> TakeAll();
  void Hold();
  void Release();
  // Fails `group` and everything queued, and refuses appends until Reset().
  void Break(std::deque<Pending>& group, const Error& error);
  void Reset();
  // Refuses new appends and wakes the writer; what is queued is still handed out.
  void Stop();
  // The writer thread's loop: hands every group to `commit` until stopped and drained.
  template <class Commit>
  void RunWriter(Commit commit) {
    for (;;) {
      std::deque<Pending> group = TakeAll();
      if (group.empty()) return;
      commit(group);
    }
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  // How many of queue_'s first appends no hold keeps back (queued while none lasted, or
  // before the holds that last now began).
  size_t free_ = 0;
  bool stopping_ = false;
  bool broken_ = false;
  int holds_ = 0;
};

}  // namespace helpdesk
