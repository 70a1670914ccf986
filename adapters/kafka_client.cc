#include "adapters/kafka_client.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <thread>

#include "adapters/random_ids.h"

namespace helpdesk {
namespace {

void OnLog(const rd_kafka_t*, int level, const char* facility, const char* message) {
  if (level <= 3) {
    spdlog::error("kafka {}: {}", facility, message);
  } else if (level <= 4) {
    spdlog::warn("kafka {}: {}", facility, message);
  } else {
    spdlog::debug("kafka {}: {}", facility, message);
  }
}

KafkaSettings& ClientDefaults() {
  static KafkaSettings defaults;
  return defaults;
}

Result<rd_kafka_conf_t*> NewConf(const KafkaSettings& own) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  KafkaSettings settings = ClientDefaults();
  settings.insert(settings.end(), own.begin(), own.end());
  for (const auto& [name, value] : settings) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Error{ErrorCode::kInternal, "kafka setting " + name + ": " + err};
    }
  }
  rd_kafka_conf_set_log_cb(conf, OnLog);
  return conf;
}

}  // namespace

void SetKafkaClientDefaults(KafkaSettings settings) { ClientDefaults() = std::move(settings); }

Result<KafkaSettings> ParseKafkaProperties(const std::string& text) {
  KafkaSettings out;
  size_t line_number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    const auto trim = [](std::string s) {
      const auto not_space = [](unsigned char c) { return !std::isspace(c); };
      s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
      s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
      return s;
    };
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidField("kafka config",
                          "line " + std::to_string(line_number) + " is not name=value");
    }
    out.emplace_back(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
  }
  return out;
}

Error FromKafka(rd_kafka_error_t* error, const char* what) {
  Error e = KafkaUnavailable(std::string(what) + ": " + rd_kafka_error_string(error));
  rd_kafka_error_destroy(error);
  return e;
}

Result<rd_kafka_t*> NewKafkaProducer(const KafkaSettings& settings,
                                     KafkaDeliveryCallback on_delivery) {
  auto conf = NewConf(settings);
  if (!conf.ok()) return conf.error();
  if (on_delivery) rd_kafka_conf_set_dr_msg_cb(conf.value(), on_delivery);
  char err[512];
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, conf.value(), err, sizeof err);
  if (!producer) return Error{ErrorCode::kInternal, std::string("kafka producer: ") + err};
  return producer;
}

Result<rd_kafka_t*> NewKafkaConsumer(const KafkaSettings& settings,
                                     KafkaRebalanceCallback on_rebalance, void* opaque) {
  auto conf = NewConf(settings);
  if (!conf.ok()) return conf.error();
  if (on_rebalance) {
    rd_kafka_conf_set_rebalance_cb(conf.value(), on_rebalance);
    rd_kafka_conf_set_opaque(conf.value(), opaque);
  }
  char err[512];
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf.value(), err, sizeof err);
  if (!consumer) return Error{ErrorCode::kInternal, std::string("kafka consumer: ") + err};
  rd_kafka_poll_set_consumer(consumer);
  return consumer;
}

KafkaSettings AssignedReaderSettings(const std::string& brokers, const std::string& purpose) {
  return {{"bootstrap.servers", brokers},
          // Required by librdkafka; never committed.
          {"group.id", "helpdesk-" + purpose + "-" + NewId()},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"fetch.wait.max.ms", "20"}};
}

Result<int> AwaitTopicLeaders(rd_kafka_t* client, rd_kafka_topic_t* topic) {
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  for (int attempt = 0; attempt < 50; ++attempt) {
    const rd_kafka_metadata_t* md = nullptr;
    err = rd_kafka_metadata(client, 0, topic, &md, 5000);
    int led = 0;
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
        md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const rd_kafka_metadata_topic_t& t = md->topics[0];
      for (int p = 0; p < t.partition_cnt; ++p) led += t.partitions[p].leader >= 0 ? 1 : 0;
      if (led != t.partition_cnt) led = 0;  // some partitions have no leader yet
    }
    if (md) rd_kafka_metadata_destroy(md);
    if (led > 0) return led;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return KafkaUnavailable(std::string("kafka: no leader for every partition of ") +
                          rd_kafka_topic_name(topic) + ": " + rd_kafka_err2str(err));
}

}  // namespace helpdesk
