#include "domain/time.h"

#include <gtest/gtest.h>

namespace helpdesk {
namespace {

TEST(Rfc3339, RoundTripsWholeSeconds) {
  auto t = ParseRfc3339("2026-11-22T14:05:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-22T14:05:00Z");
}

TEST(Rfc3339, KeepsMillisecondsAndOffsets) {
  auto t = ParseRfc3339("2026-11-22T11:05:00.250-03:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatRfc3339(*t), "2026-11-22T14:05:00.250Z");
}

TEST(Rfc3339, RefusesMalformedTimes) {
  for (const char* bad :
       {"", "2026-11-22", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-22T14:05:00",
        "2026-11-22 14:05:00Z", "yesterday", "2026-11-22T24:00:00Z", "2026-11-22T14:05:00Zjunk"}) {
    EXPECT_FALSE(ParseRfc3339(bad)) << bad;
  }
}

TEST(Rfc3339, HandlesLeapDayAndEpoch) {
  EXPECT_TRUE(ParseRfc3339("2024-02-29T00:00:00Z"));
  EXPECT_EQ(ParseRfc3339("1970-01-01T00:00:00Z")->ms, 0);
}

}  // namespace
}  // namespace helpdesk
