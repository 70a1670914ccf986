// KafkaLog under injected faults, on librdkafka's mock cluster (in-process brokers): request
// errors, slow answers and brokers going away. Each case checks what the append answers, how fast
// (a generous bound: "never a hang"), that the log takes appends again after Reset(), and what a
// reader finds in the topic afterwards: every acknowledged event exactly once, where its append
// said, and nothing of the appends that failed before they reached a partition.
//
// What the mock (librdkafka 2.0) cannot show:
//  - It does not answer CreateTopics; the fixture creates the topic in the mock and this binary
//    replaces rd_kafka_CreateTopics (see below).
//  - It does not hide aborted transactions from read_committed readers: it writes no transaction
//    markers and answers fetches with last stable offset = high watermark and no aborted list.
//    Events of an aborted transaction that reached a partition stay visible here; for those the
//    tests only check they are there at most once. Their invisibility needs a real broker.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "adapters/kafka_log.h"

// KafkaLog::Open creates its topic with CreateTopics, which the mock does not implement (the
// request waits for a controller until it times out). In this binary the call answers on the
// caller's queue with the result of a request the mock does serve (ListConsumerGroupOffsets: no
// error and no topic result), which Open reads as "nothing to create". The fixture has created the
// topic in the mock before.
extern "C" void rd_kafka_CreateTopics(rd_kafka_t* rk, rd_kafka_NewTopic_t**, size_t,
                                      const rd_kafka_AdminOptions_t*, rd_kafka_queue_t* queue) {
  rd_kafka_ListConsumerGroupOffsets_t* request =
      rd_kafka_ListConsumerGroupOffsets_new("kafka-mock-test", nullptr);
  rd_kafka_ListConsumerGroupOffsets(rk, &request, 1, nullptr, queue);
  rd_kafka_ListConsumerGroupOffsets_destroy(request);
}

namespace helpdesk {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Kafka protocol request types (ApiKey).
constexpr int16_t kProduce = 0;
constexpr int16_t kAddPartitionsToTxn = 24;
constexpr int16_t kEndTxn = 26;

constexpr int kPartitions = 3;
constexpr int kTimeoutMs = 1000;  // KafkaOptions::timeout_ms
// A failing append answers within timeout + commit margin + abort (≈ 3.5 s); this only catches
// hangs.
constexpr auto kNoHang = std::chrono::seconds(10);

// For ASSERT_TRUE(Ok(...)): the error's message when there is one.
::testing::AssertionResult Ok(const Result<AppendResult>& result) {
  if (result.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "append failed: " << result.error().message;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// A mock cluster, kept by a producer handle that is only there to own it.
class MockCluster {
 public:
  explicit MockCluster(int brokers) {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    // Quiet: this handle has no bootstrap servers and says so.
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    handle_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!handle_) throw std::runtime_error(err);
    mock_ = rd_kafka_mock_cluster_new(handle_, brokers);
    if (!mock_) throw std::runtime_error("rd_kafka_mock_cluster_new failed");
  }
  ~MockCluster() {
    rd_kafka_mock_cluster_destroy(mock_);
    rd_kafka_destroy(handle_);
  }
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;

  rd_kafka_mock_cluster_t* get() const { return mock_; }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(mock_); }

 private:
  rd_kafka_t* handle_ = nullptr;
  rd_kafka_mock_cluster_t* mock_ = nullptr;
};

NewEvent Event(const std::string& id, const std::string& stream) {
  return NewEvent{id,
                  stream,
                  "MessageReceived",
                  Timestamp{1000},
                  Actor::System("test"),
                  {{"text", "hello from " + id}}};
}

// Where an acknowledged event landed, as its append answered.
struct Landed {
  int partition;
  uint64_t position;
  uint64_t stream_version;
};

class KafkaMock : public ::testing::Test {
 protected:
  // A cluster of `brokers` with the topic (leaders spread over the brokers) and the log on it.
  void Start(int brokers = 1) {
    cluster_ = std::make_unique<MockCluster>(brokers);
    ASSERT_EQ(rd_kafka_mock_topic_create(cluster_->get(), kTopic, kPartitions, brokers),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    for (int p = 0; p < kPartitions; ++p) {
      ASSERT_EQ(rd_kafka_mock_partition_set_leader(cluster_->get(), kTopic, p, p % brokers + 1),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    // The transaction coordinator on broker 1.
    ASSERT_EQ(rd_kafka_mock_coordinator_set(cluster_->get(), "transaction", kTransactionalId, 1),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    KafkaOptions options;
    options.brokers = cluster_->bootstraps();
    options.topic = kTopic;
    options.partitions = kPartitions;
    options.transactional_id = kTransactionalId;
    options.timeout_ms = kTimeoutMs;
    auto log = KafkaLog::Open(options);
    ASSERT_TRUE(log.ok()) << log.error().message;
    log_ = std::move(log).value();
  }

  rd_kafka_mock_cluster_t* mock() { return cluster_->get(); }

  // Broker 1 (the only one, or the transaction coordinator) answers its next requests of type
  // `api` with `errors`, in order, each after `rtt_ms`.
  void Inject(int16_t api, const std::vector<rd_kafka_resp_err_t>& errors, int rtt_ms = 0) {
    for (rd_kafka_resp_err_t e : errors) {
      EXPECT_EQ(rd_kafka_mock_broker_push_request_error_rtts(mock(), 1, api, 1, e, rtt_ms),
                RD_KAFKA_RESP_ERR_NO_ERROR);
    }
  }
  // The injected answers were all given: the fault did happen.
  void ExpectInjectedUsed(int16_t api) {
    size_t left = 0;
    EXPECT_EQ(rd_kafka_mock_broker_error_stack_cnt(mock(), 1, api, &left),
              RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(left, 0u) << "injected answers to request type " << api << " left unused";
  }

  // Appends one event `id` to `stream` (a new stream unless `expected` says otherwise) and
  // records the outcome: acknowledged (with where it landed) or failed (with the time taken).
  Result<AppendResult> Append(const std::string& id, const std::string& stream,
                              uint64_t expected = 0) {
    const auto start = Clock::now();
    auto result = log_->Append(AppendRequest{{Event(id, stream)}, {{stream, expected}}});
    Note(id, result, Clock::now() - start);
    return result;
  }

  std::string Errors() const {
    std::string all = "errors:";
    for (const std::string& e : errors_) all += "\n  " + e;
    return all;
  }

  void Note(const std::string& id, const Result<AppendResult>& result, Clock::duration took) {
    if (result.ok()) {
      EXPECT_EQ(result.value().recorded.size(), 1u);
      const RecordedEvent& r = result.value().recorded.at(0);
      EXPECT_EQ(r.event.id, id);
      EXPECT_TRUE(log_->Head().Covers(result.value().token));
      acked_[id] = Landed{r.partition, r.position, r.stream_version};
    } else {
      EXPECT_EQ(result.error().code, ErrorCode::kLogUnavailable) << result.error().message;
      EXPECT_LT(took, kNoHang) << id << " took " << Seconds(took) << " s to fail";
      failed_.insert(id);
      char took_s[32];
      std::snprintf(took_s, sizeof took_s, " (%.1f s): ", Seconds(took));
      errors_.push_back(id + took_s + result.error().message);
    }
  }

  // After a failure: Reset() and append `id` (retrying with fresh ids while the log still
  // refuses, as a caller would) until one is acknowledged. Returns how many attempts failed.
  int RecoverWith(const std::string& id, const std::string& stream) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    for (int attempt = 0;; ++attempt) {
      log_->Reset();
      const std::string this_id = attempt == 0 ? id : id + "-retry" + std::to_string(attempt);
      if (Append(this_id, stream).ok()) return attempt;
      if (Clock::now() > deadline) {
        ADD_FAILURE() << "the log still refuses appends 30 s after the fault went away; last error "
                      << errors_.back();
        return attempt;
      }
    }
  }

  // Everything a reader finds, from the start of every partition to the end.
  std::vector<RecordedEvent> ReadAll() {
    std::vector<RecordedEvent> all;
    ConsistencyToken at;
    const auto deadline = Clock::now() + std::chrono::seconds(15);
    for (;;) {
      auto batch = log_->Read(at, 1000, milliseconds(100));
      EXPECT_TRUE(batch.ok());
      if (!batch.ok()) return all;
      for (RecordedEvent& e : batch.value()) {
        at.Set(e.partition, e.position);
        all.push_back(std::move(e));
      }
      if (batch.value().empty() && log_->IsCaughtUp(at).value()) return all;
      if (Clock::now() > deadline) {
        ADD_FAILURE() << "the reader never caught up";
        return all;
      }
    }
  }

  // The topic holds every acknowledged event exactly once, at the partition and position its
  // append answered, no event of a failed append listed in `never_sent`, and the other failed
  // events at most once (see the header: the mock shows aborted transactions). Returns what it
  // read.
  std::vector<RecordedEvent> ExpectLogConsistent(const std::set<std::string>& never_sent) {
    std::vector<RecordedEvent> all = ReadAll();
    std::map<std::string, std::vector<const RecordedEvent*>> by_id;
    std::set<std::pair<int, uint64_t>> places;
    for (const RecordedEvent& e : all) {
      by_id[e.event.id].push_back(&e);
      EXPECT_TRUE(places.insert({e.partition, e.position}).second)
          << "two events at " << e.partition << ":" << e.position;
    }
    for (const auto& [id, landed] : acked_) {
      auto it = by_id.find(id);
      if (it == by_id.end()) {
        ADD_FAILURE() << "acknowledged event " << id << " is not in the log";
        continue;
      }
      EXPECT_EQ(it->second.size(), 1u)
          << "acknowledged event " << id << " is in the log " << it->second.size() << " times";
      EXPECT_EQ(it->second[0]->partition, landed.partition) << id;
      EXPECT_EQ(it->second[0]->position, landed.position) << id;
      EXPECT_EQ(it->second[0]->stream_version, landed.stream_version) << id;
    }
    for (const std::string& id : failed_) {
      const size_t n = by_id.count(id) ? by_id[id].size() : 0;
      if (never_sent.count(id)) {
        EXPECT_EQ(n, 0u) << "event " << id << " of a failed append is in the log";
      } else {
        EXPECT_LE(n, 1u) << "event " << id << " of a failed append is in the log " << n << " times";
      }
    }
    for (const auto& [id, events] : by_id) {
      EXPECT_TRUE(acked_.count(id) || failed_.count(id)) << "unknown event " << id;
    }
    return all;
  }

  static constexpr const char* kTopic = "mock.events";
  static constexpr const char* kTransactionalId = "kafka-mock-test";

  std::unique_ptr<MockCluster> cluster_;  // outlives the log
  std::unique_ptr<KafkaLog> log_;
  std::map<std::string, Landed> acked_;
  std::set<std::string> failed_;
  std::vector<std::string> errors_;  // "id: message" of every failed append, in order
};

TEST_F(KafkaMock, AppendsAndReadsBackWithPositionsAndVersions) {
  ASSERT_NO_FATAL_FAILURE(Start());
  for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(Ok(Append("a" + std::to_string(i), "s/a", i)));
  std::vector<std::future<Result<AppendResult>>> futures;
  for (int i = 0; i < 20; ++i) {
    const std::string stream = "conversation/" + std::to_string(i);
    futures.push_back(
        log_->AppendAsync(AppendRequest{{Event("c" + std::to_string(i), stream)}, {{stream, 0}}}));
  }
  for (int i = 0; i < 20; ++i) Note("c" + std::to_string(i), futures[i].get(), {});
  ASSERT_EQ(acked_.size(), 25u);
  for (uint64_t i = 0; i < 5; ++i) EXPECT_EQ(acked_["a" + std::to_string(i)].stream_version, i + 1);
  EXPECT_EQ(ExpectLogConsistent({}).size(), 25u);
}

// (a) Produce answered with retriable errors (and a dropped connection): the idempotent producer
// resends, and every event is written once.
TEST_F(KafkaMock, RetriableProduceErrorsAreRetriedAndEachEventWrittenOnce) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(Ok(Append("before", "s/before")));
  Inject(kProduce,
         {RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND,
          RD_KAFKA_RESP_ERR__TRANSPORT,  // the broker drops the connection
          RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION});
  std::vector<std::future<Result<AppendResult>>> futures;
  for (int i = 0; i < 10; ++i) {
    const std::string stream = "conversation/" + std::to_string(i);
    futures.push_back(
        log_->AppendAsync(AppendRequest{{Event("e" + std::to_string(i), stream)}, {{stream, 0}}}));
  }
  for (int i = 0; i < 10; ++i) Note("e" + std::to_string(i), futures[i].get(), {});
  ExpectInjectedUsed(kProduce);
  EXPECT_TRUE(failed_.empty()) << Errors();
  EXPECT_EQ(ExpectLogConsistent({}).size(), 11u);
}

// (a) Produce answered with an error that is not retriable: the append fails, the events never
// reach a partition, appends queued before Reset() fail too, and after Reset() appends succeed.
TEST_F(KafkaMock, NonRetriableProduceErrorFailsTheAppendAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(Ok(Append("v1", "s/a", 0)));
  Inject(kProduce, {RD_KAFKA_RESP_ERR_INVALID_RECORD});
  ASSERT_FALSE(Append("v2-failed", "s/a", 1).ok());
  ExpectInjectedUsed(kProduce);
  // Not reset yet: refused at once.
  const auto start = Clock::now();
  ASSERT_FALSE(Append("v2-refused", "s/a", 1).ok());
  EXPECT_LT(Clock::now() - start, milliseconds(500));

  // librdkafka 2.0 bumps the producer epoch one transaction late after a failed produce: the
  // next transaction may fail too ("skipped sequence numbers"), its events never sent.
  EXPECT_LE(RecoverWith("probe", "s/probe"), 1) << Errors();
  log_->Reset();
  ASSERT_TRUE(Ok(Append("v2", "s/a", 1)));
  ASSERT_TRUE(Ok(Append("v3", "s/a", 2)));
  EXPECT_EQ(acked_["v2"].stream_version, 2u);
  EXPECT_EQ(acked_["v3"].stream_version, 3u);
  ExpectLogConsistent(failed_);
}

// (b) A produce answer slower than the message timeout: the append fails in bounded time and the
// log takes appends again. (The slow request did reach the partition: on a real broker the abort
// hides its event, the mock shows it; see the header.)
TEST_F(KafkaMock, SlowProduceAnswerFailsInBoundedTimeThenRecovers) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(Ok(Append("before", "s/before")));
  Inject(kProduce, {RD_KAFKA_RESP_ERR_NO_ERROR}, 2500);  // > message.timeout.ms
  ASSERT_FALSE(Append("slow", "s/slow").ok());
  ExpectInjectedUsed(kProduce);
  EXPECT_LE(RecoverWith("after", "s/after"), 1) << Errors();
  ASSERT_TRUE(Ok(Append("after-2", "s/after-2")));
  ExpectLogConsistent({});
}

// (b) The coordinator slow to add the partition to the transaction: the events time out before
// they are sent, the append fails in bounded time, and nothing of it reaches the topic.
TEST_F(KafkaMock, SlowAddPartitionsToTxnFailsInBoundedTimeAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(Ok(Append("before", "s/before")));
  Inject(kAddPartitionsToTxn, {RD_KAFKA_RESP_ERR_NO_ERROR}, 2500);  // > message.timeout.ms
  ASSERT_FALSE(Append("slow", "s/slow").ok());
  ExpectInjectedUsed(kAddPartitionsToTxn);
  EXPECT_LE(RecoverWith("after", "s/after"), 1) << Errors();
  ASSERT_TRUE(Ok(Append("after-2", "s/after-2")));
  ExpectLogConsistent({"slow"});
}

// (c) Every broker down: appends fail in bounded time and write nothing; once the brokers are
// back, appends succeed after Reset(), stream versions continue from what the log holds.
TEST_F(KafkaMock, BrokersDownFailAppendsThenTheyRecoverWithoutDuplicates) {
  ASSERT_NO_FATAL_FAILURE(Start());
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(Ok(Append("v" + std::to_string(i + 1), "s/a", i)));
  ASSERT_EQ(rd_kafka_mock_broker_set_down(mock(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  ASSERT_FALSE(Append("down-0", "s/a", 3).ok());
  log_->Reset();
  ASSERT_FALSE(Append("down-1", "s/a", 3).ok());  // the abort of down-0 cannot finish either
  ASSERT_EQ(rd_kafka_mock_broker_set_up(mock(), -1), RD_KAFKA_RESP_ERR_NO_ERROR);
  // Back within librdkafka's reconnect backoff (reconnect.backoff.max.ms, 10 s by default).
  const auto up = Clock::now();
  RecoverWith("probe", "s/probe");
  std::printf("appends succeed again %.1f s after the brokers came back\n",
              Seconds(Clock::now() - up));
  // The caller re-reads: the stream is at version 3.
  log_->Reset();
  ASSERT_TRUE(Ok(Append("v4", "s/a", 3)));
  EXPECT_EQ(acked_["v4"].stream_version, 4u);
  auto all = ExpectLogConsistent({"down-0", "down-1"});
  std::vector<uint64_t> versions;
  for (const RecordedEvent& e : all)
    if (e.event.stream == "s/a") versions.push_back(e.stream_version);
  EXPECT_EQ(versions, (std::vector<uint64_t>{1, 2, 3, 4}));
}

// (c) One broker of three goes down and comes back while appends are in flight: every append
// answers (in bounded time), appends succeed again once it is back, and no event is written twice.
TEST_F(KafkaMock, BrokerDownMidTransactionThenBackWithoutDuplicates) {
  ASSERT_NO_FATAL_FAILURE(Start(3));
  std::atomic<bool> stop{false};
  std::atomic<int> acked_after_up{0};
  std::atomic<bool> up_again{false};
  std::mutex mu;  // guards acked_/failed_ for the writer threads
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const std::string id = "w" + std::to_string(t) + "-" + std::to_string(i);
        const std::string stream = "conversation/" + id;
        const auto start = Clock::now();
        auto result = log_->Append(AppendRequest{{Event(id, stream)}, {{stream, 0}}});
        std::lock_guard<std::mutex> lock(mu);
        Note(id, result, Clock::now() - start);
        if (!result.ok()) log_->Reset();
        if (result.ok() && up_again) ++acked_after_up;
      }
    });
  }
  // EXPECT, not ASSERT: the writers must be stopped before the test ends.
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(rd_kafka_mock_broker_set_down(mock(), 2), RD_KAFKA_RESP_ERR_NO_ERROR);
  std::this_thread::sleep_for(milliseconds(3000));
  EXPECT_EQ(rd_kafka_mock_broker_set_up(mock(), 2), RD_KAFKA_RESP_ERR_NO_ERROR);
  const auto up = Clock::now();
  up_again = true;
  const auto deadline = up + std::chrono::seconds(30);
  while (acked_after_up < 20 && Clock::now() < deadline)
    std::this_thread::sleep_for(milliseconds(50));
  const double recovery = Seconds(Clock::now() - up);
  stop = true;
  for (auto& w : writers) w.join();
  EXPECT_GE(acked_after_up, 20) << "appends did not succeed again after the broker came back";
  EXPECT_FALSE(failed_.empty()) << "no append failed while a partition leader was down";
  std::printf(
      "%zu appends acknowledged, %zu failed; 20 acknowledged %.1f s after the broker came back\n",
      acked_.size(), failed_.size(), recovery);
  ExpectLogConsistent({});
}

// (d) EndTxn answered with retriable errors: the commit is retried and succeeds once.
TEST_F(KafkaMock, RetriableEndTxnErrorsAreRetriedAndTheAppendSucceedsOnce) {
  ASSERT_NO_FATAL_FAILURE(Start());
  Inject(kEndTxn,
         {RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
          RD_KAFKA_RESP_ERR_NOT_COORDINATOR});
  ASSERT_TRUE(Ok(Append("e1", "s/a", 0)));
  ExpectInjectedUsed(kEndTxn);
  ASSERT_TRUE(Ok(Append("e2", "s/a", 1)));
  EXPECT_EQ(ExpectLogConsistent({}).size(), 2u);
}

// (d) EndTxn answered with an abortable error: the append fails, and after Reset() appends
// succeed. (Its event did reach the partition: a real broker hides it, the mock shows it.)
TEST_F(KafkaMock, AbortableEndTxnErrorFailsTheAppendThenRecovers) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(Ok(Append("before", "s/before")));
  Inject(kEndTxn, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID});
  ASSERT_FALSE(Append("failed", "s/failed").ok());
  ExpectInjectedUsed(kEndTxn);
  EXPECT_EQ(RecoverWith("after", "s/after"), 0) << Errors();
  ExpectLogConsistent({});
}

// (d) EndTxn answered after the commit timed out: the outcome is unknown, so the append fails.
// Later appends first ask again, learn that the transaction did commit, and fail once more (so the
// caller re-reads and finds the event); after that appends succeed. The event is in the log once
// (a committed transaction: a real broker shows it too).
TEST_F(KafkaMock, SlowEndTxnFailsThenTurnsOutCommitted) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(Ok(Append("v1", "s/a", 0)));
  // The EndTxn and its resend (after the 1 s socket timeout) answered 3 s late: the commit's own
  // timeout (2.5 s) gives up first.
  Inject(kEndTxn, {RD_KAFKA_RESP_ERR_NO_ERROR, RD_KAFKA_RESP_ERR_NO_ERROR}, 3000);
  ASSERT_FALSE(Append("v2-unknown", "s/a", 1).ok());
  RecoverWith("probe", "s/probe");
  ExpectInjectedUsed(kEndTxn);
  bool learned = false;
  for (const std::string& e : errors_) learned = learned || e.find("committed") != e.npos;
  EXPECT_TRUE(learned) << Errors();
  // The caller re-reads: v2 is there, the stream is at version 2.
  log_->Reset();
  ASSERT_TRUE(Ok(Append("v3", "s/a", 2)));
  EXPECT_EQ(acked_["v3"].stream_version, 3u);
  std::set<std::string> never_sent = failed_;  // the probes failed before producing anything
  never_sent.erase("v2-unknown");
  auto all = ExpectLogConsistent(never_sent);
  std::vector<std::string> ids;
  for (const RecordedEvent& e : all)
    if (e.event.stream == "s/a") ids.push_back(e.event.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"v1", "v2-unknown", "v3"})) << Errors();
}

// (d) EndTxn answered "fenced": the producer cannot go on. The append fails and so does every
// later one, at once, even after Reset().
TEST_F(KafkaMock, FencedOnEndTxnFailsEveryAppendFromThenOn) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(Ok(Append("before", "s/before")));
  Inject(kEndTxn, {RD_KAFKA_RESP_ERR_PRODUCER_FENCED});
  ASSERT_FALSE(Append("fenced", "s/a").ok());
  ExpectInjectedUsed(kEndTxn);
  for (int i = 0; i < 3; ++i) {
    log_->Reset();
    const auto start = Clock::now();
    ASSERT_FALSE(Append("after-" + std::to_string(i), "s/a").ok());
    EXPECT_LT(Clock::now() - start, milliseconds(500));
  }
  ExpectLogConsistent({"after-0", "after-1", "after-2"});
}

// (d) EndTxn answered INVALID_TXN_STATE (a broker back from an outage that had timed the
// transaction out itself): fatal for the producer, but not a fence. The append fails; the next
// one gets a new producer with the same transactional id, and succeeds.
TEST_F(KafkaMock, AFatalErrorThatIsNotAFenceGetsANewProducer) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(Ok(Append("before", "s/before")));
  Inject(kEndTxn, {RD_KAFKA_RESP_ERR_INVALID_TXN_STATE});
  ASSERT_FALSE(Append("failed", "s/a").ok());
  ExpectInjectedUsed(kEndTxn);
  bool recovered = false;
  for (int attempt = 0; attempt < 5 && !recovered; ++attempt) {
    log_->Reset();
    recovered = Ok(Append("after-" + std::to_string(attempt), "s/a"));
  }
  ASSERT_TRUE(recovered) << Errors();
  ASSERT_TRUE(Ok(Append("later", "s/b"))) << Errors();
  ExpectLogConsistent({});
}

// (d) AddPartitionsToTxn answered with retriable errors: retried, the append succeeds once.
TEST_F(KafkaMock, RetriableAddPartitionsToTxnErrorsAreRetried) {
  ASSERT_NO_FATAL_FAILURE(Start());
  Inject(kAddPartitionsToTxn,
         {RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE});
  ASSERT_TRUE(Ok(Append("e1", "s/a", 0)));
  ExpectInjectedUsed(kAddPartitionsToTxn);
  EXPECT_EQ(ExpectLogConsistent({}).size(), 1u);
}

// (d) AddPartitionsToTxn refused: nothing is sent, the append fails, after Reset() appends
// succeed.
TEST_F(KafkaMock, RefusedAddPartitionsToTxnFailsTheAppendAndWritesNothing) {
  ASSERT_NO_FATAL_FAILURE(Start());
  ASSERT_TRUE(Ok(Append("v1", "s/a", 0)));
  Inject(kAddPartitionsToTxn, {RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED});
  ASSERT_FALSE(Append("v2-failed", "s/a", 1).ok());
  ExpectInjectedUsed(kAddPartitionsToTxn);
  log_->Reset();
  ASSERT_TRUE(Ok(Append("v2", "s/a", 1)));
  EXPECT_EQ(acked_["v2"].stream_version, 2u);
  EXPECT_EQ(ExpectLogConsistent({"v2-failed"}).size(), 2u);
}

}  // namespace
}  // namespace helpdesk
