#include "domain/directory.h"

#include <gtest/gtest.h>

#include "domain/roles.h"
#include "domain/text.h"

namespace helpdesk {
namespace {

TEST(Directory, ControlCharactersAreFoundAnywhere) {
  EXPECT_FALSE(HasControlCharacter("vip"));
  EXPECT_FALSE(HasControlCharacter("pós-venda 2"));
  EXPECT_TRUE(HasControlCharacter(std::string("vip\0x", 5)));
  EXPECT_TRUE(HasControlCharacter("a\tb"));
  EXPECT_TRUE(HasControlCharacter("\x7f"));
  EXPECT_FALSE(HasControlCharacter(""));
}

TEST(Directory, NormalisesPhonesAndEmails) {
  EXPECT_EQ(NormalizePhone("+55 (11) 98765-4321"), "5511987654321");
  EXPECT_EQ(NormalizeEmail(" Ana@Example.COM "), "ana@example.com");
  EXPECT_TRUE(LooksLikeEmail("a@b.co"));
  EXPECT_FALSE(LooksLikeEmail("a@b"));
  EXPECT_FALSE(LooksLikeEmail("@b.co"));
}

TEST(Directory, SearchFoldsAccentedCapitalsAndTellsPhonesFromNames) {
  EXPECT_EQ(FoldForSearch("ÉRICA Conceição"), "erica conceicao");
  EXPECT_EQ(FoldForSearch("Ação Ñandú Øre"), "acao nandu ore");
  EXPECT_EQ(FoldForSearch("×"), "×");
  EXPECT_TRUE(LooksLikePhoneQuery("+55 (11) 9999-0000"));
  EXPECT_FALSE(LooksLikePhoneQuery("Ana 2"));
  EXPECT_FALSE(LooksLikePhoneQuery(""));
}

TEST(Directory, FindsMentionsByNameOrEmailHandle) {
  UserState ana;
  ana.id = "u1";
  ana.name = "Ana Souza";
  ana.email = "ana@x.com";
  UserState bob;
  bob.id = "u2";
  bob.name = "Bob";
  bob.email = "robert@x.com";
  EXPECT_EQ(FindMentions("ping @AnaSouza and @robert.", {ana, bob}),
            (std::vector<std::string>{"u1", "u2"}));
  EXPECT_TRUE(FindMentions("mail ana@x.com", {ana}).empty());
}

TEST(Roles, AuditorsAndAnalystsCannotChangeConversations) {
  EXPECT_FALSE(CanWorkConversations(Role::kAuditor));
  EXPECT_FALSE(CanWorkConversations(Role::kAnalyst));
  EXPECT_TRUE(CanReadConversations(Role::kAuditor));
  EXPECT_FALSE(CanReadConversations(Role::kAnalyst));
  EXPECT_TRUE(CanReadEvents(Role::kAnalyst));
  EXPECT_FALSE(CanReadEvents(Role::kAgent));
}

}  // namespace
}  // namespace helpdesk

namespace helpdesk {
namespace {

TEST(LiveFeedRules, FeedReadersSeeEverythingAgentsSeeTheirConsole) {
  for (Role r : {Role::kAdmin, Role::kSupervisor, Role::kAuditor, Role::kAnalyst}) {
    EXPECT_TRUE(MayStreamEvent(r, "channel/wa"));
    EXPECT_TRUE(MayStreamEvent(r, "quick_reply/q"));
  }
  EXPECT_TRUE(MayStreamEvent(Role::kAgent, "conversation/c1"));
  EXPECT_TRUE(MayStreamEvent(Role::kAgent, "user/ana"));
  EXPECT_TRUE(MayStreamEvent(Role::kAgent, "contact/k"));
  EXPECT_FALSE(MayStreamEvent(Role::kAgent, "channel/wa"));
  EXPECT_FALSE(MayStreamEvent(Role::kAgent, "quick_reply/q"));
  EXPECT_FALSE(MayStreamEvent(Role::kAgent, "conversationx"));
}

TEST(AgentVisibilityRules, OnlyAgentsAreNarrowedAndOnlyUnderTeams) {
  const std::set<std::string> teams{"sales"};
  EXPECT_FALSE(NarrowSight(AgentVisibility::kAll, Role::kAgent, "ana", teams));
  for (Role r : {Role::kAdmin, Role::kSupervisor, Role::kAuditor, Role::kAnalyst}) {
    EXPECT_FALSE(NarrowSight(AgentVisibility::kTeams, r, "ana", teams)) << RoleName(r);
  }
  ASSERT_TRUE(NarrowSight(AgentVisibility::kTeams, Role::kAgent, "ana", teams));
  EXPECT_EQ(ParseAgentVisibility("teams"), AgentVisibility::kTeams);
  EXPECT_EQ(ParseAgentVisibility("all"), AgentVisibility::kAll);
  EXPECT_FALSE(ParseAgentVisibility("Teams"));
}

TEST(AgentVisibilityRules, MineMyTeamsTheGeneralQueueAndWhereIWasInvited) {
  const NarrowedViewer ana{"ana", {"sales"}};
  const std::set<std::string> none;
  const std::optional<std::string> nobody, no_team;
  EXPECT_TRUE(MaySeeConversation(ana, nobody, no_team, none)) << "the general queue";
  EXPECT_TRUE(MaySeeConversation(ana, std::string("ana"), std::string("support"), none));
  EXPECT_TRUE(MaySeeConversation(ana, nobody, std::string("sales"), none));
  EXPECT_TRUE(MaySeeConversation(ana, std::string("bia"), std::string("sales"), none));
  EXPECT_TRUE(MaySeeConversation(ana, std::string("bia"), std::string("support"), {"ana"}));
  EXPECT_FALSE(MaySeeConversation(ana, nobody, std::string("support"), none));
  EXPECT_FALSE(MaySeeConversation(ana, std::string("bia"), std::string("support"), {"caio"}));
  EXPECT_FALSE(MaySeeConversation(ana, std::string("bia"), no_team, none))
      << "a colleague's own conversation is not the general queue";
  EXPECT_TRUE(MaySeeConversation(ana, std::string(""), std::string(""), none));
}

TEST(InboundRules, AnAdminOrTheChannelsOwnTokenDelivers) {
  EXPECT_TRUE(MayDeliverInbound(Role::kAdmin, "", "wa"));
  EXPECT_TRUE(MayDeliverInbound(Role::kAgent, "wa", "wa"));
  EXPECT_FALSE(MayDeliverInbound(Role::kAgent, "sms", "wa"));
  EXPECT_FALSE(MayDeliverInbound(Role::kSupervisor, "", "wa"));
}

}  // namespace
}  // namespace helpdesk
