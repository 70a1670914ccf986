// The bare round trip of a command through Kafka, with nothing of helpdeskd in it: the floor of
// what a command costs a cluster node (issue: commands on Kafka at most 1.5x this, same run).
//
// `clients` threads each send a command and wait for its answer, over and over, for `seconds`:
//   client --produce--> <topic>.commands (partition by key, idempotent, acks=all, linger 0)
//   decider: consume (read_committed, one consumer group, the deciders' fetch wait), then ONE
//            transaction for the batch it
//            polled: `events` envelopes per command into <topic>.events, the consumed offsets
//            (send_offsets_to_transaction), commit; then one answer per command
//   client <--consume-- <topic>.replies
// The settings are the ones KafkaCommandBus and KafkaDecider use; envelopes are encoded before
// the clock starts; no JSON is parsed, no state is kept. The first `warmup` seconds are not
// counted (a broker's transaction coordinator starts cold).
// Prints "bare round trip: <rate> commands/s, mean <ms> ms, p50 <ms> ms, p99 <ms> ms ...".
#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "adapters/kafka_client.h"
#include "adapters/kafka_log.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string brokers = "127.0.0.1:9092";
  std::string topic = "bench.roundtrip";
  int clients = 16;
  int seconds = 20;
  int warmup = 3;
  int events = 3;  // per command
  size_t envelope_bytes = 420;
  int partitions = 6;
};

int Usage() {
  std::fprintf(stderr,
               "usage: bench_kafka_round_trip --brokers HOST:PORT [--topic PREFIX] [--clients C]\n"
               "         [--seconds S] [--warmup S] [--events E] [--envelope-bytes B]\n");
  return 2;
}

int Fail(const std::string& what, rd_kafka_error_t* e = nullptr) {
  std::fprintf(stderr, "bench_kafka_round_trip: %s%s%s\n", what.c_str(), e ? ": " : "",
               e ? rd_kafka_error_string(e) : "");
  if (e) rd_kafka_error_destroy(e);
  return 1;
}

// Requests waiting for their answer, by request id.
class Waiting {
 public:
  std::future<void> Expect(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return waiting_[id].get_future();
  }
  void Answer(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(id);
    if (it == waiting_.end()) return;
    it->second.set_value();
    waiting_.erase(it);
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::promise<void>> waiting_;
};

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
    } else if (flag == "--clients") {
      o.clients = std::atoi(value);
    } else if (flag == "--seconds") {
      o.seconds = std::atoi(value);
    } else if (flag == "--warmup") {
      o.warmup = std::atoi(value);
    } else if (flag == "--events") {
      o.events = std::atoi(value);
    } else if (flag == "--envelope-bytes") {
      o.envelope_bytes = static_cast<size_t>(std::atol(value));
    } else {
      return Usage();
    }
  }
  if (o.clients <= 0 || o.seconds <= 0 || o.warmup < 0 || o.events <= 0) return Usage();
  spdlog::set_level(spdlog::level::warn);

  const std::string commands_topic = o.topic + ".commands";
  const std::string events_topic = o.topic + ".events";
  const std::string replies_topic = o.topic + ".replies";
  helpdesk::KafkaOptions log_options;
  log_options.brokers = o.brokers;
  auto made = helpdesk::NewKafkaProducer({{"bootstrap.servers", o.brokers},
                                          {"enable.idempotence", "true"},
                                          {"acks", "all"},
                                          {"linger.ms", "0"}},
                                         nullptr);
  if (!made.ok()) return Fail(made.error().message);
  helpdesk::KafkaClient sender = helpdesk::OwnKafkaClient(
      made.value());  // commands and answers, as KafkaCommandBus's producer
  for (const std::string& topic : {commands_topic, events_topic, replies_topic}) {
    helpdesk::Status created =
        helpdesk::KafkaLog::EnsureTopic(sender.get(), o.brokers, topic, o.partitions, -1);
    if (!created.ok()) return Fail(created.error().message);
  }
  auto tx = helpdesk::NewKafkaProducer(
      helpdesk::KafkaLog::ProducerSettings(
          log_options, "bench-rt-" + std::to_string(Clock::now().time_since_epoch().count())),
      nullptr);
  if (!tx.ok()) return Fail(tx.error().message);
  helpdesk::KafkaClient transactional = helpdesk::OwnKafkaClient(tx.value());
  if (rd_kafka_error_t* e = rd_kafka_init_transactions(transactional.get(), 30000)) {
    return Fail("init_transactions", e);
  }
  auto decider_made = helpdesk::NewKafkaConsumer({{"bootstrap.servers", o.brokers},
                                                  {"group.id", commands_topic + ".deciders"},
                                                  {"enable.auto.commit", "false"},
                                                  {"enable.auto.offset.store", "false"},
                                                  {"isolation.level", "read_committed"},
                                                  {"auto.offset.reset", "earliest"},
                                                  {"fetch.wait.max.ms", "5"}});
  if (!decider_made.ok()) return Fail(decider_made.error().message);
  helpdesk::KafkaClient decider = helpdesk::OwnKafkaClient(decider_made.value());
  {
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, commands_topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(decider.get(), topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) return Fail(std::string("subscribe: ") + rd_kafka_err2str(err));
  }
  auto replies_made =
      helpdesk::NewKafkaConsumer(helpdesk::AssignedReaderSettings(o.brokers, "bench-rt-replies"));
  if (!replies_made.ok()) return Fail(replies_made.error().message);
  helpdesk::KafkaClient replies = helpdesk::OwnKafkaClient(replies_made.value());
  // Right after the topics were made their partitions may have no leader yet.
  for (const std::string& topic : {commands_topic, events_topic, replies_topic}) {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(sender.get(), topic.c_str(), nullptr);
    const helpdesk::Result<int> led = helpdesk::AwaitTopicLeaders(sender.get(), handle);
    rd_kafka_topic_destroy(handle);
    if (!led.ok()) return Fail(led.error().message);
  }
  int64_t low = 0, high = 0;
  if (rd_kafka_query_watermark_offsets(replies.get(), replies_topic.c_str(), 0, &low, &high,
                                       5000)) {
    return Fail("no end of the replies topic");
  }
  {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, replies_topic.c_str(), 0)->offset = high;
    rd_kafka_assign(replies.get(), list);
    rd_kafka_topic_partition_list_destroy(list);
  }

  const std::string envelope(o.envelope_bytes, 'e');
  const std::string command(600, 'c');  // about a command's envelope of the bus
  std::atomic<bool> stop{false};
  std::atomic<long> transactions{0};
  std::atomic<long> failed{0};
  Waiting waiting;

  std::thread decider_thread([&] {
    while (!stop) {
      std::vector<std::pair<rd_kafka_message_t*, std::string>> batch;  // message, request id
      rd_kafka_message_t* m = rd_kafka_consumer_poll(decider.get(), 100);
      while (m) {
        if (m->err) {
          rd_kafka_message_destroy(m);
        } else {
          batch.emplace_back(m, std::string(static_cast<const char*>(m->key), m->key_len));
        }
        m = batch.size() < 256 ? rd_kafka_consumer_poll(decider.get(), 0) : nullptr;
      }
      if (batch.empty()) continue;
      std::map<int32_t, int64_t> next;
      if (rd_kafka_error_t* e = rd_kafka_begin_transaction(transactional.get())) {
        Fail("begin_transaction", e);
        ++failed;
        stop = true;
        for (auto& [msg, id] : batch) rd_kafka_message_destroy(msg);
        break;
      }
      for (auto& [msg, id] : batch) {
        next[msg->partition] = msg->offset + 1;
        for (int n = 0; n < o.events; ++n) {
          rd_kafka_producev(transactional.get(), RD_KAFKA_V_TOPIC(events_topic.c_str()),
                            RD_KAFKA_V_PARTITION(msg->partition),
                            RD_KAFKA_V_KEY(id.data(), id.size()),
                            RD_KAFKA_V_VALUE(const_cast<char*>(envelope.data()), envelope.size()),
                            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        }
      }
      rd_kafka_topic_partition_list_t* offsets =
          rd_kafka_topic_partition_list_new(static_cast<int>(next.size()));
      for (const auto& [partition, offset] : next) {
        rd_kafka_topic_partition_list_add(offsets, commands_topic.c_str(), partition)->offset =
            offset;
      }
      rd_kafka_consumer_group_metadata_t* group = rd_kafka_consumer_group_metadata(decider.get());
      rd_kafka_error_t* e =
          rd_kafka_send_offsets_to_transaction(transactional.get(), offsets, group, 10000);
      rd_kafka_consumer_group_metadata_destroy(group);
      rd_kafka_topic_partition_list_destroy(offsets);
      if (!e) e = rd_kafka_commit_transaction(transactional.get(), 10000);
      if (e) {  // the bench ends: a baseline that failed measures nothing
        Fail("transaction", e);
        ++failed;
        stop = true;
        if (rd_kafka_error_t* abort = rd_kafka_abort_transaction(transactional.get(), 10000)) {
          rd_kafka_error_destroy(abort);
        }
        for (auto& [msg, id] : batch) rd_kafka_message_destroy(msg);
        break;
      }
      ++transactions;
      for (auto& [msg, id] : batch) {
        rd_kafka_producev(sender.get(), RD_KAFKA_V_TOPIC(replies_topic.c_str()),
                          RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_KEY(id.data(), id.size()),
                          RD_KAFKA_V_VALUE(const_cast<char*>("done"), 4),
                          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        rd_kafka_message_destroy(msg);
      }
    }
  });
  std::thread replies_thread([&] {
    while (!stop) {
      rd_kafka_poll(sender.get(), 0);
      rd_kafka_message_t* m = rd_kafka_consumer_poll(replies.get(), 20);
      if (!m) continue;
      if (!m->err) {
        waiting.Answer(std::string(static_cast<const char*>(m->key), m->key_len));
      }
      rd_kafka_message_destroy(m);
    }
  });

  const auto counted_from = Clock::now() + std::chrono::seconds(o.warmup);
  const auto until = counted_from + std::chrono::seconds(o.seconds);
  std::vector<std::vector<double>> latencies(static_cast<size_t>(o.clients));
  std::vector<std::thread> clients;
  for (int c = 0; c < o.clients; ++c) {
    clients.emplace_back([&, c] {
      for (long n = 0; !stop && Clock::now() < until; ++n) {
        const std::string id = "client-" + std::to_string(c) + "-" + std::to_string(n);
        std::future<void> answer = waiting.Expect(id);
        const auto sent = Clock::now();
        rd_kafka_resp_err_t err = rd_kafka_producev(
            sender.get(), RD_KAFKA_V_TOPIC(commands_topic.c_str()),
            RD_KAFKA_V_PARTITION(helpdesk::KafkaLog::PartitionFor(id, o.partitions)),
            RD_KAFKA_V_KEY(id.data(), id.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(command.data()), command.size()),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err || answer.wait_for(std::chrono::seconds(12)) != std::future_status::ready) {
          ++failed;
          continue;
        }
        if (sent >= counted_from) {
          latencies[static_cast<size_t>(c)].push_back(
              std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
        }
      }
    });
  }
  for (std::thread& t : clients) t.join();
  stop = true;
  decider_thread.join();
  replies_thread.join();
  rd_kafka_consumer_close(decider.get());
  rd_kafka_consumer_close(replies.get());

  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  if (all.empty()) return Fail("no command was answered");
  std::sort(all.begin(), all.end());
  double sum = 0;
  for (double ms : all) sum += ms;
  auto at = [&](double q) { return all[std::min(all.size() - 1, size_t(q * all.size()))]; };
  std::printf(
      "bare round trip: %.0f commands/s, mean %.1f ms, p50 %.1f ms, p99 %.1f ms (%zu commands "
      "in %d s, %d clients, %d events each, %ld transactions in all, %ld failed)\n",
      static_cast<double>(all.size()) / o.seconds, sum / static_cast<double>(all.size()), at(0.5),
      at(0.99), all.size(), o.seconds, o.clients, o.events, transactions.load(), failed.load());
  return failed > 0 ? 1 : 0;
}
