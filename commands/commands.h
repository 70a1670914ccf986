// Commands: the help desk's state changes as one interface. CommandService decides them on this
// node; RoutedCommands (commands/cluster/routed_commands.h) sends each to the node that owns its
// stream. The API and the scheduler talk to this interface and never know which one answers.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "adapters/consistency_token.h"
#include "domain/conversation.h"
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
  std::string html;  // an e-mail's HTML body: kept as markdown when `text` is empty
  std::string from_name, from_phone, from_email;
  std::optional<Timestamp> sent_at;
  nlohmann::json attachments = nlohmann::json::array();
};
// A quick reply's fields: on create all but `id` are required; on update the absent ones keep
// their value.
struct QuickReplyArgs {
  std::optional<std::string> id;
  std::optional<std::string> shortcut, text, visibility;  // visibility: "public" | "private"
};
struct MessageArgs {
  std::string text;  // may be empty with a quick reply (its text) or a template (rendered)
  bool is_private = false;
  bool await_reply = false;
  std::optional<std::string> quick_reply_id = {};
  std::optional<std::string> template_id = {};  // a template of the conversation's channel
  std::vector<std::string> params = {};         // the template's {{1}}, {{2}}…
  // Resolved references to stored files ({sha256, name, content_type, size, kind}); with
  // some, `text` may be empty (a photo, a voice note).
  nlohmann::json attachments = nlohmann::json::array();
};
struct NewTemplate {
  std::optional<std::string> id;
  std::string channel_id, name, body;
};
// A channel's provider side (domain/directory.h, ChannelState).
struct ChannelIntegration {
  std::string verify_token, app_secret;       // inbound webhooks (WhatsApp Cloud API)
  std::string outbound_url, outbound_secret;  // delivery of agents' messages
};
// Starting a conversation with a template (the business writes first).
struct StartArgs {
  std::optional<std::string> id;
  std::string contact_id, channel_id, template_id;
  std::vector<std::string> params;
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
  // Blocks a contact (their messages are recorded but open nothing), or lets them in again.
  virtual Result<CommandOutcome> SetContactBlocked(const Caller& caller,
                                                   const std::string& contact_id, bool blocked,
                                                   const std::string& reason) = 0;

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
  // The caller read the conversation (clears its unread count when the caller is the assignee).
  virtual Result<CommandOutcome> MarkRead(const Caller& caller, const std::string& id) = 0;
  // Invites a colleague in; removes a participant (agents may only remove themselves).
  virtual Result<CommandOutcome> Invite(const Caller& caller, const std::string& id,
                                        const std::string& user_id, IfMatch if_match) = 0;
  virtual Result<CommandOutcome> Leave(const Caller& caller, const std::string& id,
                                       const std::string& user_id, IfMatch if_match) = 0;
  // Quick replies: anyone who works conversations creates them (public or private); the owner
  // changes theirs, supervisors and admins public ones too.
  virtual Result<CommandOutcome> CreateQuickReply(const Caller& caller,
                                                  const QuickReplyArgs& args) = 0;
  virtual Result<CommandOutcome> UpdateQuickReply(const Caller& caller, const std::string& id,
                                                  const QuickReplyArgs& args) = 0;
  virtual Result<CommandOutcome> DeleteQuickReply(const Caller& caller, const std::string& id) = 0;

  // Templates per channel (admins and supervisors), a contact's opt-in per channel, and a
  // conversation started by the caller with a template (refused on WhatsApp without opt-in).
  virtual Result<CommandOutcome> CreateTemplate(const Caller& caller, const NewTemplate& args) = 0;
  virtual Result<CommandOutcome> SetOptIn(const Caller& caller, const std::string& contact_id,
                                          const std::string& channel_id, bool opted_in,
                                          const std::string& source) = 0;
  virtual Result<CommandOutcome> StartConversation(const Caller& caller, const StartArgs& args) = 0;

  // Gives the conversation the next protocol number of the year (nothing if it has one).
  virtual Result<CommandOutcome> IssueProtocol(const Caller& caller, const std::string& id) = 0;
  // The caller hides a queued conversation from their queue until `until`.
  virtual Result<CommandOutcome> Ignore(const Caller& caller, const std::string& id,
                                        Timestamp until) = 0;
  // The caller read some of their notifications (`ids`), or all of them up to now.
  virtual Result<CommandOutcome> MarkNotificationsRead(const Caller& caller,
                                                       const std::vector<std::string>& ids,
                                                       bool all) = 0;

  // Admin only: the conversation leaves every view; its events stay in the log.
  virtual Result<CommandOutcome> DeleteConversation(const Caller& caller, const std::string& id,
                                                    const std::string& reason,
                                                    IfMatch if_match) = 0;

  // The scheduler's wake-up of a postponed conversation whose time has come.
  virtual Result<CommandOutcome> WakeDue(const std::string& id) = 0;

  // Admin only: connects a channel to its provider (webhooks in, delivery out). Replaces the
  // whole set; empty fields turn that part off.
  virtual Result<CommandOutcome> SetChannelIntegration(const Caller& caller,
                                                       const std::string& channel_id,
                                                       const ChannelIntegration& args) = 0;
  // The delivery worker's report on an agent's message (nothing if already reported).
  virtual Result<CommandOutcome> RecordDelivery(const std::string& conversation_id,
                                                const conversation::DeliveryOutcome& outcome) = 0;
};

}  // namespace helpdesk
