// bench_seed: fills an event log with a realistic help desk history for replay and projection
// benchmarks, through the real command service (every event is one the product would write).
//
//   bench_seed --data DIR --conversations N [--threads T] [--days D] [--story full|opened]
//       seeds the embedded log under DIR/log: a channel, 20 agents, and N conversations, each
//       opened by an inbound message, assigned, answered, noted, tagged and closed (8 events);
//       with --story opened, each is only opened by a new customer's message (3 events: many
//       conversations and contacts in a short log, for the write model's memory);
//       with --days, the conversations are spread evenly over the last D days (each one's
//       events minutes apart, as if worked then) instead of all happening now;
//       with --story deals, N deals instead (of 1,000 contacts, 20 owners) through the default
//       funnel: a fifth stay in lead, the others move on to contacted, qualified, proposal and
//       won, or are lost, hours and days apart (about 3.4 events a deal);
//       with --story tasks, 10 teams of two agents, 20,000 conversations waiting in the queue,
//       and N tasks queued for the teams in turn, of the four built-in types, due over the next
//       30 days (with --due-in-seconds S, all due S seconds after seeding started);
//   bench_seed --data DIR --copy-to-kafka BROKERS --topic NAME
//       copies that log, event for event (same ids, times, stream versions), into a Kafka topic,
//       many transactions in flight; for measuring projections that read from Kafka.
// Prints what it did and how fast.
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "adapters/clock.h"
#include "adapters/embedded_log.h"
#include "adapters/kafka_log.h"
#include "commands/command_service.h"

namespace {

using helpdesk::Caller;
using helpdesk::Role;

// The time each seeding thread's commands happen at: the command service reads the clock on
// the caller's thread, so each worker can live its own conversation's minutes.
class StoryClock final : public helpdesk::Clock {
 public:
  helpdesk::Timestamp Now() const override {
    return now_.ms ? now_ : helpdesk::SystemClock().Now();
  }
  static void Set(helpdesk::Timestamp t) { now_ = t; }

 private:
  static thread_local helpdesk::Timestamp now_;
};
thread_local helpdesk::Timestamp StoryClock::now_{0};

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "bench_seed: %s\n", what.c_str());
  return 1;
}

// Deal i's story through the default funnel, by i % 5: stays in lead; contacted; qualified;
// proposal then won; contacted then lost.
bool DealStory(helpdesk::CommandService& commands, const Caller& owner, long i,
               const std::function<void(int minute)>& at) {
  helpdesk::cmd::CreateDeal deal;
  deal.id = "deal-" + std::to_string(i);
  deal.title = "Plano " + std::to_string(i);
  deal.contact_id = "k" + std::to_string(i % 1000);
  deal.value = 100 + static_cast<double>(i % 900);
  deal.currency = "BRL";
  deal.owner_id = owner.user_id;
  at(0);
  if (!commands.Execute(owner, deal).ok()) return false;
  auto move = [&](int minute, const char* stage) {
    at(minute);
    return commands
        .Execute(owner, helpdesk::cmd::MoveDeal{*deal.id, stage, std::nullopt, std::nullopt})
        .ok();
  };
  switch (i % 5) {
    case 0:
      return true;
    case 1:
      return move(60 + static_cast<int>(i % 600), "contacted");
    case 2:
      return move(60, "contacted") && move(1440 + static_cast<int>(i % 1440), "qualified");
    case 3:
      return move(60, "contacted") && move(1440, "qualified") &&
             move(4320 + static_cast<int>(i % 2880), "proposal") && move(10080, "won");
    default:
      return move(120, "contacted") && move(2880 + static_cast<int>(i % 4320), "lost");
  }
}

// Ten teams (t0…t9) of two agents each, 20,000 waiting conversations, then `tasks` tasks queued
// for the teams in turn.
int SeedTasks(helpdesk::CommandService& commands, long tasks, int threads,
              std::optional<int64_t> due_in_seconds) {
  const Caller admin{"", Role::kAdmin, ""};
  for (int t = 0; t < 10; ++t) {
    const std::string team = "t" + std::to_string(t);
    if (!commands.Execute(admin, helpdesk::cmd::CreateTeam{team, "Team " + team}).ok()) {
      return Fail("cannot create " + team);
    }
  }
  for (int a = 0; a < 20; ++a) {
    const std::string id = "agent" + std::to_string(a);
    if (!commands.Execute(admin, helpdesk::cmd::AddTeamMember{"t" + std::to_string(a % 10), id})
             .ok()) {
      return Fail("cannot add " + id);
    }
  }
  const int64_t now = helpdesk::SystemClock().Now().ms;
  static constexpr const char* kTypes[] = {"call", "email", "scheduling", "custom"};
  constexpr long kConversations = 20000;
  std::atomic<long> next{0}, failed{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int w = 0; w < threads; ++w) {
    workers.emplace_back([&] {
      for (long i; (i = next++) < kConversations + tasks;) {
        if (i < kConversations) {
          helpdesk::cmd::ReceiveInbound in;
          in.channel_id = "wa";
          in.external_id = "seed-" + std::to_string(i);
          in.text = "Oi, preciso de ajuda com o pedido " + std::to_string(i);
          in.from_phone = "+5511" + std::to_string(900000000 + i);
          if (!commands.Execute(admin, in).ok()) ++failed;
          continue;
        }
        const long k = i - kConversations;
        const Caller creator{"agent" + std::to_string(k % 20), Role::kAgent, ""};
        helpdesk::cmd::CreateTask task;
        task.id = "task-" + std::to_string(k);
        task.type = kTypes[k % 4];
        task.title = "Retorno ao cliente " + std::to_string(k);
        task.team_id = "t" + std::to_string(k % 10);
        task.due_at = helpdesk::Timestamp{
            due_in_seconds ? now + *due_in_seconds * 1000
                           : now + helpdesk::kHourMs * 2 + (k * 7919) % (30 * helpdesk::kDayMs)};
        if (!commands.Execute(creator, task).ok()) ++failed;
      }
    });
  }
  for (auto& w : workers) w.join();
  std::printf("seeded %ld conversations and %ld tasks (%ld failed) in %.1f s\n", kConversations,
              tasks, failed.load(), Since(start));
  if (due_in_seconds) {
    std::printf("due at %s\n",
                helpdesk::FormatRfc3339({now + *due_in_seconds * 1000}).c_str());
  }
  return failed ? 1 : 0;
}

int Seed(const std::string& data, long conversations, int threads, int days, bool full_story,
         bool deals, bool tasks, std::optional<int64_t> due_in_seconds) {
  std::filesystem::create_directories(data);
  auto opened = helpdesk::EmbeddedLog::Open(data + "/log");
  if (!opened.ok()) return Fail(opened.error().message);
  auto log = std::move(opened).value();
  StoryClock clock;
  helpdesk::RandomIds ids;
  helpdesk::CommandService commands(*log, helpdesk::Env{clock, ids});
  // With --days: conversation i starts at `first + i × step`, ending an hour ago.
  const int64_t span = int64_t{days} * helpdesk::kDayMs;
  const int64_t first = helpdesk::SystemClock().Now().ms - helpdesk::kHourMs - span;
  const int64_t step = conversations > 0 ? span / conversations : 0;
  auto at = [&](long i, int minute) {
    if (days > 0) StoryClock::Set({first + i * step + minute * helpdesk::kMinuteMs});
  };
  if (auto loaded = commands.Load(); !loaded.ok()) return Fail(loaded.error().message);
  const Caller admin{"", Role::kAdmin, ""};
  if (auto c = commands.Execute(
          admin, helpdesk::cmd::CreateChannel{std::string("wa"), "whatsapp", "WA", "1", ""});
      !c.ok()) {
    return Fail(c.error().message);
  }
  constexpr int kAgents = 20;
  for (int a = 0; a < kAgents; ++a) {
    const std::string id = "agent" + std::to_string(a);
    auto u = commands.Execute(
        admin, helpdesk::cmd::CreateUser{
                   id, "Agent " + std::to_string(a), id + "@example.com", "agent", {}, ""});
    if (!u.ok()) return Fail(u.error().message);
  }
  if (tasks) {
    const int status = SeedTasks(commands, conversations, threads, due_in_seconds);
    std::printf("log head %s\n", log->Head().ToString().c_str());
    return status;
  }
  if (deals) {
    for (int k = 0; k < 1000; ++k) {
      helpdesk::cmd::CreateContact contact;
      contact.id = "k" + std::to_string(k);
      contact.name = "Contact " + std::to_string(k);
      if (auto c = commands.Execute(admin, contact); !c.ok()) return Fail(c.error().message);
    }
  }
  std::atomic<long> next{0}, failed{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (long i; (i = next++) < conversations;) {
        const Caller agent{"agent" + std::to_string(i % kAgents), Role::kAgent, ""};
        if (deals) {
          if (!DealStory(commands, agent, i, [&](int minute) { at(i, minute); })) ++failed;
          continue;
        }
        helpdesk::cmd::ReceiveInbound in;
        in.channel_id = "wa";
        in.external_id = "seed-" + std::to_string(i);
        in.text = "Hello, my order " + std::to_string(i) + " has not arrived yet";
        in.from_phone = "+5511" + std::to_string(900000000 + i);
        at(i, 0);
        auto opened = commands.Execute(admin, in);
        if (!opened.ok()) {
          ++failed;
          continue;
        }
        if (!full_story) continue;
        const std::string id = opened.value().id;
        at(i, 1);
        bool ok = commands.Execute(agent, helpdesk::cmd::Take{id, std::nullopt}).ok();
        at(i, 2 + static_cast<int>(i % 7));
        ok = ok && commands
                       .Execute(agent, helpdesk::cmd::SendMessage{id, "We are looking into it.",
                                                                  false, false})
                       .ok();
        at(i, 10);
        ok = ok &&
             commands.Execute(agent, helpdesk::cmd::SendMessage{id, "Carrier delayed", true, false})
                 .ok();
        ok = ok && commands
                       .Execute(agent,
                                helpdesk::cmd::Tag{id, i % 3 ? "delivery" : "refund", std::nullopt})
                       .ok();
        at(i, 20 + static_cast<int>(i % 40));
        ok = ok && commands
                       .Execute(agent, helpdesk::cmd::Close{id, i % 2 ? "solved" : "no_reply",
                                                            std::nullopt})
                       .ok();
        if (!ok) ++failed;
      }
    });
  }
  for (auto& w : workers) w.join();
  std::printf("seeded %ld %s (%ld failed) in %.1f s; log head %s\n", conversations,
              deals ? "deals" : "conversations",
              failed.load(), Since(start), log->Head().ToString().c_str());
  return failed ? 1 : 0;
}

int CopyToKafka(const std::string& data, const std::string& brokers, const std::string& topic) {
  auto source = helpdesk::EmbeddedLog::Open(data + "/log");
  if (!source.ok()) return Fail(source.error().message);
  helpdesk::KafkaOptions options;
  options.brokers = brokers;
  options.topic = topic;
  auto target = helpdesk::KafkaLog::Open(options);
  if (!target.ok()) return Fail(target.error().message);
  const auto start = std::chrono::steady_clock::now();
  helpdesk::ConsistencyToken at;
  long copied = 0, failed = 0;
  std::deque<std::future<helpdesk::Result<helpdesk::AppendResult>>> in_flight;
  auto settle = [&] {
    if (!in_flight.front().get().ok()) ++failed;
    in_flight.pop_front();
  };
  for (;;) {
    auto batch = source.value()->Read(at, 2000, std::chrono::milliseconds(0));
    if (!batch.ok()) return Fail(batch.error().message);
    if (batch.value().empty()) break;
    helpdesk::AppendRequest request;
    for (helpdesk::RecordedEvent& r : batch.value()) {
      at.Set(r.partition, r.position);
      request.expected_versions.emplace(r.event.stream, r.stream_version - 1);
      request.events.push_back(std::move(r.event));
    }
    copied += static_cast<long>(request.events.size());
    if (in_flight.size() >= 64) settle();
    in_flight.push_back(target.value()->AppendAsync(std::move(request)));
  }
  while (!in_flight.empty()) settle();
  std::printf("copied %ld events to %s in %.1f s (%ld failed batches)\n", copied, topic.c_str(),
              Since(start), failed);
  return failed ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2) flags[argv[i]] = argv[i + 1];
  spdlog::set_level(spdlog::level::warn);
  if (!flags.count("--data")) {
    std::fprintf(stderr,
                 "usage: bench_seed --data DIR --conversations N [--threads T] [--days D]\n"
                 "                  [--story full|opened|deals|tasks] [--due-in-seconds S]\n"
                 "       bench_seed --data DIR --copy-to-kafka BROKERS --topic NAME\n");
    return 2;
  }
  if (flags.count("--copy-to-kafka")) {
    return CopyToKafka(flags["--data"], flags["--copy-to-kafka"],
                       flags.count("--topic") ? flags["--topic"] : "helpdesk.events");
  }
  return Seed(flags["--data"], std::atol(flags["--conversations"].c_str()),
              flags.count("--threads") ? std::atoi(flags["--threads"].c_str()) : 32,
              flags.count("--days") ? std::atoi(flags["--days"].c_str()) : 0,
              flags["--story"] != "opened", flags["--story"] == "deals",
              flags["--story"] == "tasks",
              flags.count("--due-in-seconds")
                  ? std::optional<int64_t>(std::atoll(flags["--due-in-seconds"].c_str()))
                  : std::nullopt);
}
