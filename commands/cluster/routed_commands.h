// RoutedCommands: the Commands of a node in a cluster. Each command is written down as JSON and
// handed to a CommandTransport, which delivers it to the node that owns the stream it is about.
// That node runs it on its CommandService (ExecuteRouted) and the outcome travels back the same
// way. Ids and bearer tokens of new resources are chosen here, before routing, so the stream is
// known and a secret never leaves this node (only its digest does).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

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

class RoutedCommands final : public Commands {
 public:
  explicit RoutedCommands(CommandTransport& transport) : transport_(transport) {}

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

 private:
  Result<CommandOutcome> OnConversation(const std::string& op, const Caller& caller,
                                        const std::string& id, IfMatch if_match,
                                        nlohmann::json args);
  Result<CommandOutcome> Send(const std::string& routing_key, const std::string& op,
                              const Caller& caller, nlohmann::json args);

  CommandTransport& transport_;
};

// Runs a command written by RoutedCommands on `target` (the deciding node's CommandService).
// A command that cannot be read answers kInvalidField; it changes nothing.
Result<CommandOutcome> ExecuteRouted(Commands& target, const nlohmann::json& command);

// An outcome, or its error, as JSON and back: what a deciding node answers.
nlohmann::json EncodeOutcome(const Result<CommandOutcome>& outcome);
Result<CommandOutcome> DecodeOutcome(const nlohmann::json& encoded);

}  // namespace helpdesk
