// Contacts made and edited by users: the card, the portfolio, notes, custom attributes.
#include <algorithm>
#include <tuple>

#include "commands/command_service.h"
#include "commands/id_rules.h"
#include "domain/contact.h"
#include "domain/contact_import.h"
#include "domain/events.h"
#include "domain/funnel.h"

namespace helpdesk {
namespace {

constexpr size_t kMaxPhoneBytes = 64;

Error FieldProblem(const std::pair<std::string, std::string>& problem) {
  return InvalidField(problem.first, problem.second);
}

// Why an id a client chose for a contact cannot be taken.
std::optional<Error> ChosenIdProblem(const std::string& id) {
  if (!IsValidId(id)) return InvalidField("id", "must be 1 to 64 of [A-Za-z0-9_.-]");
  if (IsReservedContactId(id)) return InvalidField("id", "names a route; choose another");
  return std::nullopt;
}

// Checks what a create or a patch sets, before any state is read.
std::optional<Error> CardProblem(const std::optional<std::string>& name,
                                 const std::optional<std::string>& phone,
                                 const std::optional<std::string>& email,
                                 const std::optional<std::vector<std::string>>& tags,
                                 const nlohmann::json& social) {
  if (name && (name->empty() || name->size() > kMaxNameBytes)) {
    return InvalidField("name", "must be a non-empty string of at most 256 bytes");
  }
  if (phone && !phone->empty() &&
      (phone->size() > kMaxPhoneBytes || NormalizePhone(*phone).empty())) {
    return InvalidField("phone", "must be a phone number of at most 64 characters");
  }
  if (email && !email->empty() && (email->size() > kMaxNameBytes || !LooksLikeEmail(*email))) {
    return InvalidField("email", "must be an e-mail address");
  }
  if (tags) {
    if (auto problem = ContactTagsProblem(*tags)) return InvalidField("tags", *problem);
  }
  if (!social.is_null()) {
    if (auto problem = SocialProblem(social)) return FieldProblem(*problem);
  }
  return std::nullopt;
}

std::vector<std::string> SortedDistinct(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  items.erase(std::unique(items.begin(), items.end()), items.end());
  return items;
}

// The object without its null values (a create has nothing to remove).
nlohmann::json WithoutNulls(const nlohmann::json& object) {
  return MergeFlat(nlohmann::json::object(), object);
}

// Why nothing more may be written on a contact's card: erased, or merged into another.
std::optional<Error> ClosedCard(const ContactState& contact) {
  if (contact.erased) return InvalidTransition("contact " + contact.id + " was erased");
  if (!contact.merged_into.empty()) {
    return InvalidTransition("contact " + contact.id + " was merged into " + contact.merged_into);
  }
  return std::nullopt;
}

}  // namespace

std::string CommandService::SurvivorOf(const std::string& contact_id) const {
  std::string id = contact_id;
  // Bounded: a malformed log with a cycle must not hang the command lock.
  for (int hops = 0; hops < 64; ++hops) {
    const ContactState* contact = model_.Contact(id);
    if (!contact || contact->merged_into.empty()) return id;
    id = contact->merged_into;
  }
  return id;
}

std::optional<Error> CommandService::HeldByAnother(const std::string& phone,
                                                   const std::string& email,
                                                   const std::string& self) const {
  for (const auto& [value, holder, what] :
       {std::tuple{phone, phone.empty() ? std::nullopt : model_.ContactByPhone(phone), "phone"},
        std::tuple{email, email.empty() ? std::nullopt : model_.ContactByEmail(email), "e-mail"}}) {
    if (!holder) continue;
    const std::string survivor = SurvivorOf(*holder);
    if (survivor == self) continue;  // its own, or a duplicate merged into it
    return Conflict("contact " + survivor + " has this " + what + " already", survivor);
  }
  return std::nullopt;
}

Result<std::string> CommandService::NewContactId(const std::string& chosen) const {
  if (!chosen.empty()) return chosen;
  if (!vault_) return NewStreamId(ContactStream);
  // With a vault, an id whose key is made already: a burst of new contacts waits for no sync. On
  // a cluster, one whose stream this node's deciding thread may write (else the command would be
  // sent on, and pick another id there).
  Result<std::string> made =
      vault_->NewContactId([this] { return DrawStreamId(ContactStream); },
                           [this](const std::string& id) {
                             return !placement_ || placement_->MayWrite(ContactStream(id));
                           });
  if (made.ok()) model_.NoteNewStream(ContactStream(made.value()));  // the one taken, not all drawn
  return made;
}

std::vector<std::string> CommandService::MergedInto(const std::string& contact_id) const {
  std::vector<std::string> found;
  std::vector<std::string> pending{contact_id};
  while (!pending.empty() && found.size() < 10000) {
    const ContactState* contact = model_.Contact(pending.back());
    pending.pop_back();
    if (!contact) continue;
    for (const std::string& merged : contact->merged_from) {
      if (std::find(found.begin(), found.end(), merged) != found.end()) continue;
      found.push_back(merged);
      pending.push_back(merged);
    }
  }
  return found;
}

// Who may put a contact in a portfolio: supervisors and admins anyone's. An agent may put a
// contact in their own portfolio, or take it out of their own, but not out of a colleague's
// (moving it to themselves would take it out of the colleague's).
Status CommandService::CheckOwnerChange(const Caller& caller, const std::string& current,
                                        const std::optional<std::string>& owner_id) const {
  if (owner_id) {
    const UserState* owner = model_.User(*owner_id);
    if (!owner) return NotFound("user " + *owner_id);
    if (!owner->active) return InvalidTransition("user " + *owner_id + " is deactivated");
  }
  if (CanSupervise(caller.role)) return Status::Ok();
  const bool own = current.empty() || current == caller.user_id;
  const bool to_self_or_out = !owner_id || *owner_id == caller.user_id;
  if (!own || !to_self_or_out) {
    return Forbidden(
        "an agent may only put contacts in their own portfolio, or take them out of it, not "
        "out of a colleague's");
  }
  return Status::Ok();
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::CreateContact& c) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("this role cannot create contacts");
  }
  if (c.name.empty()) return InvalidField("name", "must be a non-empty string");
  if (auto problem = CardProblem(c.name, c.phone, c.email, c.tags, c.social)) return *problem;
  if (c.id) {
    if (auto problem = ChosenIdProblem(*c.id)) return *problem;
  }
  const std::vector<std::string> tags = SortedDistinct(c.tags);
  const nlohmann::json social = WithoutNulls(c.social);
  const nlohmann::json attributes = WithoutNulls(c.attributes);
  const std::string phone = NormalizePhone(c.phone);
  const std::string email = NormalizeEmail(c.email);

  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  if (auto problem = AttributesProblem(c.attributes, model_.DeskSettings().contact_attributes)) {
    return FieldProblem(*problem);
  }
  if (c.owner_id) {
    if (Status allowed = CheckOwnerChange(caller, "", c.owner_id); !allowed.ok()) {
      return allowed.error();
    }
  }
  if (c.id) {
    if (const ContactState* existing = model_.Contact(*c.id)) {
      // A retry of the same create answers as the first did; anything else is a clash.
      const bool same = existing->name == c.name && existing->phone == c.phone &&
                        existing->email == c.email && existing->tags == tags &&
                        existing->owner_id == c.owner_id.value_or("") &&
                        existing->attributes == attributes && existing->social == social;
      if (!same) return InvalidTransition("contact " + *c.id + " already exists");
      return Unchanged(CommandOutcome::For(ConsistencyToken(), *c.id, false), lock);
    }
  }
  if (auto taken = HeldByAnother(phone, email, "")) return *taken;
  auto made = NewContactId(c.id.value_or(""));
  if (!made.ok()) return made.error();
  const std::string id = std::move(made).value();
  events::ContactCreated created{id, c.name,     c.phone, c.email,    "",
                                 "", c.owner_id, tags,    attributes, social};
  std::vector<NewEvent> events;
  Stage(events, ContactStream(id), {events::Encode(created)}, caller.actor(), clock_.Now());
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), id, true);
  out.contact_id = id;
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::UpdateContact& c) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("this role cannot edit contacts");
  }
  if (auto problem = CardProblem(c.name, c.phone, c.email, c.tags, c.social)) return *problem;
  if (!c.attributes.is_null() && !c.attributes.is_object()) {
    return InvalidField("attributes", "must be an object");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* contact = model_.Contact(c.contact_id);
  if (!contact) return NotFound("contact " + c.contact_id);
  if (c.if_match && *c.if_match != contact->version) {
    return Error{ErrorCode::kVersionConflict,
                 "contact " + c.contact_id + " is at version " + std::to_string(contact->version)};
  }
  if (auto closed = ClosedCard(*contact)) return *closed;
  if (!c.attributes.is_null()) {
    if (auto problem = AttributesProblem(c.attributes, model_.DeskSettings().contact_attributes)) {
      return FieldProblem(*problem);
    }
  }
  events::ContactUpdated changed{c.contact_id, {}, {}, {}, {}, nullptr, nullptr};
  if (c.name && *c.name != contact->name) changed.name = c.name;
  if (c.phone && *c.phone != contact->phone) {
    if (auto taken = HeldByAnother(NormalizePhone(*c.phone), "", c.contact_id)) return *taken;
    changed.phone = c.phone;
  }
  if (c.email && *c.email != contact->email) {
    if (auto taken = HeldByAnother("", NormalizeEmail(*c.email), c.contact_id)) return *taken;
    changed.email = c.email;
  }
  if (c.tags) {
    std::vector<std::string> tags = SortedDistinct(*c.tags);
    if (tags != contact->tags) changed.tags = std::move(tags);
  }
  if (c.attributes.is_object()) {
    nlohmann::json keys = ChangedKeys(contact->attributes, c.attributes);
    if (!keys.empty()) changed.attributes = std::move(keys);
  }
  if (c.social.is_object()) {
    nlohmann::json keys = ChangedKeys(contact->social, c.social);
    if (!keys.empty()) changed.social = std::move(keys);
  }
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.contact_id, false);
  if (!changed.name && !changed.phone && !changed.email && !changed.tags &&
      changed.attributes.is_null() && changed.social.is_null()) {
    return Unchanged(std::move(out), lock);
  }
  std::vector<NewEvent> events;
  Stage(events, ContactStream(c.contact_id), {events::Encode(changed)}, caller.actor(),
        clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::SetContactOwner& c) {
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("this role cannot change portfolios");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* contact = model_.Contact(c.contact_id);
  if (!contact) return NotFound("contact " + c.contact_id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.contact_id, false);
  if (contact->owner_id == c.owner_id.value_or("")) return Unchanged(std::move(out), lock);
  if (auto closed = ClosedCard(*contact)) return *closed;
  if (Status allowed = CheckOwnerChange(caller, contact->owner_id, c.owner_id); !allowed.ok()) {
    return allowed.error();
  }
  const std::optional<std::string> from =
      contact->owner_id.empty() ? std::nullopt : std::optional<std::string>(contact->owner_id);
  std::vector<NewEvent> events;
  Stage(events, ContactStream(c.contact_id),
        {events::Encode(events::ContactOwnerChanged{c.contact_id, from, c.owner_id})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::AddContactNote& c) {
  if (!CanWorkConversations(caller.role) || !caller.is_user()) {
    return Forbidden("this role cannot write notes");
  }
  if (c.text.empty() || c.text.size() > kMaxTextBytes) {
    return InvalidField("text", "must be a non-empty string of at most 64 KiB");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* contact = model_.Contact(c.contact_id);
  if (!contact) return NotFound("contact " + c.contact_id);
  if (auto closed = ClosedCard(*contact)) return *closed;
  std::vector<std::string> mentions = FindMentions(c.text, model_.AllUsers());
  mentions.erase(std::remove(mentions.begin(), mentions.end(), caller.user_id), mentions.end());
  const std::string note_id = ids_.NewId();
  std::vector<NewEvent> events;
  Stage(events, ContactStream(c.contact_id),
        {events::Encode(events::ContactNoteAdded{c.contact_id, note_id, caller.user_id, c.text,
                                                 std::move(mentions)})},
        caller.actor(), clock_.Now());
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), note_id, true);
  out.contact_id = c.contact_id;
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::MergeContacts& c) {
  if (!CanSupervise(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("only supervisors and admins merge contacts");
  }
  if (c.from.empty()) return InvalidField("from", "must name the duplicate contact");
  if (c.from == c.contact_id) return InvalidField("from", "must be another contact");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* into = model_.Contact(c.contact_id);
  if (!into) return NotFound("contact " + c.contact_id);
  const ContactState* duplicate = model_.Contact(c.from);
  if (!duplicate) return NotFound("contact " + c.from);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.contact_id, false);
  if (duplicate->merged_into == c.contact_id) return Unchanged(std::move(out), lock);
  if (auto closed = ClosedCard(*into)) return *closed;
  if (auto closed = ClosedCard(*duplicate)) return *closed;
  // The survivor keeps what it has and takes what only the duplicate has.
  events::ContactUpdated filled{c.contact_id, {}, {}, {}, {}, nullptr, nullptr};
  if (into->phone.empty() && !duplicate->phone.empty()) filled.phone = duplicate->phone;
  if (into->email.empty() && !duplicate->email.empty()) filled.email = duplicate->email;
  std::vector<std::string> tags = into->tags;
  tags.insert(tags.end(), duplicate->tags.begin(), duplicate->tags.end());
  tags = SortedDistinct(std::move(tags));
  if (tags != into->tags && tags.size() <= kMaxContactTags) filled.tags = tags;
  auto missing_keys = [](const nlohmann::json& have, const nlohmann::json& other) {
    nlohmann::json taken = nlohmann::json::object();
    for (const auto& [key, value] : other.items()) {
      if (!have.contains(key)) taken[key] = value;
    }
    return taken.empty() ? nlohmann::json() : taken;
  };
  filled.attributes = missing_keys(into->attributes, duplicate->attributes);
  filled.social = missing_keys(into->social, duplicate->social);
  std::vector<DomainEvent> decided;
  if (filled.phone || filled.email || filled.tags || !filled.attributes.is_null() ||
      !filled.social.is_null()) {
    decided.push_back(events::Encode(filled));
  }
  if (into->owner_id.empty() && !duplicate->owner_id.empty()) {
    decided.push_back(events::Encode(
        events::ContactOwnerChanged{c.contact_id, std::nullopt, duplicate->owner_id}));
  }
  decided.push_back(events::Encode(
      events::ContactsMerged{c.contact_id, c.from, model_.ConversationIdsOf(c.from)}));
  std::vector<NewEvent> events;
  Stage(events, ContactStream(c.contact_id), std::move(decided), caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::RecordOrder& c) {
  // The shop's integration (a channel's token) or a user who works with customers.
  if (!CanWorkConversations(caller.role) && caller.channel_id.empty()) {
    return Forbidden("this role cannot record orders");
  }
  if (c.external_id.empty() || c.external_id.size() > 128 ||
      c.external_id.find('/') != std::string::npos) {
    return InvalidField("external_id", "must be 1 to 128 bytes without '/'");
  }
  if (auto problem = OrderProblem(c.order)) return FieldProblem(*problem);
  const nlohmann::json order = CanonicalOrder(c.external_id, c.order);
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* contact = model_.Contact(c.contact_id);
  if (!contact) return NotFound("contact " + c.contact_id);
  if (auto closed = ClosedCard(*contact)) return *closed;
  const auto known = contact->orders.find(c.external_id);
  CommandOutcome out =
      CommandOutcome::For(ConsistencyToken(), c.external_id, known == contact->orders.end());
  if (known != contact->orders.end() && known->second == order) {
    return Unchanged(std::move(out), lock);
  }
  std::vector<NewEvent> events;
  Stage(events, ContactStream(c.contact_id),
        {events::Encode(events::OrderRecorded{c.contact_id, order})}, caller.actor(), clock_.Now());
  out.contact_id = c.contact_id;
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::ImportContactRow& c) {
  if (!CanSupervise(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("imports are a supervisor's or an admin's");
  }
  if (c.mode != "upsert" && c.mode != "create_only") {
    return InvalidField("mode", "must be upsert or create_only");
  }
  const std::optional<std::string> name =
      c.name.empty() ? std::nullopt : std::optional<std::string>(c.name);
  if (auto problem = CardProblem(name, c.phone, c.email, c.tags, nullptr)) return *problem;
  if (!c.id.empty()) {  // an import row's id column is optional
    if (auto problem = ChosenIdProblem(c.id)) return *problem;
  }
  if (c.stage) {
    if (auto problem = StageProblem(*c.stage)) return InvalidField("stage", *problem);
  }
  if (!c.attributes.is_object()) return InvalidField("attributes", "must be an object");
  const std::string phone = NormalizePhone(c.phone);
  const std::string email = NormalizeEmail(c.email);

  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  if (auto problem = AttributesProblem(c.attributes, model_.DeskSettings().contact_attributes)) {
    return FieldProblem(*problem);
  }
  if (c.stage && !FindStage(*model_.Funnel(kDefaultFunnelId), *c.stage)) {
    return InvalidField("stage", "names no stage of the default funnel");
  }
  if (c.owner_id) {
    const UserState* owner = model_.User(*c.owner_id);
    if (!owner) return InvalidField("owner", "names no user");
    if (!owner->active) return InvalidField("owner", "names a deactivated user");
  }
  // The contact the row is about: by phone, then e-mail, then id (what a file without either
  // names on a second run).
  std::string found;
  if (auto holder = phone.empty() ? std::nullopt : model_.ContactByPhone(phone)) {
    found = SurvivorOf(*holder);
  }
  if (auto holder = email.empty() ? std::nullopt : model_.ContactByEmail(email)) {
    const std::string by_email = SurvivorOf(*holder);
    if (found.empty()) {
      found = by_email;
    } else if (by_email != found) {
      return InvalidField(
          "email", "is contact " + by_email + "'s while the phone is contact " + found + "'s");
    }
  }
  if (found.empty() && !c.id.empty() && model_.Contact(c.id)) found = SurvivorOf(c.id);
  const std::vector<std::string> tags = SortedDistinct(c.tags.value_or(std::vector<std::string>{}));

  if (found.empty()) {
    if (!name) return InvalidField("name", "is needed for a new contact");
    auto made = NewContactId(c.id);
    if (!made.ok()) return made.error();
    const std::string id = std::move(made).value();
    events::ContactCreated created{id,
                                   c.name,
                                   c.phone,
                                   c.email,
                                   FirstOpenStage(*model_.Funnel(kDefaultFunnelId)),
                                   "",
                                   c.owner_id,
                                   tags,
                                   WithoutNulls(c.attributes)};
    if (c.stage) created.stage = *c.stage;
    created.import_id = c.import_id;
    created.import_row = c.row;
    std::vector<NewEvent> events;
    Stage(events, ContactStream(id), {events::Encode(created)}, caller.actor(), clock_.Now());
    CommandOutcome out = CommandOutcome::For(ConsistencyToken(), id, true);
    out.contact_id = id;
    return Commit(std::move(events), std::move(out), lock);
  }

  const ContactState* contact = model_.Contact(found);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), found, false);
  out.contact_id = found;
  out.duplicate = true;
  if (contact && c.row != 0 && contact->created_by_import == c.import_id &&
      contact->created_by_import_row == c.row) {
    // This very row made the contact: the importer tries a row again when the log's answer
    // was lost, and it counts as made once.
    out.created = true;
    return Unchanged(std::move(out), lock);
  }
  if (!contact || c.mode == "create_only") return Unchanged(std::move(out), lock);
  if (auto closed = ClosedCard(*contact)) return *closed;
  // What the row changes: its non-empty cells win; tags are added to the contact's own.
  events::ContactUpdated changed{found, {}, {}, {}, {}, nullptr, nullptr};
  if (name && *name != contact->name) changed.name = name;
  if (!phone.empty() && phone != NormalizePhone(contact->phone)) {
    if (auto taken = HeldByAnother(phone, "", found)) return InvalidField("phone", taken->message);
    changed.phone = c.phone;
  }
  if (!email.empty() && email != NormalizeEmail(contact->email)) {
    if (auto taken = HeldByAnother("", email, found)) return InvalidField("email", taken->message);
    changed.email = c.email;
  }
  std::vector<std::string> all_tags = contact->tags;
  all_tags.insert(all_tags.end(), tags.begin(), tags.end());
  all_tags = SortedDistinct(std::move(all_tags));
  if (all_tags != contact->tags) {
    if (auto problem = ContactTagsProblem(all_tags)) return InvalidField("tags", *problem);
    changed.tags = std::move(all_tags);
  }
  if (nlohmann::json keys = ChangedKeys(contact->attributes, c.attributes); !keys.empty()) {
    changed.attributes = std::move(keys);
  }
  std::vector<DomainEvent> recorded;
  if (changed.name || changed.phone || changed.email || changed.tags ||
      !changed.attributes.is_null()) {
    recorded.push_back(events::Encode(changed));
  }
  if (c.owner_id && *c.owner_id != contact->owner_id) {
    const std::optional<std::string> from =
        contact->owner_id.empty() ? std::nullopt : std::optional<std::string>(contact->owner_id);
    recorded.push_back(events::Encode(events::ContactOwnerChanged{found, from, c.owner_id}));
  }
  if (c.stage && (*c.stage != contact->stage || contact->funnel_id != kDefaultFunnelId)) {
    recorded.push_back(events::Encode(events::ContactStageChanged{
        found, contact->stage, *c.stage, kDefaultFunnelId, contact->funnel_id}));
  }
  if (recorded.empty()) return Unchanged(std::move(out), lock);
  out.duplicate = false;
  std::vector<NewEvent> events;
  Stage(events, ContactStream(found), std::move(recorded), caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::RecordContactImport& c) {
  if (!CanSupervise(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("imports are a supervisor's or an admin's");
  }
  if (!IsValidId(c.import_id)) return InvalidField("import_id", "must be a valid id");
  nlohmann::json errors = c.errors;
  const events::ImportCounts counts{c.rows_done, c.created, c.updated, c.unchanged, c.skipped};
  DomainEvent event;
  if (c.phase == "started") {
    event = events::Encode(
        events::ContactImportStarted{c.import_id, c.mode, c.rows, c.file_sha256, c.node});
  } else if (c.phase == "progress") {
    event = events::Encode(events::ContactImportProgressed{c.import_id, counts, errors});
  } else if (c.phase == "done" || c.phase == "failed") {
    event = events::Encode(
        events::ContactImportFinished{c.import_id, c.phase, c.reason, counts, errors});
  } else {
    return InvalidField("phase", "must be started, progress, done or failed");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  std::vector<NewEvent> events;
  Stage(events, ImportStream(c.import_id), {std::move(event)}, caller.actor(), clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), c.import_id, true),
                lock);
}

Result<Decision> CommandService::Handle(const Caller& caller,
                                        const cmd::DefineContactAttribute& c) {
  if (!CanAdminister(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("only an admin can define contact attributes");
  }
  const AttributeDefinition definition{c.key, c.label, c.type, c.options};
  if (auto problem = AttributeDefinitionProblem(definition)) return FieldProblem(*problem);
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const auto& defined = model_.DeskSettings().contact_attributes;
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.key, true);
  if (auto it = defined.find(c.key); it != defined.end()) {
    if (it->second == definition) {
      out.created = false;
      return Unchanged(std::move(out), lock);
    }
    // Values already given keep their meaning: a key's type is for good.
    if (it->second.type != c.type) {
      return InvalidTransition("attribute " + c.key + " is a " + it->second.type +
                               "; its type cannot change");
    }
    out.created = false;
  } else if (defined.size() >= kMaxAttributeDefinitions) {
    return InvalidTransition("the desk has 200 contact attributes, the most it may have");
  }
  std::vector<NewEvent> events;
  Stage(events, kDeskSettingsStream,
        {events::Encode(events::ContactAttributeDefined{c.key, c.label, c.type, c.options})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

}  // namespace helpdesk
