#include "api/append_watch.h"

#include <chrono>
#include <functional>
#include <utility>

namespace helpdesk {
namespace {

template <size_t... I>
constexpr std::array<const char*, sizeof...(I)> CommandNames(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, Command>::kName...};
}
constexpr auto kCommandNames =
    CommandNames(std::make_index_sequence<std::variant_size_v<Command>>());

size_t OutcomeIndex(const Result<CommandOutcome>& outcome) {
  return outcome.ok() ? 0 : static_cast<size_t>(outcome.error().code) + 1;
}

std::vector<size_t> TypesOf(const std::vector<Command>& commands) {
  std::vector<size_t> types;
  types.reserve(commands.size());
  for (const Command& command : commands) types.push_back(command.index());
  return types;
}

const char* OutcomeName(size_t index) {
  return index == 0 ? "ok" : ErrorCodeName(static_cast<ErrorCode>(index - 1));
}

}  // namespace

void AppendWatch::Note(size_t type, const Result<CommandOutcome>& outcome) {
  outcomes_[type][OutcomeIndex(outcome)].Add();
  if (!outcome.ok() && outcome.error().code == ErrorCode::kLogUnavailable) {
    refused_at_ms_.store(clock_.Now().ms);
  } else if (outcome.ok()) {
    refused_at_ms_.store(0);
  }
}

Result<CommandOutcome> AppendWatch::Execute(const Caller& caller, Command command) {
  const size_t type = command.index();
  const auto start = std::chrono::steady_clock::now();
  Result<CommandOutcome> outcome = inner_.Execute(caller, std::move(command));
  duration_.Record(std::chrono::steady_clock::now() - start);
  Note(type, outcome);
  return outcome;
}

void AppendWatch::NoteBatch(const std::vector<size_t>& types,
                            const std::vector<Result<CommandOutcome>>& outcomes,
                            std::chrono::steady_clock::duration elapsed) {
  // A batch is decided together and waits for the log once: each command of it took as long.
  for (size_t i = 0; i < outcomes.size() && i < types.size(); ++i) {
    duration_.Record(elapsed);
    Note(types[i], outcomes[i]);
  }
}

std::vector<Result<CommandOutcome>> AppendWatch::ExecuteAll(const Caller& caller,
                                                            std::vector<Command> commands) {
  return Submit(caller, std::move(commands))->Wait();
}

namespace {

// The inner service's batch, counted when it is answered.
class WatchedBatch final : public SubmittedBatch {
 public:
  using Note = std::function<void(const std::vector<Result<CommandOutcome>>&)>;
  WatchedBatch(Note note, std::unique_ptr<SubmittedBatch> inner)
      : note_(std::move(note)), inner_(std::move(inner)) {}

  std::vector<Result<CommandOutcome>> Wait() override {
    std::vector<Result<CommandOutcome>> outcomes = inner_->Wait();
    note_(outcomes);
    return outcomes;
  }

 private:
  Note note_;
  std::unique_ptr<SubmittedBatch> inner_;
};

}  // namespace

std::unique_ptr<SubmittedBatch> AppendWatch::Submit(const Caller& caller,
                                                    std::vector<Command> commands) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<size_t> types = TypesOf(commands);
  std::unique_ptr<SubmittedBatch> inner = inner_.Submit(caller, std::move(commands));
  return std::make_unique<WatchedBatch>(
      [this, types = std::move(types), start](const std::vector<Result<CommandOutcome>>& outcomes) {
        NoteBatch(types, outcomes, std::chrono::steady_clock::now() - start);
      },
      std::move(inner));
}

bool AppendWatch::RecentlyRefused() const {
  const int64_t at = refused_at_ms_.load();
  return at != 0 && clock_.Now().ms - at < kRecentMs;
}

void AppendWatch::WriteMetrics(MetricsText& out) const {
  out.Family("helpdesk_commands_total", "counter",
             "Commands this node's API ran, by command type and outcome (ok or the error code).");
  for (size_t type = 0; type < kTypes; ++type) {
    for (size_t outcome = 0; outcome < kOutcomes; ++outcome) {
      const uint64_t n = outcomes_[type][outcome].Read();
      if (n == 0) continue;
      out.Sample("helpdesk_commands_total",
                 {{"type", kCommandNames[type]}, {"outcome", OutcomeName(outcome)}},
                 static_cast<double>(n));
    }
  }
  out.Family("helpdesk_command_duration_seconds", "histogram",
             "Time from a command's start to its answer: decided, durable in the log (or "
             "refused), routed to its stream's owner on a cluster.");
  out.Histogram("helpdesk_command_duration_seconds", {}, duration_.Read());
}

}  // namespace helpdesk
