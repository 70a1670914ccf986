// The audit chain on real storage: events written by the command service chain per stream,
// and editing one stored event makes verification fail at exactly that event (also through
// `helpdeskd verify`).
#include "adapters/event_chain.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "adapters/clock.h"
#include "adapters/embedded_log.h"
#include "adapters/event_codec.h"
#include "adapters/random_ids.h"
#include "commands/command_service.h"
#include "tests/support/event_payloads.h"
#include "tests/support/server_process.h"

namespace helpdesk {
namespace {

using testing::TempDir;

// Every event's hash is the text the chain's first version hashed: the dump of a JSON object of
// the event's fields. Written without the object since; stored chains must still verify.
TEST(EventHashTest, HashesTheSameTextAsTheJsonObjectDid) {
  const auto as_first_written = [](const std::string& prev, const NewEvent& e, uint64_t version) {
    const nlohmann::json content{
        {"id", e.id},     {"stream", e.stream},        {"stream_version", version},
        {"type", e.type}, {"at", FormatRfc3339(e.at)}, {"actor", ActorToJson(e.actor)},
        {"data", e.data}};
    return Sha256Hex(prev + "\n" + content.dump());
  };
  std::vector<std::pair<std::string, nlohmann::json>> payloads;
  for (const auto& [type, data] : testing::kEventPayloads)
    payloads.emplace_back(type, nlohmann::json::parse(data));
  payloads.emplace_back(
      "MessageReceived",
      nlohmann::json{{"text", "Olá \"você\"\n\t\\ \x01 ✓ 😀"}, {"n", -5}, {"f", 0.25}});
  uint64_t version = 0;
  for (const Actor& actor : {Actor::User("ana"), Actor::Contact("k\"1"), Actor::System("")}) {
    for (const auto& [type, data] : payloads) {
      NewEvent e;
      e.id = "ev-" + std::to_string(version);
      e.stream = version % 2 ? "conversation/c1" : "contact/ké";
      e.type = type;
      e.at = Timestamp{1'764'900'000'000 + static_cast<int64_t>(version) * 1'001};
      e.actor = actor;
      e.data = data;
      const std::string prev = version ? "ab" + std::to_string(version) : "";
      ++version;
      ASSERT_EQ(EventHash(prev, e, version), as_first_written(prev, e, version)) << type;
    }
  }
}

std::string PositionKey(uint64_t position) {
  std::string key = "e";
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>(position >> shift));
  return key;
}

// Writes a channel and two conversations of two messages each; returns the position of the
// second customer message of the first conversation.
uint64_t WriteHistory(const std::string& log_dir) {
  auto log = EmbeddedLog::Open(log_dir).value();
  ManualClock clock(*ParseRfc3339("2026-11-22T10:00:00Z"));
  SequentialIds ids;
  CommandService commands(*log, Env{clock, ids});
  EXPECT_TRUE(commands.Load().ok());
  const Caller admin{"", Role::kAdmin, ""};
  EXPECT_TRUE(
      commands.Execute(admin, cmd::CreateChannel{std::string("wa"), "whatsapp", "WA", "1", ""})
          .ok());
  uint64_t target = 0;
  for (const char* ext : {"a1", "b1", "a2", "b2"}) {
    cmd::ReceiveInbound a;
    a.channel_id = "wa";
    a.external_id = ext;
    a.text = std::string("hello ") + ext;
    a.from_phone = ext[0] == 'a' ? "+5511900000001" : "+5511900000002";
    auto r = commands.Execute(admin, a);
    EXPECT_TRUE(r.ok());
    if (std::string(ext) == "a2") target = r.value().token.At(0);
  }
  return target;
}

std::vector<RecordedEvent> ReadAll(const std::string& log_dir) {
  auto log = EmbeddedLog::Open(log_dir).value();
  return log->Read(ConsistencyToken(), 1000, std::chrono::milliseconds(0)).value();
}

TEST(EventChain, CommandsChainEveryStreamAndVerificationPasses) {
  TempDir dir;
  WriteHistory(dir.path() + "/log");
  ChainVerifier verifier;
  std::map<std::string, std::string> last;
  for (const RecordedEvent& r : ReadAll(dir.path() + "/log")) {
    EXPECT_EQ(r.event.prev_hash, last[r.event.stream]) << r.event.stream;
    EXPECT_EQ(r.event.hash.size(), 64u);
    last[r.event.stream] = r.event.hash;
    verifier.Add(r);
  }
  EXPECT_FALSE(verifier.first_break());
  EXPECT_GT(verifier.checked(), 8u);
}

TEST(EventChain, AnEditedEventBreaksTheChainThere) {
  TempDir dir;
  const std::string log_dir = dir.path() + "/log";
  const uint64_t target = WriteHistory(log_dir);
  ASSERT_GT(target, 0u);
  {
    // Someone with disk access rewrites what the customer said.
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), log_dir, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), PositionKey(target), &value).ok());
    const auto at = value.find("hello a2");
    ASSERT_NE(at, std::string::npos) << value;
    value.replace(at, 8, "HELLO A2");
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), PositionKey(target), value).ok());
  }
  ChainVerifier verifier;
  for (const RecordedEvent& r : ReadAll(log_dir)) verifier.Add(r);
  ASSERT_TRUE(verifier.first_break());
  EXPECT_EQ(verifier.first_break()->position, target);
  EXPECT_NE(verifier.first_break()->reason.find("changed"), std::string::npos);

  std::string report;
  EXPECT_EQ(testing::RunHelpdeskd({"verify", "--data", dir.path()}, &report), 1);
  const auto json = nlohmann::json::parse(report, nullptr, false);
  ASSERT_TRUE(json.is_object()) << report;
  EXPECT_FALSE(json["ok"].get<bool>());
  EXPECT_EQ(json["first_break"]["position"].get<uint64_t>(), target);
}

// An event removed whole, with nothing after it in its stream (here the channel's only event),
// leaves every chain intact; on the embedded log its position is missing, and that is a break.
TEST(EventChain, AnEventRemovedWholeBreaksAtItsPosition) {
  TempDir dir;
  const std::string log_dir = dir.path() + "/log";
  WriteHistory(log_dir);
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), log_dir, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    std::string value;
    ASSERT_TRUE(db->Get(rocksdb::ReadOptions(), PositionKey(1), &value).ok());
    ASSERT_NE(value.find("ChannelCreated"), std::string::npos) << value;
    ASSERT_TRUE(db->Delete(rocksdb::WriteOptions(), PositionKey(1)).ok());
  }
  const std::vector<RecordedEvent> left = ReadAll(log_dir);
  ASSERT_EQ(left.front().position, 2u);
  ChainVerifier chains_only;
  for (const RecordedEvent& r : left) chains_only.Add(r);
  EXPECT_FALSE(chains_only.first_break()) << "no chain shows it";
  ChainVerifier dense(/*dense_positions=*/true);
  for (const RecordedEvent& r : left) dense.Add(r);
  ASSERT_TRUE(dense.first_break());
  EXPECT_EQ(dense.first_break()->position, 2u);
  EXPECT_NE(dense.first_break()->reason.find("missing"), std::string::npos);

  std::string report;
  EXPECT_EQ(testing::RunHelpdeskd({"verify", "--data", dir.path()}, &report), 1);
  const auto json = nlohmann::json::parse(report, nullptr, false);
  ASSERT_TRUE(json.is_object()) << report;
  EXPECT_FALSE(json["ok"].get<bool>());
  EXPECT_EQ(json["first_break"]["position"].get<uint64_t>(), 2u);
}

}  // namespace
}  // namespace helpdesk
