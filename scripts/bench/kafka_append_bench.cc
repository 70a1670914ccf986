// Appends through the Kafka event log itself (KafkaLog, no HTTP, no command layer): N events, one
// per append, each on its own stream "conversation/<i>", envelopes of about 420 bytes like the
// kcat -P baseline of scripts/bench-kafka. `threads` appenders each keep `window` appends in
// flight (AppendAsync), so the writer always finds a full queue to commit as one group. `warmup`
// appends first, untimed (the broker's transaction path and this process start cold). The
// events are built before the clock starts, as the baseline below builds its messages: what is
// timed is the log's work (encoding, queueing, the transaction, answering each append).
// Prints one line: "log appends: <rate> events/s ...".
//
// With --raw-transactions T it measures a baseline instead: librdkafka's own producer loop with
// the log's producer settings (idempotent, acks=all, transactional), one thread producing the
// same envelopes, encoded before the clock starts, with the same keys and headers, committing a
// transaction every T messages: what the log's transactions cost without the log.
// Prints "raw transactional producer: <rate> messages/s ...".
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "adapters/event_codec.h"
#include "adapters/kafka_client.h"
#include "adapters/kafka_log.h"

namespace {

using helpdesk::AppendRequest;
using helpdesk::AppendResult;
using helpdesk::NewEvent;
using helpdesk::Result;

struct Options {
  std::string brokers = "127.0.0.1:9092";
  std::string topic = "bench.append";
  long events = 100000;
  int threads = 8;
  int window = 2000;
  long warmup = 0;
  size_t envelope_bytes = 420;
  int timeout_ms = 0;         // 0: KafkaOptions' default
  long raw_transactions = 0;  // messages per transaction in the raw baseline; 0: measure the log
};

int Usage() {
  std::fprintf(stderr,
               "usage: bench_kafka_append --brokers HOST:PORT [--topic NAME] [--events N]\n"
               "         [--threads T] [--window W] [--warmup N] [--envelope-bytes B]\n"
               "         [--timeout-ms MS] [--raw-transactions T]\n");
  return 2;
}

NewEvent Event(long i, const std::string& pad) {
  const std::string id = "bench-" + std::to_string(i);
  return NewEvent{id,
                  "conversation/" + std::to_string(i),
                  "MessageReceived",
                  helpdesk::Timestamp{1795000000000 + i},
                  helpdesk::Actor::Contact("contact-" + std::to_string(i)),
                  {{"text", "Hello, my order has not arrived yet"}, {"pad", pad}}};
}

// The padding that makes a typical envelope `bytes` long, as the log encodes it.
std::string PadFor(size_t bytes) {
  helpdesk::RecordedEvent r;
  r.stream_version = 1;
  r.event = Event(50000, "");
  const size_t bare = helpdesk::EncodeEnvelope(r).size();
  return std::string(bytes > bare ? bytes - bare : 0, 'x');
}

int Fail(const std::string& what, rd_kafka_error_t* e = nullptr) {
  std::fprintf(stderr, "bench_kafka_append: %s%s%s\n", what.c_str(), e ? ": " : "",
               e ? rd_kafka_error_string(e) : "");
  if (e) rd_kafka_error_destroy(e);
  return 1;
}

// Messages the raw baseline's delivery reports said failed.
std::atomic<long> raw_failed{0};

// The baseline: `o.events` envelopes through a bare transactional producer (see the top).
int RawTransactions(const Options& o, const helpdesk::KafkaOptions& options) {
  auto made = helpdesk::NewKafkaProducer(
      helpdesk::KafkaLog::ProducerSettings(
          options, "bench-raw-" +
                       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count())),
      [](rd_kafka_t*, const rd_kafka_message_t* m, void*) {
        if (m->err) ++raw_failed;
      });
  if (!made.ok()) return Fail(made.error().message);
  rd_kafka_t* producer = made.value();
  if (rd_kafka_error_t* e = rd_kafka_init_transactions(producer, 30000)) {
    rd_kafka_destroy(producer);
    return Fail("init_transactions", e);
  }
  const std::string pad = PadFor(o.envelope_bytes);
  std::vector<std::string> keys, values;
  size_t bytes = 0;
  for (long i = 0; i < o.events + o.warmup; ++i) {
    helpdesk::RecordedEvent r;
    r.stream_version = 1;
    r.event = Event(i, pad);
    keys.push_back(r.event.stream);
    values.push_back(helpdesk::EncodeEnvelope(r));
    bytes += values.back().size();
  }
  // Produces messages [first, first + count) in transactions of o.raw_transactions; seconds.
  auto run = [&](long first, long count) -> double {
    const auto start = std::chrono::steady_clock::now();
    for (long i = first; i < first + count;) {
      if (rd_kafka_error_t* e = rd_kafka_begin_transaction(producer)) {
        Fail("begin_transaction", e);
        return -1;
      }
      for (long n = 0; n < o.raw_transactions && i < first + count; ++n, ++i) {
        const std::string& key = keys[static_cast<size_t>(i)];
        const std::string& value = values[static_cast<size_t>(i)];
        rd_kafka_resp_err_t err = rd_kafka_producev(
            producer, RD_KAFKA_V_TOPIC(o.topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER("type", "MessageReceived", -1),
            RD_KAFKA_V_HEADER("schema_version", "1", 1), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
          rd_kafka_poll(producer, 10);
          --n, --i;  // the same message again
          continue;
        }
        if (err) ++raw_failed;
      }
      if (rd_kafka_error_t* e = rd_kafka_commit_transaction(producer, 30000)) {
        Fail("commit_transaction", e);
        return -1;
      }
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (o.warmup > 0 && run(o.events, o.warmup) < 0) return 1;
  raw_failed = 0;
  const double seconds = run(0, o.events);
  rd_kafka_destroy(producer);
  if (seconds < 0) return 1;
  if (raw_failed > 0) return Fail(std::to_string(raw_failed.load()) + " messages failed");
  std::printf(
      "raw transactional producer: %.0f messages/s (%ld messages in %.2f s, %ld failed; %ld per "
      "transaction; envelopes of %zu bytes on average; after %ld untimed)\n",
      static_cast<double>(o.events) / seconds, o.events, seconds, raw_failed.load(),
      o.raw_transactions, bytes / values.size(), o.warmup);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Usage();
    const char* value = argv[++i];
    if (flag == "--brokers") {
      o.brokers = value;
    } else if (flag == "--topic") {
      o.topic = value;
    } else if (flag == "--events") {
      o.events = std::atol(value);
    } else if (flag == "--threads") {
      o.threads = std::atoi(value);
    } else if (flag == "--window") {
      o.window = std::atoi(value);
    } else if (flag == "--warmup") {
      o.warmup = std::atol(value);
    } else if (flag == "--envelope-bytes") {
      o.envelope_bytes = static_cast<size_t>(std::atol(value));
    } else if (flag == "--timeout-ms") {
      o.timeout_ms = std::atoi(value);
    } else if (flag == "--raw-transactions") {
      o.raw_transactions = std::atol(value);
    } else {
      return Usage();
    }
  }
  if (o.events <= 0 || o.threads <= 0 || o.window <= 0 || o.warmup < 0) return Usage();
  spdlog::set_level(spdlog::level::warn);

  helpdesk::KafkaOptions options;
  options.brokers = o.brokers;
  options.topic = o.topic;
  if (o.timeout_ms > 0) options.timeout_ms = o.timeout_ms;
  auto opened = helpdesk::KafkaLog::Open(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "bench_kafka_append: %s\n", opened.error().message.c_str());
    return 1;
  }
  auto log = std::move(opened).value();  // also makes the topic
  if (o.raw_transactions > 0) {
    log.reset();
    return RawTransactions(o, options);
  }
  const std::string pad = PadFor(o.envelope_bytes);
  helpdesk::RecordedEvent sample;
  sample.stream_version = 1;
  sample.event = Event(50000, pad);
  const size_t envelope = helpdesk::EncodeEnvelope(sample).size();

  std::atomic<long> failed{0};
  // Appends events [first, first + count) and returns the seconds it took.
  auto run = [&](long first, long count) {
    std::vector<NewEvent> events;
    events.reserve(static_cast<size_t>(count));
    for (long i = first; i < first + count; ++i) events.push_back(Event(i, pad));
    std::atomic<long> next{first};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> appenders;
    for (int t = 0; t < o.threads; ++t) {
      appenders.emplace_back([&] {
        std::deque<std::future<Result<AppendResult>>> in_flight;
        auto settle_oldest = [&] {
          Result<AppendResult> r = in_flight.front().get();
          in_flight.pop_front();
          if (!r.ok()) {
            if (failed++ == 0) {
              std::fprintf(stderr, "append failed: %s\n", r.error().message.c_str());
            }
            log->Reset();
          }
        };
        for (long i; (i = next++) < first + count;) {
          if (in_flight.size() >= static_cast<size_t>(o.window)) settle_oldest();
          AppendRequest request;
          NewEvent& e = events[static_cast<size_t>(i - first)];
          request.expected_versions.emplace(e.stream, 0);
          request.events.push_back(std::move(e));  // not in braces: an initializer list copies
          in_flight.push_back(log->AppendAsync(std::move(request)));
        }
        while (!in_flight.empty()) settle_oldest();
      });
    }
    for (std::thread& t : appenders) t.join();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (o.warmup > 0) run(o.events, o.warmup);
  failed = 0;
  const double seconds = run(0, o.events);
  std::printf(
      "log appends: %.0f events/s (%ld events in %.2f s, %ld failed; %d threads x %d in flight; "
      "envelopes of %zu bytes; after %ld untimed)\n",
      static_cast<double>(o.events) / seconds, o.events, seconds, failed.load(), o.threads,
      o.window, envelope, o.warmup);
  return failed > 0 ? 1 : 0;
}
