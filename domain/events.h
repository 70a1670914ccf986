// Every event type as a value: one struct per type holding its payload, and one codec
// (events.cc) where each payload key is spelled, once. Deciders build these structs; Evolve,
// the projectors and the write model read them back with DecodeEvent and visit them. The JSON
// on the wire is what it always was (docs/events.md; the schema test and events_test guard it):
// a field marked "omitted when …" below is left out of the payload then, every other field is
// always written, an absent optional as null.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/event.h"
#include "domain/time.h"

namespace helpdesk::events {

// --- The conversation stream ---
struct ConversationOpened {
  static constexpr const char* kType = ev::kConversationOpened;
  std::string conversation_id, channel_id, channel_type, contact_id;
  std::optional<std::string> team_id, assignee_id, subject;
  std::string status, origin;
};
struct MessageReceived {
  static constexpr const char* kType = ev::kMessageReceived;
  std::string message_id, external_id, text;
  std::optional<Timestamp> sent_at;  // always written; read back as absent when unreadable
  nlohmann::json attachments = nlohmann::json::array();
  std::string quoted;
};
struct MessageSent {
  static constexpr const char* kType = ev::kMessageSent;
  std::string message_id, author_id, text;
  bool await_reply = false;
  std::optional<std::string> quick_reply_id, template_id;
  nlohmann::json attachments = nlohmann::json::array();  // omitted when empty
  bool deliver = false;                                  // omitted when false
};
struct NoteAdded {
  static constexpr const char* kType = ev::kNoteAdded;
  std::string message_id, author_id, text;
  std::vector<std::string> mentions;
  std::optional<std::string> quick_reply_id;
  nlohmann::json attachments = nlohmann::json::array();  // omitted when empty
};
struct AwaitingCustomer {
  static constexpr const char* kType = ev::kAwaitingCustomer;
};
struct ConversationAssigned {
  static constexpr const char* kType = ev::kConversationAssigned;
  std::string assignee_id;
  std::optional<std::string> previous_assignee_id;
  std::string via;  // "take" | "assign"
};
struct ConversationTransferred {
  static constexpr const char* kType = ev::kConversationTransferred;
  std::optional<std::string> from_user_id, from_team_id, to_user_id, to_team_id;
  std::vector<std::string> team_members;
};
struct ConversationPostponed {
  static constexpr const char* kType = ev::kConversationPostponed;
  std::optional<Timestamp> until;
  std::string from_status;
};
struct ConversationWoke {
  static constexpr const char* kType = ev::kConversationWoke;
  std::string cause, to_status;
};
struct ConversationTagged {
  static constexpr const char* kType = ev::kConversationTagged;
  std::string tag;
};
struct ConversationUntagged {
  static constexpr const char* kType = ev::kConversationUntagged;
  std::string tag;
};
struct ConversationClosed {
  static constexpr const char* kType = ev::kConversationClosed;
  std::string reason;
};
struct ConversationReopened {
  static constexpr const char* kType = ev::kConversationReopened;
  std::string cause, to_status;
};
struct ConversationRead {
  static constexpr const char* kType = ev::kConversationRead;
  std::string user_id;
  int unread = 0;
};
struct ParticipantAdded {
  static constexpr const char* kType = ev::kParticipantAdded;
  std::string user_id, invited_by;
};
struct ParticipantRemoved {
  static constexpr const char* kType = ev::kParticipantRemoved;
  std::string user_id, removed_by;
};
struct ConversationIgnored {
  static constexpr const char* kType = ev::kConversationIgnored;
  std::string user_id;
  std::optional<Timestamp> until;
};
struct ConversationDeleted {
  static constexpr const char* kType = ev::kConversationDeleted;
  std::string reason, status;
};
struct MessageDelivered {
  static constexpr const char* kType = ev::kMessageDelivered;
  std::string message_id;
  int attempts = 0, http_status = 0;
};
struct MessageFailed {
  static constexpr const char* kType = ev::kMessageFailed;
  std::string message_id;
  int attempts = 0, http_status = 0;
  std::string error;
};

// --- Directory streams ---
struct UserCreated {
  static constexpr const char* kType = ev::kUserCreated;
  std::string user_id, name, email, role;
  std::vector<std::string> teams;
  std::string token_sha256;
};
struct UserPresenceChanged {
  static constexpr const char* kType = ev::kUserPresenceChanged;
  std::string user_id, status;
};
// An admin's edit of a user (or a user's own name and avatar): only the changed fields are set.
// `active: false` ends every token of the user and keeps them from being assigned.
struct UserUpdated {
  static constexpr const char* kType = ev::kUserUpdated;
  std::string user_id;
  std::optional<std::string> name, email, role, avatar_url;
  std::optional<bool> active;
};
// A bearer token of the user (its digest; the token itself is shown once). UserCreated's own
// token is the user's token "initial".
struct UserTokenIssued {
  static constexpr const char* kType = ev::kUserTokenIssued;
  std::string user_id, token_id, name, token_sha256;
  std::optional<Timestamp> expires_at;
};
struct UserTokenRevoked {
  static constexpr const char* kType = ev::kUserTokenRevoked;
  std::string user_id, token_id;
};
struct NotificationsRead {
  static constexpr const char* kType = ev::kNotificationsRead;
  std::string user_id;
  std::vector<std::string> ids;
  std::optional<std::string> all_before;  // RFC 3339, as written
};
struct TeamCreated {
  static constexpr const char* kType = ev::kTeamCreated;
  std::string team_id, name;
};
struct TeamMemberAdded {
  static constexpr const char* kType = ev::kTeamMemberAdded;
  std::string team_id, user_id;
};
struct TeamMemberRemoved {
  static constexpr const char* kType = ev::kTeamMemberRemoved;
  std::string team_id, user_id;
};
struct ChannelCreated {
  static constexpr const char* kType = ev::kChannelCreated;
  std::string channel_id, type, name, address, token_sha256;
};
struct ChannelIntegrationSet {
  static constexpr const char* kType = ev::kChannelIntegrationSet;
  std::string channel_id, verify_token_sha256, app_secret, outbound_url, outbound_secret;
};
struct ContactCreated {
  static constexpr const char* kType = ev::kContactCreated;
  std::string contact_id, name, phone, email;
  std::string stage = "lead";
  std::string channel_id;                                // "" when made by a user, not a message
  std::optional<std::string> owner_id = {};              // omitted when absent
  std::vector<std::string> tags = {};                    // omitted when empty
  nlohmann::json attributes = nlohmann::json::object();  // omitted when empty
  nlohmann::json social = nlohmann::json::object();      // omitted when empty
  // Made by a row of a contacts import: the import and the row (1-based); omitted otherwise.
  std::string import_id = {};
  uint64_t import_row = 0;
};
// A user edited the contact: only the changed fields are present. `phone`/`email` "" (null in
// the payload): removed. `attributes`/`social`: the changed keys only, null for a removed one.
struct ContactUpdated {
  static constexpr const char* kType = ev::kContactUpdated;
  std::string contact_id;
  std::optional<std::string> name, phone, email;
  std::optional<std::vector<std::string>> tags;  // the whole new list
  nlohmann::json attributes, social;             // null: unchanged
};
// The contact moved to another portfolio ("carteira"); null: none.
struct ContactOwnerChanged {
  static constexpr const char* kType = ev::kContactOwnerChanged;
  std::string contact_id;
  std::optional<std::string> from, owner_id;
};
// A note about the contact; `mentions`: users named with @ (notified).
struct ContactNoteAdded {
  static constexpr const char* kType = ev::kContactNoteAdded;
  std::string contact_id, note_id, author_id, text;
  std::vector<std::string> mentions;
};
// A user edited what the conversation is about: only the changed fields are present; "" (null
// in the payload) clears one. `order_ref`: the external id of one of the contact's orders.
struct ConversationDetailsChanged {
  static constexpr const char* kType = ev::kConversationDetailsChanged;
  std::optional<std::string> subject, type, order_ref;
};
// A duplicate (`from`) was merged into this contact: its conversations, notes and phone/e-mail
// lookups are this contact's from now on; `from` reads as merged_into this one. Recorded on the
// surviving contact's stream only (the duplicate's stream has one writer: its own owner).
struct ContactsMerged {
  static constexpr const char* kType = ev::kContactsMerged;
  std::string contact_id, from;
  std::vector<std::string> conversation_ids;  // the duplicate's, now this contact's
};
// An order or a return of the contact, as the shop's own system has it (an upsert: the whole
// order each time it changes). `order`: {external_id, number, kind, status, total, currency, url,
// placed_at, items} (contact.h OrderProblem).
struct OrderRecorded {
  static constexpr const char* kType = ev::kOrderRecorded;
  std::string contact_id;
  nlohmann::json order = nlohmann::json::object();
};
// A contacts import began: `rows` data rows of a file with this SHA-256, in `mode` "upsert" or
// "create_only".
struct ContactImportStarted {
  static constexpr const char* kType = ev::kContactImportStarted;
  std::string import_id, mode;
  uint64_t rows = 0;
  std::string file_sha256;
  // On a cluster, the node that runs it (its node id): restarted, that node marks it
  // interrupted if it finds it still running. Empty for a node alone on its log.
  std::string node;
};
// The counts an import reached: rows decided so far (their events durable before this one),
// and the row errors ([{row, field, message}]) found since the previous progress.
struct ImportCounts {
  uint64_t rows_done = 0, created = 0, updated = 0, unchanged = 0, skipped = 0;
};
struct ContactImportProgressed {
  static constexpr const char* kType = ev::kContactImportProgressed;
  std::string import_id;
  ImportCounts counts;
  nlohmann::json errors = nlohmann::json::array();
};
// The import ended: `status` "done" (every row decided), or "failed" with `reason` (the rows
// counted were imported; the others were not).
struct ContactImportFinished {
  static constexpr const char* kType = ev::kContactImportFinished;
  std::string import_id, status, reason;
  ImportCounts counts;
  nlohmann::json errors = nlohmann::json::array();
};
// An admin defined (or redefined) a custom attribute of contacts, on the settings stream.
struct ContactAttributeDefined {
  static constexpr const char* kType = ev::kContactAttributeDefined;
  std::string key, label, type;
  std::vector<std::string> options;  // a list's values; omitted when empty
};
// `from`: "" when the contact stood in no stage. `to`: the new stage (events written before
// 2026-12-06 name it `stage`; both read). `funnel_id`, `from_funnel_id`: the funnels of `to` and
// `from` ("default" in events written before funnels existed).
struct ContactStageChanged {
  static constexpr const char* kType = ev::kContactStageChanged;
  std::string contact_id, from, to;
  std::string funnel_id = "default", from_funnel_id = "default";
};
// An admin defined a funnel, or redefined it whole (the first event of its stream creates it).
struct FunnelDefined {
  static constexpr const char* kType = ev::kFunnelDefined;
  std::string funnel_id, name;
  nlohmann::json stages = nlohmann::json::array();  // [{id, name, kind}], in order
};
struct DealCreated {
  static constexpr const char* kType = ev::kDealCreated;
  std::string deal_id, title, contact_id, funnel_id, stage_id;
  std::string status = "open";  // the kind of the stage it starts in
  double value = 0;
  std::string currency;
  std::optional<std::string> owner_id = {}, conversation_id = {}, expected_close_on = {};
};
// An edit of a deal: only the changed fields are present; `owner_id` and `expected_close_on` ""
// (null in the payload): removed.
struct DealUpdated {
  static constexpr const char* kType = ev::kDealUpdated;
  std::string deal_id;
  std::optional<std::string> title = {};
  std::optional<double> value = {};
  std::optional<std::string> currency = {}, owner_id = {}, expected_close_on = {};
};
// A deal moved to another stage of its funnel; `status` is the one it has there (a won or lost
// stage closes it; `reason` says why a deal was lost).
// `moved_on`: it left an open stage for a later one of the funnel (not a lost one), as the
// funnel stood when the move was decided (domain/funnel.h StepOf): the report counts it so.
struct DealMoved {
  static constexpr const char* kType = ev::kDealMoved;
  std::string deal_id, funnel_id, from, to, status;
  std::optional<std::string> reason = {};
  bool moved_on = false;
};
// A won or lost deal opened again, into an open stage.
struct DealReopened {
  static constexpr const char* kType = ev::kDealReopened;
  std::string deal_id, funnel_id, from, to;
};
// An admin added a task type (or renamed one they added).
struct TaskTypeDefined {
  static constexpr const char* kType = ev::kTaskTypeDefined;
  std::string type_id, name;
};
// A task, `pending` for `assignee_id` or `queued` for `team_id`. `team_members`: who a queued
// task was told to (recorded, so a replay tells the same people). A schedule's task names it and
// the occurrence it is for.
struct TaskCreated {
  static constexpr const char* kType = ev::kTaskCreated;
  std::string task_id, type, title;
  std::string status = "pending";
  std::optional<std::string> description = {};
  std::optional<Timestamp> due_at = {};
  std::optional<std::string> assignee_id = {}, team_id = {}, contact_id = {}, conversation_id = {},
                             deal_id = {}, email_template = {}, schedule_id = {};
  std::optional<Timestamp> occurrence_at = {};
  std::vector<std::string> team_members = {};
};
// An edit: only the changed fields; `description` "" and `due_at` cleared: removed.
struct TaskUpdated {
  static constexpr const char* kType = ev::kTaskUpdated;
  std::string task_id;
  std::optional<std::string> title = {}, description = {};
  bool due_at_changed = false;
  std::optional<Timestamp> due_at = {};  // when changed; nullopt: removed
};
// A member of the task's team took it from the queue: pending for them.
struct TaskTaken {
  static constexpr const char* kType = ev::kTaskTaken;
  std::string task_id, user_id;
};
// Given to a user (pending) or to a team's queue (queued; `team_members` were told).
struct TaskTransferred {
  static constexpr const char* kType = ev::kTaskTransferred;
  std::string task_id;
  std::optional<std::string> from_user_id = {}, from_team_id = {}, to_user_id = {}, to_team_id = {};
  std::string status;
  std::vector<std::string> team_members = {};
};
struct TaskStarted {
  static constexpr const char* kType = ev::kTaskStarted;
  std::string task_id;
};
// `late`: finished after its due instant (decided when finished, for the report).
struct TaskFinished {
  static constexpr const char* kType = ev::kTaskFinished;
  std::string task_id;
  std::optional<std::string> outcome = {};
  bool late = false;
};
struct TaskArchived {
  static constexpr const char* kType = ev::kTaskArchived;
  std::string task_id;
  std::optional<std::string> reason = {};
};
// A done or archived task back to pending, for `assignee_id`.
struct TaskReopened {
  static constexpr const char* kType = ev::kTaskReopened;
  std::string task_id, from, assignee_id;
};
// The timer's reminder: "due_soon" (an hour before `due_at`) or "overdue"; `user_ids` were told.
struct TaskReminded {
  static constexpr const char* kType = ev::kTaskReminded;
  std::string task_id, reminder;
  Timestamp due_at;
  std::vector<std::string> user_ids;
};
// A supervisor's recurring schedule: `task` holds the fields of each task it creates.
struct TaskScheduleDefined {
  static constexpr const char* kType = ev::kTaskScheduleDefined;
  std::string schedule_id, every, at, tz;
  std::optional<int> weekday = {}, day = {};
  nlohmann::json task = nlohmann::json::object();
};
struct TaskScheduleStopped {
  static constexpr const char* kType = ev::kTaskScheduleStopped;
  std::string schedule_id;
};
// One occurrence of a schedule made its task (committed with the task's TaskCreated).
struct TaskScheduleOccurred {
  static constexpr const char* kType = ev::kTaskScheduleOccurred;
  std::string schedule_id, task_id;
  Timestamp occurrence_at;
};
struct ContactBlocked {
  static constexpr const char* kType = ev::kContactBlocked;
  std::string contact_id, reason;
};
struct ContactUnblocked {
  static constexpr const char* kType = ev::kContactUnblocked;
  std::string contact_id;
};
struct BlockedMessageReceived {
  static constexpr const char* kType = ev::kBlockedMessageReceived;
  std::string contact_id, channel_id, message_id, external_id, text;
  std::optional<Timestamp> sent_at;
  nlohmann::json attachments = nlohmann::json::array();
};
struct ContactOptedIn {
  static constexpr const char* kType = ev::kContactOptedIn;
  std::string contact_id, channel_id, source;
};
struct ContactOptedOut {
  static constexpr const char* kType = ev::kContactOptedOut;
  std::string contact_id, channel_id;
};
// An admin erased the contact (LGPD/GDPR): their key is destroyed once this is durable, so the
// personal data of their events reads as "[erased]" from then on. `conversation_ids`: theirs,
// which readers scrub too.
struct ContactErased {
  static constexpr const char* kType = ev::kContactErased;
  std::string contact_id;
  std::vector<std::string> conversation_ids;
  std::vector<std::string> merged_ids =
      {};  // duplicates merged into it, erased too; omitted when empty
};
struct ProtocolIssued {
  static constexpr const char* kType = ev::kProtocolIssued;
  int year = 0;
  uint64_t number = 0;
  std::string protocol, conversation_id;
};
struct TemplateCreated {
  static constexpr const char* kType = ev::kTemplateCreated;
  std::string template_id, channel_id, name, body;
  int params = 0;
};
struct QuickReplyCreated {
  static constexpr const char* kType = ev::kQuickReplyCreated;
  std::string quick_reply_id, shortcut, text;
  std::string visibility = "public";  // "public" | "private"
  std::string owner_id;
};
struct QuickReplyUpdated {
  static constexpr const char* kType = ev::kQuickReplyUpdated;
  std::string shortcut, text;
  std::string visibility = "public";
};
struct QuickReplyDeleted {
  static constexpr const char* kType = ev::kQuickReplyDeleted;
};

// An admin changed the desk's settings: only the changed ones are set.
struct DeskSettingsUpdated {
  static constexpr const char* kType = ev::kDeskSettingsUpdated;
  std::optional<std::string> agent_visibility;            // "all" | "teams"
  std::optional<std::vector<std::string>> close_reasons;  // the whole new list
};

// Payload fields that are credentials (a token's digest, a provider's secrets, its URL, which
// often carries a key): the API's feeds leave them out.
inline constexpr const char* kSecretFields[] = {"token_sha256", "verify_token_sha256", "app_secret",
                                                "outbound_secret", "outbound_url"};

// The list of event types, written once.
using Event =
    std::variant<ConversationOpened, MessageReceived, MessageSent, NoteAdded, AwaitingCustomer,
                 ConversationDetailsChanged, ConversationAssigned, ConversationTransferred,
                 ConversationPostponed, ConversationWoke, ConversationTagged, ConversationUntagged,
                 ConversationClosed, ConversationReopened, ConversationRead, ParticipantAdded,
                 ParticipantRemoved, ConversationIgnored, ConversationDeleted, MessageDelivered,
                 MessageFailed, UserCreated, UserPresenceChanged, UserUpdated, UserTokenIssued,
                 UserTokenRevoked, NotificationsRead, TeamCreated, TeamMemberAdded, ChannelCreated,
                 ChannelIntegrationSet, ContactCreated, ContactStageChanged, ContactBlocked,
                 ContactUnblocked, BlockedMessageReceived, ContactOptedIn, ContactOptedOut,
                 ContactErased, ContactUpdated, ContactOwnerChanged, ContactNoteAdded,
                 ContactAttributeDefined, ContactsMerged, OrderRecorded, FunnelDefined, DealCreated,
                 DealUpdated, DealMoved, DealReopened, TaskTypeDefined, TaskCreated, TaskUpdated,
                 TaskTaken, TaskTransferred, TaskStarted, TaskFinished, TaskArchived, TaskReopened,
                 TaskReminded, TaskScheduleDefined, TaskScheduleStopped, TaskScheduleOccurred,
                 ContactImportStarted, ContactImportProgressed, ContactImportFinished,
                 ProtocolIssued, TemplateCreated, QuickReplyCreated, QuickReplyUpdated,
                 QuickReplyDeleted, DeskSettingsUpdated, TeamMemberRemoved>;

// The event as the log carries it: its type name and payload.
DomainEvent Encode(const Event& event);

// A payload's fields, read leniently: a missing or mistyped field reads as its default, as the
// readers always did. Decode reads every type's payload through it, so a payload parsed by
// another JSON library (a replay's fast decoder) decodes by the same rules as nlohmann's.
class PayloadReader {
 public:
  virtual ~PayloadReader() = default;
  virtual std::optional<std::string> OptStr(const char* key) const = 0;
  virtual std::optional<bool> OptBool(const char* key) const = 0;
  // Any number.
  virtual std::optional<double> OptReal(const char* key) const = 0;
  // An integer (not a number with a fraction or an exponent).
  virtual std::optional<int64_t> OptInteger(const char* key) const = 0;
  // The strings of an array (other elements skipped); nullopt when absent or not an array.
  virtual std::optional<std::vector<std::string>> OptStrings(const char* key) const = 0;
  virtual bool Has(const char* key) const = 0;
  // The field's value as it is; nullopt when absent.
  virtual std::optional<nlohmann::json> Json(const char* key) const = 0;

  std::string Str(const char* key, std::string fallback = "") const;
  std::optional<Timestamp> TimeAt(const char* key) const;
  bool Bool(const char* key) const { return OptBool(key).value_or(false); }
  double Real(const char* key) const { return OptReal(key).value_or(0); }
  template <class N>
  N Number(const char* key) const {
    return static_cast<N>(OptInteger(key).value_or(0));
  }
  std::optional<int> OptInt(const char* key) const {
    auto v = OptInteger(key);
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
  }
  std::vector<std::string> Strings(const char* key) const {
    return OptStrings(key).value_or(std::vector<std::string>());
  }
  // A field that may be set or removed: nullopt when absent, "" when not a string.
  std::optional<std::string> Clearable(const char* key) const;
  // An object field; an empty object when absent or of another type (sealed and erased too).
  nlohmann::json Object(const char* key) const;
  // An array field; an empty array when absent or of another type.
  nlohmann::json Array(const char* key) const;
  // The field's value as it is (an erased object reads as "[erased]"); null when absent.
  nlohmann::json Present(const char* key) const;
};
// The event of type `type` read from `payload`; nullopt for a type this build does not know or
// a payload that is not an object. Missing or mistyped fields read as their defaults, as the
// readers always did.
std::optional<Event> Decode(const std::string& type, const nlohmann::json& payload);
inline std::optional<Event> Decode(const NewEvent& e) { return Decode(e.type, e.data); }
// The same from a payload another parser holds (an object).
std::optional<Event> Decode(const std::string& type, const PayloadReader& payload);

// The event as type E, or null when it is another type (or none).
template <class E>
const E* As(const std::optional<Event>& event) {
  return event ? std::get_if<E>(&*event) : nullptr;
}

// Visits `event` with the overload of `visitor` for its type; types `visitor` has no overload
// for fall to its `(const auto&)` one.
template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};
template <class... Fs>
Overloaded(Fs...) -> Overloaded<Fs...>;

}  // namespace helpdesk::events
