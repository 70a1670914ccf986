// The clock is an edge: production reads the system clock, tests drive a fixed or manual one.
#pragma once

#include <atomic>

#include "domain/time.h"

namespace helpdesk {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that only moves when told to. Thread-safe.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Timestamp start) : ms_(start.ms) {}
  Timestamp Now() const override { return Timestamp{ms_.load()}; }
  void Set(Timestamp t) { ms_.store(t.ms); }
  void Advance(int64_t ms) { ms_.fetch_add(ms); }

 private:
  std::atomic<int64_t> ms_;
};

}  // namespace helpdesk
