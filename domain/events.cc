#include "domain/events.h"

#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

namespace helpdesk::events {
namespace {

using nlohmann::json;

const json& ObjectOrEmpty(const json& j) {
  static const json kEmpty = json::object();
  return j.is_object() ? j : kEmpty;
}
json Opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json Time(const std::optional<Timestamp>& t) { return t ? json(FormatRfc3339(*t)) : json(nullptr); }

// The payload as nlohmann::json holds it.
class JsonPayloadReader final : public PayloadReader {
 public:
  explicit JsonPayloadReader(const json& j) : j_(j) {}
  std::optional<std::string> OptStr(const char* key) const override {
    auto it = j_.find(key);
    if (it == j_.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  }
  std::optional<bool> OptBool(const char* key) const override {
    auto it = j_.find(key);
    if (it == j_.end() || !it->is_boolean()) return std::nullopt;
    return it->get<bool>();
  }
  std::optional<double> OptReal(const char* key) const override {
    auto it = j_.find(key);
    if (it == j_.end() || !it->is_number()) return std::nullopt;
    return it->get<double>();
  }
  std::optional<int64_t> OptInteger(const char* key) const override {
    auto it = j_.find(key);
    if (it == j_.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<int64_t>();
  }
  std::optional<std::vector<std::string>> OptStrings(const char* key) const override {
    auto it = j_.find(key);
    if (it == j_.end() || !it->is_array()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : *it) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
    return out;
  }
  bool Has(const char* key) const override { return j_.contains(key); }
  std::optional<json> Json(const char* key) const override {
    auto it = j_.find(key);
    if (it == j_.end()) return std::nullopt;
    return *it;
  }

 private:
  const json& j_;
};

using Reader = PayloadReader;

// Each type's payload keys, both ways. The only place they are spelled.
json Payload(const ConversationOpened& e) {
  return {{"conversation_id", e.conversation_id},
          {"channel_id", e.channel_id},
          {"channel_type", e.channel_type},
          {"contact_id", e.contact_id},
          {"team_id", Opt(e.team_id)},
          {"assignee_id", Opt(e.assignee_id)},
          {"subject", Opt(e.subject)},
          {"status", e.status},
          {"origin", e.origin}};
}
void Read(const Reader& r, ConversationOpened& e) {
  e = {r.Str("conversation_id"), r.Str("channel_id"),       r.Str("channel_type"),
       r.Str("contact_id"),      r.OptStr("team_id"),       r.OptStr("assignee_id"),
       r.OptStr("subject"),      r.Str("status", "queued"), r.Str("origin")};
}

json Payload(const MessageReceived& e) {
  return {{"message_id", e.message_id}, {"external_id", e.external_id}, {"text", e.text},
          {"sent_at", Time(e.sent_at)}, {"attachments", e.attachments}, {"quoted", e.quoted}};
}
void Read(const Reader& r, MessageReceived& e) {
  e = {r.Str("message_id"), r.Str("external_id"),   r.Str("text"),
       r.TimeAt("sent_at"), r.Array("attachments"), r.Str("quoted")};
}

json Payload(const MessageSent& e) {
  json j{{"message_id", e.message_id},
         {"author_id", e.author_id},
         {"text", e.text},
         {"await_reply", e.await_reply},
         {"quick_reply_id", Opt(e.quick_reply_id)},
         {"template_id", Opt(e.template_id)}};
  if (!e.attachments.empty()) j["attachments"] = e.attachments;
  if (e.deliver) j["deliver"] = true;
  return j;
}
void Read(const Reader& r, MessageSent& e) {
  e = {r.Str("message_id"),    r.Str("author_id"),         r.Str("text"),
       r.Bool("await_reply"),  r.OptStr("quick_reply_id"), r.OptStr("template_id"),
       r.Array("attachments"), r.Bool("deliver")};
}

json Payload(const NoteAdded& e) {
  json j{{"message_id", e.message_id},
         {"author_id", e.author_id},
         {"text", e.text},
         {"mentions", e.mentions},
         {"quick_reply_id", Opt(e.quick_reply_id)}};
  if (!e.attachments.empty()) j["attachments"] = e.attachments;
  return j;
}
void Read(const Reader& r, NoteAdded& e) {
  e = {r.Str("message_id"),   r.Str("author_id"),         r.Str("text"),
       r.Strings("mentions"), r.OptStr("quick_reply_id"), r.Array("attachments")};
}

json Payload(const AwaitingCustomer&) { return json::object(); }
void Read(const Reader&, AwaitingCustomer&) {}

json Payload(const ConversationAssigned& e) {
  return {{"assignee_id", e.assignee_id},
          {"previous_assignee_id", Opt(e.previous_assignee_id)},
          {"via", e.via}};
}
void Read(const Reader& r, ConversationAssigned& e) {
  e = {r.Str("assignee_id"), r.OptStr("previous_assignee_id"), r.Str("via")};
}

json Payload(const ConversationTransferred& e) {
  return {{"from_user_id", Opt(e.from_user_id)},
          {"from_team_id", Opt(e.from_team_id)},
          {"to_user_id", Opt(e.to_user_id)},
          {"to_team_id", Opt(e.to_team_id)},
          {"team_members", e.team_members}};
}
void Read(const Reader& r, ConversationTransferred& e) {
  e = {r.OptStr("from_user_id"), r.OptStr("from_team_id"), r.OptStr("to_user_id"),
       r.OptStr("to_team_id"), r.Strings("team_members")};
}

json Payload(const ConversationPostponed& e) {
  return {{"until", Time(e.until)}, {"from_status", e.from_status}};
}
void Read(const Reader& r, ConversationPostponed& e) {
  e = {r.TimeAt("until"), r.Str("from_status")};
}

json Payload(const ConversationWoke& e) { return {{"cause", e.cause}, {"to_status", e.to_status}}; }
void Read(const Reader& r, ConversationWoke& e) { e = {r.Str("cause"), r.Str("to_status")}; }

json Payload(const ConversationTagged& e) { return {{"tag", e.tag}}; }
void Read(const Reader& r, ConversationTagged& e) { e = {r.Str("tag")}; }

json Payload(const ConversationUntagged& e) { return {{"tag", e.tag}}; }
void Read(const Reader& r, ConversationUntagged& e) { e = {r.Str("tag")}; }

json Payload(const ConversationClosed& e) { return {{"reason", e.reason}}; }
void Read(const Reader& r, ConversationClosed& e) { e = {r.Str("reason")}; }

json Payload(const ConversationReopened& e) {
  return {{"cause", e.cause}, {"to_status", e.to_status}};
}
void Read(const Reader& r, ConversationReopened& e) { e = {r.Str("cause"), r.Str("to_status")}; }

json Payload(const ConversationRead& e) { return {{"user_id", e.user_id}, {"unread", e.unread}}; }
void Read(const Reader& r, ConversationRead& e) { e = {r.Str("user_id"), r.Number<int>("unread")}; }

json Payload(const ParticipantAdded& e) {
  return {{"user_id", e.user_id}, {"invited_by", e.invited_by}};
}
void Read(const Reader& r, ParticipantAdded& e) { e = {r.Str("user_id"), r.Str("invited_by")}; }

json Payload(const ParticipantRemoved& e) {
  return {{"user_id", e.user_id}, {"removed_by", e.removed_by}};
}
void Read(const Reader& r, ParticipantRemoved& e) { e = {r.Str("user_id"), r.Str("removed_by")}; }

json Payload(const ConversationIgnored& e) {
  return {{"user_id", e.user_id}, {"until", Time(e.until)}};
}
void Read(const Reader& r, ConversationIgnored& e) { e = {r.Str("user_id"), r.TimeAt("until")}; }

json Payload(const ConversationDeleted& e) { return {{"reason", e.reason}, {"status", e.status}}; }
void Read(const Reader& r, ConversationDeleted& e) { e = {r.Str("reason"), r.Str("status")}; }

json Payload(const MessageDelivered& e) {
  return {{"message_id", e.message_id}, {"attempts", e.attempts}, {"http_status", e.http_status}};
}
void Read(const Reader& r, MessageDelivered& e) {
  e = {r.Str("message_id"), r.Number<int>("attempts"), r.Number<int>("http_status")};
}

json Payload(const MessageFailed& e) {
  return {{"message_id", e.message_id},
          {"attempts", e.attempts},
          {"http_status", e.http_status},
          {"error", e.error}};
}
void Read(const Reader& r, MessageFailed& e) {
  e = {r.Str("message_id"), r.Number<int>("attempts"), r.Number<int>("http_status"),
       r.Str("error")};
}

json Payload(const UserCreated& e) {
  return {{"user_id", e.user_id}, {"name", e.name},   {"email", e.email},
          {"role", e.role},       {"teams", e.teams}, {"token_sha256", e.token_sha256}};
}
void Read(const Reader& r, UserCreated& e) {
  e = {r.Str("user_id"),       r.Str("name"),      r.Str("email"),
       r.Str("role", "agent"), r.Strings("teams"), r.Str("token_sha256")};
}

json Payload(const UserPresenceChanged& e) {
  return {{"user_id", e.user_id}, {"status", e.status}};
}
void Read(const Reader& r, UserPresenceChanged& e) {
  e = {r.Str("user_id"), r.Str("status", "offline")};
}

json Payload(const UserUpdated& e) {
  json j = {{"user_id", e.user_id}};
  if (e.name) j["name"] = *e.name;
  if (e.email) j["email"] = *e.email;
  if (e.role) j["role"] = *e.role;
  if (e.avatar_url) j["avatar_url"] = *e.avatar_url;
  if (e.active) j["active"] = *e.active;
  return j;
}
void Read(const Reader& r, UserUpdated& e) {
  e = {r.Str("user_id"), r.OptStr("name"),       r.OptStr("email"),
       r.OptStr("role"), r.OptStr("avatar_url"), r.OptBool("active")};
}

json Payload(const UserTokenIssued& e) {
  return {{"user_id", e.user_id},
          {"token_id", e.token_id},
          {"name", e.name},
          {"token_sha256", e.token_sha256},
          {"expires_at", Time(e.expires_at)}};
}
void Read(const Reader& r, UserTokenIssued& e) {
  e = {r.Str("user_id"), r.Str("token_id"), r.Str("name"), r.Str("token_sha256"),
       r.TimeAt("expires_at")};
}

json Payload(const UserTokenRevoked& e) {
  return {{"user_id", e.user_id}, {"token_id", e.token_id}};
}
void Read(const Reader& r, UserTokenRevoked& e) { e = {r.Str("user_id"), r.Str("token_id")}; }

json Payload(const NotificationsRead& e) {
  return {{"user_id", e.user_id}, {"ids", e.ids}, {"all_before", Opt(e.all_before)}};
}
void Read(const Reader& r, NotificationsRead& e) {
  e = {r.Str("user_id"), r.Strings("ids"), r.OptStr("all_before")};
}

json Payload(const TeamCreated& e) { return {{"team_id", e.team_id}, {"name", e.name}}; }
void Read(const Reader& r, TeamCreated& e) { e = {r.Str("team_id"), r.Str("name")}; }

json Payload(const TeamMemberAdded& e) { return {{"team_id", e.team_id}, {"user_id", e.user_id}}; }
void Read(const Reader& r, TeamMemberAdded& e) { e = {r.Str("team_id"), r.Str("user_id")}; }
json Payload(const TeamMemberRemoved& e) {
  return {{"team_id", e.team_id}, {"user_id", e.user_id}};
}
void Read(const Reader& r, TeamMemberRemoved& e) { e = {r.Str("team_id"), r.Str("user_id")}; }

json Payload(const ChannelCreated& e) {
  return {{"channel_id", e.channel_id},
          {"type", e.type},
          {"name", e.name},
          {"address", e.address},
          {"token_sha256", e.token_sha256}};
}
void Read(const Reader& r, ChannelCreated& e) {
  e = {r.Str("channel_id"), r.Str("type"), r.Str("name"), r.Str("address"), r.Str("token_sha256")};
}

json Payload(const ChannelIntegrationSet& e) {
  return {{"channel_id", e.channel_id},
          {"verify_token_sha256", e.verify_token_sha256},
          {"app_secret", e.app_secret},
          {"outbound_url", e.outbound_url},
          {"outbound_secret", e.outbound_secret}};
}
void Read(const Reader& r, ChannelIntegrationSet& e) {
  e = {r.Str("channel_id"), r.Str("verify_token_sha256"), r.Str("app_secret"),
       r.Str("outbound_url"), r.Str("outbound_secret")};
}

json Payload(const ContactCreated& e) {
  json j{{"contact_id", e.contact_id}, {"name", e.name},   {"phone", e.phone},
         {"email", e.email},           {"stage", e.stage}, {"channel_id", e.channel_id}};
  if (e.owner_id) j["owner_id"] = *e.owner_id;
  if (!e.tags.empty()) j["tags"] = e.tags;
  if (!ObjectOrEmpty(e.attributes).empty()) j["attributes"] = e.attributes;
  if (!ObjectOrEmpty(e.social).empty()) j["social"] = e.social;
  if (!e.import_id.empty()) {
    j["import_id"] = e.import_id;
    j["import_row"] = e.import_row;
  }
  return j;
}
void Read(const Reader& r, ContactCreated& e) {
  e = {r.Str("contact_id"),  r.Str("name"),          r.Str("phone"),
       r.Str("email"),       r.Str("stage", "lead"), r.Str("channel_id"),
       r.OptStr("owner_id"), r.Strings("tags"),      r.Object("attributes"),
       r.Object("social"),   r.Str("import_id"),     r.Number<uint64_t>("import_row")};
}

json Payload(const ContactUpdated& e) {
  json j{{"contact_id", e.contact_id}};
  if (e.name) j["name"] = *e.name;
  if (e.phone) j["phone"] = e.phone->empty() ? json(nullptr) : json(*e.phone);
  if (e.email) j["email"] = e.email->empty() ? json(nullptr) : json(*e.email);
  if (e.tags) j["tags"] = *e.tags;
  if (!e.attributes.is_null()) j["attributes"] = e.attributes;
  if (!e.social.is_null()) j["social"] = e.social;
  return j;
}
void Read(const Reader& r, ContactUpdated& e) {
  e = {r.Str("contact_id"),  r.OptStr("name"),        r.Clearable("phone"), r.Clearable("email"),
       r.OptStrings("tags"), r.Present("attributes"), r.Present("social")};
}

json Payload(const ContactOwnerChanged& e) {
  return {{"contact_id", e.contact_id}, {"from", Opt(e.from)}, {"owner_id", Opt(e.owner_id)}};
}
void Read(const Reader& r, ContactOwnerChanged& e) {
  e = {r.Str("contact_id"), r.OptStr("from"), r.OptStr("owner_id")};
}

json Payload(const ContactNoteAdded& e) {
  return {{"contact_id", e.contact_id},
          {"note_id", e.note_id},
          {"author_id", e.author_id},
          {"text", e.text},
          {"mentions", e.mentions}};
}
void Read(const Reader& r, ContactNoteAdded& e) {
  e = {r.Str("contact_id"), r.Str("note_id"), r.Str("author_id"), r.Str("text"),
       r.Strings("mentions")};
}

json Payload(const ConversationDetailsChanged& e) {
  json j = json::object();
  const auto put = [&](const char* key, const std::optional<std::string>& value) {
    if (value) j[key] = value->empty() ? json(nullptr) : json(*value);
  };
  put("subject", e.subject);
  put("type", e.type);
  put("order_ref", e.order_ref);
  return j;
}
void Read(const Reader& r, ConversationDetailsChanged& e) {
  e = {r.Clearable("subject"), r.Clearable("type"), r.Clearable("order_ref")};
}

json Payload(const ContactsMerged& e) {
  return {{"contact_id", e.contact_id}, {"from", e.from}, {"conversation_ids", e.conversation_ids}};
}
void Read(const Reader& r, ContactsMerged& e) {
  e = {r.Str("contact_id"), r.Str("from"), r.Strings("conversation_ids")};
}

json Payload(const OrderRecorded& e) { return {{"contact_id", e.contact_id}, {"order", e.order}}; }
void Read(const Reader& r, OrderRecorded& e) { e = {r.Str("contact_id"), r.Object("order")}; }

json Payload(const ContactImportStarted& e) {
  json j{{"import_id", e.import_id},
         {"mode", e.mode},
         {"rows", e.rows},
         {"file_sha256", e.file_sha256}};
  if (!e.node.empty()) j["node"] = e.node;
  return j;
}
void Read(const Reader& r, ContactImportStarted& e) {
  e = {r.Str("import_id"), r.Str("mode"), r.Number<uint64_t>("rows"), r.Str("file_sha256"),
       r.Str("node")};
}

void PutCounts(json& j, const ImportCounts& c) {
  j["rows_done"] = c.rows_done;
  j["created"] = c.created;
  j["updated"] = c.updated;
  j["unchanged"] = c.unchanged;
  j["skipped"] = c.skipped;
}
ImportCounts ReadCounts(const Reader& r) {
  return {r.Number<uint64_t>("rows_done"), r.Number<uint64_t>("created"),
          r.Number<uint64_t>("updated"), r.Number<uint64_t>("unchanged"),
          r.Number<uint64_t>("skipped")};
}

json Payload(const ContactImportProgressed& e) {
  json j{{"import_id", e.import_id}, {"errors", e.errors}};
  PutCounts(j, e.counts);
  return j;
}
void Read(const Reader& r, ContactImportProgressed& e) {
  e = {r.Str("import_id"), ReadCounts(r), r.Array("errors")};
}

json Payload(const ContactImportFinished& e) {
  json j{{"import_id", e.import_id}, {"status", e.status}, {"errors", e.errors}};
  if (!e.reason.empty()) j["reason"] = e.reason;
  PutCounts(j, e.counts);
  return j;
}
void Read(const Reader& r, ContactImportFinished& e) {
  e = {r.Str("import_id"), r.Str("status"), r.Str("reason"), ReadCounts(r), r.Array("errors")};
}

json Payload(const ContactAttributeDefined& e) {
  json j{{"key", e.key}, {"label", e.label}, {"type", e.type}};
  if (!e.options.empty()) j["options"] = e.options;
  return j;
}
void Read(const Reader& r, ContactAttributeDefined& e) {
  e = {r.Str("key"), r.Str("label"), r.Str("type"), r.Strings("options")};
}

json Payload(const ContactStageChanged& e) {
  return {{"contact_id", e.contact_id},
          {"from", e.from},
          {"to", e.to},
          {"funnel_id", e.funnel_id},
          {"from_funnel_id", e.from_funnel_id}};
}
void Read(const Reader& r, ContactStageChanged& e) {
  e = {r.Str("contact_id"), r.Str("from"), r.Has("to") ? r.Str("to") : r.Str("stage"),
       r.Str("funnel_id", "default"), r.Str("from_funnel_id", "default")};
}

json Payload(const FunnelDefined& e) {
  return {{"funnel_id", e.funnel_id}, {"name", e.name}, {"stages", e.stages}};
}
void Read(const Reader& r, FunnelDefined& e) {
  e = {r.Str("funnel_id"), r.Str("name"), r.Array("stages")};
}

json Payload(const DealCreated& e) {
  return {{"deal_id", e.deal_id},
          {"title", e.title},
          {"contact_id", e.contact_id},
          {"funnel_id", e.funnel_id},
          {"stage_id", e.stage_id},
          {"status", e.status},
          {"value", e.value},
          {"currency", e.currency},
          {"owner_id", Opt(e.owner_id)},
          {"conversation_id", Opt(e.conversation_id)},
          {"expected_close_on", Opt(e.expected_close_on)}};
}
void Read(const Reader& r, DealCreated& e) {
  e = {r.Str("deal_id"),
       r.Str("title"),
       r.Str("contact_id"),
       r.Str("funnel_id"),
       r.Str("stage_id"),
       r.Str("status", "open"),
       r.Real("value"),
       r.Str("currency"),
       r.OptStr("owner_id"),
       r.OptStr("conversation_id"),
       r.OptStr("expected_close_on")};
}

json Payload(const DealUpdated& e) {
  json j{{"deal_id", e.deal_id}};
  if (e.title) j["title"] = *e.title;
  if (e.value) j["value"] = *e.value;
  if (e.currency) j["currency"] = *e.currency;
  if (e.owner_id) j["owner_id"] = e.owner_id->empty() ? json(nullptr) : json(*e.owner_id);
  if (e.expected_close_on) {
    j["expected_close_on"] =
        e.expected_close_on->empty() ? json(nullptr) : json(*e.expected_close_on);
  }
  return j;
}
void Read(const Reader& r, DealUpdated& e) {
  e = {r.Str("deal_id"),     r.OptStr("title"),       r.OptReal("value"),
       r.OptStr("currency"), r.Clearable("owner_id"), r.Clearable("expected_close_on")};
}

json Payload(const DealMoved& e) {
  json j{{"deal_id", e.deal_id}, {"funnel_id", e.funnel_id}, {"from", e.from},
         {"to", e.to},           {"status", e.status},       {"moved_on", e.moved_on}};
  if (e.reason) j["reason"] = *e.reason;
  return j;
}
void Read(const Reader& r, DealMoved& e) {
  e = {r.Str("deal_id"),        r.Str("funnel_id"), r.Str("from"),     r.Str("to"),
       r.Str("status", "open"), r.OptStr("reason"), r.Bool("moved_on")};
}

json Payload(const DealReopened& e) {
  return {{"deal_id", e.deal_id}, {"funnel_id", e.funnel_id}, {"from", e.from}, {"to", e.to}};
}
void Read(const Reader& r, DealReopened& e) {
  e = {r.Str("deal_id"), r.Str("funnel_id"), r.Str("from"), r.Str("to")};
}

json Payload(const TaskTypeDefined& e) { return {{"type_id", e.type_id}, {"name", e.name}}; }
void Read(const Reader& r, TaskTypeDefined& e) { e = {r.Str("type_id"), r.Str("name")}; }

json Payload(const TaskCreated& e) {
  json j{{"task_id", e.task_id},
         {"type", e.type},
         {"title", e.title},
         {"status", e.status},
         {"description", Opt(e.description)},
         {"due_at", Time(e.due_at)},
         {"assignee_id", Opt(e.assignee_id)},
         {"team_id", Opt(e.team_id)},
         {"contact_id", Opt(e.contact_id)},
         {"conversation_id", Opt(e.conversation_id)},
         {"deal_id", Opt(e.deal_id)},
         {"email_template", Opt(e.email_template)}};
  if (e.schedule_id) {
    j["schedule_id"] = *e.schedule_id;
    j["occurrence_at"] = Time(e.occurrence_at);
  }
  if (!e.team_members.empty()) j["team_members"] = e.team_members;
  return j;
}
void Read(const Reader& r, TaskCreated& e) {
  e = {r.Str("task_id"),         r.Str("type"),
       r.Str("title"),           r.Str("status", "pending"),
       r.OptStr("description"),  r.TimeAt("due_at"),
       r.OptStr("assignee_id"),  r.OptStr("team_id"),
       r.OptStr("contact_id"),   r.OptStr("conversation_id"),
       r.OptStr("deal_id"),      r.OptStr("email_template"),
       r.OptStr("schedule_id"),  r.TimeAt("occurrence_at"),
       r.Strings("team_members")};
}

json Payload(const TaskUpdated& e) {
  json j{{"task_id", e.task_id}};
  if (e.title) j["title"] = *e.title;
  if (e.description) j["description"] = e.description->empty() ? json() : json(*e.description);
  if (e.due_at_changed) j["due_at"] = Time(e.due_at);
  return j;
}
void Read(const Reader& r, TaskUpdated& e) {
  e = {r.Str("task_id"), r.OptStr("title"), r.Clearable("description"), r.Has("due_at"),
       r.TimeAt("due_at")};
}

json Payload(const TaskTaken& e) { return {{"task_id", e.task_id}, {"user_id", e.user_id}}; }
void Read(const Reader& r, TaskTaken& e) { e = {r.Str("task_id"), r.Str("user_id")}; }

json Payload(const TaskTransferred& e) {
  json j{{"task_id", e.task_id},
         {"from_user_id", Opt(e.from_user_id)},
         {"from_team_id", Opt(e.from_team_id)},
         {"to_user_id", Opt(e.to_user_id)},
         {"to_team_id", Opt(e.to_team_id)},
         {"status", e.status}};
  if (!e.team_members.empty()) j["team_members"] = e.team_members;
  return j;
}
void Read(const Reader& r, TaskTransferred& e) {
  e = {r.Str("task_id"),         r.OptStr("from_user_id"), r.OptStr("from_team_id"),
       r.OptStr("to_user_id"),   r.OptStr("to_team_id"),   r.Str("status"),
       r.Strings("team_members")};
}

json Payload(const TaskStarted& e) { return {{"task_id", e.task_id}}; }
void Read(const Reader& r, TaskStarted& e) { e = {r.Str("task_id")}; }

json Payload(const TaskFinished& e) {
  return {{"task_id", e.task_id}, {"outcome", Opt(e.outcome)}, {"late", e.late}};
}
void Read(const Reader& r, TaskFinished& e) {
  e = {r.Str("task_id"), r.OptStr("outcome"), r.Bool("late")};
}

json Payload(const TaskArchived& e) { return {{"task_id", e.task_id}, {"reason", Opt(e.reason)}}; }
void Read(const Reader& r, TaskArchived& e) { e = {r.Str("task_id"), r.OptStr("reason")}; }

json Payload(const TaskReopened& e) {
  return {{"task_id", e.task_id}, {"from", e.from}, {"assignee_id", e.assignee_id}};
}
void Read(const Reader& r, TaskReopened& e) {
  e = {r.Str("task_id"), r.Str("from"), r.Str("assignee_id")};
}

json Payload(const TaskReminded& e) {
  return {{"task_id", e.task_id},
          {"reminder", e.reminder},
          {"due_at", FormatRfc3339(e.due_at)},
          {"user_ids", e.user_ids}};
}
void Read(const Reader& r, TaskReminded& e) {
  e = {r.Str("task_id"), r.Str("reminder"), r.TimeAt("due_at").value_or(Timestamp{}),
       r.Strings("user_ids")};
}

json Payload(const TaskScheduleDefined& e) {
  json j{{"schedule_id", e.schedule_id},
         {"every", e.every},
         {"at", e.at},
         {"tz", e.tz},
         {"task", e.task}};
  if (e.weekday) j["weekday"] = *e.weekday;
  if (e.day) j["day"] = *e.day;
  return j;
}
void Read(const Reader& r, TaskScheduleDefined& e) {
  e = {r.Str("schedule_id"), r.Str("every"),  r.Str("at"),     r.Str("tz"),
       r.OptInt("weekday"),  r.OptInt("day"), r.Object("task")};
}

json Payload(const TaskScheduleStopped& e) { return {{"schedule_id", e.schedule_id}}; }
void Read(const Reader& r, TaskScheduleStopped& e) { e = {r.Str("schedule_id")}; }

json Payload(const TaskScheduleOccurred& e) {
  return {{"schedule_id", e.schedule_id},
          {"task_id", e.task_id},
          {"occurrence_at", FormatRfc3339(e.occurrence_at)}};
}
void Read(const Reader& r, TaskScheduleOccurred& e) {
  e = {r.Str("schedule_id"), r.Str("task_id"), r.TimeAt("occurrence_at").value_or(Timestamp{})};
}

json Payload(const ContactBlocked& e) {
  return {{"contact_id", e.contact_id}, {"reason", e.reason}};
}
void Read(const Reader& r, ContactBlocked& e) { e = {r.Str("contact_id"), r.Str("reason")}; }

json Payload(const ContactUnblocked& e) { return {{"contact_id", e.contact_id}}; }
void Read(const Reader& r, ContactUnblocked& e) { e = {r.Str("contact_id")}; }

json Payload(const BlockedMessageReceived& e) {
  return {{"contact_id", e.contact_id},
          {"channel_id", e.channel_id},
          {"message_id", e.message_id},
          {"external_id", e.external_id},
          {"text", e.text},
          {"sent_at", Time(e.sent_at)},
          {"attachments", e.attachments}};
}
void Read(const Reader& r, BlockedMessageReceived& e) {
  e = {r.Str("contact_id"), r.Str("channel_id"), r.Str("message_id"),   r.Str("external_id"),
       r.Str("text"),       r.TimeAt("sent_at"), r.Array("attachments")};
}

json Payload(const ContactOptedIn& e) {
  return {{"contact_id", e.contact_id}, {"channel_id", e.channel_id}, {"source", e.source}};
}
void Read(const Reader& r, ContactOptedIn& e) {
  e = {r.Str("contact_id"), r.Str("channel_id"), r.Str("source")};
}

json Payload(const ContactOptedOut& e) {
  return {{"contact_id", e.contact_id}, {"channel_id", e.channel_id}};
}
void Read(const Reader& r, ContactOptedOut& e) { e = {r.Str("contact_id"), r.Str("channel_id")}; }

json Payload(const ContactErased& e) {
  json j{{"contact_id", e.contact_id}, {"conversation_ids", e.conversation_ids}};
  if (!e.merged_ids.empty()) j["merged_ids"] = e.merged_ids;
  return j;
}
void Read(const Reader& r, ContactErased& e) {
  e = {r.Str("contact_id"), r.Strings("conversation_ids"), r.Strings("merged_ids")};
}

json Payload(const ProtocolIssued& e) {
  return {{"year", e.year},
          {"number", e.number},
          {"protocol", e.protocol},
          {"conversation_id", e.conversation_id}};
}
void Read(const Reader& r, ProtocolIssued& e) {
  e = {r.Number<int>("year"), r.Number<uint64_t>("number"), r.Str("protocol"),
       r.Str("conversation_id")};
}

json Payload(const TemplateCreated& e) {
  return {{"template_id", e.template_id},
          {"channel_id", e.channel_id},
          {"name", e.name},
          {"body", e.body},
          {"params", e.params}};
}
void Read(const Reader& r, TemplateCreated& e) {
  e = {r.Str("template_id"), r.Str("channel_id"), r.Str("name"), r.Str("body"),
       r.Number<int>("params")};
}

json Payload(const QuickReplyCreated& e) {
  return {{"quick_reply_id", e.quick_reply_id},
          {"shortcut", e.shortcut},
          {"text", e.text},
          {"visibility", e.visibility},
          {"owner_id", e.owner_id}};
}
void Read(const Reader& r, QuickReplyCreated& e) {
  e = {r.Str("quick_reply_id"), r.Str("shortcut"), r.Str("text"), r.Str("visibility", "public"),
       r.Str("owner_id")};
}

json Payload(const QuickReplyUpdated& e) {
  return {{"shortcut", e.shortcut}, {"text", e.text}, {"visibility", e.visibility}};
}
void Read(const Reader& r, QuickReplyUpdated& e) {
  e = {r.Str("shortcut"), r.Str("text"), r.Str("visibility", "public")};
}

json Payload(const QuickReplyDeleted&) { return json::object(); }
void Read(const Reader&, QuickReplyDeleted&) {}

json Payload(const DeskSettingsUpdated& e) {
  json j = json::object();
  if (e.agent_visibility) j["agent_visibility"] = *e.agent_visibility;
  if (e.close_reasons) j["close_reasons"] = *e.close_reasons;
  return j;
}
void Read(const Reader& r, DeskSettingsUpdated& e) {
  e = {r.OptStr("agent_visibility"), r.OptStrings("close_reasons")};
}

// The alternative I of Event, read from `payload`.
template <size_t I>
std::optional<Event> DecodeOne(const Reader& payload) {
  std::variant_alternative_t<I, Event> e;
  Read(payload, e);
  return Event(std::move(e));
}

using Decoder = std::optional<Event> (*)(const Reader&);

// Every alternative's reader by its type name: a decode is one lookup, not a comparison with
// each name before its own (a contact's events come after thirty others).
template <size_t... I>
const std::unordered_map<std::string_view, Decoder>& DecodersByType(std::index_sequence<I...>) {
  static const std::unordered_map<std::string_view, Decoder> decoders{
      {std::string_view(std::variant_alternative_t<I, Event>::kType), &DecodeOne<I>}...};
  return decoders;
}

std::optional<Event> DecodeAs(const std::string& type, const Reader& payload) {
  const auto& decoders = DecodersByType(std::make_index_sequence<std::variant_size_v<Event>>());
  auto it = decoders.find(type);
  if (it == decoders.end()) return std::nullopt;
  return it->second(payload);
}

}  // namespace

DomainEvent Encode(const Event& event) {
  return std::visit(
      [](const auto& e) {
        return DomainEvent{std::decay_t<decltype(e)>::kType, Payload(e)};
      },
      event);
}

std::optional<Event> Decode(const std::string& type, const nlohmann::json& payload) {
  if (!payload.is_object()) return std::nullopt;
  return DecodeAs(type, JsonPayloadReader(payload));
}

std::optional<Event> Decode(const std::string& type, const PayloadReader& payload) {
  return DecodeAs(type, payload);
}

std::string PayloadReader::Str(const char* key, std::string fallback) const {
  auto v = OptStr(key);
  return v ? std::move(*v) : fallback;
}
std::optional<Timestamp> PayloadReader::TimeAt(const char* key) const {
  auto s = OptStr(key);
  return s ? ParseRfc3339(*s) : std::nullopt;
}
std::optional<std::string> PayloadReader::Clearable(const char* key) const {
  if (!Has(key)) return std::nullopt;
  return OptStr(key).value_or(std::string());
}
nlohmann::json PayloadReader::Object(const char* key) const {
  auto v = Json(key);
  return v && v->is_object() ? std::move(*v) : json::object();
}
nlohmann::json PayloadReader::Array(const char* key) const {
  auto v = Json(key);
  return v && v->is_array() ? std::move(*v) : json::array();
}
nlohmann::json PayloadReader::Present(const char* key) const { return Json(key).value_or(json()); }

}  // namespace helpdesk::events
