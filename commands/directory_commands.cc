// Users, teams, channels and contacts.
#include <algorithm>

#include "adapters/random_ids.h"
#include "commands/command_service.h"
#include "commands/id_rules.h"
#include "domain/contact.h"
#include "domain/events.h"
#include "domain/outbound.h"

namespace helpdesk {
namespace {

// Tokens a user may hold at once (expired ones included): a bound on what one account can make.
constexpr size_t kMaxTokensPerUser = 100;

Error AlreadyExists(const std::string& what) {
  return InvalidTransition(what + " already exists with different fields");
}

// The digest a new user's or channel's events record (IssueBearerToken); a token made here is
// shown once in `out`.
std::string IssueToken(const std::string& chosen_digest, CommandOutcome& out) {
  std::string digest = chosen_digest;
  out.secret_token = IssueBearerToken(digest);
  return digest;
}

}  // namespace

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::CreateUser& a) {
  if (!CanAdminister(caller.role)) return Forbidden("only an admin can create users");
  auto id = ChooseId(a.id, ids_);
  if (!id.ok()) return id.error();
  if (a.name.empty()) return InvalidField("name", "must be a non-empty string");
  if (a.name.size() > kMaxNameBytes) return InvalidField("name", "must be at most 256 bytes");
  if (!LooksLikeEmail(a.email)) return InvalidField("email", "must be an e-mail address");
  if (!ParseRole(a.role)) {
    return InvalidField("role", "must be one of admin, supervisor, agent, auditor, analyst");
  }
  std::vector<std::string> teams = a.teams;
  std::sort(teams.begin(), teams.end());
  teams.erase(std::unique(teams.begin(), teams.end()), teams.end());

  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  for (const auto& t : teams) {
    if (!model_.Team(t)) return NotFound("team " + t);
  }
  if (const UserState* existing = model_.User(id.value())) {
    const bool same = existing->name == a.name && existing->email == a.email &&
                      RoleName(existing->role) == a.role &&
                      std::set<std::string>(teams.begin(), teams.end()) == existing->teams;
    if (!same) return AlreadyExists("user " + id.value());
    return Unchanged(CommandOutcome::For(ConsistencyToken(), id.value(), false), lock);
  }
  const Timestamp now = clock_.Now();
  CommandOutcome out;
  out.id = id.value();
  out.created = true;
  const std::string digest = IssueToken(a.token_sha256, out);
  std::vector<NewEvent> events;
  Stage(events, UserStream(out.id),
        {events::Encode(events::UserCreated{
            out.id, a.name, a.email, a.role, {teams.begin(), teams.end()}, digest})},
        caller.actor(), now);
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::SetPresence& c) {
  const auto& [user_id, status] = c;
  if (caller.user_id != user_id && !CanSupervise(caller.role)) {
    return Forbidden("only supervisors and admins can set another user's presence");
  }
  if (!IsValidPresence(status)) return InvalidField("status", "must be online, away or offline");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const UserState* u = model_.User(user_id);
  if (!u) return NotFound("user " + user_id);
  if (!u->active && status != "offline") {
    return InvalidTransition("user " + user_id + " is deactivated");
  }
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), user_id, false);
  if (u->presence == status) return Unchanged(std::move(out), lock);
  std::vector<NewEvent> events;
  Stage(events, UserStream(user_id), {events::Encode(events::UserPresenceChanged{user_id, status})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::UpdateUser& c) {
  const bool self = caller.is_user() && caller.user_id == c.user_id;
  const bool admin_fields = c.email || c.role || c.active;
  if (!CanAdminister(caller.role) && (!self || admin_fields)) {
    return Forbidden(self ? "only an admin can change a user's e-mail, role or access"
                          : "only an admin can edit another user");
  }
  if (c.name && (c.name->empty() || c.name->size() > kMaxNameBytes)) {
    return InvalidField("name", "must be a non-empty string of at most 256 bytes");
  }
  if (c.email && !LooksLikeEmail(*c.email))
    return InvalidField("email", "must be an e-mail address");
  if (c.role && !ParseRole(*c.role)) {
    return InvalidField("role", "must be one of admin, supervisor, agent, auditor, analyst");
  }
  if (c.avatar_url && !c.avatar_url->empty() && !IsValidOutboundUrl(*c.avatar_url)) {
    return InvalidField("avatar_url", "must be an http(s) URL of at most 2048 bytes, or empty");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const UserState* u = model_.User(c.user_id);
  if (!u) return NotFound("user " + c.user_id);
  // Only what changes is recorded.
  events::UserUpdated changed{c.user_id, {}, {}, {}, {}, {}};
  if (c.name && *c.name != u->name) changed.name = c.name;
  if (c.email && *c.email != u->email) changed.email = c.email;
  if (c.role && *c.role != RoleName(u->role)) changed.role = c.role;
  if (c.avatar_url && *c.avatar_url != u->avatar_url) changed.avatar_url = c.avatar_url;
  if (c.active && *c.active != u->active) changed.active = c.active;
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.user_id, false);
  if (!changed.name && !changed.email && !changed.role && !changed.avatar_url && !changed.active) {
    return Unchanged(std::move(out), lock);
  }
  std::vector<NewEvent> events;
  Stage(events, UserStream(c.user_id), {events::Encode(changed)}, caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::EraseContact& c) {
  if (!CanAdminister(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("only an admin can erase a contact");
  }
  if (!vault_) {
    return InvalidTransition("erasure needs the contacts' key store, which this service lacks");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* contact = model_.Contact(c.contact_id);
  if (!contact) return NotFound("contact " + c.contact_id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.contact_id, false);
  // The keys go first (its own and its merged duplicates'): should the event below fail, the
  // data is unreadable already and the admin's retry records the erasure. (Erased again: the
  // keys are surely gone.)
  if (!contact->merged_into.empty()) {
    return InvalidTransition("contact " + c.contact_id + " was merged into " +
                             contact->merged_into + ": erase that one");
  }
  const std::vector<std::string> merged = MergedInto(c.contact_id);
  std::vector<std::string> people{c.contact_id};
  people.insert(people.end(), merged.begin(), merged.end());
  for (const std::string& person : people) {
    if (Status destroyed = vault_->Erase(person); !destroyed.ok()) return destroyed.error();
  }
  Result<Decision> decision = [&]() -> Result<Decision> {
    if (contact->erased) return Unchanged(std::move(out), lock);
    events::ContactErased erased{c.contact_id, model_.ConversationIdsOf(c.contact_id), merged};
    std::vector<NewEvent> events;
    Stage(events, ContactStream(c.contact_id), {events::Encode(erased)}, caller.actor(),
          clock_.Now());
    return Commit(std::move(events), std::move(out), lock);
  }();
  // Out of the command lock (an error path may still hold it): the slow rewrite of the key
  // store blocks no command.
  if (lock.owns_lock()) lock.unlock();
  vault_->CompactAwayErased();
  return decision;
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::UpdateDeskSettings& c) {
  if (!CanAdminister(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("only an admin can change the desk's settings");
  }
  if (c.agent_visibility && !ParseAgentVisibility(*c.agent_visibility)) {
    return InvalidField("agent_visibility", "must be \"all\" or \"teams\"");
  }
  if (c.close_reasons) {
    if (auto problem = CloseReasonsProblem(*c.close_reasons))
      return InvalidField("reasons", *problem);
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const DeskSettingsState& settings = model_.DeskSettings();
  events::DeskSettingsUpdated changed;
  if (c.agent_visibility && *c.agent_visibility != AgentVisibilityName(settings.agent_visibility)) {
    changed.agent_visibility = c.agent_visibility;
  }
  if (c.close_reasons && *c.close_reasons != settings.close_reasons) {
    changed.close_reasons = c.close_reasons;
  }
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), "desk", false);
  if (!changed.agent_visibility && !changed.close_reasons) return Unchanged(std::move(out), lock);
  std::vector<NewEvent> events;
  Stage(events, kDeskSettingsStream, {events::Encode(changed)}, caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::IssueUserToken& c) {
  if (!CanAdminister(caller.role) && caller.user_id != c.user_id) {
    return Forbidden("a user's tokens are made by the user or an admin");
  }
  if (c.name.size() > kMaxNameBytes) return InvalidField("name", "must be at most 256 bytes");
  auto token_id = ChooseId(c.token_id, ids_);
  if (!token_id.ok()) return token_id.error();
  const Timestamp now = clock_.Now();
  if (c.expires_at && c.expires_at->ms <= now.ms) {
    return InvalidField("expires_at", "must be in the future");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const UserState* u = model_.User(c.user_id);
  if (!u) return NotFound("user " + c.user_id);
  if (!u->active) return InvalidTransition("user " + c.user_id + " is deactivated");
  if (u->tokens.count(token_id.value())) return AlreadyExists("token " + token_id.value());
  // Expired tokens count until revoked: a user's record stays bounded whatever they do.
  if (u->tokens.size() >= kMaxTokensPerUser) {
    return InvalidTransition("a user has at most " + std::to_string(kMaxTokensPerUser) +
                             " tokens (expired ones included): revoke one first");
  }
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), token_id.value(), true);
  const std::string digest = IssueToken(c.token_sha256, out);
  std::vector<NewEvent> events;
  Stage(events, UserStream(c.user_id),
        {events::Encode(events::UserTokenIssued{
            c.user_id, token_id.value(), c.name.empty() ? "token" : c.name, digest, c.expires_at})},
        caller.actor(), now);
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::RevokeUserToken& c) {
  if (!CanAdminister(caller.role) && caller.user_id != c.user_id) {
    return Forbidden("a user's tokens are revoked by the user or an admin");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const UserState* u = model_.User(c.user_id);
  if (!u) return NotFound("user " + c.user_id);
  if (!u->tokens.count(c.token_id)) return NotFound("token " + c.token_id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), c.token_id, false);
  std::vector<NewEvent> events;
  Stage(events, UserStream(c.user_id),
        {events::Encode(events::UserTokenRevoked{c.user_id, c.token_id})}, caller.actor(),
        clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::CreateTeam& a) {
  if (!CanSupervise(caller.role)) return Forbidden("only supervisors and admins can create teams");
  auto id = ChooseId(a.id, ids_);
  if (!id.ok()) return id.error();
  if (a.name.empty()) return InvalidField("name", "must be a non-empty string");
  if (a.name.size() > kMaxNameBytes) return InvalidField("name", "must be at most 256 bytes");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  if (const TeamState* existing = model_.Team(id.value())) {
    if (existing->name != a.name) return AlreadyExists("team " + id.value());
    return Unchanged(CommandOutcome::For(ConsistencyToken(), id.value(), false), lock);
  }
  std::vector<NewEvent> events;
  Stage(events, TeamStream(id.value()), {events::Encode(events::TeamCreated{id.value(), a.name})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), id.value(), true), lock);
}

Result<Decision> CommandService::ChangeTeamMember(const Caller& caller, const std::string& team_id,
                                                  const std::string& user_id, bool join) {
  if (!CanSupervise(caller.role)) {
    return Forbidden(join ? "only supervisors and admins can add team members"
                          : "only supervisors and admins can remove team members");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const TeamState* team = model_.Team(team_id);
  if (!team) return NotFound("team " + team_id);
  if (!model_.User(user_id)) return NotFound("user " + user_id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), team_id, false);
  const bool member = team->members.count(user_id) > 0;
  if (member == join) return Unchanged(std::move(out), lock);
  std::vector<NewEvent> events;
  Stage(events, TeamStream(team_id),
        join ? events::Encode(events::TeamMemberAdded{team_id, user_id})
             : events::Encode(events::TeamMemberRemoved{team_id, user_id}),
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::AddTeamMember& c) {
  return ChangeTeamMember(caller, c.team_id, c.user_id, /*join=*/true);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::RemoveTeamMember& c) {
  return ChangeTeamMember(caller, c.team_id, c.user_id, /*join=*/false);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::CreateChannel& a) {
  if (!CanAdminister(caller.role)) return Forbidden("only an admin can create channels");
  auto id = ChooseId(a.id, ids_);
  if (!id.ok()) return id.error();
  if (!IsValidChannelType(a.type)) {
    return InvalidField("type", "must be one of whatsapp, sms, email, webchat");
  }
  if (a.name.empty()) return InvalidField("name", "must be a non-empty string");
  if (a.name.size() > kMaxNameBytes) return InvalidField("name", "must be at most 256 bytes");
  if (a.address.empty()) return InvalidField("address", "must be a non-empty string");
  if (a.address.size() > kMaxNameBytes) return InvalidField("address", "must be at most 256 bytes");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  if (const ChannelState* existing = model_.Channel(id.value())) {
    if (existing->type != a.type || existing->name != a.name || existing->address != a.address) {
      return AlreadyExists("channel " + id.value());
    }
    return Unchanged(CommandOutcome::For(ConsistencyToken(), id.value(), false), lock);
  }
  CommandOutcome out;
  out.id = id.value();
  out.created = true;
  const std::string digest = IssueToken(a.token_sha256, out);
  std::vector<NewEvent> events;
  Stage(events, ChannelStream(out.id),
        {events::Encode(events::ChannelCreated{out.id, a.type, a.name, a.address, digest})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller,
                                        const cmd::SetChannelIntegration& sealed) {
  const std::string& channel_id = sealed.channel_id;
  if (!CanAdminister(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("only an admin can connect a channel to its provider");
  }
  // The API seals the secrets before they travel (the commands topic): open them to check them.
  cmd::SetChannelIntegration a = sealed;
  for (auto [field, value] : {std::pair<const char*, std::string*>{"verify_token", &a.verify_token},
                              {"app_secret", &a.app_secret},
                              {"outbound_secret", &a.outbound_secret}}) {
    auto opened = OpenSecret(*value);
    if (!opened.ok()) return InvalidField(field, "cannot be opened with this node's secrets key");
    *value = std::move(opened).value();
  }
  constexpr size_t kMinSecret = 8, kMaxSecret = 256;
  const auto secret_ok = [&](const std::string& s) {
    return s.empty() || (s.size() >= kMinSecret && s.size() <= kMaxSecret);
  };
  if (!secret_ok(a.verify_token)) return InvalidField("verify_token", "must be 8 to 256 bytes");
  if (!secret_ok(a.app_secret)) return InvalidField("app_secret", "must be 8 to 256 bytes");
  if (!secret_ok(a.outbound_secret)) {
    return InvalidField("outbound_secret", "must be 8 to 256 bytes");
  }
  if (a.verify_token.empty() != a.app_secret.empty()) {
    return InvalidField("app_secret", "and verify_token go together: webhooks need both");
  }
  if (!a.outbound_url.empty()) {
    if (Status url = CheckOutboundUrl(a.outbound_url, allow_private_outbound_); !url.ok()) {
      return url.error();
    }
  }
  if (a.outbound_url.empty() != a.outbound_secret.empty()) {
    return InvalidField("outbound_secret", "and outbound_url go together: deliveries are signed");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ChannelState* channel = model_.Channel(channel_id);
  if (!channel) return NotFound("channel " + channel_id);
  if (!a.app_secret.empty() && channel->type != "whatsapp") {
    return InvalidField("verify_token", "webhooks are for whatsapp channels");
  }
  const std::string verify_digest = a.verify_token.empty() ? "" : Sha256Hex(a.verify_token);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), channel_id, false);
  // Sealed values differ at every sealing (a fresh nonce): compare what they hold.
  const auto same_secret = [&](const std::string& stored, const std::string& given) {
    auto opened = OpenSecret(stored);
    return opened.ok() && opened.value() == given;
  };
  if (channel->verify_token_sha256 == verify_digest &&
      same_secret(channel->app_secret, a.app_secret) && channel->outbound_url == a.outbound_url &&
      same_secret(channel->outbound_secret, a.outbound_secret)) {
    return Unchanged(std::move(out), lock);
  }
  std::vector<NewEvent> events;
  Stage(events, ChannelStream(channel_id),
        {events::Encode(events::ChannelIntegrationSet{channel_id, verify_digest,
                                                      SealSecret(a.app_secret), a.outbound_url,
                                                      SealSecret(a.outbound_secret)})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller,
                                        const cmd::SetContactBlocked& command) {
  const auto& [contact_id, blocked, reason] = command;
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return Forbidden("this role cannot block contacts");
  }
  if (reason.size() > kMaxNameBytes) return InvalidField("reason", "must be at most 256 bytes");
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  const ContactState* c = model_.Contact(contact_id);
  if (!c) return NotFound("contact " + contact_id);
  CommandOutcome out = CommandOutcome::For(ConsistencyToken(), contact_id, false);
  if (c->blocked == blocked) return Unchanged(std::move(out), lock);
  std::vector<NewEvent> events;
  Stage(events, ContactStream(contact_id),
        {blocked ? events::Encode(events::ContactBlocked{contact_id, reason})
                 : events::Encode(events::ContactUnblocked{contact_id})},
        caller.actor(), clock_.Now());
  return Commit(std::move(events), std::move(out), lock);
}

Result<Decision> CommandService::Handle(const Caller& caller, const cmd::MarkNotificationsRead& c) {
  const auto& [ids, all] = c;
  if (!caller.is_user()) return Forbidden("only a user has notifications");
  if (!all && ids.empty()) return InvalidField("ids", "must name notifications, or set all");
  if (ids.size() > 500) return InvalidField("ids", "must name at most 500 notifications");
  for (const std::string& id : ids) {
    if (id.empty() || id.size() > 128) return InvalidField("ids", "must hold notification ids");
  }
  std::unique_lock<std::mutex> lock(mu_);
  if (Status fresh = EnsureFresh(); !fresh.ok()) return fresh.error();
  if (!model_.User(caller.user_id)) return NotFound("user " + caller.user_id);
  const Timestamp now = clock_.Now();
  // "All" means those that exist now, not those a later event will make.
  std::vector<NewEvent> events;
  Stage(events, UserStream(caller.user_id),
        {events::Encode(events::NotificationsRead{
            caller.user_id, ids,
            all ? std::optional<std::string>(FormatRfc3339(now)) : std::nullopt})},
        caller.actor(), now);
  return Commit(std::move(events), CommandOutcome::For(ConsistencyToken(), caller.user_id, false),
                lock);
}

}  // namespace helpdesk
