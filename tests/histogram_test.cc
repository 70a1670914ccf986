// LatencyHistogram: exact below a minute, within 1.6% above, mergeable.
#include "domain/histogram.h"

#include <gtest/gtest.h>

#include <cmath>

namespace helpdesk {
namespace {

TEST(HistogramTest, EmptyHasNoQuantile) {
  LatencyHistogram h;
  EXPECT_FALSE(h.Quantile(0.5));
  EXPECT_EQ(h.Count(), 0u);
}

TEST(HistogramTest, NearestRankBelowAMinuteIsExact) {
  LatencyHistogram h;
  for (int v : {10, 20, 30, 40, 50}) h.Add(v);
  EXPECT_EQ(h.Quantile(0.5), 30);  // ceil(0.5 × 5) = 3rd
  EXPECT_EQ(h.Quantile(0.9), 50);  // ceil(0.9 × 5) = 5th
  EXPECT_EQ(h.Quantile(0.2), 10);
}

TEST(HistogramTest, NegativeDurationsCountAsZero) {
  LatencyHistogram h;
  h.Add(-5);
  EXPECT_EQ(h.Quantile(0.5), 0);
}

TEST(HistogramTest, EveryValueComesBackWithinItsBucket) {
  for (int64_t v = 0; v < 5'000'000; v = v < 200 ? v + 1 : v + v / 7) {
    const int64_t middle = LatencyHistogram::MiddleOf(LatencyHistogram::BucketOf(v));
    EXPECT_LE(std::abs(middle - v), std::max<int64_t>(0, v / 64)) << v;
  }
}

TEST(HistogramTest, BucketsAscendWithValues) {
  uint32_t previous = 0;
  for (int64_t v = 0; v < 100'000; ++v) {
    const uint32_t b = LatencyHistogram::BucketOf(v);
    ASSERT_GE(b, previous) << v;
    previous = b;
  }
}

TEST(HistogramTest, MergingEqualsAddingEverythingToOne) {
  LatencyHistogram a, b, all;
  for (int v = 0; v < 1000; v += 3) {
    a.Add(v * 7);
    all.Add(v * 7);
  }
  for (int v = 0; v < 500; v += 2) {
    b.Add(v * 11);
    all.Add(v * 11);
  }
  a.Merge(b);
  EXPECT_EQ(a, all);
  EXPECT_EQ(a.Count(), all.Count());
  EXPECT_EQ(a.Quantile(0.5), all.Quantile(0.5));
  EXPECT_EQ(a.Quantile(0.9), all.Quantile(0.9));
}

}  // namespace
}  // namespace helpdesk
