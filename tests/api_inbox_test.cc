// Inbox views, filters, sorts, pagination, the summary and the directory lists.
#include <set>

#include "domain/time.h"
#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

std::string MinutesAgo(int minutes) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return FormatRfc3339(Timestamp{now - minutes * 60'000LL});
}

class InboxTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    CreateTeam("sales");
    CreateTeam("billing");
    ana_ = CreateUser("ana", "agent", {"sales"});
    bob_ = CreateUser("bob", "agent", {"billing"});
    sup_ = CreateUser("sue", "supervisor");
    CreateChannel("wa");
    CreateChannel("mail", "email");
  }
  std::string Open(const std::string& ext, const std::string& phone, const std::string& name,
                   int minutes_ago) {
    return Inbound("wa", ext, phone, "hi " + name, name,
                   MinutesAgo(minutes_ago))["conversation_id"];
  }
  std::string ana_, bob_, sup_;
};

TEST_F(InboxTest, ViewsSeparateQueueMineUnassignedPostponedAndClosed) {
  const std::string a = Open("a", "+551100001", "Alice", 30);
  const std::string b = Open("b", "+551100002", "Bruno", 20);
  const std::string c = Open("c", "+551100003", "Carla", 10);
  const std::string d = Open("d", "+551100004", "Davi", 5);
  As(ana_, "POST", "/api/v1/conversations/" + a + "/take");
  As(ana_, "POST", "/api/v1/conversations/" + b + "/transfer", {{"team_id", "billing"}});
  As(ana_, "POST", "/api/v1/conversations/" + c + "/take");
  As(ana_, "POST", "/api/v1/conversations/" + c + "/postpone", {{"until", "2999-01-01T00:00:00Z"}});
  As(ana_, "POST", "/api/v1/conversations/" + d + "/close", {{"reason", "spam"}});

  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=mine")),
            (std::vector<std::string>{c, a}));
  // Ana's queue: no-team queue only (b went to billing, which she is not in).
  EXPECT_TRUE(Ids(As(ana_, "GET", "/api/v1/conversations?view=queue")).empty());
  EXPECT_EQ(Ids(As(bob_, "GET", "/api/v1/conversations?view=queue")), std::vector<std::string>{b});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=queue&team_id=billing")),
            std::vector<std::string>{b});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=unassigned")),
            std::vector<std::string>{b});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=postponed")),
            std::vector<std::string>{c});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=closed")), std::vector<std::string>{d});
  std::vector<std::string> all = Ids(As(ana_, "GET", "/api/v1/conversations?view=all&sort=oldest"));
  EXPECT_EQ(all, (std::vector<std::string>{a, b, c}));

  // Filters on the all view.
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?assignee_id=ana&sort=oldest")),
            (std::vector<std::string>{a, c}));
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?team_id=billing")),
            std::vector<std::string>{b});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?status=open")), std::vector<std::string>{a});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?status=closed&view=closed")),
            std::vector<std::string>{d});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?q=carl")), std::vector<std::string>{c});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?q=BRU")), std::vector<std::string>{b});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?q=1100001")), std::vector<std::string>{a});
  EXPECT_TRUE(Ids(As(ana_, "GET", "/api/v1/conversations?q=Alice%201")).empty())
      << "digits in a name query";
  const std::string e = Open("e", "+551100005", "Érica", 1);
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?q=%C3%A9ric")), std::vector<std::string>{e});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=mine&q=alice")),
            std::vector<std::string>{a});
}

TEST_F(InboxTest, SortsOrderTheList) {
  const std::string a = Open("a", "+551100001", "A", 30);
  const std::string b = Open("b", "+551100002", "B", 20);
  const std::string c = Open("c", "+551100003", "C", 40);
  // recent: newest message first (b's message 20 min ago, then a, then c).
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?sort=recent")),
            (std::vector<std::string>{b, a, c}));
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?sort=waiting_longest")),
            (std::vector<std::string>{c, a, b}));
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?sort=oldest")),
            (std::vector<std::string>{a, b, c}));
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?sort=newest")),
            (std::vector<std::string>{c, b, a}));
  // A reply moves a to the top of recent and to the end of waiting_longest (nulls last).
  As(ana_, "POST", "/api/v1/conversations/" + a + "/messages", {{"text", "hello"}});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?sort=recent"))[0], a);
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?sort=waiting_longest")),
            (std::vector<std::string>{c, b, a}));
  // in_service_longest: by assignment time, unassigned last.
  As(ana_, "POST", "/api/v1/conversations/" + b + "/take");
  As(ana_, "POST", "/api/v1/conversations/" + c + "/take");
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?sort=in_service_longest")),
            (std::vector<std::string>{b, c, a}));
}

TEST_F(InboxTest, PagesWithCursorsCoverEverythingOnce) {
  std::vector<std::string> opened;
  for (int i = 0; i < 7; ++i) {
    opened.push_back(Open("p" + std::to_string(i), "+5511200" + std::to_string(i),
                          "P" + std::to_string(i), 50 - i));
  }
  for (const char* sort : {"recent", "oldest", "waiting_longest", "newest"}) {
    std::vector<std::string> seen;
    std::string cursor;
    int pages = 0;
    do {
      auto r = As(ana_, "GET",
                  std::string("/api/v1/conversations?limit=3&sort=") + sort +
                      (cursor.empty() ? "" : "&cursor=" + cursor));
      ASSERT_EQ(r.status, 200) << r.body;
      for (auto& id : Ids(r)) seen.push_back(id);
      auto next = r.json()["next_cursor"];
      cursor = next.is_null() ? "" : next.get<std::string>();
      ++pages;
    } while (!cursor.empty() && pages < 10);
    EXPECT_EQ(pages, 3) << sort;
    EXPECT_EQ(seen.size(), 7u) << sort;
    EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 7u) << sort;
  }
}

TEST_F(InboxTest, TagAndStageFilters) {
  const std::string a = Open("a", "+551100001", "A", 3);
  const std::string b = Open("b", "+551100002", "B", 2);
  As(ana_, "POST", "/api/v1/conversations/" + a + "/tags", {{"tag", "vip"}});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?tag=vip")), std::vector<std::string>{a});
  const std::string contact_b = Conversation(b)["contact"]["id"];
  auto staged =
      As(ana_, "PUT", "/api/v1/contacts/" + contact_b + "/stage", {{"stage_id", "proposal"}});
  ASSERT_EQ(staged.status, 200) << staged.body;
  EXPECT_EQ(Conversation(b)["contact"]["stage"], "proposal");
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?stage=proposal")),
            std::vector<std::string>{b});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?stage=lead")), std::vector<std::string>{a});
}

TEST_F(InboxTest, ContactsAreFoundAgainByPhoneOrEmail) {
  json first = Inbound("wa", "x1", "+55 (11) 3333-4444", "oi", "Rita");
  json second = Inbound("wa", "x2", "551133334444", "de novo");
  EXPECT_EQ(first["contact_id"], second["contact_id"]);
  EXPECT_EQ(first["conversation_id"], second["conversation_id"]);
  auto mail1 = Admin(
      "POST", "/api/v1/channels/mail/inbound",
      {{"external_id", "<m1@x>"}, {"from", {{"email", "Rita@Example.com"}}}, {"text", "mail"}});
  auto mail2 = Admin(
      "POST", "/api/v1/channels/mail/inbound",
      {{"external_id", "<m2@x>"}, {"from", {{"email", "rita@example.com"}}}, {"text", "mail 2"}});
  ASSERT_EQ(mail1.status, 201) << mail1.body;
  EXPECT_EQ(mail1.json()["contact_id"], mail2.json()["contact_id"]);
  EXPECT_NE(mail1.json()["conversation_id"], first["conversation_id"])
      << "one conversation per channel";
}

TEST_F(InboxTest, SummaryCountsEveryPanel) {
  const std::string a = Open("a", "+551100001", "A", 3);
  const std::string b = Open("b", "+551100002", "B", 3);
  const std::string c = Open("c", "+551100003", "C", 3);
  Open("d", "+551100004", "D", 3);
  As(ana_, "POST", "/api/v1/conversations/" + a + "/take");
  As(ana_, "POST", "/api/v1/conversations/" + b + "/take");
  As(ana_, "POST", "/api/v1/conversations/" + b + "/messages",
     {{"text", "?"}, {"await_reply", true}});
  As(ana_, "POST", "/api/v1/conversations/" + c + "/transfer", {{"team_id", "sales"}});
  As(ana_, "PUT", "/api/v1/users/ana/presence", {{"status", "online"}});
  auto s = As(ana_, "GET", "/api/v1/inbox/summary").json();
  EXPECT_EQ(s["mine"],
            json({{"open", 1}, {"awaiting_customer", 1}, {"postponed", 0}, {"closed", 0}}));
  EXPECT_EQ(s["general"], json({{"total", 4}, {"queued", 2}, {"closed", 0}}));
  for (const auto& t : s["teams"]) {
    if (t["id"] == "sales") {
      EXPECT_EQ(t["queued"], 1);
    }
  }
  for (const auto& u : s["users"]) {
    if (u["id"] == "ana") {
      EXPECT_EQ(u["open"], 2);
      EXPECT_EQ(u["presence"], "online");
    }
  }
  As(ana_, "POST", "/api/v1/conversations/" + a + "/close", {{"reason", "ok"}});
  s = As(ana_, "GET", "/api/v1/inbox/summary").json();
  EXPECT_EQ(s["mine"]["closed"], 1);
  EXPECT_EQ(s["general"]["closed"], 1);
  EXPECT_EQ(s["general"]["total"], 3);
}

TEST_F(InboxTest, UsersAndTeamsListsSearchAndCount) {
  const std::string a = Open("a", "+551100001", "A", 3);
  As(ana_, "POST", "/api/v1/conversations/" + a + "/take");
  auto users = As(sup_, "GET", "/api/v1/users?q=ANA").json()["items"];
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["id"], "ana");
  EXPECT_EQ(users[0]["open_count"], 1);
  EXPECT_EQ(users[0]["teams"], json({"sales"}));
  EXPECT_EQ(users[0]["presence"], "offline");
  EXPECT_EQ(As(sup_, "GET", "/api/v1/users?q=example.com").json()["items"].size(), 3u);
  // Presence: by the user, or by a supervisor.
  EXPECT_EQ(As(sup_, "PUT", "/api/v1/users/ana/presence", {{"status", "away"}}).json()["presence"],
            "away");
  auto added = Admin("POST", "/api/v1/teams/sales/members", {{"user_id", "bob"}});
  ASSERT_EQ(added.status, 200) << added.body;
  EXPECT_EQ(added.json()["members"], json({"ana", "bob"}));
  As(ana_, "POST", "/api/v1/conversations/" + a + "/transfer", {{"team_id", "sales"}});
  auto teams = As(sup_, "GET", "/api/v1/teams?q=sal").json()["items"];
  ASSERT_EQ(teams.size(), 1u);
  EXPECT_EQ(teams[0]["queued_count"], 1);
  EXPECT_EQ(teams[0]["open_count"], 0);
  // Bob is now in sales: he sees its queue.
  EXPECT_EQ(Ids(As(bob_, "GET", "/api/v1/conversations?view=queue")), std::vector<std::string>{a});
}

TEST_F(InboxTest, EventFeedFiltersAndPages) {
  if (KafkaBrokers()) GTEST_SKIP() << "positions here are the embedded log's single sequence";
  const std::string a = Open("a", "+551100001", "A", 3);
  As(ana_, "POST", "/api/v1/conversations/" + a + "/take");
  auto all = Admin("GET", "/api/v1/events?limit=500").json()["items"];
  ASSERT_GT(all.size(), 5u);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i]["position"], i + 1);
    for (const char* field :
         {"id", "stream", "stream_version", "type", "at", "actor", "data", "schema_version"}) {
      EXPECT_TRUE(all[i].contains(field)) << field;
    }
    EXPECT_FALSE(all[i]["data"].contains("token_sha256"));
  }
  auto mine = Admin("GET", "/api/v1/events?stream=conversation/" + a).json()["items"];
  ASSERT_EQ(mine.size(), 3u);  // opened, received, assigned
  EXPECT_EQ(mine[2]["type"], "ConversationAssigned");
  EXPECT_EQ(mine[2]["actor"], json({{"type", "user"}, {"id", "ana"}}));
  EXPECT_EQ(Admin("GET", "/api/v1/events?type=UserCreated").json()["items"].size(), 3u);
  auto page = Admin("GET", "/api/v1/events?limit=2&after=3").json();
  EXPECT_EQ(page["items"][0]["position"], 4);
  EXPECT_EQ(page["next_cursor"], "5");
  EXPECT_EQ(Admin("GET", "/api/v1/events?after=-1").error_code(), "invalid_field");
  // Positions this log never had: a partition it lacks, past its end, a partition twice.
  for (const char* after : {"1:2", "0:999999", "0:2,0:1"}) {
    EXPECT_EQ(Admin("GET", std::string("/api/v1/events?after=") + after).error_code(),
              "invalid_field")
        << after;
  }
}

}  // namespace
}  // namespace helpdesk::testing
