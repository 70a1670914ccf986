// bench_append_concurrent: the embedded log's append rate under CLIENTS concurrent appenders,
// each appending one command's events at a time with its streams' expected versions and
// waiting until they are durable (synced), as the command service does. scripts/bench-postgres
// sets it against a Message DB-style event store in PostgreSQL doing the same.
//
// The command is the first new customer's message of the bench_seed history in FROM (its three
// events as stored), appended again and again on new streams, with new ids.
//   bench_append_concurrent FROM TO CLIENTS SECONDS
// Prints the commands and events appended per second.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "adapters/embedded_log.h"

int main(int argc, char** argv) {
  if (argc < 5) {
    std::fprintf(stderr, "usage: bench_append_concurrent FROM TO CLIENTS SECONDS\n");
    return 2;
  }
  const int clients = std::atoi(argv[3]);
  const double seconds = std::atof(argv[4]);
  auto from = helpdesk::EmbeddedLog::Open(argv[1]);
  auto to = helpdesk::EmbeddedLog::Open(argv[2]);
  if (!from.ok() || !to.ok() || clients < 1 || seconds <= 0) {
    std::fprintf(stderr, "cannot open the logs, or a bad CLIENTS or SECONDS\n");
    return 1;
  }
  // The first command of a new customer: ContactCreated and the two events after it
  // (ConversationOpened, MessageReceived in a bench_seed --story opened history).
  auto head = from.value()->Read(helpdesk::ConsistencyToken(), 1000, std::chrono::milliseconds(0));
  std::vector<helpdesk::NewEvent> command;
  if (head.ok()) {
    for (const helpdesk::RecordedEvent& r : head.value()) {
      if (command.empty() && r.event.type != "ContactCreated") continue;
      command.push_back(r.event);
      if (command.size() == 3) break;
    }
  }
  if (command.size() != 3) {
    std::fprintf(stderr, "no new customer's command among the first events of %s\n", argv[1]);
    return 1;
  }
  std::fprintf(stderr, "appending copies of %s, %s, %s\n", command[0].type.c_str(),
               command[1].type.c_str(), command[2].type.c_str());

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appended{0}, failed{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (uint64_t n = 0; !stop; ++n) {
        helpdesk::AppendRequest request;
        std::map<std::string, std::string> renamed;  // stream -> a new one for this copy
        for (const helpdesk::NewEvent& e : command) {
          helpdesk::NewEvent copy = e;
          auto [it, fresh] = renamed.emplace(e.stream, "");
          if (fresh) it->second = e.stream + "-" + std::to_string(c) + "-" + std::to_string(n);
          copy.stream = it->second;
          copy.id = e.id + "-" + std::to_string(c) + "-" + std::to_string(n);
          request.expected_versions.emplace(copy.stream, 0);
          request.events.push_back(std::move(copy));
        }
        if (to.value()->Append(std::move(request)).ok()) {
          appended.fetch_add(1);
        } else {
          failed.fetch_add(1);
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (std::thread& t : threads) t.join();
  if (failed) {
    std::fprintf(stderr, "%llu appends failed: no figure\n",
                 static_cast<unsigned long long>(failed.load()));
    return 1;
  }
  const double commands = static_cast<double>(appended.load()) / seconds;
  std::printf("embedded log: %d clients, %zu events per command: %.0f commands/s = %.0f events/s\n",
              clients, command.size(), commands, commands * static_cast<double>(command.size()));
  return 0;
}
