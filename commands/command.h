// Commands as data: every state change of the help desk is one of the values below. The list is
// written once, in the `Command` variant; each type carries
//   - kName: its name on the cluster hop and in logs (command_codec.cc spells its fields);
//   - its fields, the request as the API or a worker understood it;
// and, through the free functions at the bottom, its routing key (the stream it is decided on).
// Validation that needs no state lives with the command's decide step (CommandService); rules
// that need state run on the write model there too.
//
// Adding a command: a struct here, its entry in `Command`, its fields in command_codec.cc, its
// routing key in command.cc, and its decide step in CommandService (the compiler asks for each).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/contact_import.h"
#include "domain/conversation.h"
#include "domain/funnel.h"
#include "domain/time.h"

namespace helpdesk {

struct Caller;

namespace cmd {

// The version of the conversation the client last saw (If-Match), if it sent one.
using IfMatch = std::optional<uint64_t>;

// --- Directory ---

struct CreateUser {
  static constexpr const char* kName = "create_user";
  friend bool operator==(const CreateUser&, const CreateUser&) = default;
  std::optional<std::string> id;  // absent: the deciding node picks one
  std::string name, email, role;
  std::vector<std::string> teams;
  std::string token_sha256;  // of a bearer token chosen before routing; empty: make one up
};
struct SetPresence {
  static constexpr const char* kName = "set_presence";
  friend bool operator==(const SetPresence&, const SetPresence&) = default;
  std::string user_id, status;
};
// An admin's edit of a user, or a user's own `name` and `avatar_url`. Absent fields stay.
struct UpdateUser {
  static constexpr const char* kName = "update_user";
  friend bool operator==(const UpdateUser&, const UpdateUser&) = default;
  std::string user_id;
  std::optional<std::string> name, email, role, avatar_url;
  std::optional<bool> active;
};
// A new bearer token for a user (the user themselves, or an admin).
struct IssueUserToken {
  static constexpr const char* kName = "issue_user_token";
  friend bool operator==(const IssueUserToken&, const IssueUserToken&) = default;
  std::string user_id;
  std::optional<std::string> token_id;  // absent: the deciding node picks one
  std::string name;
  std::optional<Timestamp> expires_at;
  std::string token_sha256;  // as for CreateUser
};
struct RevokeUserToken {
  static constexpr const char* kName = "revoke_user_token";
  friend bool operator==(const RevokeUserToken&, const RevokeUserToken&) = default;
  std::string user_id, token_id;
};
// An admin's change of the desk's settings. Absent fields stay.
struct UpdateDeskSettings {
  static constexpr const char* kName = "update_desk_settings";
  friend bool operator==(const UpdateDeskSettings&, const UpdateDeskSettings&) = default;
  std::optional<std::string> agent_visibility;
  std::optional<std::vector<std::string>> close_reasons;  // the whole new list; [] lifts it
};
struct CreateTeam {
  static constexpr const char* kName = "create_team";
  friend bool operator==(const CreateTeam&, const CreateTeam&) = default;
  std::optional<std::string> id;
  std::string name;
};
struct AddTeamMember {
  static constexpr const char* kName = "add_team_member";
  friend bool operator==(const AddTeamMember&, const AddTeamMember&) = default;
  std::string team_id, user_id;
};
struct RemoveTeamMember {
  static constexpr const char* kName = "remove_team_member";
  friend bool operator==(const RemoveTeamMember&, const RemoveTeamMember&) = default;
  std::string team_id, user_id;
};
struct CreateChannel {
  static constexpr const char* kName = "create_channel";
  friend bool operator==(const CreateChannel&, const CreateChannel&) = default;
  std::optional<std::string> id;
  std::string type, name, address;
  std::string token_sha256;  // as for CreateUser
};
// Connects a channel to its provider (webhooks in, delivery out). Replaces the whole set; empty
// fields turn that part off. Admin only.
struct SetChannelIntegration {
  static constexpr const char* kName = "set_channel_integration";
  friend bool operator==(const SetChannelIntegration&, const SetChannelIntegration&) = default;
  std::string channel_id;
  std::string verify_token, app_secret;       // inbound webhooks (WhatsApp Cloud API)
  std::string outbound_url, outbound_secret;  // delivery of agents' messages
};
// Moves a contact to a stage of a funnel (the default funnel when none is named).
struct SetContactStage {
  static constexpr const char* kName = "set_contact_stage";
  friend bool operator==(const SetContactStage&, const SetContactStage&) = default;
  std::string contact_id, stage;
  std::string funnel_id = "default";
};

// --- Funnels and deals (domain/funnel.h) ---

// An admin's funnel: a new one (`replace` false: an existing id is refused) or a redefinition
// of an existing one (its stages in use must stay).
struct DefineFunnel {
  static constexpr const char* kName = "define_funnel";
  friend bool operator==(const DefineFunnel&, const DefineFunnel&) = default;
  std::optional<std::string> id;
  std::string name;
  std::vector<FunnelStage> stages;
  bool replace = false;
};
struct CreateDeal {
  static constexpr const char* kName = "create_deal";
  friend bool operator==(const CreateDeal&, const CreateDeal&) = default;
  std::optional<std::string> id;
  std::string title, contact_id;
  std::optional<std::string> funnel_id, stage_id;  // absent: the default funnel, its first stage
  double value = 0;
  std::string currency;
  std::optional<std::string> owner_id, conversation_id, expected_close_on;
};
// A patch of a deal: absent fields stay; `owner_id`/`expected_close_on` "" removes them.
struct UpdateDeal {
  static constexpr const char* kName = "update_deal";
  friend bool operator==(const UpdateDeal&, const UpdateDeal&) = default;
  std::string deal_id;
  std::optional<std::string> title;
  std::optional<double> value;
  std::optional<std::string> currency, owner_id, expected_close_on;
  std::optional<uint64_t> if_match;
};
// Moves an open deal to another stage of its funnel; a won or lost stage closes it (`reason`
// says why it was lost).
struct MoveDeal {
  static constexpr const char* kName = "move_deal";
  friend bool operator==(const MoveDeal&, const MoveDeal&) = default;
  std::string deal_id, stage_id;
  std::optional<std::string> reason;
  std::optional<uint64_t> if_match;
};
// Opens a won or lost deal again, in an open stage (absent: the funnel's first open stage).
struct ReopenDeal {
  static constexpr const char* kName = "reopen_deal";
  friend bool operator==(const ReopenDeal&, const ReopenDeal&) = default;
  std::string deal_id;
  std::optional<std::string> stage_id;
  std::optional<uint64_t> if_match;
};
// --- Tasks (domain/task.h) ---

// An admin's task type (a new id, or a new name for one they added).
struct DefineTaskType {
  static constexpr const char* kName = "define_task_type";
  friend bool operator==(const DefineTaskType&, const DefineTaskType&) = default;
  std::string id, name;
};
// A task for `user_id` (pending), for `team_id` alone (queued), or for the caller.
struct CreateTask {
  static constexpr const char* kName = "create_task";
  friend bool operator==(const CreateTask&, const CreateTask&) = default;
  std::optional<std::string> id;
  std::string type, title;
  std::optional<std::string> description;
  std::optional<Timestamp> due_at;
  std::optional<std::string> user_id, team_id, contact_id, conversation_id, deal_id, email_template;
};
// A patch: absent fields stay; `description` "" and `clear_due_at` remove them.
struct UpdateTask {
  static constexpr const char* kName = "update_task";
  friend bool operator==(const UpdateTask&, const UpdateTask&) = default;
  std::string task_id;
  std::optional<std::string> title, description;
  std::optional<Timestamp> due_at;
  bool clear_due_at = false;
  std::optional<uint64_t> if_match;
};
// What a user does with a task: take (from its team's queue), start, finish (`text`: the
// outcome), archive (`text`: why), reopen.
struct ActOnTask {
  static constexpr const char* kName = "act_on_task";
  friend bool operator==(const ActOnTask&, const ActOnTask&) = default;
  std::string task_id, action;
  std::optional<std::string> text;
  std::optional<uint64_t> if_match;
};
// Gives the task to a user (pending for them) or to a team's queue.
struct TransferTask {
  static constexpr const char* kName = "transfer_task";
  friend bool operator==(const TransferTask&, const TransferTask&) = default;
  std::string task_id;
  std::optional<std::string> user_id, team_id;
  std::optional<uint64_t> if_match;
};
// The timer's reminder of a task whose hour before its due instant, or due instant, came.
struct RemindTask {
  static constexpr const char* kName = "remind_task";
  friend bool operator==(const RemindTask&, const RemindTask&) = default;
  std::string task_id;
};
// A supervisor's recurring schedule; `task` holds the fields of each task it makes (a task's
// create fields, with `due_in_minutes` after the occurrence instead of `due_at`).
struct DefineTaskSchedule {
  static constexpr const char* kName = "define_task_schedule";
  friend bool operator==(const DefineTaskSchedule&, const DefineTaskSchedule&) = default;
  std::optional<std::string> id;
  std::string every, at, tz;
  std::optional<int> weekday, day;
  nlohmann::json task;
};
struct StopTaskSchedule {
  static constexpr const char* kName = "stop_task_schedule";
  friend bool operator==(const StopTaskSchedule&, const StopTaskSchedule&) = default;
  std::string schedule_id;
};
// The timer's run of a schedule's next occurrence, due by now: its task, exactly once.
struct RunTaskSchedule {
  static constexpr const char* kName = "run_task_schedule";
  friend bool operator==(const RunTaskSchedule&, const RunTaskSchedule&) = default;
  std::string schedule_id;
  Timestamp occurrence_at;
};
// Blocks a contact (their messages are recorded but open nothing), or lets them in again.
struct SetContactBlocked {
  static constexpr const char* kName = "set_contact_blocked";
  friend bool operator==(const SetContactBlocked&, const SetContactBlocked&) = default;
  std::string contact_id;
  bool blocked = false;
  std::string reason;
};
// Erases a contact's personal data (LGPD/GDPR): their key is destroyed, their sealed data reads
// as "[erased]" everywhere. Admin only; for good.
struct EraseContact {
  static constexpr const char* kName = "erase_contact";
  friend bool operator==(const EraseContact&, const EraseContact&) = default;
  std::string contact_id;
};
// A contact made by a user (or an integration) rather than by a first message.
struct CreateContact {
  static constexpr const char* kName = "create_contact";
  friend bool operator==(const CreateContact&, const CreateContact&) = default;
  std::optional<std::string> id;  // absent: the deciding node picks one
  std::string name, phone, email;
  std::optional<std::string> owner_id;
  std::vector<std::string> tags;
  nlohmann::json attributes = nlohmann::json::object();
  nlohmann::json social = nlohmann::json::object();
};
// A merge patch of a contact's card: absent fields stay; `phone`/`email` "" removes them;
// `attributes`/`social` (null: unchanged) set the keys they name, a null value removes one.
struct UpdateContact {
  static constexpr const char* kName = "update_contact";
  friend bool operator==(const UpdateContact&, const UpdateContact&) = default;
  std::string contact_id;
  std::optional<std::string> name, phone, email;
  std::optional<std::vector<std::string>> tags;
  nlohmann::json attributes, social;
  IfMatch if_match = {};
};
// Puts the contact in a user's portfolio, or in none (`owner_id` absent).
struct SetContactOwner {
  static constexpr const char* kName = "set_contact_owner";
  friend bool operator==(const SetContactOwner&, const SetContactOwner&) = default;
  std::string contact_id;
  std::optional<std::string> owner_id;
};
struct AddContactNote {
  static constexpr const char* kName = "add_contact_note";
  friend bool operator==(const AddContactNote&, const AddContactNote&) = default;
  std::string contact_id, text;
};
// A supervisor's merge of a duplicate (`from`) into the contact: its conversations and notes
// follow, its phone and e-mail find this contact from now on, and this contact's empty fields
// take the duplicate's values.
struct MergeContacts {
  static constexpr const char* kName = "merge_contacts";
  friend bool operator==(const MergeContacts&, const MergeContacts&) = default;
  std::string contact_id, from;
};
// An order or return of the contact, upserted by an integration or a user.
struct RecordOrder {
  static constexpr const char* kName = "record_order";
  friend bool operator==(const RecordOrder&, const RecordOrder&) = default;
  std::string contact_id, external_id;
  nlohmann::json order = nlohmann::json::object();  // as sent (OrderProblem)
};
// One data row of a contacts import (domain/contact_import.h). It finds the contact with the
// row's phone, else its e-mail, else `id`; with mode "upsert" it sets on that contact what the
// row names, with "create_only" it leaves it be; and when there is none it creates one (with
// `id`, or a fresh id when `id` is ""). Outcome: `created`, or `duplicate` when a found contact
// was left as it was.
struct ImportContactRow {
  static constexpr const char* kName = "import_contact_row";
  friend bool operator==(const ImportContactRow&, const ImportContactRow&) = default;
  std::string import_id, mode, id, name, phone, email;
  std::optional<std::string> owner_id;  // a user's id (the importer resolved e-mails)
  std::optional<std::vector<std::string>> tags;
  std::optional<std::string> stage;
  nlohmann::json attributes = nlohmann::json::object();
  uint64_t row = 0;  // the file's row (1-based), recorded on a new contact
};
// The start, progress and end of a contacts import, on its own stream (`import/<id>`):
// `phase` "started" (with mode, rows and the file's digest), "progress" (counts so far and the
// row errors since the last report), or "done" / "failed" (the final counts; `reason` says why
// it failed).
struct RecordContactImport {
  static constexpr const char* kName = "record_contact_import";
  friend bool operator==(const RecordContactImport&, const RecordContactImport&) = default;
  std::string import_id, phase, mode, file_sha256, reason;
  uint64_t rows = 0, rows_done = 0, created = 0, updated = 0, unchanged = 0, skipped = 0;
  std::vector<ImportRowError> errors;
  std::string node;  // "started": the node that runs it, on a cluster
};
// An admin's definition of a contacts' custom attribute (a new key, or a key's new label,
// type or options).
struct DefineContactAttribute {
  static constexpr const char* kName = "define_contact_attribute";
  friend bool operator==(const DefineContactAttribute&, const DefineContactAttribute&) = default;
  std::string key, label, type;
  std::vector<std::string> options;
};
// A contact's opt-in to templates on a channel, or its withdrawal.
struct SetOptIn {
  static constexpr const char* kName = "set_opt_in";
  friend bool operator==(const SetOptIn&, const SetOptIn&) = default;
  std::string contact_id, channel_id;
  bool opted_in = false;
  std::string source;
};
// The caller read some of their notifications (`ids`), or all of them up to now.
struct MarkNotificationsRead {
  static constexpr const char* kName = "mark_notifications_read";
  friend bool operator==(const MarkNotificationsRead&, const MarkNotificationsRead&) = default;
  std::vector<std::string> ids;
  bool all = false;
};

// --- A customer writes ---

struct ReceiveInbound {
  static constexpr const char* kName = "receive_inbound";
  friend bool operator==(const ReceiveInbound&, const ReceiveInbound&) = default;
  std::string channel_id, external_id, text;
  std::string html;     // an e-mail's HTML body: kept as markdown when `text` is empty
  std::string subject;  // an e-mail's subject: a new conversation's subject on an e-mail channel
  std::string from_name, from_phone, from_email;
  std::optional<Timestamp> sent_at;
  nlohmann::json attachments = nlohmann::json::array();
};

// --- Conversations: the agent's actions ---

struct SendMessage {
  static constexpr const char* kName = "send_message";
  friend bool operator==(const SendMessage&, const SendMessage&) = default;
  std::string id;    // the conversation
  std::string text;  // may be empty with a quick reply (its text) or a template (rendered)
  bool is_private = false;
  bool await_reply = false;
  std::optional<std::string> quick_reply_id = {};
  std::optional<std::string> template_id = {};  // a template of the conversation's channel
  std::vector<std::string> params = {};         // the template's {{1}}, {{2}}…
  // Resolved references to stored files ({sha256, name, content_type, size, kind}); with some,
  // `text` may be empty (a photo, a voice note).
  nlohmann::json attachments = nlohmann::json::array();
  IfMatch if_match = {};
};
struct Take {
  static constexpr const char* kName = "take";
  friend bool operator==(const Take&, const Take&) = default;
  std::string id;
  IfMatch if_match = {};
};
struct Assign {
  static constexpr const char* kName = "assign";
  friend bool operator==(const Assign&, const Assign&) = default;
  std::string id, user_id;
  IfMatch if_match = {};
};
struct Transfer {
  static constexpr const char* kName = "transfer";
  friend bool operator==(const Transfer&, const Transfer&) = default;
  std::string id;
  std::optional<std::string> user_id, team_id;
  IfMatch if_match = {};
};
struct Postpone {
  static constexpr const char* kName = "postpone";
  friend bool operator==(const Postpone&, const Postpone&) = default;
  std::string id;
  Timestamp until;
  IfMatch if_match = {};
};
struct Tag {
  static constexpr const char* kName = "tag";
  friend bool operator==(const Tag&, const Tag&) = default;
  std::string id, tag;
  IfMatch if_match = {};
};
struct Untag {
  static constexpr const char* kName = "untag";
  friend bool operator==(const Untag&, const Untag&) = default;
  std::string id, tag;
  IfMatch if_match = {};
};
// A user's edit of what the conversation is about: absent fields stay, "" clears one.
// `order_ref`: the external id of an order of the conversation's contact.
struct UpdateConversation {
  static constexpr const char* kName = "update_conversation";
  friend bool operator==(const UpdateConversation&, const UpdateConversation&) = default;
  std::string id;
  std::optional<std::string> subject, type, order_ref;
  IfMatch if_match = {};
};
struct Close {
  static constexpr const char* kName = "close";
  friend bool operator==(const Close&, const Close&) = default;
  std::string id, reason;
  IfMatch if_match = {};
};
struct Reopen {
  static constexpr const char* kName = "reopen";
  friend bool operator==(const Reopen&, const Reopen&) = default;
  std::string id;
  IfMatch if_match = {};
};
// The caller read the conversation (clears its unread count when the caller is the assignee).
struct MarkRead {
  static constexpr const char* kName = "mark_read";
  friend bool operator==(const MarkRead&, const MarkRead&) = default;
  std::string id;
};
// Invites a colleague in; removes a participant (agents may only remove themselves).
struct Invite {
  static constexpr const char* kName = "invite";
  friend bool operator==(const Invite&, const Invite&) = default;
  std::string id, user_id;
  IfMatch if_match = {};
};
struct Leave {
  static constexpr const char* kName = "leave";
  friend bool operator==(const Leave&, const Leave&) = default;
  std::string id, user_id;
  IfMatch if_match = {};
};
// The caller hides a queued conversation from their queue until `until`.
struct Ignore {
  static constexpr const char* kName = "ignore";
  friend bool operator==(const Ignore&, const Ignore&) = default;
  std::string id;
  Timestamp until;
};
// Gives the conversation the next protocol number of the year (nothing if it has one).
struct IssueProtocol {
  static constexpr const char* kName = "issue_protocol";
  friend bool operator==(const IssueProtocol&, const IssueProtocol&) = default;
  std::string id;
};
// Admin only: the conversation leaves every view; its events stay in the log.
struct DeleteConversation {
  static constexpr const char* kName = "delete";
  friend bool operator==(const DeleteConversation&, const DeleteConversation&) = default;
  std::string id, reason;
  IfMatch if_match = {};
};
// A conversation started by the caller with a template (refused on WhatsApp without opt-in).
struct StartConversation {
  static constexpr const char* kName = "start_conversation";
  friend bool operator==(const StartConversation&, const StartConversation&) = default;
  std::optional<std::string> id;
  std::string contact_id, channel_id, template_id;
  std::vector<std::string> params;
};

// --- Quick replies and templates ---

// On create all fields but `id` are required; on update the absent ones keep their value.
struct CreateQuickReply {
  static constexpr const char* kName = "create_quick_reply";
  friend bool operator==(const CreateQuickReply&, const CreateQuickReply&) = default;
  std::optional<std::string> id;
  std::optional<std::string> shortcut, text, visibility;  // visibility: "public" | "private"
};
struct UpdateQuickReply {
  static constexpr const char* kName = "update_quick_reply";
  friend bool operator==(const UpdateQuickReply&, const UpdateQuickReply&) = default;
  std::string id;
  std::optional<std::string> shortcut, text, visibility;
};
struct DeleteQuickReply {
  static constexpr const char* kName = "delete_quick_reply";
  friend bool operator==(const DeleteQuickReply&, const DeleteQuickReply&) = default;
  std::string id;
};
struct CreateTemplate {
  static constexpr const char* kName = "create_template";
  friend bool operator==(const CreateTemplate&, const CreateTemplate&) = default;
  std::optional<std::string> id;
  std::string channel_id, name, body;
};

// --- The node's own workers (sent as Caller::System()) ---

// The scheduler's wake-up of a postponed conversation whose time has come.
struct WakeDue {
  static constexpr const char* kName = "wake_due";
  friend bool operator==(const WakeDue&, const WakeDue&) = default;
  std::string id;
};
// The delivery worker's report on an agent's message (nothing if already reported).
struct RecordDelivery {
  static constexpr const char* kName = "record_delivery";
  friend bool operator==(const RecordDelivery&, const RecordDelivery&) = default;
  std::string conversation_id;
  conversation::DeliveryOutcome outcome;
};

}  // namespace cmd

// Every command, once. (Each compares field by field: the codec's round-trip test relies on it.)
using Command = std::variant<
    cmd::CreateUser, cmd::SetPresence, cmd::UpdateUser, cmd::IssueUserToken, cmd::RevokeUserToken,
    cmd::CreateTeam, cmd::AddTeamMember, cmd::CreateChannel, cmd::SetChannelIntegration,
    cmd::SetContactStage, cmd::SetContactBlocked, cmd::SetOptIn, cmd::MarkNotificationsRead,
    cmd::ReceiveInbound, cmd::SendMessage, cmd::Take, cmd::Assign, cmd::Transfer, cmd::Postpone,
    cmd::Tag, cmd::Untag, cmd::Close, cmd::Reopen, cmd::MarkRead, cmd::Invite, cmd::Leave,
    cmd::Ignore, cmd::IssueProtocol, cmd::DeleteConversation, cmd::StartConversation,
    cmd::CreateQuickReply, cmd::UpdateQuickReply, cmd::DeleteQuickReply, cmd::CreateTemplate,
    cmd::WakeDue, cmd::RecordDelivery, cmd::UpdateDeskSettings, cmd::EraseContact,
    cmd::CreateContact, cmd::UpdateContact, cmd::SetContactOwner, cmd::AddContactNote,
    cmd::DefineContactAttribute, cmd::MergeContacts, cmd::RecordOrder, cmd::ImportContactRow,
    cmd::RecordContactImport, cmd::UpdateConversation, cmd::DefineFunnel, cmd::CreateDeal,
    cmd::UpdateDeal, cmd::MoveDeal, cmd::ReopenDeal, cmd::DefineTaskType, cmd::CreateTask,
    cmd::UpdateTask, cmd::ActOnTask, cmd::TransferTask, cmd::RemindTask, cmd::DefineTaskSchedule,
    cmd::StopTaskSchedule, cmd::RunTaskSchedule, cmd::RemoveTeamMember>;

// The command's name (its type's kName).
const char* CommandName(const Command& command);

// Where the command is decided: the stream it is about, or for a command that may create
// streams, a key that decides where they are made. A command that creates a resource must have
// its id chosen first (RoutedCommands does). `now` places protocol numbers in their year.
std::string RoutingKey(const Caller& caller, const Command& command, Timestamp now);

}  // namespace helpdesk
