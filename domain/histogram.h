// LatencyHistogram: durations in seconds, kept so that histograms of different hours, teams or
// agents merge by adding counts, and medians and percentiles come out of the merged result.
// A report over a month merges a few thousand per-slot histograms instead of reading every
// event again.
//
// Buckets: every second below 64 s on its own, then 32 buckets per power of two, so a
// percentile is exact below a minute and within 1.6% above (the middle of a bucket is at most
// half a bucket, 1/64 of its value, from any value in it).
#pragma once

#include <cstdint>
#include <map>
#include <optional>

namespace helpdesk {

class LatencyHistogram {
 public:
  // Adds `count` durations of `seconds` (negative ones count as 0).
  void Add(int64_t seconds, uint64_t count = 1);
  void Merge(const LatencyHistogram& other);
  uint64_t Count() const { return total_; }
  bool Empty() const { return total_ == 0; }
  // The nearest-rank `q` quantile (0 < q <= 1): the middle of the bucket holding the
  // ceil(q × n)-th smallest duration; nullopt when empty.
  std::optional<int64_t> Quantile(double q) const;

  // Bucket index -> count, in order (for encoding).
  const std::map<uint32_t, uint64_t>& buckets() const { return buckets_; }
  // Adds `count` to one bucket as written by buckets() (decoding merges straight into a sum).
  void AddToBucket(uint32_t index, uint64_t count);

  static uint32_t BucketOf(int64_t seconds);
  // The value a bucket stands for in quantiles.
  static int64_t MiddleOf(uint32_t index);

  bool operator==(const LatencyHistogram&) const = default;

 private:
  std::map<uint32_t, uint64_t> buckets_;
  uint64_t total_ = 0;
};

}  // namespace helpdesk
