#include "domain/routing.h"

#include <gtest/gtest.h>

#include "tests/support/domain_fixtures.h"

namespace helpdesk {
namespace {

using test::kNow;

ConversationState Conv(const std::string& id, ConversationStatus status,
                       std::optional<Timestamp> closed_at = std::nullopt) {
  ConversationState s;
  s.exists = true;
  s.id = id;
  s.status = status;
  s.closed_at = closed_at;
  return s;
}

TEST(RouteInbound, NoConversationOpensANewOne) {
  EXPECT_EQ(RouteInbound({}, kNow).kind, RoutingDecision::Kind::kOpenNew);
}

TEST(RouteInbound, JoinsTheUnclosedConversation) {
  auto closed = Conv("old", ConversationStatus::kClosed, Timestamp{kNow.ms - kDayMs});
  auto open = Conv("cur", ConversationStatus::kPostponed);
  auto d = RouteInbound({&closed, &open}, kNow);
  EXPECT_EQ(d.kind, RoutingDecision::Kind::kJoin);
  EXPECT_EQ(d.conversation_id, "cur");
}

TEST(RouteInbound, ReopensTheNewestClosedWithinSevenDays) {
  auto older = Conv("a", ConversationStatus::kClosed, Timestamp{kNow.ms - 3 * kDayMs});
  auto newer =
      Conv("b", ConversationStatus::kClosed, Timestamp{kNow.ms - 6 * kDayMs - 23 * kHourMs});
  auto d = RouteInbound({&newer, &older}, kNow);
  EXPECT_EQ(d.kind, RoutingDecision::Kind::kReopen);
  EXPECT_EQ(d.conversation_id, "a");
}

TEST(RouteInbound, OpensANewOneWhenClosedSevenDaysOrMoreAgo) {
  auto c = Conv("a", ConversationStatus::kClosed, Timestamp{kNow.ms - 7 * kDayMs});
  EXPECT_EQ(RouteInbound({&c}, kNow).kind, RoutingDecision::Kind::kOpenNew);
  auto just_inside = Conv("b", ConversationStatus::kClosed, Timestamp{kNow.ms - 7 * kDayMs + 1});
  EXPECT_EQ(RouteInbound({&just_inside}, kNow).kind, RoutingDecision::Kind::kReopen);
}

}  // namespace
}  // namespace helpdesk
