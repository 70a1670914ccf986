// HttpMetrics: every answered request counted by method, documented route and status, with its
// handling time, for GET /metrics. Lock-free: a request costs a route match and three relaxed
// atomic additions.
#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <vector>

#include "adapters/metrics.h"
#include "api/http.h"
#include "api/route_table.h"

namespace helpdesk {

class HttpMetrics {
 public:
  explicit HttpMetrics(const RouteTable& routes = RouteTable::Documented());

  // `elapsed`: from the whole request in hand (head and body) to its answer made.
  void Record(const HttpRequest& request, int status, std::chrono::nanoseconds elapsed);
  // One more request refused before it was read (rate limits; `by` is "address" or "token").
  void RecordRateLimited(const char* by);
  void WriteMetrics(MetricsText& out) const;

 private:
  // Methods the contract uses, then everything else.
  static constexpr std::array<const char*, 6> kMethods = {"GET",   "POST",   "PUT",
                                                          "PATCH", "DELETE", "other"};
  // Statuses the server answers, then everything else.
  static constexpr std::array<int, 21> kStatuses = {200, 201, 202, 204, 304, 400, 401,
                                                    403, 404, 405, 409, 412, 413, 415,
                                                    422, 428, 429, 500, 502, 503, 0};
  struct Series {
    std::array<Counter, kStatuses.size()> by_status;
    DurationHistogram duration;
  };
  // Series of route r (routes_.size() for a path the contract does not have) and method m.
  Series& At(size_t route, size_t method) const {
    return series_[route * kMethods.size() + method];
  }

  const RouteTable& routes_;
  std::unique_ptr<Series[]> series_;
  Counter limited_by_address_, limited_by_token_;
};

}  // namespace helpdesk
