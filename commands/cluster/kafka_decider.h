// KafkaDecider: this node's share of deciding commands in a cluster on Kafka.
//
// Every node consumes the commands topic in one consumer group, so each partition has exactly
// one owner. The owner of partition p decides the commands routed to p — the commands on streams
// that live in events partition p — on its CommandService, and commits their events, any
// commands it sends on, and the offsets of the commands it consumed in ONE Kafka transaction
// (fenced by the group's generation, KIP-447). So each stream has one writer at a time, and a
// command's events are in the log exactly once even if its decider dies half-way: a command
// whose transaction did not commit is decided again by the partition's next owner. Answers go
// out only after the commit.
//
// Commands of a batch are decided one after the other (in partition order) on the decider's
// own thread, without waiting for the log, and committed together; a command whose events would
// touch a stream of another partition (a NotMine decision) is sent on to that partition, inside
// the same transaction.
//
// When it is given partitions, the decider first waits until this node's state includes
// everything their previous owner committed.
//
// A command that reaches this node over HTTP and is this node's to decide skips both hops
// (DecideHere): it joins the decider's next batch straight from memory, and its transaction
// carries the commands offsets of its partition as they stand (committed again, unmoved), so a
// node that lost the partition without knowing it yet is fenced by the group's generation like
// for a routed command. Should its batch not commit, it is answered kLogUnavailable (a routed
// command would be decided again; this one has no record to decide again from).
//
// A command is refused unread when it is not signed with the cluster's key, when it was sent
// longer ago than the bus's window, or when this node already committed its request id within
// that window (a signed command produced onto the topic again: ReplayGuard).
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "adapters/event_log.h"
#include "adapters/kafka_log.h"
#include "commands/cluster/decider_log.h"
#include "commands/cluster/kafka_command_bus.h"
#include "commands/cluster/replay_guard.h"
#include "commands/cluster/routed_commands.h"
#include "commands/cluster/view_progress.h"
#include "commands/command_codec.h"
#include "commands/command_service.h"
#include "commands/stream_placement.h"

namespace helpdesk {

class KafkaDecider final : public StreamPlacement, public LocalDecisions {
 public:
  KafkaDecider(KafkaLog& log, DeciderLog& decider_log, CommandService& service,
               KafkaCommandBus& bus, const ViewProgress& views);
  ~KafkaDecider() override;  // leaves the group: its partitions move to the other nodes
  KafkaDecider(const KafkaDecider&) = delete;
  KafkaDecider& operator=(const KafkaDecider&) = delete;

  Status Start();

  bool MayWrite(const std::string& stream) const override;
  // Whether this node owns the partition of `stream` (or of any routing key) now (any thread).
  bool Owns(const std::string& stream) const;
  std::string NewIdFor(std::string (*stream_of)(const std::string&)) const override;
  // Any thread; waits at most the bus's reply timeout.
  std::optional<Result<CommandOutcome>> DecideHere(const std::string& routing_key,
                                                   const Caller& caller,
                                                   const Command& command) override;

 private:
  struct Received;
  struct LocalRequest;
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void Loop();
  // Waits until this node's state includes all that was committed in its new partitions.
  void CatchUpOnOwnedPartitions();
  // Where the group's committed offsets stand on the owned commands partitions (committed_).
  void ReadCommittedOffsets(const std::set<int32_t>& owned);
  // Moves the local requests waiting into `batch`.
  void TakeLocal(std::vector<Received>& batch);
  void DecideBatch(std::vector<Received>& batch);
  // Decides `command` for `c` on this thread: sets c.decision, or c.result to its refusal. When
  // its events would touch a stream of another partition, decides nothing and returns it.
  std::optional<std::string> Decide(Received& c, const DecodedCommand& command);
  // After a failed transaction: consume again from the last committed offsets.
  void Rewind();

  KafkaLog& log_;
  DeciderLog& decider_log_;
  CommandService& service_;
  KafkaCommandBus& bus_;
  const ViewProgress& views_;
  rd_kafka_s* consumer_ = nullptr;
  rd_kafka_queue_s* consumer_queue_ = nullptr;  // to cut the decider's poll short
  ReplayGuard committed_recently_;              // decider thread only
  // The next offset to consume on each owned commands partition, as committed (decider thread
  // only): what a batch of local commands commits again.
  std::map<int32_t, int64_t> committed_;

  std::mutex local_mu_;
  std::vector<std::shared_ptr<LocalRequest>> local_;  // waiting for the next batch

  mutable std::mutex owned_mu_;
  std::set<int32_t> owned_;
  bool newly_assigned_ = false;
  uint64_t rebalances_ = 0;

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace helpdesk
