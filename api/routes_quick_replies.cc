// Quick replies: POST/GET /api/v1/quick-replies, GET/PUT/DELETE /api/v1/quick-replies/{id}.
#include "api/app.h"
#include "api/json_io.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// The fields of a create or edit body; absent ones stay nullopt.
Result<cmd::CreateQuickReply> ReadQuickReply(const HttpRequest& r) {
  auto body = Body::Parse(r.body);
  if (!body.ok()) return body.error();
  Body& b = body.value();
  cmd::CreateQuickReply a;
  a.id = b.OptString("id");
  a.shortcut = b.OptString("shortcut");
  a.text = b.OptString("text");
  a.visibility = b.OptString("visibility");
  if (b.error()) return *b.error();
  return a;
}

}  // namespace

std::optional<HttpResponse> App::RouteQuickReplies(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  if (p[2] != "quick-replies" || p.size() > 4) return std::nullopt;
  if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
    return ErrorResponse(Forbidden("only roles that work conversations have quick replies"));
  }
  const std::string viewer = caller.actor().id;
  // Answers a command with the quick reply as the views now hold it (a supervisor who made
  // someone's public one private sees the result of their own change).
  auto answer = [&](const Result<CommandOutcome>& outcome, int status) {
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    auto q = queries_.QuickReply(std::nullopt, outcome.value().id);
    if (!q) return ErrorResponse(Error{ErrorCode::kInternal, "quick reply missing from views"});
    HttpResponse response = JsonResponse(status, *q);
    SetPosition(response, outcome.value().token);
    return response;
  };

  if (p.size() == 3) {
    if (r.method == "GET") {
      auto list = ReadListParams(r);
      if (!list.ok()) return ErrorResponse(list.error());
      auto page = queries_.QuickReplies(viewer, QueryParam(r, "q"), list.value().cursor,
                                        list.value().limit);
      if (!page.ok()) return ErrorResponse(page.error());
      return ListResponse(page.value().items_json, page.value().next_cursor);
    }
    if (r.method != "POST") return std::nullopt;
    auto args = ReadQuickReply(r);
    if (!args.ok()) return ErrorResponse(args.error());
    auto outcome = commands_.Execute(caller, std::move(args).value());
    return answer(outcome, outcome.ok() && outcome.value().created ? 201 : 200);
  }

  const std::string& id = p[3];
  if (r.method == "GET") {
    auto q = queries_.QuickReply(viewer, id);
    if (!q) return ErrorResponse(NotFound("quick reply " + id));
    return JsonResponse(200, *q);
  }
  if (r.method == "PUT") {
    auto args = ReadQuickReply(r);
    if (!args.ok()) return ErrorResponse(args.error());
    if (args.value().id && *args.value().id != id) {
      return ErrorResponse(InvalidField("id", "must match the quick reply in the path"));
    }
    return answer(commands_.Execute(
                      caller, cmd::UpdateQuickReply{id, args.value().shortcut, args.value().text,
                                                    args.value().visibility}),
                  200);
  }
  if (r.method == "DELETE") {
    auto outcome = commands_.Execute(caller, cmd::DeleteQuickReply{id});
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    HttpResponse response = JsonResponse(200, json{{"id", id}, {"deleted", true}});
    SetPosition(response, outcome.value().token);
    return response;
  }
  return std::nullopt;
}

}  // namespace helpdesk
