// The agent workspace over HTTP against the real binary: unread and read, colleagues invited
// into a conversation, and quick replies (create, list, search, edit, delete, send from one).
#include <chrono>

#include "domain/time.h"
#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

class WorkspaceTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    ana_ = CreateDeskWithAgentAna();
    bia_ = CreateUser("bia", "agent", json::array({"t1"}));
    sup_ = CreateUser("sup", "supervisor");
    CreateUser("aud", "auditor");
    conversation_ = Inbound("wa", "m1", "+5511911110000", "Oi")["conversation_id"];
    base_ = "/api/v1/conversations/" + conversation_;
  }
  std::string ana_, bia_, sup_, conversation_, base_;
};

TEST_F(WorkspaceTest, UnreadCountsForTheAssigneeUntilTheyReadIt) {
  ASSERT_EQ(As(ana_, "POST", base_ + "/take").status, 200);
  Inbound("wa", "m2", "+5511911110000", "Alguém aí?");
  EXPECT_EQ(Conversation(conversation_)["unread"], 2);
  // A colleague reading it changes nothing for Ana.
  auto by_bia = As(bia_, "POST", base_ + "/read");
  ASSERT_EQ(by_bia.status, 200) << by_bia.body;
  EXPECT_EQ(by_bia.json()["unread"], 2);
  EXPECT_NO_NEW_EVENTS(As(bia_, "POST", base_ + "/read"));
  auto by_ana = As(ana_, "POST", base_ + "/read");
  ASSERT_EQ(by_ana.status, 200) << by_ana.body;
  EXPECT_EQ(by_ana.json()["unread"], 0);
  EXPECT_FALSE(by_ana.headers["x-position"].empty());
  auto inbox = As(ana_, "GET", "/api/v1/conversations?view=mine");
  EXPECT_EQ(inbox.json()["items"][0]["unread"], 0);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/conversations/nope/read").status, 404);
  EXPECT_EQ(As(ana_, "POST", base_ + "/read", nullptr, {}).status, 200);
  EXPECT_EQ(server().As(ana_, "POST", base_ + "/read", "{not json").status, 400);
}

TEST_F(WorkspaceTest, ColleaguesAreInvitedAndLeave) {
  ASSERT_EQ(As(ana_, "POST", base_ + "/take").status, 200);
  auto invited = As(ana_, "POST", base_ + "/participants", {{"user_id", "bia"}});
  ASSERT_EQ(invited.status, 200) << invited.body;
  EXPECT_EQ(invited.json()["participants"], json::array({"bia"}));
  EXPECT_NO_NEW_EVENTS(As(ana_, "POST", base_ + "/participants", {{"user_id", "bia"}}));
  EXPECT_EQ(As(ana_, "POST", base_ + "/participants", {{"user_id", "ghost"}}).status, 404);
  auto auditor = As(ana_, "POST", base_ + "/participants", {{"user_id", "aud"}});
  EXPECT_EQ(auditor.status, 400);
  EXPECT_EQ(auditor.error_code(), "invalid_field");
  EXPECT_EQ(As(ana_, "POST", base_ + "/participants", json::object()).status, 400);
  // An agent removes only themselves; a supervisor anyone.
  EXPECT_EQ(As(ana_, "DELETE", base_ + "/participants/bia").status, 403);
  auto left = As(bia_, "DELETE", base_ + "/participants/bia");
  ASSERT_EQ(left.status, 200) << left.body;
  EXPECT_EQ(left.json()["participants"], json::array());
  EXPECT_EQ(As(bia_, "DELETE", base_ + "/participants/bia").status, 404);
  As(ana_, "POST", base_ + "/participants", {{"user_id", "bia"}});
  EXPECT_EQ(As(sup_, "DELETE", base_ + "/participants/bia").status, 200);
  // The timeline keeps who came and went.
  auto timeline = Admin("GET", base_ + "/timeline").json();
  int added = 0, removed = 0;
  for (const auto& item : timeline["items"]) {
    added += item["type"] == "ParticipantAdded";
    removed += item["type"] == "ParticipantRemoved";
  }
  EXPECT_EQ(added, 2);
  EXPECT_EQ(removed, 2);
  ASSERT_EQ(As(ana_, "POST", base_ + "/close", {{"reason", "ok"}}).status, 200);
  EXPECT_EQ(As(ana_, "POST", base_ + "/participants", {{"user_id", "bia"}}).status, 409);
}

TEST_F(WorkspaceTest, QuickRepliesArePublicOrPrivateAndSearchable) {
  auto hello = As(ana_, "POST", "/api/v1/quick-replies",
                  {{"id", "hello"}, {"shortcut", "/ola"}, {"text", "Olá! Como posso ajudar?"}});
  ASSERT_EQ(hello.status, 201) << hello.body;
  EXPECT_EQ(hello.json()["visibility"], "public");
  EXPECT_EQ(hello.json()["owner_id"], "ana");
  // The same create again is idempotent; another body under the same id is refused.
  EXPECT_EQ(As(ana_, "POST", "/api/v1/quick-replies",
               {{"id", "hello"}, {"shortcut", "/ola"}, {"text", "Olá! Como posso ajudar?"}})
                .status,
            200);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/quick-replies",
               {{"id", "hello"}, {"shortcut", "/ola"}, {"text", "Outro"}})
                .status,
            409);
  auto mine =
      As(ana_, "POST", "/api/v1/quick-replies",
         {{"shortcut", "/assinatura"}, {"text", "Ana — Suporte"}, {"visibility", "private"}});
  ASSERT_EQ(mine.status, 201) << mine.body;
  const std::string mine_id = mine.json()["id"];
  // The shortcut is taken for everyone who sees the public one.
  auto taken = As(bia_, "POST", "/api/v1/quick-replies", {{"shortcut", "/ola"}, {"text", "Oi"}});
  EXPECT_EQ(taken.status, 409);

  // By id: the server's ids are hex, so they sort before "hello".
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/quick-replies")),
            (std::vector<std::string>{mine_id, "hello"}));
  EXPECT_EQ(Ids(As(bia_, "GET", "/api/v1/quick-replies")), std::vector<std::string>{"hello"});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/quick-replies?q=AJUDAR")),
            std::vector<std::string>{"hello"});
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/quick-replies?q=assin")),
            std::vector<std::string>{mine_id});
  EXPECT_EQ(As(bia_, "GET", "/api/v1/quick-replies/" + mine_id).status, 404);

  // Bia cannot edit Ana's public one; a supervisor can; Ana can edit and delete her own.
  EXPECT_EQ(As(bia_, "PUT", "/api/v1/quick-replies/hello", {{"text", "x"}}).status, 403);
  auto edited = As(sup_, "PUT", "/api/v1/quick-replies/hello", {{"text", "Olá, tudo bem?"}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  EXPECT_EQ(edited.json()["text"], "Olá, tudo bem?");
  EXPECT_EQ(edited.json()["shortcut"], "/ola");
  // A supervisor making it private: the answer shows the result, then only Ana sees it.
  auto hidden = As(sup_, "PUT", "/api/v1/quick-replies/hello", {{"visibility", "private"}});
  ASSERT_EQ(hidden.status, 200) << hidden.body;
  EXPECT_EQ(hidden.json()["visibility"], "private");
  EXPECT_EQ(As(sup_, "GET", "/api/v1/quick-replies/hello").status, 404);
  ASSERT_EQ(As(ana_, "PUT", "/api/v1/quick-replies/hello", {{"visibility", "public"}}).status, 200);
  EXPECT_EQ(As(ana_, "PUT", "/api/v1/quick-replies/hello", {{"visibility", "secret"}}).status, 400);
  EXPECT_EQ(As(ana_, "PUT", "/api/v1/quick-replies/hello", {{"shortcut", "a b"}}).status, 400);
  EXPECT_EQ(As(ana_, "PUT", "/api/v1/quick-replies/hello", {{"text", 5}}).status, 400);
  auto deleted = As(ana_, "DELETE", "/api/v1/quick-replies/" + mine_id);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(As(ana_, "GET", "/api/v1/quick-replies/" + mine_id).status, 404);
  EXPECT_EQ(As(ana_, "DELETE", "/api/v1/quick-replies/" + mine_id).status, 404);
  EXPECT_EQ(As("", "GET", "/api/v1/quick-replies").status, 401);
  EXPECT_EQ(Admin("GET", "/api/v1/quick-replies").status, 200);
  // Auditors and analysts do not write to customers: no quick replies for them.
  const std::string analyst = CreateUser("an", "analyst");
  EXPECT_EQ(As(analyst, "GET", "/api/v1/quick-replies").status, 403);
}

TEST_F(WorkspaceTest, AMessageSentFromAQuickReplyRecordsIt) {
  ASSERT_EQ(As(ana_, "POST", "/api/v1/quick-replies",
               {{"id", "hello"}, {"shortcut", "/ola"}, {"text", "Olá! Como posso ajudar?"}})
                .status,
            201);
  ASSERT_EQ(As(ana_, "POST", base_ + "/take").status, 200);
  auto sent = As(ana_, "POST", base_ + "/messages", {{"quick_reply_id", "hello"}});
  ASSERT_EQ(sent.status, 201) << sent.body;
  EXPECT_EQ(sent.json()["text"], "Olá! Como posso ajudar?");
  EXPECT_EQ(sent.json()["quick_reply_id"], "hello");
  // Edited before sending: the agent's text, still from the quick reply.
  auto edited = As(ana_, "POST", base_ + "/messages",
                   {{"quick_reply_id", "hello"}, {"text", "Olá Rui! Como posso ajudar?"}});
  ASSERT_EQ(edited.status, 201) << edited.body;
  EXPECT_EQ(edited.json()["text"], "Olá Rui! Como posso ajudar?");
  auto feed = Admin("GET", "/api/v1/events?type=MessageSent").json();
  ASSERT_EQ(feed["items"].size(), 2u);
  EXPECT_EQ(feed["items"][0]["data"]["quick_reply_id"], "hello");
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(As(ana_, "POST", base_ + "/messages", {{"quick_reply_id", "nope"}}).status, 404);
    EXPECT_EQ(As(ana_, "POST", base_ + "/messages", {{"quick_reply_id", ""}}).status, 400);
    EXPECT_EQ(As(ana_, "POST", base_ + "/messages", {{"quick_reply_id", 7}}).status, 400);
  });
}

TEST_F(WorkspaceTest, AnAdminDeletesAConversationFromEveryViewNotFromTheLog) {
  ASSERT_EQ(As(ana_, "POST", base_ + "/take").status, 200);
  ASSERT_EQ(As(ana_, "POST", base_ + "/messages", {{"text", "Olá"}}).status, 201);
  const size_t events = EventCount();
  EXPECT_EQ(As(ana_, "DELETE", base_).status, 403);
  EXPECT_EQ(As(sup_, "DELETE", base_).status, 403);
  EXPECT_EQ(Admin("DELETE", base_, json{{"reason", 5}}).status, 400);
  EXPECT_EQ(EventCount(), events);
  auto deleted = Admin("DELETE", base_, {{"reason", "spam"}});
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(deleted.json(), json({{"id", conversation_}, {"deleted", true}}));
  const std::map<std::string, std::string> seen{{"X-Min-Position", deleted.headers["x-position"]}};
  EXPECT_EQ(Admin("GET", base_, nullptr, seen).status, 404);
  EXPECT_EQ(Admin("GET", base_ + "/messages").status, 404);
  EXPECT_EQ(Admin("GET", base_ + "/timeline").status, 404);
  EXPECT_TRUE(Ids(Admin("GET", "/api/v1/conversations?view=all")).empty());
  EXPECT_TRUE(Ids(As(ana_, "GET", "/api/v1/conversations?view=mine")).empty());
  EXPECT_EQ(As(ana_, "GET", "/api/v1/inbox/summary").json()["mine"]["open"], 0);
  EXPECT_EQ(Admin("GET", "/api/v1/inbox/summary").json()["general"]["total"], 0);
  // No command finds it any more; deleting twice is 404 too.
  EXPECT_EQ(As(ana_, "POST", base_ + "/close", {{"reason", "x"}}).status, 404);
  EXPECT_EQ(Admin("DELETE", base_).status, 404);
  // Auditors still find every event in the log, the deletion included.
  auto stream = Admin("GET", "/api/v1/events?stream=conversation/" + conversation_).json();
  ASSERT_FALSE(stream["items"].empty());
  EXPECT_EQ(stream["items"].back()["type"], "ConversationDeleted");
  EXPECT_EQ(stream["items"].back()["data"]["reason"], "spam");
  // The customer writes again: a new conversation, not the deleted one.
  auto again = Inbound("wa", "m9", "+5511911110000", "Oi de novo");
  EXPECT_NE(again["conversation_id"], conversation_);
  EXPECT_TRUE(again["created"].get<bool>());
  EXPECT_EQ(Ids(Admin("GET", "/api/v1/conversations?view=all")).size(), 1u);
}

TEST_F(WorkspaceTest, ABlockedContactsMessagesAreRecordedButOpenNothing) {
  const std::string contact = Conversation(conversation_)["contact"]["id"];
  ASSERT_EQ(As(ana_, "POST", base_ + "/close", {{"reason", "spam"}}).status, 200);
  auto blocked = As(ana_, "POST", "/api/v1/contacts/" + contact + "/block", {{"reason", "spam"}});
  ASSERT_EQ(blocked.status, 200) << blocked.body;
  EXPECT_TRUE(blocked.json()["blocked"].get<bool>());
  EXPECT_NO_NEW_EVENTS(As(ana_, "POST", "/api/v1/contacts/" + contact + "/block"));
  EXPECT_EQ(As(ana_, "POST", "/api/v1/contacts/nobody/block").status, 404);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/contacts/" + contact + "/block", {{"reason", 1}}).status,
            400);

  // The message is kept, but the closed conversation does not reopen and no new one opens.
  auto in = Admin("POST", "/api/v1/channels/wa/inbound",
                  {{"external_id", "b1"},
                   {"from", {{"phone", "+55 11 91111-0000"}}},
                   {"text", "compre agora"}});
  ASSERT_EQ(in.status, 201) << in.body;
  EXPECT_TRUE(in.json()["conversation_id"].is_null());
  EXPECT_TRUE(in.json()["blocked"].get<bool>());
  EXPECT_EQ(in.json()["contact_id"], contact);
  EXPECT_EQ(Conversation(conversation_)["status"], "closed");
  EXPECT_TRUE(Ids(Admin("GET", "/api/v1/conversations?view=queue")).empty());
  auto feed = Admin("GET", "/api/v1/events?type=BlockedMessageReceived").json();
  ASSERT_EQ(feed["items"].size(), 1u);
  EXPECT_EQ(feed["items"][0]["data"]["text"], "compre agora");
  EXPECT_EQ(feed["items"][0]["stream"], "contact/" + contact);
  // Delivered again: a duplicate, like any message.
  auto again = Admin("POST", "/api/v1/channels/wa/inbound",
                     {{"external_id", "b1"},
                      {"from", {{"phone", "+55 11 91111-0000"}}},
                      {"text", "compre agora"}});
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.json()["message_id"], in.json()["message_id"]);

  // Unblocked: the next message reopens the conversation as usual.
  auto unblocked = As(sup_, "POST", "/api/v1/contacts/" + contact + "/unblock");
  ASSERT_EQ(unblocked.status, 200) << unblocked.body;
  EXPECT_FALSE(unblocked.json()["blocked"].get<bool>());
  auto back = Inbound("wa", "b2", "+5511911110000", "desculpa, era engano");
  EXPECT_EQ(back["conversation_id"], conversation_);
  EXPECT_TRUE(back["reopened"].get<bool>());
  const std::string analyst = CreateUser("an", "analyst");
  EXPECT_EQ(As(analyst, "POST", "/api/v1/contacts/" + contact + "/block").status, 403);
}

TEST_F(WorkspaceTest, EmailKeepsTheNewTextApartFromTheQuotedHistoryAndItsFormatting) {
  CreateChannel("mail", "email");
  auto in = Admin("POST", "/api/v1/channels/mail/inbound",
                  {{"external_id", "<m1@mail>"},
                   {"from", {{"name", "Rui"}, {"email", "rui@example.com"}}},
                   {"html",
                    "<p>Ainda <b>não</b> chegou:</p><ul><li>pedido 1</li><li>pedido 2</li></ul>"
                    "<div>Em seg., 30 de nov. de 2026, Suporte escreveu:</div>"
                    "<blockquote>Seu pedido foi <i>enviado</i>.</blockquote>"}});
  ASSERT_EQ(in.status, 201) << in.body;
  const std::string id = in.json()["conversation_id"];
  auto messages = Admin("GET", "/api/v1/conversations/" + id + "/messages").json()["items"];
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0]["text"], "Ainda **não** chegou:\n\n- pedido 1\n- pedido 2");
  EXPECT_EQ(messages[0]["quoted"],
            "Em seg., 30 de nov. de 2026, Suporte escreveu:\n> Seu pedido foi _enviado_.");
  EXPECT_EQ(Conversation(id)["last_message"]["text"], messages[0]["text"]);
  // Plain text on other channels is never split.
  auto wa = Inbound("wa", "m5", "+5511922220000", "> citando\nEm algum dia alguém escreveu:");
  auto wa_messages = Admin("GET", "/api/v1/conversations/" +
                                      wa["conversation_id"].get<std::string>() + "/messages")
                         .json()["items"];
  EXPECT_EQ(wa_messages[0]["quoted"], "");
  EXPECT_EQ(
      Admin("POST", "/api/v1/channels/mail/inbound",
            {{"external_id", "<m2@mail>"}, {"from", {{"email", "rui@example.com"}}}, {"html", 5}})
          .status,
      400);
}

TEST_F(WorkspaceTest, TemplatesStartConversationsWithOptedInContactsAndReopenTheWindow) {
  auto tpl = Admin("POST", "/api/v1/channels/wa/templates",
                   {{"id", "welcome"},
                    {"name", "pedido_enviado"},
                    {"body", "Olá {{1}}, seu pedido {{2}} saiu."}});
  ASSERT_EQ(tpl.status, 201) << tpl.body;
  EXPECT_EQ(tpl.json()["params"], 2);
  EXPECT_EQ(
      Admin("POST", "/api/v1/channels/wa/templates", {{"name", "x"}, {"body", "{{2}}"}}).status,
      400);
  EXPECT_EQ(
      Admin("POST", "/api/v1/channels/nope/templates", {{"name", "x"}, {"body", "Oi"}}).status,
      404);
  EXPECT_EQ(
      As(ana_, "POST", "/api/v1/channels/wa/templates", {{"name", "x"}, {"body", "Oi"}}).status,
      403);
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/channels/wa/templates")),
            std::vector<std::string>{"welcome"});

  // Rui's first conversation is over; the business writes first now.
  const std::string contact = Conversation(conversation_)["contact"]["id"];
  ASSERT_EQ(Admin("POST", base_ + "/close", {{"reason", "ok"}}).status, 200);
  const json start{{"id", "c-rui-2"},
                   {"contact_id", contact},
                   {"channel_id", "wa"},
                   {"template_id", "welcome"},
                   {"params", {"Rui", "123"}}};
  auto refused = As(ana_, "POST", "/api/v1/conversations", start);
  EXPECT_EQ(refused.status, 409) << refused.body;  // no opt-in on WhatsApp
  auto opted = As(ana_, "POST", "/api/v1/contacts/" + contact + "/opt-in",
                  {{"channel_id", "wa"}, {"source", "checkout"}});
  ASSERT_EQ(opted.status, 200) << opted.body;
  EXPECT_EQ(opted.json()["opt_ins"], json::array({"wa"}));
  auto started = As(ana_, "POST", "/api/v1/conversations", start);
  ASSERT_EQ(started.status, 201) << started.body;
  const json c = started.json();
  EXPECT_EQ(c["id"], "c-rui-2");
  EXPECT_EQ(c["status"], "open");
  EXPECT_EQ(c["assignee_id"], "ana");
  EXPECT_EQ(c["last_message"]["text"], "Olá Rui, seu pedido 123 saiu.");
  EXPECT_TRUE(c["window_expires_at"].is_null());  // the customer has not written yet
  EXPECT_EQ(As(ana_, "POST", "/api/v1/conversations", start).status, 200);  // a retry
  EXPECT_EQ(Admin("POST", "/api/v1/conversations", start).status, 403);     // not a user

  // Until Rui answers, only templates go out.
  const std::string rui = "/api/v1/conversations/c-rui-2";
  auto free_text = As(ana_, "POST", rui + "/messages", {{"text", "Alguma dúvida?"}});
  EXPECT_EQ(free_text.status, 409);
  EXPECT_EQ(free_text.error_code(), "window_closed");
  EXPECT_EQ(
      As(ana_, "POST", rui + "/messages", {{"text", "nota interna"}, {"private", true}}).status,
      201);  // notes never reach the customer
  auto again =
      As(ana_, "POST", rui + "/messages", {{"template_id", "welcome"}, {"params", {"Rui", "124"}}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.json()["text"], "Olá Rui, seu pedido 124 saiu.");
  EXPECT_EQ(
      As(ana_, "POST", rui + "/messages", {{"template_id", "welcome"}, {"params", {"Rui"}}}).status,
      400);
  EXPECT_EQ(As(ana_, "POST", rui + "/messages", {{"template_id", "nope"}}).status, 404);
  EXPECT_EQ(As(ana_, "POST", rui + "/messages",
               {{"template_id", "welcome"}, {"params", {"a", "b"}}, {"text", "x"}})
                .status,
            400);

  // Rui answers: the conversation he is in takes it, and the window opens for 24 hours.
  auto answer = Inbound("wa", "m3", "+5511911110000", "Obrigado!");
  EXPECT_EQ(answer["conversation_id"], "c-rui-2");
  const json after = Conversation("c-rui-2");
  ASSERT_TRUE(after["window_expires_at"].is_string());
  EXPECT_GT(after["window_expires_at"].get<std::string>(),
            after["last_message"]["at"].get<std::string>());
  EXPECT_EQ(As(ana_, "POST", rui + "/messages", {{"text", "De nada!"}}).status, 201);
}

TEST_F(WorkspaceTest, FreeTextMoreThanADayAfterTheCustomerWroteIsRefusedOnWhatsAppOnly) {
  const std::string old =
      FormatRfc3339(Timestamp{std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count() -
                              25 * 3600 * 1000LL});
  const std::string late =
      Inbound("wa", "o1", "+5511944440000", "Oi?", "Lia", old)["conversation_id"];
  ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + late + "/take").status, 200);
  auto refused = As(ana_, "POST", "/api/v1/conversations/" + late + "/messages", {{"text", "Oi"}});
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.error_code(), "window_closed");
  CreateChannel("sms1", "sms");
  const std::string sms =
      Inbound("sms1", "o2", "+5511944440000", "Oi?", "Lia", old)["conversation_id"];
  ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + sms + "/take").status, 200);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/conversations/" + sms + "/messages", {{"text", "Oi"}}).status,
            201);
  EXPECT_TRUE(Conversation(sms)["window_expires_at"].is_null());
}

TEST_F(WorkspaceTest, AnInvitedColleagueIsToldAndListsWhereTheyParticipate) {
  ASSERT_EQ(As(ana_, "POST", base_ + "/take").status, 200);
  Inbound("wa", "m9", "+5511922220000", "Outro");  // another conversation, nobody invited
  EXPECT_TRUE(Ids(As(bia_, "GET", "/api/v1/conversations?view=participating")).empty());
  auto invited = As(ana_, "POST", base_ + "/participants", {{"user_id", "bia"}});
  ASSERT_EQ(invited.status, 200) << invited.body;
  const std::map<std::string, std::string> seen{{"X-Min-Position", invited.headers["x-position"]}};
  const json told = As(bia_, "GET", "/api/v1/notifications", nullptr, seen).json();
  ASSERT_EQ(told["items"].size(), 1u);
  EXPECT_EQ(told["items"][0]["kind"], "invited");
  EXPECT_EQ(told["items"][0]["conversation_id"], conversation_);
  EXPECT_EQ(told["items"][0]["actor"]["id"], "ana");
  EXPECT_EQ(Ids(As(bia_, "GET", "/api/v1/conversations?view=participating", nullptr, seen)),
            std::vector<std::string>{conversation_});
  // Only the invited: not the assignee, not the one who invited.
  EXPECT_TRUE(Ids(As(ana_, "GET", "/api/v1/conversations?view=participating")).empty());
  // Inviting oneself tells nobody; leaving takes it off the list.
  ASSERT_EQ(As(sup_, "POST", base_ + "/participants", {{"user_id", "sup"}}).status, 200);
  EXPECT_TRUE(As(sup_, "GET", "/api/v1/notifications").json()["items"].empty());
  ASSERT_EQ(As(bia_, "DELETE", base_ + "/participants/bia").status, 200);
  EXPECT_TRUE(Ids(As(bia_, "GET", "/api/v1/conversations?view=participating")).empty());
  EXPECT_EQ(Ids(As(sup_, "GET", "/api/v1/conversations?view=participating")),
            std::vector<std::string>{conversation_});
  // A closed conversation is off the working list.
  ASSERT_EQ(As(ana_, "POST", base_ + "/close", {{"reason", "ok"}}).status, 200);
  EXPECT_TRUE(Ids(As(sup_, "GET", "/api/v1/conversations?view=participating")).empty());
}

TEST_F(WorkspaceTest, TheWaitingViewListsCustomersAwaitingOurReplyLongestFirst) {
  const std::string second = Inbound("wa", "m2", "+5511922220000", "Oi")["conversation_id"];
  const std::string third = Inbound("wa", "m3", "+5511933330000", "Oi")["conversation_id"];
  const std::string fourth = Inbound("wa", "m4", "+5511944440000", "Oi")["conversation_id"];
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=waiting")),
            (std::vector<std::string>{conversation_, second, third, fourth}));
  // Answered: off the list; closed: off the list; whatever `sort` says, longest first.
  ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + second + "/take").status, 200);
  ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + second + "/messages", {{"text", "Olá!"}})
                .status,
            201);
  ASSERT_EQ(
      As(sup_, "POST", "/api/v1/conversations/" + fourth + "/close", {{"reason", "spam"}}).status,
      200);
  auto waiting = As(ana_, "GET", "/api/v1/conversations?view=waiting&sort=recent&limit=1");
  ASSERT_EQ(waiting.status, 200) << waiting.body;
  EXPECT_EQ(Ids(waiting), std::vector<std::string>{conversation_});
  const json page = waiting.json();
  ASSERT_TRUE(page["next_cursor"].is_string());
  auto rest = As(ana_, "GET",
                 "/api/v1/conversations?view=waiting&cursor=" +
                     page["next_cursor"].get<std::string>());
  EXPECT_EQ(Ids(rest), std::vector<std::string>{third});
  // The customer writes again: waiting again, since that message.
  Inbound("wa", "m5", "+5511922220000", "E aí?");
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=waiting")),
            (std::vector<std::string>{conversation_, third, second}));
  EXPECT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=waiting&assignee_id=ana")),
            std::vector<std::string>{second});
  EXPECT_EQ(As(ana_, "GET", "/api/v1/conversations?view=later").error_code(), "invalid_field");
}

TEST_F(WorkspaceTest, TheTagCatalogCountsOpenConversationsAndRemembersLastUse) {
  const std::string second = Inbound("wa", "m2", "+5511922220000", "Oi")["conversation_id"];
  ASSERT_EQ(As(ana_, "POST", base_ + "/tags", {{"tag", "vip"}}).status, 200);
  ASSERT_EQ(As(ana_, "POST", "/api/v1/conversations/" + second + "/tags", {{"tag", "vip"}}).status,
            200);
  ASSERT_EQ(As(ana_, "POST", base_ + "/tags", {{"tag", "urgente"}}).status, 200);
  auto contact = As(sup_, "POST", "/api/v1/contacts",
                    {{"name", "Rita"}, {"phone", "+5511955550000"}, {"tags", {"vip", "varejo"}}});
  ASSERT_EQ(contact.status, 201) << contact.body;

  auto catalog = As(bia_, "GET", "/api/v1/tags");
  ASSERT_EQ(catalog.status, 200) << catalog.body;
  const json items = catalog.json()["items"];
  ASSERT_EQ(items.size(), 3u);  // A→Z
  EXPECT_EQ(items[0]["tag"], "urgente");
  EXPECT_EQ(items[0]["open_count"], 1);
  EXPECT_EQ(items[1]["tag"], "varejo");
  EXPECT_EQ(items[1]["open_count"], 0);
  EXPECT_EQ(items[1]["contacts_count"], 1);
  EXPECT_EQ(items[2]["tag"], "vip");
  EXPECT_EQ(items[2]["open_count"], 2);
  EXPECT_EQ(items[2]["contacts_count"], 1);
  EXPECT_TRUE(ParseRfc3339(items[2]["last_used_at"].get<std::string>()).has_value());

  // Closing and untagging leave the tag in the catalog with fewer open conversations.
  ASSERT_EQ(As(ana_, "POST", base_ + "/take").status, 200);
  ASSERT_EQ(As(ana_, "POST", base_ + "/close", {{"reason", "ok"}}).status, 200);
  ASSERT_EQ(As(ana_, "DELETE", "/api/v1/conversations/" + second + "/tags/vip").status, 200);
  auto prefixed = As(ana_, "GET", "/api/v1/tags?q=v&limit=1");
  ASSERT_EQ(prefixed.status, 200);
  const json first_page = prefixed.json();
  ASSERT_EQ(first_page["items"].size(), 1u);
  EXPECT_EQ(first_page["items"][0]["tag"], "varejo");
  auto next = As(ana_, "GET",
                 "/api/v1/tags?q=v&limit=1&cursor=" + first_page["next_cursor"].get<std::string>());
  const json second_page = next.json();
  ASSERT_EQ(second_page["items"].size(), 1u);
  EXPECT_EQ(second_page["items"][0]["tag"], "vip");
  EXPECT_EQ(second_page["items"][0]["open_count"], 0);
  EXPECT_TRUE(second_page["next_cursor"].is_null());
  EXPECT_TRUE(As(ana_, "GET", "/api/v1/tags?q=zz").json()["items"].empty());
  EXPECT_EQ(As(ana_, "GET", "/api/v1/tags?cursor=zz").error_code(), "invalid_field");
  EXPECT_EQ(As(ana_, "GET", "/api/v1/tags?q=" + std::string(65, 'a')).status, 400);
}

TEST_F(WorkspaceTest, MentionsAssignmentsAndTeamQueuesNotifyAndAreMarkedRead) {
  ASSERT_EQ(As(ana_, "POST", base_ + "/take").status, 200);
  ASSERT_EQ(As(ana_, "POST", base_ + "/messages", {{"text", "@bia pode olhar?"}, {"private", true}})
                .status,
            201);
  auto bia = As(bia_, "GET", "/api/v1/notifications");
  ASSERT_EQ(bia.status, 200) << bia.body;
  ASSERT_EQ(bia.json()["items"].size(), 1u);
  EXPECT_EQ(bia.json()["unread"], 1);
  const json mention = bia.json()["items"][0];
  EXPECT_EQ(mention["kind"], "mention");
  EXPECT_EQ(mention["conversation_id"], conversation_);
  EXPECT_EQ(mention["actor"]["id"], "ana");
  EXPECT_EQ(mention["text"], "@bia pode olhar?");
  EXPECT_FALSE(mention["read"].get<bool>());
  EXPECT_TRUE(As(ana_, "GET", "/api/v1/notifications").json()["items"].empty());

  // Assigned by a supervisor, then back to the team's queue: Ana and Bia are in t1.
  ASSERT_EQ(As(sup_, "POST", base_ + "/assign", {{"user_id", "bia"}}).status, 200);
  ASSERT_EQ(As(sup_, "POST", base_ + "/transfer", {{"team_id", "t1"}}).status, 200);
  auto all = As(bia_, "GET", "/api/v1/notifications").json();
  ASSERT_EQ(all["items"].size(), 3u);
  EXPECT_EQ(all["items"][0]["kind"], "queued");  // newest first
  EXPECT_EQ(all["items"][1]["kind"], "assigned");
  EXPECT_EQ(all["unread"], 3);
  EXPECT_EQ(As(ana_, "GET", "/api/v1/notifications").json()["items"][0]["kind"], "queued");

  auto read_one =
      As(bia_, "POST", "/api/v1/notifications/read", {{"ids", {mention["id"].get<std::string>()}}});
  ASSERT_EQ(read_one.status, 200) << read_one.body;
  EXPECT_EQ(read_one.json()["unread"], 2);
  EXPECT_EQ(As(bia_, "GET", "/api/v1/notifications?unread=true").json()["items"].size(), 2u);
  auto read_all = As(bia_, "POST", "/api/v1/notifications/read", {{"all", true}});
  EXPECT_EQ(read_all.json()["unread"], 0);
  EXPECT_TRUE(As(bia_, "GET", "/api/v1/notifications?unread=true").json()["items"].empty());
  EXPECT_EQ(As(bia_, "GET", "/api/v1/notifications").json()["items"].size(), 3u);

  EXPECT_EQ(As(bia_, "POST", "/api/v1/notifications/read", json::object()).status, 400);
  EXPECT_EQ(As(bia_, "POST", "/api/v1/notifications/read", {{"ids", "x"}}).status, 400);
  EXPECT_EQ(As(bia_, "GET", "/api/v1/notifications?unread=maybe").status, 400);
  EXPECT_EQ(Admin("GET", "/api/v1/notifications").status, 403);  // not a user
}

TEST_F(WorkspaceTest, AnIgnoredConversationLeavesOnlyTheCallersQueueForAWhile) {
  ASSERT_EQ(Ids(As(ana_, "GET", "/api/v1/conversations?view=queue")),
            std::vector<std::string>{conversation_});
  auto ignored = As(ana_, "POST", base_ + "/ignore");  // half an hour by default
  ASSERT_EQ(ignored.status, 200) << ignored.body;
  EXPECT_TRUE(ignored.json()["ignored_by"]["ana"].is_string());
  const std::map<std::string, std::string> seen{{"X-Min-Position", ignored.headers["x-position"]}};
  EXPECT_TRUE(Ids(As(ana_, "GET", "/api/v1/conversations?view=queue", nullptr, seen)).empty());
  EXPECT_EQ(Ids(As(bia_, "GET", "/api/v1/conversations?view=queue", nullptr, seen)),
            std::vector<std::string>{conversation_});  // only Ana's queue
  EXPECT_EQ(As(ana_, "POST", base_ + "/ignore", {{"until", "2020-01-01T00:00:00Z"}}).status, 400);
  EXPECT_EQ(As(ana_, "POST", base_ + "/ignore", {{"until", "2999-01-01T00:00:00Z"}}).status, 400);
  EXPECT_EQ(As(ana_, "POST", base_ + "/ignore", {{"until", "soon"}}).status, 400);
  EXPECT_EQ(Admin("POST", base_ + "/ignore").status, 403);  // the bootstrap admin has no queue
  // Bia takes it: ignoring is over, and only queued conversations can be ignored.
  ASSERT_EQ(As(bia_, "POST", base_ + "/take").status, 200);
  EXPECT_EQ(Conversation(conversation_)["ignored_by"], json::object());
  EXPECT_EQ(As(ana_, "POST", base_ + "/ignore").status, 409);
}

TEST_F(WorkspaceTest, ProtocolsAreUniqueSequentialPerYearAndFindTheConversation) {
  const std::string other = Inbound("wa", "p2", "+5511955550000", "Oi")["conversation_id"];
  auto first = As(ana_, "POST", base_ + "/protocol");
  ASSERT_EQ(first.status, 201) << first.body;
  const std::string protocol = first.json()["protocol"];
  ASSERT_EQ(protocol.size(), 11u);  // "2026-000001"
  EXPECT_EQ(protocol.substr(4), "-000001");
  auto second = As(bia_, "POST", "/api/v1/conversations/" + other + "/protocol");
  ASSERT_EQ(second.status, 201) << second.body;
  EXPECT_EQ(second.json()["protocol"], protocol.substr(0, 4) + "-000002");
  // One protocol per conversation: asking again answers the same one and records nothing.
  EXPECT_NO_NEW_EVENTS({
    auto again = As(ana_, "POST", base_ + "/protocol");
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.json()["protocol"], protocol);
  });
  auto found = As(sup_, "GET", "/api/v1/protocols/" + protocol);
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(found.json()["id"], conversation_);
  EXPECT_EQ(Conversation(conversation_)["protocol"], protocol);
  EXPECT_EQ(As(sup_, "GET", "/api/v1/protocols/1999-000001").status, 404);
  EXPECT_EQ(As(ana_, "POST", "/api/v1/conversations/nope/protocol").status, 404);
  const std::string auditor = CreateUser("aud2", "auditor");
  EXPECT_EQ(As(auditor, "POST", base_ + "/protocol").status, 403);
  EXPECT_EQ(As(auditor, "GET", "/api/v1/protocols/" + protocol).status, 200);
}

}  // namespace
}  // namespace helpdesk::testing
