#include "projections/projection_runner.h"

#include <spdlog/spdlog.h>

namespace helpdesk {
namespace {
constexpr size_t kEventsPerStep = 2000;
}  // namespace

ProjectionRunner::ProjectionRunner(EventLog& log, ViewStore& views)
    : log_(log), views_(views), applied_(views.StoredOffset()) {}

ProjectionRunner::~ProjectionRunner() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void ProjectionRunner::Start() {
  spdlog::info("projections start at {}", Applied().ToString());
  thread_ = std::thread([this] { Loop(); });
}

Status ProjectionRunner::CatchUp() {
  for (;;) {
    auto stepped = Step(std::chrono::milliseconds(0));
    if (!stepped.ok()) return stepped.error();
    if (stepped.value()) continue;
    // Nothing came: the end of the log, or (on a remote log) events not fetched yet.
    auto done = log_.IsCaughtUp(Applied());
    if (!done.ok()) return done.error();
    if (done.value()) return Status::Ok();
    stepped = Step(std::chrono::milliseconds(100));
    if (!stepped.ok()) return stepped.error();
  }
}

ConsistencyToken ProjectionRunner::Applied() const {
  std::lock_guard<std::mutex> lock(mu_);
  return applied_;
}

bool ProjectionRunner::CaughtUp() const {
  auto caught_up = log_.IsCaughtUp(Applied());
  return caught_up.ok() && caught_up.value();
}

bool ProjectionRunner::WaitFor(const ConsistencyToken& token,
                               std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return applied_cv_.wait_for(lock, timeout, [&] { return applied_.Covers(token); });
}

Result<bool> ProjectionRunner::Step(std::chrono::milliseconds wait) {
  const ConsistencyToken from = Applied();
  auto events = log_.Read(from, kEventsPerStep, wait);
  if (!events.ok()) return events.error();
  if (events.value().empty()) return false;
  ViewTxn txn(views_.db());
  ConsistencyToken to = from;
  for (const RecordedEvent& r : events.value()) {
    if (r.event.stream.starts_with("conversation/")) {
      conversations_.Apply(r, txn);
    } else {
      directory_.Apply(r, txn);
    }
    to.Set(r.partition, r.position);
  }
  Status committed = views_.Commit(txn.batch(), to);
  if (!committed.ok()) return committed.error();
  if (observer_) observer_(events.value());
  {
    std::lock_guard<std::mutex> lock(mu_);
    applied_ = to;
  }
  applied_cv_.notify_all();
  return true;
}

void ProjectionRunner::Loop() {
  while (!stop_) {
    auto stepped = Step(std::chrono::milliseconds(100));
    if (!stepped.ok()) {
      spdlog::error("projection step failed: {}; retrying", stepped.error().message);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }
}

}  // namespace helpdesk
