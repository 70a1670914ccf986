#include "domain/histogram.h"

#include <bit>
#include <cmath>

namespace helpdesk {
namespace {
constexpr int64_t kExactBelow = 64;  // 2^6
constexpr int kSubBucketBits = 5;    // 32 buckets per power of two
}  // namespace

uint32_t LatencyHistogram::BucketOf(int64_t seconds) {
  if (seconds < kExactBelow) return static_cast<uint32_t>(seconds < 0 ? 0 : seconds);
  const auto v = static_cast<uint64_t>(seconds);
  const int exponent = 63 - std::countl_zero(v);  // >= 6
  const uint64_t sub = (v >> (exponent - kSubBucketBits)) - (1u << kSubBucketBits);
  return static_cast<uint32_t>(kExactBelow + (exponent - 6) * (1 << kSubBucketBits) + sub);
}

int64_t LatencyHistogram::MiddleOf(uint32_t index) {
  if (index < kExactBelow) return index;
  const uint32_t above = index - kExactBelow;
  const int exponent = 6 + static_cast<int>(above >> kSubBucketBits);
  const uint64_t sub = above & ((1u << kSubBucketBits) - 1);
  const uint64_t width = uint64_t{1} << (exponent - kSubBucketBits);
  const uint64_t lower = ((uint64_t{1} << kSubBucketBits) + sub) * width;
  return static_cast<int64_t>(lower + (width - 1) / 2);
}

void LatencyHistogram::Add(int64_t seconds, uint64_t count) {
  if (count == 0) return;
  buckets_[BucketOf(seconds)] += count;
  total_ += count;
}

void LatencyHistogram::AddToBucket(uint32_t index, uint64_t count) {
  if (count == 0) return;
  buckets_[index] += count;
  total_ += count;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (const auto& [index, count] : other.buckets_) buckets_[index] += count;
  total_ += other.total_;
}

std::optional<int64_t> LatencyHistogram::Quantile(double q) const {
  if (total_ == 0) return std::nullopt;
  const double wanted = std::ceil(q * static_cast<double>(total_));
  const uint64_t rank = wanted < 1 ? 1 : static_cast<uint64_t>(wanted);
  uint64_t seen = 0;
  for (const auto& [index, count] : buckets_) {
    seen += count;
    if (seen >= rank) return MiddleOf(index);
  }
  return MiddleOf(buckets_.rbegin()->first);
}

}  // namespace helpdesk
