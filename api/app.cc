#include "api/app.h"

#include <spdlog/spdlog.h>

#include "adapters/random_ids.h"
#include "api/json_io.h"

namespace helpdesk {
namespace {

constexpr auto kMaxWait = std::chrono::seconds(5);

}  // namespace

void SetPosition(HttpResponse& response, const ConsistencyToken& token) {
  response.headers["X-Position"] = token.ToString();
}

App::App(Commands& commands, const CommandService& lookups, const ViewStore& views,
         const ProjectionRunner& projections, EventLog& log, const AttachmentStore& attachments,
         const Clock& clock, std::string admin_token, bool read_only)
    : commands_(commands),
      lookups_(lookups),
      views_(views),
      queries_(views),
      reports_(views),
      projections_(projections),
      log_(log),
      attachments_(attachments),
      clock_(clock),
      admin_token_(std::move(admin_token)),
      read_only_(read_only) {}

HttpResponse App::Handle(const HttpRequest& request) {
  HttpResponse response;
  try {
    response = Dispatch(request);
  } catch (const std::exception& e) {
    spdlog::error("{} /{} failed: {}", request.method, fmt::join(request.path, "/"), e.what());
    response = ErrorResponse(Error{ErrorCode::kInternal, e.what()});
  }
  spdlog::debug("{} /{} -> {}", request.method, fmt::join(request.path, "/"), response.status);
  return response;
}

Result<Caller> App::Authenticate(const HttpRequest& request) const {
  const std::string header = request.Header("authorization");
  const std::string prefix = "Bearer ";
  if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) {
    return Error{ErrorCode::kUnauthorized, "a bearer token is required"};
  }
  const std::string token = header.substr(prefix.size());
  if (!admin_token_.empty() && ConstantTimeEquals(token, admin_token_)) {
    return Caller{"", Role::kAdmin, ""};
  }
  if (auto caller = lookups_.CallerForToken(Sha256Hex(token))) return *caller;
  return Error{ErrorCode::kUnauthorized, "the token is not valid"};
}

HttpResponse App::Dispatch(const HttpRequest& r) {
  const auto& p = r.path;
  if (p.size() == 1 && (p[0] == "healthz" || p[0] == "readyz")) {
    if (r.method != "GET") return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
    if (p[0] == "healthz") return JsonResponse(200, nlohmann::json{{"status", "ok"}});
    // Ready from the first catch-up on: a few milliseconds of lag under load is no reason to
    // take the node out of a load balancer.
    if (!ready_once_ && projections_.CaughtUp()) ready_once_ = true;
    const bool ready = ready_once_;
    return JsonResponse(ready ? 200 : 503,
                        nlohmann::json{{"status", ready ? "ready" : "catching_up"},
                                       {"applied", projections_.Applied().ToString()},
                                       {"log", log_.Head().ToString()}});
  }
  if (p.size() == 3 && p[0] == "webhooks" && p[1] == "whatsapp") {
    // Providers cannot hold our bearer tokens: the channel's own secrets authenticate them.
    if (read_only_) return ErrorResponse(Forbidden("this node serves a replayed past"));
    return WhatsAppWebhook(r, p[2]);
  }
  if (p.size() < 3 || p[0] != "api" || p[1] != "v1") {
    return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
  }
  auto caller = Authenticate(r);
  if (!caller.ok() && !r.Header("x-min-position").empty()) {
    // A token made on another node of a cluster: known here once this node has read that far.
    Status waited = HonourMinPosition(r);
    if (!waited.ok()) return ErrorResponse(waited.error());
    caller = Authenticate(r);
  }
  if (!caller.ok()) return ErrorResponse(caller.error());
  if (read_only_ && r.method != "GET") {
    return ErrorResponse(Forbidden("this node serves a replayed past: it answers reads only"));
  }
  if (r.body_too_large) return TooLargeResponse(r);
  // Reads wait for the views to include the position; commands too, so that in a cluster the
  // node deciding them sees what the client saw anywhere else.
  Status waited = HonourMinPosition(r);
  if (!waited.ok()) return ErrorResponse(waited.error());
  if (auto response = RouteConversations(r, caller.value())) return *response;
  if (auto response = RouteDirectory(r, caller.value())) return *response;
  if (auto response = RouteEvents(r, caller.value())) return *response;
  if (auto response = RouteReports(r, caller.value())) return *response;
  if (auto response = RouteQuickReplies(r, caller.value())) return *response;
  if (auto response = RouteNotifications(r, caller.value())) return *response;
  if (auto response = RouteAttachments(r, caller.value())) return *response;
  return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
}

void App::AwaitViews(const ConsistencyToken& token) const {
  if (!projections_.WaitFor(token, kMaxWait)) {
    spdlog::warn("views did not reach {} within 5 s", token.ToString());
  }
}

Status App::HonourMinPosition(const HttpRequest& r) const {
  const std::string header = r.Header("x-min-position");
  if (header.empty()) return Status::Ok();
  auto token = ConsistencyToken::Parse(header);
  if (!token) return InvalidField("X-Min-Position", "is not a position token");
  AwaitViews(*token);
  return Status::Ok();
}

}  // namespace helpdesk
