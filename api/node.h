// Node: one running help desk — the event log, the write model, the views and their projector,
// the wake-up scheduler and the API application — wired together and owned in the right order.
//
// On the embedded log the node decides every command itself. On Kafka it is one node of a
// cluster (even when alone): commands are routed to the owner of their stream's partition
// (KafkaCommandBus), this node decides for the partitions it owns (KafkaDecider), and its
// write model follows what the other nodes write through the projector.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "adapters/attachment_store.h"
#include "adapters/clock.h"
#include "adapters/env.h"
#include "adapters/event_log.h"
#include "adapters/http_poster.h"
#include "adapters/personal_data_vault.h"
#include "adapters/state_store.h"
#include "api/app.h"
#include "api/delivery_worker.h"
#include "api/wake_scheduler.h"
#include "commands/cluster/routed_commands.h"
#include "commands/command_service.h"
#include "projections/projection_runner.h"
#include "projections/view_store.h"

namespace helpdesk {

class KafkaCommandBus;
class KafkaDecider;
class ViewProgress;

struct NodeOptions {
  std::string data_dir;
  std::string admin_token;
  std::string kafka_brokers;  // empty: the embedded log under data_dir
  int kafka_partitions = 6;
  std::string kafka_topic = "helpdesk.events";
  // Serve reads only: no commands, no scheduler (a past replayed with `replay --until`).
  bool read_only = false;
  // Where uploaded attachments live; empty: <data_dir>/attachments. A shared volume on a cluster.
  std::string attachments_dir;
  // First wait after a failed delivery to a channel's provider (doubles each time).
  std::chrono::milliseconds delivery_backoff{1000};
  // Memory for the write model: its cache of records (three quarters) and its store's RocksDB
  // block cache (a quarter). The views' own block cache is apart.
  int cache_mb = 256;
  // How often the write model writes what changed to its store: at most this much of the log is
  // read again at the next start.
  std::chrono::milliseconds state_flush{1000};
  // /readyz answers 503 while the views trail the log by more than this many events.
  uint64_t max_lag = 10000;
  // Requests per second (burst: twice as many) per bearer token and per client address; 0: none.
  int rate_per_token = 100;
  int rate_per_address = 200;
  // Outbound URLs may be http:// and point at private addresses (development and tests).
  bool allow_private_outbound = false;
  // The keys that seal providers' secrets (adapters/secret_box.h), one per line; empty: on the
  // embedded log <data_dir>/secrets.key, made at the first start; on Kafka, required.
  std::string secrets_key;
  // The HMAC key that signs commands and replies between nodes; empty: derived from secrets_key.
  std::string cluster_key;
  // Replicas of the topics this node creates; 0: up to 3, as many as there are brokers.
  int kafka_replication_factor = 0;
  // GET /metrics counted and served; who may read it besides admins (empty: nobody else).
  bool metrics = true;
  std::string metrics_token;
  // A checkpoint (Node::Checkpoint) a new node's data folder starts from; ignored once the
  // folder holds views.
  std::string bootstrap_from;
};

// Edges a test replaces: the log (an in-memory or fault-injecting one) and the HTTP client that
// delivers to providers. Null: the node makes its own from its options.
struct NodeSeams {
  std::unique_ptr<EventLog> log;
  std::unique_ptr<HttpPoster> poster;
};

class Node {
 public:
  // Opens the log (Kafka when brokers are given, else the embedded log under <data>/log) and the
  // views under <data>/views, loads the write model, and starts projections and the scheduler.
  // Time and ids come from `env`. Tests may hand in the edges themselves (`seams`), which the
  // node then owns.
  static Result<std::unique_ptr<Node>> Start(const NodeOptions& options, Env env = Env::System(),
                                             NodeSeams seams = {});
  ~Node();

  App& app() { return *app_; }
  const ProjectionRunner& projections() const { return *projections_; }

  // POST /api/v1/checkpoints: a consistent copy of this node's stores, taken while it serves,
  // in <data>/checkpoints/<name> (api/node_checkpoint.cc): the views and the write model's
  // store with their offsets; on one machine also the log, the contacts' keys, the secrets key
  // and the attachments, a whole backup. Answers {name, path, views, state[, log]}: the
  // positions each part holds at least.
  Result<nlohmann::json> Checkpoint();

 private:
  explicit Node(const Clock& clock);
  const Clock& clock_;
  std::string data_dir_;
  bool attachments_in_data_ = true;  // attachments under <data>/attachments, not a shared volume
  std::unique_ptr<EventLog> log_;    // as stored: appends, and the audit chain's checks
  // Contacts' keys (<data>/keys) and the log read through them (contacts' personal data opened);
  // on the embedded log only, for now. Null on Kafka: reads go to log_ itself.
  std::unique_ptr<ContactKeys> keys_;
  std::unique_ptr<KeyShare> key_share_;  // on a cluster: reads into keys_, so declared after it
  std::unique_ptr<PersonalDataVault> vault_;
  std::unique_ptr<EventLog> opened_log_;
  std::unique_ptr<ViewStore> views_;
  std::unique_ptr<AttachmentStore> attachments_;
  std::unique_ptr<EventLog> decider_log_;  // on Kafka: appends wait for the decider's transaction
  std::unique_ptr<StateStore> state_;      // the write model's store, <data>/state
  std::unique_ptr<CommandService> commands_;
  std::unique_ptr<ProjectionRunner> projections_;
  std::unique_ptr<ViewProgress> view_progress_;  // the projector, as the timer and decider see it
  // On Kafka only.
  std::unique_ptr<KafkaCommandBus> bus_;
  std::unique_ptr<KafkaDecider> decider_;
  std::unique_ptr<RoutedCommands> routed_;
  std::unique_ptr<ViewQueries> queries_;
  std::unique_ptr<TaskQueries> task_queries_;  // the timer's (before it: it outlives it)
  std::unique_ptr<WakeScheduler> scheduler_;
  std::unique_ptr<HttpPoster> poster_;
  std::unique_ptr<DeliveryWorker> delivery_;
  std::unique_ptr<App> app_;
};

// helpdeskd rebuild (or replay): drops the views and the write model's store and rebuilds both
// from the log, then exits. With `until`: only the views, from events at or before it, into
// <out_dir>/views, so that serving `out_dir` with read_only shows the whole help desk as it was
// then.
Status RebuildViews(const NodeOptions& options, std::optional<Timestamp> until = std::nullopt,
                    const std::string& out_dir = "");

// helpdeskd export-events: the log as NDJSON on `out`, one envelope per line in log order (per
// partition on Kafka), with position and partition; only events whose `at` lies within
// [from, to] when given. Contacts' personal data opened (or "[erased]"); with `pseudonyms`, as
// analysts read it (adapters/pseudonyms.h).
// helpdeskd verify: checks every stream's hash chain (api/audit.h); the report on `out`.
// Returns whether the chains are whole.
Result<bool> VerifyLog(const NodeOptions& options, std::ostream& out);

// helpdeskd verify-state (on a stopped node): catches the write model's store up to the log, as
// a start would, and compares it with a write model built from the whole log. Returns whether
// they are equal; the first difference, if any, on `out`.
Result<bool> VerifyWriteModel(const NodeOptions& options, std::ostream& out);

// --bootstrap-from: fills a new node's `data_dir` from checkpoint `snapshot` before it opens
// anything (on Kafka the views and the write model's store, which then catch up from the topic;
// on one machine the whole backup). Does nothing for a folder that holds views already; a copy
// cut short is done again at the next start.
Status BootstrapNodeData(const std::string& snapshot, const std::string& data_dir, bool kafka);

Status ExportEvents(const NodeOptions& options, std::optional<Timestamp> from,
                    std::optional<Timestamp> to, bool pseudonyms, std::ostream& out);

}  // namespace helpdesk
