// KafkaCommandBus: how the nodes of a cluster hand each other commands. A node that receives a
// command over HTTP writes it to the commands topic (`<events topic>.commands`, one partition per
// events partition, routed by the stream the command is about), and waits for the answer on its
// own partition of the replies topic (`<events topic>.replies`). The node that owns the
// partition decides it (KafkaDecider) and answers with SendReply.
//
// Answers come back only after the deciding node's transaction committed. No answer within
// `reply_timeout` (the broker or the owner is away, and no other node took over in time) is
// kLogUnavailable: the client may retry; the command may or may not have been done.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "adapters/consistency_token.h"
#include "commands/cluster/routed_commands.h"

struct rd_kafka_s;

namespace helpdesk {

struct CommandBusOptions {
  std::string brokers;
  std::string events_topic;
  int partitions = 6;  // of the events topic: commands use the same routing
  std::string node_id;
  std::chrono::milliseconds reply_timeout{12000};
  int produce_timeout_ms = 2500;
  // What this node has seen of the log: the decider waits until its own state includes it
  // before deciding, so a command may rest on anything its client read here.
  std::function<ConsistencyToken()> seen;
  // The cluster's HMAC key: commands and replies carry "sig", HMAC-SHA256 of their request id
  // and body (and a command's "sent_at"); a node refuses (and logs) what it cannot verify.
  // Every node the same.
  std::string signing_key;
  // A command sent longer ago than this (by the sender's clock) is refused unread: a signed
  // command copied off the topic cannot be played again later, and one held up far past its
  // client's wait is not done behind the client's back. Allows for clocks this far apart.
  std::chrono::milliseconds max_command_age{std::chrono::minutes(5)};
  // Milliseconds since the epoch; null: the system clock.
  std::function<int64_t()> now_ms;
  // Replication of the commands and replies topics when this node creates them (0: up to 3,
  // as many as the cluster has brokers).
  int replication_factor = 0;
};

class KafkaCommandBus final : public CommandTransport {
 public:
  static Result<std::unique_ptr<KafkaCommandBus>> Open(CommandBusOptions options);
  ~KafkaCommandBus() override;
  KafkaCommandBus(const KafkaCommandBus&) = delete;
  KafkaCommandBus& operator=(const KafkaCommandBus&) = delete;

  Result<CommandOutcome> Send(const std::string& routing_key,
                              const nlohmann::json& command) override;
  // The deciding side: answers request `request_id` of node `reply_to`. Best effort: a lost
  // answer is a timeout for the client, never a wrong answer.
  void SendReply(const std::string& reply_to, const std::string& request_id,
                 const nlohmann::json& outcome);
  // Whether a command's envelope was signed with this cluster's key (a node that can write the
  // topic without the key cannot make a command, whatever role it claims).
  bool Authentic(const nlohmann::json& envelope) const;
  // Whether an authentic envelope was sent within max_command_age of now (either way).
  bool Fresh(const nlohmann::json& envelope) const;
  // The freshness window, and now by the clock Fresh reads (milliseconds since the epoch).
  std::chrono::milliseconds max_command_age() const { return options_.max_command_age; }
  // How long a command waits for its answer.
  std::chrono::milliseconds reply_timeout() const { return options_.reply_timeout; }
  int64_t NowMs() const;

  static std::string CommandsTopic(const std::string& events_topic) {
    return events_topic + ".commands";
  }
  static std::string RepliesTopic(const std::string& events_topic) {
    return events_topic + ".replies";
  }

 public:
  // Written by the delivery report of a command: a command the broker refused fails at once.
  struct Waiter {
    std::promise<Result<CommandOutcome>> answer;
    std::atomic<bool> settled{false};
    void Settle(Result<CommandOutcome> outcome);
  };

 private:
  KafkaCommandBus(CommandBusOptions options, rd_kafka_s* producer, rd_kafka_s* replies);
  void Loop();  // delivery reports and replies
  void Deliver(const std::string& payload);
  std::string Sign(const std::string& request_id, const nlohmann::json& body) const;
  std::string SignCommand(const std::string& request_id, int64_t sent_at,
                          const nlohmann::json& command) const;

  const CommandBusOptions options_;
  rd_kafka_s* producer_;
  rd_kafka_s* replies_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<Waiter>> waiting_;  // by request id
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace helpdesk
