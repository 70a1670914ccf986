// The conversation lifecycle end to end over HTTP against the real server.
#include <chrono>
#include <thread>

#include "domain/time.h"
#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

std::string Ago(int64_t seconds) {
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return FormatRfc3339(Timestamp{now - seconds * 1000});
}

TEST_F(ApiTest, HealthAndReadinessAnswerWithoutToken) {
  EXPECT_EQ(server().client().Send("GET", "/healthz").status, 200);
  EXPECT_EQ(server().client().Send("GET", "/healthz").json()["status"], "ok");
  EXPECT_EQ(server().client().Send("GET", "/readyz").status, 200);
}

TEST_F(ApiTest, WholeLifecycleFromQueueToReopen) {
  CreateTeam("sales");
  const std::string ana = CreateUser("ana", "agent", {"sales"});
  const std::string bia = CreateUser("bia", "agent", {"sales"});
  CreateChannel("wa");

  // A customer writes: a new queued conversation, in the queue of everyone.
  json in = Inbound("wa", "w1", "+55 11 91234-5678", "Oi, preciso de ajuda", "João");
  EXPECT_TRUE(in["created"].get<bool>());
  EXPECT_FALSE(in["reopened"].get<bool>());
  const std::string id = in["conversation_id"];
  json c = Conversation(id);
  EXPECT_EQ(c["status"], "queued");
  EXPECT_TRUE(c["assignee_id"].is_null());
  EXPECT_EQ(c["contact"]["name"], "João");
  EXPECT_EQ(c["thermometer"], "green");
  EXPECT_EQ(Ids(As(ana, "GET", "/api/v1/conversations?view=queue")), std::vector<std::string>{id});

  // Ana takes it: it leaves the queue and shows in her inbox.
  auto taken = As(ana, "POST", "/api/v1/conversations/" + id + "/take");
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(taken.json()["status"], "open");
  EXPECT_EQ(taken.json()["assignee_id"], "ana");
  EXPECT_FALSE(taken.headers["x-position"].empty());
  EXPECT_TRUE(Ids(As(ana, "GET", "/api/v1/conversations?view=queue")).empty());
  EXPECT_EQ(Ids(As(ana, "GET", "/api/v1/conversations?view=mine")), std::vector<std::string>{id});
  EXPECT_EQ(As(bia, "POST", "/api/v1/conversations/" + id + "/take").error_code(),
            "invalid_transition");

  // A private note does not answer the customer; a public reply does.
  auto note = As(ana, "POST", "/api/v1/conversations/" + id + "/messages",
                 {{"text", "cliente VIP, @bia"}, {"private", true}});
  ASSERT_EQ(note.status, 201) << note.body;
  EXPECT_FALSE(Conversation(id)["waiting_since"].is_null());
  auto reply = As(ana, "POST", "/api/v1/conversations/" + id + "/messages",
                  {{"text", "Claro! Qual o número do pedido?"}, {"await_reply", true}});
  ASSERT_EQ(reply.status, 201) << reply.body;
  EXPECT_EQ(reply.json()["direction"], "out");
  c = Conversation(id);
  EXPECT_TRUE(c["waiting_since"].is_null());
  EXPECT_TRUE(c["thermometer"].is_null());
  EXPECT_EQ(c["status"], "awaiting_customer");

  // The customer answers: open again, waiting again.
  Inbound("wa", "w2", "+5511912345678", "Pedido 123");
  c = Conversation(id);
  EXPECT_EQ(c["status"], "open");
  EXPECT_FALSE(c["waiting_since"].is_null());
  EXPECT_EQ(c["last_message"]["text"], "Pedido 123");

  // Transfer to the team only: back to that team's queue, nobody has it; Bia takes it.
  auto moved = As(ana, "POST", "/api/v1/conversations/" + id + "/transfer", {{"team_id", "sales"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.json()["status"], "queued");
  EXPECT_TRUE(moved.json()["assignee_id"].is_null());
  EXPECT_EQ(moved.json()["team_id"], "sales");
  EXPECT_EQ(Ids(As(bia, "GET", "/api/v1/conversations?view=queue")), std::vector<std::string>{id});
  ASSERT_EQ(As(bia, "POST", "/api/v1/conversations/" + id + "/take").status, 200);

  // Transfer to a user.
  auto to_ana = As(bia, "POST", "/api/v1/conversations/" + id + "/transfer", {{"user_id", "ana"}});
  EXPECT_EQ(to_ana.json()["assignee_id"], "ana");
  EXPECT_EQ(to_ana.json()["status"], "open");

  // Tags.
  EXPECT_EQ(
      As(ana, "POST", "/api/v1/conversations/" + id + "/tags", {{"tag", "pedido"}}).json()["tags"],
      json({"pedido"}));
  EXPECT_EQ(Ids(As(ana, "GET", "/api/v1/conversations?tag=pedido")), std::vector<std::string>{id});
  EXPECT_EQ(As(ana, "DELETE", "/api/v1/conversations/" + id + "/tags/pedido").json()["tags"],
            json::array());
  EXPECT_TRUE(Ids(As(ana, "GET", "/api/v1/conversations?tag=pedido")).empty());

  // Close with a reason, then reopen by hand.
  auto closed =
      As(ana, "POST", "/api/v1/conversations/" + id + "/close", {{"reason", "resolvido"}});
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.json()["status"], "closed");
  EXPECT_EQ(closed.json()["close_reason"], "resolvido");
  EXPECT_FALSE(closed.json()["closed_at"].is_null());
  EXPECT_EQ(Ids(As(ana, "GET", "/api/v1/conversations?view=closed")), std::vector<std::string>{id});
  EXPECT_TRUE(Ids(As(ana, "GET", "/api/v1/conversations?view=mine")).empty());
  EXPECT_EQ(
      As(ana, "POST", "/api/v1/conversations/" + id + "/messages", {{"text", "x"}}).error_code(),
      "invalid_transition");
  auto reopened = As(ana, "POST", "/api/v1/conversations/" + id + "/reopen");
  ASSERT_EQ(reopened.status, 200) << reopened.body;
  EXPECT_EQ(reopened.json()["status"], "open");
  EXPECT_EQ(As(ana, "POST", "/api/v1/conversations/" + id + "/reopen").error_code(),
            "invalid_transition");

  // Closed again; the customer writes within 7 days: the same conversation reopens.
  ASSERT_EQ(As(ana, "POST", "/api/v1/conversations/" + id + "/close", {{"reason", "sem resposta"}})
                .status,
            200);
  json again = Inbound("wa", "w3", "+5511912345678", "Voltei");
  EXPECT_EQ(again["conversation_id"], id);
  EXPECT_TRUE(again["reopened"].get<bool>());
  EXPECT_FALSE(again["created"].get<bool>());
  EXPECT_EQ(Conversation(id)["status"], "open");

  // The timeline has every event, private note included, oldest first.
  auto timeline =
      Admin("GET", "/api/v1/conversations/" + id + "/timeline?limit=500").json()["items"];
  std::vector<std::string> types;
  for (const auto& e : timeline) types.push_back(e["type"]);
  EXPECT_EQ(types.front(), "ConversationOpened");
  EXPECT_EQ(types.back(), "MessageReceived");
  EXPECT_NE(std::find(types.begin(), types.end(), "NoteAdded"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "ConversationReopened"), types.end());
  for (size_t i = 1; i < timeline.size(); ++i) {
    EXPECT_LT(timeline[i - 1]["position"].get<uint64_t>(), timeline[i]["position"].get<uint64_t>());
  }
  const auto& reopen_event = timeline[timeline.size() - 2];
  EXPECT_EQ(reopen_event["type"], "ConversationReopened");
  EXPECT_EQ(reopen_event["data"]["cause"], "customer_message");
  EXPECT_EQ(reopen_event["actor"]["type"], "contact");
}

TEST_F(ApiTest, PostponedConversationWakesAtItsTime) {
  const std::string ana = CreateUser("ana");
  CreateChannel("wa");
  const std::string id = Inbound("wa", "p1", "+551100001")["conversation_id"];
  ASSERT_EQ(As(ana, "POST", "/api/v1/conversations/" + id + "/take").status, 200);
  EXPECT_EQ(As(ana, "POST", "/api/v1/conversations/" + id + "/postpone", {{"until", Ago(10)}})
                .error_code(),
            "invalid_field");
  auto postponed =
      As(ana, "POST", "/api/v1/conversations/" + id + "/postpone", {{"until", Ago(-2)}});
  ASSERT_EQ(postponed.status, 200) << postponed.body;
  EXPECT_EQ(postponed.json()["status"], "postponed");
  EXPECT_FALSE(postponed.json()["postponed_until"].is_null());
  EXPECT_EQ(Ids(As(ana, "GET", "/api/v1/conversations?view=postponed")),
            std::vector<std::string>{id});

  std::string status;
  for (int i = 0; i < 100 && status != "open"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = Conversation(id)["status"];
  }
  EXPECT_EQ(status, "open") << "the conversation should have woken up";
  EXPECT_TRUE(Conversation(id)["postponed_until"].is_null());
  auto woke = Admin("GET", "/api/v1/events?type=ConversationWoke").json()["items"];
  ASSERT_EQ(woke.size(), 1u);
  EXPECT_EQ(woke[0]["data"]["cause"], "timer");
  EXPECT_EQ(woke[0]["actor"]["type"], "system");
}

TEST_F(ApiTest, CustomerMessageWakesAPostponedConversation) {
  const std::string ana = CreateUser("ana");
  CreateChannel("wa");
  const std::string id = Inbound("wa", "p1", "+551100001")["conversation_id"];
  As(ana, "POST", "/api/v1/conversations/" + id + "/take");
  ASSERT_EQ(
      As(ana, "POST", "/api/v1/conversations/" + id + "/postpone", {{"until", Ago(-3600)}}).status,
      200);
  json in = Inbound("wa", "p2", "+551100001", "still there?");
  EXPECT_EQ(in["conversation_id"], id);
  EXPECT_EQ(Conversation(id)["status"], "open");
}

TEST_F(ApiTest, ThermometerFollowsTheCustomersSentAt) {
  CreateChannel("wa");
  const std::string fresh =
      Inbound("wa", "t1", "+551100001", "hi", "A", Ago(60))["conversation_id"];
  const std::string warm =
      Inbound("wa", "t2", "+551100002", "hi", "B", Ago(7 * 60))["conversation_id"];
  const std::string hot =
      Inbound("wa", "t3", "+551100003", "hi", "C", Ago(20 * 60))["conversation_id"];
  EXPECT_EQ(Conversation(fresh)["thermometer"], "green");
  EXPECT_EQ(Conversation(warm)["thermometer"], "yellow");
  EXPECT_EQ(Conversation(hot)["thermometer"], "red");
  // A sent_at in the future counts as now.
  const std::string future =
      Inbound("wa", "t4", "+551100004", "hi", "D", Ago(-3600))["conversation_id"];
  EXPECT_EQ(Conversation(future)["thermometer"], "green");
  // waiting_longest puts the longest wait first.
  EXPECT_EQ(Ids(Admin("GET", "/api/v1/conversations?view=all&sort=waiting_longest")),
            (std::vector<std::string>{hot, warm, fresh, future}));
}

TEST_F(ApiTest, MessagesListAndCsvExport) {
  const std::string ana = CreateUser("ana");
  CreateChannel("wa");
  const std::string id =
      Inbound("wa", "e1", "+551100001", "Olá, \"tudo\" bem?", "Maria")["conversation_id"];
  As(ana, "POST", "/api/v1/conversations/" + id + "/take");
  As(ana, "POST", "/api/v1/conversations/" + id + "/messages",
     {{"text", "nota, interna"}, {"private", true}});
  As(ana, "POST", "/api/v1/conversations/" + id + "/messages", {{"text", "Tudo sim"}});
  auto messages = As(ana, "GET", "/api/v1/conversations/" + id + "/messages").json()["items"];
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[0]["direction"], "in");
  EXPECT_TRUE(messages[0]["author_id"].is_null());
  EXPECT_EQ(messages[1]["private"], true);
  EXPECT_EQ(messages[1]["author_id"], "ana");
  EXPECT_EQ(messages[2]["private"], false);

  auto csv = As(ana, "GET", "/api/v1/conversations/" + id + "/export.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.headers["content-type"].find("text/csv"), std::string::npos);
  EXPECT_EQ(csv.body.substr(0, csv.body.find("\r\n")), "at,direction,private,author,text");
  EXPECT_NE(csv.body.find(",in,false,Maria,\"Olá, \"\"tudo\"\" bem?\""), std::string::npos)
      << csv.body;
  EXPECT_NE(csv.body.find(",out,true,ana Name,\"nota, interna\""), std::string::npos) << csv.body;
  size_t rows = 0;
  for (size_t p = 0; (p = csv.body.find("\r\n", p)) != std::string::npos; p += 2) ++rows;
  EXPECT_EQ(rows, 4u);
}

}  // namespace
}  // namespace helpdesk::testing
