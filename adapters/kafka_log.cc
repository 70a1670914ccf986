#include "adapters/kafka_log.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <string_view>
#include <thread>
#include <vector>

#include "adapters/envelope_scan.h"
#include "adapters/event_codec.h"
#include "adapters/kafka_client.h"
#include "adapters/random_ids.h"
#include "adapters/thread_name.h"

namespace helpdesk {
namespace {

Error Unavailable(const std::string& what) { return KafkaUnavailable(what); }

}  // namespace

Status KafkaLog::EnsureTopic(rd_kafka_t* rk, const std::string& brokers, const std::string& name,
                             int partitions, int64_t retention_ms, int replication_factor,
                             const KafkaSettings& configs) {
  if (replication_factor <= 0) {
    // As many replicas as the cluster has brokers, up to 3.
    const rd_kafka_metadata_t* md = nullptr;
    if (rd_kafka_metadata(rk, 0, nullptr, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR || !md) {
      return Unavailable("kafka: no metadata from " + brokers);
    }
    replication_factor = std::max(1, std::min(3, md->broker_cnt));
    rd_kafka_metadata_destroy(md);
  }
  const int min_insync = std::max(1, replication_factor - 1);
  char err[512];
  rd_kafka_NewTopic_t* topic =
      rd_kafka_NewTopic_new(name.c_str(), partitions, replication_factor, err, sizeof err);
  if (!topic) return Error{ErrorCode::kInternal, std::string("kafka topic: ") + err};
  rd_kafka_NewTopic_set_config(topic, "retention.ms", std::to_string(retention_ms).c_str());
  rd_kafka_NewTopic_set_config(topic, "retention.bytes", "-1");
  rd_kafka_NewTopic_set_config(topic, "min.insync.replicas", std::to_string(min_insync).c_str());
  for (const auto& [name, value] : configs) {
    rd_kafka_NewTopic_set_config(topic, name.c_str(), value.c_str());
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &topic, 1, nullptr, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, 15000);
  Status result = Status::Ok();
  if (!ev) {
    result = Unavailable("kafka: no answer to CreateTopics from " + brokers);
  } else {
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** results =
        res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
    if (rd_kafka_event_error(ev)) {
      result = Unavailable(std::string("kafka CreateTopics: ") + rd_kafka_event_error_string(ev));
    } else if (n == 1 && rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_NO_ERROR &&
               rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
      result = Unavailable(std::string("kafka CreateTopics: ") +
                           rd_kafka_topic_result_error_string(results[0]));
    } else if (n == 1 && rd_kafka_topic_result_error(results[0]) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::info("created topic {} with {} partitions, {} replicas (min.insync.replicas {})",
                   name, partitions, replication_factor, min_insync);
    }
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(queue);
  rd_kafka_NewTopic_destroy(topic);
  return result;
}

int32_t KafkaLog::PartitionFor(const std::string& key, int partitions) {
  return rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partitions, nullptr,
                                          nullptr);
}

namespace {

Result<int> PartitionCount(rd_kafka_t* rk, const KafkaOptions& o) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, o.topic.c_str(), nullptr);
  auto partitions = AwaitTopicLeaders(rk, t);
  rd_kafka_topic_destroy(t);
  return partitions;
}

Result<rd_kafka_t*> NewConsumer(const KafkaOptions& o) {
  KafkaSettings settings = AssignedReaderSettings(o.brokers, "reader");
  settings.insert(settings.end(), {{"isolation.level", "read_committed"},
                                   // EOF tells a reader it reached the end, past aborted
                                   // transactions and commit markers.
                                   {"enable.partition.eof", "true"}});
  return NewKafkaConsumer(settings);
}

}  // namespace

// Delivery reports fill the slot the message's opaque points to (see InFlight).
void OnKafkaDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* d = static_cast<KafkaLog::DeliverySlot*>(m->_private);
  if (!d) return;
  d->err = m->err;
  d->partition = m->partition;
  d->offset = m->offset;
}

KafkaSettings KafkaLog::ProducerSettings(const KafkaOptions& o,
                                         const std::string& transactional_id) {
  return {{"bootstrap.servers", o.brokers},
          {"enable.idempotence", "true"},
          {"acks", "all"},
          {"transactional.id", transactional_id},
          {"message.timeout.ms", std::to_string(o.timeout_ms)},
          {"transaction.timeout.ms", std::to_string(o.timeout_ms * 3)},
          {"socket.timeout.ms", std::to_string(o.timeout_ms)},
          {"linger.ms", "1"},
          // A transaction begun right after the last commit finds its markers still being
          // written: the broker answers CONCURRENT_TRANSACTIONS and the client retries after
          // this. The default, 100 ms, was most of a command's time on Kafka; 1 to 20 ms measured
          // alike (docs/performance.md), and the Java client uses 20 ms for this retry.
          {"retry.backoff.ms", "10"},
          {"partitioner", "murmur2_random"}};  // the Java clients' partitioner
}

Result<std::unique_ptr<KafkaLog>> KafkaLog::Open(const KafkaOptions& o) {
  const std::string transactional_id =
      o.transactional_id.empty() ? "helpdesk-" + NewId() : o.transactional_id;
  auto made = NewKafkaProducer(ProducerSettings(o, transactional_id), OnKafkaDelivery);
  if (!made.ok()) return made.error();
  rd_kafka_t* producer = made.value();

  Status created =
      EnsureTopic(producer, o.brokers, o.topic, o.partitions, -1, o.replication_factor);
  if (!created.ok()) {
    rd_kafka_destroy(producer);
    return created.error();
  }
  auto partitions = PartitionCount(producer, o);
  if (!partitions.ok()) {
    rd_kafka_destroy(producer);
    return partitions.error();
  }
  if (rd_kafka_error_t* e = rd_kafka_init_transactions(producer, 30000)) {
    rd_kafka_destroy(producer);
    return FromKafka(e, "kafka init_transactions");
  }

  std::unique_ptr<KafkaLog> log(new KafkaLog(o, transactional_id, producer, partitions.value()));
  for (Reader& reader : log->readers_) {
    auto consumer = NewConsumer(o);
    if (!consumer.ok()) return consumer.error();
    reader.consumer = consumer.value();
  }
  spdlog::info("event log on kafka {} topic {} ({} partitions)", o.brokers, o.topic,
               partitions.value());
  return log;
}

KafkaLog::KafkaLog(KafkaOptions options, std::string transactional_id, rd_kafka_t* producer,
                   int partitions)
    : options_(std::move(options)),
      transactional_id_(std::move(transactional_id)),
      producer_(producer),
      partitions_(partitions),
      ends_(static_cast<size_t>(partitions)) {
  writer_ = std::thread([this] {
    NameThisThread("log-writer");
    queue_.RunWriter([this](auto& group) { CommitGroup(group); });
  });
}

KafkaLog::~KafkaLog() {
  queue_.Stop();
  writer_.join();
  for (Reader& reader : readers_) {
    if (!reader.consumer) continue;
    rd_kafka_consumer_close(reader.consumer);
    rd_kafka_destroy(reader.consumer);
  }
  rd_kafka_flush(producer_, options_.timeout_ms);
  rd_kafka_destroy(producer_);
  for (Retired& r : retired_) rd_kafka_destroy(r.producer);  // before their flights go
}

std::future<Result<AppendResult>> KafkaLog::AppendAsync(AppendRequest request) {
  EncodeAll(request);
  // Only an empty append answers with the head: no copy of it for the others.
  const ConsistencyToken head = request.events.empty() ? Head() : ConsistencyToken();
  return queue_.Push(std::move(request), head);
}

namespace {

// Each event's stream version: its stream's expected version plus the events of that stream
// before it in the request. Without copying the expectations (this runs twice per append).
std::vector<uint64_t> StreamVersions(const AppendRequest& request) {
  const auto expected = [&request](const std::string& stream) -> uint64_t {
    auto it = request.expected_versions.find(stream);
    return it == request.expected_versions.end() ? 0 : it->second;
  };
  std::vector<uint64_t> versions;
  versions.reserve(request.events.size());
  if (request.events.size() == 1) {
    versions.push_back(expected(request.events[0].stream) + 1);
    return versions;
  }
  std::map<std::string_view, uint64_t> last;
  for (const NewEvent& e : request.events) {
    auto [it, added] = last.try_emplace(e.stream, 0);
    if (added) it->second = expected(e.stream);
    versions.push_back(++it->second);
  }
  return versions;
}

}  // namespace

void KafkaLog::EncodeAll(AppendRequest& request) {
  if (request.encoded.size() == request.events.size()) return;
  request.encoded.clear();
  request.encoded.reserve(request.events.size());
  const std::vector<uint64_t> versions = StreamVersions(request);
  RecordedEvent r;  // position and partition stay 0 in the topic: readers take them from Kafka
  for (size_t n = 0; n < request.events.size(); ++n) {
    NewEvent& e = request.events[n];
    r.stream_version = versions[n];
    // Lent to the envelope and given back: copying the payload would cost more than encoding it.
    r.event = std::move(e);
    try {
      request.encoded.push_back(EncodeEnvelope(r));
    } catch (...) {
      e = std::move(r.event);
      throw;
    }
    e = std::move(r.event);
  }
}

void KafkaLog::Reset() { queue_.Reset(); }

Status KafkaLog::ReplaceFailedProducer() {
  char reason[512] = "";
  const rd_kafka_resp_err_t code = rd_kafka_fatal_error(producer_, reason, sizeof reason);
  if (code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
      code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH) {
    return Unavailable("kafka producer fenced by another with its id: restart this node");
  }
  spdlog::warn("kafka: the producer failed ({}): replacing it", reason);
  auto made = NewKafkaProducer(ProducerSettings(options_, transactional_id_), OnKafkaDelivery);
  if (!made.ok()) return made.error();
  if (rd_kafka_error_t* e = rd_kafka_init_transactions(made.value(), CommitTimeoutMs())) {
    rd_kafka_destroy(made.value());
    return FromKafka(e, "kafka init_transactions of a new producer");
  }
  rd_kafka_purge(producer_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  retired_.push_back(Retired{producer_, std::move(unresolved_)});
  producer_ = made.value();
  fatal_ = false;
  return Status::Ok();
}

Status KafkaLog::EnsureTransactionReady() {
  if (fatal_) {
    Status replaced = ReplaceFailedProducer();
    if (!replaced.ok()) return replaced;
  }
  if (unresolved_ && !unresolved_->needs_abort) {
    // The last commit's outcome is unknown (it timed out): ask again.
    rd_kafka_error_t* e = rd_kafka_commit_transaction(producer_, CommitTimeoutMs());
    if (!e) {
      // It did commit after all, although its appends were answered as failed. The owner may
      // have re-read the log before: fail this group too, so it re-reads again and sees them.
      spdlog::warn("kafka: a transaction that had timed out turned out committed");
      unresolved_.reset();
      return Unavailable("kafka: a transaction that had timed out committed; retry");
    }
    if (rd_kafka_error_txn_requires_abort(e)) {
      unresolved_->needs_abort = true;
      rd_kafka_error_destroy(e);
    } else {
      if (rd_kafka_error_is_fatal(e)) fatal_ = true;
      return FromKafka(e, "kafka commit_transaction (retry)");
    }
  }
  if (unresolved_) {
    if (rd_kafka_error_t* e = rd_kafka_abort_transaction(producer_, kAbortTimeoutMs)) {
      if (rd_kafka_error_is_fatal(e)) fatal_ = true;
      return FromKafka(e, "kafka abort of a failed transaction");
    }
    unresolved_.reset();  // aborted: its delivery reports have all been served
  }
  return Status::Ok();
}

void KafkaLog::CommitGroup(std::deque<AppendQueue::Pending>& group) {
  std::vector<AppendRequest*> requests;
  for (AppendQueue::Pending& p : group) requests.push_back(&p.request);
  auto results = RunTransaction(requests, nullptr);
  if (!results.ok()) return queue_.Break(group, results.error());
  // Last first: an appender with several appends in the group waits on its oldest, and wakes
  // once to find them all answered instead of once per answer.
  for (size_t i = group.size(); i-- > 0;) group[i].done.set_value(std::move(results.value()[i]));
}

Result<AppendResult> KafkaLog::Transact(AppendRequest request, const TransactionExtras& extras) {
  auto results = RunTransaction({&request}, &extras);
  if (!results.ok()) return results.error();
  return std::move(results.value()[0]);
}

Result<std::vector<AppendResult>> KafkaLog::RunTransaction(
    const std::vector<AppendRequest*>& requests, const TransactionExtras* extras) {
  // Encoded before the transaction begins: an event that cannot be encoded leaves none open.
  for (AppendRequest* request : requests) EncodeAll(*request);
  std::lock_guard<std::mutex> txn_lock(txn_mu_);
  Status ready = EnsureTransactionReady();
  if (!ready.ok()) return ready.error();
  if (rd_kafka_error_t* e = rd_kafka_begin_transaction(producer_)) {
    if (rd_kafka_error_is_fatal(e)) fatal_ = true;
    return FromKafka(e, "kafka begin_transaction");
  }
  // Delivery reports write into `flight`: it lives until the transaction is resolved.
  auto flight = std::make_unique<InFlight>();
  size_t total = 0;
  for (const AppendRequest* r : requests) total += r->events.size();
  flight->deliveries.resize(total);
  flight->events.reserve(total);
  flight->envelopes.reserve(total);  // never reallocated: librdkafka holds pointers into it
  // A failure before the commit: abort now, so nothing becomes visible to read_committed readers.
  auto abort_with = [&](Error error) -> Error {
    flight->needs_abort = true;
    unresolved_ = std::move(flight);
    (void)EnsureTransactionReady();
    return error;
  };
  size_t i = 0;
  for (AppendRequest* request : requests) {
    const std::vector<uint64_t> versions = StreamVersions(*request);
    for (size_t n = 0; n < request->events.size(); ++n) {
      RecordedEvent r;
      r.stream_version = versions[n];
      r.event = std::move(request->events[n]);
      flight->envelopes.push_back(std::move(request->encoded[n]));
      const std::string& value = flight->envelopes.back();
      const std::string& key = r.event.stream;
      rd_kafka_resp_err_t err =
          rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(options_.topic.c_str()),
                            RD_KAFKA_V_KEY(key.data(), key.size()),
                            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                            RD_KAFKA_V_MSGFLAGS(0),  // no copy: `flight` owns the envelope
                            RD_KAFKA_V_HEADER("type", r.event.type.c_str(), -1),
                            RD_KAFKA_V_HEADER("schema_version", "1", 1),
                            RD_KAFKA_V_OPAQUE(&flight->deliveries[i]), RD_KAFKA_V_END);
      flight->events.push_back(std::move(r));
      ++i;
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        request->encoded.clear();
        return abort_with(Unavailable(std::string("kafka produce: ") + rd_kafka_err2str(err)));
      }
    }
    request->encoded.clear();  // moved into `flight`: nothing left to send again
  }
  if (extras) {
    for (const KafkaMessage& m : extras->messages) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          producer_, RD_KAFKA_V_TOPIC(m.topic.c_str()), RD_KAFKA_V_PARTITION(m.partition),
          RD_KAFKA_V_KEY(m.key.data(), m.key.size()),
          RD_KAFKA_V_VALUE(const_cast<char*>(m.value.data()), m.value.size()),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return abort_with(Unavailable(std::string("kafka produce: ") + rd_kafka_err2str(err)));
      }
    }
    if (extras->offsets) {
      if (rd_kafka_error_t* e = rd_kafka_send_offsets_to_transaction(
              producer_, extras->offsets, extras->group, CommitTimeoutMs())) {
        // Fenced by a newer owner of these commands (a rebalance) or the broker is away.
        if (rd_kafka_error_is_fatal(e)) fatal_ = true;
        return abort_with(FromKafka(e, "kafka send_offsets_to_transaction"));
      }
    }
  }
  if (rd_kafka_error_t* e = rd_kafka_commit_transaction(producer_, CommitTimeoutMs())) {
    // Not acknowledged. Abortable: abort now, so the events never become visible to
    // read_committed readers. Timed out: the outcome is unknown; resolved before the next group.
    flight->needs_abort = rd_kafka_error_txn_requires_abort(e);
    if (rd_kafka_error_is_fatal(e)) fatal_ = true;
    unresolved_ = std::move(flight);
    Error error = FromKafka(e, "kafka commit_transaction");
    if (unresolved_->needs_abort) (void)EnsureTransactionReady();
    return error;
  }
  std::vector<AppendResult> results;
  results.reserve(requests.size());
  ConsistencyToken reached;
  i = 0;
  for (const AppendRequest* request : requests) {
    AppendResult result;
    for (size_t n = 0; n < request->events.size(); ++n, ++i) {
      const DeliverySlot& d = flight->deliveries[i];
      RecordedEvent r = std::move(flight->events[i]);
      r.partition = d.partition;
      r.position = static_cast<uint64_t>(d.offset) + 1;
      result.token.Set(d.partition, r.position);
      result.recorded.push_back(std::move(r));
    }
    reached.Merge(result.token);
    results.push_back(std::move(result));
  }
  std::lock_guard<std::mutex> head_lock(head_mu_);
  head_.Merge(reached);
  return results;
}

void KafkaLog::Assign(Reader& reader, const ConsistencyToken& from) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions_);
  for (int p = 0; p < partitions_; ++p) {
    // Position n means offsets below n were seen: the next offset to read is n.
    rd_kafka_topic_partition_list_add(list, options_.topic.c_str(), p)->offset =
        static_cast<int64_t>(from.At(p));
  }
  rd_kafka_assign(reader.consumer, list);
  rd_kafka_topic_partition_list_destroy(list);
  reader.assigned = true;
  reader.position = from;
}

void KafkaLog::NoteEnd(int32_t partition, uint64_t position, int64_t offset) {
  if (partition < 0 || partition >= partitions_) return;
  std::lock_guard<std::mutex> lock(head_mu_);
  PartitionEnd& end = ends_[static_cast<size_t>(partition)];
  // The furthest end is the one worth keeping: callers compare it with the partition's end now.
  if (offset > end.eof_offset) {
    end = PartitionEnd{position, offset};
  } else if (offset == end.eof_offset) {
    end.position = std::min(end.position, position);
  }
}

KafkaLog::Reader& KafkaLog::PickReader(const ConsistencyToken& after) {
  std::lock_guard<std::mutex> lock(pick_mu_);
  Reader* pick = nullptr;
  for (Reader& r : readers_) {
    std::unique_lock<std::mutex> busy(r.mu, std::try_to_lock);
    if (!busy.owns_lock()) continue;
    if (r.assigned && r.position.Covers(after) && after.Covers(r.position)) {
      pick = &r;  // already standing there
      break;
    }
    if (!pick || r.last_used < pick->last_used) pick = &r;
  }
  if (!pick) pick = &readers_[reads_ % kReaders];  // all busy: queue on one
  pick->last_used = ++reads_;
  return *pick;
}

Result<std::vector<RecordedEvent>> KafkaLog::Read(const ConsistencyToken& after, size_t max,
                                                  std::chrono::milliseconds wait) {
  auto stored = ReadStored(after, max, wait);
  if (!stored.ok()) return stored.error();
  std::vector<RecordedEvent> out;
  out.reserve(stored.value().size());
  for (const StoredEvent& e : stored.value()) {
    auto decoded = DecodeEnvelopeFast(e.envelope);
    if (!decoded.ok()) {
      spdlog::error("kafka: undecodable event at {}:{} skipped", e.partition, e.position - 1);
      continue;
    }
    RecordedEvent r = std::move(decoded).value();
    r.partition = e.partition;
    r.position = e.position;
    out.push_back(std::move(r));
  }
  return out;
}

Result<std::vector<StoredEvent>> KafkaLog::ReadStored(const ConsistencyToken& after, size_t max,
                                                      std::chrono::milliseconds wait) {
  Reader& reader = PickReader(after);
  std::lock_guard<std::mutex> lock(reader.mu);
  if (!reader.assigned || !(reader.position.Covers(after) && after.Covers(reader.position))) {
    Assign(reader, after);
  }
  std::vector<StoredEvent> out;
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (out.size() < max) {
    const auto now = std::chrono::steady_clock::now();
    const int timeout =
        out.empty() && now < deadline
            ? static_cast<int>(
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count())
            : 0;
    rd_kafka_message_t* m = rd_kafka_consumer_poll(reader.consumer, timeout);
    if (!m) break;
    if (m->err) {
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        NoteEnd(m->partition, reader.position.At(m->partition), m->offset);
      } else {
        spdlog::warn("kafka read: {}", rd_kafka_message_errstr(m));
      }
      rd_kafka_message_destroy(m);
      continue;
    }
    // With room after it, so a parser that reads past the end (envelope_scan.h) need not copy.
    std::string envelope;
    envelope.reserve(m->len + EnvelopeScanner::kPadding);
    envelope.append(static_cast<const char*>(m->payload), m->len);
    const int32_t partition = m->partition;
    const uint64_t position = static_cast<uint64_t>(m->offset) + 1;
    rd_kafka_message_destroy(m);
    reader.position.Set(partition, position);
    out.push_back(StoredEvent{partition, position, std::move(envelope)});
  }
  if (!out.empty()) {
    std::lock_guard<std::mutex> head_lock(head_mu_);
    head_.Merge(reader.position);
  }
  return out;
}

ConsistencyToken KafkaLog::Head() const {
  std::lock_guard<std::mutex> lock(head_mu_);
  return head_;
}

Result<bool> KafkaLog::IsCaughtUp(const ConsistencyToken& token) {
  // Caught up when, on every partition, `token` reaches the furthest end seen and no event past
  // that end is known. Offsets alone cannot answer this: aborted transactions and commit markers
  // take offsets that a read_committed reader never sees as events.
  std::lock_guard<std::mutex> lock(head_mu_);
  for (int p = 0; p < partitions_; ++p) {
    const PartitionEnd& end = ends_[static_cast<size_t>(p)];
    if (end.eof_offset < 0 || token.At(p) < end.position) return false;
    if (static_cast<int64_t>(head_.At(p)) > end.eof_offset) return false;  // read or appended since
  }
  return true;
}

bool KafkaLog::HasReached(const ConsistencyToken& token, int partition, int64_t end_offset) {
  if (static_cast<int64_t>(token.At(partition)) >= end_offset) return true;
  if (partition < 0 || partition >= partitions_) return false;
  std::lock_guard<std::mutex> lock(head_mu_);
  const PartitionEnd& end = ends_[static_cast<size_t>(partition)];
  return end.eof_offset >= end_offset && token.At(partition) >= end.position;
}

Result<bool> KafkaLog::Reaches(const ConsistencyToken& token) {
  const ConsistencyToken head = Head();
  for (const auto& [partition, position] : token.offsets()) {
    if (partition < 0 || partition >= partitions_) return false;
    if (head.At(partition) >= position) continue;
    // Not read that far here: ask the partition's leader where it ends (positions are offsets
    // plus one, so the high watermark is the largest reachable position).
    int64_t low = 0, high = 0;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        producer_, options_.topic.c_str(), partition, &low, &high, options_.timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Error{ErrorCode::kLogUnavailable,
                   std::string("kafka query_watermark_offsets: ") + rd_kafka_err2str(err)};
    }
    if (static_cast<int64_t>(position) > high) return false;
  }
  return true;
}

}  // namespace helpdesk
