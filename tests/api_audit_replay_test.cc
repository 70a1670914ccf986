// What analysts and auditors use, against the real binary: the log exported as NDJSON, the
// audit chain verified, one conversation and the whole help desk as they were at a time, and
// the auditor role.
#include <chrono>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "domain/time.h"
#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

std::string Now() {
  return FormatRfc3339(Timestamp{std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count()});
}

// A moment strictly between what happened before and what happens after.
std::string Moment() {
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string t = Now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  return t;
}

std::vector<json> Lines(const std::string& ndjson) {
  std::vector<json> out;
  std::istringstream in(ndjson);
  for (std::string line; std::getline(in, line);) out.push_back(json::parse(line, nullptr, false));
  return out;
}

class AuditReplayTest : public ApiTest {
 protected:
  // The position everything so far reached: reads sent with it see all of it.
  std::map<std::string, std::string> SeenAll() {
    auto r = Admin("PUT", "/api/v1/users/probe/presence", {{"status", "online"}});
    EXPECT_EQ(r.status, 200) << r.body;
    return {{"X-Min-Position", r.headers["x-position"]}};
  }
  void SetUp() override {
    ApiTest::SetUp();
    CreateChannel("wa");
    CreateUser("probe");
  }
};

// helpdeskd export-events: the log as NDJSON, every event once in log order, filtered by time.
TEST_F(AuditReplayTest, ExportEventsWritesTheLogAsNdjsonAndFiltersByTime) {
  Inbound("wa", "x1", "+5511911110001");
  const std::string between = Moment();
  Inbound("wa", "x2", "+5511911110002");
  const json feed = Admin("GET", "/api/v1/events?limit=500", nullptr, SeenAll()).json();
  server().Stop();  // the embedded log has one owner at a time

  std::vector<std::string> args{"export-events", "--data", server().data_dir()};
  for (const auto& a : server().LogArgs()) args.push_back(a);
  std::string all;
  ASSERT_EQ(RunHelpdeskd(args, &all), 0);
  const std::vector<json> lines = Lines(all);
  ASSERT_EQ(lines.size(), feed["items"].size());
  std::set<std::string> ids;
  for (const json& e : lines) {
    ASSERT_TRUE(e.is_object());
    ids.insert(e["id"].get<std::string>());
    EXPECT_GT(e["position"].get<uint64_t>(), 0u);
    for (const char* field : {"stream", "stream_version", "type", "at", "actor", "data"}) {
      EXPECT_TRUE(e.contains(field)) << field;
    }
  }
  for (const json& e : feed["items"]) EXPECT_TRUE(ids.count(e["id"].get<std::string>()));

  args.insert(args.end(), {"--from", between});
  std::string later;
  ASSERT_EQ(RunHelpdeskd(args, &later), 0);
  const std::vector<json> after = Lines(later);
  for (const json& e : after) {
    EXPECT_GE(e["at"].get<std::string>(), between);
    EXPECT_NE(e["data"].value("external_id", ""), "x1");
  }
  EXPECT_FALSE(after.empty());
  EXPECT_LT(after.size(), lines.size());

  args.back() = "yesterday";
  EXPECT_EQ(RunHelpdeskd(args), 2) << "a malformed time is refused";
  args.back() = between;
  args.insert(args.end(), {"--to", "2020-01-01T00:00:00Z"});
  EXPECT_EQ(RunHelpdeskd(args), 2) << "a range that holds no instant is refused";
}

// export-events --pseudonyms: the log as analysts read it in the feed, no personal data in clear
// (it printed the names, phones and messages as they are).
TEST_F(AuditReplayTest, ExportEventsWithPseudonymsIsTheAnalystsFeed) {
  Inbound("wa", "p1", "+5511933330001", "Meu CPF é 123", "Joana Prado");
  const std::string analyst = CreateUser("ana-lyst", "analyst");
  const json feed = As(analyst, "GET", "/api/v1/events?limit=500", nullptr, SeenAll()).json();
  server().Stop();

  std::vector<std::string> args{"export-events", "--data", server().data_dir(), "--pseudonyms"};
  for (const auto& a : server().LogArgs()) args.push_back(a);
  std::string text;
  ASSERT_EQ(RunHelpdeskd(args, &text), 0);
  for (const char* clear : {"Joana", "5511933330001", "CPF"}) {
    EXPECT_EQ(text.find(clear), std::string::npos) << clear;
  }
  EXPECT_NE(text.find("anon:"), std::string::npos);
  std::map<std::string, json> exported;
  for (const json& e : Lines(text)) exported[e["id"].get<std::string>()] = e;
  ASSERT_EQ(exported.size(), feed["items"].size());
  for (const json& e : feed["items"]) {
    EXPECT_EQ(exported[e["id"].get<std::string>()]["data"], e["data"]) << e["type"];
  }
}

// GET /api/v1/audit/verify: every stream's hash chain checks out; only admins and auditors ask.
TEST_F(AuditReplayTest, AuditVerifyChecksEveryChainForAdminsAndAuditors) {
  const std::string conversation = Inbound("wa", "v1", "+5511922220001")["conversation_id"];
  const std::string auditor = CreateUser("aud", "auditor");
  const std::string agent = CreateUser("ag", "agent");
  const json feed = Admin("GET", "/api/v1/events?limit=500", nullptr, SeenAll()).json();

  auto all = As(auditor, "GET", "/api/v1/audit/verify");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_TRUE(all.json()["ok"].get<bool>());
  EXPECT_TRUE(all.json()["first_break"].is_null());
  EXPECT_EQ(all.json()["checked"].get<size_t>(), feed["items"].size());

  auto one = Admin("GET", "/api/v1/audit/verify?stream=conversation/" + conversation);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json()["streams"].get<int>(), 1);
  EXPECT_GE(one.json()["checked"].get<int>(), 2);
  // A stream the log does not have is not a clean chain: a misspelt name says so.
  auto none = Admin("GET", "/api/v1/audit/verify?stream=conversation/nope");
  EXPECT_EQ(none.status, 404) << none.body;

  EXPECT_EQ(As(agent, "GET", "/api/v1/audit/verify").status, 403);
  for (const json& e : feed["items"]) EXPECT_EQ(e["hash"].get<std::string>().size(), 64u);
}

// ?as_of= and ?until=: one conversation, and its timeline, as they were at a time.
TEST_F(AuditReplayTest, ConversationAsOfAndTimelineUntilShowThePast) {
  const std::string ana = CreateUser("ana");
  const std::string before_it = Moment();
  const std::string id = Inbound("wa", "t1", "+5511933330001")["conversation_id"];
  const std::string conversation = "/api/v1/conversations/" + id;
  ASSERT_EQ(As(ana, "POST", conversation + "/take").status, 200);
  const std::string while_open = Moment();
  ASSERT_EQ(As(ana, "POST", conversation + "/close", {{"reason", "solved"}}).status, 200);
  const auto seen = SeenAll();

  auto then = Admin("GET", conversation + "?as_of=" + while_open, nullptr, seen);
  ASSERT_EQ(then.status, 200) << then.body;
  EXPECT_EQ(then.json()["status"], "open");
  EXPECT_EQ(then.json()["assignee_id"], "ana");
  EXPECT_TRUE(then.json()["closed_at"].is_null());
  EXPECT_EQ(Conversation(id)["status"], "closed");

  EXPECT_EQ(Admin("GET", conversation + "?as_of=" + before_it).status, 404);
  EXPECT_EQ(Admin("GET", conversation + "?as_of=yesterday").error_code(), "invalid_field");

  auto timeline = Admin("GET", conversation + "/timeline?until=" + while_open, nullptr, seen);
  ASSERT_EQ(timeline.status, 200);
  const json items = timeline.json()["items"];
  ASSERT_FALSE(items.empty());
  for (const json& e : items) EXPECT_NE(e["type"], "ConversationClosed");
  const json everything = Admin("GET", conversation + "/timeline").json();
  EXPECT_EQ(everything["items"].size(), items.size() + 1);
}

// The auditor reads every timeline, private notes included, and the event feed; changes nothing.
TEST_F(AuditReplayTest, AuditorReadsEverythingAndChangesNothing) {
  const std::string ana = CreateUser("ana");
  const std::string auditor = CreateUser("aud", "auditor");
  const std::string conversation =
      "/api/v1/conversations/" +
      Inbound("wa", "au1", "+5511944440001")["conversation_id"].get<std::string>();
  auto note =
      As(ana, "POST", conversation + "/messages", {{"text", "internal only"}, {"private", true}});
  ASSERT_EQ(note.status, 201);
  const auto seen = SeenAll();

  auto timeline = As(auditor, "GET", conversation + "/timeline", nullptr, seen);
  ASSERT_EQ(timeline.status, 200);
  EXPECT_NE(timeline.body.find("internal only"), std::string::npos);
  EXPECT_EQ(As(auditor, "GET", "/api/v1/events", nullptr, seen).status, 200);
  // The directory changes the feed shows carry who made them.
  const json events = Admin("GET", "/api/v1/events?type=UserCreated", nullptr, seen).json();
  ASSERT_FALSE(events["items"].empty());
  for (const json& e : events["items"]) EXPECT_EQ(e["actor"]["id"], "admin");

  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(As(auditor, "POST", conversation + "/take").status, 403);
    EXPECT_EQ(As(auditor, "POST", conversation + "/messages", {{"text", "hi"}}).status, 403);
    EXPECT_EQ(As(auditor, "POST", "/api/v1/users",
                 {{"id", "x"}, {"name", "X"}, {"email", "x@x.co"}, {"role", "agent"}})
                  .status,
              403);
  });
}

// helpdeskd replay --until T --out DIR, then serve DIR --read-only: the whole help desk as it
// was at T (queues, owners, counts), and no command is taken there.
TEST_F(AuditReplayTest, ReplayUntilShowsTheWholeHelpDeskAsItWas) {
  if (KafkaBrokers()) GTEST_SKIP() << "the same replay code; the snapshot is served locally";
  const std::string ana = CreateUser("ana");
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(Inbound("wa", "r" + std::to_string(i),
                          "+55119555500" + std::to_string(i))["conversation_id"]);
  }
  ASSERT_EQ(As(ana, "POST", "/api/v1/conversations/" + ids[0] + "/take").status, 200);
  const std::string then = Moment();
  // Later: two more taken, one closed.
  for (const std::string& id : {ids[1], ids[2]}) {
    ASSERT_EQ(As(ana, "POST", "/api/v1/conversations/" + id + "/take").status, 200);
  }
  ASSERT_EQ(
      As(ana, "POST", "/api/v1/conversations/" + ids[0] + "/close", {{"reason", "solved"}}).status,
      200);
  server().Stop();

  const std::string past = server().data_dir() + "-past";
  ASSERT_EQ(RunHelpdeskd({"replay", "--data", server().data_dir(), "--until", then, "--out", past}),
            0);
  EXPECT_EQ(RunHelpdeskd({"replay", "--data", server().data_dir(), "--until", then}), 2)
      << "--until without --out is refused";
  ServerProcess snapshot(past);
  snapshot.AddArgs({"--read-only"});
  ASSERT_TRUE(snapshot.Start());
  const json queue = snapshot.Admin("GET", "/api/v1/conversations?view=queue").json();
  EXPECT_EQ(queue["items"].size(), 2u) << queue.dump();
  const json first = snapshot.Admin("GET", "/api/v1/conversations/" + ids[0]).json();
  EXPECT_EQ(first["status"], "open");
  EXPECT_EQ(first["assignee_id"], "ana");
  const json summary = snapshot.Admin("GET", "/api/v1/inbox/summary").json();
  EXPECT_EQ(summary.dump().find("\"closed\":1"), std::string::npos) << summary.dump();
  EXPECT_EQ(
      snapshot.Admin("POST", "/api/v1/conversations/" + ids[1] + "/close", R"({"reason":"x"})")
          .status,
      403);
}

}  // namespace
}  // namespace helpdesk::testing
