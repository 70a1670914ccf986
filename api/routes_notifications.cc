// A user's notifications: GET /api/v1/notifications, POST /api/v1/notifications/read.
#include "api/app.h"
#include "api/json_io.h"

namespace helpdesk {

std::optional<HttpResponse> App::RouteNotifications(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  if (p[2] != "notifications" || p.size() > 4) return std::nullopt;
  if (!caller.is_user()) return ErrorResponse(Forbidden("only a user has notifications"));
  if (p.size() == 3 && r.method == "GET") {
    auto list = ReadListParams(r);
    if (!list.ok()) return ErrorResponse(list.error());
    const auto unread = QueryParam(r, "unread");
    if (unread && *unread != "true" && *unread != "false") {
      return ErrorResponse(InvalidField("unread", "must be true or false"));
    }
    auto page = queries_.Notifications(caller.user_id, unread && *unread == "true",
                                       list.value().cursor, list.value().limit);
    if (!page.ok()) return ErrorResponse(page.error());
    // The list envelope, with the unread count for the badge.
    std::string body = "{\"items\":" + page.value().items_json + ",\"next_cursor\":";
    body += page.value().next_cursor ? nlohmann::json(*page.value().next_cursor).dump() : "null";
    body += ",\"unread\":" + std::to_string(queries_.UnreadNotifications(caller.user_id)) + "}";
    return JsonResponse(200, body);
  }
  if (p.size() == 4 && p[3] == "read" && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    auto ids = body.value().OptStringArray("ids");
    const bool all = body.value().OptBool("all", false);
    if (body.value().error()) return ErrorResponse(*body.value().error());
    auto outcome = commands_.Execute(
        caller, cmd::MarkNotificationsRead{ids.value_or(std::vector<std::string>()), all});
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    HttpResponse response =
        JsonResponse(200, nlohmann::json{{"unread", queries_.UnreadNotifications(caller.user_id)}});
    SetPosition(response, outcome.value().token);
    return response;
  }
  return std::nullopt;
}

}  // namespace helpdesk
