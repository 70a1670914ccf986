// ReplayGuard: which committed request ids a decider refuses again, and for how long.
#include "commands/cluster/replay_guard.h"

#include <gtest/gtest.h>

namespace helpdesk {
namespace {

using std::chrono::minutes;

constexpr int64_t kMinute = 60 * 1000;

TEST(ReplayGuard, RefusesACommittedRequestIdWithinTheWindow) {
  ReplayGuard guard(minutes(5));
  EXPECT_FALSE(guard.Seen("r1"));
  guard.Remember("r1", 10 * kMinute);
  guard.Expire(14 * kMinute);
  EXPECT_TRUE(guard.Seen("r1"));
  EXPECT_FALSE(guard.Seen("r2"));
}

TEST(ReplayGuard, ForgetsWhatTheFreshnessCheckRefusesAnyway) {
  ReplayGuard guard(minutes(5));
  guard.Remember("old", 10 * kMinute);
  guard.Remember("new", 13 * kMinute);
  guard.Expire(15 * kMinute);  // exactly the window: still fresh, still remembered
  EXPECT_TRUE(guard.Seen("old"));
  guard.Expire(15 * kMinute + 1);
  EXPECT_FALSE(guard.Seen("old"));
  EXPECT_TRUE(guard.Seen("new"));
  EXPECT_EQ(guard.size(), 1u);
}

TEST(ReplayGuard, KeepsASendTimeAheadOfTheClockUntilItIsStale) {
  // Clocks apart: a command signed 4 minutes ahead of this node's clock is fresh until 5 minutes
  // after its send time, so it is remembered that long.
  ReplayGuard guard(minutes(5));
  guard.Remember("ahead", 14 * kMinute);
  guard.Expire(18 * kMinute);
  EXPECT_TRUE(guard.Seen("ahead"));
  guard.Expire(19 * kMinute + 1);
  EXPECT_FALSE(guard.Seen("ahead"));
}

TEST(ReplayGuard, RememberingTwiceKeepsOneEntry) {
  ReplayGuard guard(minutes(5));
  guard.Remember("r1", kMinute);
  guard.Remember("r1", kMinute);
  EXPECT_EQ(guard.size(), 1u);
  guard.Expire(10 * kMinute);
  EXPECT_EQ(guard.size(), 0u);
}

}  // namespace
}  // namespace helpdesk
