// WriteModel: the state commands decide on, held in memory and rebuilt from the log at start.
// It holds every aggregate's current state and the lookups commands need to be consistent
// (contacts by phone/e-mail, inbound messages by external id, tokens by digest) — lookups that
// an eventually consistent view could not answer safely.
//
// Not thread-safe: CommandService serialises access.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "domain/conversation.h"
#include "domain/directory.h"
#include "domain/event.h"
#include "domain/message_template.h"
#include "domain/quick_reply.h"

namespace helpdesk {

struct InboundRecord {
  std::string conversation_id, message_id, contact_id;
};

class WriteModel {
 public:
  // Applies one recorded event of any stream.
  void Apply(const RecordedEvent& e);

  // Null for an unknown or deleted conversation.
  const ConversationState* Conversation(const std::string& id) const;
  const UserState* User(const std::string& id) const;
  const TeamState* Team(const std::string& id) const;
  const ChannelState* Channel(const std::string& id) const;
  const ContactState* Contact(const std::string& id) const;
  const QuickReplyState* QuickReply(const std::string& id) const;
  const TemplateState* Template(const std::string& id) const;
  // A live quick reply other than `except_id` with this shortcut that `owner_id` would see
  // next to a new one (public ones, and the owner's private ones); its id.
  std::optional<std::string> QuickReplyWithShortcut(const std::string& shortcut,
                                                    const std::string& owner_id,
                                                    const std::string& except_id) const;

  const UserState* UserByTokenDigest(const std::string& sha256) const;
  const ChannelState* ChannelByTokenDigest(const std::string& sha256) const;
  std::optional<std::string> ContactByPhone(const std::string& normalized) const;
  std::optional<std::string> ContactByEmail(const std::string& normalized) const;
  std::optional<InboundRecord> Inbound(const std::string& channel_id,
                                       const std::string& external_id) const;
  // The contact's conversations on a channel.
  std::vector<const ConversationState*> ConversationsOf(const std::string& contact_id,
                                                        const std::string& channel_id) const;
  std::vector<UserState> AllUsers() const;
  // Stream version of any stream (0 when it has no events).
  uint64_t StreamVersion(const std::string& stream) const;
  // The hash of the stream's last event ("" when it has none): the next event chains to it.
  std::string LastHash(const std::string& stream) const;
  uint64_t applied_events() const { return applied_; }

 private:
  std::unordered_map<std::string, ConversationState> conversations_;
  std::map<std::string, UserState> users_;
  std::unordered_map<std::string, TeamState> teams_;
  std::unordered_map<std::string, ChannelState> channels_;
  std::unordered_map<std::string, ContactState> contacts_;
  std::unordered_map<std::string, QuickReplyState> quick_replies_;
  std::unordered_map<std::string, TemplateState> templates_;
  std::unordered_map<std::string, uint64_t> protocol_versions_;  // year -> protocols issued
  std::unordered_map<std::string, std::string> user_by_token_, channel_by_token_;
  std::unordered_map<std::string, std::string> contact_by_phone_, contact_by_email_;
  std::unordered_map<std::string, InboundRecord> inbound_;  // key: channel "\n" external id
  std::unordered_map<std::string, std::vector<std::string>> conversations_by_contact_channel_;
  std::unordered_map<std::string, std::string> last_hash_;  // by stream
  uint64_t applied_ = 0;
};

}  // namespace helpdesk
