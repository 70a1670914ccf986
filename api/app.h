// App: the REST API (docs/openapi.yaml) over the command service and the views. Routing,
// authentication, JSON mapping and error mapping; the rules live in domain/ and commands/.
//
// Thread-safe: Handle is called concurrently by the listener's threads. It never throws: every
// failure becomes an error answer in the contract's shape, internal details go to the log only.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>

#include "adapters/attachment_store.h"
#include "adapters/clock.h"
#include "adapters/event_log.h"
#include "adapters/pseudonyms.h"
#include "adapters/secret_box.h"
#include "api/append_watch.h"
#include "api/contact_importer.h"
#include "api/http.h"
#include "api/http_metrics.h"
#include "api/rate_limiter.h"
#include "api/stream_slots.h"
#include "api/token_usage.h"
#include "commands/command_service.h"
#include "projections/contact_queries.h"
#include "projections/deal_queries.h"
#include "projections/projection_runner.h"
#include "projections/report_queries.h"
#include "projections/task_queries.h"
#include "projections/view_queries.h"

namespace helpdesk {

class DeliveryWorker;

// How the API guards itself (docs/security.md).
struct AppOptions {
  std::string admin_token;  // the bootstrap admin's bearer token; only its digest is kept
  bool read_only = false;   // a replayed past: reads only
  // /readyz answers 503 while the views trail the log by more than this many events.
  uint64_t max_lag = 10000;
  // Token buckets: per bearer token, and per client address (every request but the health
  // checks, before the token is even looked at).
  RateLimit per_token{100, 200};
  RateLimit per_address{200, 400};
  // Seals providers' secrets before a command carries them (null: they travel as given).
  std::shared_ptr<const SecretBox> secrets;
  // GET /metrics: counted and served when on (admins, or the bearer of `metrics_token`).
  bool metrics = true;
  std::string metrics_token;  // only its digest is kept; empty: admins only
  // This node's delivery worker, for its figures on /metrics (null on a read-only node). It
  // outlives the App.
  const DeliveryWorker* delivery = nullptr;
  // POST /api/v1/checkpoints (Node::Checkpoint); empty: the route answers 404.
  std::function<Result<nlohmann::json>()> checkpoint;
  // This node's id on a cluster (the imports it runs name it); empty alone on its log.
  std::string node_id;
  // The log's positions run 1, 2, 3… without a gap (the embedded log): /audit/verify reports a
  // gap as a removed event.
  bool dense_positions = false;
};

class App {
 public:
  // `commands` runs commands (here or on their stream's owner); `lookups` answers who a token
  // is and who a user is from this node's write model.
  // `log` is read opened (contacts' personal data in clear, or "[erased]"); `audit_log` is the
  // log as stored, whose hash chains /audit/verify checks (the same log when nothing is sealed).
  App(Commands& commands, const CommandService& lookups, const ViewStore& views,
      const ProjectionRunner& projections, EventLog& log, EventLog& audit_log,
      const AttachmentStore& attachments, const Clock& clock, AppOptions options);

  // The request's head, before any of its body is read: nullopt lets it on, a response refuses
  // it (no token, a wrong one). Cheap and never waits: a stranger costs one digest.
  std::optional<HttpResponse> Admit(const HttpRequest& head);
  HttpResponse Handle(const HttpRequest& request);
  // Marks imports the views show running as interrupted: all of them for a node that is the
  // log's only writer, this node's own on a cluster; once at startup (ContactImporter).
  void FailInterruptedImports();

 private:
  HttpResponse Dispatch(const HttpRequest& request);
  // Who the bearer token is; never waits (a token made on another node is known here once this
  // node has read that far: the client retries).
  Result<Caller> Authenticate(const HttpRequest& request) const;
  HttpResponse Readiness();
  // Admit's checks; a response refuses the request.
  std::optional<HttpResponse> Refuse(const HttpRequest& head);
  // GET /metrics (routes_metrics.cc): the node's figures in Prometheus' text format, for admins
  // and the bearer of the metrics token.
  Status AuthorizeMetrics(const HttpRequest& request) const;
  HttpResponse Metrics() const;

  // Routes by area (routes_*.cc). nullopt: no route matched.
  std::optional<HttpResponse> RouteDirectory(const HttpRequest& r, const Caller& caller);
  // /contacts and /contact-attributes (routes_contacts.cc).
  std::optional<HttpResponse> RouteContacts(const HttpRequest& r, const Caller& caller);
  std::optional<HttpResponse> RouteContactAttributes(const HttpRequest& r, const Caller& caller);
  // POST /contacts/import: checks the file and hands it to the importer.
  HttpResponse ImportContacts(const HttpRequest& r, const Caller& caller);
  // /users/{id} edits and /users/{id}/tokens (routes_access.cc).
  std::optional<HttpResponse> RouteAccess(const HttpRequest& r, const Caller& caller);
  std::optional<HttpResponse> RouteConversations(const HttpRequest& r, const Caller& caller);
  std::optional<HttpResponse> RouteEvents(const HttpRequest& r, const Caller& caller);
  std::optional<HttpResponse> RouteReports(const HttpRequest& r, const Caller& caller);
  // /funnels, /deals, /reports/funnel and /agenda (routes_deals.cc).
  std::optional<HttpResponse> RouteDeals(const HttpRequest& r, const Caller& caller);
  std::optional<HttpResponse> RouteTasks(const HttpRequest& r, const Caller& caller);
  std::optional<HttpResponse> RouteQuickReplies(const HttpRequest& r, const Caller& caller);
  std::optional<HttpResponse> RouteNotifications(const HttpRequest& r, const Caller& caller);
  std::optional<HttpResponse> RouteAttachments(const HttpRequest& r, const Caller& caller);
  // POST /api/v1/checkpoints (routes_checkpoints.cc).
  std::optional<HttpResponse> RouteCheckpoints(const HttpRequest& r, const Caller& caller);

  // A message's `attachments` as a client sent them ([{sha256, name?}] or ["<sha256>"]) made
  // into the references events record, each checked against the store. With
  // `keep_foreign`, items without a sha256 (an inbound channel's own links) pass unchanged.
  Result<nlohmann::json> ResolveAttachments(const nlohmann::json& items, bool keep_foreign) const;

  // /webhooks/whatsapp/{channel_id}: Meta's GET handshake and signed POSTs (no bearer token).
  HttpResponse WhatsAppWebhook(const HttpRequest& r, const std::string& channel_id);

  // GET /api/v1/stream: the events the caller may see, as Server-Sent Events.
  HttpResponse LiveStream(const HttpRequest& r, const Caller& caller);

  // Conversation routes.
  HttpResponse ListConversations(const HttpRequest& r, const Caller& caller);
  HttpResponse ConversationCommand(const HttpRequest& r, const Caller& caller,
                                   const std::string& id, const std::string& action);
  HttpResponse PostMessage(const HttpRequest& r, const Caller& caller, const std::string& id);
  HttpResponse Inbound(const HttpRequest& r, const Caller& caller, const std::string& channel_id);

  // Whether a caller's narrowed `sight` (CommandService::SightOf; nullopt: they see every
  // conversation) hides `conversation`, its API object as stored text.
  static bool Hidden(const std::optional<NarrowedViewer>& sight, const std::string& conversation);
  // Answers a command: waits until the views include it, then renders the conversation.
  HttpResponse ConversationAnswer(const Result<CommandOutcome>& outcome, int status);
  // Waits (at most 5 s) until the views include `token`.
  void AwaitViews(const ConsistencyToken& token) const;
  // X-Min-Position (reads and commands): 400 for a malformed token or one past the log's end,
  // 503 not_caught_up when the views have not reached it within 5 s.
  Status HonourMinPosition(const HttpRequest& r) const;
  // invalid_field naming `field` when `token` is past the end of the log or names a partition
  // it does not have (a feed's `after`: no event of it was ever sent).
  Status Reachable(const ConsistencyToken& token, const char* field) const;

  AppendWatch commands_;
  const CommandService& lookups_;
  const ViewStore& views_;
  ViewQueries queries_;
  ContactQueries contacts_;
  DealQueries deals_;
  TaskQueries tasks_;
  ReportQueries reports_;
  const ProjectionRunner& projections_;
  EventLog& log_;
  EventLog& audit_log_;
  // What analysts read in place of personal data (the event feed and the live feed).
  Pseudonymizer pseudonyms_;
  const AttachmentStore& attachments_;
  const Clock& clock_;
  const std::string admin_token_sha256_;
  const bool read_only_;        // a replayed past: reads only
  const bool dense_positions_;  // AppOptions::dense_positions
  const uint64_t max_lag_;
  std::atomic<bool> ready_once_{false};
  const bool metrics_on_;
  const std::string metrics_token_sha256_;
  const DeliveryWorker* delivery_;
  const std::function<Result<nlohmann::json>()> checkpoint_;
  HttpMetrics http_metrics_;
  TokenUsage token_usage_;
  RateLimiter per_token_, per_address_;
  std::shared_ptr<const SecretBox> secrets_;
  // Shared with the streams' own threads, which may end after a request's answer.
  std::shared_ptr<StreamSlots> stream_slots_ = std::make_shared<StreamSlots>();
  // Last: its thread stops (and records what it stopped) before the rest goes.
  std::unique_ptr<ContactImporter> importer_;
};

// An event as the feeds show it: the envelope without the server's own secrets.
nlohmann::json PublicEnvelope(const RecordedEvent& e);
// The envelope as `role` may read it: for analysts with contacts' personal data and private
// notes' text as pseudonyms; for everyone else as PublicEnvelope.
nlohmann::json EnvelopeFor(Role role, const RecordedEvent& e, const Pseudonymizer& pseudonyms);
// The same, as its JSON text (what PublicEnvelope(e).dump() gives), for the live feed.
std::string PublicEnvelopeText(const RecordedEvent& e);

// Sets X-Position on a command's answer.
void SetPosition(HttpResponse& response, const ConsistencyToken& token);

}  // namespace helpdesk
