#include "commands/command_codec.h"

#include <type_traits>

#include "commands/json_support.h"
#include "domain/roles.h"

namespace helpdesk {

using nlohmann::json;

// Times travel as RFC 3339, as everywhere else on the wire.
void to_json(json& j, const Timestamp& t) { j = FormatRfc3339(t); }
void from_json(const json& j, Timestamp& t) {
  auto parsed = ParseRfc3339(j.get<std::string>());
  if (!parsed) throw json::other_error::create(501, "not an RFC 3339 time", &j);
  t = *parsed;
}

namespace conversation {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DeliveryOutcome, message_id, delivered, attempts, http_status,
                                   error)
}  // namespace conversation

// Each command's fields, once. A field added to a command and not here is not routed: the
// round-trip test in tests/command_codec_test.cc compares every command field by field.
namespace cmd {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateUser, id, name, email, role, teams, token_sha256)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetPresence, user_id, status)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UpdateUser, user_id, name, email, role, avatar_url, active)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IssueUserToken, user_id, token_id, name, expires_at,
                                   token_sha256)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RevokeUserToken, user_id, token_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UpdateDeskSettings, agent_visibility, close_reasons)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EraseContact, contact_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateContact, id, name, phone, email, owner_id, tags,
                                   attributes, social)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UpdateContact, contact_id, name, phone, email, tags, attributes,
                                   social, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetContactOwner, contact_id, owner_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AddContactNote, contact_id, text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DefineContactAttribute, key, label, type, options)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MergeContacts, contact_id, from)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RecordOrder, contact_id, external_id, order)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ImportContactRow, import_id, mode, id, name, phone, email,
                                   owner_id, tags, stage, attributes, row)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RecordContactImport, import_id, phase, mode, file_sha256, reason,
                                   rows, rows_done, created, updated, unchanged, skipped, errors,
                                   node)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateTeam, id, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(AddTeamMember, team_id, user_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RemoveTeamMember, team_id, user_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateChannel, id, type, name, address, token_sha256)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetChannelIntegration, channel_id, verify_token, app_secret,
                                   outbound_url, outbound_secret)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetContactStage, contact_id, stage, funnel_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DefineFunnel, id, name, stages, replace)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateDeal, id, title, contact_id, funnel_id, stage_id, value,
                                   currency, owner_id, conversation_id, expected_close_on)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UpdateDeal, deal_id, title, value, currency, owner_id,
                                   expected_close_on, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MoveDeal, deal_id, stage_id, reason, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DefineTaskType, id, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateTask, id, type, title, description, due_at, user_id,
                                   team_id, contact_id, conversation_id, deal_id, email_template)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UpdateTask, task_id, title, description, due_at, clear_due_at,
                                   if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ActOnTask, task_id, action, text, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TransferTask, task_id, user_id, team_id, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RemindTask, task_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DefineTaskSchedule, id, every, at, tz, weekday, day, task)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StopTaskSchedule, schedule_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RunTaskSchedule, schedule_id, occurrence_at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReopenDeal, deal_id, stage_id, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetContactBlocked, contact_id, blocked, reason)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SetOptIn, contact_id, channel_id, opted_in, source)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MarkNotificationsRead, ids, all)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ReceiveInbound, channel_id, external_id, text, html, subject,
                                   from_name, from_phone, from_email, sent_at, attachments)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SendMessage, id, text, is_private, await_reply, quick_reply_id,
                                   template_id, params, attachments, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Take, id, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Assign, id, user_id, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Transfer, id, user_id, team_id, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Postpone, id, until, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Tag, id, tag, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Untag, id, tag, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Close, id, reason, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UpdateConversation, id, subject, type, order_ref, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Reopen, id, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MarkRead, id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Invite, id, user_id, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Leave, id, user_id, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Ignore, id, until)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(IssueProtocol, id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DeleteConversation, id, reason, if_match)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(StartConversation, id, contact_id, channel_id, template_id,
                                   params)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateQuickReply, id, shortcut, text, visibility)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(UpdateQuickReply, id, shortcut, text, visibility)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(DeleteQuickReply, id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CreateTemplate, id, channel_id, name, body)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(WakeDue, id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(RecordDelivery, conversation_id, outcome)
}  // namespace cmd

namespace {

// The command of `Command`'s alternative I (or the next) whose name is `op`, read from `args`.
template <size_t I = 0>
std::optional<Command> ReadAs(const std::string& op, const json& args) {
  if constexpr (I == std::variant_size_v<Command>) {
    return std::nullopt;
  } else {
    using C = std::variant_alternative_t<I, Command>;
    if (op == C::kName) return Command(std::in_place_index<I>, args.get<C>());
    return ReadAs<I + 1>(op, args);
  }
}

}  // namespace

json EncodeCommand(const Caller& caller, const Command& command) {
  json args;
  std::visit([&args](const auto& c) { args = c; }, command);
  return json{{"op", CommandName(command)},
              {"caller",
               {{"user_id", caller.user_id},
                {"role", RoleName(caller.role)},
                {"channel_id", caller.channel_id}}},
              {"args", std::move(args)}};
}

Result<DecodedCommand> DecodeCommand(const json& encoded) {
  try {
    const json& c = encoded.at("caller");
    auto role = ParseRole(c.at("role").get<std::string>());
    if (!role) return InvalidField("caller.role", "is not a role");
    Caller caller{c.at("user_id").get<std::string>(), *role, c.at("channel_id").get<std::string>()};
    const std::string op = encoded.at("op").get<std::string>();
    std::optional<Command> command = ReadAs(op, encoded.at("args"));
    if (!command) return InvalidField("op", "is not a command: " + op);
    return DecodedCommand{std::move(caller), std::move(*command)};
  } catch (const json::exception& e) {
    return InvalidField("command", std::string("cannot be read: ") + e.what());
  }
}

json EncodeOutcome(const Result<CommandOutcome>& outcome) {
  if (!outcome.ok()) {
    json j{{"ok", false},
           {"code", ErrorCodeName(outcome.error().code)},
           {"message", outcome.error().message}};
    if (!outcome.error().existing_id.empty()) j["existing_id"] = outcome.error().existing_id;
    return j;
  }
  const CommandOutcome& o = outcome.value();
  return json{{"ok", true},
              {"token", o.token.ToString()},
              {"created", o.created},
              {"id", o.id},
              {"message_id", o.message_id},
              {"contact_id", o.contact_id},
              {"reopened", o.reopened},
              {"duplicate", o.duplicate}};
}

Result<CommandOutcome> DecodeOutcome(const json& j) {
  try {
    if (!j.at("ok").get<bool>()) {
      auto code = ErrorCodeFromName(j.at("code").get<std::string>());
      if (!code) return Error{ErrorCode::kInternal, "an answer with an unknown error code"};
      return Error{*code, j.at("message").get<std::string>(), j.value("existing_id", "")};
    }
    CommandOutcome o;
    auto token = ConsistencyToken::Parse(j.at("token").get<std::string>());
    if (!token) return Error{ErrorCode::kInternal, "an answer with a malformed position"};
    o.token = *token;
    o.created = j.at("created").get<bool>();
    o.id = j.at("id").get<std::string>();
    o.message_id = j.at("message_id").get<std::string>();
    o.contact_id = j.at("contact_id").get<std::string>();
    o.reopened = j.at("reopened").get<bool>();
    o.duplicate = j.at("duplicate").get<bool>();
    return o;
  } catch (const json::exception& e) {
    return Error{ErrorCode::kInternal, std::string("an answer that cannot be read: ") + e.what()};
  }
}

}  // namespace helpdesk
