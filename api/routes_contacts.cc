// Contacts: the list and its filters, the card and its edits, the portfolio, notes, the
// customer's conversations, custom attributes, and the contact's LGPD/opt-in/block switches.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "adapters/random_ids.h"
#include "api/app.h"
#include "api/json_io.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// The list's filters from the query string; `me` as owner is the caller.
Result<ContactFilter> ReadContactFilter(const HttpRequest& r, const Caller& caller) {
  ContactFilter f;
  f.q = QueryParam(r, "q");
  f.owner = QueryParam(r, "owner");
  if (f.owner && *f.owner == "me") f.owner = caller.user_id;
  f.tag = QueryParam(r, "tag");
  f.funnel = QueryParam(r, "funnel");
  f.stage = QueryParam(r, "stage");
  if (auto sort = QueryParam(r, "sort")) {
    auto parsed = ParseContactSort(*sort);
    if (!parsed) return InvalidField("sort", "must be name, recent or created");
    f.sort = *parsed;
  }
  if (auto after = QueryParam(r, "created_after")) {
    f.created_after = ParseRfc3339(*after);
    if (!f.created_after) return InvalidField("created_after", "must be an RFC 3339 time");
  }
  for (const auto& [name, value] : r.query) {
    // Like every filter, an empty one does not narrow.
    if (name.starts_with("attr.") && name.size() > 5 && !value.empty()) {
      f.attributes[name.substr(5)] = value;
    }
  }
  return f;
}

}  // namespace

std::optional<HttpResponse> App::RouteContacts(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  if (p[2] == "contact-attributes") return RouteContactAttributes(r, caller);
  if (p[2] != "contacts") return std::nullopt;
  const bool reads_contacts = CanReadConversations(caller.role) && caller.channel_id.empty();

  // A command's answer: once the views have it, the contact as they show it.
  auto answer = [&](const Result<CommandOutcome>& outcome, const std::string& id, int status) {
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    auto contact = queries_.Contact(id);
    if (!contact) return ErrorResponse(Error{ErrorCode::kInternal, "contact missing from views"});
    HttpResponse response = VersionedResponse(status, *contact);
    SetPosition(response, outcome.value().token);
    return response;
  };

  if (p.size() == 3 && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown = b.UnknownField(
            {"id", "name", "phone", "email", "owner_id", "tags", "attributes", "social"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of a contact"));
    }
    cmd::CreateContact c;
    c.id = b.OptString("id");
    c.name = b.NonEmptyString("name");
    c.phone = b.OptString("phone").value_or("");
    c.email = b.OptString("email").value_or("");
    c.owner_id = b.OptString("owner_id");
    c.tags = b.OptStringArray("tags").value_or(std::vector<std::string>{});
    c.attributes = b.OptObject("attributes").value_or(json::object());
    c.social = b.OptObject("social").value_or(json::object());
    if (b.error()) return ErrorResponse(*b.error());
    auto outcome = commands_.Execute(caller, std::move(c));
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    return answer(outcome, outcome.value().id, outcome.value().created ? 201 : 200);
  }
  if (p.size() == 3 && r.method == "GET") {
    if (!reads_contacts) return ErrorResponse(Forbidden("this role cannot list contacts"));
    auto list = ReadListParams(r);
    if (!list.ok()) return ErrorResponse(list.error());
    auto filter = ReadContactFilter(r, caller);
    if (!filter.ok()) return ErrorResponse(filter.error());
    auto page = contacts_.List(filter.value(), list.value().cursor, list.value().limit);
    if (!page.ok()) return ErrorResponse(page.error());
    const Page& items = page.value().page;
    return ListResponse(items.items_json, items.next_cursor, page.value().total);
  }
  if (p.size() < 4) return std::nullopt;
  const std::string& id = p[3];

  if (p.size() == 4 && id == "import" && r.method == "POST") return ImportContacts(r, caller);
  if (p.size() == 5 && id == "imports" && r.method == "GET") {
    if (!CanSupervise(caller.role) || !caller.channel_id.empty()) {
      return ErrorResponse(Forbidden("only supervisors and admins import contacts"));
    }
    auto progress = contacts_.Import(p[4]);
    if (!progress) return ErrorResponse(NotFound("import " + p[4]));
    return JsonResponse(200, *progress);
  }
  if (p.size() == 4 && id == "export.csv" && r.method == "GET") {
    // Every contact at once is a bulk copy of personal data: supervisors and admins only.
    if (!CanSupervise(caller.role) || !caller.channel_id.empty()) {
      return ErrorResponse(Forbidden("only supervisors and admins export contacts"));
    }
    auto filter = ReadContactFilter(r, caller);
    if (!filter.ok()) return ErrorResponse(filter.error());
    std::vector<std::string> keys;
    for (const json& definition : contacts_.Attributes())
      keys.push_back(definition.value("key", ""));
    HttpResponse response;
    response.content_type = "text/csv; charset=utf-8";
    response.headers["Content-Disposition"] = "attachment; filename=\"contacts.csv\"";
    // Streamed: a million contacts never sit in memory at once.
    response.stream = [this, f = std::move(filter).value(), keys](BodyStream& out) {
      std::string chunk = ContactCsvHeader(keys);
      try {
        contacts_.ForEach(f, [&](const json& contact) {
          chunk += ContactCsvRow(contact, keys);
          if (chunk.size() < (64 << 10)) return true;
          const bool open = out.Write(chunk);
          chunk.clear();
          return open;
        });
      } catch (const std::exception& e) {
        spdlog::error("contacts export stopped: {}", e.what());
        return;  // the client sees a cut body, not a complete-looking file
      }
      if (!chunk.empty()) out.Write(chunk);
    };
    return response;
  }

  if (p.size() == 4 && r.method == "GET") {
    if (!reads_contacts) return ErrorResponse(Forbidden("this role cannot read contacts"));
    auto contact = queries_.Contact(id);
    if (!contact) return ErrorResponse(NotFound("contact " + id));
    return VersionedResponse(200, *contact);
  }
  if (p.size() == 4 && r.method == "PATCH") {
    auto if_match = ReadIfMatch(r);
    if (!if_match.ok()) return ErrorResponse(if_match.error());
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown = b.UnknownField({"name", "phone", "email", "tags", "attributes", "social"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field a contact's edit may set"));
    }
    cmd::UpdateContact u;
    u.contact_id = id;
    u.if_match = if_match.value();
    u.name = b.OptString("name");
    if (!u.name && b.Has("name")) {
      return ErrorResponse(InvalidField("name", "must be a non-empty string"));
    }
    // null removes a phone or an e-mail (merge patch).
    u.phone = b.OptString("phone");
    if (!u.phone && b.Has("phone")) u.phone = "";
    u.email = b.OptString("email");
    if (!u.email && b.Has("email")) u.email = "";
    u.tags = b.OptStringArray("tags");
    if (!u.tags && b.Has("tags")) u.tags = std::vector<std::string>{};
    u.attributes = b.OptObject("attributes").value_or(json());
    u.social = b.OptObject("social").value_or(json());
    if (b.error()) return ErrorResponse(*b.error());
    return answer(commands_.Execute(caller, std::move(u)), id, 200);
  }
  if (p.size() == 5 && p[4] == "owner" && r.method == "PUT") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (!b.Has("user_id")) return ErrorResponse(InvalidField("user_id", "is required (or null)"));
    cmd::SetContactOwner o{id, b.OptString("user_id")};
    if (b.error()) return ErrorResponse(*b.error());
    return answer(commands_.Execute(caller, std::move(o)), id, 200);
  }
  if (p.size() == 5 && p[4] == "notes") {
    if (r.method == "GET") {
      if (!reads_contacts) return ErrorResponse(Forbidden("this role cannot read contacts"));
      if (!queries_.Contact(id)) return ErrorResponse(NotFound("contact " + id));
      auto list = ReadListParams(r);
      if (!list.ok()) return ErrorResponse(list.error());
      auto page = contacts_.Notes(id, list.value().cursor, list.value().limit);
      if (!page.ok()) return ErrorResponse(page.error());
      return ListResponse(page.value().items_json, page.value().next_cursor);
    }
    if (r.method != "POST") return std::nullopt;
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    const std::string text = body.value().NonEmptyString("text");
    if (body.value().error()) return ErrorResponse(*body.value().error());
    auto outcome = commands_.Execute(caller, cmd::AddContactNote{id, text});
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    // The newest note is the first of the list: the one just written, or a later one.
    auto page = contacts_.Notes(id, std::nullopt, 50);
    json notes = json::parse(page.ok() ? page.value().items_json : "[]", nullptr, false);
    for (const json& note : notes) {
      if (note.value("id", "") != outcome.value().id) continue;
      HttpResponse response = JsonResponse(201, note);
      SetPosition(response, outcome.value().token);
      return response;
    }
    return ErrorResponse(Error{ErrorCode::kInternal, "note missing from views"});
  }
  if (p.size() == 5 && p[4] == "timeline" && r.method == "GET") {
    // The customer's whole history: an auditor's and a supervisor's view, and the agent's
    // column, without the conversations the desk's visibility hides from the caller.
    if (!reads_contacts) return ErrorResponse(Forbidden("this role cannot read contacts"));
    if (!queries_.Contact(id)) return ErrorResponse(NotFound("contact " + id));
    auto list = ReadListParams(r);
    if (!list.ok()) return ErrorResponse(list.error());
    auto page = contacts_.Timeline(id, list.value().cursor, list.value().limit,
                                   [&](const std::string& conversation_id) {
                                     return !lookups_.Hides(caller, conversation_id);
                                   });
    if (!page.ok()) return ErrorResponse(page.error());
    return ListResponse(page.value().items_json, page.value().next_cursor);
  }
  if (p.size() == 5 && p[4] == "conversations" && r.method == "GET") {
    if (!reads_contacts) return ErrorResponse(Forbidden("this role cannot read contacts"));
    if (!queries_.Contact(id)) return ErrorResponse(NotFound("contact " + id));
    const std::optional<NarrowedViewer> sight = lookups_.SightOf(caller);
    const Timestamp now = clock_.Now();
    std::vector<json> items;
    for (const std::string& conversation_id : contacts_.ConversationIds(id)) {
      auto text = queries_.Conversation(conversation_id, now);
      if (!text || Hidden(sight, *text)) continue;
      json c = json::parse(*text, nullptr, false);
      if (!c.is_object()) continue;
      items.push_back(json{{"id", c["id"]},
                           {"channel_id", c["channel_id"]},
                           {"status", c["status"]},
                           {"opened_at", c["opened_at"]},
                           {"closed_at", c["closed_at"]},
                           {"close_reason", c["close_reason"]},
                           {"protocol", c["protocol"]},
                           {"subject", c["subject"]},
                           {"assignee_id", c["assignee_id"]},
                           {"team_id", c["team_id"]}});
    }
    // Newest first; the same instant by id, so the order is stable.
    std::sort(items.begin(), items.end(), [](const json& a, const json& b) {
      const std::string at_a = a["opened_at"].get<std::string>();
      const std::string at_b = b["opened_at"].get<std::string>();
      return at_a != at_b ? at_a > at_b : a["id"].get<std::string>() < b["id"].get<std::string>();
    });
    return ListResponse(json(items).dump(), std::nullopt);
  }
  if (p.size() == 6 && p[4] == "orders" && r.method == "PUT") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    auto outcome =
        commands_.Execute(caller, cmd::RecordOrder{id, p[5], json::parse(r.body, nullptr, false)});
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    for (const json& order : contacts_.Orders(id)) {
      if (order.value("external_id", "") != p[5]) continue;
      HttpResponse response = JsonResponse(outcome.value().created ? 201 : 200, order);
      SetPosition(response, outcome.value().token);
      return response;
    }
    return ErrorResponse(Error{ErrorCode::kInternal, "order missing from views"});
  }
  if (p.size() == 5 && p[4] == "orders" && r.method == "GET") {
    const bool integration = !caller.channel_id.empty();
    if (!CanReadConversations(caller.role) && !integration) {
      return ErrorResponse(Forbidden("this role cannot read orders"));
    }
    if (!queries_.Contact(id)) return ErrorResponse(NotFound("contact " + id));
    return ListResponse(contacts_.Orders(id).dump(), std::nullopt);
  }
  if (p.size() == 5 && p[4] == "merge" && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    const std::string from = body.value().NonEmptyString("from");
    if (body.value().error()) return ErrorResponse(*body.value().error());
    return answer(commands_.Execute(caller, cmd::MergeContacts{id, from}), id, 200);
  }
  if (p.size() == 5 && p[4] == "erase" && r.method == "POST") {
    return answer(commands_.Execute(caller, cmd::EraseContact{id}), id, 200);
  }
  if (p.size() == 5 && p[4] == "stage" && r.method == "PUT") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    // `stage` is the name this route took before funnels had ids: still read.
    const std::string stage = body.value().Has("stage_id") || !body.value().Has("stage")
                                  ? body.value().NonEmptyString("stage_id")
                                  : body.value().NonEmptyString("stage");
    const std::string funnel_id = body.value().OptString("funnel_id").value_or(kDefaultFunnelId);
    if (body.value().error()) return ErrorResponse(*body.value().error());
    return answer(commands_.Execute(caller, cmd::SetContactStage{id, stage, funnel_id}), id, 200);
  }
  if (p.size() == 5 && (p[4] == "opt-in" || p[4] == "opt-out") && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    const std::string channel_id = body.value().NonEmptyString("channel_id");
    const std::string source = body.value().OptString("source").value_or("");
    if (body.value().error()) return ErrorResponse(*body.value().error());
    return answer(
        commands_.Execute(caller, cmd::SetOptIn{id, channel_id, p[4] == "opt-in", source}), id,
        200);
  }
  if (p.size() == 5 && (p[4] == "block" || p[4] == "unblock") && r.method == "POST") {
    auto body = Body::Parse(r.body.empty() ? "{}" : r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    const std::string reason = body.value().OptString("reason").value_or("");
    if (body.value().error()) return ErrorResponse(*body.value().error());
    return answer(commands_.Execute(caller, cmd::SetContactBlocked{id, p[4] == "block", reason}),
                  id, 200);
  }
  return std::nullopt;
}

std::optional<HttpResponse> App::RouteContactAttributes(const HttpRequest& r,
                                                        const Caller& caller) {
  const auto& p = r.path;
  if (p.size() == 3 && r.method == "GET") {
    if (!CanReadConversations(caller.role) || !caller.channel_id.empty()) {
      return ErrorResponse(Forbidden("this role cannot read contacts"));
    }
    return ListResponse(contacts_.Attributes().dump(), std::nullopt);
  }
  if (p.size() == 3 && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown = b.UnknownField({"key", "label", "type", "options"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of an attribute"));
    }
    cmd::DefineContactAttribute d{b.NonEmptyString("key"), b.NonEmptyString("label"),
                                  b.NonEmptyString("type"),
                                  b.OptStringArray("options").value_or(std::vector<std::string>{})};
    if (b.error()) return ErrorResponse(*b.error());
    const std::string key = d.key;
    auto outcome = commands_.Execute(caller, std::move(d));
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    auto attribute = contacts_.Attribute(key);
    if (!attribute)
      return ErrorResponse(Error{ErrorCode::kInternal, "attribute missing from views"});
    HttpResponse response = JsonResponse(outcome.value().created ? 201 : 200, *attribute);
    SetPosition(response, outcome.value().token);
    return response;
  }
  if (p.size() == 4 && r.method == "GET") {
    if (!CanReadConversations(caller.role) || !caller.channel_id.empty()) {
      return ErrorResponse(Forbidden("this role cannot read contacts"));
    }
    auto attribute = contacts_.Attribute(p[3]);
    if (!attribute) return ErrorResponse(NotFound("contact attribute " + p[3]));
    return JsonResponse(200, *attribute);
  }
  return std::nullopt;
}

HttpResponse App::ImportContacts(const HttpRequest& r, const Caller& caller) {
  // A file writes many contacts at once: supervisors and admins only.
  if (!CanSupervise(caller.role) || !caller.channel_id.empty()) {
    return ErrorResponse(Forbidden("only supervisors and admins import contacts"));
  }
  const std::string mode = QueryParam(r, "mode").value_or("upsert");
  if (mode != "upsert" && mode != "create_only") {
    return ErrorResponse(InvalidField("mode", "must be upsert or create_only"));
  }
  const std::string type = r.Header("content-type");
  if (type.rfind("text/csv", 0) != 0) {
    return ErrorResponse(InvalidField("Content-Type", "must be text/csv"));
  }
  // The whole file is read and checked here, outside any lock, before anything is recorded: a
  // file that is not CSV is refused whole.
  auto table = ParseCsv(r.body);
  if (!table.ok()) return ErrorResponse(table.error());
  std::map<std::string, AttributeDefinition> defined;
  for (const json& definition : contacts_.Attributes()) {
    AttributeDefinition d = definition.get<AttributeDefinition>();
    defined[d.key] = std::move(d);
  }
  auto columns = ReadImportHeader(table.value().header, defined);
  if (!columns.ok()) return ErrorResponse(columns.error());
  ImportJob job{mode, Sha256Hex(r.body), std::move(columns).value(), std::move(defined),
                std::move(table).value()};
  auto started = importer_->Start(caller, std::move(job));
  if (!started.ok()) return ErrorResponse(started.error());
  // Readable at once: GET …/imports/{id} right after this answer finds it.
  AwaitViews(started.value().token);
  const std::string& id = started.value().id;
  HttpResponse response = JsonResponse(202, json{{"import_id", id}});
  response.headers["Location"] = "/api/v1/contacts/imports/" + id;
  SetPosition(response, started.value().token);
  return response;
}

}  // namespace helpdesk
