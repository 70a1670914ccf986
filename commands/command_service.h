// CommandService: every state change of the help desk enters here, in two steps.
//   Decide: checks the command against the write model, asks the domain for its events, applies
//           them to the write model and queues their append. Synchronous; never waits for the
//           log. Answers a Decision, a typed "not mine" (on a cluster, a stream of another
//           decider), or an error.
//   Await:  waits until the decision's events are durable and answers with their position.
// Execute is the two in a row (the Commands interface); the Kafka decider decides a whole
// batch first and awaits after its one transaction.
//
// Thread-safe. Commands decide one at a time under one mutex: a stream is never decided on twice
// concurrently, and cross-stream rules (one contact per phone, one inbound message per external
// id) hold without locks per key. The next command decides on the state including the previous
// one's events, durable or not yet, and the log commits both in order, often in one batch
// (group commit). If an append fails, the log refuses everything queued behind it, and the write
// model is re-read from the log before the next decision: no answer ever rests on events the log
// does not hold.
//
// With a StateStore the write model keeps its records there (write_model.h): Load catches up
// from the store's offset instead of reading the whole log, and Flush (on a timer once
// StartFlushing runs) writes what changed with the log position it reflects. Only durable events
// reach the store: a flush copies the changes, waits for the latest append outside the lock,
// and writes nothing when that append failed, nor when a reload began meanwhile (the reload
// re-read the store and may have written newer records than the copy's).
#pragma once

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/clock.h"
#include "adapters/env.h"
#include "adapters/event_log.h"
#include "adapters/metrics.h"
#include "adapters/personal_data_vault.h"
#include "adapters/secret_box.h"
#include "adapters/state_store.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "commands/stream_placement.h"
#include "commands/write_model.h"
#include "domain/roles.h"

namespace helpdesk {

// A decided command, not yet durable.
struct Decision {
  // On a cluster: the command would write `not_mine`, a stream another node decides for.
  // Nothing was decided or applied; the command goes to that stream's owner.
  std::optional<std::string> not_mine;
  CommandOutcome outcome;  // Await fills in its token
  // The append holding the command's events (`wrote`), or for a command that changed nothing
  // the latest append queued before it; invalid when there is nothing to wait for.
  std::shared_future<Result<AppendResult>> durable;
  bool wrote = false;
  std::chrono::steady_clock::time_point appended_at;  // when `durable` was asked for
  uint64_t generation = 0;  // the write model's, when decided: a failed append marks it stale

  static Decision NotMine(std::string stream) {
    Decision d;
    d.not_mine = std::move(stream);
    return d;
  }
};

class CommandService final : public Commands {
 public:
  // Time and fresh ids come from `env`. `store` (not owned) keeps the write model between runs,
  // with `cache_bytes` of clean records in memory; without one the model lives in memory whole
  // and Load reads the whole log.
  CommandService(EventLog& log, const Env& env, StateStore* store = nullptr,
                 size_t cache_bytes = 0);
  ~CommandService() override;  // stops the flusher, then flushes once more

  // Lets channels name http:// and private-network outbound URLs (development and tests only).
  void AllowPrivateOutbound(bool allow) { allow_private_outbound_ = allow; }
  // Seals providers' secrets in the events it records, and opens them for FindChannel. Without
  // one (tools, tests) secrets are recorded as given.
  void SetSecretBox(std::shared_ptr<const SecretBox> box) { secrets_ = std::move(box); }
  // Seals contacts' personal data in the events this service decides, each with its contact's
  // key (adapters/personal_data_vault.h), and lets admins erase contacts. Null (a cluster, for
  // now): events carry personal data as given and erasure is refused. Not owned; set before
  // Load. The log this service reads must then open what it reads (OpeningLog).
  void SetVault(const PersonalDataVault* vault) { vault_ = vault; }

  // Brings the write model up to the log's end: from the store's offset, or from the start
  // without a store. Call once before serving.
  Status Load();
  // Writes what the write model changed since the last flush to the store (see above).
  Status Flush();
  // Flushes every `interval` on a thread of its own until destroyed.
  void StartFlushing(std::chrono::milliseconds interval);
  // How many events a catch-up (Load, or a reload after a failed append or store read) applies
  // between two writes of the store: 50,000 unless set. Set it before Load (not thread-safe);
  // tests set it low.
  void set_catch_up_flush_events(uint64_t events) { catch_up_flush_events_ = events; }
  // The write model as sorted "key=value" lines (WriteModel::DumpForComparison).
  std::string DumpWriteModel() const;
  struct WriteModelStats {
    uint64_t applied_events = 0;  // since the last Load (or reload)
    size_t cached_bytes = 0;      // clean records held in memory (estimated)
    size_t unflushed_records = 0;
    uint64_t cache_hits = 0;   // records found in memory
    uint64_t store_reads = 0;  // records read from the store (found there or not)
  };
  WriteModelStats write_model_stats() const;
  // Time from a decision's events handed to the log to their append settled (durable or
  // refused), for the commands this node decided and waited for.
  const DurationHistogram& append_duration() const { return append_duration_; }

  // Authentication lookups (by token digest) for the API layer.
  std::optional<Caller> CallerForToken(const std::string& token_sha256) const;
  std::optional<UserState> FindUser(const std::string& id) const;
  std::optional<ConversationState> FindConversation(const std::string& id) const;
  // How the desk's agent_visibility narrows what `caller` sees; nullopt: every conversation.
  std::optional<NarrowedViewer> SightOf(const Caller& caller) const;
  // Whether the desk's agent_visibility hides live conversation `id` from `caller`.
  bool Hides(const Caller& caller, const std::string& id) const;
  // A channel with its provider secrets: for the webhook and delivery adapters only.
  std::optional<ChannelState> FindChannel(const std::string& id) const;
  // Whether agent message `message_id` of conversation `id` still waits for its delivery
  // outcome (the conversation is not copied: the delivery worker asks this on every pass).
  bool AwaitsDelivery(const std::string& conversation_id, const std::string& message_id) const;
  // Who an agent's message in conversation `id` goes to, for the delivery worker.
  std::optional<ContactState> FindContactOf(const std::string& conversation_id) const;

  Result<CommandOutcome> Execute(const Caller& caller, Command command) override;
  // Decides every command, then awaits them: one group commit for the lot.
  std::vector<Result<CommandOutcome>> ExecuteAll(const Caller& caller,
                                                 std::vector<Command> commands) override;
  // Decides every command now; the batch's Wait awaits them.
  std::unique_ptr<SubmittedBatch> Submit(const Caller& caller,
                                         std::vector<Command> commands) override;

  // Decides `command` for `caller` on the current write model (see above). Thread-safe.
  Result<Decision> Decide(const Caller& caller, const Command& command);
  // Waits until `decision`'s events (or, for a command that changed nothing, what was queued
  // before it) are durable; its outcome with the position, or why the log refused them.
  Result<CommandOutcome> Await(Decision decision);

  // --- Running as one of several deciders (a cluster on Kafka) ---

  // Limits which streams this service may write, and how it names new ones. A command whose
  // events would touch a stream it may not write is decided NotMine (naming the stream) and
  // changes nothing: the caller sends it on to that stream's owner. Set before serving; not
  // owned.
  void SetPlacement(const StreamPlacement* placement) { placement_ = placement; }
  // Applies events read from the log (other nodes' on a cluster; this node's own come back too
  // and are passed over), and moves the position the write model reflects past them.
  void Follow(const std::vector<RecordedEvent>& events);

 private:
  // SightOf, with mu_ held.
  std::optional<NarrowedViewer> SightOfLocked(const Caller& caller) const;
  // The contact that stands for `contact_id`: itself, or the one it was merged into (through
  // merges of merges). Under mu_.
  std::string SurvivorOf(const std::string& contact_id) const;
  // A conflict naming the contact (the last survivor of its merges) that holds this normalised
  // phone or e-mail, unless it is `self`; "" values are not checked. Under mu_.
  std::optional<Error> HeldByAnother(const std::string& phone, const std::string& email,
                                     const std::string& self) const;
  // The id of a new contact: `chosen`, or a fresh one ("" chosen). Under mu_.
  Result<std::string> NewContactId(const std::string& chosen) const;
  // Every contact merged into `contact_id`, through merges of merges. Under mu_.
  std::vector<std::string> MergedInto(const std::string& contact_id) const;
  // Whether `caller` may see (and so act on) `c`, with mu_ held.
  bool SeesLocked(const Caller& caller, const ConversationState& c) const;
  // One decide step per command (directory_commands.cc, conversation_commands.cc,
  // inbound_commands.cc, quick_reply_commands.cc, template_commands.cc). Each checks its input,
  // then decides under mu_.
  Result<Decision> Handle(const Caller& caller, const cmd::CreateUser& c);
  Result<Decision> Handle(const Caller& caller, const cmd::SetPresence& c);
  Result<Decision> Handle(const Caller& caller, const cmd::UpdateUser& c);
  Result<Decision> Handle(const Caller& caller, const cmd::IssueUserToken& c);
  Result<Decision> Handle(const Caller& caller, const cmd::RevokeUserToken& c);
  Result<Decision> Handle(const Caller& caller, const cmd::UpdateDeskSettings& c);
  Result<Decision> Handle(const Caller& caller, const cmd::EraseContact& c);
  // Contacts' own cards, portfolios and notes (contact_commands.cc).
  Result<Decision> Handle(const Caller& caller, const cmd::CreateContact& c);
  Result<Decision> Handle(const Caller& caller, const cmd::UpdateContact& c);
  Result<Decision> Handle(const Caller& caller, const cmd::SetContactOwner& c);
  Result<Decision> Handle(const Caller& caller, const cmd::AddContactNote& c);
  Result<Decision> Handle(const Caller& caller, const cmd::DefineContactAttribute& c);
  Result<Decision> Handle(const Caller& caller, const cmd::MergeContacts& c);
  Result<Decision> Handle(const Caller& caller, const cmd::RecordOrder& c);
  Result<Decision> Handle(const Caller& caller, const cmd::ImportContactRow& c);
  Result<Decision> Handle(const Caller& caller, const cmd::UpdateConversation& c);
  Result<Decision> Handle(const Caller& caller, const cmd::RecordContactImport& c);
  // Whether `caller` may move a contact from `current`'s portfolio ("" none) to `owner_id`'s.
  Status CheckOwnerChange(const Caller& caller, const std::string& current,
                          const std::optional<std::string>& owner_id) const;
  // Seals the personal data of `events` (before they are hashed), each with its contact's key.
  Status SealPersonalData(std::vector<NewEvent>& events) const;
  Result<Decision> Handle(const Caller& caller, const cmd::CreateTeam& c);
  Result<Decision> Handle(const Caller& caller, const cmd::AddTeamMember& c);
  Result<Decision> Handle(const Caller& caller, const cmd::RemoveTeamMember& c);
  // Adds (`join`) or removes one member: the checks and the event of both commands.
  Result<Decision> ChangeTeamMember(const Caller& caller, const std::string& team_id,
                                    const std::string& user_id, bool join);
  Result<Decision> Handle(const Caller& caller, const cmd::CreateChannel& c);
  Result<Decision> Handle(const Caller& caller, const cmd::SetChannelIntegration& c);
  Result<Decision> Handle(const Caller& caller, const cmd::SetContactStage& c);
  Result<Decision> Handle(const Caller& caller, const cmd::DefineFunnel& c);
  Result<Decision> Handle(const Caller& caller, const cmd::CreateDeal& c);
  Result<Decision> Handle(const Caller& caller, const cmd::UpdateDeal& c);
  Result<Decision> Handle(const Caller& caller, const cmd::MoveDeal& c);
  Result<Decision> Handle(const Caller& caller, const cmd::ReopenDeal& c);
  // The TaskCreated of a new task `id` as `caller` asks it, checked against the model. Under mu_.
  Result<std::optional<events::TaskCreated>> DecideNewTask(const Caller& caller,
                                                           const cmd::CreateTask& c,
                                                           const std::string& id) const;
  Result<Decision> Handle(const Caller& caller, const cmd::DefineTaskType& c);
  Result<Decision> Handle(const Caller& caller, const cmd::CreateTask& c);
  Result<Decision> Handle(const Caller& caller, const cmd::UpdateTask& c);
  Result<Decision> Handle(const Caller& caller, const cmd::ActOnTask& c);
  Result<Decision> Handle(const Caller& caller, const cmd::TransferTask& c);
  Result<Decision> Handle(const Caller& caller, const cmd::RemindTask& c);
  Result<Decision> Handle(const Caller& caller, const cmd::DefineTaskSchedule& c);
  Result<Decision> Handle(const Caller& caller, const cmd::StopTaskSchedule& c);
  Result<Decision> Handle(const Caller& caller, const cmd::RunTaskSchedule& c);
  Result<Decision> Handle(const Caller& caller, const cmd::SetContactBlocked& c);
  Result<Decision> Handle(const Caller& caller, const cmd::SetOptIn& c);
  Result<Decision> Handle(const Caller& caller, const cmd::MarkNotificationsRead& c);
  Result<Decision> Handle(const Caller& caller, const cmd::ReceiveInbound& c);
  Result<Decision> Handle(const Caller& caller, const cmd::SendMessage& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Take& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Assign& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Transfer& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Postpone& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Tag& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Untag& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Close& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Reopen& c);
  Result<Decision> Handle(const Caller& caller, const cmd::MarkRead& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Invite& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Leave& c);
  Result<Decision> Handle(const Caller& caller, const cmd::Ignore& c);
  Result<Decision> Handle(const Caller& caller, const cmd::IssueProtocol& c);
  Result<Decision> Handle(const Caller& caller, const cmd::DeleteConversation& c);
  Result<Decision> Handle(const Caller& caller, const cmd::StartConversation& c);
  Result<Decision> Handle(const Caller& caller, const cmd::CreateQuickReply& c);
  Result<Decision> Handle(const Caller& caller, const cmd::UpdateQuickReply& c);
  Result<Decision> Handle(const Caller& caller, const cmd::DeleteQuickReply& c);
  Result<Decision> Handle(const Caller& caller, const cmd::CreateTemplate& c);
  Result<Decision> Handle(const Caller& caller, const cmd::WakeDue& c);
  Result<Decision> Handle(const Caller& caller, const cmd::RecordDelivery& c);

  // Wraps domain events of one stream into envelopes for `actor` at `now`.
  void Stage(std::vector<NewEvent>& out, const std::string& stream, std::vector<DomainEvent> events,
             const Actor& actor, Timestamp now) const;
  // One event: `Stage(out, stream, {events::Encode(e)}, …)` moves it here, where the vector's
  // initializer list would copy its data.
  void Stage(std::vector<NewEvent>& out, const std::string& stream, DomainEvent event,
             const Actor& actor, Timestamp now) const;
  // Applies the events to the write model and queues their append; `out` is what the command
  // answers once they are durable. `lock` (on mu_) is held on entry and released on return. A
  // command whose events would touch a stream this node may not write is NotMine, and nothing
  // is applied.
  Result<Decision> Commit(std::vector<NewEvent> events, CommandOutcome out,
                          std::unique_lock<std::mutex>& lock);
  // A command that changed nothing: it answers once everything queued before it is durable (it
  // may rest on it: a repeated delivery, an idempotent create). Releases `lock`.
  Result<Decision> Unchanged(CommandOutcome out, std::unique_lock<std::mutex>& lock);
  // Forgets what was not flushed and catches up from the store's offset (the whole log without
  // a store); gives up after `patience` without progress. mu_ held. First moves store_fence_,
  // waiting for a flush's store write under way (commands wait that one write meanwhile).
  Status Reload(std::chrono::seconds patience);
  // Flushes with mu_ held, when the write model holds nothing that is not durable (a catch-up).
  Status FlushHeld();
  void FlushLoop(std::chrono::milliseconds interval);
  // Before deciding: if an append failed, re-reads the write model and lets the log accept
  // appends again; while the log is unreachable, answers log_unavailable at once (one attempt a
  // second). mu_ held.
  Status EnsureFresh();
  // Runs decide on one conversation and commits: the common path of conversation commands.
  template <class DecideFn>
  Result<Decision> OnConversation(const Caller& caller, const std::string& id,
                                  cmd::IfMatch if_match, DecideFn decide);

  // A fresh id for a new stream named by `stream_of(id)` that this service may write; the write
  // model knows the stream is new. With mu_ held, as NewContactId.
  std::string NewStreamId(std::string (*stream_of)(const std::string&)) const;
  // The id alone, the write model not told (ids drawn ahead, before one is taken).
  std::string DrawStreamId(std::string (*stream_of)(const std::string&)) const;

  EventLog& log_;
  const Clock& clock_;
  IdSource& ids_;
  StateStore* const store_;
  const StreamPlacement* placement_ = nullptr;
  mutable std::mutex mu_;
  WriteModel model_;
  std::shared_future<Result<AppendResult>> last_append_;  // the latest queued append
  DurationHistogram append_duration_;
  uint64_t generation_ = 0;  // bumped at each failed append that made the write model stale
  bool stale_ = false;       // the write model holds events the log refused
  std::chrono::steady_clock::time_point next_reload_;
  // The log position every applied event up to is in the write model (it may hold some later
  // ones too: this node's own, decided before the log returned them).
  ConsistencyToken followed_;
  bool allow_private_outbound_ = false;
  std::shared_ptr<const SecretBox> secrets_;
  const PersonalDataVault* vault_ = nullptr;
  // With a box: sealed / opened; without: as given (a sealed value then does not open).
  std::string SealSecret(const std::string& plain) const;
  Result<std::string> OpenSecret(const std::string& value) const;

  uint64_t catch_up_flush_events_;
  std::mutex flush_mu_;  // one flush at a time
  // Held around every write of the store and where a reload begins. A reload re-reads the store
  // and may write newer records to it (FlushHeld) while a Flush that copied the model before the
  // reload waits for its append outside mu_: that older copy must not go over them. The reload
  // bumps the fence (with mu_ held too); a Flush writes only if it has not moved since its copy.
  std::mutex store_write_mu_;
  uint64_t store_fence_ = 0;  // written with mu_ and store_write_mu_ held; read with either
  std::mutex flusher_mu_;
  std::condition_variable flusher_cv_;
  bool stop_flusher_ = false;
  std::thread flusher_;
};

}  // namespace helpdesk
