#include "domain/thermometer.h"

#include <gtest/gtest.h>

namespace helpdesk {
namespace {

const Timestamp kSince{1'800'000'000'000};

std::optional<Thermometer> After(int64_t seconds,
                                 ConversationStatus status = ConversationStatus::kOpen) {
  return ThermometerAt(status, kSince, Timestamp{kSince.ms + seconds * 1000});
}

TEST(Thermometer, GreenUpToFiveMinutesFiftyNine) {
  EXPECT_EQ(After(0), Thermometer::kGreen);
  EXPECT_EQ(After(5 * 60 + 59), Thermometer::kGreen);
}

TEST(Thermometer, YellowFromSixMinutesToFifteenFiftyNine) {
  EXPECT_EQ(After(6 * 60), Thermometer::kYellow);
  EXPECT_EQ(After(15 * 60 + 59), Thermometer::kYellow);
}

TEST(Thermometer, RedFromSixteenMinutes) {
  EXPECT_EQ(After(16 * 60), Thermometer::kRed);
  EXPECT_EQ(After(3 * 24 * 3600), Thermometer::kRed);
}

TEST(Thermometer, NullWhenNothingWaitsOrClosed) {
  EXPECT_FALSE(ThermometerAt(ConversationStatus::kOpen, std::nullopt, kSince));
  EXPECT_FALSE(After(20 * 60, ConversationStatus::kClosed));
}

TEST(Thermometer, ClockBehindTheMessageCountsAsNoWait) {
  EXPECT_EQ(After(-30), Thermometer::kGreen);
}

}  // namespace
}  // namespace helpdesk
