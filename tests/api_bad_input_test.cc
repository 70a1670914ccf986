// Bad input gets the contract's status and error code, and changes nothing.
#include <sys/stat.h>

#include <fstream>

#include "tests/api_fixture.h"

namespace helpdesk::testing {
namespace {

class BadInputTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    CreateTeam("t1");
    agent_ = CreateUser("ana", "agent", {"t1"});
    auditor_ = CreateUser("audrey", "auditor");
    analyst_ = CreateUser("alan", "analyst");
    CreateChannel("wa");
    id_ = Inbound("wa", "first", "+551100001")["conversation_id"];
  }
  HttpReply Raw(const std::string& method, const std::string& path, const std::string& body,
                const std::string& token = kAdminToken) {
    return server().As(token, method, path, body);
  }
  std::string agent_, auditor_, analyst_, id_;
};

TEST_F(BadInputTest, MalformedJsonIsInvalidJson) {
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(Raw("POST", "/api/v1/users", "{\"name\": ").error_code(), "invalid_json");
    EXPECT_EQ(Raw("POST", "/api/v1/teams", "[1,2]").error_code(), "invalid_json");
    EXPECT_EQ(Raw("POST", "/api/v1/channels/wa/inbound", "not json").error_code(), "invalid_json");
    EXPECT_EQ(Raw("POST", "/api/v1/conversations/" + id_ + "/messages", "{", agent_).error_code(),
              "invalid_json");
    EXPECT_EQ(Raw("POST", "/api/v1/conversations/" + id_ + "/close", "", agent_).error_code(),
              "invalid_json");
    auto r = Raw("POST", "/api/v1/users", "\xff\xfe{}");
    EXPECT_EQ(r.status, 400);
  });
}

TEST_F(BadInputTest, WrongTypesAndMissingFieldsNameTheField) {
  EXPECT_NO_NEW_EVENTS({
    auto r = Admin("POST", "/api/v1/users", {{"name", 42}, {"email", "a@b.co"}, {"role", "agent"}});
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.error_code(), "invalid_field");
    EXPECT_NE(r.json()["error"]["message"].get<std::string>().find("name"), std::string::npos);
    EXPECT_EQ(Admin("POST", "/api/v1/users", {{"name", "X"}, {"email", "a@b.co"}}).error_code(),
              "invalid_field");
    EXPECT_EQ(Admin("POST", "/api/v1/users", {{"name", "X"}, {"email", "nope"}, {"role", "agent"}})
                  .error_code(),
              "invalid_field");
    EXPECT_EQ(Admin("POST", "/api/v1/users", {{"name", "X"}, {"email", "x@b.co"}, {"role", "king"}})
                  .error_code(),
              "invalid_field");
    EXPECT_EQ(Admin("POST", "/api/v1/users",
                    {{"name", "X"}, {"email", "x@b.co"}, {"role", "agent"}, {"teams", "t1"}})
                  .error_code(),
              "invalid_field");
    EXPECT_EQ(Admin("POST", "/api/v1/users",
                    {{"id", "bad id!"}, {"name", "X"}, {"email", "x@b.co"}, {"role", "agent"}})
                  .error_code(),
              "invalid_field");
    EXPECT_EQ(
        Admin("POST", "/api/v1/channels", {{"type", "pigeon"}, {"name", "x"}, {"address", "y"}})
            .error_code(),
        "invalid_field");
    EXPECT_EQ(Admin("POST", "/api/v1/channels/wa/inbound", {{"external_id", "z"}, {"text", "hi"}})
                  .error_code(),
              "invalid_field");  // no from
    EXPECT_EQ(Admin("POST", "/api/v1/channels/wa/inbound",
                    {{"external_id", "z"}, {"from", {{"name", "n"}}}, {"text", "hi"}})
                  .error_code(),
              "invalid_field");  // whatsapp needs a phone
    EXPECT_EQ(Admin("POST", "/api/v1/channels/wa/inbound",
                    {{"external_id", 7}, {"from", {{"phone", "+5511"}}}, {"text", "hi"}})
                  .error_code(),
              "invalid_field");
    EXPECT_EQ(Admin("POST", "/api/v1/channels/wa/inbound",
                    {{"external_id", "z"},
                     {"from", {{"phone", "+5511"}}},
                     {"text", "hi"},
                     {"sent_at", "yesterday"}})
                  .error_code(),
              "invalid_field");
    const std::string c = "/api/v1/conversations/" + id_;
    EXPECT_EQ(As(agent_, "POST", c + "/messages", {{"text", ""}}).error_code(), "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/messages", {{"text", std::string(70000, 'x')}}).error_code(),
              "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/close", {{"reason", std::string(300, 'r')}}).error_code(),
              "invalid_field");
    EXPECT_EQ(Admin("POST", "/api/v1/teams", {{"name", std::string(300, 'n')}}).error_code(),
              "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/messages", {{"text", "x"}, {"private", "yes"}}).error_code(),
              "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/close", {{"reason", ""}}).error_code(), "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/close", json::object()).error_code(), "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/postpone", {{"until", "tomorrow"}}).error_code(),
              "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/postpone", {{"until", "2001-01-01T00:00:00Z"}}).error_code(),
              "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/transfer", json::object()).error_code(), "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/tags", {{"tag", json::array()}}).error_code(),
              "invalid_field");
    // A tag is part of view keys: a '\0' in it would reach into other lists.
    EXPECT_EQ(As(agent_, "POST", c + "/tags", {{"tag", std::string("vip\0x", 5)}}).error_code(),
              "invalid_field");
    EXPECT_EQ(As(agent_, "GET", "/api/v1/conversations?view=everything").error_code(),
              "invalid_field");
    EXPECT_EQ(As(agent_, "GET", "/api/v1/conversations?sort=random").error_code(), "invalid_field");
    EXPECT_EQ(As(agent_, "GET", "/api/v1/conversations?limit=0").error_code(), "invalid_field");
    EXPECT_EQ(As(agent_, "GET", "/api/v1/conversations?limit=501").error_code(), "invalid_field");
    EXPECT_EQ(As(agent_, "GET", "/api/v1/conversations?cursor=zz").error_code(), "invalid_field");
    EXPECT_EQ(
        As(agent_, "PUT", "/api/v1/users/ana/presence", {{"status", "sleeping"}}).error_code(),
        "invalid_field");
  });
}

TEST_F(BadInputTest, DeeplyNestedJsonAndNonUtf8IdsAreRefusedCleanly) {
  const std::string deep = "{\"external_id\":\"x\",\"from\":{\"phone\":\"1\"},\"attachments\":" +
                           std::string(100000, '[') + std::string(100000, ']') + "}";
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(Raw("POST", "/api/v1/channels/wa/inbound", deep).error_code(), "invalid_json");
    auto r = As(agent_, "GET", "/api/v1/conversations/%FF%FE");
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.error_code(), "not_found");
  });
  EXPECT_EQ(server().client().Send("GET", "/healthz").status, 200);
}

TEST_F(BadInputTest, UnknownIdsAreNotFound) {
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(As(agent_, "GET", "/api/v1/conversations/nope").status, 404);
    EXPECT_EQ(As(agent_, "GET", "/api/v1/conversations/nope/messages").error_code(), "not_found");
    EXPECT_EQ(As(agent_, "GET", "/api/v1/conversations/nope/timeline").error_code(), "not_found");
    EXPECT_EQ(As(agent_, "POST", "/api/v1/conversations/nope/take").error_code(), "not_found");
    EXPECT_EQ(
        As(agent_, "POST", "/api/v1/conversations/nope/close", {{"reason", "x"}}).error_code(),
        "not_found");
    EXPECT_EQ(As(agent_, "POST", "/api/v1/conversations/" + id_ + "/assign", {{"user_id", "ghost"}})
                  .error_code(),
              "not_found");
    EXPECT_EQ(
        As(agent_, "POST", "/api/v1/conversations/" + id_ + "/transfer", {{"team_id", "ghost"}})
            .error_code(),
        "not_found");
    EXPECT_EQ(As(agent_, "DELETE", "/api/v1/conversations/" + id_ + "/tags/never").error_code(),
              "not_found");
    EXPECT_EQ(Admin("POST", "/api/v1/channels/ghost/inbound",
                    {{"external_id", "z"}, {"from", {{"phone", "1"}}}, {"text", "x"}})
                  .error_code(),
              "not_found");
    EXPECT_EQ(Admin("POST", "/api/v1/teams/ghost/members", {{"user_id", "ana"}}).error_code(),
              "not_found");
    EXPECT_EQ(Admin("POST", "/api/v1/teams/t1/members", {{"user_id", "ghost"}}).error_code(),
              "not_found");
    EXPECT_EQ(Admin("PUT", "/api/v1/users/ghost/presence", {{"status", "online"}}).error_code(),
              "not_found");
    EXPECT_EQ(Admin("POST", "/api/v1/users",
                    {{"name", "X"}, {"email", "x@b.co"}, {"role", "agent"}, {"teams", {"ghost"}}})
                  .error_code(),
              "not_found");
    EXPECT_EQ(Admin("GET", "/api/v1/no/such/route").status, 404);
  });
}

TEST_F(BadInputTest, OversizedBodyIsTooLarge) {
  const std::string huge = "{\"text\":\"" + std::string(30 * 1024 * 1024, 'a') + "\"}";
  EXPECT_NO_NEW_EVENTS({
    auto r = Raw("POST", "/api/v1/conversations/" + id_ + "/messages", huge, agent_);
    EXPECT_EQ(r.status, 413);
    EXPECT_EQ(r.error_code(), "too_large");
  });
  EXPECT_EQ(server().client().Send("GET", "/healthz").status, 200) << "the server must survive";
}

TEST_F(BadInputTest, MissingOrWrongTokenIsUnauthorized) {
  EXPECT_NO_NEW_EVENTS({
    auto none = server().client().Send("POST", "/api/v1/teams", "{\"name\":\"x\"}");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.error_code(), "unauthorized");
    EXPECT_EQ(server().client().Send("GET", "/api/v1/conversations").status, 401);
    EXPECT_EQ(server().As("wrong", "GET", "/api/v1/conversations").error_code(), "unauthorized");
    EXPECT_EQ(server()
                  .client()
                  .Send("GET", "/api/v1/events", "", {{"Authorization", "Basic abc"}})
                  .status,
              401);
  });
}

TEST_F(BadInputTest, StrangersAreRefusedOnTheirHeadAndTheConnectionEnds) {
  EXPECT_NO_NEW_EVENTS({
    auto r = server().As("wrong-token", "POST", "/api/v1/teams", "{\"name\":\"x\"}",
                         {{"X-Min-Position", "0:999999"}});
    EXPECT_EQ(r.status, 401);
    EXPECT_EQ(r.headers["connection"], "close");
  });
}

TEST_F(BadInputTest, OverTheRateLimitIs429WithRetryAfter) {
  server().Stop();
  server().AddArgs({"--rate-per-token", "2"});  // 2 a second, 4 at once
  ASSERT_TRUE(server().Start());
  EXPECT_NO_NEW_EVENTS({
    int limited = 0;
    HttpReply last;
    for (int i = 0; i < 12 && limited == 0; ++i) {
      last = As(agent_, "GET", "/api/v1/conversations");
      if (last.status == 429) ++limited;
    }
    ASSERT_EQ(limited, 1) << "a burst past the bucket is refused";
    EXPECT_EQ(last.error_code(), "rate_limited");
    EXPECT_GE(std::stoi(last.headers["retry-after"]), 1);
    // Another token has a bucket of its own; health checks are never limited.
    EXPECT_EQ(Admin("GET", "/api/v1/conversations").status, 200);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(server().client().Send("GET", "/healthz").status, 200);
  });
}

TEST_F(BadInputTest, TheAdminTokenComesFromAFileAndTheDataStaysPrivate) {
  // Too short a token is refused at start, whichever way it comes.
  EXPECT_EQ(RunHelpdeskd({"--listen", "127.0.0.1:1", "--data", server().data_dir() + "-x",
                          "--admin-token", "short"}),
            2);
  const std::string file = server().data_dir() + "-admin-token";
  {
    std::ofstream out(file);
    out << "short\n";
  }
  EXPECT_EQ(RunHelpdeskd({"--listen", "127.0.0.1:1", "--data", server().data_dir() + "-x",
                          "--admin-token-file", file}),
            2);
  {
    std::ofstream out(file);
    out << "a-token-from-a-file-0123\n";
  }
  server().Stop();
  server().AddArgs({"--admin-token-file", file});  // wins over --admin-token
  ASSERT_TRUE(server().Start());
  EXPECT_EQ(server().As("a-token-from-a-file-0123", "GET", "/api/v1/me").status, 200);
  EXPECT_EQ(server().As(kAdminToken, "GET", "/api/v1/me").status, 401);
  // Folders the server made are its user's alone.
  struct stat st {};
  ASSERT_EQ(stat((server().data_dir() + "/views").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u) << std::oct << st.st_mode;
}

TEST_F(BadInputTest, WrongRoleIsForbidden) {
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(
        As(agent_, "POST", "/api/v1/users", {{"name", "X"}, {"email", "x@b.co"}, {"role", "admin"}})
            .error_code(),
        "forbidden");
    EXPECT_EQ(
        As(agent_, "POST", "/api/v1/channels", {{"type", "sms"}, {"name", "x"}, {"address", "y"}})
            .error_code(),
        "forbidden");
    EXPECT_EQ(As(agent_, "POST", "/api/v1/teams", {{"name", "x"}}).error_code(), "forbidden");
    EXPECT_EQ(
        As(agent_, "PUT", "/api/v1/users/audrey/presence", {{"status", "online"}}).error_code(),
        "forbidden");
    EXPECT_EQ(As(agent_, "GET", "/api/v1/events").error_code(), "forbidden");
    EXPECT_EQ(As(auditor_, "POST", "/api/v1/conversations/" + id_ + "/take").error_code(),
              "forbidden");
    EXPECT_EQ(As(auditor_, "POST", "/api/v1/conversations/" + id_ + "/messages", {{"text", "x"}})
                  .error_code(),
              "forbidden");
    EXPECT_EQ(As(analyst_, "GET", "/api/v1/conversations").error_code(), "forbidden");
    EXPECT_EQ(As(analyst_, "POST", "/api/v1/conversations/" + id_ + "/close", {{"reason", "x"}})
                  .error_code(),
              "forbidden");
  });
  // What they may do.
  EXPECT_EQ(As(auditor_, "GET", "/api/v1/conversations/" + id_ + "/timeline").status, 200);
  EXPECT_EQ(As(auditor_, "GET", "/api/v1/events").status, 200);
  EXPECT_EQ(As(analyst_, "GET", "/api/v1/events").status, 200);
}

TEST_F(BadInputTest, DuplicateExternalIdChangesNothingAndAnswersTheSameIds) {
  json first = Inbound("wa", "dup-1", "+551100009", "hello");
  EXPECT_NO_NEW_EVENTS({
    auto again =
        Admin("POST", "/api/v1/channels/wa/inbound",
              {{"external_id", "dup-1"}, {"from", {{"phone", "+551100009"}}}, {"text", "hello"}});
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.json()["conversation_id"], first["conversation_id"]);
    EXPECT_EQ(again.json()["message_id"], first["message_id"]);
    EXPECT_EQ(again.json()["contact_id"], first["contact_id"]);
  });
}

TEST_F(BadInputTest, InvalidTransitionsAreRefused) {
  const std::string c = "/api/v1/conversations/" + id_;
  ASSERT_EQ(As(agent_, "POST", c + "/take").status, 200);
  ASSERT_EQ(As(agent_, "POST", c + "/close", {{"reason", "done"}}).status, 200);
  EXPECT_NO_NEW_EVENTS({
    EXPECT_EQ(As(agent_, "POST", c + "/take").status, 409);
    EXPECT_EQ(As(agent_, "POST", c + "/close", {{"reason", "again"}}).error_code(),
              "invalid_transition");
    EXPECT_EQ(As(agent_, "POST", c + "/messages", {{"text", "x"}}).error_code(),
              "invalid_transition");
    EXPECT_EQ(As(agent_, "POST", c + "/messages", {{"text", "x"}, {"private", true}}).error_code(),
              "invalid_transition");
    EXPECT_EQ(As(agent_, "POST", c + "/transfer", {{"user_id", "ana"}}).error_code(),
              "invalid_transition");
    EXPECT_EQ(As(agent_, "POST", c + "/postpone", {{"until", "2999-01-01T00:00:00Z"}}).error_code(),
              "invalid_transition");
  });
}

// Command bodies are closed: a misspelt field is refused and changes nothing. A "privat" note
// passed over would have gone to the customer as a public reply.
TEST_F(BadInputTest, MisspeltFieldsAreRefusedNotPassedOver) {
  const std::string c = "/api/v1/conversations/" + id_;
  ASSERT_EQ(As(agent_, "POST", c + "/take").status, 200);
  EXPECT_NO_NEW_EVENTS({
    auto note = As(agent_, "POST", c + "/messages", {{"text", "fraud suspect"}, {"privat", true}});
    EXPECT_EQ(note.status, 400) << note.body;
    EXPECT_EQ(note.error_code(), "invalid_field");
    EXPECT_NE(note.body.find("privat"), std::string::npos) << note.body;
    EXPECT_EQ(
        As(agent_, "POST", c + "/transfer", {{"user_id", "ana"}, {"teamid", "t1"}}).error_code(),
        "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/postpone", {{"until", "2999-01-01T00:00:00Z"}, {"x", 1}})
                  .error_code(),
              "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/tags", {{"tag", "vip"}, {"color", "red"}}).error_code(),
              "invalid_field");
    EXPECT_EQ(As(agent_, "POST", c + "/close", {{"reason", "ok"}, {"note", "x"}}).error_code(),
              "invalid_field");
    EXPECT_EQ(Admin("POST", "/api/v1/channels/wa/inbound",
                    {{"external_id", "typo"}, {"from", {{"phone", "+551100002"}}}, {"txt", "hi"}})
                  .error_code(),
              "invalid_field");
    // A close reason lands in reports and exports: no control characters, catalog or not.
    auto escape = As(agent_, "POST", c + "/close", {{"reason", "ok\u001b[31m\nx"}});
    EXPECT_EQ(escape.error_code(), "invalid_field") << escape.body;
  });
  // Transferring it to the one who has it moves nothing and records nothing.
  EXPECT_NO_NEW_EVENTS({
    auto same = As(agent_, "POST", c + "/transfer", {{"user_id", "ana"}});
    EXPECT_EQ(same.status, 200) << same.body;
  });
}

TEST_F(BadInputTest, IdempotentCreatesAnswerTheExistingResource) {
  EXPECT_NO_NEW_EVENTS({
    auto same = Admin("POST", "/api/v1/teams", {{"id", "t1"}, {"name", "Team t1"}});
    EXPECT_EQ(same.status, 200);
    EXPECT_EQ(same.json()["id"], "t1");
    EXPECT_EQ(Admin("POST", "/api/v1/teams", {{"id", "t1"}, {"name", "Other"}}).status, 409);
    auto user = Admin("POST", "/api/v1/users",
                      {{"id", "ana"},
                       {"name", "ana Name"},
                       {"email", "ana@example.com"},
                       {"role", "agent"},
                       {"teams", {"t1"}}});
    EXPECT_EQ(user.status, 200);
    EXPECT_FALSE(user.json().contains("token")) << "a token is shown only once";
  });
}

TEST_F(BadInputTest, IfMatchRefusesAStaleVersion) {
  const std::string c = "/api/v1/conversations/" + id_;
  auto current = As(agent_, "GET", c);
  const std::string etag = current.headers["etag"];
  ASSERT_FALSE(etag.empty());
  EXPECT_NO_NEW_EVENTS({
    auto stale = As(agent_, "POST", c + "/tags", {{"tag", "x"}}, {{"If-Match", "\"1\""}});
    EXPECT_EQ(stale.status, 409);
    EXPECT_EQ(stale.error_code(), "version_conflict");
    EXPECT_EQ(
        As(agent_, "POST", c + "/tags", {{"tag", "x"}}, {{"If-Match", "garbage"}}).error_code(),
        "invalid_field");
  });
  auto fresh = As(agent_, "POST", c + "/tags", {{"tag", "x"}}, {{"If-Match", etag}});
  EXPECT_EQ(fresh.status, 200) << fresh.body;
  EXPECT_NE(fresh.headers["etag"], etag);
}

TEST_F(BadInputTest, MinPositionMustBeAToken) {
  EXPECT_EQ(As(agent_, "GET", "/api/v1/conversations", nullptr, {{"X-Min-Position", "banana"}})
                .error_code(),
            "invalid_field");
  auto r = As(agent_, "POST", "/api/v1/conversations/" + id_ + "/take");
  const std::string position = r.headers["x-position"];
  ASSERT_FALSE(position.empty());
  auto read =
      As(agent_, "GET", "/api/v1/conversations?view=mine", nullptr, {{"X-Min-Position", position}});
  EXPECT_EQ(Ids(read), std::vector<std::string>{id_});
}

}  // namespace
}  // namespace helpdesk::testing
