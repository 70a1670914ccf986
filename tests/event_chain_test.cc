// The audit chain on real storage: events written by the command service chain per stream,
// and editing one stored event makes verification fail at exactly that event (also through
// `helpdeskd verify`).
#include "adapters/event_chain.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "adapters/clock.h"
#include "adapters/embedded_log.h"
#include "commands/command_service.h"
#include "tests/support/server_process.h"

namespace helpdesk {
namespace {

using testing::TempDir;

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

}  // namespace
}  // namespace helpdesk
