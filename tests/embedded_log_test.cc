// The embedded log on real RocksDB in a temp dir.
#include "adapters/embedded_log.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "adapters/append_queue.h"
#include "adapters/event_codec.h"
#include "tests/support/temp_dir.h"

namespace helpdesk {
namespace {

using testing::TempDir;

NewEvent Event(const std::string& stream, const std::string& type = "Something") {
  return NewEvent{"id-" + type, stream, type, Timestamp{1000}, Actor::System("test"), {{"k", 1}}};
}

AppendRequest Request(std::vector<NewEvent> events, std::map<std::string, uint64_t> expected) {
  return AppendRequest{std::move(events), std::move(expected)};
}

// A batch queued one append at a time under a hold goes to the writer as one group.
TEST(AppendQueue, AppendsQueuedUnderAHoldAreTakenAsOneGroup) {
  AppendQueue queue;
  queue.Hold();
  std::deque<AppendQueue::Pending> group;
  std::thread writer([&] { group = queue.TakeAll(); });
  std::vector<std::future<Result<AppendResult>>> answers;
  for (int i = 0; i < 3; ++i) {
    answers.push_back(queue.Push(Request({Event("s/" + std::to_string(i))}, {}), {}));
  }
  queue.Release();
  writer.join();
  ASSERT_EQ(group.size(), 3u);
  EXPECT_EQ(group[0].request.events[0].stream, "s/0");
  EXPECT_EQ(group[2].request.events[0].stream, "s/2");
  queue.Stop();
  EXPECT_TRUE(queue.TakeAll().empty());
}

// A batcher releases one hold and begins the next before the writer wakes: the batch it
// released goes at once, not with the next one (which kept it waiting a whole batch).
TEST(AppendQueue, AHoldKeepsBackOnlyWhatIsQueuedWhileItLasts) {
  AppendQueue queue;
  queue.Hold();
  auto first = queue.Push(Request({Event("s/first")}, {}), {});
  queue.Release();
  queue.Hold();
  auto second = queue.Push(Request({Event("s/second")}, {}), {});
  // Alone: kept with the second, it would have waited for the second hold (or its longest).
  std::deque<AppendQueue::Pending> group = queue.TakeAll();
  ASSERT_EQ(group.size(), 1u);
  EXPECT_EQ(group[0].request.events[0].stream, "s/first");
  // The second waits for its hold, then goes.
  std::atomic<bool> released{false};
  std::thread releaser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    released = true;
    queue.Release();
  });
  group = queue.TakeAll();
  EXPECT_TRUE(released) << "taken before its hold ended";
  releaser.join();
  ASSERT_EQ(group.size(), 1u);
  EXPECT_EQ(group[0].request.events[0].stream, "s/second");
  // With no hold, an append goes alone.
  auto third = queue.Push(Request({Event("s/third")}, {}), {});
  group = queue.TakeAll();
  ASSERT_EQ(group.size(), 1u);
  EXPECT_EQ(group[0].request.events[0].stream, "s/third");
}

// A hold nobody releases (a decider stuck) delays the writer, but never stops it.
TEST(AppendQueue, AHoldNeverReleasedStillLetsTheWriterCommit) {
  AppendQueue queue;
  queue.Hold();
  auto answer = queue.Push(Request({Event("s/a")}, {}), {});
  std::deque<AppendQueue::Pending> group = queue.TakeAll();
  ASSERT_EQ(group.size(), 1u);
  group[0].done.set_value(AppendResult{});
  EXPECT_TRUE(answer.get().ok());
}

// The embedded log under a hold: every held append durable, in order, once released.
TEST(EmbeddedLog, HeldAppendsAreDurableInOrderOnceReleased) {
  TempDir dir;
  auto log = EmbeddedLog::Open(dir.path()).value();
  std::vector<std::future<Result<AppendResult>>> answers;
  {
    AppendHold hold(*log);
    for (uint64_t i = 0; i < 5; ++i) {
      answers.push_back(log->AppendAsync(Request({Event("s/a")}, {{"s/a", i}})));
    }
  }
  for (uint64_t i = 0; i < 5; ++i) {
    auto answer = answers[i].get();
    ASSERT_TRUE(answer.ok()) << answer.error().message;
    EXPECT_EQ(answer.value().recorded[0].stream_version, i + 1);
  }
  EXPECT_EQ(log->Head().ToString(), "0:5");
}

TEST(EmbeddedLog, AppendsAssignPositionsAndStreamVersions) {
  TempDir dir;
  auto log = EmbeddedLog::Open(dir.path()).value();
  auto first =
      log->Append(Request({Event("s/a"), Event("s/b"), Event("s/a")}, {{"s/a", 0}, {"s/b", 0}}));
  ASSERT_TRUE(first.ok());
  const auto& r = first.value().recorded;
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].position, 1u);
  EXPECT_EQ(r[2].position, 3u);
  EXPECT_EQ(r[0].stream_version, 1u);
  EXPECT_EQ(r[1].stream_version, 1u);
  EXPECT_EQ(r[2].stream_version, 2u);
  EXPECT_EQ(first.value().token.ToString(), "0:3");
  EXPECT_EQ(log->Head().ToString(), "0:3");
}

TEST(EmbeddedLog, RefusesAStaleExpectedVersionAndWritesNothing) {
  TempDir dir;
  auto log = EmbeddedLog::Open(dir.path()).value();
  ASSERT_TRUE(log->Append(Request({Event("s/a")}, {{"s/a", 0}})).ok());
  auto stale = log->Append(Request({Event("s/a"), Event("s/b")}, {{"s/a", 0}, {"s/b", 0}}));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kVersionConflict);
  EXPECT_EQ(log->Head().ToString(), "0:1");
  EXPECT_TRUE(log->ReadStream("s/b").value().empty());
}

TEST(EmbeddedLog, SurvivesReopenWithEverythingInOrder) {
  TempDir dir;
  {
    auto log = EmbeddedLog::Open(dir.path()).value();
    for (uint64_t i = 0; i < 10; ++i)
      ASSERT_TRUE(log->Append(Request({Event("s/a")}, {{"s/a", i}})).ok());
  }
  auto log = EmbeddedLog::Open(dir.path()).value();
  EXPECT_EQ(log->Head().ToString(), "0:10");
  auto events = log->Read(ConsistencyToken::Single(4), 100, std::chrono::milliseconds(0)).value();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events.front().position, 5u);
  EXPECT_EQ(events.front().event.data["k"], 1);
  // A new append continues the stream where it was.
  auto next = log->Append(Request({Event("s/a")}, {{"s/a", 10}}));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next.value().recorded[0].stream_version, 11u);
}

TEST(EmbeddedLog, ConcurrentAppendsGetUniqueContiguousPositions) {
  TempDir dir;
  auto log = EmbeddedLog::Open(dir.path()).value();
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      const std::string stream = "s/" + std::to_string(t);
      for (uint64_t i = 0; i < 50; ++i) {
        auto r = log->Append(Request({Event(stream)}, {{stream, i}}));
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(r.value().recorded[0].stream_version, i + 1);
      }
    });
  }
  for (auto& t : threads) t.join();
  auto all = log->Read(ConsistencyToken(), 1000, std::chrono::milliseconds(0)).value();
  ASSERT_EQ(all.size(), 400u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].position, i + 1);
}

TEST(EmbeddedLog, ReadWaitsForTheNextAppend) {
  TempDir dir;
  auto log = EmbeddedLog::Open(dir.path()).value();
  std::thread writer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(log->Append(Request({Event("s/a")}, {{"s/a", 0}})).ok());
  });
  auto events = log->Read(ConsistencyToken(), 10, std::chrono::seconds(5)).value();
  writer.join();
  ASSERT_EQ(events.size(), 1u);
}

TEST(ConsistencyToken, ParsesComparesAndMerges) {
  auto t = ConsistencyToken::Parse("0:5,2:7");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->ToString(), "0:5,2:7");
  EXPECT_TRUE(t->Covers(*ConsistencyToken::Parse("0:5")));
  EXPECT_FALSE(t->Covers(*ConsistencyToken::Parse("1:1")));
  for (const char* bad : {"", "x", "0:", ":1", "0:1,", "-1:2", "0:1x", "0:2,0:1"})
    EXPECT_FALSE(ConsistencyToken::Parse(bad)) << bad;
  ConsistencyToken m = *ConsistencyToken::Parse("0:9");
  m.Merge(*t);
  EXPECT_EQ(m.ToString(), "0:9,2:7");
}

}  // namespace
}  // namespace helpdesk

namespace helpdesk {
namespace {

TEST(EventCodec, EncodedEnvelopeIsTheJsonTreeDumpedAndDecodesBack) {
  RecordedEvent r;
  r.position = 42;
  r.partition = 3;
  r.stream_version = 7;
  r.event = NewEvent{"e-1",
                     "conversation/c\"1",
                     "MessageReceived",
                     Timestamp{1795000000123},
                     Actor::Contact("k-é"),
                     nlohmann::json{{"text", "olá \"mundo\"\n"}, {"n", 1}}};
  const std::string encoded = EncodeEnvelope(r);
  EXPECT_EQ(encoded, EnvelopeToJson(r).dump());
  auto decoded = DecodeEnvelope(encoded);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded.value().event.stream, r.event.stream);
  EXPECT_EQ(decoded.value().event.data, r.event.data);
  EXPECT_EQ(decoded.value().event.actor.id, "k-é");
  EXPECT_EQ(decoded.value().stream_version, 7u);
}

// Found by fuzz_envelope: a position far past any integer's range (a float to nlohmann), which
// was converted with undefined behaviour. Counts that are not unsigned integers are corrupt.
TEST(EventCodec, CountsThatAreNotUnsignedIntegersAreCorrupt) {
  RecordedEvent r;
  r.event.id = "e-2";
  r.event.stream = "contact/x";
  r.event.type = "ContactCreated";
  r.event.at = Timestamp{0};
  r.stream_version = 1;
  nlohmann::json envelope = EnvelopeToJson(r);
  ASSERT_TRUE(DecodeEnvelope(envelope.dump()).ok());
  for (const char* field : {"position", "stream_version", "schema_version"}) {
    for (const nlohmann::json& bad :
         {nlohmann::json(6.6e144), nlohmann::json(-1), nlohmann::json(1.5), nlohmann::json("1")}) {
      nlohmann::json corrupt = envelope;
      corrupt[field] = bad;
      auto decoded = DecodeEnvelope(corrupt.dump());
      EXPECT_FALSE(decoded.ok()) << field << " = " << bad.dump();
    }
  }
}

}  // namespace
}  // namespace helpdesk
