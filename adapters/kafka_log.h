// KafkaLog: the event log in an Apache Kafka topic (default `helpdesk.events`, 6 partitions,
// key = stream id, unlimited retention), created if missing.
//
// Positions: an event's position is its partition offset + 1, so a token "p:n" means "partition
// p up to and including offset n-1", the same "last included" reading as the embedded log.
// Envelopes in the topic carry position 0; readers fill position and partition from Kafka.
//
// Appends: an idempotent, transactional producer (acks=all). A writer thread commits everything
// queued in one transaction (group commit), so the events of a command land together or not at
// all, across partitions. An append resolves after the commit succeeded; on a timeout or a broker
// error the transaction is aborted and the append answers kLogUnavailable within a few seconds.
// Stream versions come from the caller's expected versions: the command layer is the single writer
// of its streams.
//
// Reads: read_committed consumers assigned to every partition (no consumer group).
// Thread-safe.
#pragma once

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

struct rd_kafka_s;

namespace helpdesk {

struct KafkaOptions {
  std::string brokers;  // host:port[,host:port…]
  std::string topic = "helpdesk.events";
  int partitions = 6;
  std::string transactional_id;  // stable per node: a restarted node fences its old self
  int timeout_ms = 2500;         // how long an event may wait for the broker before failing
};

class KafkaLog final : public EventLog {
 public:
  static Result<std::unique_ptr<KafkaLog>> Open(const KafkaOptions& options);
  ~KafkaLog() override;
  KafkaLog(const KafkaLog&) = delete;
  KafkaLog& operator=(const KafkaLog&) = delete;

  std::future<Result<AppendResult>> AppendAsync(AppendRequest request) override;
  void Reset() override;
  Result<std::vector<RecordedEvent>> Read(const ConsistencyToken& after, size_t max,
                                          std::chrono::milliseconds wait) override;
  ConsistencyToken Head() const override;
  Result<bool> IsCaughtUp(const ConsistencyToken& token) override;

 private:
  // A consumer and where it stands. Sequential readers (the projections, a client paging the
  // feed) each find the reader already at their position, so nobody seeks back and forth.
  struct Reader {
    std::mutex mu;
    rd_kafka_s* consumer = nullptr;
    bool assigned = false;
    ConsistencyToken position;  // after the last event read
    std::vector<bool> at_end;   // per partition: nothing more to read (EOF seen since)
    uint64_t last_used = 0;
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
  // A transaction not yet resolved: its events, and the slots its delivery reports write to.
  struct InFlight {
    std::vector<RecordedEvent> events;
    std::vector<DeliverySlot> deliveries;
    bool needs_abort = false;  // false: the commit timed out, its outcome is unknown
  };

  KafkaLog(KafkaOptions options, rd_kafka_s* producer, int partitions);
  // Commits everything queued in one transaction. Writer thread.
  void CommitGroup(std::deque<AppendQueue::Pending>& group);
  // Resolves a previous failed transaction (abort, or learn it committed). Writer thread.
  Status EnsureTransactionReady();
  int CommitTimeoutMs() const { return options_.timeout_ms + 1500; }  // > message.timeout.ms
  // Short: with the broker away an abort cannot finish; a later call resumes it.
  static constexpr int kAbortTimeoutMs = 1000;
  void Assign(Reader& reader, const ConsistencyToken& from);  // reader.mu held
  Reader& PickReader(const ConsistencyToken& after);

  const KafkaOptions options_;
  rd_kafka_s* producer_;
  const int partitions_;

  // Writer thread state.
  std::unique_ptr<InFlight> unresolved_;  // a failed transaction not aborted yet
  bool fatal_ = false;                    // the producer cannot go on (fenced)

  AppendQueue queue_;
  std::thread writer_;

  std::mutex pick_mu_;
  uint64_t reads_ = 0;
  Reader readers_[kReaders];

  mutable std::mutex head_mu_;
  ConsistencyToken head_;  // everything appended or read by this process
};

}  // namespace helpdesk
