// Crash safety: kill -9 the server during a burst of concurrent commands, restart it on the same
// data. Every command answered 2xx is in the log exactly once, streams have no gaps, the views
// equal a rebuild from the log, and so does the write model's store. The store commits every
// 5 ms during the burst, so the kill lands between one of its commits and the log's next ones.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "adapters/rocks_state_store.h"
#include "commands/state_record.h"
#include "tests/support/server_process.h"
#include "tests/support/snapshot.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

TEST(CrashSafety, KillDuringBurstLosesNothingAcknowledgedAndViewsEqualARebuild) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  ServerProcess server(data);
  server.AddArgs({"--state-flush-ms", "5"});
  ASSERT_TRUE(server.Start());
  ASSERT_EQ(server
                .Admin("POST", "/api/v1/channels",
                       R"({"id":"wa","type":"whatsapp","name":"wa","address":"1"})")
                .status,
            201);
  auto user = server.Admin("POST", "/api/v1/users",
                           R"({"id":"ana","name":"Ana","email":"ana@x.co","role":"agent"})");
  ASSERT_EQ(user.status, 201);
  const std::string token = user.json()["token"];

  std::mutex mu;
  std::set<std::string> acked_inbound;  // external ids answered 201
  std::set<std::string> acked_notes;    // message ids answered 201
  std::atomic<bool> stop{false};
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 8; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        const std::string ext = "t" + std::to_string(t) + "-" + std::to_string(i);
        const std::string phone = "+55119" + std::to_string(t * 10 + i % 10);
        json body{{"external_id", ext}, {"from", {{"phone", phone}}}, {"text", "msg " + ext}};
        auto r = server.Admin("POST", "/api/v1/channels/wa/inbound", body.dump());
        if (r.status == 0) return;  // the server is gone
        if (r.status == 201) {
          std::lock_guard<std::mutex> lock(mu);
          acked_inbound.insert(ext);
        }
        ++answered;
        if (r.status != 201) continue;
        // The server may die while sending the body: an answered status is enough to count.
        const json answer = r.json();
        if (!answer.is_object() || !answer["conversation_id"].is_string()) return;
        const std::string conv = answer["conversation_id"];
        auto note = server.As(token, "POST", "/api/v1/conversations/" + conv + "/messages",
                              json{{"text", "note " + ext}, {"private", true}}.dump());
        const json note_answer = note.json();
        if (note.status == 201 && note_answer.is_object() && note_answer["id"].is_string()) {
          std::lock_guard<std::mutex> lock(mu);
          acked_notes.insert(note_answer["id"].get<std::string>());
        }
      }
    });
  }
  while (answered < 300) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  server.Kill();
  stop = true;
  for (auto& c : clients) c.join();
  ASSERT_GT(acked_inbound.size(), 100u);

  // The store as the kill left it, caught up from its offset as a start does, equals a write
  // model rebuilt from the whole log.
  std::vector<std::string> verify_state{"verify-state", "--data", data};
  for (const auto& a : server.LogArgs()) verify_state.push_back(a);
  std::string verdict;
  EXPECT_EQ(RunHelpdeskd(verify_state, &verdict), 0) << verdict;

  ASSERT_TRUE(server.Start()) << "restart after kill -9";
  // Wait for the views to catch up with the recovered log.
  for (int i = 0; i < 200 && server.client().Send("GET", "/readyz").status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // On Kafka, commands routed before the kill and not yet decided are decided once this node's
  // decider owns their partitions again (after the dead member's session times out): the log
  // grows for a while after the restart. Compare at a quiet point, when it has stopped.
  const auto quiet = server.LogArgs().empty() ? std::chrono::seconds(0) : std::chrono::seconds(8);
  // Quiet means two looks in a row found nothing new: under load the partitions may move (and
  // the commands left in them be decided) later than one look after the restart.
  std::vector<json> events = AllEvents(server);
  for (int i = 0, unchanged = 0; i < 12 && unchanged < 2 && quiet.count() > 0; ++i) {
    std::this_thread::sleep_for(quiet);
    std::vector<json> again = AllEvents(server);
    unchanged = again.size() == events.size() ? unchanged + 1 : 0;
    events = std::move(again);
  }
  // /readyz lets a node serve while its views trail by up to --max-lag events: wait until they
  // hold every event of the log before comparing them with a rebuild.
  std::map<int, uint64_t> head;
  for (const auto& e : events) {
    head[e["partition"]] = std::max<uint64_t>(head[e["partition"]], e["position"]);
  }
  std::string position;
  for (const auto& [partition, at] : head) {
    position +=
        (position.empty() ? "" : ",") + std::to_string(partition) + ":" + std::to_string(at);
  }
  int caught_up = 0;
  for (int i = 0; i < 20 && caught_up != 200; ++i) {
    caught_up =
        server.Admin("GET", "/api/v1/inbox/summary", "", {{"X-Min-Position", position}}).status;
  }
  ASSERT_EQ(caught_up, 200) << "the views never reached " << position;
  std::map<std::string, int> inbound_count, note_count;
  std::map<std::string, std::vector<uint64_t>> versions;
  for (const auto& e : events) {
    if (e["type"] == "MessageReceived") ++inbound_count[e["data"]["external_id"]];
    if (e["type"] == "NoteAdded") ++note_count[e["data"]["message_id"]];
    versions[e["stream"]].push_back(e["stream_version"]);
  }
  for (const auto& ext : acked_inbound) EXPECT_EQ(inbound_count[ext], 1) << ext;
  for (const auto& id : acked_notes) EXPECT_EQ(note_count[id], 1) << id;
  for (const auto& [ext, n] : inbound_count) EXPECT_EQ(n, 1) << "recorded twice: " << ext;
  for (const auto& [stream, v] : versions) {
    for (size_t i = 0; i < v.size(); ++i)
      ASSERT_EQ(v[i], i + 1) << stream << " has a gap or a duplicate";
  }

  const json live = Snapshot(server);
  ASSERT_EQ(AllEvents(server).size(), events.size()) << "the log grew while the views were read";
  server.Stop();
  verdict.clear();
  EXPECT_EQ(RunHelpdeskd(verify_state, &verdict), 0) << verdict;
  std::vector<std::string> rebuild{"rebuild", "--data", data};
  for (const auto& a : server.LogArgs()) rebuild.push_back(a);
  ASSERT_EQ(RunHelpdeskd(rebuild), 0);
  ASSERT_TRUE(server.Start());
  const json rebuilt = Snapshot(server);
  ASSERT_EQ(AllEvents(server).size(), events.size()) << "the log grew after the rebuild";
  EXPECT_EQ(live.size(), rebuilt.size());
  EXPECT_TRUE(live == rebuilt) << "views after the crash differ from a rebuild from the log";
  for (const auto& [key, value] : live.items()) {
    if (!rebuilt.contains(key) || rebuilt[key] != value) {
      json a = value, b = rebuilt.contains(key) ? rebuilt[key] : json();
      if (a.is_array() && b.is_array()) {
        size_t i = 0;
        while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
        a = i < a.size() ? a[i] : json("(end)");
        b = i < b.size() ? b[i] : json("(end)");
      }
      ADD_FAILURE() << "first difference at " << key << ":\n  live:    " << a.dump()
                    << "\n  rebuilt: " << b.dump();
      break;
    }
  }
  EXPECT_GE(live["all"].size(), acked_inbound.empty() ? 0u : 1u);
}

// A contacts import cut short by kill -9: every row its progress counted is in the log, and
// sending the file again completes it without a single duplicate.
TEST(CrashSafety, KillDuringImportLosesNoCountedRowAndAResendDuplicatesNone) {
  TempDir dir;
  ServerProcess server(dir.path() + "/data");
  ASSERT_TRUE(server.Start());
  // On Kafka each row is a round trip to its owner: fewer rows, still past the first progress.
  const int kRows = server.LogArgs().empty() ? 30000 : 4000;
  std::string csv = "name,phone,tags\r\n";
  for (int i = 0; i < kRows; ++i) {
    csv +=
        "Cliente " + std::to_string(i) + ",+55 21 9" + std::to_string(10000000 + i) + ",crash\r\n";
  }
  const std::map<std::string, std::string> as_csv{{"Content-Type", "text/csv"}};
  auto started = server.Admin("POST", "/api/v1/contacts/import", csv, as_csv);
  ASSERT_EQ(started.status, 202) << started.body;
  const std::string first = started.json()["import_id"];
  uint64_t counted = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
  while (counted == 0 && std::chrono::steady_clock::now() < deadline) {
    const json progress = server.Admin("GET", "/api/v1/contacts/imports/" + first).json();
    counted = progress.value("rows_done", uint64_t{0});
    ASSERT_EQ(progress["status"], "running") << "the import ended before the kill";
    if (counted == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_GT(counted, 0u);
  server.Kill();
  ASSERT_TRUE(server.Start()) << "restart after kill -9";
  // The contacts the list counts once it reaches `at_least` (the views may trail the log), or
  // what it counts after 10 s.
  const auto total_reaching = [&](int at_least) {
    int total = 0;
    for (int i = 0; i < 200; ++i) {
      total = server.Admin("GET", "/api/v1/contacts?tag=crash&limit=1").json().value("total", -1);
      if (total >= at_least) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return total;
  };
  // The import's resource once it is no longer running, or as it is after `tries` polls.
  const auto settled = [&](const std::string& id, int tries, std::chrono::milliseconds pause) {
    json state;
    for (int i = 0; i < tries; ++i) {
      state = server.Admin("GET", "/api/v1/contacts/imports/" + id).json();
      if (state["status"] != "running") break;
      std::this_thread::sleep_for(pause);
    }
    return state;
  };
  // Every counted row is there.
  EXPECT_GE(total_reaching(static_cast<int>(counted)), static_cast<int>(counted));
  {
    // The import was this node's (alone on its log, any import is; on a cluster the import names
    // the node that runs it): the restarted node marks it, once its views hold what the log held.
    const json cut = settled(first, 1200, std::chrono::milliseconds(50));
    ASSERT_EQ(cut["status"], "failed") << cut.dump();
    EXPECT_NE(cut["reason"].get<std::string>().find("interrupted"), std::string::npos);
    EXPECT_GE(cut.value("rows_done", uint64_t{0}), counted) << "the counts were lost";
  }
  // On Kafka the restarted node first decides what the killed one left in the commands topic
  // (the rest of the import's rows) and may not answer within a command's wait: 503
  // log_unavailable, which tells the client to send again, as it does here. (Sending the same
  // file again is what this test is about: it imports nothing twice.)
  auto resent = server.Admin("POST", "/api/v1/contacts/import", csv, as_csv);
  for (int i = 0; i < 90 && resent.status == 503; ++i) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    resent = server.Admin("POST", "/api/v1/contacts/import", csv, as_csv);
  }
  ASSERT_EQ(resent.status, 202) << resent.body;
  const std::string second = resent.json()["import_id"];
  const json done = settled(second, 2400, std::chrono::milliseconds(100));
  ASSERT_EQ(done["status"], "done") << done.dump();
  EXPECT_EQ(done["created"].get<int>() + done["unchanged"].get<int>(), kRows) << done.dump();
  EXPECT_LE(done["created"].get<int>(), kRows - static_cast<int>(counted));
  EXPECT_EQ(total_reaching(kRows), kRows) << "a row was lost or imported twice";
}

TEST(CrashSafety, VerifyStateFindsAStoreThatDiffersFromTheLog) {
  TempDir dir;
  const std::string data = dir.path() + "/data";
  ServerProcess server(data);
  ASSERT_TRUE(server.Start());
  ASSERT_EQ(server
                .Admin("POST", "/api/v1/channels",
                       R"({"id":"wa","type":"whatsapp","name":"wa","address":"1"})")
                .status,
            201);
  server.Stop();
  std::vector<std::string> verify_state{"verify-state", "--data", data};
  for (const auto& a : server.LogArgs()) verify_state.push_back(a);
  std::string verdict;
  ASSERT_EQ(RunHelpdeskd(verify_state, &verdict), 0) << verdict;
  {
    // A record the log does not back: the channel renamed behind the log's back.
    auto store = RocksStateStore::Open(data + "/state", kWriteModelVersion, 1 << 20);
    ASSERT_TRUE(store.ok());
    auto record = store.value()->Get("s/channel/wa");
    ASSERT_TRUE(record.ok() && record.value());
    auto decoded = DecodeRecord("channel", *record.value());
    ASSERT_TRUE(decoded);
    std::get<ChannelState>(decoded->state).name = "tampered";
    ASSERT_TRUE(store.value()
                    ->Commit({{"s/channel/wa", EncodeRecord(*decoded)}}, store.value()->Offset())
                    .ok());
  }
  verdict.clear();
  EXPECT_EQ(RunHelpdeskd(verify_state, &verdict), 1);
  EXPECT_NE(verdict.find("tampered"), std::string::npos) << verdict;
}

}  // namespace
}  // namespace helpdesk::testing
