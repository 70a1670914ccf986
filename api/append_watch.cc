#include "api/append_watch.h"

namespace helpdesk {

Result<CommandOutcome> AppendWatch::Execute(const Caller& caller, Command command) {
  Result<CommandOutcome> outcome = inner_.Execute(caller, std::move(command));
  if (!outcome.ok() && outcome.error().code == ErrorCode::kLogUnavailable) {
    refused_at_ms_.store(clock_.Now().ms);
  } else if (outcome.ok()) {
    refused_at_ms_.store(0);
  }
  return outcome;
}

std::vector<Result<CommandOutcome>> AppendWatch::ExecuteAll(const Caller& caller,
                                                            std::vector<Command> commands) {
  std::vector<Result<CommandOutcome>> outcomes = inner_.ExecuteAll(caller, std::move(commands));
  for (const Result<CommandOutcome>& outcome : outcomes) {
    if (!outcome.ok() && outcome.error().code == ErrorCode::kLogUnavailable) {
      refused_at_ms_.store(clock_.Now().ms);
    } else if (outcome.ok()) {
      refused_at_ms_.store(0);
    }
  }
  return outcomes;
}

bool AppendWatch::RecentlyRefused() const {
  const int64_t at = refused_at_ms_.load();
  return at != 0 && clock_.Now().ms - at < kRecentMs;
}

}  // namespace helpdesk
