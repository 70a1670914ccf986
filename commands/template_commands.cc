// Templates, opt-in, and conversations the business starts (domain/message_template.h,
// domain/messaging_window.h).
#include "adapters/random_ids.h"
#include "commands/command_service.h"
#include "commands/id_rules.h"
#include "domain/delivery.h"
#include "domain/events.h"
#include "domain/messaging_window.h"

namespace helpdesk {

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::CreateTemplate& a) {
  if (!CanSupervise(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("only supervisors and admins can create templates");
  }
  auto id = ChooseId(a.id, ids_);
  if (!id.ok()) return id.error();
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  if (!model_.Channel(a.channel_id)) return NotFound("channel " + a.channel_id);
  if (const TemplateState* existing = model_.Template(id.value())) {
    if (existing->channel_id != a.channel_id || existing->name != a.name ||
        existing->body != a.body) {
      return InvalidTransition("template " + id.value() + " already exists with different fields");
    }
    return Unchanged(CommandOutcome::For(ConsistencyToken(), id.value(), false), lock);
  }
  auto decided =
      message_template::DecideCreate(TemplateState(), id.value(), a.channel_id, a.name, a.body);
  if (!decided.ok()) return decided.error();
  std::vector<NewEvent> events;
  Stage(events, TemplateStream(id.value()), std::move(decided).value(), caller.actor(),
        clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), id.value(), true), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::SetOptIn& command) {
  const auto& [contact_id, channel_id, opted_in, source] = command;
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("this role cannot record opt-ins");
  }
  if (source.size() > kMaxNameBytes) return InvalidField("source", "must be at most 256 bytes");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* c = model_.Contact(contact_id);
  if (!c) return NotFound("contact " + contact_id);
  if (!model_.Channel(channel_id)) return NotFound("channel " + channel_id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), contact_id, false);
  if (c->opted_in.count(channel_id) == (opted_in ? 1u : 0u)) return Unchanged(std::move(out), lock);
  std::vector<NewEvent> events;
  Stage(events, ContactStream(contact_id),
        {opted_in ? events::Encode(events::ContactOptedIn{contact_id, channel_id, source})
                  : events::Encode(events::ContactOptedOut{contact_id, channel_id})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::StartConversation& a) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden(std::string("the ") + RoleName(caller.role) +
                     " role cannot start conversations");
  }
  if (!caller.is_user())
    return Forbidden("only a user can start a conversation: it becomes theirs");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* contact = model_.Contact(a.contact_id);
  if (!contact) return NotFound("contact " + a.contact_id);
  const ChannelState* channel = model_.Channel(a.channel_id);
  if (!channel) return NotFound("channel " + a.channel_id);
  const TemplateState* tpl = model_.Template(a.template_id);
  if (!tpl) return NotFound("template " + a.template_id);
  if (tpl->channel_id != a.channel_id) {
    return InvalidField("template_id", "names a template of another channel");
  }
  auto id = a.id ? ChooseId(a.id, ids_) : Result<std::string>(NewStreamId(ConversationStream));
  if (!id.ok()) return id.error();
  if (model_.StreamVersion(ConversationStream(id.value())) > 0) {
    // The same start again (a client retrying) answers the conversation it made.
    const ConversationState* existing = model_.Conversation(id.value());
    if (existing && existing->contact_id == a.contact_id && existing->channel_id == a.channel_id &&
        SeesLocked(caller, *existing)) {
      return Unchanged(CommandOutcome::For(ConsistencyToken(), id.value(), false), lock);
    }
    return InvalidTransition("conversation " + id.value() + " already exists");
  }
  if (contact->blocked) return InvalidTransition("contact " + a.contact_id + " is blocked");
  // A new conversation: the customer has not written in it, so only an opt-in opens the way.
  if (!MaySendTemplate(channel->type, std::nullopt, clock_.Now(),
                       contact->opted_in.count(a.channel_id) > 0)) {
    return InvalidTransition("contact " + a.contact_id + " has not opted in on channel " +
                             a.channel_id);
  }
  for (const ConversationState* c : model_.ConversationsOf(a.contact_id, a.channel_id)) {
    if (c->status != ConversationStatus::kClosed) {
      // Its id only for who may see it (the desk's agent_visibility).
      return InvalidTransition(
          "contact " + a.contact_id + " has an unclosed conversation on " + a.channel_id +
          (SeesLocked(caller, *c) ? ": " + c->id + " (send the template there)" : ""));
    }
  }
  auto text = message_template::Render(*tpl, a.params);
  if (!text.ok()) return text.error();

  const Timestamp now = clock_.Now();
  ConversationState state;
  conversation::OpenArgs open{id.value(),   a.channel_id,   a.contact_id, std::nullopt,
                              std::nullopt, caller.user_id, channel->type};
  auto opened = conversation::DecideOpen(state, open);
  if (!opened.ok()) return opened.error();
  std::vector<DomainEvent> decided = std::move(opened).value();
  for (const DomainEvent& d : decided) {
    Evolve(state, NewEvent{"", "", d.type, now, caller.actor(), d.data}, 1);
  }
  conversation::Reply r;
  r.message_id = ids_.NewId();
  r.author_id = caller.user_id;
  r.text = std::move(text).value();
  r.template_id = a.template_id;
  r.deliver =
      GoesThroughProvider(/*is_private=*/false, channel->outbound_url);  // templates are public
  auto sent = conversation::DecideReply(state, r);
  if (!sent.ok()) return sent.error();
  for (DomainEvent& d : sent.value()) decided.push_back(std::move(d));
  std::vector<NewEvent> events;
  Stage(events, ConversationStream(id.value()), std::move(decided), caller.actor(), now);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), id.value(), true);
  out.message_id = r.message_id;
  return Commit(std::move(events), std::move(out), lock);
}

}  // namespace helpdesk
