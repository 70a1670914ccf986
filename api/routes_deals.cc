// Funnels, deals, the board, the funnel report and the agenda: /funnels, /deals,
// /reports/funnel and /agenda.
#include "adapters/time_zone.h"
#include "api/app.h"
#include "api/json_io.h"
#include "api/report_period.h"
#include "domain/funnel.h"
#include "domain/report_rules.h"
#include "projections/task_projector.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// The agenda looks at this many waiting conversations, longest waiting first.
constexpr size_t kAgendaWaitingScan = 500;
// And shows at most this many of the caller's tasks.
constexpr size_t kAgendaTasks = 200;

// A funnel's stages from a request body: [{id, name, kind?}].
Result<std::vector<FunnelStage>> ReadStages(Body& body) {
  auto stages = body.OptArray("stages");
  if (body.error()) return *body.error();
  if (!stages) return InvalidField("stages", "must be an array of stages");
  std::vector<FunnelStage> out;
  for (size_t i = 0; i < stages->size(); ++i) {
    const json& s = (*stages)[i];
    const std::string field = "stages[" + std::to_string(i) + "]";
    if (!s.is_object()) return InvalidField(field, "must be an object");
    FunnelStage stage;
    for (const auto& [key, value] : s.items()) {
      if (key != "id" && key != "name" && key != "kind") {
        return InvalidField(field + "." + key, "is not a field of a stage");
      }
      if (!value.is_string()) return InvalidField(field + "." + key, "must be a string");
    }
    stage.id = s.value("id", "");
    stage.name = s.value("name", "");
    stage.kind = s.value("kind", "open");
    out.push_back(std::move(stage));
  }
  return out;
}

// Today's date in `zone`.
std::string LocalDate(Timestamp now, const TimeZone& zone) {
  const int64_t offset = zone.OffsetAt(now).seconds;
  return FormatRfc3339(Timestamp{now.ms + offset * 1000}).substr(0, 10);
}

}  // namespace

std::optional<HttpResponse> App::RouteDeals(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  const bool is_reports = p.size() == 4 && p[2] == "reports" && p[3] == "funnel";
  if (p[2] != "funnels" && p[2] != "deals" && p[2] != "agenda" && !is_reports) return std::nullopt;
  if (!caller.channel_id.empty()) return ErrorResponse(Forbidden("a channel token reads no deals"));

  if (is_reports) {
    if (r.method != "GET") return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
    if (!CanReadReports(caller.role)) {
      return ErrorResponse(Forbidden("only an admin, a supervisor or an analyst can read reports"));
    }
    auto period = ReadReportPeriod(r, clock_.Now());
    if (!period.ok()) return ErrorResponse(period.error());
    const std::string funnel_id = QueryParam(r, "funnel").value_or(kDefaultFunnelId);
    auto funnel = deals_.Funnel(funnel_id);
    if (!funnel) return ErrorResponse(NotFound("funnel " + funnel_id));
    json report = deals_.Report(*funnel, period.value().from, period.value().to);
    report["from"] = FormatRfc3339(period.value().from);
    report["to"] = FormatRfc3339(period.value().to);
    report["tz"] = period.value().zone.name();
    return JsonResponse(200, report);
  }
  // Analysts read the funnels and deals they report on (no contact data is in them).
  if (!CanReadConversations(caller.role) && !CanReadReports(caller.role)) {
    return ErrorResponse(Forbidden("this role cannot read deals"));
  }

  if (p[2] == "agenda") {
    if (p.size() != 3 || r.method != "GET") {
      return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
    }
    const std::string tz_name = QueryParam(r, "tz").value_or("UTC");
    auto zone = TimeZone::Find(tz_name);
    if (!zone.ok()) return ErrorResponse(zone.error());
    const std::string today = LocalDate(clock_.Now(), zone.value());
    json deals = json::array();
    json tasks = json::array();
    json waiting = json::array();
    if (caller.is_user()) {
      // The caller's pending tasks due by the end of today, soonest first.
      TaskListRequest mine;
      mine.scopes = {TaskAssigneeScope(caller.user_id)};
      mine.status = "pending";
      mine.due_to = LocalMidnight(clock_.Now(), zone.value(), 1);
      mine.limit = kAgendaTasks;
      mine.now = clock_.Now();
      auto due = tasks_.List(mine);
      if (!due.ok()) return ErrorResponse(due.error());
      tasks = json::parse(due.value().page.items_json, nullptr, false);
      for (json& deal : deals_.DealsToClose(caller.user_id, today)) deals.push_back(deal);
      // Conversations waiting for our reply whose contact is in the caller's portfolio.
      InboxRequest q;
      q.view = InboxView::kWaiting;
      q.caller_id = caller.user_id;
      if (auto user = lookups_.FindUser(caller.user_id)) {
        q.caller_teams.assign(user->teams.begin(), user->teams.end());
      }
      q.sight = lookups_.SightOf(caller);  // what the desk's visibility lets them see
      q.limit = kAgendaWaitingScan;
      q.now = clock_.Now();
      auto page = QueryInbox(views_, q);
      if (!page.ok()) return ErrorResponse(page.error());
      const json items = json::parse(page.value().items_json, nullptr, false);
      for (const json& c : items.is_array() ? items : json::array()) {
        const std::string contact_id = c.value("contact", json::object()).value("id", "");
        auto contact = queries_.Contact(contact_id);
        if (!contact || contact->value("owner_id", json()) != json(caller.user_id)) continue;
        waiting.push_back({{"contact_id", contact_id},
                           {"conversation_id", c.value("id", "")},
                           {"waiting_since", c.value("waiting_since", json())}});
      }
    }
    return JsonResponse(
        200, json{{"date", today}, {"deals", deals}, {"tasks", tasks}, {"waiting", waiting}});
  }

  // A command's answer: once the views have it, the object as they show it.
  auto answer = [&](const Result<CommandOutcome>& outcome, bool is_deal, int status) {
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    const std::string& id = outcome.value().id;
    auto object = is_deal ? deals_.Deal(id) : deals_.Funnel(id);
    if (!object) return ErrorResponse(Error{ErrorCode::kInternal, "missing from the views"});
    HttpResponse response = VersionedResponse(outcome.value().created ? 201 : status, *object);
    SetPosition(response, outcome.value().token);
    return response;
  };

  if (p[2] == "funnels") {
    if (p.size() == 3 && r.method == "GET") {
      json items = json::array();
      for (json& f : deals_.Funnels()) items.push_back(std::move(f));
      return JsonResponse(200, json{{"items", items}});
    }
    if ((p.size() == 3 && r.method == "POST") || (p.size() == 4 && r.method == "PUT")) {
      auto body = Body::Parse(r.body);
      if (!body.ok()) return ErrorResponse(body.error());
      Body& b = body.value();
      if (auto unknown = b.UnknownField({"id", "name", "stages"})) {
        return ErrorResponse(InvalidField(*unknown, "is not a field of a funnel"));
      }
      cmd::DefineFunnel c;
      c.replace = p.size() == 4;
      if (c.replace && b.Has("id") && b.OptString("id") != p[3]) {
        return ErrorResponse(InvalidField("id", "must be the funnel's id in the path, if given"));
      }
      c.id = c.replace ? std::optional<std::string>(p[3]) : b.OptString("id");
      c.name = b.NonEmptyString("name");
      if (b.error()) return ErrorResponse(*b.error());
      auto stages = ReadStages(b);
      if (!stages.ok()) return ErrorResponse(stages.error());
      c.stages = std::move(stages).value();
      return answer(commands_.Execute(caller, std::move(c)), false, 200);
    }
    if (p.size() == 4 && r.method == "GET") {
      auto funnel = deals_.Funnel(p[3]);
      if (!funnel) return ErrorResponse(NotFound("funnel " + p[3]));
      return VersionedResponse(200, *funnel);
    }
    if (p.size() == 5 && p[4] == "board" && r.method == "GET") {
      auto funnel = deals_.Funnel(p[3]);
      if (!funnel) return ErrorResponse(NotFound("funnel " + p[3]));
      std::optional<Timestamp> as_of;
      if (auto text = QueryParam(r, "as_of")) {
        as_of = ParseRfc3339(*text);
        if (!as_of || as_of->ms < 0) {
          return ErrorResponse(InvalidField("as_of", "must be an RFC 3339 time from 1970 on"));
        }
      }
      return JsonResponse(200, deals_.Board(*funnel, as_of));
    }
    return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
  }

  // /deals
  if (p.size() == 3 && r.method == "GET") {
    auto list = ReadListParams(r);
    if (!list.ok()) return ErrorResponse(list.error());
    DealFilter f;
    f.funnel = QueryParam(r, "funnel");
    f.stage = QueryParam(r, "stage");
    f.owner = QueryParam(r, "owner");
    if (f.owner && *f.owner == "me") f.owner = caller.user_id;
    f.contact = QueryParam(r, "contact");
    f.status = QueryParam(r, "status");
    if (f.status && *f.status != "open" && *f.status != "won" && *f.status != "lost") {
      return ErrorResponse(InvalidField("status", "must be open, won or lost"));
    }
    auto page = deals_.List(f, list.value().cursor, list.value().limit);
    if (!page.ok()) return ErrorResponse(page.error());
    return ListResponse(page.value().page.items_json, page.value().page.next_cursor,
                        page.value().total);
  }
  if (p.size() == 3 && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown =
            b.UnknownField({"id", "title", "contact_id", "funnel_id", "stage_id", "value",
                            "currency", "owner_id", "conversation_id", "expected_close_on"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of a deal"));
    }
    // Left out, they take their defaults (0, BRL); null is no value a deal can have, as an
    // edit's null is refused too.
    for (const char* defaulted : {"value", "currency"}) {
      if (b.IsNull(defaulted)) {
        return ErrorResponse(
            InvalidField(defaulted, "cannot be null: leave it out for its default"));
      }
    }
    cmd::CreateDeal c;
    c.id = b.OptString("id");
    c.title = b.NonEmptyString("title");
    c.contact_id = b.NonEmptyString("contact_id");
    c.funnel_id = b.OptString("funnel_id");
    c.stage_id = b.OptString("stage_id");
    c.value = b.OptNumber("value").value_or(0);
    c.currency = b.OptString("currency").value_or("BRL");
    c.owner_id = b.OptString("owner_id");
    c.conversation_id = b.OptString("conversation_id");
    c.expected_close_on = b.OptString("expected_close_on");
    if (b.error()) return ErrorResponse(*b.error());
    return answer(commands_.Execute(caller, std::move(c)), true, 200);
  }
  if (p.size() < 4) return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
  const std::string& id = p[3];
  if (p.size() == 4 && r.method == "GET") {
    auto deal = deals_.Deal(id);
    if (!deal) return ErrorResponse(NotFound("deal " + id));
    return VersionedResponse(200, *deal);
  }
  auto if_match = ReadIfMatch(r);
  if (!if_match.ok()) return ErrorResponse(if_match.error());
  if (p.size() == 4 && r.method == "PATCH") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown =
            b.UnknownField({"title", "value", "currency", "owner_id", "expected_close_on"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field a deal's edit takes"));
    }
    for (const char* required : {"title", "value", "currency"}) {
      if (b.IsNull(required)) {
        return ErrorResponse(InvalidField(required, "cannot be removed"));
      }
    }
    cmd::UpdateDeal c;
    c.deal_id = id;
    c.if_match = if_match.value();
    c.title = b.OptString("title");
    c.value = b.OptNumber("value");
    c.currency = b.OptString("currency");
    // null removes the owner or the date: "" in the command.
    c.owner_id =
        b.Has("owner_id") ? std::optional(b.OptString("owner_id").value_or("")) : std::nullopt;
    c.expected_close_on = b.Has("expected_close_on")
                              ? std::optional(b.OptString("expected_close_on").value_or(""))
                              : std::nullopt;
    if (b.error()) return ErrorResponse(*b.error());
    return answer(commands_.Execute(caller, std::move(c)), true, 200);
  }
  if (p.size() == 5 && p[4] == "move" && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    if (auto unknown = b.UnknownField({"stage_id", "reason"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of a move"));
    }
    cmd::MoveDeal c{id, b.NonEmptyString("stage_id"), b.OptString("reason"), if_match.value()};
    if (b.error()) return ErrorResponse(*b.error());
    return answer(commands_.Execute(caller, std::move(c)), true, 200);
  }
  if (p.size() == 5 && p[4] == "reopen" && r.method == "POST") {
    std::optional<std::string> stage_id;
    if (!r.body.empty()) {
      auto body = Body::Parse(r.body);
      if (!body.ok()) return ErrorResponse(body.error());
      Body& b = body.value();
      if (auto unknown = b.UnknownField({"stage_id"})) {
        return ErrorResponse(InvalidField(*unknown, "is not a field of a reopening"));
      }
      stage_id = b.OptString("stage_id");
      if (b.error()) return ErrorResponse(*b.error());
    }
    return answer(commands_.Execute(caller, cmd::ReopenDeal{id, stage_id, if_match.value()}), true,
                  200);
  }
  return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
}

}  // namespace helpdesk
