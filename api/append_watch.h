// AppendWatch: the command interface, remembering when the log last refused an append. /readyz
// turns 503 while a refusal is recent: a node whose log cannot take writes leaves the load
// balancer until it can.
#pragma once

#include <atomic>
#include <cstdint>

#include "adapters/clock.h"
#include "commands/commands.h"

namespace helpdesk {

class AppendWatch final : public Commands {
 public:
  // How long a refusal keeps the node unready when nothing has succeeded since.
  static constexpr int64_t kRecentMs = 10000;

  AppendWatch(Commands& inner, const Clock& clock) : inner_(inner), clock_(clock) {}

  Result<CommandOutcome> Execute(const Caller& caller, Command command) override;
  std::vector<Result<CommandOutcome>> ExecuteAll(const Caller& caller,
                                                 std::vector<Command> commands) override;

  // True when the last append that reached the log was refused less than kRecentMs ago.
  bool RecentlyRefused() const;

 private:
  Commands& inner_;
  const Clock& clock_;
  std::atomic<int64_t> refused_at_ms_{0};  // 0: the last outcome was not a refusal
};

}  // namespace helpdesk
