// bench_metrics_record: what counting one request costs (HttpMetrics::Record: the documented
// route found for the path, then three relaxed atomic additions), on two threads at once as
// the server's would. Prints nanoseconds per request; scripts/bench-metrics sets it against the
// queue page's CPU time per request measured in the same run.
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "api/http_metrics.h"

int main() {
  helpdesk::HttpMetrics metrics;
  // A mix like an agent console's: the queue page, a conversation, a command, an unknown path.
  std::vector<helpdesk::HttpRequest> requests(4);
  requests[0].method = "GET";
  requests[0].path = {"api", "v1", "conversations"};
  requests[1].method = "GET";
  requests[1].path = {"api", "v1", "conversations", "c-8f2a1b", "messages"};
  requests[2].method = "POST";
  requests[2].path = {"api", "v1", "conversations", "c-8f2a1b", "take"};
  requests[3].method = "GET";
  requests[3].path = {"api", "v1", "no", "such", "route"};
  constexpr int kPerThread = 2'000'000;
  constexpr int kThreads = 2;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        metrics.Record(requests[(i + t) % requests.size()], 200,
                       std::chrono::microseconds(i % 900));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Wall time on kThreads threads: each request cost this much of one core.
  std::printf("%.0f ns of one core per request counted (%d threads)\n",
              seconds * kThreads / (kPerThread * kThreads) * 1e9, kThreads);
  return 0;
}
