#include "api/wake_scheduler.h"

#include <spdlog/spdlog.h>

#include "adapters/thread_name.h"

namespace helpdesk {

WakeScheduler::WakeScheduler(Commands& commands, const ViewQueries& queries,
                             const TaskQueries& tasks, const Clock& clock,
                             const ViewProgress* views, OwnsStream owns)
    : commands_(commands),
      queries_(queries),
      clock_(clock),
      tasks_(commands, tasks, clock, views, std::move(owns)) {}

WakeScheduler::~WakeScheduler() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void WakeScheduler::Start() {
  thread_ = std::thread([this] {
    NameThisThread("wake-ups");
    while (!stop_) {
      try {
        RunOnce();
      } catch (const std::exception& e) {  // a view read failed: try again at the next tick
        spdlog::error("wake-up scheduler: {}", e.what());
      }
      bool more = false;  // a burst of reminders is sent pass after pass without pausing
      try {
        tasks_.RunOnce();
        more = tasks_.HasMore();
      } catch (const std::exception& e) {
        spdlog::error("task timer: {}", e.what());
      }
      if (!more) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  });
}

int WakeScheduler::RunOnce() {
  int woken = 0;
  for (const std::string& id : queries_.DueAt(clock_.Now(), 500)) {
    auto outcome = commands_.Execute(Caller::System(), cmd::WakeDue{id});
    if (outcome.ok()) {
      ++woken;
    } else if (outcome.error().code == ErrorCode::kLogUnavailable) {
      spdlog::warn("cannot wake {}: {}", id, outcome.error().message);
      break;
    }
  }
  return woken;
}

}  // namespace helpdesk
