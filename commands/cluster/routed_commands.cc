#include "commands/cluster/routed_commands.h"

#include <algorithm>
#include <future>
#include <optional>

#include "adapters/random_ids.h"
#include "commands/command_codec.h"
#include "commands/id_rules.h"
#include "domain/directory.h"

namespace helpdesk {
namespace {

// What a command needs before it can be routed: the id of the resource it creates (its stream
// is its routing key) and, for users and channels, the bearer token, made here so that only its
// digest travels. Returns the token to show once, if one was made.
std::string ChooseIds(Command& command) {
  return std::visit(
      [](auto& c) -> std::string {
        using C = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<C, cmd::CreateUser> || std::is_same_v<C, cmd::CreateChannel>) {
          if (!c.id) c.id = NewId();
          return IssueBearerToken(c.token_sha256);
        } else if constexpr (std::is_same_v<C, cmd::IssueUserToken>) {
          if (!c.token_id) c.token_id = NewId();
          return IssueBearerToken(c.token_sha256);
        } else if constexpr (std::is_same_v<C, cmd::CreateTeam> ||
                             std::is_same_v<C, cmd::CreateTemplate> ||
                             std::is_same_v<C, cmd::CreateQuickReply> ||
                             std::is_same_v<C, cmd::StartConversation> ||
                             std::is_same_v<C, cmd::DefineFunnel> ||
                             std::is_same_v<C, cmd::CreateDeal> ||
                             std::is_same_v<C, cmd::CreateTask> ||
                             std::is_same_v<C, cmd::DefineTaskSchedule>) {
          if (!c.id) c.id = NewId();
        } else if constexpr (std::is_same_v<C, cmd::CreateContact>) {
          // Routed by phone or e-mail: the deciding node picks the id, one whose stream is in
          // its partition and whose key is shared already (ContactKeys::TakePrekeyedId).
          // Without either it is routed by its stream, which needs the id now.
          if (!c.id && NormalizePhone(c.phone).empty() && NormalizeEmail(c.email).empty()) {
            c.id = NewId();
          }
        }
        return "";
      },
      command);
}

}  // namespace

Result<CommandOutcome> RoutedCommands::Execute(const Caller& caller, Command command) {
  const std::string secret = ChooseIds(command);
  const std::string key = RoutingKey(caller, command, clock_.Now());
  std::optional<Result<CommandOutcome>> here;
  if (local_) here = local_->DecideHere(key, caller, command);
  Result<CommandOutcome> out =
      here ? std::move(*here) : transport_.Send(key, EncodeCommand(caller, command));
  if (out.ok() && out.value().created) out.value().secret_token = secret;
  return out;
}

std::vector<Result<CommandOutcome>> RoutedCommands::ExecuteAll(const Caller& caller,
                                                               std::vector<Command> commands) {
  std::vector<std::optional<Result<CommandOutcome>>> answered(commands.size());
  std::vector<std::future<void>> lanes;
  for (size_t lane = 0; lane < std::min(kLanes, commands.size()); ++lane) {
    lanes.push_back(std::async(std::launch::async, [&, lane] {
      for (size_t i = lane; i < commands.size(); i += kLanes) {
        answered[i] = Execute(caller, std::move(commands[i]));
      }
    }));
  }
  for (std::future<void>& lane : lanes) lane.get();
  std::vector<Result<CommandOutcome>> outcomes;
  outcomes.reserve(answered.size());
  for (auto& outcome : answered) outcomes.push_back(std::move(*outcome));
  return outcomes;
}

}  // namespace helpdesk
