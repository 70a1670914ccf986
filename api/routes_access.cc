// Who am I, user edits (role, access) and users' tokens: the "Access" part of the contract.
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "api/app.h"
#include "api/json_io.h"
#include "projections/tag_catalog.h"
#include "projections/view_keys.h"

namespace helpdesk {
namespace {

using nlohmann::json;

// Answers a command with a resource read once the views hold it.
template <class Read>
HttpResponse Answer(const Result<CommandOutcome>& outcome, int status, Read read) {
  if (!outcome.ok()) return ErrorResponse(outcome.error());
  std::optional<json> resource = read(outcome.value());
  if (!resource) return ErrorResponse(Error{ErrorCode::kInternal, "resource missing from views"});
  HttpResponse response = JsonResponse(status, *resource);
  SetPosition(response, outcome.value().token);
  return response;
}

}  // namespace

std::optional<HttpResponse> App::RouteAccess(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  if (p.size() == 3 && p[2] == "me" && r.method == "GET") {
    if (!caller.is_user()) {
      if (!caller.channel_id.empty()) {
        return JsonResponse(200, json{{"id", "channel:" + caller.channel_id},
                                      {"name", caller.channel_id},
                                      {"email", nullptr},
                                      {"role", "channel"},
                                      {"teams", json::array()},
                                      {"avatar_url", nullptr}});
      }
      return JsonResponse(200, json{{"id", "admin"},
                                    {"name", "admin"},
                                    {"email", nullptr},
                                    {"role", "admin"},
                                    {"teams", json::array()},
                                    {"avatar_url", nullptr}});
    }
    auto user = queries_.User(caller.user_id);
    if (!user) return ErrorResponse(NotFound("user " + caller.user_id));
    (*user)["token_id"] = caller.token_id;
    return JsonResponse(200, *user);
  }
  if (p.size() == 3 && p[2] == "tags" && r.method == "GET") {
    // The catalog every tag picker reads: any signed-in user, not a channel's token.
    if (!caller.channel_id.empty()) return ErrorResponse(Forbidden("not for a channel's token"));
    auto list = ReadListParams(r);
    if (!list.ok()) return ErrorResponse(list.error());
    TagQuery q;
    q.prefix = QueryParam(r, "q").value_or("");
    if (q.prefix.size() > 64) return ErrorResponse(InvalidField("q", "must be at most 64 bytes"));
    q.limit = list.value().limit;
    q.cursor = list.value().cursor;
    auto page = QueryTags(views_, q);
    if (!page.ok()) return ErrorResponse(page.error());
    return ListResponse(page.value().items_json, page.value().next_cursor);
  }
  if (p.size() == 4 && p[2] == "settings" && p[3] == "close-reasons" &&
      (r.method == "GET" || r.method == "PUT")) {
    // Every signed-in user reads the list (agents close with it); admins set it.
    if (!caller.channel_id.empty()) return ErrorResponse(Forbidden("not for a channel's token"));
    auto reasons = [&] { return json{{"reasons", queries_.DeskSettings()["close_reasons"]}}; };
    if (r.method == "GET") return JsonResponse(200, reasons());
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    auto list = b.OptStringArray("reasons");
    if (b.error()) return ErrorResponse(*b.error());
    if (!list) return ErrorResponse(InvalidField("reasons", "must be an array of strings"));
    if (auto unknown = b.UnknownField({"reasons"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a field of the close reasons"));
    }
    cmd::UpdateDeskSettings u;
    u.close_reasons = std::move(list);
    return Answer(commands_.Execute(caller, std::move(u)), 200,
                  [&](const CommandOutcome& o) -> std::optional<json> {
                    AwaitViews(o.token);
                    return reasons();
                  });
  }
  if (p.size() == 3 && p[2] == "settings" && (r.method == "GET" || r.method == "PATCH")) {
    if (!CanAdminister(caller.role) || !caller.channel_id.empty()) {
      return ErrorResponse(Forbidden("the desk's settings are an admin's"));
    }
    if (r.method == "GET") return JsonResponse(200, queries_.DeskSettings());
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    cmd::UpdateDeskSettings u{b.OptString("agent_visibility"), std::nullopt};
    if (b.error()) return ErrorResponse(*b.error());
    if (auto unknown = b.UnknownField({"agent_visibility"})) {
      return ErrorResponse(InvalidField(*unknown, "is not a desk setting"));
    }
    return Answer(commands_.Execute(caller, std::move(u)), 200,
                  [&](const CommandOutcome& o) -> std::optional<json> {
                    AwaitViews(o.token);
                    return queries_.DeskSettings();
                  });
  }
  if (p.size() < 4 || p[2] != "users") return std::nullopt;
  const std::string& user_id = p[3];
  const bool self = caller.is_user() && caller.user_id == user_id;
  const bool admin = CanAdminister(caller.role) && caller.channel_id.empty();

  if (p.size() == 4 && r.method == "PATCH") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    // `teams`: the user's teams, whole. Checked before anything is written.
    std::optional<std::vector<std::string>> teams;
    if (b.Has("teams")) {
      teams = b.OptStringArray("teams");
      if (b.error()) return ErrorResponse(*b.error());
      if (!teams) return ErrorResponse(InvalidField("teams", "must be an array of team ids"));
      if (!CanSupervise(caller.role) || !caller.channel_id.empty()) {
        return ErrorResponse(Forbidden("only supervisors and admins change a user's teams"));
      }
      if (!lookups_.FindUser(user_id)) return ErrorResponse(NotFound("user " + user_id));
      std::sort(teams->begin(), teams->end());
      teams->erase(std::unique(teams->begin(), teams->end()), teams->end());
      for (const std::string& team : *teams) {
        if (!queries_.Team(team)) return ErrorResponse(NotFound("team " + team));
      }
    }
    cmd::UpdateUser u{user_id,
                      b.OptString("name"),
                      b.OptString("email"),
                      b.OptString("role"),
                      b.OptString("avatar_url"),
                      b.OptBool("active")};
    if (b.Has("avatar_url") && !u.avatar_url) u.avatar_url = "";  // null clears it
    if (b.error()) return ErrorResponse(*b.error());
    Result<CommandOutcome> outcome = commands_.Execute(caller, std::move(u));
    if (outcome.ok() && teams) {
      // Team by team, each its own event on its team's stream (teams may live on different
      // nodes of a cluster): a failure part way leaves the changes made, and the same PATCH
      // again finishes the job.
      std::set<std::string> had = lookups_.FindUser(user_id).value_or(UserState()).teams;
      ConsistencyToken token = outcome.value().token;
      for (const std::string& team : *teams) {
        if (had.erase(team)) continue;
        outcome = commands_.Execute(caller, cmd::AddTeamMember{team, user_id});
        if (!outcome.ok()) break;
        token.Merge(outcome.value().token);
      }
      for (const std::string& team : outcome.ok() ? had : std::set<std::string>()) {
        outcome = commands_.Execute(caller, cmd::RemoveTeamMember{team, user_id});
        if (!outcome.ok()) break;
        token.Merge(outcome.value().token);
      }
      if (outcome.ok()) outcome.value().token = token;
    }
    return Answer(outcome, 200, [&](const CommandOutcome& o) {
      AwaitViews(o.token);
      return queries_.User(user_id);
    });
  }

  if (p.size() < 5 || p[4] != "tokens") return std::nullopt;
  if (!self && !admin) return ErrorResponse(Forbidden("a user's tokens are theirs and an admin's"));

  if (p.size() == 5 && r.method == "POST") {
    auto body = Body::Parse(r.body.empty() ? "{}" : r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    cmd::IssueUserToken t;
    t.user_id = user_id;
    t.name = b.OptString("name").value_or("");
    const auto expires = b.OptString("expires_at");
    if (b.error()) return ErrorResponse(*b.error());
    if (expires) {
      t.expires_at = ParseRfc3339(*expires);
      if (!t.expires_at)
        return ErrorResponse(InvalidField("expires_at", "must be an RFC 3339 time"));
    }
    auto outcome = commands_.Execute(caller, std::move(t));
    return Answer(outcome, 201, [&](const CommandOutcome& o) -> std::optional<json> {
      AwaitViews(o.token);
      auto stored = views_.Get(view_keys::kUserToken + user_id + "/" + o.id);
      if (!stored) return std::nullopt;
      json token = json::parse(*stored, nullptr, false);
      token["token"] = o.secret_token;  // shown this once
      token["last_used_at"] = nullptr;
      return token;
    });
  }
  if (p.size() == 5 && r.method == "GET") {
    if (!queries_.User(user_id)) return ErrorResponse(NotFound("user " + user_id));
    auto list = ReadListParams(r);
    if (!list.ok()) return ErrorResponse(list.error());
    auto page = queries_.UserTokens(user_id, list.value().cursor, list.value().limit,
                                    [&](const std::string& token_id) -> std::optional<Timestamp> {
                                      return token_usage_.LastUsed(user_id, token_id);
                                    });
    if (!page.ok()) return ErrorResponse(page.error());
    return ListResponse(page.value().items_json, page.value().next_cursor);
  }
  if (p.size() == 6 && r.method == "DELETE") {
    const std::string& token_id = p[5];
    return Answer(commands_.Execute(caller, cmd::RevokeUserToken{user_id, token_id}), 200,
                  [&](const CommandOutcome& o) -> std::optional<json> {
                    AwaitViews(o.token);
                    return json{{"token_id", token_id}, {"revoked", true}};
                  });
  }
  return std::nullopt;
}

}  // namespace helpdesk
