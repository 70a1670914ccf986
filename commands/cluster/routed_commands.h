// RoutedCommands: the Commands of a node in a cluster. A command this node owns (the partition
// of the stream it is about, RoutingKey) is decided here, with no hop (LocalDecisions). Any
// other is written down as JSON (commands/command_codec.h) and handed to a CommandTransport,
// which delivers it to the node that owns it; that node decides it (KafkaDecider) and the
// outcome travels back the same way. Ids and bearer tokens of new resources are chosen here,
// before routing, so the stream is known and a secret never leaves this node (only its digest
// does).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "adapters/clock.h"
#include "commands/command.h"
#include "commands/commands.h"

namespace helpdesk {

class CommandTransport {
 public:
  virtual ~CommandTransport() = default;
  // Delivers `command` to the node that decides for `routing_key` (a stream name, or a key that
  // decides where new streams are made) and waits for its outcome.
  virtual Result<CommandOutcome> Send(const std::string& routing_key,
                                      const nlohmann::json& command) = 0;
};

class LocalDecisions {
 public:
  virtual ~LocalDecisions() = default;
  // Decides `command` on this node if it owns `routing_key` now, and waits for its outcome
  // (durable, like a routed command's). nullopt: not this node's to decide; route it.
  virtual std::optional<Result<CommandOutcome>> DecideHere(const std::string& routing_key,
                                                           const Caller& caller,
                                                           const Command& command) = 0;
};

class RoutedCommands final : public Commands {
 public:
  // `local` (may be null: every command is routed) outlives this.
  RoutedCommands(CommandTransport& transport, LocalDecisions* local, const Clock& clock)
      : transport_(transport), local_(local), clock_(clock) {}

  Result<CommandOutcome> Execute(const Caller& caller, Command command) override;
  // Sends up to kLanes commands at a time: each waits for its own round trip to its owner.
  std::vector<Result<CommandOutcome>> ExecuteAll(const Caller& caller,
                                                 std::vector<Command> commands) override;
  static constexpr size_t kLanes = 16;

 private:
  CommandTransport& transport_;
  LocalDecisions* const local_;
  const Clock& clock_;
};

}  // namespace helpdesk
