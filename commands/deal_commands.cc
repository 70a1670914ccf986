// Funnels, contacts' funnel stages and deals: the sales side of the CRM (domain/funnel.h).
#include <algorithm>

#include "commands/command_service.h"
#include "commands/id_rules.h"
#include "domain/contact.h"
#include "domain/events.h"
#include "domain/funnel.h"
#include "domain/text.h"

namespace helpdesk {
namespace {

Error VersionConflict(const DealState& deal) {
  return Error{ErrorCode::kVersionConflict,
               "deal " + deal.id + " is at version " + std::to_string(deal.version)};
}

nlohmann::json StagesJson(const std::vector<FunnelStage>& stages) {
  nlohmann::json out = nlohmann::json::array();
  for (const FunnelStage& s : stages) out.push_back(s);
  return out;
}

// Checks a deal's owner: an active user of the directory.
std::optional<Error> OwnerProblem(const WriteModel& model, const std::string& owner_id) {
  if (owner_id.empty()) return std::nullopt;
  const UserState* owner = model.User(owner_id);
  if (!owner) return InvalidField("owner_id", "names no user");
  if (!owner->active) return InvalidTransition("user " + owner_id + " is deactivated");
  return std::nullopt;
}

bool MayWorkDeals(const Caller& caller) {
  return CanWorkConversations(caller.role) && caller.channel_id.empty();
}

}  // namespace

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::SetContactStage& c) {
  if (!MayWorkDeals(caller)) return Forbidden("this role cannot change contacts");
  if (auto problem = StageProblem(c.stage)) return InvalidField("stage_id", *problem);
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* contact = model_.Contact(c.contact_id);
  if (!contact) return NotFound("contact " + c.contact_id);
  const FunnelState* funnel = model_.Funnel(c.funnel_id);
  if (!funnel) return InvalidField("funnel_id", "names no funnel");
  if (!FindStage(*funnel, c.stage)) {
    return InvalidField("stage_id", "names no stage of funnel " + c.funnel_id);
  }
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.contact_id, false);
  if (contact->stage == c.stage && contact->funnel_id == c.funnel_id) {
    return Unchanged(std::move(out), lock);
  }
  if (contact->erased || !contact->merged_into.empty()) {
    return InvalidTransition("contact " + c.contact_id + " was erased or merged");
  }
  std::vector<NewEvent> events;
  Stage(events, ContactStream(c.contact_id),
        {events::Encode(events::ContactStageChanged{c.contact_id, contact->stage, c.stage,
                                                    c.funnel_id, contact->funnel_id})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::DefineFunnel& c) {
  if (caller.role != Role::kAdmin || !caller.channel_id.empty()) {
    return Forbidden("only admins define funnels");
  }
  if (c.id && !IsValidId(*c.id)) return InvalidField("id", "must be 1 to 64 of [A-Za-z0-9_.-]");
  if (auto problem = FunnelProblem(c.name, c.stages)) {
    return InvalidField(problem->first, problem->second);
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const FunnelState* existing = c.id ? model_.Funnel(*c.id) : nullptr;
  std::string id;
  if (c.replace) {
    if (!existing) return NotFound("funnel " + c.id.value_or(""));
    id = *c.id;
    if (auto problem = RedefinitionProblem(*existing, c.stages)) {
      return InvalidTransition(*problem);
    }
    if (existing->name == c.name && existing->stages == c.stages) {
      return Unchanged(CommandOutcome::For(ConsistencyToken(), id, false), lock);
    }
  } else {
    if (existing) {
      // A retry of the same create answers as the first did; anything else is a clash.
      if (existing->name == c.name && existing->stages == c.stages) {
        return Unchanged(CommandOutcome::For(ConsistencyToken(), *c.id, false), lock);
      }
      return Conflict("funnel " + *c.id + " exists already", *c.id);
    }
    id = c.id ? *c.id : NewStreamId(FunnelStream);
  }
  std::vector<NewEvent> events;
  Stage(events, FunnelStream(id),
        {events::Encode(events::FunnelDefined{id, c.name, StagesJson(c.stages)})}, caller.actor(),
        clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), id, !c.replace), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::CreateDeal& c) {
  if (!MayWorkDeals(caller)) return Forbidden("this role cannot work deals");
  if (c.id && !IsValidId(*c.id)) return InvalidField("id", "must be 1 to 64 of [A-Za-z0-9_.-]");
  if (auto problem = DealTitleProblem(c.title)) return InvalidField("title", *problem);
  if (auto problem = DealValueProblem(c.value)) return InvalidField("value", *problem);
  if (!IsCurrencyCode(c.currency)) return InvalidField("currency", "must be an ISO 4217 code");
  if (c.expected_close_on && !IsCalendarDate(*c.expected_close_on)) {
    return InvalidField("expected_close_on", "must be a date, YYYY-MM-DD");
  }
  if (c.contact_id.empty()) return InvalidField("contact_id", "must name a contact");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  if (c.id) {
    if (const DealState* existing = model_.Deal(*c.id)) {
      // A retry of the same create answers as the first did, whatever changed since; anything
      // else is a clash.
      const bool same = existing->title == c.title &&
                        (existing->contact_id == c.contact_id ||
                         existing->contact_id == SurvivorOf(c.contact_id)) &&
                        existing->funnel_id == c.funnel_id.value_or(kDefaultFunnelId) &&
                        existing->value == c.value && existing->currency == c.currency &&
                        existing->owner_id == c.owner_id.value_or("") &&
                        existing->conversation_id == c.conversation_id.value_or("") &&
                        existing->expected_close_on == c.expected_close_on.value_or("") &&
                        (!c.stage_id || existing->version > 1 || existing->stage_id == *c.stage_id);
      if (!same) return Conflict("deal " + *c.id + " exists already", *c.id);
      return Unchanged(CommandOutcome::For(ConsistencyToken(), *c.id, false), lock);
    }
  }
  const std::string funnel_id = c.funnel_id.value_or(kDefaultFunnelId);
  const FunnelState* funnel = model_.Funnel(funnel_id);
  if (!funnel) return InvalidField("funnel_id", "names no funnel");
  const std::string stage_id = c.stage_id.value_or(FirstOpenStage(*funnel));
  const FunnelStage* stage = FindStage(*funnel, stage_id);
  if (!stage) return InvalidField("stage_id", "names no stage of funnel " + funnel_id);
  const std::string status = DealStatusOfKind(stage->kind);
  // Copied: the lookups below may move the funnel's record.
  const std::string contact_id = SurvivorOf(c.contact_id);
  const ContactState* contact = model_.Contact(contact_id);
  if (!contact) return InvalidField("contact_id", "names no contact");
  if (contact->erased) return InvalidTransition("contact " + contact_id + " was erased");
  if (c.conversation_id) {
    const ConversationState* conversation = model_.Conversation(*c.conversation_id);
    if (!conversation) return InvalidField("conversation_id", "names no conversation");
    if (SurvivorOf(conversation->contact_id) != contact_id) {
      return InvalidField("conversation_id", "is another contact's conversation");
    }
  }
  if (auto problem = OwnerProblem(model_, c.owner_id.value_or(""))) return *problem;
  const std::string id = c.id ? *c.id : NewStreamId(DealStream);
  events::DealCreated created{
      id,      c.title,    contact_id, funnel_id,         stage_id,           status,
      c.value, c.currency, c.owner_id, c.conversation_id, c.expected_close_on};
  std::vector<NewEvent> events;
  Stage(events, DealStream(id), {events::Encode(created)}, caller.actor(), clock_.Now());
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), id, true);
  out.contact_id = contact_id;
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::UpdateDeal& c) {
  if (!MayWorkDeals(caller)) return Forbidden("this role cannot work deals");
  if (c.title) {
    if (auto problem = DealTitleProblem(*c.title)) return InvalidField("title", *problem);
  }
  if (c.value) {
    if (auto problem = DealValueProblem(*c.value)) return InvalidField("value", *problem);
  }
  if (c.currency && !IsCurrencyCode(*c.currency)) {
    return InvalidField("currency", "must be an ISO 4217 code");
  }
  if (c.expected_close_on && !c.expected_close_on->empty() &&
      !IsCalendarDate(*c.expected_close_on)) {
    return InvalidField("expected_close_on", "must be a date, YYYY-MM-DD");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const DealState* deal = model_.Deal(c.deal_id);
  if (!deal) return NotFound("deal " + c.deal_id);
  if (c.if_match && *c.if_match != deal->version) return VersionConflict(*deal);
  if (c.owner_id) {
    if (auto problem = OwnerProblem(model_, *c.owner_id)) return *problem;
  }
  events::DealUpdated changed{c.deal_id};
  if (c.title && *c.title != deal->title) changed.title = c.title;
  if (c.value && *c.value != deal->value) changed.value = c.value;
  if (c.currency && *c.currency != deal->currency) changed.currency = c.currency;
  if (c.owner_id && *c.owner_id != deal->owner_id) changed.owner_id = c.owner_id;
  if (c.expected_close_on && *c.expected_close_on != deal->expected_close_on) {
    changed.expected_close_on = c.expected_close_on;
  }
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.deal_id, false);
  if (!changed.title && !changed.value && !changed.currency && !changed.owner_id &&
      !changed.expected_close_on) {
    return Unchanged(std::move(out), lock);
  }
  std::vector<NewEvent> events;
  Stage(events, DealStream(c.deal_id), {events::Encode(changed)}, caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::MoveDeal& c) {
  if (!MayWorkDeals(caller)) return Forbidden("this role cannot work deals");
  if (c.reason && (c.reason->size() > kMaxNameBytes || HasControlCharacter(*c.reason))) {
    return InvalidField("reason", "must be at most 256 bytes without control characters");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const DealState* deal = model_.Deal(c.deal_id);
  if (!deal) return NotFound("deal " + c.deal_id);
  if (c.if_match && *c.if_match != deal->version) return VersionConflict(*deal);
  const FunnelState* funnel = model_.Funnel(deal->funnel_id);
  if (!funnel) return InvalidTransition("the funnel of deal " + c.deal_id + " is gone");
  const FunnelStage* stage = FindStage(*funnel, c.stage_id);
  if (!stage) return InvalidField("stage_id", "names no stage of funnel " + deal->funnel_id);
  if (c.reason && stage->kind != "lost") {
    return InvalidField("reason", "is only taken by a move to a lost stage");
  }
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.deal_id, false);
  if (deal->stage_id == c.stage_id) {
    // The same move again is a retry; another reason would be dropped without a word.
    if (c.reason && *c.reason != deal->lost_reason) {
      return InvalidTransition("deal " + c.deal_id + " is lost already, for another reason: " +
                               "reopen it to record a new one");
    }
    return Unchanged(std::move(out), lock);
  }
  if (deal->status != "open") {
    return InvalidTransition("deal " + c.deal_id + " is " + deal->status + ": reopen it first");
  }
  events::DealMoved moved{c.deal_id,
                          deal->funnel_id,
                          deal->stage_id,
                          c.stage_id,
                          DealStatusOfKind(stage->kind),
                          c.reason,
                          StepOf(*funnel, deal->stage_id, c.stage_id).moved_on};
  std::vector<NewEvent> events;
  Stage(events, DealStream(c.deal_id), {events::Encode(moved)}, caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::ReopenDeal& c) {
  if (!MayWorkDeals(caller)) return Forbidden("this role cannot work deals");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const DealState* deal = model_.Deal(c.deal_id);
  if (!deal) return NotFound("deal " + c.deal_id);
  if (c.if_match && *c.if_match != deal->version) return VersionConflict(*deal);
  if (deal->status == "open") return InvalidTransition("deal " + c.deal_id + " is open");
  const FunnelState* funnel = model_.Funnel(deal->funnel_id);
  if (!funnel) return InvalidTransition("the funnel of deal " + c.deal_id + " is gone");
  const std::string to = c.stage_id.value_or(FirstOpenStage(*funnel));
  const FunnelStage* stage = FindStage(*funnel, to);
  if (!stage || stage->kind != "open") {
    return InvalidField("stage_id", "must name an open stage of funnel " + deal->funnel_id);
  }
  std::vector<NewEvent> events;
  Stage(events, DealStream(c.deal_id),
        {events::Encode(events::DealReopened{c.deal_id, deal->funnel_id, deal->stage_id, to})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), c.deal_id, false), lock);
}

}  // namespace helpdesk
