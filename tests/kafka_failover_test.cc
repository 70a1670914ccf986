// The broker goes away mid-load and comes back: commands answer 503 log_unavailable while it is
// down (in seconds, never a hang, never a 500), succeed after, and nothing is recorded twice.
// Runs its own broker (scripts/kafka) so the other suites' broker is never disturbed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <thread>

#include "tests/support/server_process.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

int Kafka(const std::string& action, const std::string& dir) {
  const std::string command = "KAFKA_PORT=29092 KAFKA_CONTROLLER_PORT=29093 bash '" +
                              std::string(HELPDESK_SOURCE_DIR) + "/scripts/kafka' " + action +
                              " '" + dir + "' >/dev/null";
  return std::system(command.c_str());
}

HttpReply Deliver(const ServerProcess& server, const std::string& ext) {
  json body{
      {"external_id", ext}, {"from", {{"phone", "+5511" + ext.substr(1)}}}, {"text", "hi " + ext}};
  return server.Admin("POST", "/api/v1/channels/wa/inbound", body.dump());
}

TEST(KafkaFailover, BrokerDownGives503ThenCommandsSucceedWithoutDuplicates) {
  TempDir dir;
  const std::string broker_dir = dir.path() + "/broker";
  struct BrokerGuard {  // stops the broker however the test ends
    std::string dir;
    ~BrokerGuard() { Kafka("stop", dir); }
  } guard{broker_dir};
  ASSERT_EQ(Kafka("start", broker_dir), 0);
  setenv("HELPDESK_TEST_KAFKA", "127.0.0.1:29092", 1);
  {
    ServerProcess server(dir.path() + "/data");
    ASSERT_TRUE(server.Start());
    ASSERT_EQ(server
                  .Admin("POST", "/api/v1/channels",
                         R"({"id":"wa","type":"whatsapp","name":"wa","address":"1"})")
                  .status,
              201);
    std::map<std::string, int> acked;
    for (int i = 0; i < 20; ++i) {
      const std::string ext = "a" + std::to_string(1000 + i);
      ASSERT_EQ(Deliver(server, ext).status, 201);
      acked[ext] = 1;
    }

    ASSERT_EQ(Kafka("stop", broker_dir), 0);
    for (int i = 0; i < 3; ++i) {
      const auto start = std::chrono::steady_clock::now();
      auto r = Deliver(server, "d" + std::to_string(2000 + i));
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      EXPECT_EQ(r.status, 503) << r.body;
      EXPECT_EQ(r.error_code(), "log_unavailable");
      std::cout << "answer while the broker is down: " << r.status << " after " << seconds
                << " s\n";
    }
    EXPECT_EQ(server.Admin("GET", "/api/v1/conversations?limit=5").status, 200)
        << "reads go on from the views";

    ASSERT_EQ(Kafka("start", broker_dir), 0);
    // The same deliveries again: now they go through.
    bool through = false;
    for (int attempt = 0; attempt < 60 && !through; ++attempt) {
      auto r = Deliver(server, "d2000");
      through = r.status == 201;
      if (!through) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    ASSERT_TRUE(through) << "commands must succeed once the broker is back";
    for (int i = 1; i < 3; ++i)
      EXPECT_EQ(Deliver(server, "d" + std::to_string(2000 + i)).status, 201);
    for (int i = 0; i < 3; ++i) acked["d" + std::to_string(2000 + i)] = 1;

    std::map<std::string, int> recorded;
    std::string path = "/api/v1/events?limit=500&type=MessageReceived";
    for (;;) {
      json page = server.Admin("GET", path).json();
      for (const auto& e : page["items"]) ++recorded[e["data"]["external_id"]];
      if (page["next_cursor"].is_null()) break;
      path = "/api/v1/events?limit=500&type=MessageReceived&after=" +
             page["next_cursor"].get<std::string>();
    }
    EXPECT_EQ(recorded, acked)
        << "every acknowledged message exactly once, nothing from the failed attempts";
  }
  unsetenv("HELPDESK_TEST_KAFKA");
}

}  // namespace
}  // namespace helpdesk::testing
