// Several helpdeskd nodes on one Kafka cluster (HELPDESK_TEST_KAFKA; skipped without it).
// Three nodes take concurrent commands on the same 50 conversations from every node: each
// stream's versions run 1..n, every acknowledged command's events are in the log exactly once,
// and all nodes end with identical views. A node killed with -9 mid-load: the others take over
// its partitions, and nothing acknowledged is lost.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "adapters/kafka_client.h"
#include "tests/support/server_process.h"
#include "tests/support/snapshot.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

// Pointwise maximum of two position tokens ("p:n,p:n").
std::string MergePositions(const std::string& a, const std::string& b) {
  std::map<int, uint64_t> merged;
  for (const std::string* token : {&a, &b}) {
    std::stringstream in(*token);
    std::string part;
    while (std::getline(in, part, ',')) {
      const auto colon = part.find(':');
      if (colon == std::string::npos) continue;
      const int p = std::stoi(part.substr(0, colon));
      merged[p] = std::max<uint64_t>(merged[p], std::stoull(part.substr(colon + 1)));
    }
  }
  std::string out;
  for (const auto& [p, n] : merged) {
    out += (out.empty() ? "" : ",") + std::to_string(p) + ":" + std::to_string(n);
  }
  return out;
}

// How many records `topic` holds, over all its partitions (its end offsets, as nothing is
// deleted in a test's life).
int64_t RecordsIn(const std::string& topic) {
  auto made = NewKafkaConsumer(AssignedReaderSettings(KafkaBrokers(), "test-count"));
  if (!made.ok()) return -1;
  const KafkaClient client = OwnKafkaClient(made.value());
  int64_t total = 0;
  for (int32_t p = 0;; ++p) {
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(client.get(), topic.c_str(), p, &low, &high, 5000)) {
      if (p == 0) total = -1;  // not even the first partition: nothing known
      break;
    }
    total += high;
  }
  return total;
}

class KafkaCluster : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!KafkaBrokers()) GTEST_SKIP() << "needs HELPDESK_TEST_KAFKA";
    for (int i = 0; i < 3; ++i) {
      nodes_.push_back(std::make_unique<ServerProcess>(dir_.path() + "/node" + std::to_string(i)));
      if (i > 0) nodes_[i]->JoinClusterOf(*nodes_[0]);
      ASSERT_TRUE(nodes_[i]->Start()) << "node " << i;
    }
    auto channel = nodes_[0]->Admin("POST", "/api/v1/channels",
                                    R"({"id":"wa","type":"whatsapp","name":"wa","address":"1"})");
    ASSERT_EQ(channel.status, 201) << channel.body;
    Saw(channel);
    // Created on node 1; every other node sees it once it has read that far.
    auto user = nodes_[1]->Admin("POST", "/api/v1/users",
                                 R"({"id":"ana","name":"Ana","email":"ana@x.co","role":"agent"})",
                                 {{"X-Min-Position", position_}});
    ASSERT_EQ(user.status, 201) << user.body;
    Saw(user);
    token_ = user.json()["token"];
    for (int i = 0; i < 50; ++i) {
      json body{{"external_id", "open-" + std::to_string(i)},
                {"from", {{"phone", "+55119000" + std::to_string(1000 + i)}}},
                {"text", "hello " + std::to_string(i)}};
      auto r = nodes_[i % 3]->Admin("POST", "/api/v1/channels/wa/inbound", body.dump(),
                                    {{"X-Min-Position", position_}});
      // Nodes that just joined move partitions between them: a command sent meanwhile may
      // find no owner within its wait (503 log_unavailable, "send again"). Sent again, the
      // same message is recognised by its external id (200 when the first try was done).
      for (int tries = 0; tries < 10 && r.status == 503; ++tries) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        r = nodes_[i % 3]->Admin("POST", "/api/v1/channels/wa/inbound", body.dump(),
                                 {{"X-Min-Position", position_}});
      }
      ASSERT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body;
      Saw(r);
      conversations_.push_back(r.json()["conversation_id"]);
    }
  }

  void Saw(const HttpReply& r) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = r.headers.find("x-position");
    if (it != r.headers.end()) position_ = MergePositions(position_, it->second);
  }

  // Clients on the given nodes add notes and tags to random conversations until `stop`.
  void Load(const std::vector<int>& on_nodes, std::atomic<bool>& stop, std::atomic<int>& acked) {
    for (int n : on_nodes) {
      for (int t = 0; t < 2; ++t) {
        clients_.emplace_back([&, n, t] {
          std::mt19937 rng(static_cast<unsigned>(n * 100 + t));
          for (int i = 0; !stop; ++i) {
            const std::string conv = conversations_[rng() % conversations_.size()];
            const std::string path = "/api/v1/conversations/" + conv;
            if (i % 3 == 2) {
              const std::string tag =
                  "n" + std::to_string(n) + "t" + std::to_string(t) + "-" + std::to_string(i);
              auto r = nodes_[n]->As(token_, "POST", path + "/tags", json{{"tag", tag}}.dump());
              if (r.status == 0) return;  // this node is gone
              if (r.status == 200) {
                Saw(r);
                std::lock_guard<std::mutex> lock(mu_);
                acked_tags_.insert(tag);
                ++acked;
              }
              continue;
            }
            auto r = nodes_[n]->As(
                token_, "POST", path + "/messages",
                json{{"text", "note " + std::to_string(i)}, {"private", true}}.dump());
            if (r.status == 0) return;
            const json answer = r.json();
            if (r.status == 201 && answer.is_object() && answer["id"].is_string()) {
              Saw(r);
              std::lock_guard<std::mutex> lock(mu_);
              acked_notes_.insert(answer["id"].get<std::string>());
              ++acked;
            } else if (r.status != 503) {
              ADD_FAILURE() << "node " << n << ": " << r.status << " " << r.body;
              return;
            }
          }
        });
      }
    }
  }

  void JoinClients() {
    for (auto& c : clients_) c.join();
    clients_.clear();
  }

  // The log as node `n` serves it: every acknowledged note and tag exactly once, and every
  // stream's versions 1..n.
  void CheckLog(int n) {
    const std::vector<json> events = AllEvents(*nodes_[n]);
    std::map<std::string, int> notes, tags;
    std::map<std::string, std::vector<uint64_t>> versions;
    for (const auto& e : events) {
      if (e["type"] == "NoteAdded") ++notes[e["data"]["message_id"]];
      if (e["type"] == "ConversationTagged") ++tags[e["data"]["tag"]];
      versions[e["stream"]].push_back(e["stream_version"]);
    }
    for (const auto& id : acked_notes_) EXPECT_EQ(notes[id], 1) << "note " << id;
    for (const auto& tag : acked_tags_) EXPECT_EQ(tags[tag], 1) << "tag " << tag;
    for (const auto& [id, count] : notes) EXPECT_EQ(count, 1) << "note recorded twice: " << id;
    for (auto& [stream, v] : versions) {
      std::sort(v.begin(), v.end());
      for (size_t i = 0; i < v.size(); ++i) {
        ASSERT_EQ(v[i], i + 1) << stream << " has a gap or a duplicate";
      }
    }
  }

  json SnapshotAfterAll(int n) {
    // Read-your-writes across nodes: wait until this node has read everything acknowledged.
    EXPECT_EQ(nodes_[n]
                  ->Admin("GET", "/api/v1/inbox/summary", "", {{"X-Min-Position", position_}})
                  .status,
              200);
    return Snapshot(*nodes_[n]);
  }

  TempDir dir_;
  std::vector<std::unique_ptr<ServerProcess>> nodes_;
  std::vector<std::string> conversations_;
  std::string token_;
  std::mutex mu_;
  std::string position_;
  std::set<std::string> acked_notes_, acked_tags_;
  std::vector<std::thread> clients_;
};

TEST_F(KafkaCluster, ThreeNodesTakeConcurrentCommandsAndEndWithIdenticalViews) {
  std::atomic<bool> stop{false};
  std::atomic<int> acked{0};
  Load({0, 1, 2}, stop, acked);
  while (acked < 600) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  JoinClients();
  // Written on node 0, read on node 2 with the position node 0 answered: the note is there.
  auto note =
      nodes_[0]->As(token_, "POST", "/api/v1/conversations/" + conversations_[7] + "/messages",
                    json{{"text", "read me elsewhere"}, {"private", true}}.dump());
  ASSERT_EQ(note.status, 201) << note.body;
  Saw(note);
  auto read =
      nodes_[2]->Admin("GET", "/api/v1/conversations/" + conversations_[7] + "/messages?limit=500",
                       "", {{"X-Min-Position", note.headers["x-position"]}});
  ASSERT_EQ(read.status, 200);
  bool found = false;
  const json page = read.json(), written = note.json();
  for (const auto& m : page["items"]) found = found || m["id"] == written["id"];
  EXPECT_TRUE(found) << "node 2 did not show node 0's write after X-Min-Position";
  acked_notes_.insert(note.json()["id"].get<std::string>());
  // A user made on node 0 signs in on node 2 once node 2 has read that far. A token a node
  // does not know yet is refused at once (strangers never wait): the client retries.
  auto bea = nodes_[0]->Admin("POST", "/api/v1/users",
                              R"({"id":"bea","name":"Bea","email":"bea@x.co","role":"agent"})");
  ASSERT_EQ(bea.status, 201) << bea.body;
  Saw(bea);
  const std::string bea_token = bea.json()["token"];
  int status = 0;
  for (int attempt = 0; attempt < 200 && status != 200; ++attempt) {
    status = nodes_[2]
                 ->As(bea_token, "GET", "/api/v1/conversations?view=mine", "",
                      {{"X-Min-Position", bea.headers["x-position"]}})
                 .status;
    if (status != 200) {
      EXPECT_EQ(status, 401);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_EQ(status, 200);
  CheckLog(0);
  const json first = SnapshotAfterAll(0);
  EXPECT_EQ(first["all"].size(), 50u);
  for (int n = 1; n < 3; ++n) {
    EXPECT_TRUE(SnapshotAfterAll(n) == first) << "node " << n << " has other views than node 0";
  }
}

TEST_F(KafkaCluster, AContactsKeyIsSharedAndTheirErasureReachesEveryNode) {
  // Conversation 4's customer came in through node 1: their key was made by whichever node owns
  // their stream, and every node opens their data with it.
  const std::string path = "/api/v1/conversations/" + conversations_[4];
  const json conversation =
      nodes_[0]->Admin("GET", path, "", {{"X-Min-Position", position_}}).json();
  ASSERT_TRUE(conversation["contact"]["id"].is_string()) << conversation.dump();
  const std::string contact_id = conversation["contact"]["id"];
  const std::string contact = "/api/v1/contacts/" + contact_id;
  const std::string feed = "/api/v1/events?stream=contact/" + contact_id;
  for (int n = 0; n < 3; ++n) {
    EXPECT_NE(nodes_[n]
                  ->Admin("GET", contact, "", {{"X-Min-Position", position_}})
                  .body.find("+551190001004"),
              std::string::npos)
        << "node " << n;
    EXPECT_NE(nodes_[n]
                  ->Admin("GET", path + "/messages", "", {{"X-Min-Position", position_}})
                  .body.find("hello 4"),
              std::string::npos)
        << "node " << n;
    // The feed opens the log's sealed values as it reads them: with the shared key.
    EXPECT_NE(nodes_[n]->Admin("GET", feed).body.find("+551190001004"), std::string::npos)
        << "node " << n;
  }
  // Erased through node 2: gone on every node, and nothing more is written about them.
  auto erased = nodes_[2]->Admin("POST", contact + "/erase", "", {{"X-Min-Position", position_}});
  for (int tries = 0; tries < 10 && erased.status == 503; ++tries) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    erased = nodes_[2]->Admin("POST", contact + "/erase", "", {{"X-Min-Position", position_}});
  }
  ASSERT_EQ(erased.status, 200) << erased.body;
  Saw(erased);
  for (int n = 0; n < 3; ++n) {
    const std::string card =
        nodes_[n]->Admin("GET", contact, "", {{"X-Min-Position", position_}}).body;
    EXPECT_EQ(card.find("+551190001004"), std::string::npos) << "node " << n << ": " << card;
    EXPECT_NE(card.find("[erased]"), std::string::npos) << "node " << n << ": " << card;
    const std::string messages =
        nodes_[n]->Admin("GET", path + "/messages", "", {{"X-Min-Position", position_}}).body;
    EXPECT_EQ(messages.find("hello 4"), std::string::npos) << "node " << n << ": " << messages;
    // Every node's copy of the key is gone: the log's events no longer open.
    const std::string events = nodes_[n]->Admin("GET", feed).body;
    EXPECT_EQ(events.find("+551190001004"), std::string::npos) << "node " << n << ": " << events;
    EXPECT_NE(events.find("[erased]"), std::string::npos) << "node " << n << ": " << events;
  }
  json again{{"external_id", "after-erasure"},
             {"from", {{"phone", "+551190001004"}}},
             {"text", "still there?"}};
  // The same phone writing again is a new customer: the erased one stays erased.
  auto r = nodes_[0]->Admin("POST", "/api/v1/channels/wa/inbound", again.dump(),
                            {{"X-Min-Position", position_}});
  for (int tries = 0; tries < 10 && r.status == 503; ++tries) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    r = nodes_[0]->Admin("POST", "/api/v1/channels/wa/inbound", again.dump(),
                         {{"X-Min-Position", position_}});
  }
  ASSERT_TRUE(r.status == 201 || r.status == 200) << r.status << " " << r.body;
  Saw(r);
  const json newer =
      nodes_[1]
          ->Admin("GET", "/api/v1/conversations/" + r.json()["conversation_id"].get<std::string>(),
                  "", {{"X-Min-Position", position_}})
          .json();
  EXPECT_NE(newer["contact"]["id"], contact_id) << newer.dump();
  EXPECT_EQ(newer["contact"]["phone"], "+551190001004") << newer.dump();
}

TEST_F(KafkaCluster, KilledNodesPartitionsMoveToTheOthersAndNothingAcknowledgedIsLost) {
  std::atomic<bool> stop{false};
  std::atomic<int> acked{0};
  Load({0, 1, 2}, stop, acked);
  while (acked < 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  nodes_[2]->Kill();
  // The survivors go on; commands for the dead node's partitions wait until they move.
  const int before = acked;
  while (acked < before + 200) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  stop = true;
  JoinClients();
  // Every conversation, whichever partition it lives in, takes commands again.
  for (const std::string& conv : conversations_) {
    auto r = nodes_[0]->As(token_, "POST", "/api/v1/conversations/" + conv + "/messages",
                           json{{"text", "after the kill"}, {"private", true}}.dump());
    ASSERT_EQ(r.status, 201) << conv << ": " << r.body;
    Saw(r);
    acked_notes_.insert(r.json()["id"].get<std::string>());
  }
  CheckLog(1);
  EXPECT_TRUE(SnapshotAfterAll(0) == SnapshotAfterAll(1)) << "the survivors disagree";
}

// A node that restarts marks the imports it ran and finds running as interrupted: never one
// another node is running.
TEST_F(KafkaCluster, ARestartedNodeLeavesAnotherNodesImportRunning) {
  constexpr int kRows = 20000;
  std::string csv = "name,phone\r\n";
  for (int i = 0; i < kRows; ++i) {
    csv += "Cliente " + std::to_string(i) + ",+55 31 9" + std::to_string(20000000 + i) + "\r\n";
  }
  auto started =
      nodes_[0]->Admin("POST", "/api/v1/contacts/import", csv, {{"Content-Type", "text/csv"}});
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string id = started.json()["import_id"];
  const std::string path = "/api/v1/contacts/imports/" + id;
  EXPECT_EQ(nodes_[0]->Admin("GET", path).json()["node"].is_string(), true)
      << "a cluster's import names its node";
  // Node 1 restarts while the import runs. Kept short: an import gives up when the log refuses
  // a batch for longer than a command's wait (partitions moving for long, issue 14).
  nodes_[1]->Stop();
  ASSERT_TRUE(nodes_[1]->Start());
  // The restarted node has looked at the running imports once its views caught up with the log.
  for (int i = 0; i < 200 && nodes_[1]->client().Send("GET", "/readyz").status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const bool still_running = nodes_[0]->Admin("GET", path).json()["status"] == "running";
  json done;
  for (int i = 0; i < 1200; ++i) {
    done = nodes_[0]->Admin("GET", path).json();
    if (done["status"] != "running") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_EQ(done["status"], "done") << done.dump();
  EXPECT_EQ(done["created"], kRows);
  // One end only, the node's own: nobody marked it interrupted on the way.
  int ends = 0;
  for (const json& e : AllEvents(*nodes_[0])) {
    if (e["type"] == "ContactImportFinished" && e["data"]["import_id"] == id) {
      ++ends;
      EXPECT_EQ(e["data"]["status"], "done") << e.dump();
    }
  }
  EXPECT_EQ(ends, 1);
  if (ends == 1 && !still_running) {
    GTEST_SKIP() << "inconclusive: the import ended before the restarted node looked (a slow "
                    "machine); make the file longer";
  }
}

}  // namespace
}  // namespace helpdesk::testing

namespace helpdesk::testing {
namespace {

// A node alone owns every partition: its commands are decided where they arrive, with no trip
// through the commands topic (and so no wait for a consumer's fetch, nor for an answer).
TEST(KafkaNode, DecidesTheCommandsOfItsOwnPartitionsWithoutTheCommandsTopic) {
  if (!KafkaBrokers()) GTEST_SKIP() << "needs HELPDESK_TEST_KAFKA";
  TempDir dir;
  ServerProcess node(dir.path() + "/node");
  ASSERT_TRUE(node.Start());
  auto channel = node.Admin("POST", "/api/v1/channels",
                            R"({"id":"wa","type":"whatsapp","name":"wa","address":"1"})");
  ASSERT_EQ(channel.status, 201) << channel.body;  // answered: the node owns its partitions now
  const std::string commands = node.topic() + ".commands";
  const int64_t before = RecordsIn(commands);
  ASSERT_GE(before, 0);
  std::set<std::string> conversations;
  std::string position;
  for (int i = 0; i < 20; ++i) {
    json body{{"external_id", "local-" + std::to_string(i)},
              {"from", {{"phone", "+55119000" + std::to_string(2000 + i)}}},
              {"text", "hello " + std::to_string(i)}};
    auto r = node.Admin("POST", "/api/v1/channels/wa/inbound", body.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    conversations.insert(r.json()["conversation_id"].get<std::string>());
    position = MergePositions(position, r.headers["x-position"]);
  }
  EXPECT_EQ(conversations.size(), 20u);
  EXPECT_EQ(RecordsIn(commands), before) << "commands of this node's own partitions were routed";
  // Decided here, and durable in the log like any command: the node reads them back.
  auto list = node.Admin("GET", "/api/v1/conversations?view=all&limit=50", "",
                         {{"X-Min-Position", position}});
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json()["items"].size(), 20u) << list.body;
}

}  // namespace
}  // namespace helpdesk::testing
