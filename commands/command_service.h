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
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "adapters/clock.h"
#include "adapters/event_log.h"
#include "commands/commands.h"
#include "commands/stream_placement.h"
#include "commands/write_model.h"
#include "domain/roles.h"

namespace helpdesk {

class CommandService final : public Commands {
 public:
  CommandService(EventLog& log, const Clock& clock);

  // Builds the write model from the whole log. Call once before serving.
  Status Load();

  // Authentication lookups (by token digest) for the API layer.
  std::optional<Caller> CallerForToken(const std::string& token_sha256) const;
  std::optional<UserState> FindUser(const std::string& id) const;
  std::optional<ConversationState> FindConversation(const std::string& id) const;
  // A channel with its provider secrets: for the webhook and delivery adapters only.
  std::optional<ChannelState> FindChannel(const std::string& id) const;
  // Whether agent message `message_id` of conversation `id` still waits for its delivery
  // outcome (the conversation is not copied: the delivery worker asks this on every pass).
  bool AwaitsDelivery(const std::string& conversation_id, const std::string& message_id) const;
  // Who an agent's message in conversation `id` goes to, for the delivery worker.
  std::optional<ContactState> FindContactOf(const std::string& conversation_id) const;

  Result<CommandOutcome> CreateUser(const Caller& caller, const NewUser& args) override;
  Result<CommandOutcome> SetPresence(const Caller& caller, const std::string& user_id,
                                     const std::string& status) override;
  Result<CommandOutcome> CreateTeam(const Caller& caller, const NewTeam& args) override;
  Result<CommandOutcome> AddTeamMember(const Caller& caller, const std::string& team_id,
                                       const std::string& user_id) override;
  Result<CommandOutcome> CreateChannel(const Caller& caller, const NewChannel& args) override;
  Result<CommandOutcome> SetContactStage(const Caller& caller, const std::string& contact_id,
                                         const std::string& stage) override;
  Result<CommandOutcome> SetContactBlocked(const Caller& caller, const std::string& contact_id,
                                           bool blocked, const std::string& reason) override;
  Result<CommandOutcome> ReceiveInbound(const Caller& caller, const InboundArgs& args) override;
  Result<CommandOutcome> SendMessage(const Caller& caller, const std::string& id,
                                     const MessageArgs& args, IfMatch if_match) override;
  Result<CommandOutcome> Take(const Caller& caller, const std::string& id,
                              IfMatch if_match) override;
  Result<CommandOutcome> Assign(const Caller& caller, const std::string& id,
                                const std::string& user_id, IfMatch if_match) override;
  Result<CommandOutcome> Transfer(const Caller& caller, const std::string& id,
                                  const std::optional<std::string>& user_id,
                                  const std::optional<std::string>& team_id,
                                  IfMatch if_match) override;
  Result<CommandOutcome> Postpone(const Caller& caller, const std::string& id, Timestamp until,
                                  IfMatch if_match) override;
  Result<CommandOutcome> Tag(const Caller& caller, const std::string& id, const std::string& tag,
                             IfMatch if_match) override;
  Result<CommandOutcome> Untag(const Caller& caller, const std::string& id, const std::string& tag,
                               IfMatch if_match) override;
  Result<CommandOutcome> Close(const Caller& caller, const std::string& id,
                               const std::string& reason, IfMatch if_match) override;
  Result<CommandOutcome> Reopen(const Caller& caller, const std::string& id,
                                IfMatch if_match) override;
  Result<CommandOutcome> MarkRead(const Caller& caller, const std::string& id) override;
  Result<CommandOutcome> Invite(const Caller& caller, const std::string& id,
                                const std::string& user_id, IfMatch if_match) override;
  Result<CommandOutcome> Leave(const Caller& caller, const std::string& id,
                               const std::string& user_id, IfMatch if_match) override;
  Result<CommandOutcome> CreateQuickReply(const Caller& caller,
                                          const QuickReplyArgs& args) override;
  Result<CommandOutcome> UpdateQuickReply(const Caller& caller, const std::string& id,
                                          const QuickReplyArgs& args) override;
  Result<CommandOutcome> DeleteQuickReply(const Caller& caller, const std::string& id) override;
  Result<CommandOutcome> DeleteConversation(const Caller& caller, const std::string& id,
                                            const std::string& reason, IfMatch if_match) override;
  Result<CommandOutcome> CreateTemplate(const Caller& caller, const NewTemplate& args) override;
  Result<CommandOutcome> SetOptIn(const Caller& caller, const std::string& contact_id,
                                  const std::string& channel_id, bool opted_in,
                                  const std::string& source) override;
  Result<CommandOutcome> StartConversation(const Caller& caller, const StartArgs& args) override;
  Result<CommandOutcome> MarkNotificationsRead(const Caller& caller,
                                               const std::vector<std::string>& ids,
                                               bool all) override;
  Result<CommandOutcome> Ignore(const Caller& caller, const std::string& id,
                                Timestamp until) override;
  Result<CommandOutcome> IssueProtocol(const Caller& caller, const std::string& id) override;
  Result<CommandOutcome> WakeDue(const std::string& id) override;
  Result<CommandOutcome> SetChannelIntegration(const Caller& caller, const std::string& channel_id,
                                               const ChannelIntegration& args) override;
  Result<CommandOutcome> RecordDelivery(const std::string& conversation_id,
                                        const conversation::DeliveryOutcome& outcome) override;

  // --- Running as one of several deciders (a cluster on Kafka) ---

  // Limits which streams this service may write, and how it names new ones. A command whose
  // events would touch a stream it may not write answers kMoved (naming the stream) and changes
  // nothing: the caller sends it on to that stream's owner. Set before serving; not owned.
  void SetPlacement(const StreamPlacement* placement) { placement_ = placement; }
  // Called on the deciding thread each time a command has decided and lets go of the write
  // model (its append queued, or nothing to append). Set before serving.
  void SetOnDecided(std::function<void()> on_decided) { on_decided_ = std::move(on_decided); }
  // Applies events other nodes wrote (read from the log), skipping those already applied.
  void Follow(const std::vector<RecordedEvent>& events);

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

  // A fresh id for a new stream named by `stream_of(id)` that this service may write.
  std::string NewStreamId(std::string (*stream_of)(const std::string&)) const;

  EventLog& log_;
  const Clock& clock_;
  const StreamPlacement* placement_ = nullptr;
  std::function<void()> on_decided_;
  mutable std::mutex mu_;
  WriteModel model_;
  std::shared_future<Result<AppendResult>> last_append_;  // the latest queued append
  uint64_t generation_ = 0;  // bumped at each failed append that made the write model stale
  bool stale_ = false;       // the write model holds events the log refused
  std::chrono::steady_clock::time_point next_reload_;
};

}  // namespace helpdesk
