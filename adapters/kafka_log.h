// KafkaLog: the event log in an Apache Kafka topic (default `helpdesk.events`, 6 partitions,
// key = stream id, unlimited retention), created if missing.
//
// Positions: an event's position is its partition offset + 1, so a token "p:n" means "partition
// p up to and including offset n-1", the same "last included" reading as the embedded log.
// Envelopes in the topic carry position 0; readers fill position and partition from Kafka.
//
// Appends: an idempotent, transactional producer (acks=all). A writer thread commits everything
// queued in one transaction (group commit), so the events of a command land together or not at
// all, across partitions. An append resolves after the commit succeeded; on a broker error the
// transaction is aborted and the append answers kLogUnavailable within a few seconds. A commit
// that timed out also answers kLogUnavailable, but its outcome is unknown: it may still commit
// (resolved before the next transaction).
// Stream versions come from the caller's expected versions: the command layer is the single writer
// of its streams.
//
// Reads: read_committed consumers assigned to every partition (no consumer group).
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/append_queue.h"
#include "adapters/event_log.h"
#include "adapters/kafka_client.h"

struct rd_kafka_s;
struct rd_kafka_topic_partition_list_s;
struct rd_kafka_consumer_group_metadata_s;

namespace helpdesk {

struct KafkaOptions {
  std::string brokers;  // host:port[,host:port…]
  std::string topic = "helpdesk.events";
  int partitions = 6;
  std::string transactional_id;  // stable per node: a restarted node fences its old self
  int timeout_ms = 2500;         // how long an event may wait for the broker before failing
  // Replicas of the topic when this node creates it; 0: up to 3, as many as the cluster has
  // brokers. min.insync.replicas is one less (at least 1): with 3, a write survives one broker.
  int replication_factor = 0;
};

// A message produced in the same transaction as events (a command sent on to another decider).
struct KafkaMessage {
  std::string topic;
  int32_t partition = 0;
  std::string key, value;
};

// What a decider's transaction carries besides events: the offsets of the commands it consumed,
// so the events and "these commands are done" commit together or not at all.
struct TransactionExtras {
  std::vector<KafkaMessage> messages;
  rd_kafka_topic_partition_list_s* offsets = nullptr;   // not owned; null: none
  rd_kafka_consumer_group_metadata_s* group = nullptr;  // not owned; with offsets
};

class KafkaLog final : public EventLog {
 public:
  static Result<std::unique_ptr<KafkaLog>> Open(const KafkaOptions& options);
  // The producer's settings (idempotent, acks=all, transactional as `transactional_id`), also for
  // benchmarks that measure the same producer without the log.
  static KafkaSettings ProducerSettings(const KafkaOptions& options,
                                        const std::string& transactional_id);
  ~KafkaLog() override;
  KafkaLog(const KafkaLog&) = delete;
  KafkaLog& operator=(const KafkaLog&) = delete;

  std::future<Result<AppendResult>> AppendAsync(AppendRequest request) override;
  void Reset() override;
  void HoldAppends() override { queue_.Hold(); }
  void ReleaseAppends() override { queue_.Release(); }
  Result<std::vector<RecordedEvent>> Read(const ConsistencyToken& after, size_t max,
                                          std::chrono::milliseconds wait) override;
  // The envelopes as the topic holds them; Read decodes these.
  Result<std::vector<StoredEvent>> ReadStored(const ConsistencyToken& after, size_t max,
                                              std::chrono::milliseconds wait) override;
  ConsistencyToken Head() const override;
  Result<bool> IsCaughtUp(const ConsistencyToken& token) override;
  Result<bool> Reaches(const ConsistencyToken& token) override;

  // True when `token` holds every event of `partition` below `end_offset` (an offset Kafka
  // reported as the end, e.g. a high watermark), as far as this process's readers have seen.
  bool HasReached(const ConsistencyToken& token, int partition, int64_t end_offset);

  // Appends `request` with `extras` in one transaction, on the calling thread (a decider's loop).
  // Same errors as AppendAsync: a failure leaves nothing of it visible, except a commit that timed
  // out, which may still commit.
  Result<AppendResult> Transact(AppendRequest request, const TransactionExtras& extras);

  // The partition Kafka's default (murmur2) partitioner gives `key` among `partitions`: where the
  // events of a stream live, and where commands for it are routed.
  static int32_t PartitionFor(const std::string& key, int partitions);
  // Creates `topic` unless it exists. retention_ms -1: forever. replication_factor 0: see
  // KafkaOptions. `configs`: more topic settings (e.g. compaction).
  static Status EnsureTopic(rd_kafka_s* client, const std::string& brokers,
                            const std::string& topic, int partitions, int64_t retention_ms,
                            int replication_factor = 0, const KafkaSettings& configs = {});
  int partitions() const { return partitions_; }
  const KafkaOptions& options() const { return options_; }

 private:
  // A consumer and where it stands. Sequential readers (the projections, a client paging the
  // feed) each find the reader already at their position, so nobody seeks back and forth.
  struct Reader {
    std::mutex mu;
    rd_kafka_s* consumer = nullptr;
    bool assigned = false;
    ConsistencyToken position;  // after the last event read
    uint64_t last_used = 0;
  };
  // What an end of partition taught about one partition: no committed event lies at offsets in
  // [position, eof_offset). A fact of the log, true forever, whichever reader learned it; kept
  // apart from the readers so that asking needs no reader's lock (the projections' read-ahead
  // holds its reader almost without a pause).
  struct PartitionEnd {
    uint64_t position = 0;
    int64_t eof_offset = -1;  // -1: no end seen yet
  };
  static constexpr int kReaders = 3;

  // Where a produced message landed, filled by the delivery report callback.
 public:
  struct DeliverySlot {
    int err = -199;  // RD_KAFKA_RESP_ERR__IN_PROGRESS
    int32_t partition = -1;
    int64_t offset = -1;
  };

 private:
  // A transaction not yet resolved: its events, their envelopes, and the slots its delivery
  // reports write to. The envelopes are produced without a copy: librdkafka reads them until
  // their delivery reports, so they live here, as long as the transaction is unresolved (and,
  // for a replaced producer, until it is destroyed).
  struct InFlight {
    std::vector<RecordedEvent> events;
    std::vector<std::string> envelopes;
    std::vector<DeliverySlot> deliveries;
    bool needs_abort = false;  // false: the commit timed out, its outcome is unknown
  };

  KafkaLog(KafkaOptions options, std::string transactional_id, rd_kafka_s* producer,
           int partitions);
  // Fills request.encoded (the envelopes as the topic holds them), unless already done.
  static void EncodeAll(AppendRequest& request);
  // Commits everything queued in one transaction. Writer thread.
  void CommitGroup(std::deque<AppendQueue::Pending>& group);
  // One transaction of `requests` (and `extras`, if any): one result per request. txn_mu_.
  Result<std::vector<AppendResult>> RunTransaction(const std::vector<AppendRequest*>& requests,
                                                   const TransactionExtras* extras);
  // Resolves a previous failed transaction (abort, or learn it committed). txn_mu_ held.
  Status EnsureTransactionReady();
  // After a fatal error that is not a fence (e.g. the broker, back from an outage, refused to
  // abort a transaction it had already timed out: INVALID_TXN_STATE), a new producer with the
  // same transactional id takes over: its init_transactions aborts whatever the old one left
  // open. A fence (another producer took the id) stays fatal. txn_mu_ held.
  Status ReplaceFailedProducer();
  int CommitTimeoutMs() const { return options_.timeout_ms + 1500; }  // > message.timeout.ms
  // Short: with the broker away an abort cannot finish; a later call resumes it.
  static constexpr int kAbortTimeoutMs = 1000;
  void Assign(Reader& reader, const ConsistencyToken& from);  // reader.mu held
  // Records that a reader at `position` on `partition` was told the partition ends at `offset`.
  void NoteEnd(int32_t partition, uint64_t position, int64_t offset);
  Reader& PickReader(const ConsistencyToken& after);

  const KafkaOptions options_;
  const std::string transactional_id_;
  // Replaced (txn_mu_ held) only by ReplaceFailedProducer; read without the lock by Reaches.
  std::atomic<rd_kafka_s*> producer_;
  // Failed producers, kept until the log closes (a reader without the lock may still hold one),
  // with the transaction their delivery reports point into.
  struct Retired {
    rd_kafka_s* producer;
    std::unique_ptr<InFlight> flight;
  };
  std::vector<Retired> retired_;  // txn_mu_
  const int partitions_;

  // Transaction state: one transaction at a time, from the writer thread or Transact().
  std::mutex txn_mu_;
  std::unique_ptr<InFlight> unresolved_;  // a failed transaction not aborted yet
  bool fatal_ = false;                    // the producer cannot go on (fenced)

  AppendQueue queue_;
  std::thread writer_;

  std::mutex pick_mu_;
  uint64_t reads_ = 0;
  Reader readers_[kReaders];

  mutable std::mutex head_mu_;
  ConsistencyToken head_;           // everything appended or read by this process
  std::vector<PartitionEnd> ends_;  // per partition: the furthest end seen
};

}  // namespace helpdesk
