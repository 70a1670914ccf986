#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace helpdesk {

RateLimiter::RateLimiter(RateLimit limit, size_t max_keys)
    : limit_(limit), max_per_shard_(std::max<size_t>(1, max_keys / kShards)) {}

std::optional<int64_t> RateLimiter::Take(const std::string& key, int64_t now_ms) {
  if (!enabled()) return std::nullopt;
  Shard& shard = shards_[std::hash<std::string>{}(key) % kShards];
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.buckets.find(key);
  if (it == shard.buckets.end()) {
    if (shard.buckets.size() >= max_per_shard_) MakeRoom(shard, now_ms);
    it = shard.buckets.emplace(key, Bucket{limit_.burst, now_ms}).first;
  }
  Bucket& b = it->second;
  const double elapsed_s = static_cast<double>(std::max<int64_t>(0, now_ms - b.at_ms)) / 1000.0;
  b.tokens = std::min(limit_.burst, b.tokens + elapsed_s * limit_.per_second);
  b.at_ms = std::max(b.at_ms, now_ms);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait_s = (1.0 - b.tokens) / limit_.per_second;
  return static_cast<int64_t>(std::ceil(wait_s * 1000.0));
}

void RateLimiter::MakeRoom(Shard& shard, int64_t now_ms) const {
  // Buckets that have refilled are indistinguishable from new ones: drop them.
  const double refill_ms = limit_.burst / limit_.per_second * 1000.0;
  std::erase_if(shard.buckets, [&](const auto& entry) {
    return static_cast<double>(now_ms - entry.second.at_ms) >= refill_ms;
  });
  if (shard.buckets.size() < max_per_shard_) return;
  auto oldest = std::min_element(
      shard.buckets.begin(), shard.buckets.end(),
      [](const auto& a, const auto& b) { return a.second.at_ms < b.second.at_ms; });
  shard.buckets.erase(oldest);
}

}  // namespace helpdesk
