// Who asks (Caller), what a command did (CommandOutcome), and the one interface every state
// change goes through (Commands::Execute). The commands themselves are data: commands/command.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "adapters/consistency_token.h"
#include "commands/command.h"
#include "domain/event.h"
#include "domain/result.h"
#include "domain/roles.h"

namespace helpdesk {

// Who is asking. The bootstrap admin (the --admin-token) is not a user of the directory.
struct Caller {
  std::string user_id;  // empty for the bootstrap admin and for channel tokens
  Role role = Role::kAgent;
  std::string channel_id;     // set when authenticated by a channel's own token
  std::string token_id = {};  // the token this request came with (not sent between nodes)

  // A channel's own token: it delivers that channel's messages and gets no role's rights.
  static Caller ForChannel(const std::string& channel_id) {
    return Caller{"", Role::kAnalyst, channel_id};
  }
  // The node itself (the scheduler, the delivery worker), sending commands on a cluster.
  static Caller System() { return Caller{"", Role::kAdmin, ""}; }
  bool is_user() const { return !user_id.empty(); }
  Actor actor() const;
};

// What a command did: where in the log it landed, and the ids it touched.
struct CommandOutcome {
  ConsistencyToken token;
  bool created = false;  // a new resource (201) rather than an existing one (200)
  std::string id;        // the resource the command is about
  std::string message_id;
  std::string contact_id;
  bool reopened = false;
  std::string secret_token;  // shown once: a new user's or channel's bearer token
  bool duplicate = false;    // an inbound message seen before: nothing was recorded
  // An inbound message from a blocked contact has no conversation: `id` is empty.

  static CommandOutcome For(ConsistencyToken token, std::string id, bool created = false) {
    CommandOutcome o;
    o.token = std::move(token);
    o.id = std::move(id);
    o.created = created;
    return o;
  }
};

// A batch of commands decided and on its way to the log (Commands::Submit).
class SubmittedBatch {
 public:
  virtual ~SubmittedBatch() = default;
  // Blocks until every command's events are durable (or refused); answers each as ExecuteAll
  // would. Once.
  virtual std::vector<Result<CommandOutcome>> Wait() = 0;
};

// The one entry point for state changes. CommandService decides on this node; RoutedCommands
// (commands/cluster/) sends each command to the node that owns its stream. The API and the
// workers talk to this interface and never know which one answers.
class Commands {
 public:
  virtual ~Commands() = default;
  // Runs `command` for `caller`; answers once its events are durable in the log (or with why
  // nothing was done).
  virtual Result<CommandOutcome> Execute(const Caller& caller, Command command) = 0;
  // Runs each of `commands` for `caller`, in order, answering each as Execute would (one
  // failing does not stop the others). This one runs them one by one; a decider that can
  // decides them all and then waits for the log once, so a batch costs one commit.
  virtual std::vector<Result<CommandOutcome>> ExecuteAll(const Caller& caller,
                                                         std::vector<Command> commands) {
    std::vector<Result<CommandOutcome>> outcomes;
    outcomes.reserve(commands.size());
    for (Command& command : commands) outcomes.push_back(Execute(caller, std::move(command)));
    return outcomes;
  }
  // Decides `commands` as ExecuteAll does and returns before the log has them, so a caller with
  // more to send decides its next batch while this one becomes durable. Every command of a
  // later Submit is decided after all of this one's. This one runs ExecuteAll at once.
  virtual std::unique_ptr<SubmittedBatch> Submit(const Caller& caller,
                                                 std::vector<Command> commands);
};

// A batch already answered (Commands::Submit run as ExecuteAll, or a wrapper's answers).
class AnsweredBatch final : public SubmittedBatch {
 public:
  explicit AnsweredBatch(std::vector<Result<CommandOutcome>> outcomes)
      : outcomes_(std::move(outcomes)) {}
  std::vector<Result<CommandOutcome>> Wait() override { return std::move(outcomes_); }

 private:
  std::vector<Result<CommandOutcome>> outcomes_;
};

inline std::unique_ptr<SubmittedBatch> Commands::Submit(const Caller& caller,
                                                        std::vector<Command> commands) {
  return std::make_unique<AnsweredBatch>(ExecuteAll(caller, std::move(commands)));
}

}  // namespace helpdesk
