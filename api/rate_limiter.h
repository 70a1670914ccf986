// RateLimiter: one token bucket per key (a caller's token, a client's address). Each bucket
// holds up to `burst` requests and refills at `per_second`; a request finding it empty is
// refused with the time until the next one. Thread-safe, sharded so that callers on different
// keys rarely meet on a lock. Memory is bounded: past `max_keys`, idle buckets (full again)
// are dropped first, then the oldest-touched.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace helpdesk {

struct RateLimit {
  double per_second = 0;  // 0: no limit
  double burst = 0;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimit limit, size_t max_keys = 1 << 16);

  // Takes one request from `key`'s bucket at `now_ms`. nullopt: allowed; otherwise the
  // milliseconds until the bucket holds a request again.
  std::optional<int64_t> Take(const std::string& key, int64_t now_ms);
  bool enabled() const { return limit_.per_second > 0; }

 private:
  struct Bucket {
    double tokens = 0;
    int64_t at_ms = 0;  // when `tokens` was last brought up to date
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
  };
  static constexpr size_t kShards = 16;
  void MakeRoom(Shard& shard, int64_t now_ms) const;  // shard.mu held

  const RateLimit limit_;
  const size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace helpdesk
