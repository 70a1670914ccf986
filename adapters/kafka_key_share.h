// KafkaKeyShare: the key share (adapters/key_share.h) of a Kafka cluster.
//
// The records live in a compacted topic `<events topic>.keys` of one partition, so every node
// reads them in one order; record key "<contact id>#<key id>", value the key wrapped with the
// secrets key (so the topic alone opens nothing), the erasure marker, or null (a withdrawal,
// which compaction turns into nothing). A thread reads the topic into the node's ContactKeys
// from the bookmark stored with them, and publishes the withdrawals they ask for.
//
// Publishing: an idempotent producer, acks=all; Publish returns once every record is
// acknowledged. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/contact_keys.h"
#include "adapters/kafka_log.h"
#include "adapters/key_share.h"

struct rd_kafka_s;
struct rd_kafka_topic_s;

namespace helpdesk {

class KafkaKeyShare final : public KeyShare {
 public:
  // Creates the topic unless it exists, and starts reading it into `keys` (which must outlive
  // this) from where `keys` last stopped.
  static Result<std::unique_ptr<KafkaKeyShare>> Open(const KafkaOptions& options,
                                                     ContactKeys& keys);
  static std::string TopicFor(const std::string& events_topic) { return events_topic + ".keys"; }
  ~KafkaKeyShare() override;  // stops the reader
  KafkaKeyShare(const KafkaKeyShare&) = delete;
  KafkaKeyShare& operator=(const KafkaKeyShare&) = delete;

  Status Publish(const std::vector<SharedKey>& records) override;
  Status CatchUp() override;

 private:
  KafkaKeyShare(std::string topic, rd_kafka_s* producer, rd_kafka_topic_s* known,
                rd_kafka_s* consumer, ContactKeys& keys);
  // Assigns the reader at `next` (an offset; negative: the topic's beginning).
  void Seek(int64_t next);
  void ReadLoop();

  const std::string topic_;
  rd_kafka_s* producer_;
  // Held so the producer keeps the topic's metadata (its leader): without it, asking where the
  // topic ends fails with "unknown partition" until something is produced.
  rd_kafka_topic_s* known_;
  rd_kafka_s* consumer_;
  ContactKeys& keys_;

  std::mutex mu_;
  std::condition_variable applied_cv_;
  int64_t applied_next_ = 0;  // every record below this offset is applied to keys_
  std::atomic<bool> stop_{false};
  std::thread reader_;
};

}  // namespace helpdesk
