// CommandService: every state change of the help desk enters here. Each command validates its
// input against the write model, asks the domain to decide, appends the resulting events to the
// log, waits until they are durable, and only then applies them to the write model and answers.
//
// Thread-safe. Commands decide one at a time under one mutex: a stream is never decided on twice
// concurrently, and cross-stream rules (one contact per phone, one inbound message per external
// id) hold without locks per key. A command applies its events to the write model and queues
// them before it lets go of the mutex, then waits for durability without it: the next command
// decides on the state including them, and the log commits both in order, often in one batch
// (group commit). If an append fails, the log refuses everything queued behind it, and the write
// model is re-read from the log before the next decision: no answer ever rests on events the log
// does not hold.
#pragma once

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/clock.h"
#include "adapters/event_log.h"
#include "commands/write_model.h"
#include "domain/roles.h"

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
};
struct NewTeam {
  std::optional<std::string> id;
  std::string name;
};
struct NewChannel {
  std::optional<std::string> id;
  std::string type, name, address;
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

class CommandService {
 public:
  CommandService(EventLog& log, const Clock& clock);

  // Builds the write model from the whole log. Call once before serving.
  Status Load();

  // Authentication lookups (by token digest) for the API layer.
  std::optional<Caller> CallerForToken(const std::string& token_sha256) const;
  std::optional<UserState> FindUser(const std::string& id) const;
  std::optional<ConversationState> FindConversation(const std::string& id) const;

  Result<CommandOutcome> CreateUser(const Caller& caller, const NewUser& args);
  Result<CommandOutcome> SetPresence(const Caller& caller, const std::string& user_id,
                                     const std::string& status);
  Result<CommandOutcome> CreateTeam(const Caller& caller, const NewTeam& args);
  Result<CommandOutcome> AddTeamMember(const Caller& caller, const std::string& team_id,
                                       const std::string& user_id);
  Result<CommandOutcome> CreateChannel(const Caller& caller, const NewChannel& args);
  Result<CommandOutcome> SetContactStage(const Caller& caller, const std::string& contact_id,
                                         const std::string& stage);

  Result<CommandOutcome> ReceiveInbound(const Caller& caller, const InboundArgs& args);

  // Conversation commands. `if_match`: the version the client last saw (If-Match), if any.
  using IfMatch = std::optional<uint64_t>;
  Result<CommandOutcome> SendMessage(const Caller& caller, const std::string& id,
                                     const MessageArgs& args, IfMatch if_match);
  Result<CommandOutcome> Take(const Caller& caller, const std::string& id, IfMatch if_match);
  Result<CommandOutcome> Assign(const Caller& caller, const std::string& id,
                                const std::string& user_id, IfMatch if_match);
  Result<CommandOutcome> Transfer(const Caller& caller, const std::string& id,
                                  const std::optional<std::string>& user_id,
                                  const std::optional<std::string>& team_id, IfMatch if_match);
  Result<CommandOutcome> Postpone(const Caller& caller, const std::string& id, Timestamp until,
                                  IfMatch if_match);
  Result<CommandOutcome> Tag(const Caller& caller, const std::string& id, const std::string& tag,
                             IfMatch if_match);
  Result<CommandOutcome> Untag(const Caller& caller, const std::string& id, const std::string& tag,
                               IfMatch if_match);
  Result<CommandOutcome> Close(const Caller& caller, const std::string& id,
                               const std::string& reason, IfMatch if_match);
  Result<CommandOutcome> Reopen(const Caller& caller, const std::string& id, IfMatch if_match);
  // The scheduler's wake-up of a postponed conversation whose time has come.
  Result<CommandOutcome> WakeDue(const std::string& id);

 private:
  // Wraps domain events of one stream into envelopes for `actor` at `now`.
  void Stage(std::vector<NewEvent>& out, const std::string& stream, std::vector<DomainEvent> events,
             const Actor& actor, Timestamp now) const;
  // Applies the events to the write model, queues their append and waits, without `lock`, until
  // they are durable. `lock` (on mu_) is held on entry and released on return. On failure the
  // write model is re-read from the log, since it holds events the log refused.
  Result<ConsistencyToken> Commit(std::vector<NewEvent> events, std::unique_lock<std::mutex>& lock);
  // Answers a command that changed nothing, once everything queued before it is durable (it may
  // rest on it: a repeated delivery, an idempotent create). Releases `lock`.
  Result<CommandOutcome> Unchanged(CommandOutcome out, std::unique_lock<std::mutex>& lock);
  // Rebuilds the write model from the whole log; gives up after `patience` without progress.
  // mu_ held.
  Status Reload(std::chrono::seconds patience);
  // Before deciding: if an append failed, re-reads the write model and lets the log accept
  // appends again; while the log is unreachable, answers log_unavailable at once (one attempt a
  // second). mu_ held.
  Status EnsureFresh();
  // Runs decide on one conversation and commits: the common path of conversation commands.
  template <class Decide>
  Result<CommandOutcome> OnConversation(const Caller& caller, const std::string& id,
                                        IfMatch if_match, Decide decide);

  EventLog& log_;
  const Clock& clock_;
  mutable std::mutex mu_;
  WriteModel model_;
  std::shared_future<Result<AppendResult>> last_append_;  // the latest queued append
  uint64_t generation_ = 0;  // bumped at each failed append that made the write model stale
  bool stale_ = false;       // the write model holds events the log refused
  std::chrono::steady_clock::time_point next_reload_;
};

}  // namespace helpdesk
