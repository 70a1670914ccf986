// The commands' JSON for the cluster hop: the node that takes a request writes the command down
// ({"op", "caller", "args"}), the node that owns its stream reads it back and answers with an
// outcome. Errors cross nodes by their code's name ("not_found"), never as a bare number, so
// two builds that order ErrorCode differently still agree.
#pragma once

#include <nlohmann/json.hpp>

#include "commands/command.h"
#include "commands/commands.h"
#include "domain/result.h"

namespace helpdesk {

nlohmann::json EncodeCommand(const Caller& caller, const Command& command);

struct DecodedCommand {
  Caller caller;
  Command command;
};
// A command that cannot be read (unknown op, missing or mistyped field, unknown role) is
// kInvalidField naming what is wrong.
Result<DecodedCommand> DecodeCommand(const nlohmann::json& encoded);

// An outcome, or its error, as JSON and back: what a deciding node answers. An answer that
// cannot be read is kInternal.
nlohmann::json EncodeOutcome(const Result<CommandOutcome>& outcome);
Result<CommandOutcome> DecodeOutcome(const nlohmann::json& encoded);

}  // namespace helpdesk
