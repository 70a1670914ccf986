// A customer's message arriving on a channel: find or create the contact, route the message
// (domain/routing.h), and record it, all in one atomic append.
#include "adapters/random_ids.h"
#include "commands/command_service.h"
#include "commands/id_rules.h"
#include "domain/email_text.h"
#include "domain/events.h"
#include "domain/funnel.h"
#include "domain/routing.h"

namespace helpdesk {

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::ReceiveInbound& a) {
  if (!MayDeliverInbound(caller.role, caller.channel_id, a.channel_id)) {
    return Error{ErrorCode::kForbidden,
                 "only an admin or the channel's own token can deliver messages"};
  }
  if (a.external_id.empty() || a.external_id.size() > 256) {
    return InvalidField("external_id", "must be 1 to 256 characters");
  }
  if (a.text.size() > kMaxTextBytes) return InvalidField("text", "must be at most 64 KiB");
  if (a.html.size() > 8 * kMaxTextBytes) return InvalidField("html", "must be at most 512 KiB");
  if (a.from_name.size() > kMaxNameBytes || a.from_phone.size() > kMaxNameBytes ||
      a.from_email.size() > kMaxNameBytes) {
    return InvalidField("from", "fields must be at most 256 bytes each");
  }
  if (a.text.empty() && a.html.empty() && a.attachments.empty()) {
    return InvalidField("text", "must be non-empty when there are no attachments");
  }
  if (!a.from_email.empty() && !LooksLikeEmail(a.from_email)) {
    return InvalidField("from.email", "must be an e-mail address");
  }
  // The heavy part of an e-mail (HTML to markdown, the quoted history apart) before the lock:
  // it needs nothing of the write model, and a crafted mail must not hold up every command.
  const std::string converted = a.text.empty() && !a.html.empty() ? HtmlToMarkdown(a.html) : a.text;
  const EmailText email_split = SplitQuotedEmail(converted);

  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ChannelState* channel = model_.Channel(a.channel_id);
  if (!channel) return NotFound("channel " + a.channel_id);

  if (auto seen = model_.Inbound(a.channel_id, a.external_id)) {
    CommandOutcome out = CommandOutcome::For(ConsistencyToken(), seen->conversation_id, false);
    out.duplicate = true;
    out.message_id = seen->message_id;
    out.contact_id = seen->contact_id;
    // The first delivery may still be on its way to the log: answer once it is there.
    return Unchanged(std::move(out), lock);
  }

  // Find the contact the way the channel identifies people.
  const std::string phone = NormalizePhone(a.from_phone);
  const std::string email = NormalizeEmail(a.from_email);
  std::optional<std::string> contact_id;
  if (ChannelMatchesByPhone(channel->type)) {
    if (phone.empty())
      return InvalidField("from.phone", "is required on a " + channel->type + " channel");
    contact_id = model_.ContactByPhone(phone);
  } else if (channel->type == "email") {
    if (email.empty()) return InvalidField("from.email", "is required on an email channel");
    contact_id = model_.ContactByEmail(email);
  } else {
    if (phone.empty() && email.empty()) return InvalidField("from", "needs a phone or an email");
    if (!email.empty()) contact_id = model_.ContactByEmail(email);
    if (!contact_id && !phone.empty()) contact_id = model_.ContactByPhone(phone);
  }
  // A duplicate merged away stands for the contact it was merged into.
  if (contact_id) contact_id = SurvivorOf(*contact_id);

  const Timestamp now = clock_.Now();
  std::vector<NewEvent> events;
  CommandOutcome out;
  if (!contact_id) {
    auto id = NewContactId("");
    if (!id.ok()) return id.error();
    contact_id = std::move(id).value();
    std::string name =
        a.from_name.empty() ? (a.from_phone.empty() ? a.from_email : a.from_phone) : a.from_name;
    Stage(events, ContactStream(*contact_id),
          {events::Encode(events::ContactCreated{*contact_id, name, a.from_phone, a.from_email,
                                                 FirstOpenStage(*model_.Funnel(kDefaultFunnelId)),
                                                 a.channel_id})},
          Actor::System("channel/" + a.channel_id), now);
  }
  out.contact_id = *contact_id;

  const std::string message_id = ids_.NewId();
  const Timestamp sent_at = a.sent_at && *a.sent_at < now ? *a.sent_at : now;
  // E-mail: formatting kept as markdown, the new text apart from the quoted history.
  std::string message_text = converted;
  std::string quoted;
  if (channel->type == "email") {
    message_text = email_split.visible;
    quoted = email_split.quoted;
  }
  if (message_text.size() > kMaxTextBytes) return InvalidField("html", "makes a text over 64 KiB");
  if (const ContactState* known = model_.Contact(*contact_id); known && known->blocked) {
    // Blocked: kept for the record on the contact's own stream; no conversation opens, wakes
    // or reopens.
    Stage(events, ContactStream(*contact_id),
          {events::Encode(events::BlockedMessageReceived{*contact_id, a.channel_id, message_id,
                                                         a.external_id, message_text, sent_at,
                                                         a.attachments})},
          Actor::Contact(*contact_id), now);
    out.message_id = message_id;
    return Commit(std::move(events), std::move(out), lock);
  }

  const RoutingDecision route =
      RouteInbound(model_.ConversationsOf(*contact_id, a.channel_id), now);
  ConversationState target;
  if (route.kind == RoutingDecision::Kind::kOpenNew) {
    conversation::OpenArgs open{NewStreamId(ConversationStream),
                                a.channel_id,
                                *contact_id,
                                std::nullopt,
                                std::nullopt,
                                std::nullopt,
                                channel->type};
    // An e-mail's subject names the conversation it opens, until a user edits it.
    if (channel->type == "email" && !a.subject.empty()) open.subject = a.subject;
    auto opened = conversation::DecideOpen(target, open);
    if (!opened.ok()) return opened.error();
    for (const DomainEvent& d : opened.value()) {
      Evolve(target, NewEvent{"", "", d.type, now, Actor::Contact(*contact_id), d.data}, 1);
    }
    Stage(events, ConversationStream(open.id), std::move(opened).value(),
          Actor::Contact(*contact_id), now);
  } else {
    target = *model_.Conversation(route.conversation_id);
    out.reopened = route.kind == RoutingDecision::Kind::kReopen;
  }
  out.created = route.kind == RoutingDecision::Kind::kOpenNew;
  out.id = target.id;

  conversation::InboundMessage m;
  m.message_id = message_id;
  m.external_id = a.external_id;
  m.text = message_text;
  m.quoted = quoted;
  m.sent_at = sent_at;
  m.attachments = a.attachments;
  out.message_id = m.message_id;
  auto received = conversation::DecideReceive(target, m, now);
  if (!received.ok()) return received.error();
  Stage(events, ConversationStream(target.id), std::move(received).value(),
        Actor::Contact(*contact_id), now);

  return Commit(std::move(events), std::move(out), lock);
}

}  // namespace helpdesk
