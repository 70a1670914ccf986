// AppendWatch: the command interface, remembering when the log last refused an append and
// counting what came of every command. /readyz turns 503 while a refusal is recent: a node whose
// log cannot take writes leaves the load balancer until it can.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <variant>

#include "adapters/clock.h"
#include "adapters/metrics.h"
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
  std::unique_ptr<SubmittedBatch> Submit(const Caller& caller,
                                         std::vector<Command> commands) override;

  // True when the last append that reached the log was refused less than kRecentMs ago.
  bool RecentlyRefused() const;

  // helpdesk_commands_total{type, outcome} and helpdesk_command_duration_seconds.
  void WriteMetrics(MetricsText& out) const;

 private:
  static constexpr size_t kTypes = std::variant_size_v<Command>;
  // Outcome "ok", then one per ErrorCode (kInternal is last).
  static constexpr size_t kOutcomes = static_cast<size_t>(ErrorCode::kInternal) + 2;

  void Note(size_t type, const Result<CommandOutcome>& outcome);
  // Counts a batch's outcomes, each command having taken `elapsed`.
  void NoteBatch(const std::vector<size_t>& types,
                 const std::vector<Result<CommandOutcome>>& outcomes,
                 std::chrono::steady_clock::duration elapsed);

  Commands& inner_;
  const Clock& clock_;
  std::atomic<int64_t> refused_at_ms_{0};  // 0: the last outcome was not a refusal
  std::array<std::array<Counter, kOutcomes>, kTypes> outcomes_;
  DurationHistogram duration_;
};

}  // namespace helpdesk
