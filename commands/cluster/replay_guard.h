// ReplayGuard: the request ids of the commands a decider committed within the freshness window.
//
// A signed command carries its request id and the time it was sent, and the decider refuses
// one sent longer ago than the window (KafkaCommandBus::Fresh). Within the window, a copy of a
// signed command produced onto the commands topic again, by anyone who can write the topic,
// would be decided a second time. The decider asks this guard first and refuses a request id
// it already committed, then remembers the ids of each batch once its transaction commits (an
// aborted batch is consumed and decided again: its ids must not count as seen). Entries older
// than the window are dropped, since Fresh refuses those copies anyway: memory is bounded by the
// commands committed in one window (by estimate about 200 bytes each).
//
// Node-local: a copy produced after the stream's partition moved to another node, within the
// window, is not recognised there (docs/security.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_set>
#include <utility>

namespace helpdesk {

class ReplayGuard {
 public:
  explicit ReplayGuard(std::chrono::milliseconds window) : window_(window) {}

  // Whether `request_id` was committed within the window.
  bool Seen(const std::string& request_id) const { return ids_.count(request_id) > 0; }

  // Remembers a committed request id, sent at `sent_at_ms` (the sender's clock, as signed).
  void Remember(const std::string& request_id, int64_t sent_at_ms);

  // Forgets the ids sent more than the window before `now_ms`.
  void Expire(int64_t now_ms);

  size_t size() const { return ids_.size(); }

 private:
  std::chrono::milliseconds window_;
  std::unordered_set<std::string> ids_;
  // In the order remembered; sent_at is nearly ordered, and an entry that outlives its window a
  // little because an older one waits in front of it costs memory only.
  std::deque<std::pair<int64_t, std::string>> by_age_;
};

}  // namespace helpdesk
