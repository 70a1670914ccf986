// Users, teams, channels and the inbox summary.
#include "api/app.h"
#include "api/json_io.h"

namespace helpdesk {
namespace {

using nlohmann::json;

}  // namespace

std::optional<HttpResponse> App::RouteDirectory(const HttpRequest& r, const Caller& caller) {
  const auto& p = r.path;
  const std::string& area = p[2];
  const bool reads_directory = CanReadDirectory(caller.role) && caller.channel_id.empty();

  // Answers a create: 201 when created, 200 when the same resource existed already.
  auto created = [&](const Result<CommandOutcome>& outcome, auto read) {
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    std::optional<json> resource = read(outcome.value().id);
    if (!resource) return ErrorResponse(Error{ErrorCode::kInternal, "resource missing from views"});
    if (!outcome.value().secret_token.empty()) (*resource)["token"] = outcome.value().secret_token;
    HttpResponse response = JsonResponse(outcome.value().created ? 201 : 200, *resource);
    SetPosition(response, outcome.value().token);
    return response;
  };
  auto updated = [&](const Result<CommandOutcome>& outcome, auto read) {
    if (!outcome.ok()) return ErrorResponse(outcome.error());
    AwaitViews(outcome.value().token);
    std::optional<json> resource = read();
    if (!resource) return ErrorResponse(Error{ErrorCode::kInternal, "resource missing from views"});
    HttpResponse response = JsonResponse(200, *resource);
    SetPosition(response, outcome.value().token);
    return response;
  };

  if (area == "users") {
    if (p.size() == 3 && r.method == "POST") {
      auto body = Body::Parse(r.body);
      if (!body.ok()) return ErrorResponse(body.error());
      Body& b = body.value();
      cmd::CreateUser u{b.OptString("id"),
                        b.NonEmptyString("name"),
                        b.NonEmptyString("email"),
                        b.NonEmptyString("role"),
                        b.OptStringArray("teams").value_or(std::vector<std::string>{}),
                        ""};
      if (b.error()) return ErrorResponse(*b.error());
      auto outcome = commands_.Execute(caller, std::move(u));
      return created(outcome, [&](const std::string& id) { return queries_.User(id); });
    }
    if (p.size() == 3 && r.method == "GET") {
      if (!reads_directory) return ErrorResponse(Forbidden("this role cannot list users"));
      auto list = ReadListParams(r);
      if (!list.ok()) return ErrorResponse(list.error());
      auto page = queries_.Users(QueryParam(r, "q"), list.value().cursor, list.value().limit);
      if (!page.ok()) return ErrorResponse(page.error());
      return ListResponse(page.value().items_json, page.value().next_cursor);
    }
    if (p.size() == 4 && r.method == "GET") {
      if (!reads_directory) return ErrorResponse(Forbidden("this role cannot read users"));
      auto user = queries_.User(p[3]);
      if (!user) return ErrorResponse(NotFound("user " + p[3]));
      return JsonResponse(200, *user);
    }
    if (p.size() == 5 && p[4] == "presence" && r.method == "PUT") {
      auto body = Body::Parse(r.body);
      if (!body.ok()) return ErrorResponse(body.error());
      const std::string status = body.value().NonEmptyString("status");
      if (body.value().error()) return ErrorResponse(*body.value().error());
      return updated(commands_.Execute(caller, cmd::SetPresence{p[3], status}),
                     [&] { return queries_.User(p[3]); });
    }
    return std::nullopt;
  }

  if (area == "teams") {
    if (p.size() == 3 && r.method == "POST") {
      auto body = Body::Parse(r.body);
      if (!body.ok()) return ErrorResponse(body.error());
      Body& b = body.value();
      cmd::CreateTeam t{b.OptString("id"), b.NonEmptyString("name")};
      if (b.error()) return ErrorResponse(*b.error());
      auto outcome = commands_.Execute(caller, std::move(t));
      return created(outcome, [&](const std::string& id) { return queries_.Team(id); });
    }
    if (p.size() == 3 && r.method == "GET") {
      if (!reads_directory) return ErrorResponse(Forbidden("this role cannot list teams"));
      auto list = ReadListParams(r);
      if (!list.ok()) return ErrorResponse(list.error());
      auto page = queries_.Teams(QueryParam(r, "q"), list.value().cursor, list.value().limit);
      if (!page.ok()) return ErrorResponse(page.error());
      return ListResponse(page.value().items_json, page.value().next_cursor);
    }
    if (p.size() == 4 && r.method == "GET") {
      if (!reads_directory) return ErrorResponse(Forbidden("this role cannot read teams"));
      auto team = queries_.Team(p[3]);
      if (!team) return ErrorResponse(NotFound("team " + p[3]));
      return JsonResponse(200, *team);
    }
    if (p.size() == 5 && p[4] == "members" && r.method == "POST") {
      auto body = Body::Parse(r.body);
      if (!body.ok()) return ErrorResponse(body.error());
      const std::string user_id = body.value().NonEmptyString("user_id");
      if (body.value().error()) return ErrorResponse(*body.value().error());
      return updated(commands_.Execute(caller, cmd::AddTeamMember{p[3], user_id}),
                     [&] { return queries_.Team(p[3]); });
    }
    if (p.size() == 6 && p[4] == "members" && r.method == "DELETE") {
      return updated(commands_.Execute(caller, cmd::RemoveTeamMember{p[3], p[5]}),
                     [&] { return queries_.Team(p[3]); });
    }
    return std::nullopt;
  }

  if (area == "channels" && p.size() == 3 && r.method == "POST") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    cmd::CreateChannel c{b.OptString("id"), b.NonEmptyString("type"), b.NonEmptyString("name"),
                         b.NonEmptyString("address"), ""};
    if (b.error()) return ErrorResponse(*b.error());
    auto outcome = commands_.Execute(caller, std::move(c));
    return created(outcome, [&](const std::string& id) { return queries_.Channel(id); });
  }
  if (area == "channels" && p.size() == 5 && p[4] == "templates") {
    if (!CanWorkConversations(caller.role) || !caller.channel_id.empty()) {
      return ErrorResponse(Forbidden("this role cannot use templates"));
    }
    const std::string& channel_id = p[3];
    if (r.method == "GET") {
      if (!queries_.Channel(channel_id)) return ErrorResponse(NotFound("channel " + channel_id));
      auto list = ReadListParams(r);
      if (!list.ok()) return ErrorResponse(list.error());
      auto page = queries_.Templates(channel_id, list.value().cursor, list.value().limit);
      if (!page.ok()) return ErrorResponse(page.error());
      return ListResponse(page.value().items_json, page.value().next_cursor);
    }
    if (r.method != "POST") return std::nullopt;
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    cmd::CreateTemplate t{b.OptString("id"), channel_id, b.NonEmptyString("name"),
                          b.NonEmptyString("body")};
    if (b.error()) return ErrorResponse(*b.error());
    auto outcome = commands_.Execute(caller, std::move(t));
    return created(outcome,
                   [&](const std::string& id) { return queries_.Template(channel_id, id); });
  }
  if (area == "channels" && p.size() == 5 && p[4] == "integration" && r.method == "PUT") {
    auto body = Body::Parse(r.body);
    if (!body.ok()) return ErrorResponse(body.error());
    Body& b = body.value();
    cmd::SetChannelIntegration a;
    a.channel_id = p[3];
    a.verify_token = b.OptString("verify_token").value_or("");
    a.app_secret = b.OptString("app_secret").value_or("");
    a.outbound_url = b.OptString("outbound_url").value_or("");
    a.outbound_secret = b.OptString("outbound_secret").value_or("");
    if (b.error()) return ErrorResponse(*b.error());
    if (secrets_) {
      // Sealed here: the command may cross the commands topic to the channel's owner.
      for (std::string* secret : {&a.verify_token, &a.app_secret, &a.outbound_secret}) {
        *secret = secrets_->Seal(*secret);
      }
    }
    return updated(commands_.Execute(caller, std::move(a)), [&] { return queries_.Channel(p[3]); });
  }
  // Every signed-in user lists the channels (to start a conversation on one); what a channel is
  // connected to (webhooks, the delivery URL) only admins see.
  auto public_channel = [&](json channel) {
    if (CanAdminister(caller.role)) return channel;
    return json{{"id", channel["id"]},
                {"type", channel["type"]},
                {"name", channel["name"]},
                {"address", channel["address"]}};
  };
  if (area == "channels" && p.size() == 3 && r.method == "GET") {
    if (!caller.channel_id.empty())
      return ErrorResponse(Forbidden("a channel cannot list channels"));
    auto list = ReadListParams(r);
    if (!list.ok()) return ErrorResponse(list.error());
    auto page = queries_.Channels(list.value().cursor, list.value().limit);
    if (!page.ok()) return ErrorResponse(page.error());
    json items = json::parse(page.value().items_json, nullptr, false);
    json shown = json::array();
    for (json& channel : items) shown.push_back(public_channel(std::move(channel)));
    return ListResponse(shown.dump(), page.value().next_cursor);
  }
  if (area == "channels" && p.size() == 4 && r.method == "GET") {
    if (!caller.channel_id.empty() && caller.channel_id != p[3]) {
      return ErrorResponse(Forbidden("a channel reads only itself"));
    }
    auto channel = queries_.Channel(p[3]);
    if (!channel) return ErrorResponse(NotFound("channel " + p[3]));
    return JsonResponse(200, public_channel(std::move(*channel)));
  }

  if (area == "inbox" && p.size() == 4 && p[3] == "summary" && r.method == "GET") {
    if (!reads_directory) return ErrorResponse(Forbidden("this role cannot read the inbox"));
    return JsonResponse(200, queries_.Summary(caller.user_id));
  }
  return std::nullopt;
}

}  // namespace helpdesk
