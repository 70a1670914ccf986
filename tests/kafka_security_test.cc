// A secured cluster (HELPDESK_TEST_KAFKA; skipped without it): commands between nodes are
// signed, so whoever can write the commands topic cannot act as an admin; a bad client
// configuration or a replication the cluster cannot give stops the node at start.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "adapters/kafka_client.h"
#include "adapters/kafka_log.h"
#include "tests/support/server_process.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

// Writes `value` to `topic` partition `partition` as any client of the brokers could.
void ProduceRaw(const std::string& topic, int partition, const std::string& key,
                const std::string& value) {
  auto producer = NewKafkaProducer({{"bootstrap.servers", KafkaBrokers()}}, nullptr);
  ASSERT_TRUE(producer.ok()) << producer.error().message;
  ASSERT_EQ(
      rd_kafka_producev(producer.value(), RD_KAFKA_V_TOPIC(topic.c_str()),
                        RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_KEY(key.data(), key.size()),
                        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
      RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(rd_kafka_flush(producer.value(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
  rd_kafka_destroy(producer.value());
}

class KafkaSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!KafkaBrokers()) GTEST_SKIP() << "needs HELPDESK_TEST_KAFKA";
  }
  TempDir dir_;
};

TEST_F(KafkaSecurity, ForgedOrUnsignedCommandsAreRefused) {
  ServerProcess server(dir_.path() + "/node");
  ASSERT_TRUE(server.Start());
  const std::string key = "team/evil";
  const int partition = KafkaLog::PartitionFor(key, 6);
  const json command{{"op", "create_team"},
                     {"caller", {{"user_id", ""}, {"role", "admin"}, {"channel_id", ""}}},
                     {"args", {{"id", "evil"}, {"name", "Evil"}}}};
  json forged{{"request_id", "forged-1"}, {"reply_to", "nobody"},       {"hops", 0}, {"after", ""},
              {"command", command},       {"sig", std::string(64, '0')}};
  ProduceRaw(server.topic() + ".commands", partition, key, forged.dump());
  forged.erase("sig");
  forged["request_id"] = "forged-2";
  ProduceRaw(server.topic() + ".commands", partition, key, forged.dump());
  // The same team through the API: decided after the forged ones (same key, same partition).
  auto legit = server.Admin("POST", "/api/v1/teams", R"({"id":"evil","name":"Legit"})");
  ASSERT_EQ(legit.status, 201) << "a forged command made the team first: " << legit.body;
  EXPECT_EQ(legit.json()["name"], "Legit");
  auto events = server.Admin("GET", "/api/v1/events?type=TeamCreated").json();
  EXPECT_EQ(events["items"].size(), 1u) << events.dump();
}

TEST_F(KafkaSecurity, ABadClientConfigurationOrAnImpossibleReplicationStopsTheStart) {
  const std::string config = dir_.path() + "/kafka.properties";
  const std::vector<std::string> base{
      "--listen",      "127.0.0.1:1",
      "--data",        dir_.path() + "/bad",
      "--admin-token", kAdminToken,
      "--kafka",       KafkaBrokers(),
      "--kafka-topic", "helpdesk.test.bad." + std::to_string(getpid())};
  setenv("HELPDESK_SECRETS_KEY", kTestSecretsKey, 1);
  { std::ofstream(config) << "this is not a property\n"; }
  auto args = base;
  args.insert(args.end(), {"--kafka-config", config});
  EXPECT_EQ(RunHelpdeskd(args), 2);
  { std::ofstream(config) << "# a comment\nno.such.librdkafka.property = 1\n"; }
  EXPECT_EQ(RunHelpdeskd(args), 1);
  // One broker cannot hold three replicas.
  args = base;
  args.insert(args.end(), {"--kafka-replication-factor", "3"});
  EXPECT_EQ(RunHelpdeskd(args), 1);
  // Without a secrets key a node cannot join a cluster.
  unsetenv("HELPDESK_SECRETS_KEY");
  EXPECT_EQ(RunHelpdeskd(base), 1);
}

TEST(KafkaProperties, NameValueLinesWithComments) {
  auto parsed = ParseKafkaProperties(
      "# TLS\nsecurity.protocol=SASL_SSL\n\n  sasl.mechanism = SCRAM-SHA-512 \n! old\n"
      "ssl.ca.location=/etc/ca.pem\nsasl.password=a=b");
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed.value().size(), 4u);
  EXPECT_EQ(parsed.value()[1],
            (std::pair<std::string, std::string>{"sasl.mechanism", "SCRAM-SHA-512"}));
  EXPECT_EQ(parsed.value()[3].second, "a=b");
  EXPECT_FALSE(ParseKafkaProperties("novalue\n").ok());
  EXPECT_FALSE(ParseKafkaProperties("=x\n").ok());
}

}  // namespace
}  // namespace helpdesk::testing
