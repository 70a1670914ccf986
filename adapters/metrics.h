// What a node measures about itself, and how it is written out: Prometheus' text exposition
// format (version 0.0.4), served by GET /metrics (docs/operations.md lists every series).
//
// Updating is lock-free and costs a few relaxed atomic additions, so hot paths (every request,
// every append) can afford it; reading takes a consistent-enough copy without stopping writers.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace helpdesk {

// Durations in Prometheus' cumulative buckets (upper bounds in seconds, then +Inf).
class DurationHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  struct Snapshot {
    std::array<uint64_t, kBounds.size() + 1> counts{};  // per bucket, not cumulative; last: +Inf
    uint64_t count = 0;
    double sum_seconds = 0;
  };

  void Record(std::chrono::nanoseconds elapsed);
  Snapshot Read() const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> counts_{};
  std::atomic<uint64_t> sum_ns_{0};
};

// A monotonically increasing count.
class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Read() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// Builds the exposition text. Each metric family is announced once (HELP and TYPE), then its
// samples follow, as the format requires; label values are escaped.
class MetricsText {
 public:
  using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  // Starts a family: `type` is "counter", "gauge" or "histogram".
  void Family(std::string_view name, std::string_view type, std::string_view help);
  // One sample of the current family, named in full.
  void Sample(std::string_view name, Labels labels, double value);
  // The _bucket, _sum and _count samples of a histogram, with `labels` plus `le`.
  void Histogram(std::string_view name, Labels labels, const DurationHistogram::Snapshot& h);

  const std::string& text() const { return text_; }

 private:
  void Write(std::string_view name, Labels labels, std::string_view extra_label,
             std::string_view extra_value, double value);
  std::string text_;
};

}  // namespace helpdesk
