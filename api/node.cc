#include "api/node.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "adapters/embedded_log.h"
#include "adapters/event_codec.h"
#include "adapters/kafka_key_share.h"
#include "adapters/kafka_log.h"
#include "adapters/random_ids.h"
#include "adapters/rocks_state_store.h"
#include "api/audit.h"
#include "commands/cluster/decider_log.h"
#include "commands/cluster/kafka_command_bus.h"
#include "commands/cluster/kafka_decider.h"
#include "commands/cluster/view_progress.h"

namespace helpdesk {
namespace {

std::string LogDir(const std::string& data) {
  return (std::filesystem::path(data) / "log").string();
}
std::string ViewsDir(const std::string& data) {
  return (std::filesystem::path(data) / "views").string();
}
std::string StateDir(const std::string& data) {
  return (std::filesystem::path(data) / "state").string();
}

// The write model's share of --cache-mb: its records' cache and its store's block cache.
size_t CacheBytes(const NodeOptions& options) { return size_t(options.cache_mb) << 20; }
size_t RecordCacheBytes(const NodeOptions& options) { return CacheBytes(options) / 4 * 3; }
size_t StateBlockCacheBytes(const NodeOptions& options) { return CacheBytes(options) / 4; }

Result<std::unique_ptr<StateStore>> OpenStateStore(const NodeOptions& options) {
  auto store = RocksStateStore::Open(StateDir(options.data_dir), kWriteModelVersion,
                                     StateBlockCacheBytes(options));
  if (!store.ok()) return store.error();
  return std::unique_ptr<StateStore>(std::move(store).value());
}

Status EnsureDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Error{ErrorCode::kInternal, "cannot create " + dir + ": " + ec.message()};
  return Status::Ok();
}

// This node's stable name, kept in <data>/node-id: its Kafka transactional id, so a restarted
// node fences the transactions of its previous life.
std::string NodeId(const std::string& data) {
  const std::string path = (std::filesystem::path(data) / "node-id").string();
  std::string id;
  if (std::ifstream in(path); in >> id && !id.empty()) return id;
  id = NewId();
  std::ofstream(path) << id << "\n";
  return id;
}

// Who opens the log: the serving node, or a tool (rebuild, export, verify) that may run next to
// it. A tool on Kafka gets a transactional id of its own, so it never fences the node's producer.
enum class Opener { kNode, kTool };

KafkaOptions KafkaOptionsOf(const NodeOptions& options) {
  KafkaOptions kafka;
  kafka.brokers = options.kafka_brokers;
  kafka.partitions = options.kafka_partitions;
  kafka.topic = options.kafka_topic;
  kafka.replication_factor = options.kafka_replication_factor;
  return kafka;
}

Result<std::unique_ptr<EventLog>> OpenLog(const NodeOptions& options, Opener opener) {
  if (options.kafka_brokers.empty()) {
    auto log = EmbeddedLog::Open(LogDir(options.data_dir));
    if (!log.ok()) return log.error();
    return std::unique_ptr<EventLog>(std::move(log).value());
  }
  KafkaOptions kafka = KafkaOptionsOf(options);
  if (opener == Opener::kNode) kafka.transactional_id = "helpdesk-" + NodeId(options.data_dir);
  auto log = KafkaLog::Open(kafka);
  if (!log.ok()) return log.error();
  return std::unique_ptr<EventLog>(std::move(log).value());
}

// The cluster learns how far this node's views are from its projector.
class ProjectorProgress final : public ViewProgress {
 public:
  explicit ProjectorProgress(const ProjectionRunner& runner) : runner_(runner) {}
  ConsistencyToken Applied() const override { return runner_.Applied(); }
  bool WaitFor(const ConsistencyToken& token, std::chrono::milliseconds timeout) const override {
    return runner_.WaitFor(token, timeout);
  }

 private:
  const ProjectionRunner& runner_;
};

}  // namespace

namespace {

// The key that seals providers' secrets: given (every node of a cluster the same), or on one
// machine made once in the data folder (readable by the server's user only).
Result<std::shared_ptr<const SecretBox>> LoadSecretBox(const NodeOptions& options) {
  std::string text = options.secrets_key;
  if (text.empty()) {
    if (!options.kafka_brokers.empty()) {
      return Error{ErrorCode::kInvalidField,
                   "a cluster needs --secrets-key-file (or HELPDESK_SECRETS_KEY): every node "
                   "must seal and open providers' secrets with the same key"};
    }
    const std::string path = options.data_dir + "/secrets.key";
    std::ifstream in(path);
    if (in) {
      text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } else {
      text = SecretBox::NewKeyText() + "\n";
      std::ofstream out(path, std::ios::trunc);
      out << text;
      out.close();
      if (!out) return Error{ErrorCode::kInternal, "cannot write " + path};
      ::chmod(path.c_str(), 0600);
      spdlog::info("made a secrets key in {} (back it up with the data)", path);
    }
  }
  auto box = SecretBox::FromKeyText(text);
  if (!box.ok()) return box.error();
  return std::shared_ptr<const SecretBox>(std::make_shared<SecretBox>(std::move(box).value()));
}

// What keeps contacts' personal data sealed in the log, and the log read through it.
struct PersonalData {
  std::unique_ptr<ContactKeys> keys;
  std::unique_ptr<PersonalDataVault> vault;
  std::unique_ptr<EventLog> opened;
  std::unique_ptr<KeyShare> share;  // on a cluster; it writes into `keys`, so it goes first
  std::string scratch;              // a tool's own copy of the keys, removed with it

  PersonalData() = default;
  // The folder goes with the keys: the moved-from part must not remove it.
  PersonalData(PersonalData&& other) noexcept
      : keys(std::move(other.keys)),
        vault(std::move(other.vault)),
        opened(std::move(other.opened)),
        share(std::move(other.share)),
        scratch(std::exchange(other.scratch, std::string())) {}
  PersonalData& operator=(PersonalData&&) = delete;  // would free `keys` before `share`
  ~PersonalData() {
    share.reset();
    opened.reset();
    vault.reset();
    keys.reset();
    std::error_code ignored;
    if (!scratch.empty()) std::filesystem::remove_all(scratch, ignored);
  }
  // The log as readers should see it.
  EventLog& Reading(EventLog& stored) const { return opened ? *opened : stored; }
};

// The keys under <data>/keys, wrapped with the secrets key; on Kafka also shared with the other
// nodes (adapters/kafka_key_share.h). A tool on Kafka may run next to the node, which holds
// <data>/keys: it reads the share into a copy of its own.
Result<PersonalData> OpenPersonalData(const NodeOptions& options,
                                      std::shared_ptr<const SecretBox> secrets, EventLog& stored,
                                      Opener opener) {
  PersonalData parts;
  const bool cluster = !options.kafka_brokers.empty();
  std::string dir = options.data_dir + "/keys";
  if (cluster && opener == Opener::kTool) {
    // A temporary folder (0700), so a tool that dies leaves no copy in the data folder.
    std::string pattern =
        (std::filesystem::temp_directory_path() / "helpdesk-keys-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) {
      return Error{ErrorCode::kInternal, "cannot make a folder for the contacts' keys"};
    }
    dir = parts.scratch = pattern;
  } else if (Status made = EnsureDir(dir); !made.ok()) {
    return made.error();
  }
  auto keys = ContactKeys::Open(dir, std::move(secrets));
  if (!keys.ok()) return keys.error();
  parts.keys = std::move(keys).value();
  if (cluster) {
    auto share = KafkaKeyShare::Open(KafkaOptionsOf(options), *parts.keys);
    if (!share.ok()) return share.error();
    parts.keys->ShareThrough(share.value().get());
    parts.share = std::move(share).value();
    // Read before anything opens the log with them.
    if (Status read = parts.share->CatchUp(); !read.ok()) return read.error();
  }
  parts.vault = std::make_unique<PersonalDataVault>(*parts.keys);
  parts.opened = std::make_unique<OpeningLog>(stored, *parts.vault);
  return parts;
}

// A tool's view of the personal data (rebuild, export, verify-state).
Result<PersonalData> OpenPersonalDataForTool(const NodeOptions& options, EventLog& stored) {
  auto secrets = LoadSecretBox(options);
  if (!secrets.ok()) return secrets.error();
  return OpenPersonalData(options, secrets.value(), stored, Opener::kTool);
}

}  // namespace

Result<std::unique_ptr<Node>> Node::Start(const NodeOptions& options, Env env, NodeSeams seams) {
  if (!options.bootstrap_from.empty()) {
    Status bootstrapped =
        BootstrapNodeData(options.bootstrap_from, options.data_dir, !options.kafka_brokers.empty());
    if (!bootstrapped.ok()) return bootstrapped.error();
  }
  Status made = EnsureDir(options.data_dir);
  if (!made.ok()) return made.error();
  auto secrets = LoadSecretBox(options);
  if (!secrets.ok()) return secrets.error();
  std::unique_ptr<Node> node(new Node(env.clock));
  node->data_dir_ = options.data_dir;
  node->attachments_in_data_ = options.attachments_dir.empty();
  if (seams.log) {
    node->log_ = std::move(seams.log);
  } else {
    auto opened = OpenLog(options, Opener::kNode);
    if (!opened.ok()) return opened.error();
    node->log_ = std::move(opened).value();
  }
  auto personal = OpenPersonalData(options, secrets.value(), *node->log_, Opener::kNode);
  if (!personal.ok()) return personal.error();
  node->keys_ = std::move(personal.value().keys);
  node->key_share_ = std::move(personal.value().share);
  node->vault_ = std::move(personal.value().vault);
  node->opened_log_ = std::move(personal.value().opened);
  EventLog& reading = node->opened_log_ ? *node->opened_log_ : *node->log_;
  auto views = ViewStore::Open(ViewsDir(options.data_dir));
  if (!views.ok()) return views.error();
  node->views_ = std::move(views).value();
  auto attachments =
      AttachmentStore::Open(options.attachments_dir.empty() ? options.data_dir + "/attachments"
                                                            : options.attachments_dir);
  if (!attachments.ok()) return attachments.error();
  node->attachments_ = std::move(attachments).value();

  auto* kafka = dynamic_cast<KafkaLog*>(node->log_.get());
  if (kafka) node->decider_log_ = std::make_unique<DeciderLog>(*kafka, reading);
  auto state = OpenStateStore(options);
  if (!state.ok()) return state.error();
  node->state_ = std::move(state).value();
  node->commands_ =
      std::make_unique<CommandService>(node->decider_log_ ? *node->decider_log_ : reading, env,
                                       node->state_.get(), RecordCacheBytes(options));
  node->commands_->SetVault(node->vault_.get());
  node->commands_->AllowPrivateOutbound(options.allow_private_outbound);
  node->commands_->SetSecretBox(secrets.value());
  Status loaded = node->commands_->Load();
  if (!loaded.ok()) return loaded.error();
  node->commands_->StartFlushing(options.state_flush);
  node->projections_ = std::make_unique<ProjectionRunner>(reading, *node->views_);
  if (kafka) {
    // Others' events reach the write model through the projector. (On the embedded log this
    // node writes every event and applied each when it decided it: nothing to follow.)
    CommandService* following = node->commands_.get();
    node->projections_->SetObserver(
        [following](const std::vector<RecordedEvent>& events) { following->Follow(events); });
  }
  if (node->views_->StoredReportDefinition() != kReportDefinitionVersion) {
    // A new report definition: only the reports are counted again, while everything serves.
    node->projections_->RebuildReports();
  }
  node->projections_->Start();
  node->view_progress_ = std::make_unique<ProjectorProgress>(*node->projections_);
  Commands* commands = node->commands_.get();
  if (kafka) {
    CommandBusOptions bus;
    bus.brokers = options.kafka_brokers;
    bus.events_topic = options.kafka_topic;
    bus.partitions = kafka->partitions();
    bus.node_id = NodeId(options.data_dir);
    const ProjectionRunner* projections = node->projections_.get();
    bus.seen = [projections] { return projections->Applied(); };
    bus.replication_factor = options.kafka_replication_factor;
    // Commands between nodes are signed: with the cluster key, or one derived from the secrets
    // key every node shares already.
    bus.signing_key = !options.cluster_key.empty()
                          ? options.cluster_key
                          : secrets.value()->Derive("helpdesk cluster commands v1");
    auto opened = KafkaCommandBus::Open(std::move(bus));
    if (!opened.ok()) return opened.error();
    node->bus_ = std::move(opened).value();
    node->decider_ =
        std::make_unique<KafkaDecider>(*kafka, static_cast<DeciderLog&>(*node->decider_log_),
                                       *node->commands_, *node->bus_, *node->view_progress_);
    Status started = node->decider_->Start();
    if (!started.ok()) return started.error();
    node->routed_ =
        std::make_unique<RoutedCommands>(*node->bus_, node->decider_.get(), node->clock_);
    commands = node->routed_.get();
  }
  node->queries_ = std::make_unique<ViewQueries>(*node->views_);
  node->task_queries_ = std::make_unique<TaskQueries>(*node->views_);
  if (!options.read_only) {
    OwnsStream owns = [](const std::string&) { return true; };
    if (KafkaDecider* decider = node->decider_.get()) {
      owns = [decider](const std::string& stream) { return decider->Owns(stream); };
    }
    node->scheduler_ =
        std::make_unique<WakeScheduler>(*commands, *node->queries_, *node->task_queries_,
                                        node->clock_, node->view_progress_.get(), owns);
    node->scheduler_->Start();
    // A test's stand-in receiver is used as given; the real client is guarded (domain/outbound.h).
    node->poster_ = seams.poster                     ? std::move(seams.poster)
                    : options.allow_private_outbound ? NewHttpPoster()
                                                     : NewOutboundGuard(NewHttpPoster());
    DeliveryOptions delivery;
    delivery.backoff_base = options.delivery_backoff;
    node->delivery_ =
        std::make_unique<DeliveryWorker>(*commands, *node->commands_, *node->queries_,
                                         *node->poster_, std::move(owns), env.clock, delivery);
    node->delivery_->Start();
  }
  node->app_ = std::make_unique<App>(
      *commands, *node->commands_, *node->views_, *node->projections_, reading, *node->log_,
      *node->attachments_, node->clock_,
      AppOptions{options.admin_token,
                 options.read_only,
                 options.max_lag,
                 {static_cast<double>(options.rate_per_token), 2.0 * options.rate_per_token},
                 {static_cast<double>(options.rate_per_address), 2.0 * options.rate_per_address},
                 secrets.value(),
                 options.metrics,
                 options.metrics_token,
                 node->delivery_.get(),
                 [raw = node.get()] { return raw->Checkpoint(); },
                 kafka ? NodeId(options.data_dir) : std::string(),
                 /*dense_positions=*/!kafka});
  // An import this node ran (alone on its log: any import) found running was cut short.
  node->app_->FailInterruptedImports();
  return node;
}

Node::Node(const Clock& clock) : clock_(clock) {}

Node::~Node() {
  // Stop the producers of work before what they use: the API (which reads the delivery worker's
  // figures), scheduler, projections, then storage.
  app_.reset();
  scheduler_.reset();
  delivery_.reset();
  routed_.reset();   // hands commands to the decider
  decider_.reset();  // leaves the group: its partitions move to the other nodes
  view_progress_.reset();
  bus_.reset();
  projections_.reset();
  commands_.reset();  // flushes the write model a last time
  state_.reset();
  decider_log_.reset();
  views_.reset();
  opened_log_.reset();
  vault_.reset();
  key_share_.reset();  // its reader writes into keys_
  keys_.reset();
  log_.reset();
  spdlog::info("node stopped");
}

Status RebuildViews(const NodeOptions& options, std::optional<Timestamp> until,
                    const std::string& out_dir) {
  const std::string& data_dir = out_dir.empty() ? options.data_dir : out_dir;
  Status made = EnsureDir(data_dir);
  if (!made.ok()) return made;
  auto log = OpenLog(options, Opener::kTool);
  if (!log.ok()) return log.error();
  if (std::filesystem::exists(ViewsDir(data_dir))) {
    Status destroyed = ViewStore::Destroy(ViewsDir(data_dir));
    if (!destroyed.ok()) return destroyed;
  }
  auto views = ViewStore::Open(ViewsDir(data_dir));
  if (!views.ok()) return views.error();
  auto personal = OpenPersonalDataForTool(options, *log.value());
  if (!personal.ok()) return personal.error();
  EventLog& reading = personal.value().Reading(*log.value());
  if (!until) {
    // The write model's store, the same way (a replay of the past needs none: it serves reads).
    if (std::filesystem::exists(StateDir(data_dir))) {
      Status destroyed = RocksStateStore::Destroy(StateDir(data_dir));
      if (!destroyed.ok()) return destroyed;
    }
    NodeOptions at = options;
    at.data_dir = data_dir;
    auto state = OpenStateStore(at);
    if (!state.ok()) return state.error();
    const auto started = std::chrono::steady_clock::now();
    CommandService model(reading, Env::System(), state.value().get(), RecordCacheBytes(at));
    model.SetVault(personal.value().vault.get());
    Status loaded = model.Load();
    if (!loaded.ok()) return loaded;
    spdlog::info("write model store rebuilt in {:.1f} s",
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  ProjectionRunner runner(reading, *views.value());
  runner.SetUntil(until);
  const auto started = std::chrono::steady_clock::now();
  Status done = runner.CatchUp();
  if (!done.ok()) return done;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info("views rebuilt up to {}: {} events in {} steps, {:.1f} s, {:.0f} events/s",
               runner.Applied().ToString(), runner.events_applied(), runner.steps(), seconds,
               static_cast<double>(runner.events_applied()) / seconds);
  return Status::Ok();
}

Status ExportEvents(const NodeOptions& options, std::optional<Timestamp> from,
                    std::optional<Timestamp> to, bool pseudonyms, std::ostream& out) {
  std::optional<Pseudonymizer> analyst;
  if (pseudonyms) {
    auto secrets = LoadSecretBox(options);
    if (!secrets.ok()) return secrets.error();
    analyst.emplace(secrets.value()->Derive("helpdesk analyst pseudonyms v1"));
  }
  auto log = OpenLog(options, Opener::kTool);
  if (!log.ok()) return log.error();
  auto personal = OpenPersonalDataForTool(options, *log.value());
  if (!personal.ok()) return personal.error();
  // Personal data opened (or "[erased]"), as the event feed shows it; with `pseudonyms`, as it
  // shows it to analysts (pseudonyms, no credentials).
  Status read = ReadToEnd(personal.value().Reading(*log.value()), ConsistencyToken(),
                          [&](const RecordedEvent& r) {
                            if ((from && r.event.at < *from) || (to && *to < r.event.at)) return;
                            if (analyst) {
                              out << EnvelopeFor(Role::kAnalyst, r, *analyst).dump() << '\n';
                            } else {
                              out << EncodeEnvelope(r) << '\n';
                            }
                          });
  if (!read.ok()) return read;
  out.flush();
  return out ? Status::Ok() : Error{ErrorCode::kInternal, "cannot write the export"};
}

Result<bool> VerifyLog(const NodeOptions& options, std::ostream& out) {
  auto log = OpenLog(options, Opener::kTool);
  if (!log.ok()) return log.error();
  auto report = VerifyChains(*log.value(), std::nullopt, options.kafka_brokers.empty());
  if (!report.ok()) return report.error();
  out << report.value().dump(2) << "\n";
  return report.value()["ok"].get<bool>();
}

Result<bool> VerifyWriteModel(const NodeOptions& options, std::ostream& out) {
  auto log = OpenLog(options, Opener::kTool);
  if (!log.ok()) return log.error();
  auto state = OpenStateStore(options);
  if (!state.ok()) return state.error();
  auto personal = OpenPersonalDataForTool(options, *log.value());
  if (!personal.ok()) return personal.error();
  EventLog& reading = personal.value().Reading(*log.value());
  CommandService stored(reading, Env::System(), state.value().get(), RecordCacheBytes(options));
  Status loaded = stored.Load();
  if (!loaded.ok()) return loaded.error();
  CommandService rebuilt(reading, Env::System());
  loaded = rebuilt.Load();
  if (!loaded.ok()) return loaded.error();
  const std::string a = stored.DumpWriteModel(), b = rebuilt.DumpWriteModel();
  if (a == b) {
    out << "write model store equals a rebuild from the log ("
        << std::count(a.begin(), a.end(), '\n') << " records and lookups)\n";
    return true;
  }
  size_t line = 0, at = 0;
  while (at < a.size() && at < b.size() && a[at] == b[at]) {
    if (a[at] == '\n') ++line;
    ++at;
  }
  auto line_at = [](const std::string& text, size_t pos) {
    const size_t start = text.rfind('\n', pos == 0 ? 0 : pos - 1);
    const size_t from = start == std::string::npos ? 0 : start + 1;
    return text.substr(from, text.find('\n', from) - from);
  };
  out << "write model store differs from a rebuild at line " << line + 1
      << ":\n  store:   " << line_at(a, at) << "\n  rebuild: " << line_at(b, at) << "\n";
  return false;
}

}  // namespace helpdesk
