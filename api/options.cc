#include "api/options.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "domain/time.h"

namespace helpdesk {

std::string Usage() {
  return "usage: helpdeskd [serve] --listen HOST:PORT --data DIR --admin-token-file FILE\n"
         "                 [--admin-token TOKEN (visible to other local users: prefer the file)]\n"
         "                 [--max-lag EVENTS] [--rate-per-token N] [--rate-per-address N]\n"
         "                 [--allow-private-outbound] [--secrets-key-file FILE]\n"
         "                 [--kafka-config FILE] [--kafka-replication-factor N]\n"
         "                 [--cluster-key-file FILE] [--metrics-token-file FILE] [--no-metrics]\n"
         "                 [--bootstrap-from CHECKPOINT_DIR] [--max-connections N]\n"
         "                 [--max-header-bytes N] [--header-timeout-s S] [--body-timeout-s S]\n"
         "                 [--idle-timeout-s S] [--no-edge-gate]\n"
         "                 [--kafka HOST:PORT[,HOST:PORT...]] [--kafka-partitions N]\n"
         "                 [--kafka-topic NAME] [--log-level LEVEL] [--attachments DIR]\n"
         "                 [--delivery-backoff-ms N] [--cache-mb N] [--state-flush-ms N]\n"
         "       helpdeskd rebuild|replay --data DIR [--kafka …] [--until TIME --out DIR2]\n"
         "       helpdeskd serve --read-only --data DIR2 --admin-token TOKEN (a replayed past)\n"
         "       helpdeskd export-events --data DIR [--kafka …] [--from TIME] [--to TIME]\n"
         "                 [--pseudonyms] (for analysts: personal data as pseudonyms)\n"
         "       helpdeskd verify --data DIR [--kafka …]\n"
         "       helpdeskd verify-state --data DIR [--kafka …] (on a stopped node)\n"
         "environment: HELPDESK_LISTEN HELPDESK_DATA HELPDESK_ADMIN_TOKEN HELPDESK_KAFKA "
         "HELPDESK_LOG_LEVEL HELPDESK_KAFKA_PARTITIONS HELPDESK_KAFKA_TOPIC\n"
         "             HELPDESK_ATTACHMENTS HELPDESK_DELIVERY_BACKOFF_MS HELPDESK_CACHE_MB\n"
         "             HELPDESK_STATE_FLUSH_MS HELPDESK_ADMIN_TOKEN_FILE HELPDESK_MAX_LAG\n"
         "             HELPDESK_RATE_PER_TOKEN HELPDESK_RATE_PER_ADDRESS HELPDESK_SECRETS_KEY\n"
         "             HELPDESK_SECRETS_KEY_FILE HELPDESK_CLUSTER_KEY HELPDESK_CLUSTER_KEY_FILE\n"
         "             HELPDESK_KAFKA_CONFIG HELPDESK_KAFKA_REPLICATION_FACTOR\n"
         "             HELPDESK_METRICS_TOKEN HELPDESK_METRICS_TOKEN_FILE "
         "HELPDESK_BOOTSTRAP_FROM\n"
         "             HELPDESK_MAX_CONNECTIONS HELPDESK_MAX_HEADER_BYTES "
         "HELPDESK_HEADER_TIMEOUT_S\n"
         "             HELPDESK_BODY_TIMEOUT_S HELPDESK_IDLE_TIMEOUT_S\n";
}

namespace {

// A numeric flag's value from `min` to `max` into `into`; an empty `text` leaves it as it is.
Status ParseNumber(const std::string& text, const char* flag, long min, long max, int& into) {
  if (text.empty()) return Status::Ok();
  char* end = nullptr;
  const long n = std::strtol(text.c_str(), &end, 10);
  if (*end != '\0' || n < min || n > max) {
    return Error{ErrorCode::kInvalidField, std::string(flag) + " must be a number from " +
                                               std::to_string(min) + " to " + std::to_string(max)};
  }
  into = static_cast<int>(n);
  return Status::Ok();
}

}  // namespace

Result<Options> ParseOptions(const std::vector<std::string>& args,
                             const std::function<const char*(const char*)>& env) {
  Options o;
  auto from_env = [&](const char* name, std::string& into) {
    if (const char* v = env(name); v && *v) into = v;
  };
  from_env("HELPDESK_LISTEN", o.listen);
  from_env("HELPDESK_DATA", o.data);
  from_env("HELPDESK_ADMIN_TOKEN", o.admin_token);
  from_env("HELPDESK_ADMIN_TOKEN_FILE", o.admin_token_file);
  from_env("HELPDESK_SECRETS_KEY", o.secrets_key);
  from_env("HELPDESK_SECRETS_KEY_FILE", o.secrets_key_file);
  from_env("HELPDESK_CLUSTER_KEY", o.cluster_key);
  from_env("HELPDESK_CLUSTER_KEY_FILE", o.cluster_key_file);
  from_env("HELPDESK_KAFKA_CONFIG", o.kafka_config_file);
  from_env("HELPDESK_METRICS_TOKEN", o.metrics_token);
  from_env("HELPDESK_METRICS_TOKEN_FILE", o.metrics_token_file);
  from_env("HELPDESK_BOOTSTRAP_FROM", o.bootstrap_from);
  std::string replication;
  from_env("HELPDESK_KAFKA_REPLICATION_FACTOR", replication);
  from_env("HELPDESK_KAFKA", o.kafka);
  from_env("HELPDESK_LOG_LEVEL", o.log_level);
  from_env("HELPDESK_KAFKA_TOPIC", o.kafka_topic);
  from_env("HELPDESK_ATTACHMENTS", o.attachments);
  std::string partitions;
  from_env("HELPDESK_KAFKA_PARTITIONS", partitions);
  std::string backoff, cache_mb, state_flush, max_lag, rate_token, rate_address;
  // The edge gate's limits (serve only): flag, environment twin, range, and where it goes.
  struct EdgeFlag {
    const char* flag;
    const char* env;
    long min, max;
    int* into;
    std::string text;
  };
  EdgeFlag edge_flags[] = {
      {"--max-connections", "HELPDESK_MAX_CONNECTIONS", 1, 1 << 20, &o.max_connections, ""},
      {"--max-header-bytes", "HELPDESK_MAX_HEADER_BYTES", 1024, 1 << 20, &o.max_header_bytes, ""},
      {"--header-timeout-s", "HELPDESK_HEADER_TIMEOUT_S", 1, 3600, &o.header_timeout_s, ""},
      {"--body-timeout-s", "HELPDESK_BODY_TIMEOUT_S", 1, 86400, &o.body_timeout_s, ""},
      {"--idle-timeout-s", "HELPDESK_IDLE_TIMEOUT_S", 1, 86400, &o.idle_timeout_s, ""}};
  for (EdgeFlag& e : edge_flags) from_env(e.env, e.text);
  from_env("HELPDESK_MAX_LAG", max_lag);
  from_env("HELPDESK_RATE_PER_TOKEN", rate_token);
  from_env("HELPDESK_RATE_PER_ADDRESS", rate_address);
  from_env("HELPDESK_DELIVERY_BACKOFF_MS", backoff);
  from_env("HELPDESK_CACHE_MB", cache_mb);
  from_env("HELPDESK_STATE_FLUSH_MS", state_flush);
  size_t i = 0;
  if (!args.empty() &&
      (args[0] == "serve" || args[0] == "rebuild" || args[0] == "replay" ||
       args[0] == "export-events" || args[0] == "verify" || args[0] == "verify-state")) {
    o.command = args[0];
    i = 1;
  }
  for (; i < args.size(); ++i) {
    const std::string& flag = args[i];
    auto value = [&](std::string& into) -> Status {
      if (i + 1 >= args.size()) return InvalidField(flag, "needs a value");
      into = args[++i];
      return Status::Ok();
    };
    Status s;
    EdgeFlag* edge = nullptr;
    for (EdgeFlag& e : edge_flags) {
      if (flag == e.flag && o.command == "serve") edge = &e;
    }
    if (edge)
      s = value(edge->text);
    else if (flag == "--listen")
      s = value(o.listen);
    else if (flag == "--data")
      s = value(o.data);
    else if (flag == "--admin-token")
      s = value(o.admin_token);
    else if (flag == "--admin-token-file")
      s = value(o.admin_token_file);
    else if (flag == "--secrets-key-file")
      s = value(o.secrets_key_file);
    else if (flag == "--cluster-key-file")
      s = value(o.cluster_key_file);
    else if (flag == "--kafka-config")
      s = value(o.kafka_config_file);
    else if (flag == "--kafka-replication-factor")
      s = value(replication);
    else if (flag == "--max-lag" && o.command == "serve")
      s = value(max_lag);
    else if (flag == "--metrics-token-file" && o.command == "serve")
      s = value(o.metrics_token_file);
    else if (flag == "--no-metrics" && o.command == "serve")
      o.metrics = false;
    else if (flag == "--bootstrap-from" && o.command == "serve")
      s = value(o.bootstrap_from);
    else if (flag == "--allow-private-outbound" && o.command == "serve")
      o.allow_private_outbound = true;
    else if (flag == "--rate-per-token" && o.command == "serve")
      s = value(rate_token);
    else if (flag == "--rate-per-address" && o.command == "serve")
      s = value(rate_address);
    else if (flag == "--no-edge-gate" && o.command == "serve")
      o.edge_gate = false;
    else if (flag == "--kafka")
      s = value(o.kafka);
    else if (flag == "--log-level")
      s = value(o.log_level);
    else if (flag == "--kafka-partitions")
      s = value(partitions);
    else if (flag == "--kafka-topic")
      s = value(o.kafka_topic);
    else if (flag == "--until" && (o.command == "rebuild" || o.command == "replay"))
      s = value(o.until);
    else if (flag == "--out" && (o.command == "rebuild" || o.command == "replay"))
      s = value(o.out);
    else if (flag == "--delivery-backoff-ms" && o.command == "serve")
      s = value(backoff);
    else if (flag == "--cache-mb")
      s = value(cache_mb);
    else if (flag == "--state-flush-ms" && o.command == "serve")
      s = value(state_flush);
    else if (flag == "--attachments" && o.command == "serve")
      s = value(o.attachments);
    else if (flag == "--read-only" && o.command == "serve")
      o.read_only = true;
    else if (flag == "--from" && o.command == "export-events")
      s = value(o.from);
    else if (flag == "--to" && o.command == "export-events")
      s = value(o.to);
    else if (flag == "--pseudonyms" && o.command == "export-events")
      o.pseudonyms = true;
    else
      return Error{ErrorCode::kInvalidField, "unknown flag " + flag};
    if (!s.ok()) return s.error();
  }
  if (Status s = ParseNumber(partitions, "--kafka-partitions", 1, 1000, o.kafka_partitions);
      !s.ok()) {
    return s.error();
  }
  if (Status s = ParseNumber(backoff, "--delivery-backoff-ms", 10, 600000, o.delivery_backoff_ms);
      !s.ok()) {
    return s.error();
  }
  if (Status s = ParseNumber(cache_mb, "--cache-mb", 16, 1 << 20, o.cache_mb); !s.ok()) {
    return s.error();
  }
  if (Status s = ParseNumber(state_flush, "--state-flush-ms", 1, 600000, o.state_flush_ms);
      !s.ok()) {
    return s.error();
  }
  if (Status s = ParseNumber(replication, "--kafka-replication-factor", 0, 100,
                             o.kafka_replication_factor);
      !s.ok()) {
    return s.error();
  }
  if (Status s = ParseNumber(max_lag, "--max-lag", 1, 1 << 30, o.max_lag); !s.ok()) {
    return s.error();
  }
  if (Status s = ParseNumber(rate_token, "--rate-per-token", 0, 1 << 20, o.rate_per_token);
      !s.ok()) {
    return s.error();
  }
  if (Status s = ParseNumber(rate_address, "--rate-per-address", 0, 1 << 20, o.rate_per_address);
      !s.ok()) {
    return s.error();
  }
  for (const EdgeFlag& e : edge_flags) {
    if (Status s = ParseNumber(e.text, e.flag, e.min, e.max, *e.into); !s.ok()) return s.error();
  }
  if (o.command == "replay") o.command = "rebuild";  // the same: views rebuilt from the log
  if (!o.until.empty() && o.out.empty()) {
    return Error{ErrorCode::kInvalidField,
                 "replay --until needs --out DIR: the past goes to a folder of its own"};
  }
  for (const std::string* t : {&o.from, &o.to, &o.until}) {
    if (!t->empty() && !ParseRfc3339(*t)) {
      return Error{ErrorCode::kInvalidField, "--from, --to and --until take RFC 3339 times"};
    }
  }
  // A range that holds no instant is a mistake (the dates swapped), not an empty export.
  if (!o.from.empty() && !o.to.empty() && *ParseRfc3339(o.to) < *ParseRfc3339(o.from)) {
    return Error{ErrorCode::kInvalidField, "--to is before --from"};
  }
  if (o.read_only && !o.kafka.empty()) {
    return Error{ErrorCode::kInvalidField,
                 "--read-only serves a replayed folder on its own: it takes no --kafka"};
  }
  if (o.command == "serve" && o.admin_token.empty() && o.admin_token_file.empty()) {
    return Error{ErrorCode::kInvalidField,
                 "--admin-token-file (or --admin-token, HELPDESK_ADMIN_TOKEN) is required"};
  }
  if (!o.admin_token.empty() && o.admin_token.size() < kMinAdminTokenBytes) {
    return Error{ErrorCode::kInvalidField, "the admin token must be at least 16 characters"};
  }
  return o;
}

Result<std::string> ReadSettingsFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{ErrorCode::kInvalidField, "cannot read " + path};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.pop_back();  // the newline an editor or `echo` leaves
  }
  return text;
}

Status ReadSecretFiles(Options& o) {
  // Each named file replaces what the environment gave.
  for (auto [path, into] : {std::pair{&o.cluster_key_file, &o.cluster_key},
                            std::pair{&o.secrets_key_file, &o.secrets_key},
                            std::pair{&o.admin_token_file, &o.admin_token},
                            std::pair{&o.metrics_token_file, &o.metrics_token}}) {
    if (path->empty()) continue;
    auto text = ReadSettingsFile(*path);
    if (!text.ok()) return text.error();
    *into = std::move(text).value();
  }
  if (!o.cluster_key.empty() && o.cluster_key.size() < 32) {
    return Error{ErrorCode::kInvalidField, "the cluster key must be at least 32 characters"};
  }
  if (!o.admin_token_file.empty() && o.admin_token.size() < kMinAdminTokenBytes) {
    return Error{ErrorCode::kInvalidField,
                 "the admin token in " + o.admin_token_file + " must be at least 16 characters"};
  }
  if (!o.metrics_token.empty() && o.metrics_token.size() < kMinAdminTokenBytes) {
    return Error{ErrorCode::kInvalidField, "the metrics token must be at least 16 characters"};
  }
  return Status::Ok();
}

}  // namespace helpdesk
