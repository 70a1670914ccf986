// Commands on one conversation: the agent's actions.
#include "adapters/random_ids.h"
#include "commands/command_service.h"
#include "commands/id_rules.h"
#include "domain/contact.h"
#include "domain/delivery.h"
#include "domain/messaging_window.h"
#include "domain/protocol.h"

namespace helpdesk {
namespace {

// A user a conversation can be given to (assigned, transferred, invited): one who exists, is
// active and whose role works conversations.
Status CheckWorker(const WriteModel& model, const std::string& user_id) {
  const UserState* u = model.User(user_id);
  if (!u) return NotFound("user " + user_id);
  if (!u->active) return InvalidTransition("user " + user_id + " is deactivated");
  if (!CanWorkConversations(u->role)) {
    return InvalidField("user_id", "names a user whose role cannot work conversations");
  }
  return Status::Ok();
}

}  // namespace

template <class DecideFn>
Result<Decision> CommandService::OnConversation(const Caller& caller, const std::string& id,
                                                cmd::IfMatch if_match, DecideFn decide) {
  if (!CanWorkConversations(caller.role)) {
    return Forbidden(std::string("the ") + RoleName(caller.role) +
                     " role cannot change conversations");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ConversationState* c = model_.Conversation(id);
  // One the desk's agent_visibility hides from the caller is, to them, not there.
  if (!c || !SeesLocked(caller, *c)) return NotFound("conversation " + id);
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
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::SendMessage& args) {
  const std::string& id = args.id;
  const cmd::IfMatch& if_match = args.if_match;
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
        r.message_id = ids_.NewId();
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

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Take& c) {
  const auto& [id, if_match] = c;
  if (!caller.is_user()) return Forbidden("only a user can take a conversation");
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideTake(c, caller.user_id);
                        });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Assign& c) {
  const auto& [id, user_id, if_match] = c;
  return OnConversation(
      caller, id, if_match,
      [&](const ConversationState& c, Timestamp, CommandOutcome&) -> conversation::Events {
        if (Status worker = CheckWorker(model_, user_id); !worker.ok()) return worker.error();
        return conversation::DecideAssign(c, user_id);
      });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Transfer& c) {
  const auto& [id, user_id, team_id, if_match] = c;
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

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Postpone& c) {
  const auto& [id, until, if_match] = c;
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp now, CommandOutcome&) {
                          return conversation::DecidePostpone(c, until, now);
                        });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Tag& c) {
  const auto& [id, tag, if_match] = c;
  if (auto problem = TagProblem(tag)) return InvalidField("tag", *problem);
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideTag(c, tag);
                        });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Untag& c) {
  const auto& [id, tag, if_match] = c;
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideUntag(c, tag);
                        });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::UpdateConversation& c) {
  return OnConversation(
      caller, c.id, c.if_match,
      [&](const ConversationState& s, Timestamp, CommandOutcome&) -> conversation::Events {
        if (c.order_ref && !c.order_ref->empty()) {
          const ContactState* contact = model_.Contact(s.contact_id);
          if (!contact || !contact->orders.count(*c.order_ref)) {
            return InvalidField("order_ref", "names no order of the conversation's contact");
          }
        }
        return conversation::DecideDetails(s, c.subject, c.type, c.order_ref);
      });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Close& c) {
  const auto& [id, reason, if_match] = c;
  if (reason.size() > kMaxNameBytes) return InvalidField("reason", "must be at most 256 bytes");
  return OnConversation(
      caller, id, if_match,
      [&](const ConversationState& c, Timestamp, CommandOutcome&) -> conversation::Events {
        const DeskSettingsState& settings = model_.DeskSettings();
        if (!IsAllowedCloseReason(settings, reason)) {
          std::string list;
          for (const auto& r : settings.close_reasons) {
            list += (list.empty() ? "" : ", ") + r;
          }
          return InvalidField("reason",
                              "must be one of the desk's close "
                              "reasons: " +
                                  list);
        }
        return conversation::DecideClose(c, reason);
      });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Reopen& c) {
  const auto& [id, if_match] = c;
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideReopen(c);
                        });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::IssueProtocol& command) {
  const std::string& id = command.id;
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden(std::string("the ") + RoleName(caller.role) + " role cannot issue protocols");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ConversationState* c = model_.Conversation(id);
  if (!c || !SeesLocked(caller, *c)) return NotFound("conversation " + id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), id, false);
  if (c->protocol) return Unchanged(std::move(out), lock);  // one protocol per conversation
  const Timestamp now = clock_.Now();
  const int year = UtcYear(now);
  const std::string stream = ProtocolStream(year);
  std::vector<NewEvent> events;
  Stage(events, stream, DecideIssueProtocol(year, model_.StreamVersion(stream), id), caller.actor(),
        now);
  out.created = true;
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Ignore& c) {
  const auto& [id, until] = c;
  if (!caller.is_user()) return Forbidden("only a user has a queue to hide it from");
  return OnConversation(caller, id, std::nullopt,
                        [&](const ConversationState& c, Timestamp now, CommandOutcome&) {
                          return conversation::DecideIgnore(c, caller.user_id, until, now);
                        });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::MarkRead& c) {
  const std::string& id = c.id;
  return OnConversation(caller, id, std::nullopt,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideRead(c, caller.user_id);
                        });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Invite& c) {
  const auto& [id, user_id, if_match] = c;
  return OnConversation(
      caller, id, if_match,
      [&](const ConversationState& c, Timestamp, CommandOutcome&) -> conversation::Events {
        if (Status worker = CheckWorker(model_, user_id); !worker.ok()) return worker.error();
        return conversation::DecideInvite(c, user_id, caller.actor().id);
      });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::Leave& c) {
  const auto& [id, user_id, if_match] = c;
  if (user_id != caller.user_id && !CanSupervise(caller.role)) {
    return Forbidden("an agent can only remove themselves from a conversation");
  }
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideLeave(c, user_id, caller.actor().id);
                        });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::DeleteConversation& c) {
  const auto& [id, reason, if_match] = c;
  if (!CanAdminister(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("only an admin can delete a conversation");
  }
  if (reason.size() > kMaxNameBytes) return InvalidField("reason", "must be at most 256 bytes");
  return OnConversation(caller, id, if_match,
                        [&](const ConversationState& c, Timestamp, CommandOutcome&) {
                          return conversation::DecideDelete(c, reason);
                        });
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::RecordDelivery& command) {
  if (caller.is_user() || !caller.channel_id.empty()) {
    return Forbidden("only the node's own workers record deliveries and wake-ups");
  }
  const auto& [conversation_id, o] = command;
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
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::WakeDue& command) {
  if (caller.is_user() || !caller.channel_id.empty()) {
    return Forbidden("only the node's own workers record deliveries and wake-ups");
  }
  const std::string& id = command.id;
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
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), id, false), lock);
}

}  // namespace helpdesk
