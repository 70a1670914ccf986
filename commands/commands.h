// Commands: the help desk's state changes as one interface. CommandService decides them on this
// node; RoutedCommands (commands/routed_commands.h) sends each to the node that owns its stream.
// The API and the scheduler talk to this interface and never know which one answers.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adapters/consistency_token.h"
#include "domain/event.h"
#include "domain/result.h"
#include "domain/roles.h"
#include "domain/time.h"

namespace helpdesk {

// Who is asking. The bootstrap admin (the --admin-token) is not a user of the directory.
struct Caller {
  std::string user_id;  // empty for the bootstrap admin and for channel tokens
  Role role = Role::kAgent;
  std::string channel_id;  // set when authenticated by a channel's own token

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

  static CommandOutcome For(ConsistencyToken token, std::string id, bool created = false) {
    CommandOutcome o;
    o.token = std::move(token);
    o.id = std::move(id);
    o.created = created;
    return o;
  }
};

struct NewUser {
  std::optional<std::string> id;
  std::string name, email, role;
  std::vector<std::string> teams;
  std::string token_sha256;  // of a bearer token chosen by the caller; empty: make one up
};
struct NewTeam {
  std::optional<std::string> id;
  std::string name;
};
struct NewChannel {
  std::optional<std::string> id;
  std::string type, name, address;
  std::string token_sha256;  // of a bearer token chosen by the caller; empty: make one up
};
struct InboundArgs {
  std::string channel_id, external_id, text;
  std::string from_name, from_phone, from_email;
  std::optional<Timestamp> sent_at;
  nlohmann::json attachments = nlohmann::json::array();
};
struct MessageArgs {
  std::string text;
  bool is_private = false;
  bool await_reply = false;
};

class Commands {
 public:
  virtual ~Commands() = default;

  virtual Result<CommandOutcome> CreateUser(const Caller& caller, const NewUser& args) = 0;
  virtual Result<CommandOutcome> SetPresence(const Caller& caller, const std::string& user_id,
                                             const std::string& status) = 0;
  virtual Result<CommandOutcome> CreateTeam(const Caller& caller, const NewTeam& args) = 0;
  virtual Result<CommandOutcome> AddTeamMember(const Caller& caller, const std::string& team_id,
                                               const std::string& user_id) = 0;
  virtual Result<CommandOutcome> CreateChannel(const Caller& caller, const NewChannel& args) = 0;
  virtual Result<CommandOutcome> SetContactStage(const Caller& caller,
                                                 const std::string& contact_id,
                                                 const std::string& stage) = 0;

  virtual Result<CommandOutcome> ReceiveInbound(const Caller& caller, const InboundArgs& args) = 0;

  // Conversation commands. `if_match`: the version the client last saw (If-Match), if any.
  using IfMatch = std::optional<uint64_t>;
  virtual Result<CommandOutcome> SendMessage(const Caller& caller, const std::string& id,
                                             const MessageArgs& args, IfMatch if_match) = 0;
  virtual Result<CommandOutcome> Take(const Caller& caller, const std::string& id,
                                      IfMatch if_match) = 0;
  virtual Result<CommandOutcome> Assign(const Caller& caller, const std::string& id,
                                        const std::string& user_id, IfMatch if_match) = 0;
  virtual Result<CommandOutcome> Transfer(const Caller& caller, const std::string& id,
                                          const std::optional<std::string>& user_id,
                                          const std::optional<std::string>& team_id,
                                          IfMatch if_match) = 0;
  virtual Result<CommandOutcome> Postpone(const Caller& caller, const std::string& id,
                                          Timestamp until, IfMatch if_match) = 0;
  virtual Result<CommandOutcome> Tag(const Caller& caller, const std::string& id,
                                     const std::string& tag, IfMatch if_match) = 0;
  virtual Result<CommandOutcome> Untag(const Caller& caller, const std::string& id,
                                       const std::string& tag, IfMatch if_match) = 0;
  virtual Result<CommandOutcome> Close(const Caller& caller, const std::string& id,
                                       const std::string& reason, IfMatch if_match) = 0;
  virtual Result<CommandOutcome> Reopen(const Caller& caller, const std::string& id,
                                        IfMatch if_match) = 0;
  // The scheduler's wake-up of a postponed conversation whose time has come.
  virtual Result<CommandOutcome> WakeDue(const std::string& id) = 0;
};

}  // namespace helpdesk
