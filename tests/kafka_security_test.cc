// A secured cluster (HELPDESK_TEST_KAFKA; skipped without it): commands between nodes are
// signed, so whoever can write the commands topic cannot act as an admin; a bad client
// configuration or a replication the cluster cannot give stops the node at start.
#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "adapters/kafka_client.h"
#include "adapters/kafka_log.h"
#include "adapters/random_ids.h"
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

// A command envelope as a node of the cluster signs it with `cluster_key`.
json SignedEnvelope(const std::string& cluster_key, const std::string& request_id, int64_t sent_at,
                    const json& command) {
  return json{{"request_id", request_id},
              {"reply_to", "nobody"},
              {"hops", 0},
              {"after", ""},
              {"sent_at", sent_at},
              {"command", command},
              {"sig", HmacSha256Hex(cluster_key, request_id + "\n" + std::to_string(sent_at) +
                                                     "\n" + command.dump())}};
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

// What a node that can read the commands topic but lacks the key could do: send a signed
// command it saw again, later. Made here with the cluster key, as an honest node would sign it.
TEST_F(KafkaSecurity, ASignedCommandSentTooLongAgoIsRefused) {
  const std::string cluster_key(40, 'k');
  std::ofstream(dir_.path() + "/cluster.key") << cluster_key << "\n";
  ServerProcess server(dir_.path() + "/node");
  server.AddArgs({"--cluster-key-file", dir_.path() + "/cluster.key"});
  ASSERT_TRUE(server.Start());
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto signed_envelope = [&](const std::string& request_id, const std::string& team,
                             int64_t sent_at) {
    const json command{{"op", "create_team"},
                       {"caller", {{"user_id", ""}, {"role", "admin"}, {"channel_id", ""}}},
                       {"args", {{"id", team}, {"name", "Replayed"}}}};
    return SignedEnvelope(cluster_key, request_id, sent_at, command);
  };
  // Ten minutes old: refused. Signed the same way just now: done (so the refusal is its age).
  const std::string stale_key = "team/stale", fresh_key = "team/fresh";
  ProduceRaw(server.topic() + ".commands", KafkaLog::PartitionFor(stale_key, 6), stale_key,
             signed_envelope("replay-1", "stale", now_ms - 10 * 60 * 1000).dump());
  ProduceRaw(server.topic() + ".commands", KafkaLog::PartitionFor(fresh_key, 6), fresh_key,
             signed_envelope("fresh-1", "fresh", now_ms).dump());
  int status = 0;
  for (int i = 0; i < 100 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = server.Admin("GET", "/api/v1/teams/fresh").status;
  }
  EXPECT_EQ(status, 200) << "a signed, fresh command was not done: the test signs wrongly";
  // The same team through the API: decided after the stale one (same key, same partition).
  auto legit = server.Admin("POST", "/api/v1/teams", R"({"id":"stale","name":"Legit"})");
  ASSERT_EQ(legit.status, 201) << "the replayed command made the team first: " << legit.body;
}

// The same node copying a fresh signed command it saw back onto the topic: the first copy is
// done, the second refused (the decider remembers the request ids it committed in the window).
TEST_F(KafkaSecurity, ASignedCommandProducedAgainWithinTheWindowIsDoneOnce) {
  const std::string cluster_key(40, 'k');
  std::ofstream(dir_.path() + "/cluster.key") << cluster_key << "\n";
  ServerProcess server(dir_.path() + "/node");
  server.AddArgs({"--cluster-key-file", dir_.path() + "/cluster.key"});
  ASSERT_TRUE(server.Start());
  auto ana = server.Admin("POST", "/api/v1/users",
                          R"({"id":"ana","name":"Ana","email":"ana@example.com","role":"agent"})");
  ASSERT_EQ(ana.status, 201) << ana.body;
  ASSERT_EQ(server.Admin("POST", "/api/v1/contacts", R"({"id":"rui","name":"Rui"})").status, 201);
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  // A note, which has no id of its own: done twice, it would be two notes.
  const json command{{"op", "add_contact_note"},
                     {"caller", {{"user_id", "ana"}, {"role", "agent"}, {"channel_id", ""}}},
                     {"args", {{"contact_id", "rui"}, {"text", "ligar amanhã"}}}};
  const std::string request_id = "note-" + std::to_string(now_ms);
  const json envelope = SignedEnvelope(cluster_key, request_id, now_ms, command);
  const std::string key = "contact/rui";
  const int partition = KafkaLog::PartitionFor(key, 6);
  ProduceRaw(server.topic() + ".commands", partition, key, envelope.dump());
  size_t notes = 0;
  for (int i = 0; i < 100 && notes == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    notes = server.Admin("GET", "/api/v1/contacts/rui/notes").json()["items"].size();
  }
  ASSERT_EQ(notes, 1u) << "the signed note was not done: the test signs wrongly";
  // The copy, once in a later batch and once twice in one.
  ProduceRaw(server.topic() + ".commands", partition, key, envelope.dump());
  ProduceRaw(server.topic() + ".commands", partition, key, envelope.dump());
  // A note through the API after the copies (same stream, same partition): once it shows, the
  // copies were decided.
  auto later = server.As(ana.json()["token"].get<std::string>(), "POST",
                         "/api/v1/contacts/rui/notes", R"({"text":"ligou de volta"})");
  ASSERT_EQ(later.status, 201) << later.body;
  auto listed = server.Admin("GET", "/api/v1/contacts/rui/notes", "",
                             {{"X-Min-Position", later.headers["x-position"]}});
  EXPECT_EQ(listed.json()["items"].size(), 2u) << listed.body;
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

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The broker's TLS listener with SASL/SCRAM-SHA-512 (scripts/kafka makes its certificate and
// user): a node configured by --kafka-config works there as on the plain one; a wrong password
// or a certificate it cannot verify stops the start, and the password is never logged.
TEST_F(KafkaSecurity, ANodeWorksOverTlsWithScramAndRefusesBadCredentials) {
  const char* secure = std::getenv("HELPDESK_TEST_KAFKA_SECURE");
  const char* config = std::getenv("HELPDESK_TEST_KAFKA_CLIENT_CONFIG");
  if (!secure || !config) GTEST_SKIP() << "needs HELPDESK_TEST_KAFKA_SECURE and its client config";
  const std::string properties = ReadAll(config);
  const std::string password_line = "sasl.password=";
  const size_t at = properties.find(password_line);
  ASSERT_NE(at, std::string::npos) << properties;
  const std::string password = properties.substr(
      at + password_line.size(), properties.find('\n', at) - at - password_line.size());
  ASSERT_GE(password.size(), 16u);

  ServerProcess server(dir_.path() + "/node");
  server.AddArgs({"--kafka", secure, "--kafka-config", config});
  ASSERT_TRUE(server.Start());
  auto team = server.Admin("POST", "/api/v1/teams", R"({"id":"tls","name":"Over TLS"})");
  ASSERT_EQ(team.status, 201) << team.body;
  auto events = server.Admin("GET", "/api/v1/events?type=TeamCreated");
  ASSERT_EQ(events.status, 200) << events.body;
  ASSERT_EQ(events.json()["items"].size(), 1u) << events.body;
  EXPECT_EQ(events.json()["items"][0]["data"]["team_id"], "tls");
  // Its events are on the broker, whichever listener reads them: the plain one here.
  server.Stop();
  ServerProcess plain(dir_.path() + "/plain");
  plain.JoinClusterOf(server);
  ASSERT_TRUE(plain.Start());
  HttpReply teams;
  for (int i = 0; i < 200 && teams.status != 200; ++i) {  // its views catch up with the topic
    if (i > 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    teams = plain.Admin("GET", "/api/v1/teams/tls");
  }
  EXPECT_EQ(teams.status, 200) << teams.body;
  plain.Stop();
  EXPECT_EQ(ReadAll(server.data_dir() + ".log").find(password), std::string::npos)
      << "the SCRAM password reached the log";

  const std::vector<std::string> base{
      "--listen",      "127.0.0.1:1",
      "--data",        dir_.path() + "/refused",
      "--admin-token", kAdminToken,
      "--kafka",       secure,
      "--kafka-topic", "helpdesk.test.tls." + std::to_string(getpid())};
  setenv("HELPDESK_SECRETS_KEY", kTestSecretsKey, 1);
  const std::string bad = dir_.path() + "/bad.properties";
  const auto refused = [&](const std::string& text) {
    { std::ofstream(bad) << text; }
    auto args = base;
    args.insert(args.end(), {"--kafka-config", bad});
    std::string out;
    const int code = RunHelpdeskd(args, &out);
    EXPECT_EQ(out.find(password), std::string::npos) << "a password reached the output";
    return code;
  };
  std::string wrong_password = properties;
  wrong_password.replace(at + password_line.size(), password.size(), "not-the-password");
  EXPECT_EQ(refused(wrong_password), 1) << "a wrong SCRAM password";
  // A certificate nobody vouches for: the system's CAs do not know the broker's.
  std::string unknown_ca;
  for (size_t from = 0; from < properties.size();) {
    const size_t end = std::min(properties.find('\n', from), properties.size());
    const std::string line = properties.substr(from, end - from);
    if (line.rfind("ssl.ca.location=", 0) != 0) unknown_ca += line + "\n";
    from = end + 1;
  }
  EXPECT_EQ(refused(unknown_ca), 1) << "a certificate that cannot be verified";
  // No TLS on the TLS port.
  EXPECT_EQ(refused("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.username=helpdesk\nsasl.password=" +
                    password + "\n"),
            1)
      << "SCRAM without TLS";
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
