#include "adapters/kafka_key_share.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <memory>

#include "adapters/thread_name.h"

namespace helpdesk {
namespace {

// How long a caller waits for the share to be read to its end before it is told "unavailable".
constexpr auto kCatchUpPatience = std::chrono::seconds(10);
constexpr int kWatermarkTimeoutMs = 5000;
// Records applied in one write to the keys' store.
constexpr int kRecordsPerBatch = 1000;

// Compaction keeps each record key's last value, so a withdrawn (tombstoned) key leaves the
// brokers' files: a segment becomes compactable after an hour at most and is compacted within a
// day; the tombstones themselves go a day later.
const KafkaSettings kTopicConfigs = {{"cleanup.policy", "compact"},
                                     {"min.cleanable.dirty.ratio", "0.01"},
                                     {"segment.ms", "3600000"},
                                     {"max.compaction.lag.ms", "86400000"},
                                     {"delete.retention.ms", "86400000"}};

// Publish's tally, shared with the delivery reports of its records.
struct Tally {
  std::atomic<size_t> pending{0};
  std::atomic<int> error{RD_KAFKA_RESP_ERR_NO_ERROR};
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* tally = static_cast<Tally*>(m->_private);
  if (!tally) return;
  if (m->err) tally->error = m->err;
  --tally->pending;
}

std::string RecordKey(const SharedKey& r) { return r.contact_id + "#" + r.key_id; }

// librdkafka handles owned until handed to the share.
using TopicHandle = std::unique_ptr<rd_kafka_topic_t, decltype(&rd_kafka_topic_destroy)>;

// A record as read; false when its key is not "<contact id>#<key id>".
bool ParseRecord(const rd_kafka_message_t* m, SharedKey* out) {
  if (!m->key) return false;
  const std::string key(static_cast<const char*>(m->key), m->key_len);
  const size_t hash = key.rfind('#');
  if (hash == std::string::npos || hash == 0 || hash + 1 == key.size()) return false;
  out->contact_id = key.substr(0, hash);
  out->key_id = key.substr(hash + 1);
  out->wrapped.reset();
  if (m->payload) out->wrapped.emplace(static_cast<const char*>(m->payload), m->len);
  return true;
}

}  // namespace

Result<std::unique_ptr<KafkaKeyShare>> KafkaKeyShare::Open(const KafkaOptions& options,
                                                           ContactKeys& keys) {
  const std::string topic = TopicFor(options.topic);
  auto made = NewKafkaProducer({{"bootstrap.servers", options.brokers},
                                {"enable.idempotence", "true"},
                                {"acks", "all"},
                                {"linger.ms", "1"},
                                {"message.timeout.ms", "10000"}},
                               &OnDelivery);
  if (!made.ok()) return made.error();
  KafkaClient producer = OwnKafkaClient(made.value());
  // One partition: every node reads every record in the same order.
  Status created = KafkaLog::EnsureTopic(producer.get(), options.brokers, topic, 1, -1,
                                         options.replication_factor, kTopicConfigs);
  if (!created.ok()) return created.error();
  // Held for the share's life, so the producer keeps the topic's metadata (see known_).
  TopicHandle known(rd_kafka_topic_new(producer.get(), topic.c_str(), nullptr),
                    &rd_kafka_topic_destroy);
  if (!known) return KafkaUnavailable("kafka: no handle on topic " + topic);
  if (auto led = AwaitTopicLeaders(producer.get(), known.get()); !led.ok()) return led.error();
  KafkaSettings reader = AssignedReaderSettings(options.brokers, "keys");
  reader.emplace_back("auto.offset.reset", "earliest");
  auto consumer = NewKafkaConsumer(reader);
  if (!consumer.ok()) return consumer.error();
  KafkaClient reading = OwnKafkaClient(consumer.value());
  auto bookmark = keys.SharedBookmark();
  if (!bookmark.ok()) return bookmark.error();
  int64_t next = -1;
  const std::string& text = bookmark.value();
  if (!text.empty()) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), next);
    if (ec != std::errc() || end != text.data() + text.size()) {
      // Harmless (applying the share again changes nothing) but slow on a big share: say so.
      spdlog::warn("key share: unreadable bookmark \"{}\": reading the share from its start", text);
      next = -1;
    }
  }
  std::unique_ptr<KafkaKeyShare> share(
      new KafkaKeyShare(topic, producer.release(), known.release(), reading.release(), keys));
  {
    std::lock_guard<std::mutex> lock(share->mu_);
    share->applied_next_ = std::max<int64_t>(next, 0);
  }
  share->Seek(next);
  share->reader_ = std::thread([s = share.get()] {
    NameThisThread("key-share");
    s->ReadLoop();
  });
  spdlog::info("contacts' keys shared on kafka topic {} (read from offset {})", topic,
               std::max<int64_t>(next, 0));
  return share;
}

KafkaKeyShare::KafkaKeyShare(std::string topic, rd_kafka_t* producer, rd_kafka_topic_t* known,
                             rd_kafka_t* consumer, ContactKeys& keys)
    : topic_(std::move(topic)),
      producer_(producer),
      known_(known),
      consumer_(consumer),
      keys_(keys) {}

KafkaKeyShare::~KafkaKeyShare() {
  {
    std::lock_guard<std::mutex> lock(mu_);  // no waiter misses the wake-up
    stop_ = true;
  }
  applied_cv_.notify_all();
  if (reader_.joinable()) reader_.join();
  rd_kafka_consumer_close(consumer_);
  rd_kafka_destroy(consumer_);
  rd_kafka_flush(producer_, 5000);
  rd_kafka_topic_destroy(known_);
  rd_kafka_destroy(producer_);
}

void KafkaKeyShare::Seek(int64_t next) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic_.c_str(), 0)->offset =
      next < 0 ? RD_KAFKA_OFFSET_BEGINNING : next;
  rd_kafka_assign(consumer_, list);
  rd_kafka_topic_partition_list_destroy(list);
}

Status KafkaKeyShare::Publish(const std::vector<SharedKey>& records) {
  if (records.empty()) return Status::Ok();
  Tally tally;
  tally.pending = records.size();
  for (size_t i = 0; i < records.size(); ++i) {
    const SharedKey& r = records[i];
    const std::string key = RecordKey(r);
    // A withdrawal is a record without a value (a tombstone).
    char* value = r.wrapped ? const_cast<char*>(r.wrapped->data()) : nullptr;
    const size_t value_size = r.wrapped ? r.wrapped->size() : 0;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__QUEUE_FULL;
    while (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      err = rd_kafka_producev(
          producer_, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_PARTITION(0),
          RD_KAFKA_V_KEY(key.data(), key.size()), RD_KAFKA_V_VALUE(value, value_size),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(&tally), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) rd_kafka_poll(producer_, 10);
    }
    if (err) {
      // Not queued, nor the ones after it: only the queued ones will report.
      tally.error = err;
      tally.pending -= records.size() - i;
      break;
    }
  }
  // Every queued record reports within message.timeout.ms, delivered or not: the tally, on this
  // stack, is never read after this returns.
  while (tally.pending > 0) rd_kafka_poll(producer_, 20);
  if (tally.error != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaUnavailable(std::string("kafka: contacts' keys not shared: ") +
                            rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(tally.error.load())));
  }
  return Status::Ok();
}

Status KafkaKeyShare::CatchUp() {
  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  // Right after the topic is made, its partition may not be known to the client yet.
  const auto patience = std::chrono::steady_clock::now() + kCatchUpPatience;
  for (;;) {
    err = rd_kafka_query_watermark_offsets(producer_, topic_.c_str(), 0, &low, &high,
                                           kWatermarkTimeoutMs);
    const bool not_known_yet = err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION ||
                               err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART ||
                               err == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE ||
                               err == RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION;
    if (!not_known_yet || stop_ || std::chrono::steady_clock::now() > patience) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (err) {
    return KafkaUnavailable(std::string("kafka: the contacts' keys topic does not answer: ") +
                            rd_kafka_err2str(err));
  }
  // Patience runs out only when the reader stops moving: a long topic (a new node's first
  // read) takes as long as it takes.
  std::unique_lock<std::mutex> lock(mu_);
  while (applied_next_ < high && !stop_) {
    const int64_t before = applied_next_;
    applied_cv_.wait_for(lock, kCatchUpPatience,
                         [&] { return applied_next_ >= high || applied_next_ != before || stop_; });
    if (applied_next_ == before && applied_next_ < high) break;
  }
  if (applied_next_ < high) {
    return KafkaUnavailable("kafka: the contacts' keys topic cannot be read to its end");
  }
  return Status::Ok();
}

void KafkaKeyShare::ReadLoop() {
  // Destroyed keys leave the store's files at the next quiet moment, once for many erasures.
  bool compact_due = false;
  while (!stop_) {
    std::vector<SharedKey> batch;
    int64_t next = -1;
    for (int i = 0; i < kRecordsPerBatch; ++i) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_, batch.empty() ? 100 : 0);
      if (!m) break;
      if (m->err) {
        if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
          spdlog::warn("kafka keys read: {}", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
        continue;
      }
      SharedKey record;
      if (ParseRecord(m, &record)) {
        batch.push_back(std::move(record));
      } else {
        spdlog::error("kafka: an unreadable record at offset {} of {} skipped", m->offset, topic_);
      }
      next = m->offset + 1;
      rd_kafka_message_destroy(m);
    }
    if (next < 0) {
      if (compact_due) keys_.CompactAwayDestroyed();
      compact_due = false;
      continue;
    }
    bool destroyed = false;
    Status applied = keys_.ApplyShared(
        batch, std::to_string(next),
        [this](const std::vector<SharedKey>& withdraw) { return Publish(withdraw); }, &destroyed);
    compact_due = compact_due || destroyed;
    if (!applied.ok()) {
      // Read again from what was last applied.
      spdlog::error("contacts' keys from the share not stored: {}", applied.error().message);
      std::this_thread::sleep_for(std::chrono::seconds(1));
      std::lock_guard<std::mutex> lock(mu_);
      Seek(applied_next_);
      continue;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      applied_next_ = next;
    }
    applied_cv_.notify_all();
  }
}

}  // namespace helpdesk
