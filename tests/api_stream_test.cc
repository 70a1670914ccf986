// The live feed for UIs (GET /api/v1/stream, Server-Sent Events) against the real binary: events
// arrive as they happen, a reconnect with Last-Event-ID resumes exactly after the last one seen,
// and each role sees only what it may.
#include <optional>
#include <set>
#include <vector>

#include "tests/api_fixture.h"
#include "tests/support/sse_client.h"

namespace helpdesk::testing {
namespace {

class StreamTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ana_ = CreateDeskWithAgentAna();
  }
  std::unique_ptr<SseClient> Open(const std::string& token,
                                  std::map<std::string, std::string> headers = {},
                                  const std::string& query = "") {
    headers["Authorization"] = "Bearer " + token;
    return std::make_unique<SseClient>(server().port(), "/api/v1/stream" + query, headers);
  }
  // Events until one of `type` arrives (included); fails the test after 10 s without it.
  std::vector<SseEvent> Until(SseClient& client, const std::string& type) {
    std::vector<SseEvent> seen;
    while (auto e = client.Next()) {
      seen.push_back(*e);
      if (e->event == type) return seen;
    }
    ADD_FAILURE() << "no " << type << " within 10 s";
    return seen;
  }
  std::string ana_;
};

TEST_F(StreamTest, PushesEventsAsTheyHappen) {
  auto stream = Open(kAdminToken);
  ASSERT_EQ(stream->status(), 200);
  EXPECT_EQ(stream->header("content-type").rfind("text/event-stream", 0), 0u);
  auto in = Inbound("wa", "m1", "+5511911110001", "hello there");
  const std::string conversation = in.value("conversation_id", "");
  auto seen = Until(*stream, "MessageReceived");
  ASSERT_FALSE(seen.empty());
  const json envelope = json::parse(seen.back().data);
  EXPECT_EQ(envelope["stream"], "conversation/" + conversation);
  EXPECT_EQ(envelope["data"]["text"], "hello there");
  EXPECT_FALSE(seen.back().id.empty());
  // What happened before the stream opened is not replayed without Last-Event-ID.
  for (const SseEvent& e : seen) EXPECT_NE(e.event, "UserCreated");

  ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + conversation + "/take").status, 200);
  auto assigned = Until(*stream, "ConversationAssigned");
  EXPECT_EQ(json::parse(assigned.back().data)["data"]["assignee_id"], "ana");
}

// A user holds five streams at most; the newest wins. A browser whose connections dropped (the
// server notices only at its next write) reconnects at once instead of being refused.
TEST_F(StreamTest, ASixthStreamOfAUserEndsTheirOldest) {
  std::vector<std::unique_ptr<SseClient>> streams;
  for (int i = 0; i < 6; ++i) {
    streams.push_back(Open(ana_));
    ASSERT_EQ(streams.back()->status(), 200) << i;
  }
  std::optional<SseEvent> ended;
  while (auto e = streams[0]->Next()) {
    if (e->event == "error") {
      ended = e;
      break;
    }
  }
  ASSERT_TRUE(ended) << "the oldest stream goes on";
  EXPECT_EQ(json::parse(ended->data)["code"], "superseded");
  // The newest one is served.
  Inbound("wa", "s6", "+5511911110006", "still here");
  auto seen = Until(*streams[5], "MessageReceived");
  EXPECT_FALSE(seen.empty());
}

TEST_F(StreamTest, ALastEventIdResumesRightAfterIt) {
  std::string resume_from;
  std::string conversation;
  {
    auto stream = Open(kAdminToken);
    ASSERT_EQ(stream->status(), 200);
    auto in = Inbound("wa", "m1", "+5511911110002", "first");
    conversation = in.value("conversation_id", "");
    auto seen = Until(*stream, "MessageReceived");
    ASSERT_FALSE(seen.empty());
    resume_from = seen.back().id;
  }  // the client goes away
  // While it is away.
  Inbound("wa", "m2", "+5511911110002", "second");
  ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + conversation + "/take").status, 200);

  auto stream = Open(kAdminToken, {{"Last-Event-ID", resume_from}});
  ASSERT_EQ(stream->status(), 200);
  auto first = stream->Next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->event, "MessageReceived");
  EXPECT_EQ(json::parse(first->data)["data"]["text"], "second");  // not "first" again
  auto rest = Until(*stream, "ConversationAssigned");
  EXPECT_FALSE(rest.empty());

  // `after` does the same for clients that cannot set headers.
  auto by_query = Open(kAdminToken, {}, "?after=" + resume_from);
  auto again = by_query->Next();
  ASSERT_TRUE(again);
  EXPECT_EQ(json::parse(again->data)["data"]["text"], "second");
}

TEST_F(StreamTest, AnAgentSeesConversationsNotCredentialsNorOthersQuickReplies) {
  auto stream = Open(ana_, {{"Last-Event-ID", "0"}});  // from the start of the log
  ASSERT_EQ(stream->status(), 200);
  Admin("POST", "/api/v1/quick-replies", {{"id", "q"}, {"shortcut", "/q"}, {"text", "Q"}});
  Inbound("wa", "m1", "+5511911110003", "hi");
  std::set<std::string> streams;
  // Everything the feed sends until it goes quiet (on Kafka, partitions interleave in any order).
  std::vector<SseEvent> seen;
  while (auto e = stream->Next(std::chrono::milliseconds(1500))) seen.push_back(*e);
  for (const SseEvent& e : seen) {
    const json envelope = json::parse(e.data);
    const std::string s = envelope["stream"];
    streams.insert(s.substr(0, s.find('/')));
    EXPECT_FALSE(envelope["data"].contains("token_sha256")) << e.data;
  }
  EXPECT_TRUE(streams.count("conversation"));
  EXPECT_TRUE(streams.count("user"));
  EXPECT_FALSE(streams.count("channel"));
  EXPECT_FALSE(streams.count("quick_reply"));
}

TEST_F(StreamTest, AServerThatStopsEndsItsStreams) {
  auto stream = Open(kAdminToken);
  ASSERT_EQ(stream->status(), 200);
  server().Stop();  // SIGTERM: returns once the process has exited
  EXPECT_FALSE(stream->Next(std::chrono::seconds(5)));
}

TEST_F(StreamTest, BadRequestsGetTheContractsErrors) {
  auto no_token = std::make_unique<SseClient>(server().port(), "/api/v1/stream",
                                              std::map<std::string, std::string>{});
  EXPECT_EQ(no_token->status(), 401);
  auto channel = Admin("POST", "/api/v1/channels",
                       {{"id", "web"}, {"type", "webchat"}, {"name", "Site"}, {"address", "s"}});
  EXPECT_EQ(Open(channel.json().value("token", ""))->status(), 403);
  auto bad = Open(kAdminToken, {{"Last-Event-ID", "not a position"}});
  EXPECT_EQ(bad->status(), 400);
  EXPECT_NE(bad->error_body().find("invalid_field"), std::string::npos);
  // Not an id this feed sends: a partition the embedded log does not have.
  if (!KafkaBrokers()) {
    EXPECT_EQ(Open(kAdminToken, {}, "?after=1:2")->status(), 400);
  }
}

}  // namespace
}  // namespace helpdesk::testing
