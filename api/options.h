// The command line of helpdeskd (contract: "Running the server"). Each flag has an environment
// twin; a flag on the command line wins over its environment variable.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "domain/result.h"

namespace helpdesk {

struct Options {
  // serve | rebuild (also "replay") | export-events | verify | verify-state
  std::string command = "serve";
  std::string listen = "127.0.0.1:8080";
  std::string data = "./data";
  std::string admin_token;       // at least kMinAdminTokenBytes
  std::string admin_token_file;  // read by ReadSecretFiles into admin_token
  std::string kafka;
  int kafka_partitions = 6;  // partitions of the topic when the server creates it
  std::string kafka_topic = "helpdesk.events";
  std::string log_level = "info";
  std::string from, to;            // export-events: RFC 3339 bounds on the events' `at` (inclusive)
  bool pseudonyms = false;         // export-events: for analysts (adapters/pseudonyms.h)
  std::string until;               // replay: only events at or before this time…
  std::string out;                 // …into the views of this folder
  bool read_only = false;          // serve: answer reads only (a replayed snapshot)
  std::string attachments;         // serve: where uploads live; empty: <data>/attachments
  int delivery_backoff_ms = 1000;  // serve: first wait after a failed delivery (then doubles)
  int cache_mb = 256;              // the write model's memory (NodeOptions::cache_mb)
  int state_flush_ms = 1000;       // serve: how often the write model reaches its store
  int max_lag = 10000;             // serve: /readyz's most events the views may trail the log
  int rate_per_token = 100;        // serve: requests/s per bearer token (burst 2x); 0: no limit
  int rate_per_address = 200;      // serve: requests/s per client address (burst 2x); 0: none
  bool allow_private_outbound = false;  // serve: http:// and private outbound URLs (dev, tests)
  std::string secrets_key;       // the key lines (HELPDESK_SECRETS_KEY, or read from the file)
  std::string secrets_key_file;  // read by ReadSecretFiles into secrets_key
  std::string cluster_key;       // HELPDESK_CLUSTER_KEY, or read from the file
  std::string cluster_key_file;
  std::string kafka_config_file;     // librdkafka properties for every client (TLS, SASL)
  int kafka_replication_factor = 0;  // 0: up to 3, as many as there are brokers
  bool metrics = true;               // serve: GET /metrics counted and served (--no-metrics)
  std::string metrics_token;         // serve: a scraper's bearer token for /metrics
  std::string metrics_token_file;    // read by ReadSecretFiles into metrics_token
  std::string bootstrap_from;        // serve: a new node's data from this checkpoint
  // serve: the edge gate in front of the HTTP listener (api/edge_gate.h) and its limits.
  bool edge_gate = true;         // --no-edge-gate: behind a proxy that enforces them
  int max_connections = 1024;    // open client connections at once
  int max_header_bytes = 16384;  // a request's head (request line and headers)
  int header_timeout_s = 10;     // a head's first byte to its last
  int body_timeout_s = 300;      // a head's end to its body's
  int idle_timeout_s = 60;       // no byte either way on a connection
};

// A bootstrap admin token shorter than this is refused: it must not be guessable.
inline constexpr size_t kMinAdminTokenBytes = 16;

// `env` looks a variable up (getenv in production). Errors name the bad flag.
Result<Options> ParseOptions(const std::vector<std::string>& args,
                             const std::function<const char*(const char*)>& env);
std::string Usage();
// Reads the admin token from `admin_token_file` when one is named (surrounding newline trimmed),
// the secrets key from `secrets_key_file`, the cluster key from `cluster_key_file` and the
// metrics token from `metrics_token_file`.
Status ReadSecretFiles(Options& o);
// A small file of settings or secrets, without the trailing white space an editor leaves.
Result<std::string> ReadSettingsFile(const std::string& path);

}  // namespace helpdesk
