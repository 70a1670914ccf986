#include "commands/state_record.h"

#include <nlohmann/json.hpp>

#include "commands/json_support.h"
#include "domain/json_text.h"

namespace helpdesk {

using nlohmann::json;

NLOHMANN_JSON_SERIALIZE_ENUM(ConversationStatus,
                             {{ConversationStatus::kQueued, "queued"},
                              {ConversationStatus::kOpen, "open"},
                              {ConversationStatus::kAwaitingCustomer, "awaiting_customer"},
                              {ConversationStatus::kPostponed, "postponed"},
                              {ConversationStatus::kClosed, "closed"}})
NLOHMANN_JSON_SERIALIZE_ENUM(Role, {{Role::kAgent, "agent"},
                                    {Role::kSupervisor, "supervisor"},
                                    {Role::kAdmin, "admin"},
                                    {Role::kAuditor, "auditor"},
                                    {Role::kAnalyst, "analyst"}})

// Every field of each state, by its own name. A field added to a state and not here is lost at
// the first eviction: tests/write_model_store_test.cc compares a reloaded model with a rebuilt
// one.
NLOHMANN_JSON_SERIALIZE_ENUM(AgentVisibility,
                             {{AgentVisibility::kAll, "all"}, {AgentVisibility::kTeams, "teams"}})

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LastMessage, text, direction, at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    ConversationState, exists, deleted, version, changed_version, id, channel_id, channel_type,
    contact_id, status, assignee_id, team_id, tags, participants, protocol, ignored_until, subject,
    last_message, unread, waiting_since, last_customer_message_at, assigned_at, postponed_until,
    postponed_from, close_reason, opened_at, closed_at, undelivered, type, order_ref,
    messages_count, first_response_ms, resolution_ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TokenState, name, token_sha256, created_at,
                                                expires_at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(UserState, exists, version, id, name, email,
                                                avatar_url, role, teams, presence, active, tokens)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TeamState, exists, version, id, name, members)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ChannelState, exists, version, id, type, name,
                                                address, token_sha256, verify_token_sha256,
                                                app_secret, outbound_url, outbound_secret)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ContactState, exists, version, id, name, phone,
                                                email, stage, funnel_id, blocked, opted_in, erased,
                                                owner_id, tags, attributes, social, notes,
                                                merged_into, merged_from, orders, created_by_import,
                                                created_by_import_row)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(QuickReplyState, exists, deleted, version, id,
                                                shortcut, text, owner_id, is_public)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TemplateState, exists, version, id, channel_id,
                                                name, body, params)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(FunnelState, exists, version, id, name, stages,
                                                in_use)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DealState, exists, version, id, title, contact_id,
                                                funnel_id, stage_id, status, value, currency,
                                                owner_id, conversation_id, expected_close_on,
                                                lost_reason, created_by)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TaskTypeState, exists, version, id, name)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TaskState, exists, version, id, type, title,
                                                description, status, due_at, assignee_id, team_id,
                                                created_by, contact_id, conversation_id, deal_id,
                                                schedule_id, started, created_at, reminded_soon_for,
                                                reminded_overdue_for)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TaskScheduleRule, every, minute_of_day, weekday,
                                                day)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TaskScheduleState, exists, version, id, rule, tz,
                                                active, created_at, last_occurrence, task)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DeskSettingsState, exists, version,
                                                agent_visibility, close_reasons, contact_attributes)

StateRecord EmptyRecordOf(std::string_view kind) {
  StateRecord r;
  if (kind == "conversation")
    r.state = ConversationState{};
  else if (kind == "user")
    r.state = UserState{};
  else if (kind == "team")
    r.state = TeamState{};
  else if (kind == "channel")
    r.state = ChannelState{};
  else if (kind == "contact")
    r.state = ContactState{};
  else if (kind == "quick_reply")
    r.state = QuickReplyState{};
  else if (kind == "template")
    r.state = TemplateState{};
  else if (kind == "settings")
    r.state = DeskSettingsState{};
  else if (kind == "funnel")
    r.state = FunnelState{};
  else if (kind == "deal")
    r.state = DealState{};
  else if (kind == "task_type")
    r.state = TaskTypeState{};
  else if (kind == "task")
    r.state = TaskState{};
  else if (kind == "task_schedule")
    r.state = TaskScheduleState{};
  return r;
}

json RecordJson(const StateRecord& record) {
  json j{{"v", record.version}, {"h", record.last_hash}};
  std::visit(
      [&j](const auto& s) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) j["s"] = s;
      },
      record.state);
  return j;
}

namespace {

// A contact's state as its to_json above writes it, keys in dump()'s order: contacts are most
// of a busy desk's records, and building the object was most of a write-model flush.
void AppendContactState(std::string& out, const ContactState& c) {
  char separator = '{';
  const auto key = [&](std::string_view name) {  // names are plain ASCII
    out += separator;
    separator = ',';
    out += '"';
    out += name;
    out += "\":";
  };
  const auto text = [&](std::string_view name, std::string_view value) {
    key(name);
    AppendJsonString(out, value);
  };
  const auto value = [&](std::string_view name, const json& v) {
    key(name);
    AppendJson(out, v);
  };
  const auto number = [&](std::string_view name, uint64_t n) {
    key(name);
    out += std::to_string(n);
  };
  const auto boolean = [&](std::string_view name, bool b) {
    key(name);
    out += b ? "true" : "false";
  };
  const auto strings = [&](std::string_view name, const auto& list) {
    key(name);
    out += '[';
    for (const std::string& s : list) {
      if (out.back() != '[') out += ',';
      AppendJsonString(out, s);
    }
    out += ']';
  };
  value("attributes", c.attributes);
  boolean("blocked", c.blocked);
  text("created_by_import", c.created_by_import);
  number("created_by_import_row", c.created_by_import_row);
  text("email", c.email);
  boolean("erased", c.erased);
  boolean("exists", c.exists);
  text("funnel_id", c.funnel_id);
  text("id", c.id);
  strings("merged_from", c.merged_from);
  text("merged_into", c.merged_into);
  text("name", c.name);
  number("notes", c.notes);
  strings("opted_in", c.opted_in);
  key("orders");
  out += '{';
  for (const auto& [id, order] : c.orders) {
    if (out.back() != '{') out += ',';
    AppendJsonString(out, id);
    out += ':';
    AppendJson(out, order);
  }
  out += '}';
  text("owner_id", c.owner_id);
  text("phone", c.phone);
  value("social", c.social);
  text("stage", c.stage);
  strings("tags", c.tags);
  number("version", c.version);
  out += '}';
}

}  // namespace

std::string EncodeRecord(const StateRecord& record) {
  const auto* contact = std::get_if<ContactState>(&record.state);
  if (!contact) return DumpJson(RecordJson(record));
  std::string out = "{\"h\":";
  AppendJsonString(out, record.last_hash);
  out += ",\"s\":";
  AppendContactState(out, *contact);
  out += ",\"v\":";
  out += std::to_string(record.version);
  out += '}';
  return out;
}

std::optional<StateRecord> DecodeRecord(std::string_view kind, std::string_view text) {
  StateRecord r = EmptyRecordOf(kind);
  try {
    const json j = json::parse(text);
    r.version = j.at("v").get<uint64_t>();
    r.last_hash = j.at("h").get<std::string>();
    std::visit(
        [&j](auto& s) {
          using S = std::decay_t<decltype(s)>;
          if constexpr (!std::is_same_v<S, std::monostate>) s = j.at("s").get<S>();
        },
        r.state);
  } catch (const json::exception&) {
    return std::nullopt;
  }
  return r;
}

}  // namespace helpdesk
