// The directory aggregates: users, teams, channels and contacts. Their states are small, so
// the rules here are mostly validation; evolve functions keep each state in step with its stream.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/contact.h"
#include "domain/event.h"
#include "domain/events.h"
#include "domain/evolve.h"
#include "domain/result.h"
#include "domain/roles.h"

namespace helpdesk {

// One bearer token of a user: only its digest is kept (the token is shown once).
struct TokenState {
  std::string name, token_sha256;
  Timestamp created_at;
  std::optional<Timestamp> expires_at;
};

struct UserState {
  bool exists = false;
  uint64_t version = 0;
  std::string id, name, email, avatar_url;
  Role role = Role::kAgent;
  std::set<std::string> teams;
  std::string presence = "offline";
  bool active = true;  // false: no token lets them in, no conversation can be given to them
  // By token id; "initial" came with UserCreated. A revoked token is removed.
  std::map<std::string, TokenState> tokens;
};

// The id of the token a user is created with.
inline constexpr const char* kInitialTokenId = "initial";
// Whether `token` of `user` lets them in at `now`: an active user, a token not past its expiry.
bool TokenAdmits(const UserState& user, const TokenState& token, Timestamp now);

struct TeamState {
  bool exists = false;
  uint64_t version = 0;
  std::string id, name;
  std::set<std::string> members;
};

struct ChannelState {
  bool exists = false;
  uint64_t version = 0;
  std::string id, type, name, address;
  std::string token_sha256;
  // The provider's side (ChannelIntegrationSet). Webhooks: the GET handshake's verify token (its
  // digest) and the app secret that signs each POST. Delivery: where agents' messages go and the
  // secret that signs them. Empty: not set up.
  std::string verify_token_sha256, app_secret;
  std::string outbound_url, outbound_secret;
};

struct ContactState {
  bool exists = false;
  uint64_t version = 0;
  std::string id, name, phone, email;
  std::string stage;                  // the stage it stands in; "" none
  std::string funnel_id = "default";  // the funnel of that stage
  // Blocked: their messages are recorded on their own stream (BlockedMessageReceived) and open
  // nothing in the queue.
  bool blocked = false;
  std::set<std::string> opted_in;  // channels the contact agreed to be written on first
  // Erased (ContactErased): their personal data is gone, nothing more is written about them.
  bool erased = false;
  std::string owner_id;           // whose portfolio ("carteira") they are in; "" none
  std::vector<std::string> tags;  // sorted, distinct
  nlohmann::json attributes = nlohmann::json::object();  // defined attributes' values
  nlohmann::json social = nlohmann::json::object();      // {instagram?, facebook?, …}
  uint64_t notes = 0;                                    // notes added so far
  std::string merged_into;               // merged into that contact (ContactsMerged); "" not
  std::vector<std::string> merged_from;  // duplicates merged into this one
  // Orders and returns by external id, as last recorded (CanonicalOrder).
  std::map<std::string, nlohmann::json> orders;
  // Made by a row of a contacts import (ContactCreated's import_id, import_row); "" / 0 not.
  std::string created_by_import;
  uint64_t created_by_import_row = 0;
};

// The desk's settings, on their one stream (kDeskSettingsStream).
struct DeskSettingsState {
  bool exists = false;
  uint64_t version = 0;
  AgentVisibility agent_visibility = AgentVisibility::kAll;
  // The reasons a conversation may be closed with; empty: any reason (none included).
  std::vector<std::string> close_reasons;
  // Contacts' custom attributes, by key (ContactAttributeDefined).
  std::map<std::string, AttributeDefinition> contact_attributes;
};
// Whether `reason` may close a conversation under the desk's settings.
bool IsAllowedCloseReason(const DeskSettingsState& settings, const std::string& reason);
// A list of close reasons an admin may set: at most 100, each 1 to 256 bytes, no repeats. The
// offending item's description, or nullopt when the list is fine.
std::optional<std::string> CloseReasonsProblem(const std::vector<std::string>& reasons);

// Each state's move with one event of its stream (domain/evolve.h).
void Evolve(UserState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);
void Evolve(DeskSettingsState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);
void Evolve(TeamState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);
void Evolve(ChannelState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);
void Evolve(ContactState& s, const NewEvent& e, const std::optional<events::Event>& decoded,
            uint64_t stream_version);

bool IsValidPresence(const std::string& status);
bool IsValidChannelType(const std::string& type);
// An outbound URL: http:// or https://, a host, at most 2048 bytes, no spaces.
bool IsValidOutboundUrl(const std::string& url);
// Channel types whose contacts are found by phone (else by e-mail).
bool ChannelMatchesByPhone(const std::string& type);
// Canonical forms used to find a contact again: the digits of a phone ("+55 (11) 9…" and
// "5511 9…" are one contact), an e-mail in lower case without spaces. Empty when nothing usable is
// left.
std::string NormalizePhone(const std::string& phone);
std::string NormalizeEmail(const std::string& email);
// Text folded for case- and accent-insensitive search: ASCII, and the accented Latin letters
// Portuguese uses lose their accent ("Érica", "érica" and "erica" fold alike). Other bytes are
// kept as they are.
std::string FoldForSearch(const std::string& text);
// True when a search query is a phone number ("+55 11 9…", "(11) 9…"), not a name.
bool LooksLikePhoneQuery(const std::string& query);

// Plausible e-mail: one '@', something on both sides, a dot in the domain.
bool LooksLikeEmail(const std::string& email);

// Users mentioned in a note: "@name" where name matches a user's name without spaces, or
// their e-mail's local part, case-insensitively.
std::vector<std::string> FindMentions(const std::string& text, const std::vector<UserState>& users);

}  // namespace helpdesk
