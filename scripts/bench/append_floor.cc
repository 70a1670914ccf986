// bench_append_floor: the raw append rate of a log's own events, for the import benchmark's
// floor. Reads every event of the embedded log in FROM (what a run wrote: its events, their
// sealed payloads and hashes as they are) and appends them, in their order, to a new embedded
// log in TO, in batches of BATCH with up to 4 batches in flight: what the log itself costs,
// without deciding, projecting or HTTP.
//
//   bench_append_floor FROM TO [BATCH]
// Prints the events appended and the rate.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "adapters/embedded_log.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_append_floor FROM TO [BATCH]\n");
    return 2;
  }
  const size_t batch = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 500;
  if (batch == 0) {
    std::fprintf(stderr, "BATCH must be a positive number\n");
    return 2;
  }
  auto from = helpdesk::EmbeddedLog::Open(argv[1]);
  auto to = helpdesk::EmbeddedLog::Open(argv[2]);
  if (!from.ok() || !to.ok()) {
    std::fprintf(stderr, "cannot open the logs\n");
    return 1;
  }
  std::vector<helpdesk::NewEvent> events;
  helpdesk::Status read = helpdesk::ReadToEnd(
      *from.value(), helpdesk::ConsistencyToken(),
      [&](const helpdesk::RecordedEvent& r) { events.push_back(r.event); });
  if (!read.ok()) {
    std::fprintf(stderr, "cannot read %s: %s\n", argv[1], read.error().message.c_str());
    return 1;
  }

  std::map<std::string, uint64_t> versions;  // each stream's version as appended so far
  std::deque<std::future<helpdesk::Result<helpdesk::AppendResult>>> in_flight;
  size_t failed = 0;  // after a failed batch the later ones' expected versions are wrong: stop
  auto settle = [&] {
    if (!in_flight.front().get().ok()) ++failed;
    in_flight.pop_front();
  };
  const auto start = std::chrono::steady_clock::now();
  for (size_t first = 0; first < events.size() && failed == 0; first += batch) {
    helpdesk::AppendRequest request;
    for (size_t i = first; i < std::min(events.size(), first + batch); ++i) {
      const std::string& stream = events[i].stream;
      request.expected_versions.emplace(stream, versions[stream]);
      ++versions[stream];
      request.events.push_back(events[i]);
    }
    if (in_flight.size() == 4) settle();
    in_flight.push_back(to.value()->AppendAsync(std::move(request)));
  }
  while (!in_flight.empty()) settle();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed) {
    std::fprintf(stderr, "an append failed: no figure\n");
    return 1;
  }
  std::printf("raw append: %zu events in batches of %zu in %.2f s = %.0f events/s\n",
              events.size(), batch, seconds, static_cast<double>(events.size()) / seconds);
  return 0;
}
