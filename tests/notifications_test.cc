// Who is told about what (fixed inputs).
#include "domain/notifications.h"

#include <gtest/gtest.h>

#include "domain/protocol.h"

namespace helpdesk {
namespace {

NewEvent Event(const std::string& type, nlohmann::json data, const std::string& actor = "ana") {
  return NewEvent{"e1", "conversation/c1", type, Timestamp{}, Actor::User(actor), std::move(data)};
}

std::vector<std::string> Told(const NewEvent& e, const std::string& kind) {
  std::vector<std::string> users;
  for (const Notification& n : NotificationsFor(e)) {
    EXPECT_EQ(n.kind, kind);
    users.push_back(n.user_id);
  }
  return users;
}

bool TellsNobody(const NewEvent& e) { return NotificationsFor(e).empty(); }

TEST(NotificationsTest, MentionsTellEveryoneNamedButTheAuthor) {
  auto e = Event(ev::kNoteAdded, {{"mentions", {"bia", "ana", "caio", "bia"}}, {"text", "x"}});
  EXPECT_EQ(Told(e, "mention"), (std::vector<std::string>{"bia", "caio"}));
}

TEST(NotificationsTest, AnInvitationTellsTheInvitedUnlessTheyJoinedThemselves) {
  EXPECT_EQ(Told(Event(ev::kParticipantAdded, {{"user_id", "bia"}, {"invited_by", "ana"}}),
                 "invited"),
            std::vector<std::string>{"bia"});
  EXPECT_TRUE(TellsNobody(
      Event(ev::kParticipantAdded, {{"user_id", "ana"}, {"invited_by", "ana"}}, "ana")));
  EXPECT_TRUE(TellsNobody(
      Event(ev::kParticipantRemoved, {{"user_id", "bia"}, {"removed_by", "ana"}})));
}

TEST(NotificationsTest, AssignmentsTellTheNewAssigneeUnlessTheyTookIt) {
  EXPECT_EQ(Told(Event(ev::kConversationAssigned, {{"assignee_id", "bia"}, {"via", "assign"}}),
                 "assigned"),
            std::vector<std::string>{"bia"});
  EXPECT_TRUE(TellsNobody(
      Event(ev::kConversationAssigned, {{"assignee_id", "ana"}, {"via", "take"}}, "ana")));
  EXPECT_TRUE(TellsNobody(
      Event(ev::kConversationAssigned, {{"assignee_id", "ana"}, {"via", "assign"}}, "ana")));
}

TEST(NotificationsTest, TransfersTellTheUserOrTheTeamRecordedInTheEvent) {
  EXPECT_EQ(Told(Event(ev::kConversationTransferred,
                       {{"to_user_id", "bia"}, {"to_team_id", nullptr}, {"team_members", {}}}),
                 "assigned"),
            std::vector<std::string>{"bia"});
  EXPECT_EQ(Told(Event(ev::kConversationTransferred, {{"to_user_id", nullptr},
                                                      {"to_team_id", "t1"},
                                                      {"team_members", {"ana", "bia", "caio"}}}),
                 "queued"),
            (std::vector<std::string>{"bia", "caio"}));
  EXPECT_TRUE(NotificationsFor(Event(ev::kMessageSent, {{"text", "@bia"}})).empty());
}

TEST(ProtocolTest, NumbersAreSequentialPerYearWithSixDigits) {
  EXPECT_EQ(UtcYear(*ParseRfc3339("2026-12-31T23:59:59Z")), 2026);
  EXPECT_EQ(UtcYear(*ParseRfc3339("2027-01-01T00:00:00Z")), 2027);
  EXPECT_EQ(FormatProtocol(2026, 123), "2026-000123");
  EXPECT_EQ(FormatProtocol(2026, 1234567), "2026-1234567");
  auto first = DecideIssueProtocol(2026, 0, "c1");
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].type, ev::kProtocolIssued);
  EXPECT_EQ(first[0].data["protocol"], "2026-000001");
  EXPECT_EQ(first[0].data["conversation_id"], "c1");
  EXPECT_EQ(DecideIssueProtocol(2026, 41, "c2")[0].data["number"], 42);
  EXPECT_EQ(ProtocolStream(2026), "protocol/2026");
}

}  // namespace
}  // namespace helpdesk
