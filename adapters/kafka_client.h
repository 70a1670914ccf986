// Small helpers every Kafka client of this process shares: making librdkafka handles from a list
// of settings (logging through spdlog), and turning librdkafka errors into our errors.
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "domain/result.h"

struct rd_kafka_topic_s;

namespace helpdesk {

using KafkaSettings = std::vector<std::pair<std::string, std::string>>;
using KafkaDeliveryCallback = void (*)(rd_kafka_s*, const rd_kafka_message_s*, void*);
using KafkaRebalanceCallback = void (*)(rd_kafka_t*, rd_kafka_resp_err_t err,
                                        rd_kafka_topic_partition_list_t*, void* opaque);

// Settings every client of this process starts from, before its own (which win where both
// name a setting): TLS, SASL and the like from --kafka-config. Set once at start, before any
// client is made.
void SetKafkaClientDefaults(KafkaSettings settings);
// A Java-style properties text: "name=value" lines; '#' and '!' start comments.
Result<KafkaSettings> ParseKafkaProperties(const std::string& text);

// Owns a librdkafka client handle: rd_kafka_destroy when it goes. (A consumer should be closed
// with rd_kafka_consumer_close first, to leave its group at once.)
using KafkaClient = std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)>;
inline KafkaClient OwnKafkaClient(rd_kafka_t* client) { return {client, &rd_kafka_destroy}; }

// A producer; `on_delivery` (may be null) gets every delivery report, from rd_kafka_poll or the
// transactional calls.
Result<rd_kafka_s*> NewKafkaProducer(const KafkaSettings& settings,
                                     KafkaDeliveryCallback on_delivery);
// A consumer polled with rd_kafka_consumer_poll. `on_rebalance` (may be null) with `opaque`.
Result<rd_kafka_s*> NewKafkaConsumer(const KafkaSettings& settings,
                                     KafkaRebalanceCallback on_rebalance = nullptr,
                                     void* opaque = nullptr);

// The settings of a consumer that is assigned partitions and reads them (no consumer group, no
// committed offsets), named `purpose` in the brokers' logs. Callers add their own.
KafkaSettings AssignedReaderSettings(const std::string& brokers, const std::string& purpose);

// Asks for `topic`'s metadata until every one of its partitions has a leader (right after the
// topic is made, the client may not know them yet): their number. `topic` stays the caller's.
Result<int> AwaitTopicLeaders(rd_kafka_s* client, rd_kafka_topic_s* topic);

inline Error KafkaUnavailable(const std::string& what) {
  return Error{ErrorCode::kLogUnavailable, what};
}
// Takes ownership of `error`.
Error FromKafka(rd_kafka_error_s* error, const char* what);

}  // namespace helpdesk
