// helpdeskd: the help desk server, and its maintenance commands.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <csignal>
#include <cstdlib>
#include <iostream>

#include "adapters/kafka_client.h"
#include "adapters/random_ids.h"
#include "api/edge_gate.h"
#include "api/http_listener.h"
#include "api/node.h"
#include "api/options.h"

namespace {

int Run(int argc, char** argv) {
  using namespace helpdesk;
  std::vector<std::string> args(argv + 1, argv + argc);
  // Everything this process creates (data folders, RocksDB files, attachments) is its own:
  // folders 0700, files 0600.
  umask(077);
  auto parsed = ParseOptions(args, [](const char* name) { return std::getenv(name); });
  if (parsed.ok()) {
    if (Status read = ReadSecretFiles(parsed.value()); !read.ok()) parsed = read.error();
  }
  if (!parsed.ok()) {
    std::cerr << "helpdeskd: " << parsed.error().message << "\n" << Usage();
    return 2;
  }
  const Options& o = parsed.value();
  if (!o.kafka_config_file.empty()) {
    // TLS, SASL and the like: every Kafka client of this process starts from these.
    auto text = ReadSettingsFile(o.kafka_config_file);
    auto settings = text.ok() ? ParseKafkaProperties(text.value()) : text.error();
    if (!settings.ok()) {
      std::cerr << "helpdeskd: " << settings.error().message << "\n";
      return 2;
    }
    SetKafkaClientDefaults(std::move(settings).value());
  }
  // export-events writes the events on stdout: its logs go to stderr.
  if (o.command == "export-events" || o.command == "verify" || o.command == "verify-state") {
    spdlog::set_default_logger(spdlog::stderr_color_mt("stderr"));
  }
  spdlog::set_level(spdlog::level::from_str(o.log_level));

  const NodeOptions node_options{o.data,
                                 o.admin_token,
                                 o.kafka,
                                 o.kafka_partitions,
                                 o.kafka_topic,
                                 o.read_only,
                                 o.attachments,
                                 std::chrono::milliseconds(o.delivery_backoff_ms),
                                 o.cache_mb,
                                 std::chrono::milliseconds(o.state_flush_ms),
                                 static_cast<uint64_t>(o.max_lag),
                                 o.rate_per_token,
                                 o.rate_per_address,
                                 o.allow_private_outbound,
                                 o.secrets_key,
                                 o.cluster_key,
                                 o.kafka_replication_factor,
                                 o.metrics,
                                 o.metrics_token,
                                 o.bootstrap_from};
  if (o.command == "export-events") {
    Status s =
        ExportEvents(node_options, o.from.empty() ? std::nullopt : ParseRfc3339(o.from),
                     o.to.empty() ? std::nullopt : ParseRfc3339(o.to), o.pseudonyms, std::cout);
    if (!s.ok()) {
      spdlog::error("export failed: {}", s.error().message);
      return 1;
    }
    return 0;
  }
  if (o.command == "verify") {
    auto whole = VerifyLog(node_options, std::cout);
    if (!whole.ok()) {
      spdlog::error("verify failed: {}", whole.error().message);
      return 2;
    }
    return whole.value() ? 0 : 1;
  }
  if (o.command == "verify-state") {
    auto equal = VerifyWriteModel(node_options, std::cout);
    if (!equal.ok()) {
      spdlog::error("verify-state failed: {}", equal.error().message);
      return 2;
    }
    return equal.value() ? 0 : 1;
  }
  if (o.command == "rebuild") {
    Status s =
        RebuildViews(node_options, o.until.empty() ? std::nullopt : ParseRfc3339(o.until), o.out);
    if (!s.ok()) {
      spdlog::error("rebuild failed: {}", s.error().message);
      return 1;
    }
    return 0;
  }

  // Block the stop signals in every thread; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto node = Node::Start(node_options);
  if (!node.ok()) {
    spdlog::error("cannot start: {}", node.error().message);
    return 1;
  }
  App& app = node.value()->app();
  const HttpListener::Handlers handlers{[&app](const HttpRequest& head) { return app.Admit(head); },
                                        [&app](const HttpRequest& r) { return app.Handle(r); }};
  // Behind the edge gate the listener takes connections from the gate only, on a loopback port.
  const uint16_t inner_port = o.edge_gate ? FreeLoopbackPort() : 0;
  if (o.edge_gate && inner_port == 0) {
    spdlog::error("cannot start: no free loopback port for the HTTP listener");
    return 1;
  }
  const std::string peer_secret = o.edge_gate ? NewSecretToken() : "";
  auto listener = HttpListener::Open(
      o.edge_gate ? "127.0.0.1:" + std::to_string(inner_port) : o.listen, handlers, peer_secret);
  if (!listener.ok()) {
    spdlog::error("{}", listener.error().message);
    return 1;
  }
  std::unique_ptr<EdgeGate> gate;
  if (o.edge_gate) {
    const EdgeLimits limits{
        static_cast<size_t>(o.max_connections), static_cast<size_t>(o.max_header_bytes),
        std::chrono::seconds(o.header_timeout_s), std::chrono::seconds(o.body_timeout_s),
        std::chrono::seconds(o.idle_timeout_s)};
    auto opened = EdgeGate::Open(o.listen, inner_port, limits, peer_secret);
    if (!opened.ok()) {
      spdlog::error("{}", opened.error().message);
      return 1;
    }
    gate = std::move(opened.value());
  }
  spdlog::info("listening on http://{}{}", o.listen, o.edge_gate ? "" : " (no edge gate)");

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  spdlog::info("signal {} received: stopping", signal_number);
  gate.reset();  // no new requests, then the listener's own end
  listener.value().reset();
  node.value().reset();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    // A start that fails below the command line (a view that cannot be read…): a clear line and
    // exit 1, as for every other failed start.
    spdlog::error("cannot go on: {}", e.what());
    return 1;
  }
}
