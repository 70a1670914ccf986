#include "api/http_metrics.h"

#include <string>

namespace helpdesk {
namespace {

template <size_t N>
size_t IndexOf(const std::array<const char*, N>& methods, const std::string& method) {
  for (size_t i = 0; i + 1 < N; ++i) {
    if (method == methods[i]) return i;
  }
  return N - 1;
}

template <size_t N>
size_t IndexOf(const std::array<int, N>& statuses, int status) {
  for (size_t i = 0; i + 1 < N; ++i) {
    if (status == statuses[i]) return i;
  }
  return N - 1;
}

}  // namespace

HttpMetrics::HttpMetrics(const RouteTable& routes)
    : routes_(routes), series_(new Series[(routes.size() + 1) * kMethods.size()]) {}

void HttpMetrics::Record(const HttpRequest& request, int status, std::chrono::nanoseconds elapsed) {
  Series& series = At(routes_.Match(request.path), IndexOf(kMethods, request.method));
  series.by_status[IndexOf(kStatuses, status)].Add();
  series.duration.Record(elapsed);
}

void HttpMetrics::RecordRateLimited(const char* by) {
  (std::string_view(by) == "address" ? limited_by_address_ : limited_by_token_).Add();
}

void HttpMetrics::WriteMetrics(MetricsText& out) const {
  auto route_name = [this](size_t route) -> std::string {
    return route < routes_.size() ? routes_.Template(route) : "undocumented";
  };
  out.Family("helpdesk_http_requests_total", "counter",
             "Requests answered, by method, documented route (its path template) and status.");
  for (size_t route = 0; route <= routes_.size(); ++route) {
    for (size_t method = 0; method < kMethods.size(); ++method) {
      const Series& series = At(route, method);
      for (size_t s = 0; s < kStatuses.size(); ++s) {
        const uint64_t n = series.by_status[s].Read();
        if (n == 0) continue;
        const std::string status = kStatuses[s] == 0 ? "other" : std::to_string(kStatuses[s]);
        out.Sample("helpdesk_http_requests_total",
                   {{"method", kMethods[method]}, {"route", route_name(route)}, {"status", status}},
                   static_cast<double>(n));
      }
    }
  }
  out.Family("helpdesk_http_request_duration_seconds", "histogram",
             "Time from a request read whole to its answer made, by method and route.");
  for (size_t route = 0; route <= routes_.size(); ++route) {
    for (size_t method = 0; method < kMethods.size(); ++method) {
      const DurationHistogram::Snapshot h = At(route, method).duration.Read();
      if (h.count == 0) continue;
      out.Histogram("helpdesk_http_request_duration_seconds",
                    {{"method", kMethods[method]}, {"route", route_name(route)}}, h);
    }
  }
  out.Family("helpdesk_http_rate_limited_total", "counter",
             "Requests refused with 429 before they were read, by the bucket that was empty.");
  out.Sample("helpdesk_http_rate_limited_total", {{"by", "address"}},
             static_cast<double>(limited_by_address_.Read()));
  out.Sample("helpdesk_http_rate_limited_total", {{"by", "token"}},
             static_cast<double>(limited_by_token_.Read()));
}

}  // namespace helpdesk
