// What the reports count: given a conversation's events, the measures they add (fixed clock).
#include "domain/report_rules.h"

#include <gtest/gtest.h>

namespace helpdesk {
namespace {

Timestamp At(const std::string& rfc3339) { return *ParseRfc3339(rfc3339); }

// Applies domain events to a conversation and keeps what the report rules measured.
class Story {
 public:
  Story() {
    Apply(conversation::DecideOpen(state_, {"c1", "ch1", "k1", std::string("t1"), std::nullopt}),
          At("2026-11-23T10:00:30Z"));
  }
  std::vector<ReportMeasure> Apply(const conversation::Events& events, Timestamp at,
                                   Actor actor = Actor::User("u1")) {
    EXPECT_TRUE(events.ok()) << (events.ok() ? "" : events.error().message);
    std::vector<ReportMeasure> out;
    if (!events.ok()) return out;
    for (const DomainEvent& d : events.value()) {
      const ConversationState before = state_;
      const NewEvent e{"e", "conversation/c1", d.type, at, actor, d.data};
      Evolve(state_, e, state_.version + 1);
      if (auto m = MeasureConversationEvent(before, state_, e, marks_)) out.push_back(*m);
    }
    return out;
  }
  std::vector<ReportMeasure> CustomerWrites(Timestamp sent, Timestamp received) {
    return Apply(conversation::DecideReceive(state_, {"m", "x", "hi", sent}, received), received,
                 Actor::Contact("k1"));
  }
  std::vector<ReportMeasure> Reply(const std::string& user, Timestamp at) {
    return Apply(conversation::DecideReply(state_, {"r", user, "hello", false, false, {}}), at,
                 Actor::User(user));
  }
  ConversationState state_;
  ReportMarks marks_;
};

TEST(ReportRulesTest, AConversationOpensWhenItsFirstMessageWasSent) {
  Story s;
  auto first = s.CustomerWrites(At("2026-11-23T09:59:00Z"), At("2026-11-23T10:00:30Z"));
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].at, At("2026-11-23T09:59:00Z"));
  EXPECT_EQ(first[0].opened, 1);
  EXPECT_EQ(first[0].received, 1);
  EXPECT_EQ(first[0].channel_id, "ch1");
  EXPECT_EQ(first[0].team_id, std::optional<std::string>("t1"));
  auto second = s.CustomerWrites(At("2026-11-23T10:05:00Z"), At("2026-11-23T10:05:00Z"));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].opened, 0);
  EXPECT_EQ(second[0].received, 1);
}

TEST(ReportRulesTest, FirstResponseOncePerCycleForTheReplyingAgent) {
  Story s;
  s.CustomerWrites(At("2026-11-23T10:00:00Z"), At("2026-11-23T10:00:00Z"));
  auto reply = s.Reply("u1", At("2026-11-23T10:03:00Z"));
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0].first_response_seconds, 180);
  EXPECT_EQ(reply[0].agent_id, std::optional<std::string>("u1"));
  EXPECT_EQ(reply[0].replies, 1);
  // The customer writes again: answering it is not a first response any more.
  s.CustomerWrites(At("2026-11-23T10:10:00Z"), At("2026-11-23T10:10:00Z"));
  auto later = s.Reply("u2", At("2026-11-23T10:20:00Z"));
  ASSERT_EQ(later.size(), 1u);
  EXPECT_FALSE(later[0].first_response_seconds);
  EXPECT_EQ(later[0].agent_id, std::optional<std::string>("u2"));
}

TEST(ReportRulesTest, ResolutionRunsFromTheStartOfEachCycle) {
  Story s;
  s.CustomerWrites(At("2026-11-23T10:00:00Z"), At("2026-11-23T10:00:00Z"));
  s.Apply(conversation::DecideTake(s.state_, "u1"), At("2026-11-23T10:01:00Z"));
  s.Apply(conversation::DecideTag(s.state_, "vip"), At("2026-11-23T10:02:00Z"));
  auto closed = s.Apply(conversation::DecideClose(s.state_, "solved"), At("2026-11-23T11:00:00Z"));
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].closed, 1);
  EXPECT_EQ(closed[0].close_reason, std::optional<std::string>("solved"));
  EXPECT_EQ(closed[0].resolution_seconds, 3600);
  EXPECT_EQ(closed[0].agent_id, std::optional<std::string>("u1"));
  EXPECT_EQ(closed[0].agent_closed, 1);
  EXPECT_EQ(closed[0].closed_tags, std::vector<std::string>{"vip"});

  auto reopened = s.Apply(conversation::DecideReopen(s.state_), At("2026-11-23T12:00:00Z"));
  ASSERT_EQ(reopened.size(), 1u);
  EXPECT_EQ(reopened[0].reopened, 1);
  s.CustomerWrites(At("2026-11-23T12:05:00Z"), At("2026-11-23T12:05:00Z"));
  auto reply = s.Reply("u1", At("2026-11-23T12:05:40Z"));
  EXPECT_EQ(reply.at(0).first_response_seconds, 40);  // a new cycle: a new first response
  auto again = s.Apply(conversation::DecideClose(s.state_, "solved"), At("2026-11-23T12:30:00Z"));
  EXPECT_EQ(again.at(0).resolution_seconds, 1800);
}

TEST(ReportRulesTest, AssignmentsCountForTheNewAssigneeOnly) {
  Story s;
  s.CustomerWrites(At("2026-11-23T10:00:00Z"), At("2026-11-23T10:00:00Z"));
  auto taken = s.Apply(conversation::DecideTake(s.state_, "u1"), At("2026-11-23T10:01:00Z"));
  EXPECT_EQ(taken.at(0).assigned, 1);
  EXPECT_EQ(taken.at(0).agent_id, std::optional<std::string>("u1"));
  auto moved = s.Apply(conversation::DecideTransfer(s.state_, std::string("u2"), std::nullopt),
                       At("2026-11-23T10:02:00Z"));
  EXPECT_EQ(moved.at(0).agent_id, std::optional<std::string>("u2"));
  auto to_team = s.Apply(conversation::DecideTransfer(s.state_, std::nullopt, std::string("t2")),
                         At("2026-11-23T10:03:00Z"));
  EXPECT_TRUE(to_team.empty());  // back in a queue: nobody got it
  auto note = s.Apply(conversation::DecideReply(s.state_, {"n", "u1", "fyi", true, false, {}}),
                      At("2026-11-23T10:04:00Z"));
  EXPECT_TRUE(note.empty());  // private notes are no replies
}

TEST(ReportRulesTest, LocalClockInQuarterHourZones) {
  // Sunday 2026-11-22 23:30 UTC is Monday 05:15 in Kathmandu (+05:45).
  LocalClock k = LocalClockAt(At("2026-11-22T23:30:00Z"), 5 * 3600 + 45 * 60);
  EXPECT_EQ(k.weekday, 1);
  EXPECT_EQ(k.hour, 5);
  // … and Sunday 20:30 in São Paulo (-03:00).
  LocalClock s = LocalClockAt(At("2026-11-22T23:30:00Z"), -3 * 3600);
  EXPECT_EQ(s.weekday, 0);
  EXPECT_EQ(s.hour, 20);
  LocalClock before_epoch = LocalClockAt(At("1969-12-31T23:00:00Z"), 0);
  EXPECT_EQ(before_epoch.weekday, 3);
  EXPECT_EQ(before_epoch.hour, 23);
}

TEST(ReportRulesTest, ShiftsSplitTheDayAtSixNoonAndSix) {
  EXPECT_EQ(ShiftOfHour(0), Shift::kNight);
  EXPECT_EQ(ShiftOfHour(5), Shift::kNight);
  EXPECT_EQ(ShiftOfHour(6), Shift::kMorning);
  EXPECT_EQ(ShiftOfHour(11), Shift::kMorning);
  EXPECT_EQ(ShiftOfHour(12), Shift::kAfternoon);
  EXPECT_EQ(ShiftOfHour(17), Shift::kAfternoon);
  EXPECT_EQ(ShiftOfHour(18), Shift::kNight);
  EXPECT_EQ(ShiftOfHour(23), Shift::kNight);
}

TEST(ReportRulesTest, SlotsAreQuarterHours) {
  EXPECT_EQ(SlotStart(SlotOf(At("2026-11-23T10:14:59Z"))), At("2026-11-23T10:00:00Z"));
  EXPECT_EQ(SlotStart(SlotOf(At("2026-11-23T10:15:00Z"))), At("2026-11-23T10:15:00Z"));
  EXPECT_EQ(SlotStart(SlotOf(At("1969-12-31T23:59:00Z"))), At("1969-12-31T23:45:00Z"));
}

}  // namespace
}  // namespace helpdesk
