#include "projections/conversation_view.h"

#include "adapters/rocks_status.h"
#include "domain/json_text.h"
#include "domain/messaging_window.h"
#include "domain/thermometer.h"

namespace helpdesk {
namespace {

using nlohmann::json;

constexpr size_t kHeaderSize = 1 + 8 + 8;
constexpr uint64_t kNone = UINT64_MAX;

json OptTime(const std::optional<Timestamp>& t) {
  return t ? json(FormatRfc3339(*t)) : json(nullptr);
}
json OptString(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

std::optional<Timestamp> ReadOptTime(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return ParseRfc3339(it->get<std::string>());
}
std::optional<std::string> ReadOptString(const json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string EncodeOptTime(const std::optional<Timestamp>& t) {
  return EncodeBigEndian64(t ? static_cast<uint64_t>(t->ms) : kNone);
}
std::optional<Timestamp> DecodeOptTime(const char* p) {
  const uint64_t v = DecodeBigEndian64(p);
  if (v == kNone) return std::nullopt;
  return Timestamp{static_cast<int64_t>(v)};
}

json IgnoredBy(const ConversationState& s) {
  json out = json::object();
  for (const auto& [user, until] : s.ignored_until) out[user] = FormatRfc3339(until);
  return out;
}

json ApiObject(const ConversationView& v) {
  const ConversationState& s = v.state;
  json last = nullptr;
  if (s.last_message) {
    last = {{"text", s.last_message->text},
            {"direction", s.last_message->direction},
            {"at", FormatRfc3339(s.last_message->at)}};
  }
  return {
      {"id", s.id},
      {"channel_id", s.channel_id},
      {"contact", ContactCardToJson(v.contact)},
      {"status", StatusName(s.status)},
      {"assignee_id", OptString(s.assignee_id)},
      {"team_id", OptString(s.team_id)},
      {"tags", s.tags},
      {"participants", s.participants},
      {"ignored_by", IgnoredBy(s)},
      {"protocol", OptString(s.protocol)},
      {"subject", OptString(s.subject)},
      {"type", OptString(s.type)},
      {"order", v.order},
      {"messages_count", s.messages_count},
      {"first_response_s", s.first_response_ms ? json(*s.first_response_ms / 1000) : json(nullptr)},
      {"resolution_s", s.resolution_ms ? json(*s.resolution_ms / 1000) : json(nullptr)},
      {"last_message", last},
      {"unread", s.unread},
      {"waiting_since", OptTime(s.waiting_since)},
      {"postponed_until", OptTime(s.postponed_until)},
      {"close_reason", OptString(s.close_reason)},
      {"opened_at", FormatRfc3339(s.opened_at)},
      {"closed_at", OptTime(s.closed_at)},
      {"assigned_at", OptTime(s.assigned_at)},
      {"window_expires_at", OptTime(WindowExpiresAt(s.channel_type, s.last_customer_message_at))},
      {"version", s.version}};
}

}  // namespace

json OrderLink(const std::string& external_id, const json& order) {
  const auto field = [&](const char* key) {
    return order.is_object() ? order.value(key, json(nullptr)) : json(nullptr);
  };
  return {{"external_id", external_id},
          {"number", field("number")},
          {"kind", field("kind")},
          {"status", field("status")},
          {"url", field("url")}};
}

json ContactCardToJson(const ContactCard& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"phone", c.phone.empty() ? json(nullptr) : json(c.phone)},
          {"email", c.email.empty() ? json(nullptr) : json(c.email)},
          {"stage", c.stage},
          {"blocked", c.blocked},
          {"opt_ins", c.opt_ins},
          {"erased", c.erased}};
}

ContactCard ContactCardFromJson(const json& j) {
  ContactCard c;
  c.id = j.value("id", "");
  c.name = j.value("name", "");
  c.phone = ReadOptString(j, "phone").value_or("");
  c.email = ReadOptString(j, "email").value_or("");
  // A conversation's card has the stage's name; a contact object (k/) the {funnel_id,
  // stage_id} it is at, or null.
  if (auto stage = j.find("stage"); stage == j.end()) {
    c.stage = "lead";
  } else if (stage->is_string()) {
    c.stage = stage->get<std::string>();
  } else if (stage->is_object()) {
    c.stage = stage->value("stage_id", "");
  }
  c.blocked = j.value("blocked", false);
  c.erased = j.value("erased", false);
  c.opt_ins = j.value("opt_ins", std::vector<std::string>());
  return c;
}

namespace {

// The rendered form of `api` (ApiObject of `v`), as RenderStored writes it.
std::string RenderFrom(const ConversationView& v, const json& api) {
  std::string out;
  out += static_cast<char>(v.state.status);
  out += EncodeOptTime(v.state.waiting_since);
  out += EncodeOptTime(v.state.closed_at);
  std::string body = DumpJson(api);
  body.pop_back();  // the closing brace; RenderForClient adds the thermometer and closes it
  out += body;
  return out;
}

}  // namespace

nlohmann::json ReportMarksToJson(const ReportMarks& marks) {
  return {{"opened_counted", marks.opened_counted},
          {"first_response_counted", marks.first_response_counted},
          {"cycle_started_at", OptTime(marks.cycle_started_at)}};
}

ReportMarks ReportMarksFromJson(const nlohmann::json& j) {
  ReportMarks marks;
  if (!j.is_object()) return marks;
  marks.opened_counted = j.value("opened_counted", false);
  marks.first_response_counted = j.value("first_response_counted", false);
  marks.cycle_started_at = ReadOptTime(j, "cycle_started_at");
  return marks;
}

std::string EncodeReportMarks(const ReportMarks& marks) {
  std::string out;
  out.push_back(marks.opened_counted ? 'o' : '-');
  out.push_back(marks.first_response_counted ? 'f' : '-');
  out += EncodeOptTime(marks.cycle_started_at);
  return out;
}

ReportMarks DecodeReportMarks(std::string_view bytes) {
  ReportMarks marks;
  if (bytes.size() != 10) return marks;
  marks.opened_counted = bytes[0] == 'o';
  marks.first_response_counted = bytes[1] == 'f';
  marks.cycle_started_at = DecodeOptTime(bytes.data() + 2);
  return marks;
}

namespace {

// Turns `j` (ApiObject of `v`) into the stored state (cs/<id>), read back by DecodeState.
std::string EncodeFrom(const ConversationView& v, json& j) {
  j["contact_id"] = v.state.contact_id;
  j["postponed_from"] = StatusName(v.state.postponed_from);
  j["channel_type"] = v.state.channel_type;
  j["last_customer_message_at"] = OptTime(v.state.last_customer_message_at);
  j["order_ref"] = OptString(v.state.order_ref);
  j["first_response_ms"] = v.state.first_response_ms ? json(*v.state.first_response_ms) : json();
  j["resolution_ms"] = v.state.resolution_ms ? json(*v.state.resolution_ms) : json();
  j["report"] = ReportMarksToJson(v.report);
  j["report_definition"] = v.report_definition;
  return DumpJson(j);
}

}  // namespace

void EncodeAndRender(const ConversationView& v, std::string* state, std::string* rendered) {
  json j = ApiObject(v);
  *rendered = RenderFrom(v, j);
  *state = EncodeFrom(v, j);
}

std::optional<ConversationView> DecodeState(const std::string& bytes) {
  json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  ConversationView v;
  ConversationState& s = v.state;
  s.exists = true;
  s.version = j.value("version", uint64_t{0});
  s.id = j.value("id", "");
  s.channel_id = j.value("channel_id", "");
  s.contact_id = j.value("contact_id", "");
  s.status = ParseStatus(j.value("status", "queued")).value_or(ConversationStatus::kQueued);
  s.assignee_id = ReadOptString(j, "assignee_id");
  s.team_id = ReadOptString(j, "team_id");
  for (const auto& t : j.value("tags", json::array())) s.tags.insert(t.get<std::string>());
  if (auto it = j.find("ignored_by"); it != j.end() && it->is_object()) {
    for (const auto& [user, until] : it->items()) {
      if (auto t = until.is_string() ? ParseRfc3339(until.get<std::string>()) : std::nullopt) {
        s.ignored_until[user] = *t;
      }
    }
  }
  for (const auto& u : j.value("participants", json::array())) {
    s.participants.insert(u.get<std::string>());
  }
  s.subject = ReadOptString(j, "subject");
  s.type = ReadOptString(j, "type");
  s.order_ref = ReadOptString(j, "order_ref");
  s.messages_count = j.value("messages_count", uint64_t{0});
  if (auto ms = j.find("first_response_ms"); ms != j.end() && ms->is_number_integer()) {
    s.first_response_ms = ms->get<int64_t>();
  }
  if (auto ms = j.find("resolution_ms"); ms != j.end() && ms->is_number_integer()) {
    s.resolution_ms = ms->get<int64_t>();
  }
  if (auto order = j.find("order"); order != j.end() && order->is_object()) v.order = *order;
  if (j.contains("last_message") && j["last_message"].is_object()) {
    const json& m = j["last_message"];
    s.last_message = LastMessage{m.value("text", ""), m.value("direction", "in"),
                                 ReadOptTime(m, "at").value_or(Timestamp{})};
  }
  s.unread = j.value("unread", 0);
  s.waiting_since = ReadOptTime(j, "waiting_since");
  s.last_customer_message_at = ReadOptTime(j, "last_customer_message_at");
  s.channel_type = j.value("channel_type", "");
  s.assigned_at = ReadOptTime(j, "assigned_at");
  s.postponed_until = ReadOptTime(j, "postponed_until");
  s.postponed_from =
      ParseStatus(j.value("postponed_from", "queued")).value_or(ConversationStatus::kQueued);
  s.close_reason = ReadOptString(j, "close_reason");
  s.protocol = ReadOptString(j, "protocol");
  s.opened_at = ReadOptTime(j, "opened_at").value_or(Timestamp{});
  s.closed_at = ReadOptTime(j, "closed_at");
  if (j.contains("contact")) v.contact = ContactCardFromJson(j["contact"]);
  if (auto it = j.find("report"); it != j.end()) v.report = ReportMarksFromJson(*it);
  v.report_definition = j.value("report_definition", 0);
  return v;
}

std::string RenderStored(const ConversationView& v) { return RenderFrom(v, ApiObject(v)); }

std::optional<StoredHeader> ReadHeader(const std::string& stored) {
  if (stored.size() < kHeaderSize) return std::nullopt;
  StoredHeader h;
  h.status = static_cast<ConversationStatus>(stored[0]);
  h.waiting_since = DecodeOptTime(stored.data() + 1);
  h.closed_at = DecodeOptTime(stored.data() + 9);
  return h;
}

void RenderForClient(const std::string& stored, Timestamp now, std::string& out) {
  auto h = ReadHeader(stored);
  if (!h) return;
  out.append(stored, kHeaderSize, std::string::npos);
  auto t = ThermometerAt(h->status, h->waiting_since, now);
  out += ",\"thermometer\":";
  if (t) {
    out += '"';
    out += ThermometerName(*t);
    out += '"';
  } else {
    out += "null";
  }
  out += '}';
}

json ParseForClient(const std::string& stored, Timestamp now) {
  std::string text;
  RenderForClient(stored, now, text);
  return json::parse(text, nullptr, false);
}

}  // namespace helpdesk
