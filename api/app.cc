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
         const ProjectionRunner& projections, EventLog& log, EventLog& audit_log,
         const AttachmentStore& attachments, const Clock& clock, AppOptions options)
    : commands_(commands, clock),
      lookups_(lookups),
      views_(views),
      queries_(views),
      contacts_(views),
      deals_(views),
      tasks_(views),
      reports_(views),
      projections_(projections),
      log_(log),
      audit_log_(audit_log),
      pseudonyms_(options.secrets ? options.secrets->Derive("helpdesk analyst pseudonyms v1")
                                  : Sha256Hex(options.admin_token + "analyst pseudonyms")),
      attachments_(attachments),
      clock_(clock),
      admin_token_sha256_(options.admin_token.empty() ? "" : Sha256Hex(options.admin_token)),
      read_only_(options.read_only),
      dense_positions_(options.dense_positions),
      max_lag_(options.max_lag),
      metrics_on_(options.metrics),
      metrics_token_sha256_(options.metrics_token.empty() ? "" : Sha256Hex(options.metrics_token)),
      delivery_(options.delivery),
      checkpoint_(std::move(options.checkpoint)),
      per_token_(options.per_token),
      per_address_(options.per_address),
      secrets_(std::move(options.secrets)),
      importer_(std::make_unique<ContactImporter>(commands_, queries_, options.node_id)) {}

void App::FailInterruptedImports() {
  if (read_only_) return;
  importer_->FailInterrupted([this] {
    // What the log held at the start is in the views first: an import cut short shows running.
    const ConsistencyToken head = log_.Head();
    while (!projections_.WaitFor(head, std::chrono::seconds(1))) {
      if (importer_->Stopping()) return std::vector<nlohmann::json>();
    }
    return contacts_.RunningImports();
  });
}

namespace {

// An early refusal: the body, if any, is not wanted, so the connection ends with the answer.
HttpResponse Refusal(HttpResponse response) {
  response.headers["Connection"] = "close";
  return response;
}

HttpResponse RateLimited(int64_t wait_ms, const char* what) {
  HttpResponse r = ErrorResponse(
      Error{ErrorCode::kRateLimited, std::string("too many requests from this ") + what});
  r.headers["Retry-After"] = std::to_string(std::max<int64_t>(1, (wait_ms + 999) / 1000));
  return Refusal(std::move(r));
}

// The bucket a caller's requests draw from: their token (a user may hold several).
std::string BucketOf(const Caller& caller) {
  if (!caller.channel_id.empty()) return "channel/" + caller.channel_id;
  if (!caller.is_user()) return "admin";
  return "user/" + caller.user_id + "/" + caller.token_id;
}

}  // namespace

std::optional<HttpResponse> App::Admit(const HttpRequest& head) {
  const auto start = std::chrono::steady_clock::now();
  std::optional<HttpResponse> refusal = Refuse(head);
  if (refusal && metrics_on_) {
    http_metrics_.Record(head, refusal->status, std::chrono::steady_clock::now() - start);
  }
  return refusal;
}

std::optional<HttpResponse> App::Refuse(const HttpRequest& head) {
  const auto& p = head.path;
  const bool health =
      head.method == "GET" && p.size() == 1 && (p[0] == "healthz" || p[0] == "readyz");
  if (health) return std::nullopt;  // load balancers' probes are never refused
  const int64_t now = clock_.Now().ms;
  if (auto wait = per_address_.Take(head.peer, now)) {
    http_metrics_.RecordRateLimited("address");
    return RateLimited(*wait, "address");
  }
  if (head.method == "GET" && p.size() == 1 && p[0] == "metrics" && metrics_on_) {
    Status allowed = AuthorizeMetrics(head);
    if (!allowed.ok()) return Refusal(ErrorResponse(allowed.error()));
    return std::nullopt;
  }
  const bool api = p.size() >= 3 && p[0] == "api" && p[1] == "v1";
  if (!api) return std::nullopt;  // webhooks (signed bodies) and 404s: no token
  auto caller = Authenticate(head);
  if (!caller.ok()) return Refusal(ErrorResponse(caller.error()));
  if (auto wait = per_token_.Take(BucketOf(caller.value()), now)) {
    http_metrics_.RecordRateLimited("token");
    return RateLimited(*wait, "token");
  }
  return std::nullopt;
}

HttpResponse App::Handle(const HttpRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  HttpResponse response;
  try {
    response = Dispatch(request);
  } catch (const std::exception& e) {
    spdlog::error("{} /{} failed: {}", request.method, fmt::join(request.path, "/"), e.what());
    response = ErrorResponse(Error{ErrorCode::kInternal, e.what()});
  }
  spdlog::debug("{} /{} -> {}", request.method, fmt::join(request.path, "/"), response.status);
  if (metrics_on_) {
    http_metrics_.Record(request, response.status, std::chrono::steady_clock::now() - start);
  }
  return response;
}

Result<Caller> App::Authenticate(const HttpRequest& request) const {
  const std::optional<std::string> bearer = BearerTokenDigest(request);
  if (!bearer) return Error{ErrorCode::kUnauthorized, "a bearer token is required"};
  const std::string& digest = *bearer;
  if (!admin_token_sha256_.empty() && ConstantTimeEquals(digest, admin_token_sha256_)) {
    return Caller{"", Role::kAdmin, ""};
  }
  if (auto caller = lookups_.CallerForToken(digest)) return *caller;
  return Error{ErrorCode::kUnauthorized, "the token is not valid"};
}

HttpResponse App::Dispatch(const HttpRequest& r) {
  const auto& p = r.path;
  if (p.size() == 1 && (p[0] == "healthz" || p[0] == "readyz")) {
    if (r.method != "GET") return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
    if (p[0] == "healthz") return JsonResponse(200, nlohmann::json{{"status", "ok"}});
    return Readiness();
  }
  if (p.size() == 1 && p[0] == "metrics" && r.method == "GET" && metrics_on_) {
    Status allowed = AuthorizeMetrics(r);
    if (!allowed.ok()) return ErrorResponse(allowed.error());
    return Metrics();
  }
  if (p.size() == 3 && p[0] == "webhooks" && p[1] == "whatsapp") {
    // Providers cannot hold our bearer tokens: the channel's own secrets authenticate them.
    if (read_only_) return ErrorResponse(Forbidden("this node serves a replayed past"));
    return WhatsAppWebhook(r, p[2]);
  }
  if (p.size() < 3 || p[0] != "api" || p[1] != "v1") {
    return ErrorResponse(Error{ErrorCode::kNotFound, "no such route"});
  }
  // Before anything else: a stranger never waits, and nothing of theirs is parsed.
  auto caller = Authenticate(r);
  if (!caller.ok()) return ErrorResponse(caller.error());
  if (!caller.value().token_id.empty()) {
    token_usage_.Record(caller.value().user_id, caller.value().token_id, clock_.Now());
  }
  if (read_only_ && r.method != "GET") {
    return ErrorResponse(Forbidden("this node serves a replayed past: it answers reads only"));
  }
  if (r.body_too_large) return TooLargeResponse(r);
  // Reads wait for the views to include the position; commands too, so that in a cluster the
  // node deciding them sees what the client saw anywhere else.
  Status waited = HonourMinPosition(r);
  if (!waited.ok()) return ErrorResponse(waited.error());
  if (auto response = RouteAccess(r, caller.value())) return *response;
  if (auto response = RouteConversations(r, caller.value())) return *response;
  if (auto response = RouteContacts(r, caller.value())) return *response;
  if (auto response = RouteDirectory(r, caller.value())) return *response;
  if (auto response = RouteEvents(r, caller.value())) return *response;
  if (auto response = RouteDeals(r, caller.value())) return *response;
  if (auto response = RouteTasks(r, caller.value())) return *response;
  if (auto response = RouteReports(r, caller.value())) return *response;
  if (auto response = RouteQuickReplies(r, caller.value())) return *response;
  if (auto response = RouteNotifications(r, caller.value())) return *response;
  if (auto response = RouteAttachments(r, caller.value())) return *response;
  if (auto response = RouteCheckpoints(r, caller.value())) return *response;
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
  if (projections_.Applied().Covers(*token)) return Status::Ok();
  auto reachable = log_.Reaches(*token);
  if (!reachable.ok()) return reachable.error();
  if (!reachable.value()) {
    return InvalidField("X-Min-Position", "is past the end of the log: no write made it");
  }
  if (!projections_.WaitFor(*token, kMaxWait)) {
    return Error{ErrorCode::kNotCaughtUp, "the views have not reached " + header + " within 5 s"};
  }
  return Status::Ok();
}

Status App::Reachable(const ConsistencyToken& token, const char* field) const {
  auto reaches = log_.Reaches(token);
  if (!reaches.ok()) return reaches.error();
  if (!reaches.value()) {
    return InvalidField(field,
                        "is past the end of the log, or names a partition the log does not have");
  }
  return Status::Ok();
}

HttpResponse App::Readiness() {
  // Ready once the views have caught up with the log and while they trail it by at most
  // --max-lag events, and the log takes appends.
  const ConsistencyToken applied = projections_.Applied();
  const ConsistencyToken head = log_.Head();
  uint64_t lag = 0;
  for (const auto& [partition, position] : head.offsets()) {
    const uint64_t at = applied.At(partition);
    if (position > at) lag += position - at;
  }
  if (!ready_once_ && projections_.CaughtUp()) ready_once_ = true;
  std::string status = "ready";
  if (!ready_once_) {
    status = "catching_up";
  } else if (lag > max_lag_) {
    status = "lagging";
  } else if (commands_.RecentlyRefused()) {
    status = "log_unavailable";
  }
  return JsonResponse(status == "ready" ? 200 : 503, nlohmann::json{{"status", status},
                                                                    {"lag", lag},
                                                                    {"applied", applied.ToString()},
                                                                    {"log", head.ToString()}});
}

}  // namespace helpdesk
