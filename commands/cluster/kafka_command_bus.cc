#include "commands/cluster/kafka_command_bus.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

#include "adapters/kafka_client.h"
#include "adapters/kafka_log.h"
#include "adapters/random_ids.h"
#include "adapters/thread_name.h"
#include "commands/command_codec.h"
#include "domain/json_text.h"

namespace helpdesk {
namespace {

using nlohmann::json;

constexpr int64_t kRepliesRetentionMs = 60 * 60 * 1000;  // answers matter for seconds

// A command's delivery report: the broker refused it, so no node will ever answer.
void OnCommandDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* waiter = static_cast<std::shared_ptr<KafkaCommandBus::Waiter>*>(m->_private);
  if (!waiter) return;
  if (m->err) {
    (*waiter)->Settle(KafkaUnavailable(std::string("kafka: the command was not delivered: ") +
                                       rd_kafka_err2str(m->err)));
  }
  delete waiter;
}

}  // namespace

void KafkaCommandBus::Waiter::Settle(Result<CommandOutcome> outcome) {
  if (!settled.exchange(true)) answer.set_value(std::move(outcome));
}

Result<std::unique_ptr<KafkaCommandBus>> KafkaCommandBus::Open(CommandBusOptions o) {
  auto producer = NewKafkaProducer({{"bootstrap.servers", o.brokers},
                                    {"enable.idempotence", "true"},
                                    {"acks", "all"},
                                    {"message.timeout.ms", std::to_string(o.produce_timeout_ms)},
                                    {"socket.timeout.ms", std::to_string(o.produce_timeout_ms)},
                                    {"linger.ms", "0"}},
                                   OnCommandDelivery);
  if (!producer.ok()) return producer.error();
  rd_kafka_t* p = producer.value();
  for (const auto& [topic, retention] :
       {std::pair{CommandsTopic(o.events_topic), int64_t{7} * 24 * 3600 * 1000},
        std::pair{RepliesTopic(o.events_topic), kRepliesRetentionMs}}) {
    Status made =
        KafkaLog::EnsureTopic(p, o.brokers, topic, o.partitions, retention, o.replication_factor);
    if (!made.ok()) {
      rd_kafka_destroy(p);
      return made.error();
    }
  }
  auto replies = NewKafkaConsumer({{"bootstrap.servers", o.brokers},
                                   {"group.id", "helpdesk-replies-" + o.node_id},
                                   {"enable.auto.commit", "false"},
                                   {"enable.auto.offset.store", "false"},
                                   {"fetch.wait.max.ms", "5"}});
  if (!replies.ok()) {
    rd_kafka_destroy(p);
    return replies.error();
  }
  // Read this node's partition of the replies from its current end: answers to requests sent
  // from now on. The end is asked explicitly, so an answer arriving early is not skipped.
  const std::string replies_topic = RepliesTopic(o.events_topic);
  const int32_t mine = KafkaLog::PartitionFor(o.node_id, o.partitions);
  int64_t low = 0, high = 0;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  // Right after the topic was created its partitions may not be known yet: ask again a while.
  for (int attempt = 0; attempt < 100; ++attempt) {
    err = rd_kafka_query_watermark_offsets(replies.value(), replies_topic.c_str(), mine, &low,
                                           &high, 5000);
    if (!err) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (err) {
    rd_kafka_destroy(replies.value());
    rd_kafka_destroy(p);
    return KafkaUnavailable(std::string("kafka: cannot find the end of the replies: ") +
                            rd_kafka_err2str(err));
  }
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, replies_topic.c_str(), mine)->offset = high;
  rd_kafka_assign(replies.value(), list);
  rd_kafka_topic_partition_list_destroy(list);
  return std::unique_ptr<KafkaCommandBus>(new KafkaCommandBus(std::move(o), p, replies.value()));
}

KafkaCommandBus::KafkaCommandBus(CommandBusOptions options, rd_kafka_t* producer,
                                 rd_kafka_t* replies)
    : options_(std::move(options)), producer_(producer), replies_(replies) {
  thread_ = std::thread([this] {
    NameThisThread("command-bus");
    Loop();
  });
}

KafkaCommandBus::~KafkaCommandBus() {
  stop_ = true;
  thread_.join();
  rd_kafka_flush(producer_, 2000);
  rd_kafka_destroy(producer_);
  rd_kafka_consumer_close(replies_);
  rd_kafka_destroy(replies_);
}

Result<CommandOutcome> KafkaCommandBus::Send(const std::string& routing_key, const json& command) {
  const std::string request_id = NewId();
  const int64_t sent_at = NowMs();
  const json envelope{{"request_id", request_id},
                      {"reply_to", options_.node_id},
                      {"hops", 0},
                      {"after", options_.seen ? options_.seen().ToString() : ""},
                      {"sent_at", sent_at},
                      {"command", command},
                      {"sig", SignCommand(request_id, sent_at, command)}};
  const std::string value = DumpJson(envelope);
  auto waiter = std::make_shared<Waiter>();
  std::future<Result<CommandOutcome>> answer = waiter->answer.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_[request_id] = waiter;
  }
  const std::string topic = CommandsTopic(options_.events_topic);
  auto* opaque = new std::shared_ptr<Waiter>(waiter);
  rd_kafka_resp_err_t err = rd_kafka_producev(
      producer_, RD_KAFKA_V_TOPIC(topic.c_str()),
      RD_KAFKA_V_PARTITION(KafkaLog::PartitionFor(routing_key, options_.partitions)),
      RD_KAFKA_V_KEY(routing_key.data(), routing_key.size()),
      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  if (err) {
    delete opaque;
    waiter->Settle(KafkaUnavailable(std::string("kafka produce: ") + rd_kafka_err2str(err)));
  }
  Result<CommandOutcome> outcome =
      answer.wait_for(options_.reply_timeout) == std::future_status::ready
          ? answer.get()
          : Result<CommandOutcome>(KafkaUnavailable(
                "no node answered the command in time (is the broker or its owner away?)"));
  std::lock_guard<std::mutex> lock(mu_);
  waiting_.erase(request_id);
  return outcome;
}

void KafkaCommandBus::SendReply(const std::string& reply_to, const std::string& request_id,
                                const json& outcome) {
  const std::string value =
      json{{"request_id", request_id}, {"outcome", outcome}, {"sig", Sign(request_id, outcome)}}
          .dump();
  const std::string topic = RepliesTopic(options_.events_topic);
  rd_kafka_resp_err_t err =
      rd_kafka_producev(producer_, RD_KAFKA_V_TOPIC(topic.c_str()),
                        RD_KAFKA_V_PARTITION(KafkaLog::PartitionFor(reply_to, options_.partitions)),
                        RD_KAFKA_V_KEY(reply_to.data(), reply_to.size()),
                        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
  if (err) spdlog::warn("kafka: cannot answer request {}: {}", request_id, rd_kafka_err2str(err));
}

void KafkaCommandBus::Deliver(const std::string& payload) {
  json reply = json::parse(payload, nullptr, false);
  if (!reply.is_object() || !reply.contains("request_id") || !reply["request_id"].is_string() ||
      !reply.contains("outcome")) {
    spdlog::warn("kafka: an unreadable reply skipped");
    return;
  }
  const json sig = reply.value("sig", json());
  if (!sig.is_string() ||
      !ConstantTimeEquals(sig.get<std::string>(),
                          Sign(reply["request_id"].get<std::string>(), reply["outcome"]))) {
    spdlog::error("kafka: a reply to {} without this cluster's signature refused",
                  reply["request_id"].get<std::string>());
    return;
  }
  std::shared_ptr<Waiter> waiter;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiting_.find(reply["request_id"].get<std::string>());
    if (it == waiting_.end()) return;  // timed out already, or asked before a restart
    waiter = it->second;
  }
  waiter->Settle(DecodeOutcome(reply["outcome"]));
}

std::string KafkaCommandBus::Sign(const std::string& request_id, const json& body) const {
  return HmacSha256Hex(options_.signing_key, request_id + "\n" + DumpJson(body));
}

std::string KafkaCommandBus::SignCommand(const std::string& request_id, int64_t sent_at,
                                         const json& command) const {
  return HmacSha256Hex(options_.signing_key,
                       request_id + "\n" + std::to_string(sent_at) + "\n" + DumpJson(command));
}

int64_t KafkaCommandBus::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool KafkaCommandBus::Authentic(const json& envelope) const {
  const json sig = envelope.value("sig", json());
  const json sent_at = envelope.value("sent_at", json());
  return sig.is_string() && sent_at.is_number_integer() && envelope.contains("command") &&
         ConstantTimeEquals(sig.get<std::string>(),
                            SignCommand(envelope.value("request_id", ""), sent_at.get<int64_t>(),
                                        envelope["command"]));
}

bool KafkaCommandBus::Fresh(const json& envelope) const {
  const json sent_at = envelope.value("sent_at", json());
  if (!sent_at.is_number_integer()) return false;
  const int64_t age = NowMs() - sent_at.get<int64_t>();
  return std::abs(age) <= options_.max_command_age.count();
}

void KafkaCommandBus::Loop() {
  while (!stop_) {
    rd_kafka_poll(producer_, 0);
    rd_kafka_message_t* m = rd_kafka_consumer_poll(replies_, 20);
    if (!m) continue;
    if (!m->err) {
      Deliver(std::string(static_cast<const char*>(m->payload), m->len));
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      spdlog::debug("kafka replies: {}", rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
  }
}

}  // namespace helpdesk
