// Conversations: the inbox list, one conversation, its messages and timeline, the agent's
// commands, and inbound messages from channels.
#include <rocksdb/db.h>

#include "api/app.h"
#include "api/json_io.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

Result<Timestamp> ReadTime(Body& b, const std::string& name) {
  const std::string text = b.NonEmptyString(name);
  if (b.error()) return *b.error();
  auto t = ParseRfc3339(text);
  if (!t) return InvalidField(name, "must be an RFC 3339 time such as 2026-11-22T14:05:00Z");
  return *t;
}

}  // namespace

std::optional<HttpResponse> App::RouteConversations(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  if (p[2] == "channels" && p.size() == 5 && p[4] == "inbound" && r.method == "POST") {
    return Inbound(r, caller, p[3]);
  }
  if (p[2] == "protocols" && p.size() == 4 && r.method == "GET") {
    // A customer quotes their protocol: find the conversation.
    if (!caller.channel_id.empty() || !CanReadConversations(caller.role)) {
      return ErrorResponse(Forbidden("this token cannot see conversations"));
    }
    auto id = queries_.ConversationWithProtocol(p[3]);
    auto c = id ? queries_.Conversation(*id, clock_.Now()) : std::nullopt;
    if (c && Hidden(lookups_.SightOf(caller), *c)) c.reset();
    if (!c) return ErrorResponse(NotFound("protocol " + p[3]));
    return JsonResponse(200, *c);
  }
  if (p[2] != "conversations") return std::nullopt;
  if (!caller.channel_id.empty() || !CanReadConversations(caller.role)) {
    return ErrorResponse(Forbidden("this token cannot see conversations"));
  }
  if (p.size() == 3 && r.method == "GET") return ListConversations(r, caller);
  if (p.size() == 3 && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    cmd::StartConversation s;
    s.id = b.OptString("id");
    s.contact_id = b.NonEmptyString("contact_id");
    s.channel_id = b.NonEmptyString("channel_id");
    s.template_id = b.NonEmptyString("template_id");
    s.params = b.OptStringArray("params").value_or(std::vector<std::string>());
    if (b.error()) return ErrorResponse(*b.error());
    auto outcome = commands_.Execute(caller, std::move(s));
    return ConversationAnswer(outcome, outcome.ok() && !outcome.value().created ? 200 : 201);
  }
  if (p.size() < 4) return std::nullopt;
  const std::string& id = p[3];

  if (r.method == "GET") {
    // One the desk's agent_visibility hides from the caller is, to them, not there (commands
    // check the same on the write model). Nothing to look at for who sees everything.
    const std::optional<NarrowedViewer> sight = lookups_.SightOf(caller);
    std::optional<std::string> current;
    if (sight) {
      current = queries_.Conversation(id, clock_.Now());
      if (current && Hidden(sight, *current)) return ErrorResponse(NotFound("conversation " + id));
    }
    if (p.size() == 4 && QueryParam(r, "as_of")) {
      // Time travel: the conversation as it was then (no ETag: it is not a version to act on).
      auto as_of = ParseRfc3339(*QueryParam(r, "as_of"));
      if (!as_of) return ErrorResponse(InvalidField("as_of", "must be an RFC 3339 time"));
      auto c = queries_.ConversationAsOf(id, *as_of);
      // Deleted since: its past shows only to who may see that past.
      if (c && sight && !current && Hidden(sight, *c)) c.reset();
      if (!c)
        return ErrorResponse(NotFound("conversation " + id + " as of " + FormatRfc3339(*as_of)));
      return JsonResponse(200, *c);
    }
    if (p.size() == 4) {
      auto c = queries_.Conversation(id, clock_.Now());
      if (!c) return ErrorResponse(NotFound("conversation " + id));
      HttpResponse response = JsonResponse(200, *c);
      auto version = json::parse(*c)["version"];
      response.headers["ETag"] = "\"" + version.dump() + "\"";
      return response;
    }
    if (p.size() != 5) return std::nullopt;
    if (p[4] == "messages" || p[4] == "timeline") {
      if (!queries_.Conversation(id, clock_.Now()))
        return ErrorResponse(NotFound("conversation " + id));
      auto list = ReadListParams(r);
      if (!list.ok()) return ErrorResponse(list.error());
      std::optional<Timestamp> until;
      if (auto text = QueryParam(r, "until"); text && p[4] == "timeline") {
        until = ParseRfc3339(*text);
        if (!until) return ErrorResponse(InvalidField("until", "must be an RFC 3339 time"));
      }
      auto page = p[4] == "messages"
                      ? queries_.Messages(id, list.value().cursor, list.value().limit)
                      : queries_.Timeline(id, list.value().cursor, list.value().limit, until);
      if (!page.ok()) return ErrorResponse(page.error());
      return ListResponse(page.value().items_json, page.value().next_cursor);
    }
    if (p[4] == "export.csv") {
      if (!queries_.Conversation(id, clock_.Now()))
        return ErrorResponse(NotFound("conversation " + id));
      HttpResponse response;
      response.content_type = "text/csv; charset=utf-8";
      response.body = queries_.ConversationCsv(id);
      response.headers["Content-Disposition"] =
          "attachment; filename=\"conversation-" + id + ".csv\"";
      return response;
    }
    return std::nullopt;
  }

  if (p.size() == 6 && p[4] == "tags" && r.method == "DELETE") {
    auto if_match = ReadIfMatch(r);
    if (!if_match.ok()) return ErrorResponse(if_match.error());
    return ConversationAnswer(commands_.Execute(caller, cmd::Untag{id, p[5], if_match.value()}),
                              200);
  }
  if (p.size() == 4 && r.method == "PATCH") {
    auto if_match = ReadIfMatch(r);
    if (!if_match.ok()) return ErrorResponse(if_match.error());
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown = b.UnknownField({"subject", "type", "order_ref"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field a conversation edit sets"));
    }
    cmd::UpdateConversation u{id, b.OptString("subject"), b.OptString("type"),
                              b.OptString("order_ref"), if_match.value()};
    if (b.error()) return ErrorResponse(*b.error());
    // null clears a field, as "" does.
    for (auto [field, value] : {std::pair{"subject", &u.subject}, std::pair{"type", &u.type},
                                std::pair{"order_ref", &u.order_ref}}) {
      if (b.Has(field) && !*value) *value = "";
    }
    return ConversationAnswer(commands_.Execute(caller, std::move(u)), 200);
  }
  if (p.size() == 4 && r.method == "DELETE") {
    auto if_match = ReadIfMatch(r);
    if (!if_match.ok()) return ErrorResponse(if_match.error());
    auto body = Body::Parse(r.body.empty() ? "{}" : r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    if (auto refused = body.value().RefuseUnknown({"reason"})) return ErrorResponse(*refused);
    const std::string reason = body.value().OptString("reason").value_or("");
    if (body.value().error()) return ErrorResponse(*body.value().error());
    auto outcome = commands_.Execute(caller, cmd::DeleteConversation{id, reason, if_match.value()});
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    HttpResponse response = JsonResponse(200, json{{"id", id}, {"deleted", true}});
    SetPosition(response, outcome.value().token);
    return response;
  }
  if (p.size() == 6 && p[4] == "participants" && r.method == "DELETE") {
    auto if_match = ReadIfMatch(r);
    if (!if_match.ok()) return ErrorResponse(if_match.error());
    return ConversationAnswer(commands_.Execute(caller, cmd::Leave{id, p[5], if_match.value()}),
                              200);
  }
  if (p.size() == 5 && r.method == "POST") {
    if (p[4] == "messages") return PostMessage(r, caller, id);
    return ConversationCommand(r, caller, id, p[4]);
  }
  return std::nullopt;
}

bool App::Hidden(const std::optional<NarrowedViewer>& sight, const std::string& conversation) {
  return sight && !ConversationInSight(*sight, json::parse(conversation, nullptr, false));
}

HttpResponse App::ListConversations(const HttpRequest& r, const Caller& caller) {
  InboxRequest q;
  q.now = clock_.Now();
  q.caller_id = caller.user_id;
  if (auto user = lookups_.FindUser(caller.user_id)) {
    q.caller_teams.assign(user->teams.begin(), user->teams.end());
  }
  q.sight = lookups_.SightOf(caller);
  if (auto v = QueryParam(r, "view")) {
    auto view = ParseInboxView(*v);
    if (!view)
      return ErrorResponse(
          InvalidField("view",
                       "must be mine, queue, unassigned, all, postponed, closed, waiting or "
                       "participating"));
    q.view = *view;
  }
  if (auto s = QueryParam(r, "sort")) {
    auto sort = ParseInboxSort(*s);
    if (!sort) {
      return ErrorResponse(InvalidField(
          "sort", "must be recent, waiting_longest, in_service_longest, oldest or newest"));
    }
    q.sort = *sort;
  }
  if (auto s = QueryParam(r, "status")) {
    q.status = ParseStatus(*s);
    if (!q.status) {
      return ErrorResponse(
          InvalidField("status", "must be queued, open, awaiting_customer, postponed or closed"));
    }
  }
  q.team_id = QueryParam(r, "team_id");
  q.assignee_id = QueryParam(r, "assignee_id");
  q.tag = QueryParam(r, "tag");
  q.stage = QueryParam(r, "stage");
  q.q = QueryParam(r, "q");
  auto list = ReadListParams(r);
  if (!list.ok()) return ErrorResponse(list.error());
  q.limit = list.value().limit;
  q.cursor = list.value().cursor;
  auto page = QueryInbox(views_, q);
  if (!page.ok()) return ErrorResponse(page.error());
  return ListResponse(page.value().items_json, page.value().next_cursor);
}

HttpResponse App::ConversationAnswer(const Result<CommandOutcome>& outcome, int status) {
  if (!outcome.ok()) return ErrorResponse(outcome.error());
  AwaitViews(outcome.value().token);
  auto c = queries_.Conversation(outcome.value().id, clock_.Now());
  if (!c) return ErrorResponse(Error{ErrorCode::kInternal, "conversation missing from views"});
  HttpResponse response = JsonResponse(status, *c);
  response.headers["ETag"] = "\"" + json::parse(*c)["version"].dump() + "\"";
  SetPosition(response, outcome.value().token);
  return response;
}

HttpResponse App::ConversationCommand(const HttpRequest& r, const Caller& caller,
                                      const std::string& id, const std::string& action) {
  static const std::set<std::string> kActions{"take",         "assign", "transfer", "postpone",
                                              "tags",         "close",  "reopen",   "read",
                                              "participants", "ignore", "protocol"};
  if (!kActions.count(action)) return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
  auto if_match = ReadIfMatch(r);
  if (!if_match.ok()) return ErrorResponse(if_match.error());
  const auto version = if_match.value();
  // take, reopen and read need no body; an empty one is fine, a malformed one is not.
  const bool bodiless = action == "take" || action == "reopen" || action == "read" ||
                        action == "ignore" || action == "protocol";
  const std::string text = r.body.empty() && bodiless ? "{}" : r.body;
  auto body = Body::Parse(text);
  if (!body.ok()) return ErrorResponse(body.error());
  Body& b = body.value();
  // Bodies are closed (docs/openapi.yaml): a misspelt field is refused, not passed over.

  if (action == "take")
    return ConversationAnswer(commands_.Execute(caller, cmd::Take{id, version}), 200);
  if (action == "reopen")
    return ConversationAnswer(commands_.Execute(caller, cmd::Reopen{id, version}), 200);
  if (action == "read")
    return ConversationAnswer(commands_.Execute(caller, cmd::MarkRead{id}), 200);
  if (action == "protocol") {
    auto outcome = commands_.Execute(caller, cmd::IssueProtocol{id});
    return ConversationAnswer(outcome, outcome.ok() && outcome.value().created ? 201 : 200);
  }
  if (action == "ignore") {
    if (auto refused = b.RefuseUnknown({"until"})) return ErrorResponse(*refused);
    // Default: half an hour, the usual "not now" of a queue.
    Timestamp until{clock_.Now().ms + 30 * kMinuteMs};
    if (auto text = b.OptString("until")) {
      auto t = ParseRfc3339(*text);
      if (!t) return ErrorResponse(InvalidField("until", "must be an RFC 3339 time"));
      until = *t;
    }
    if (b.error()) return ErrorResponse(*b.error());
    return ConversationAnswer(commands_.Execute(caller, cmd::Ignore{id, until}), 200);
  }
  if (action == "participants") {
    if (auto refused = b.RefuseUnknown({"user_id"})) return ErrorResponse(*refused);
    const std::string user_id = b.NonEmptyString("user_id");
    if (b.error()) return ErrorResponse(*b.error());
    return ConversationAnswer(commands_.Execute(caller, cmd::Invite{id, user_id, version}), 200);
  }
  if (action == "assign") {
    if (auto refused = b.RefuseUnknown({"user_id"})) return ErrorResponse(*refused);
    const std::string user_id = b.NonEmptyString("user_id");
    if (b.error()) return ErrorResponse(*b.error());
    return ConversationAnswer(commands_.Execute(caller, cmd::Assign{id, user_id, version}), 200);
  }
  if (action == "transfer") {
    if (auto refused = b.RefuseUnknown({"user_id", "team_id"})) return ErrorResponse(*refused);
    auto user_id = b.OptString("user_id");
    auto team_id = b.OptString("team_id");
    if (b.error()) return ErrorResponse(*b.error());
    if ((user_id && user_id->empty()) || (team_id && team_id->empty())) {
      return ErrorResponse(
          InvalidField(user_id && user_id->empty() ? "user_id" : "team_id", "must not be empty"));
    }
    return ConversationAnswer(
        commands_.Execute(caller, cmd::Transfer{id, user_id, team_id, version}), 200);
  }
  if (action == "postpone") {
    if (auto refused = b.RefuseUnknown({"until"})) return ErrorResponse(*refused);
    auto until = ReadTime(b, "until");
    if (!until.ok()) return ErrorResponse(until.error());
    return ConversationAnswer(commands_.Execute(caller, cmd::Postpone{id, until.value(), version}),
                              200);
  }
  if (action == "tags") {
    if (auto refused = b.RefuseUnknown({"tag"})) return ErrorResponse(*refused);
    const std::string tag = b.NonEmptyString("tag");
    if (b.error()) return ErrorResponse(*b.error());
    return ConversationAnswer(commands_.Execute(caller, cmd::Tag{id, tag, version}), 200);
  }
  // close
  if (auto refused = b.RefuseUnknown({"reason"})) return ErrorResponse(*refused);
  const std::string reason = b.NonEmptyString("reason");
  if (b.error()) return ErrorResponse(*b.error());
  return ConversationAnswer(commands_.Execute(caller, cmd::Close{id, reason, version}), 200);
}

HttpResponse App::PostMessage(const HttpRequest& r, const Caller& caller, const std::string& id) {
  auto if_match = ReadIfMatch(r);
  if (!if_match.ok()) return ErrorResponse(if_match.error());
  auto body = Body::Parse(r.body);
  if (!body.ok()) return ErrorResponse(body.error());
  Body& b = body.value();
  // A closed body: a misspelt "private" must not send a note to the customer as a reply.
  if (auto refused = b.RefuseUnknown({"text", "private", "await_reply", "quick_reply_id",
                                      "template_id", "params", "attachments"})) {
    return ErrorResponse(*refused);
  }
  cmd::SendMessage m;
  m.id = id;
  m.if_match = if_match.value();
  m.quick_reply_id = b.OptString("quick_reply_id");
  m.template_id = b.OptString("template_id");
  m.params = b.OptStringArray("params").value_or(std::vector<std::string>());
  auto attachments = b.OptArray("attachments");
  // With a quick reply the text may be left out (its text is sent) or edited; a template is
  // the text; a file may go without words.
  const bool text_optional =
      m.quick_reply_id || m.template_id || (attachments && !attachments->empty());
  m.text = text_optional ? b.OptString("text").value_or("") : b.NonEmptyString("text");
  m.is_private = b.OptBool("private", false);
  m.await_reply = b.OptBool("await_reply", false);
  if (b.error()) return ErrorResponse(*b.error());
  if (m.quick_reply_id && m.quick_reply_id->empty()) {
    return ErrorResponse(InvalidField("quick_reply_id", "must not be empty"));
  }
  if (m.template_id && m.template_id->empty()) {
    return ErrorResponse(InvalidField("template_id", "must not be empty"));
  }
  if (attachments && !CanWorkConversations(caller.role)) {
    // Before the uploads are looked up: whether a file exists is not for other roles to learn.
    return ErrorResponse(Forbidden(std::string("the ") + RoleName(caller.role) +
                                   " role cannot change conversations"));
  }
  if (attachments) {
    auto resolved = ResolveAttachments(*attachments, /*keep_foreign=*/false);
    if (!resolved.ok()) return ErrorResponse(resolved.error());
    m.attachments = std::move(resolved).value();
  }
  auto outcome = commands_.Execute(caller, m);
  if (!outcome.ok()) return ErrorResponse(outcome.error());
  AwaitViews(outcome.value().token);
  // The new message is among the last of the conversation: look for it from the end.
  const std::string prefix = view_keys::kMessages + id + "/";
  auto it = views_.NewIterator();
  std::optional<json> message;
  for (it->SeekForPrev(prefix + std::string(9, '\xff'));
       it->Valid() && it->key().starts_with(prefix); it->Prev()) {
    json m_json = json::parse(it->value().ToString(), nullptr, false);
    if (m_json.is_object() && m_json.value("id", "") == outcome.value().message_id) {
      message = std::move(m_json);
      break;
    }
  }
  if (!message) {
    // Recorded, but the views are slow (more than 5 s behind): answer from what we sent, never an
    // error that would make the client send it twice.
    message = json{
        {"id", outcome.value().message_id}, {"direction", "out"}, {"private", m.is_private},
        {"author_id", caller.actor().id},   {"text", m.text},     {"attachments", m.attachments},
        {"at", FormatRfc3339(clock_.Now())}};
  }
  if (auto c = queries_.Conversation(id, clock_.Now()))
    (*message)["conversation"] = json::parse(*c);
  HttpResponse response = JsonResponse(201, *message);
  SetPosition(response, outcome.value().token);
  return response;
}

HttpResponse App::Inbound(const HttpRequest& r, const Caller& caller,
                          const std::string& channel_id) {
  auto body = Body::Parse(r.body);
  if (!body.ok()) return ErrorResponse(body.error());
  Body& b = body.value();
  if (auto refused = b.RefuseUnknown(
          {"external_id", "from", "text", "html", "subject", "sent_at", "attachments"})) {
    return ErrorResponse(*refused);
  }
  cmd::ReceiveInbound a;
  a.channel_id = channel_id;
  a.external_id = b.NonEmptyString("external_id");
  a.text = b.OptString("text").value_or("");
  a.html = b.OptString("html").value_or("");
  a.subject = b.OptString("subject").value_or("");
  if (a.subject.size() > 256) {
    return ErrorResponse(InvalidField("subject", "must be at most 256 bytes"));
  }
  auto from = b.OptObject("from");
  auto attachments = b.OptArray("attachments");
  std::optional<std::string> sent_at = b.OptString("sent_at");
  if (b.error()) return ErrorResponse(*b.error());
  if (!from) return ErrorResponse(InvalidField("from", "is required"));
  for (const char* key : {"name", "phone", "email"}) {
    auto it = from->find(key);
    if (it == from->end() || it->is_null()) continue;
    if (!it->is_string())
      return ErrorResponse(InvalidField(std::string("from.") + key, "must be a string"));
  }
  a.from_name =
      from->value("name", json(nullptr)).is_string() ? (*from)["name"].get<std::string>() : "";
  a.from_phone =
      from->value("phone", json(nullptr)).is_string() ? (*from)["phone"].get<std::string>() : "";
  a.from_email =
      from->value("email", json(nullptr)).is_string() ? (*from)["email"].get<std::string>() : "";
  if (!MayDeliverInbound(caller.role, caller.channel_id, channel_id)) {
    // Before the uploads are looked up: whether a file exists is not for strangers to learn.
    return ErrorResponse(
        Forbidden("only an admin or the channel's own token can deliver messages"));
  }
  if (attachments) {
    auto resolved = ResolveAttachments(*attachments, /*keep_foreign=*/true);
    if (!resolved.ok()) return ErrorResponse(resolved.error());
    a.attachments = std::move(resolved).value();
  }
  if (sent_at) {
    a.sent_at = ParseRfc3339(*sent_at);
    if (!a.sent_at) return ErrorResponse(InvalidField("sent_at", "must be an RFC 3339 time"));
  }
  auto outcome = commands_.Execute(caller, std::move(a));
  if (!outcome.ok()) return ErrorResponse(outcome.error());
  const CommandOutcome& o = outcome.value();
  AwaitViews(o.token);
  // A blocked contact's message is recorded without a conversation.
  const bool blocked = o.id.empty();
  HttpResponse response = JsonResponse(
      o.duplicate ? 200 : 201, json{{"conversation_id", blocked ? json(nullptr) : json(o.id)},
                                    {"message_id", o.message_id},
                                    {"contact_id", o.contact_id},
                                    {"created", o.created},
                                    {"reopened", o.reopened},
                                    {"blocked", blocked}});
  SetPosition(response, o.token);
  return response;
}

}  // namespace helpdesk
