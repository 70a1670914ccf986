// Commands on one conversation: the agent's actions.
#include "adapters/random_ids.h"
#include "commands/command_service.h"
#include "commands/id_rules.h"
#include "domain/delivery.h"
#include "domain/messaging_window.h"
#include "domain/protocol.h"

namespace helpdesk {
namespace {

// A user a conversation can be given to (assigned, transferred, invited): one who exists and
// whose role works conversations.
Status CheckWorker(const WriteModel& model, const std::string& user_id) {
  const UserState* u = model.User(user_id);
  if (!u) return NotFound("user " + user_id);
  if (!CanWorkConversations(u->role)) {
    return InvalidField("user_id", "names a user whose role cannot work conversations");
  }
  return Status::Ok();
}

}  // namespace

template <class Decide>
Result<CommandOutcome> CommandService::OnConversation(const Caller& caller, const std::string& id,
                                                      IfMatch if_match, Decide decide) {
  if (!CanWorkConversations(caller.role)) {
    return Forbidden(std::string("the ") + RoleName(caller.role) +
                     " role cannot change conversations");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ConversationState* c = model_.Conversation(id);
  if (!c) return NotFound("conversation " + id);
  if (if_match && !MatchesVersion(*c, *if_match)) {
    return Error{ErrorCode::kVersionConflict, "conversation " + id + " is at version " +
                                                  std::to_string(c->version) + ", not " +
                                                  std::to_string(*if_match)};
  }
  const Timestamp now = clock_.Now();
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), id, false);
  Result<std::vector<DomainEvent>> decided = decide(*c, now, out);
  if (!decided.ok()) return decided.error();
  if (decided.value().empty()) return Unchanged(std::move(out), lock);
  std::vector<NewEvent> events;
  Stage(events, ConversationStream(id), std::move(decided).value(), caller.actor(), now);
  auto token = Commit(std::move(events), lock);
  if (!token.ok()) return token.error();
  out.token = token.value();
  return out;
}

Result<CommandOutcome> CommandService::SendMessage(const Caller& caller, const std::string& id,
                                                   const MessageArgs& args, IfMatch if_match) {
  if (args.text.empty() && !args.quick_reply_id && !args.template_id && args.attachments.empty()) {
    return InvalidField("text", "must be a non-empty string when there are no attachments");
  }
  if (args.template_id &&
      (args.is_private || args.quick_reply_id || !args.text.empty() || !args.attachments.empty())) {
    return InvalidField("template_id",
                        "cannot be combined with text, private, quick_reply_id or attachments: "
                        "the template is the message");
  }
  if (args.text.size() > kMaxTextBytes) return InvalidField("text", "must be at most 64 KiB");
  if (args.is_private && args.await_reply) {
    return InvalidField("await_reply", "cannot be set on a private note");
  }
  return OnConversation(
      caller, id, if_match,
      [&](const ConversationState& c, Timestamp now, CommandOutcome& out) -> conversation::Events {
        conversation::Reply r;
        r.text = args.text;
        const ChannelState* channel = model_.Channel(c.channel_id);
        const std::string channel_type = channel ? channel->type : "";
        if (args.template_id) {
          const TemplateState* t = model_.Template(*args.template_id);
          if (!t) return NotFound("template " + *args.template_id);
          if (t->channel_id != c.channel_id) {
            return InvalidField("template_id", "names a template of another channel");
          }
          // Outside the window the business writes first again: only to a contact who agreed.
          const ContactState* contact = model_.Contact(c.contact_id);
          const bool opted_in = contact && contact->opted_in.count(c.channel_id);
          if (!MaySendTemplate(channel_type, c.last_customer_message_at, now, opted_in)) {
            return InvalidTransition("contact " + c.contact_id + " has not opted in on channel " +
                                     c.channel_id);
          }
          auto rendered = message_template::Render(*t, args.params);
          if (!rendered.ok()) return rendered.error();
          r.text = std::move(rendered).value();
          r.template_id = args.template_id;
        } else if (!args.is_private && !WindowOpen(channel_type, c.last_customer_message_at, now)) {
          return Error{ErrorCode::kWindowClosed,
                       "the customer last wrote more than 24 hours ago on this WhatsApp channel: "
                       "only a template can be sent"};
        }
        if (args.quick_reply_id) {
          // Sent from a quick reply: its text, unless the agent edited it before sending.
          const QuickReplyState* q = model_.QuickReply(*args.quick_reply_id);
          if (!q || !quick_reply::IsVisibleTo(*q, caller.actor().id)) {
            return NotFound("quick reply " + *args.quick_reply_id);
          }
          if (r.text.empty()) r.text = q->text;
          r.quick_reply_id = args.quick_reply_id;
        }
        r.message_id = NewId();
        r.author_id = caller.actor().id;
        r.is_private = args.is_private;
        r.await_reply = args.await_reply;
        r.attachments = args.attachments;
        // Public messages go out through the channel's provider when one is connected.
        r.deliver = channel && GoesThroughProvider(args.is_private, channel->outbound_url);
        if (args.is_private) r.mentions = FindMentions(r.text, model_.AllUsers());
        out.message_id = r.message_id;
        out.created = true;
        return conversation::DecideReply(c, r);
      });
}

Result<CommandOutcome> CommandService::Take(const Caller& caller, const std::string& id,
                                            IfMatch if_match) {
  if (!caller.is_user()) return Forbidden("only a user can take a conversation");
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideTake(c, caller.user_id);
                        });
}

Result<CommandOutcome> CommandService::Assign(const Caller& caller, const std::string& id,
                                              const std::string& user_id, IfMatch if_match) {
  return OnConversation(
      caller, id, if_match,
      [&](const ConversationState& c, Timestamp, CommandOutcome&) -> conversation::Events {
        if (Status worker = CheckWorker(model_, user_id); !worker.ok()) return worker.error();
        return conversation::DecideAssign(c, user_id);
      });
}

Result<CommandOutcome> CommandService::Transfer(const Caller& caller, const std::string& id,
                                                const std::optional<std::string>& user_id,
                                                const std::optional<std::string>& team_id,
                                                IfMatch if_match) {
  return OnConversation(
      caller, id, if_match,
      [&](const ConversationState& c, Timestamp, CommandOutcome&) -> conversation::Events {
        if (user_id) {
          if (Status worker = CheckWorker(model_, *user_id); !worker.ok()) return worker.error();
        }
        const TeamState* team = team_id ? model_.Team(*team_id) : nullptr;
        if (team_id && !team) return NotFound("team " + *team_id);
        std::vector<std::string> members;
        if (team) members.assign(team->members.begin(), team->members.end());
        return conversation::DecideTransfer(c, user_id, team_id, members);
      });
}

Result<CommandOutcome> CommandService::Postpone(const Caller& caller, const std::string& id,
                                                Timestamp until, IfMatch if_match) {
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp now, CommandOutcome&) {
                          return conversation::DecidePostpone(c, until, now);
                        });
}

Result<CommandOutcome> CommandService::Tag(const Caller& caller, const std::string& id,
                                           const std::string& tag, IfMatch if_match) {
  if (tag.empty() || tag.size() > 64) return InvalidField("tag", "must be 1 to 64 characters");
  if (tag.find('/') != std::string::npos) return InvalidField("tag", "must not contain '/'");
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideTag(c, tag);
                        });
}

Result<CommandOutcome> CommandService::Untag(const Caller& caller, const std::string& id,
                                             const std::string& tag, IfMatch if_match) {
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideUntag(c, tag);
                        });
}

Result<CommandOutcome> CommandService::Close(const Caller& caller, const std::string& id,
                                             const std::string& reason, IfMatch if_match) {
  if (reason.size() > kMaxNameBytes) return InvalidField("reason", "must be at most 256 bytes");
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideClose(c, reason);
                        });
}

Result<CommandOutcome> CommandService::Reopen(const Caller& caller, const std::string& id,
                                              IfMatch if_match) {
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideReopen(c);
                        });
}

Result<CommandOutcome> CommandService::IssueProtocol(const Caller& caller, const std::string& id) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden(std::string("the ") + RoleName(caller.role) + " role cannot issue protocols");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ConversationState* c = model_.Conversation(id);
  if (!c) return NotFound("conversation " + id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), id, false);
  if (c->protocol) return Unchanged(std::move(out), lock);  // one protocol per conversation
  const Timestamp now = clock_.Now();
  const int year = UtcYear(now);
  const std::string stream = ProtocolStream(year);
  std::vector<NewEvent> events;
  Stage(events, stream, DecideIssueProtocol(year, model_.StreamVersion(stream), id), caller.actor(),
        now);
  auto token = Commit(std::move(events), lock);
  if (!token.ok()) return token.error();
  out.token = token.value();
  out.created = true;
  return out;
}

Result<CommandOutcome> CommandService::Ignore(const Caller& caller, const std::string& id,
                                              Timestamp until) {
  if (!caller.is_user()) return Forbidden("only a user has a queue to hide it from");
  return OnConversation(caller, id, std::nullopt,
                        [&](const ConversationState& c, Timestamp now, CommandOutcome&) {
                          return conversation::DecideIgnore(c, caller.user_id, until, now);
                        });
}

Result<CommandOutcome> CommandService::MarkRead(const Caller& caller, const std::string& id) {
  return OnConversation(caller, id, std::nullopt,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideRead(c, caller.user_id);
                        });
}

Result<CommandOutcome> CommandService::Invite(const Caller& caller, const std::string& id,
                                              const std::string& user_id, IfMatch if_match) {
  return OnConversation(
      caller, id, if_match,
      [&](const ConversationState& c, Timestamp, CommandOutcome&) -> conversation::Events {
        if (Status worker = CheckWorker(model_, user_id); !worker.ok()) return worker.error();
        return conversation::DecideInvite(c, user_id, caller.actor().id);
      });
}

Result<CommandOutcome> CommandService::Leave(const Caller& caller, const std::string& id,
                                             const std::string& user_id, IfMatch if_match) {
  if (user_id != caller.user_id && !CanSupervise(caller.role)) {
    return Forbidden("an agent can only remove themselves from a conversation");
  }
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideLeave(c, user_id, caller.actor().id);
                        });
}

Result<CommandOutcome> CommandService::DeleteConversation(const Caller& caller,
                                                          const std::string& id,
                                                          const std::string& reason,
                                                          IfMatch if_match) {
  if (!CanAdminister(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("only an admin can delete a conversation");
  }
  if (reason.size() > kMaxNameBytes) return InvalidField("reason", "must be at most 256 bytes");
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideDelete(c, reason);
                        });
}

Result<CommandOutcome> CommandService::RecordDelivery(const std::string& conversation_id,
                                                      const conversation::DeliveryOutcome& o) {
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ConversationState* c = model_.Conversation(conversation_id);
  if (!c) return NotFound("conversation " + conversation_id);
  auto decided = conversation::DecideDeliveryOutcome(*c, o);
  if (!decided.ok()) return decided.error();
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), conversation_id, false);
  out.message_id = o.message_id;
  if (decided.value().empty()) return Unchanged(std::move(out), lock);
  std::vector<NewEvent> events;
  Stage(events, ConversationStream(conversation_id), std::move(decided).value(),
        Actor::System("delivery"), clock_.Now());
  auto token = Commit(std::move(events), lock);
  if (!token.ok()) return token.error();
  out.token = token.value();
  return out;
}

Result<CommandOutcome> CommandService::WakeDue(const std::string& id) {
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ConversationState* c = model_.Conversation(id);
  if (!c) return NotFound("conversation " + id);
  const Timestamp now = clock_.Now();
  auto decided = conversation::DecideWake(*c, now);
  if (!decided.ok()) return decided.error();
  std::vector<NewEvent> events;
  Stage(events, ConversationStream(id), std::move(decided).value(), Actor::System("scheduler"),
        now);
  auto token = Commit(std::move(events), lock);
  if (!token.ok()) return token.error();
  return CommandOutcome::For(token.value(), id, false);
}

}  // namespace helpdesk
