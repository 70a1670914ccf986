// Checkpoints against the real binary: POST /api/v1/checkpoints while the node serves, and a
// new node started from one with --bootstrap-from. On one machine the checkpoint is a whole
// backup (the new node holds the desk as it was); on Kafka the new node joins the cluster and
// catches up from the topic with what came after.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

std::vector<std::string> ConversationIds(const ServerProcess& server) {
  auto r = server.Admin("GET", "/api/v1/conversations?view=all&limit=100");
  EXPECT_EQ(r.status, 200) << r.body;
  const json page = r.json();
  std::vector<std::string> ids;
  for (const auto& c : page["items"]) ids.push_back(c["id"]);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST_F(ApiTest, ANewNodeStartsFromACheckpointTakenWhileServing) {
  const std::string ana = CreateDeskWithAgentAna();
  const std::string before = Inbound("wa", "wamid.1", "+5511999990001", "antes")["conversation_id"];
  EXPECT_EQ(As(ana, "POST", "/api/v1/checkpoints").status, 403);

  auto taken = Admin("POST", "/api/v1/checkpoints");
  ASSERT_EQ(taken.status, 201) << taken.body;
  const std::string path = server().data_dir() + "/" + taken.json()["path"].get<std::string>();
  EXPECT_TRUE(std::filesystem::is_directory(path + "/views"));
  EXPECT_TRUE(std::filesystem::is_directory(path + "/state"));
  EXPECT_FALSE(taken.json()["views"].get<std::string>().empty());
  const std::string after = Inbound("wa", "wamid.2", "+5511999990002", "depois")["conversation_id"];

  ServerProcess fresh(dir_.path() + "/fresh");
  fresh.AddArgs({"--bootstrap-from", path});
  if (KafkaBrokers()) fresh.JoinClusterOf(server());
  ASSERT_TRUE(fresh.Start());
  if (KafkaBrokers()) {
    // A cluster's node: the checkpoint's views, then the topic's events past them.
    std::vector<std::string> both = {before, after};
    std::sort(both.begin(), both.end());
    for (int i = 0; i < 100 && ConversationIds(fresh) != both; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_EQ(ConversationIds(fresh), both);
  } else {
    // One machine: the backup as it was, the customer's name opened with the copied keys.
    EXPECT_EQ(ConversationIds(fresh), std::vector<std::string>{before});
    auto conversation = fresh.Admin("GET", "/api/v1/conversations/" + before).json();
    EXPECT_EQ(conversation["contact"]["phone"], "+5511999990001");
    EXPECT_EQ(fresh.Admin("GET", "/api/v1/conversations/" + before + "/messages")
                  .json()["items"][0]["text"],
              "antes");
  }
  // The new node decides commands of its own.
  auto ana_again = fresh.As(ana, "POST", "/api/v1/conversations/" + before + "/take");
  EXPECT_EQ(ana_again.status, 200) << ana_again.body;
  // A restart does not copy again: what the node did since stays.
  fresh.Stop();
  ASSERT_TRUE(fresh.Start());
  EXPECT_EQ(fresh.Admin("GET", "/api/v1/conversations/" + before).json()["assignee_id"], "ana");
}

TEST_F(ApiTest, BootstrapRefusesWhatIsNotACheckpoint) {
  const std::string empty = dir_.path() + "/not-a-checkpoint";
  std::filesystem::create_directories(empty);
  std::vector<std::string> args = {
      "serve",       "--data",        dir_.path() + "/n1",      "--listen",
      "127.0.0.1:1", "--admin-token", "admin-token-0123456789", "--bootstrap-from",
      empty};
  EXPECT_NE(RunHelpdeskd(args), 0);
  EXPECT_FALSE(std::filesystem::exists(dir_.path() + "/n1/views"));
  EXPECT_EQ(Admin("POST", "/api/v1/checkpoints", {{"where", "/etc"}}).status, 400);
}

}  // namespace
}  // namespace helpdesk::testing
