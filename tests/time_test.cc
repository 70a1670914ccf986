#include "domain/time.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>

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

// Formatting by hand (years 0 to 9999) prints what printf's "%04lld-%02u-%02uT%02lld:%02lld:
// %02lld[.%03d]Z" printed, which still formats the years outside that range.
TEST(Rfc3339, FormatsAsPrintfDidAcrossTheYears) {
  const auto by_printf = [](Timestamp t) {
    const int64_t day_ms = 86'400'000;
    int64_t days = t.ms / day_ms, rem = t.ms % day_ms;
    if (rem < 0) rem += day_ms, --days;
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
    char date[16];
    std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
    const int64_t secs = rem / 1000;
    const int ms = static_cast<int>(rem % 1000);
    char buf[48];
    if (ms == 0) {
      std::snprintf(buf, sizeof buf, "T%02lld:%02lld:%02lldZ", static_cast<long long>(secs / 3600),
                    static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60));
    } else {
      std::snprintf(buf, sizeof buf, "T%02lld:%02lld:%02lld.%03dZ",
                    static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                    static_cast<long long>(secs % 60), ms);
    }
    return std::string(date) + buf;
  };
  std::mt19937_64 random(42);
  const int64_t year_ms = 31'556'952'000;
  for (int i = 0; i < 20000; ++i) {
    // From year 0 to 9999, a third of them on whole seconds.
    int64_t ms = static_cast<int64_t>(random() % (10000 * year_ms)) - 1970 * year_ms;
    if (i % 3 == 0) ms -= ((ms % 1000) + 1000) % 1000;
    const Timestamp t{ms};
    const std::string got = FormatRfc3339(t);
    ASSERT_EQ(got, by_printf(t)) << ms;
    if (got.substr(0, 4) != "0000") {
      ASSERT_EQ(ParseRfc3339(got)->ms, ms) << got;
    }
  }
  EXPECT_EQ(FormatRfc3339(Timestamp{0}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(Timestamp{-1}), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339(*ParseRfc3339("9999-12-31T23:59:59.999Z")), "9999-12-31T23:59:59.999Z");
  // Outside four digits, printf's way: a fifth digit.
  EXPECT_EQ(FormatRfc3339(Timestamp{253'402'300'800'000}), "10000-01-01T00:00:00Z");
}

}  // namespace
}  // namespace helpdesk
