// Env: what a node takes from the world that tests need to control, in one object (as LevelDB's
// Env): the clock and the source of fresh ids. Production uses Env::System(); hermetic tests
// pass a ManualClock and SequentialIds.
#pragma once

#include <atomic>
#include <string>

#include "adapters/clock.h"

namespace helpdesk {

class IdSource {
 public:
  virtual ~IdSource() = default;
  // A fresh id for an event, a message or a new resource. Thread-safe.
  virtual std::string NewId() = 0;
};

// Random ids from the operating system (random_ids.h): what a node uses.
class RandomIds final : public IdSource {
 public:
  std::string NewId() override;
};

// "<prefix>000001", "<prefix>000002"…: repeatable ids for tests. Thread-safe.
class SequentialIds final : public IdSource {
 public:
  explicit SequentialIds(std::string prefix = "id") : prefix_(std::move(prefix)) {}
  std::string NewId() override;

 private:
  const std::string prefix_;
  std::atomic<uint64_t> next_{1};
};

struct Env {
  const Clock& clock;
  IdSource& ids;

  // The system clock and random ids (process-wide, never destroyed).
  static Env System();
};

}  // namespace helpdesk
