// The API in-process, on a manual clock and an in-memory log that fails on demand: the rules
// that depend on time (postpone and wake-up, WhatsApp's 24-hour window) and on the log
// misbehaving (a failed append changes nothing, and the node recovers) are tested without
// waiting for real time or killing a disk. The spawned-binary suites (api_tests, crash_tests)
// remain the end-to-end tier.
#include "tests/inprocess_fixture.h"

namespace helpdesk {
namespace {

using namespace helpdesk::inprocess;  // NOLINT: the suite's own fixture

TEST_F(InProcessApi, IdsComeFromTheEnvironment) {
  DeskWithAConversation();
  // The conversation, its contact and its message were named by the test's id source.
  EXPECT_EQ(conversation_.rfind("t", 0), 0u) << conversation_;
  EXPECT_EQ(contact_.rfind("t", 0), 0u) << contact_;
}

TEST_F(InProcessApi, APostponedConversationWakesWhenTheClockSaysSo) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(Call(ana, "POST", Path("take")).status, 200);
  const Timestamp until{kStart.ms + kHourMs};
  auto postponed = Call(ana, "POST", Path("postpone"), {{"until", FormatRfc3339(until)}});
  ASSERT_EQ(postponed.status, 200) << postponed.body;
  EXPECT_EQ(Json(postponed).value("status", ""), "postponed");

  // A minute early: the scheduler polls, and nothing is due.
  clock_.Set(Timestamp{until.ms - kMinuteMs});
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(Conversation().value("status", ""), "postponed");

  // Due: the scheduler wakes it on its next pass, and it is Ana's again.
  clock_.Set(Timestamp{until.ms + 1});
  json c;
  Eventually([&] {
    c = Conversation();
    return c.value("status", "") != "postponed";
  });
  EXPECT_EQ(c.value("status", ""), "open") << c.dump();
  EXPECT_EQ(c.value("assignee_id", ""), "ana");
}

TEST_F(InProcessApi, WhatsAppFreeTextOnlyWithin24HoursOfTheCustomer) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(Call(ana, "POST", Path("take")).status, 200);
  // The last minute of the window: free text goes.
  clock_.Set(Timestamp{kStart.ms + 24 * kHourMs - kMinuteMs});
  EXPECT_EQ(Call(ana, "POST", Path("messages"), {{"text", "Ainda aqui?"}}).status, 201);
  // Past it: only a template may go; a private note still may.
  clock_.Set(Timestamp{kStart.ms + 24 * kHourMs + kMinuteMs});
  auto late = Call(ana, "POST", Path("messages"), {{"text", "Olá de novo"}});
  EXPECT_EQ(late.status, 409) << late.body;
  EXPECT_EQ(Json(late)["error"].value("code", ""), "window_closed");
  EXPECT_EQ(Call(ana, "POST", Path("messages"), {{"text", "nota"}, {"private", true}}).status, 201);
}

TEST_F(InProcessApi, AFailedAppendChangesNothingAndTheNodeRecovers) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(Call(ana, "POST", Path("take")).status, 200);
  const json before = Conversation();

  faulty_->FailAppend(1);
  auto refused = Call(ana, "POST", Path("tags"), {{"tag", "atraso"}});
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(Json(refused)["error"].value("code", ""), "log_unavailable");
  EXPECT_EQ(faulty_->failed_appends(), 1);
  // Nothing of it anywhere: the view, and the write model the next command decides on.
  EXPECT_EQ(Conversation(), before);

  // A command that changes nothing (the customer's message delivered again) does not inherit
  // the failure once the node has recovered.
  auto again = Call(kAdmin, "POST", "/api/v1/channels/wa/inbound",
                    {{"external_id", "wamid.1"},
                     {"from", {{"name", "João"}, {"phone", "+55 11 91234-5678"}}},
                     {"text", "Oi, meu pedido atrasou"}});
  EXPECT_EQ(again.status, 200) << again.body;

  // The next command re-reads the write model from the log and goes through, once.
  auto tagged = Call(ana, "POST", Path("tags"), {{"tag", "atraso"}});
  ASSERT_EQ(tagged.status, 200) << tagged.body;
  EXPECT_EQ(Json(tagged)["tags"], json::array({"atraso"}));
  EXPECT_EQ(Json(tagged).value("version", 0), before.value("version", 0) + 1);
  auto timeline = Json(Call(kAdmin, "GET", Path("timeline")));
  int tags = 0;
  for (const json& item : timeline["items"]) tags += item.value("type", "") == "ConversationTagged";
  EXPECT_EQ(tags, 1);
}

TEST_F(InProcessApi, AnAppendThatFailsLateChangesNothingEither) {
  const std::string ana = DeskWithAConversation();
  const json before = Conversation();
  faulty_->DelayAppends(std::chrono::milliseconds(300));
  faulty_->FailAppend(1);
  // The command waits for the late answer, and it is a refusal.
  auto refused = Call(ana, "POST", Path("take"));
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(Conversation(), before);
  // Still slow, no longer failing: the same command goes through, once.
  auto taken = Call(ana, "POST", Path("take"));
  EXPECT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(Json(taken).value("assignee_id", ""), "ana");
  EXPECT_EQ(Json(taken).value("version", 0), before.value("version", 0) + 1);
}

TEST_F(InProcessApi, ReadsRefusedByTheLogDoNotBreakCommands) {
  const std::string ana = DeskWithAConversation();
  faulty_->RefuseReads(true);
  // Once the projector has met a refusal, the views stop following...
  ASSERT_TRUE(Eventually([&] { return faulty_->refused_reads() > 0; }));
  // ...but a command still decides and is durable (its answer, rendered from the views after
  // their 5 s of patience, is the conversation as they last saw it).
  auto taken = Call(ana, "POST", Path("take"));
  EXPECT_EQ(taken.status, 200) << taken.body;
  EXPECT_TRUE(Conversation()["assignee_id"].is_null()) << "the views read a refused log";
  faulty_->RefuseReads(false);
  json c;
  Eventually([&] {
    c = Conversation();
    return c["assignee_id"] == "ana";
  });
  EXPECT_EQ(c["assignee_id"], "ana") << "the views caught up once reads came back";
}

TEST_F(InProcessApi, DeliveryRetriesWaitOnTheNodesClock) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(Call(kAdmin, "PUT", "/api/v1/channels/wa/integration",
                 {{"outbound_url", "https://gateway.test/deliver"},
                  {"outbound_secret", "a-long-enough-secret"}})
                .status,
            200);
  ASSERT_EQ(Call(ana, "POST", Path("take")).status, 200);
  {
    std::lock_guard<std::mutex> lock(receiver_.mu);
    receiver_.script = {503, 503};  // then 200
  }
  ASSERT_EQ(Call(ana, "POST", Path("messages"), {{"text", "Seu pedido saiu"}}).status, 201);

  // The first attempt goes at once; the retry waits 1 s (the default base) on the node's clock.
  ASSERT_TRUE(Eventually([&] { return receiver_.posts() == 1; }));
  clock_.Advance(999);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // three passes of the worker
  EXPECT_EQ(receiver_.posts(), 1u) << "retried before its backoff";
  clock_.Advance(1);
  ASSERT_TRUE(Eventually([&] { return receiver_.posts() == 2; }));
  // The second retry waits twice as long.
  clock_.Advance(1999);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  EXPECT_EQ(receiver_.posts(), 2u);
  clock_.Advance(1);
  ASSERT_TRUE(Eventually([&] { return receiver_.posts() == 3; }));
  {
    std::lock_guard<std::mutex> lock(receiver_.mu);
    EXPECT_EQ(receiver_.attempts, (std::vector<std::string>{"1", "2", "3"}));
  }

  // Delivered on the third attempt, and recorded so.
  json message;
  ASSERT_TRUE(Eventually([&] {
    message = Json(Call(ana, "GET", Path("messages")))["items"].back();
    return message.value("delivery", "") == "delivered";
  })) << message.dump();
  EXPECT_EQ(message.value("delivery_attempts", 0), 3);
}

// --- Access: tokens, user edits, who am I, X-Min-Position, readiness ---

TEST_F(InProcessApi, TokensAreIssuedListedUsedRevokedAndExpire) {
  const std::string ana = DeskWithAConversation();
  const std::string in_an_hour = FormatRfc3339(Timestamp{kStart.ms + 3600 * 1000});
  auto issued =
      Call(ana, "POST", "/api/v1/users/ana/tokens", {{"name", "ci"}, {"expires_at", in_an_hour}});
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string ci = Json(issued).value("token", "");
  const std::string ci_id = Json(issued).value("token_id", "");
  ASSERT_FALSE(ci.empty());
  EXPECT_EQ(Json(issued)["expires_at"], in_an_hour);

  auto me = Call(ci, "GET", "/api/v1/me");
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(Json(me)["id"], "ana");
  EXPECT_EQ(Json(me)["token_id"], ci_id);

  auto list = Call(ana, "GET", "/api/v1/users/ana/tokens");
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(Json(list)["items"].size(), 2u);
  const json listed = Json(list);
  for (const auto& t : listed["items"]) {
    EXPECT_FALSE(t.contains("token")) << t;
    EXPECT_FALSE(t.contains("token_sha256")) << t;
    if (t["token_id"] == ci_id) {
      EXPECT_EQ(t["last_used_at"], FormatRfc3339(kStart));
      EXPECT_EQ(t["name"], "ci");
    }
  }
  // Another agent neither lists nor makes Ana's tokens; an admin does.
  auto bia = Call(kAdmin, "POST", "/api/v1/users",
                  {{"id", "bia"}, {"name", "Bia"}, {"email", "bia@x.co"}, {"role", "agent"}});
  const std::string bia_token = Json(bia).value("token", "");
  EXPECT_EQ(Call(bia_token, "GET", "/api/v1/users/ana/tokens").status, 403);
  EXPECT_EQ(Call(bia_token, "POST", "/api/v1/users/ana/tokens", json::object()).status, 403);
  EXPECT_EQ(Call(kAdmin, "GET", "/api/v1/users/ana/tokens").status, 200);
  // A time in the past, or not a time: refused.
  EXPECT_EQ(Call(ana, "POST", "/api/v1/users/ana/tokens",
                 {{"expires_at", FormatRfc3339(Timestamp{kStart.ms - 1000})}})
                .status,
            400);
  EXPECT_EQ(Call(ana, "POST", "/api/v1/users/ana/tokens", {{"expires_at", "soon"}}).status, 400);

  // Past its expiry the token is refused; the others go on.
  clock_.Advance(2 * 3600 * 1000);
  EXPECT_EQ(Call(ci, "GET", "/api/v1/me").status, 401);
  EXPECT_EQ(Call(ana, "GET", "/api/v1/me").status, 200);

  // Revoked: refused from then on, and gone from the list.
  auto revoked = Call(ana, "DELETE", "/api/v1/users/ana/tokens/initial");
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(Call(ana, "GET", "/api/v1/me").status, 401);
  auto after = Json(Call(kAdmin, "GET", "/api/v1/users/ana/tokens"));
  ASSERT_EQ(after["items"].size(), 1u);
  EXPECT_EQ(after["items"][0]["token_id"], ci_id);
  EXPECT_EQ(Call(kAdmin, "DELETE", "/api/v1/users/ana/tokens/nope").status, 404);
  EXPECT_EQ(Call(kAdmin, "DELETE", "/api/v1/users/ana/tokens/initial").status, 404)
      << "a revoked token is gone";
}

TEST_F(InProcessApi, AUserHoldsAtMostAHundredTokensExpiredOnesIncluded) {
  const std::string ana = DeskWithAConversation();
  const std::string soon = FormatRfc3339(Timestamp{kStart.ms + 1000});
  for (int i = 1; i < 100; ++i) {  // "initial" is the first
    ASSERT_EQ(Call(ana, "POST", "/api/v1/users/ana/tokens", {{"expires_at", soon}}).status, 201)
        << i;
  }
  clock_.Advance(2000);  // all but "initial" expired: they still count until revoked
  auto refused = Call(ana, "POST", "/api/v1/users/ana/tokens", json::object());
  EXPECT_EQ(refused.status, 409) << refused.body;
  std::string some;
  const json listed = Json(Call(ana, "GET", "/api/v1/users/ana/tokens?limit=2"));
  for (const auto& t : listed["items"]) {
    if (t["token_id"] != "initial") some = t["token_id"].get<std::string>();
  }
  ASSERT_FALSE(some.empty()) << Call(ana, "GET", "/api/v1/users/ana/tokens?limit=2").body;
  ASSERT_EQ(Call(ana, "DELETE", "/api/v1/users/ana/tokens/" + some).status, 200);
  EXPECT_EQ(Call(ana, "POST", "/api/v1/users/ana/tokens", json::object()).status, 201);
}

// A BodyStream that keeps what is written, for a stream run by the test itself.
class CollectingStream final : public BodyStream {
 public:
  bool Write(const std::string& chunk) override {
    std::lock_guard<std::mutex> lock(mu_);
    text_ += chunk;
    return true;
  }
  bool Open() const override { return !closed_; }
  std::string Text() {
    std::lock_guard<std::mutex> lock(mu_);
    return text_;
  }
  std::atomic<bool> closed_{false};

 private:
  std::mutex mu_;
  std::string text_;
};

TEST_F(InProcessApi, ALiveStreamEndsWhenItsTokenIsRevoked) {
  const std::string ana = DeskWithAConversation();
  auto response = Call(ana, "GET", "/api/v1/stream");
  ASSERT_EQ(response.status, 200);
  ASSERT_TRUE(response.stream);
  CollectingStream out;
  auto running = std::async(std::launch::async, [&] { response.stream(out); });
  ASSERT_EQ(Call(ana, "DELETE", "/api/v1/users/ana/tokens/initial").status, 200);
  const bool ended = running.wait_for(std::chrono::seconds(20)) == std::future_status::ready;
  out.closed_ = true;  // stop it in any case before the test ends
  running.wait();
  EXPECT_TRUE(ended) << "the stream went on after its token was revoked";
  EXPECT_NE(out.Text().find("unauthorized"), std::string::npos) << out.Text();
}

TEST_F(InProcessApi, DeactivatedUsersAreLockedOutAndCannotBeGivenConversations) {
  const std::string ana = DeskWithAConversation();
  auto off = Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"active", false}});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(Json(off)["active"], false);
  EXPECT_EQ(Json(off)["presence"], "offline");
  EXPECT_EQ(Call(ana, "GET", "/api/v1/me").status, 401);
  auto assign = Call(kAdmin, "POST", Path("assign"), {{"user_id", "ana"}});
  EXPECT_EQ(assign.status, 409) << assign.body;
  EXPECT_EQ(Call(kAdmin, "POST", "/api/v1/users/ana/tokens", json::object()).status, 409);

  ASSERT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"active", true}}).status, 200);
  EXPECT_EQ(Call(ana, "GET", "/api/v1/me").status, 200);
  EXPECT_EQ(Call(kAdmin, "POST", Path("assign"), {{"user_id", "ana"}}).status, 200);

  // A demotion takes effect at the next request.
  ASSERT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"role", "auditor"}}).status, 200);
  EXPECT_EQ(Call(ana, "POST", Path("messages"), {{"text", "hi"}}).status, 403);
  EXPECT_EQ(Json(Call(ana, "GET", "/api/v1/me"))["role"], "auditor");
}

TEST_F(InProcessApi, UsersEditTheirOwnNameAndAvatarOnly) {
  const std::string ana = DeskWithAConversation();
  auto mine = Call(ana, "PATCH", "/api/v1/users/ana",
                   {{"name", "Ana B"}, {"avatar_url", "https://x.co/a.png"}});
  ASSERT_EQ(mine.status, 200) << mine.body;
  EXPECT_EQ(Json(mine)["name"], "Ana B");
  EXPECT_EQ(Json(mine)["avatar_url"], "https://x.co/a.png");
  const size_t events = memory_.Head().At(0);
  EXPECT_EQ(Call(ana, "PATCH", "/api/v1/users/ana", {{"role", "admin"}}).status, 403);
  EXPECT_EQ(Call(ana, "PATCH", "/api/v1/users/ana", {{"active", false}}).status, 403);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"role", "boss"}}).status, 400);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"email", "nope"}}).status, 400);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"active", "no"}}).status, 400);
  EXPECT_EQ(Call(ana, "PATCH", "/api/v1/users/ana", {{"teams", json::array()}}).status, 403);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"teams", {"ghost"}}}).status, 404);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"teams", "t1"}}).status, 400);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/zed", {{"name", "Z"}}).status, 404);
  // The same values again record nothing.
  EXPECT_EQ(Call(ana, "PATCH", "/api/v1/users/ana", {{"name", "Ana B"}}).status, 200);
  EXPECT_EQ(memory_.Head().At(0), events) << "refused or unchanged edits record nothing";
  // null clears the avatar.
  auto cleared = Call(ana, "PATCH", "/api/v1/users/ana", {{"avatar_url", nullptr}});
  EXPECT_TRUE(Json(cleared)["avatar_url"].is_null()) << cleared.body;

  auto admin = Json(Call(kAdmin, "GET", "/api/v1/me"));
  EXPECT_EQ(admin["id"], "admin");
  EXPECT_EQ(admin["role"], "admin");
}

// PATCH /users/{id} {teams} sets a user's teams whole, as the contract lists it (it was 400);
// DELETE /teams/{id}/members/{user} takes one away.
TEST_F(InProcessApi, AUsersTeamsAreSetWholeAndMembersRemoved) {
  const std::string ana = DeskWithAConversation();
  for (const char* team : {"t1", "t2", "t3"}) {
    ASSERT_EQ(Call(kAdmin, "POST", "/api/v1/teams", {{"id", team}, {"name", team}}).status, 201);
  }
  ASSERT_EQ(Call(kAdmin, "POST", "/api/v1/teams/t1/members", {{"user_id", "ana"}}).status, 200);
  auto set = Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"teams", {"t3", "t2", "t2"}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Json(set)["teams"], json({"t2", "t3"}));
  EXPECT_EQ(Json(Call(kAdmin, "GET", "/api/v1/teams/t1"))["members"], json::array());
  EXPECT_EQ(Json(Call(kAdmin, "GET", "/api/v1/teams/t2"))["members"], json({"ana"}));
  // One unknown team: refused whole, nothing changes.
  const uint64_t before = memory_.Head().At(0);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"teams", {"t1", "nope"}}}).status, 404);
  EXPECT_EQ(memory_.Head().At(0), before);
  // The same teams again record nothing.
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/users/ana", {{"teams", {"t2", "t3"}}}).status, 200);
  EXPECT_EQ(memory_.Head().At(0), before);

  EXPECT_EQ(Call(ana, "DELETE", "/api/v1/teams/t3/members/ana").status, 403);
  auto removed = Call(kAdmin, "DELETE", "/api/v1/teams/t3/members/ana");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(Json(removed)["members"], json::array());
  EXPECT_EQ(Json(Call(kAdmin, "GET", "/api/v1/users/ana"))["teams"], json({"t2"}));
  EXPECT_EQ(Call(kAdmin, "DELETE", "/api/v1/teams/t3/members/ana").status, 200) << "not a member";
  EXPECT_EQ(Call(kAdmin, "DELETE", "/api/v1/teams/t9/members/ana").status, 404);
}

TEST_F(InProcessApi, DeskSettingsNarrowWhatAgentsSeeToTheirTeams) {
  const std::string ana = DeskWithAConversation();
  for (const char* team : {"sales", "support"}) {
    ASSERT_EQ(Call(kAdmin, "POST", "/api/v1/teams", {{"id", team}, {"name", team}}).status, 201);
  }
  auto bia = Call(kAdmin, "POST", "/api/v1/users",
                  {{"id", "bia"}, {"name", "Bia"}, {"email", "bia@x.co"}, {"role", "agent"}});
  ASSERT_EQ(bia.status, 201);
  const std::string bia_token = Json(bia)["token"];
  ASSERT_EQ(Call(kAdmin, "POST", "/api/v1/teams/support/members", {{"user_id", "bia"}}).status,
            200);
  ASSERT_EQ(Call(kAdmin, "POST", "/api/v1/teams/sales/members", {{"user_id", "ana"}}).status, 200);

  // The default is a shared inbox; only admins read or change the settings.
  auto settings = Call(kAdmin, "GET", "/api/v1/settings");
  ASSERT_EQ(settings.status, 200) << settings.body;
  EXPECT_EQ(Json(settings)["agent_visibility"], "all");
  const size_t events = memory_.Head().At(0);
  EXPECT_EQ(Call(ana, "GET", "/api/v1/settings").status, 403);
  EXPECT_EQ(Call(ana, "PATCH", "/api/v1/settings", {{"agent_visibility", "teams"}}).status, 403);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/settings", {{"agent_visibility", "nobody"}}).status,
            400);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/settings", {{"agent_visiblity", "teams"}}).status, 400);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/settings", {{"agent_visibility", 1}}).status, 400);
  EXPECT_EQ(Call(kAdmin, "PATCH", "/api/v1/settings", {{"agent_visibility", "all"}}).status, 200);
  EXPECT_EQ(memory_.Head().At(0), events) << "refused or unchanged settings record nothing";

  // In the general queue: everyone sees it, whatever the setting.
  auto narrowed = Call(kAdmin, "PATCH", "/api/v1/settings", {{"agent_visibility", "teams"}});
  ASSERT_EQ(narrowed.status, 200) << narrowed.body;
  EXPECT_EQ(Json(narrowed)["agent_visibility"], "teams");
  EXPECT_EQ(Call(ana, "GET", "/api/v1/conversations/" + conversation_).status, 200);

  // Given to another team: to Ana it is not there, for reads and for commands alike.
  ASSERT_EQ(Call(kAdmin, "POST", Path("transfer"), {{"team_id", "support"}}).status, 200);
  EXPECT_EQ(Call(ana, "GET", "/api/v1/conversations/" + conversation_).status, 404);
  EXPECT_EQ(Call(ana, "GET", Path("messages")).status, 404);
  EXPECT_EQ(Call(ana, "GET", Path("timeline")).status, 404);
  EXPECT_EQ(Call(ana, "GET", Path("export.csv")).status, 404);
  EXPECT_EQ(Call(ana, "POST", Path("messages"), {{"text", "hi"}}).status, 404);
  EXPECT_EQ(Call(ana, "POST", Path("take")).status, 404);
  EXPECT_EQ(Json(Call(ana, "GET", "/api/v1/conversations?view=all"))["items"].size(), 0u);
  EXPECT_EQ(
      Json(Call(ana, "GET", "/api/v1/conversations?view=queue&team_id=support"))["items"].size(),
      0u);
  // Its team's agents and the supervisors see it.
  EXPECT_EQ(Call(bia_token, "GET", "/api/v1/conversations/" + conversation_).status, 200);
  EXPECT_EQ(Json(Call(bia_token, "GET", "/api/v1/conversations?view=all"))["items"].size(), 1u);
  EXPECT_EQ(Json(Call(kAdmin, "GET", "/api/v1/conversations?view=all"))["items"].size(), 1u);

  // Invited in, Ana sees it and works it.
  ASSERT_EQ(Call(bia_token, "POST", Path("participants"), {{"user_id", "ana"}}).status, 200);
  EXPECT_EQ(Call(ana, "GET", "/api/v1/conversations/" + conversation_).status, 200);
  EXPECT_EQ(Json(Call(ana, "GET", "/api/v1/conversations?view=all"))["items"].size(), 1u);
  EXPECT_EQ(Call(ana, "POST", Path("messages"), {{"text", "hi"}}).status, 201);
  ASSERT_EQ(Call(ana, "DELETE", Path("participants/ana")).status, 200);
  EXPECT_EQ(Call(ana, "GET", "/api/v1/conversations/" + conversation_).status, 404);

  // Back to a shared inbox.
  ASSERT_EQ(Call(kAdmin, "PATCH", "/api/v1/settings", {{"agent_visibility", "all"}}).status, 200);
  EXPECT_EQ(Call(ana, "GET", "/api/v1/conversations/" + conversation_).status, 200);
}

TEST_F(InProcessApi, OnceTheDeskListsCloseReasonsOnlyThoseCloseAConversation) {
  const std::string ana = DeskWithAConversation();
  auto empty = Call(ana, "GET", "/api/v1/settings/close-reasons");
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(Json(empty)["reasons"], json::array());

  const size_t events = memory_.Head().At(0);
  const std::string path = "/api/v1/settings/close-reasons";
  EXPECT_EQ(Call(ana, "PUT", path, {{"reasons", {"resolvido"}}}).status, 403);
  for (const json& bad :
       {json{{"reasons", "resolvido"}}, json{{"reasons", {"ok", 3}}}, json{{"reasons", {"ok", ""}}},
        json{{"reasons", {"ok", "ok"}}}, json{{"motivos", {"ok"}}}, json::object()}) {
    auto refused = Call(kAdmin, "PUT", path, bad);
    EXPECT_EQ(refused.status, 400) << bad.dump() << " " << refused.body;
  }
  EXPECT_EQ(memory_.Head().At(0), events) << "refused lists record nothing";

  auto set = Call(kAdmin, "PUT", path, {{"reasons", {"resolvido", "spam"}}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(Json(set)["reasons"], json({"resolvido", "spam"}));
  EXPECT_EQ(Json(Call(kAdmin, "GET", "/api/v1/settings"))["close_reasons"],
            json({"resolvido", "spam"}));
  ASSERT_EQ(Call(ana, "POST", Path("take")).status, 200);
  const size_t before_close = memory_.Head().At(0);
  auto other = Call(ana, "POST", Path("close"), {{"reason", "outro"}});
  EXPECT_EQ(other.status, 400) << other.body;
  EXPECT_EQ(Json(other)["error"]["code"], "invalid_field");
  EXPECT_EQ(Call(ana, "POST", Path("close"), json::object()).status, 400) << "a reason is due";
  EXPECT_EQ(memory_.Head().At(0), before_close);
  EXPECT_EQ(Call(ana, "POST", Path("close"), {{"reason", "resolvido"}}).status, 200);

  // An empty list lifts the rule again.
  ASSERT_EQ(Call(kAdmin, "PUT", path, {{"reasons", json::array()}}).status, 200);
  ASSERT_EQ(Call(ana, "POST", Path("reopen")).status, 200);
  EXPECT_EQ(Call(ana, "POST", Path("close"), {{"reason", "qualquer"}}).status, 200);
}

// Every event's JSON, as the log stores it.
std::string StoredLogText(MemoryLog& log) {
  std::string text;
  auto events = log.Read(ConsistencyToken(), 100000, std::chrono::milliseconds(0));
  EXPECT_TRUE(events.ok());
  for (const RecordedEvent& r : events.value()) text += r.event.data.dump() + "\n";
  return text;
}

TEST_F(InProcessApi, AnErasedContactsPersonalDataIsUnreadableEverywhereAndTheChainHolds) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(
      Call(ana, "POST", Path("messages"), {{"text", "Olá João, qual o número do pedido?"}}).status,
      201);
  // A private note stays in clear (docs/security.md): erasure and a replay both keep it.
  ASSERT_EQ(
      Call(ana, "POST", Path("messages"), {{"text", "nota interna"}, {"private", true}}).status,
      201);
  // The card's other personal data and a note about the customer are sealed too.
  auto edited = Call(ana, "PATCH", "/api/v1/contacts/" + contact_,
                     {{"email", "joao@mail.example"}, {"social", {{"instagram", "@joao_ig"}}}});
  ASSERT_EQ(edited.status, 200) << edited.body;
  ASSERT_EQ(Call(ana, "POST", "/api/v1/contacts/" + contact_ + "/notes",
                 {{"text", "cliente pediu desconto"}})
                .status,
            201);
  // Sealed in the log, in clear for readers.
  const std::string stored = StoredLogText(memory_);
  for (const char* secret : {"meu pedido atrasou", "João", "91234-5678", "número do pedido",
                             "joao@mail.example", "@joao_ig", "pediu desconto"}) {
    EXPECT_EQ(stored.find(secret), std::string::npos) << secret << " in clear in the log";
  }
  EXPECT_EQ(Conversation()["contact"]["name"], "João");
  EXPECT_EQ(Json(Call(ana, "GET", Path("messages")))["items"][0]["text"], "Oi, meu pedido atrasou");

  const size_t events = memory_.Head().At(0);
  EXPECT_EQ(Call(ana, "POST", "/api/v1/contacts/" + contact_ + "/erase").status, 403);
  EXPECT_EQ(Call(kAdmin, "POST", "/api/v1/contacts/nobody/erase").status, 404);
  EXPECT_EQ(memory_.Head().At(0), events);

  auto erased = Call(kAdmin, "POST", "/api/v1/contacts/" + contact_ + "/erase");
  ASSERT_EQ(erased.status, 200) << erased.body;
  EXPECT_EQ(Json(erased)["name"], "[erased]");
  EXPECT_TRUE(Json(erased)["phone"].is_null());
  EXPECT_EQ(Json(erased)["erased"], true);

  // Every read path: the conversation, its messages and timeline, its CSV, the event feed.
  bool whole_desk = true;  // the feed and the lists too (until the same phone writes again)
  auto readable_anywhere = [&](const std::string& what) {
    std::string seen;
    for (const char* path : {"", "/messages", "/timeline", "/export.csv"}) {
      seen += Call(kAdmin, "GET", "/api/v1/conversations/" + conversation_ + path).body;
    }
    seen += Call(kAdmin, "GET", "/api/v1/contacts/" + contact_).body;
    seen += Call(kAdmin, "GET", "/api/v1/contacts/" + contact_ + "/notes").body;
    if (whole_desk) {
      seen += Call(kAdmin, "GET", "/api/v1/events?limit=500").body;
      seen += Call(kAdmin, "GET", "/api/v1/conversations?view=all&q=Jo").body;
    }
    return seen.find(what) != std::string::npos;
  };
  for (const char* secret : {"meu pedido atrasou", "João", "91234", "número do pedido",
                             "joao@mail.example", "@joao_ig", "pediu desconto"}) {
    EXPECT_FALSE(readable_anywhere(secret)) << secret << " still readable";
  }
  EXPECT_TRUE(readable_anywhere("[erased]"));
  EXPECT_EQ(Conversation()["last_message"]["text"], "[erased]");
  auto verify = Call(kAdmin, "GET", "/api/v1/audit/verify");
  ASSERT_EQ(verify.status, 200) << verify.body;
  EXPECT_EQ(Json(verify)["ok"], true) << verify.body;

  // Nothing more is written about them; erasing again changes nothing; the same phone writing
  // again is a new contact.
  EXPECT_EQ(Call(ana, "POST", Path("messages"), {{"text", "still there?"}}).status, 409);
  const size_t after = memory_.Head().At(0);
  EXPECT_EQ(Call(kAdmin, "POST", "/api/v1/contacts/" + contact_ + "/erase").status, 200);
  EXPECT_EQ(memory_.Head().At(0), after);
  whole_desk = false;
  auto again = Call(kAdmin, "POST", "/api/v1/channels/wa/inbound",
                    {{"external_id", "wamid.2"},
                     {"from", {{"name", "João"}, {"phone", "+55 11 91234-5678"}}},
                     {"text", "Oi de novo"}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_NE(Json(again)["contact_id"], contact_);

  // A replay after erasure rebuilds the views without the data, and as erasure left them.
  const std::string erased_conversation = conversation_;
  const std::string messages_before = Call(kAdmin, "GET", Path("messages")).body;
  const std::string timeline_before = Call(kAdmin, "GET", Path("timeline")).body;
  const std::string erased_contact = contact_;
  const std::string notes_before =
      Call(kAdmin, "GET", "/api/v1/contacts/" + erased_contact + "/notes").body;
  const std::string card_before = Call(kAdmin, "GET", "/api/v1/contacts/" + erased_contact).body;
  StartNode();
  std::filesystem::remove_all(dir_.path() + "/data/views");
  StartNode();
  conversation_ = erased_conversation;
  EXPECT_TRUE(Eventually([&] { return Conversation()["contact"]["name"] == "[erased]"; }))
      << Conversation().dump();
  for (const char* secret : {"meu pedido atrasou", "João", "91234", "número do pedido",
                             "joao@mail.example", "@joao_ig", "pediu desconto"}) {
    EXPECT_FALSE(readable_anywhere(secret)) << secret << " readable after a replay";
  }
  EXPECT_EQ(Call(kAdmin, "GET", "/api/v1/contacts/" + erased_contact + "/notes").body,
            notes_before);
  EXPECT_EQ(Call(kAdmin, "GET", "/api/v1/contacts/" + erased_contact).body, card_before);
  EXPECT_EQ(Call(kAdmin, "GET", Path("messages")).body, messages_before);
  EXPECT_EQ(Call(kAdmin, "GET", Path("timeline")).body, timeline_before);
  EXPECT_EQ(Json(Call(kAdmin, "GET", "/api/v1/audit/verify"))["ok"], true);
}

TEST_F(InProcessApi, AnalystsReadPersonalDataAsStablePseudonymsAuditorsInClear) {
  const std::string ana = DeskWithAConversation();
  ASSERT_EQ(
      Call(ana, "POST", Path("messages"), {{"text", "cliente VIP, CPF 123"}, {"private", true}})
          .status,
      201);
  std::map<std::string, std::string> tokens;
  for (const char* role : {"analyst", "auditor"}) {
    auto made = Call(
        kAdmin, "POST", "/api/v1/users",
        {{"id", role}, {"name", role}, {"email", std::string(role) + "@x.co"}, {"role", role}});
    ASSERT_EQ(made.status, 201) << made.body;
    tokens[role] = Json(made)["token"];
  }
  auto field_of = [&](const std::string& role, const char* type, const char* field) {
    json feed = Json(Call(tokens[role], "GET", "/api/v1/events?limit=500"));
    for (const auto& e : feed["items"]) {
      if (e["type"] == type) return e["data"][field].get<std::string>();
    }
    return std::string("(none)");
  };
  EXPECT_EQ(field_of("auditor", "ContactCreated", "name"), "João");
  EXPECT_EQ(field_of("auditor", "NoteAdded", "text"), "cliente VIP, CPF 123");
  const std::string name = field_of("analyst", "ContactCreated", "name");
  EXPECT_TRUE(name.starts_with("anon:")) << name;
  EXPECT_EQ(field_of("analyst", "ContactCreated", "name"), name) << "stable between reads";
  EXPECT_TRUE(field_of("analyst", "NoteAdded", "text").starts_with("anon:"));
  EXPECT_TRUE(field_of("analyst", "MessageReceived", "text").starts_with("anon:"));
  EXPECT_TRUE(field_of("analyst", "ContactCreated", "phone").starts_with("anon:"));
  EXPECT_EQ(field_of("analyst", "ConversationOpened", "channel_id"), "wa") << "only personal data";
  const std::string feed = Call(tokens["analyst"], "GET", "/api/v1/events?limit=500").body;
  for (const char* secret : {"João", "91234", "CPF 123", "pedido atrasou"}) {
    EXPECT_EQ(feed.find(secret), std::string::npos) << secret;
  }
}

TEST_F(InProcessApi, StrangersNeverWaitAndPositionsPastTheLogAreRefusedAtOnce) {
  DeskWithAConversation();
  const std::map<std::string, std::string> far{{"x-min-position", "0:999999"}};
  auto stranger = Call("not-a-token", "GET", "/api/v1/conversations", nullptr, far);
  EXPECT_EQ(stranger.status, 401);
  // Nothing of a stranger's request is looked at before the token: not even a malformed
  // position (which a caller with a token gets 400 for).
  auto garbled = Call("not-a-token", "GET", "/api/v1/conversations", nullptr,
                      {{"x-min-position", "not-a-position"}});
  EXPECT_EQ(garbled.status, 401) << garbled.body;
  auto ahead = Call(kAdmin, "GET", "/api/v1/conversations", nullptr, far);
  EXPECT_EQ(ahead.status, 400) << ahead.body;
  EXPECT_NE(ahead.body.find("X-Min-Position"), std::string::npos);
  auto no_partition =
      Call(kAdmin, "GET", "/api/v1/conversations", nullptr, {{"x-min-position", "7:1"}});
  EXPECT_EQ(no_partition.status, 400);
  auto reached = Call(kAdmin, "GET", "/api/v1/conversations", nullptr,
                      {{"x-min-position", memory_.Head().ToString()}});
  EXPECT_EQ(reached.status, 200);

  // Refused on the head alone, before any body: and the connection is not kept.
  auto refusal = node_->app().Admit(Request("not-a-token", "POST", "/api/v1/teams"));
  ASSERT_TRUE(refusal.has_value());
  EXPECT_EQ(refusal->status, 401);
  EXPECT_EQ(refusal->headers["Connection"], "close");
  EXPECT_FALSE(node_->app().Admit(Request(kAdmin, "POST", "/api/v1/teams")).has_value());
  EXPECT_FALSE(node_->app().Admit(Request("", "GET", "/healthz")).has_value());
}

TEST_F(InProcessApi, ReadyzTellsWhenTheLogRefusesAppends) {
  const std::string ana = DeskWithAConversation();
  ASSERT_TRUE(Eventually([&] { return Call("", "GET", "/readyz").status == 200; }));
  faulty_->FailAppend(1);
  auto failed = Call(ana, "POST", Path("messages"), {{"text", "hello"}});
  ASSERT_EQ(failed.status, 503) << failed.body;
  auto unready = Call("", "GET", "/readyz");
  EXPECT_EQ(unready.status, 503);
  EXPECT_EQ(Json(unready)["status"], "log_unavailable");
  // The next append that succeeds makes it ready again.
  ASSERT_EQ(Call(ana, "POST", Path("messages"), {{"text", "hello"}}).status, 201);
  EXPECT_EQ(Call("", "GET", "/readyz").status, 200);
}

TEST_F(InProcessApi, ProviderSecretsAreSealedInTheLog) {
  DeskWithAConversation();
  const json integration{{"verify_token", "verify-me-123"},
                         {"app_secret", "app-secret-xyz"},
                         {"outbound_url", "https://gateway.test/deliver"},
                         {"outbound_secret", "out-secret-xyz"}};
  ASSERT_EQ(Call(kAdmin, "PUT", "/api/v1/channels/wa/integration", integration).status, 200);
  auto events = memory_.Read(ConsistencyToken(), 100000, std::chrono::milliseconds(0));
  ASSERT_TRUE(events.ok());
  bool found = false;
  for (const RecordedEvent& e : events.value()) {
    const std::string text = e.event.data.dump();
    for (const char* secret : {"verify-me-123", "app-secret-xyz", "out-secret-xyz"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << e.event.type << " holds " << secret;
    }
    if (e.event.type == "ChannelIntegrationSet") {
      found = true;
      EXPECT_EQ(e.event.data["app_secret"].get<std::string>().rfind("enc:v1:", 0), 0u) << text;
      EXPECT_EQ(e.event.data["outbound_secret"].get<std::string>().rfind("enc:v1:", 0), 0u);
    }
  }
  EXPECT_TRUE(found);
  // The same secrets again change nothing, though each sealing differs.
  const uint64_t head = memory_.Head().At(0);
  ASSERT_EQ(Call(kAdmin, "PUT", "/api/v1/channels/wa/integration", integration).status, 200);
  EXPECT_EQ(memory_.Head().At(0), head);
  // The key was made once, in the data folder, for the server's user only.
  struct stat st {};
  ASSERT_EQ(stat((dir_.path() + "/data/secrets.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 077, 0u);
}

// Five streams per user; the newest wins: a sixth is served and ends the oldest (a client that
// left is noticed only at a write: a reconnecting browser must not find itself locked out).
TEST_F(InProcessApi, AUserHoldsAtMostFiveLiveStreamsTheNewestWinning) {
  const std::string ana = DeskWithAConversation();
  std::vector<HttpResponse> open;
  for (int i = 0; i < 6; ++i) {
    open.push_back(Call(ana, "GET", "/api/v1/stream"));
    ASSERT_EQ(open.back().status, 200) << open.back().body;
  }
  CollectingStream oldest;
  auto running = std::async(std::launch::async, [&] { open.front().stream(oldest); });
  const bool ended = running.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
  oldest.closed_ = true;
  running.wait();
  EXPECT_TRUE(ended) << "the oldest stream went on";
  EXPECT_NE(oldest.Text().find("superseded"), std::string::npos) << oldest.Text();
  // The second oldest is not: it was one of the five.
  CollectingStream second;
  auto serving = std::async(std::launch::async, [&] { open[1].stream(second); });
  EXPECT_EQ(serving.wait_for(std::chrono::milliseconds(1500)), std::future_status::timeout);
  second.closed_ = true;
  serving.wait();
  EXPECT_EQ(second.Text().find("superseded"), std::string::npos) << second.Text();
  EXPECT_EQ(Call(kAdmin, "GET", "/api/v1/stream").status, 200) << "others have their own";
}

TEST(RateLimiter, ABucketRefillsAtItsRateUpToItsBurst) {
  RateLimiter limiter(RateLimit{2, 4});  // 2 per second, 4 at once
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(limiter.Take("a", 0).has_value()) << i;
  auto wait = limiter.Take("a", 0);
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, 500);
  EXPECT_FALSE(limiter.Take("b", 0).has_value()) << "buckets are per key";
  EXPECT_FALSE(limiter.Take("a", 500).has_value()) << "half a second makes one";
  EXPECT_TRUE(limiter.Take("a", 500).has_value());
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(limiter.Take("a", 60000).has_value()) << i;
  EXPECT_TRUE(limiter.Take("a", 60000).has_value()) << "never more than the burst";
  RateLimiter off(RateLimit{0, 0});
  for (int i = 0; i < 1000; ++i) ASSERT_FALSE(off.Take("a", 0).has_value());
}

TEST(RateLimiter, MemoryStaysBoundedWhateverTheKeys) {
  RateLimiter limiter(RateLimit{1, 1}, 64);
  for (int i = 0; i < 10000; ++i) limiter.Take("k" + std::to_string(i), i);
  // A key seen long ago was dropped and starts full again; a fresh one keeps its state.
  EXPECT_FALSE(limiter.Take("k0", 10000).has_value());
  EXPECT_TRUE(limiter.Take("k9999", 9999).has_value());
}

// A contacts file of `rows` rows, each a new contact with its own phone.
std::string ContactsCsv(int rows) {
  std::string csv = "name,phone\r\n";
  for (int i = 0; i < rows; ++i) {
    csv += "Cliente " + std::to_string(i) + ",+55 11 9" + std::to_string(10000000 + i) + "\r\n";
  }
  return csv;
}

class ImportOnAFlakyLog : public InProcessApi {
 protected:
  // Posts the file; the import's id.
  std::string StartImport(const std::string& csv) {
    HttpRequest r = Request(kAdmin, "POST", "/api/v1/contacts/import");
    r.body = csv;
    r.headers["content-type"] = "text/csv";
    HttpResponse started = node_->app().Handle(r);
    EXPECT_EQ(started.status, 202) << started.body;
    return Json(started).value("import_id", "");
  }
  // The import resource once it ended (real time: the importer runs on its own thread).
  json Finished(const std::string& id) {
    for (int i = 0; i < 600; ++i) {
      json resource = Json(Call(kAdmin, "GET", "/api/v1/contacts/imports/" + id));
      if (resource.value("status", "") != "running") return resource;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "import " << id << " still running";
    return json();
  }
  // Imports `rows` new contacts with a fault armed, and checks that the fault was met and the
  // import still made each contact once: the import resource at its end.
  json ImportAll(int rows) {
    const json done = Finished(StartImport(ContactsCsv(rows)));
    EXPECT_GE(faulty_->failed_appends(), 1) << "the fault was not hit: the test proves nothing";
    EXPECT_EQ(done.value("status", ""), "done") << done.dump();
    EXPECT_EQ(done.value("created", 0), rows) << done.dump();
    EXPECT_EQ(ContactsTotal(), rows);
    return done;
  }
  int64_t ContactsTotal() {
    return Json(Call(kAdmin, "GET", "/api/v1/contacts?limit=1")).value("total", int64_t{-1});
  }
};

// Each row is its own append: the 1st append is the import's start, the 3rd the 2nd row's
// (after it, the log refuses the rest of the batch until the node recovers).
TEST_F(ImportOnAFlakyLog, ABatchTheLogRefusesIsSentAgainAndTheImportEnds) {
  faulty_->FailAppend(3);
  const json done = ImportAll(5000);  // 10 batches
  EXPECT_EQ(done.value("skipped", 0), 0) << done.dump();
}

TEST_F(ImportOnAFlakyLog, RowsWrittenButNotAcknowledgedCountOnceAsCreated) {
  faulty_->LoseAnswer(3);  // the 2nd row is written, and refused
  const json done = ImportAll(5000);
  EXPECT_EQ(done.value("unchanged", 0), 0) << done.dump();
}

}  // namespace
}  // namespace helpdesk
