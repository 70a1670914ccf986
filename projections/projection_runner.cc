#include "projections/projection_runner.h"

#include <spdlog/spdlog.h>

#include <deque>

#include "adapters/thread_name.h"

namespace helpdesk {
namespace {
constexpr size_t kEventsPerStep = 2000;
constexpr size_t kBatchesAhead = 3;
// A pass of the rebuild of the reports that read at most this many events found it caught up
// with the runner (ProjectionRunner::RebuildReportsLoop).
constexpr uint64_t kCaughtUpPass = 2 * kEventsPerStep;
}  // namespace

// Reads batches from the log on its own thread, a few ahead of the projectors, so decoding
// events and applying them use both cores.
class ProjectionRunner::ReadAhead {
 public:
  ReadAhead(EventLog& log, ConsistencyToken from) : log_(log), at_(std::move(from)) {
    thread_ = std::thread([this] {
      NameThisThread("log-read-ahead");
      Loop();
    });
  }
  ~ReadAhead() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  // The next batch; empty when none came within `wait`.
  Result<std::vector<RecordedEvent>> Next(std::chrono::milliseconds wait) {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, wait, [this] { return !ready_.empty(); })) {
      return std::vector<RecordedEvent>();
    }
    Result<std::vector<RecordedEvent>> batch = std::move(ready_.front());
    ready_.pop_front();
    cv_.notify_all();
    return batch;
  }

 private:
  void Loop() {
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || ready_.size() < kBatchesAhead; });
        if (stop_) return;
      }
      auto batch = log_.Read(at_, kEventsPerStep, std::chrono::milliseconds(100));
      if (batch.ok() && batch.value().empty()) continue;
      const bool failed = !batch.ok();
      if (batch.ok()) {
        for (const RecordedEvent& r : batch.value()) at_.Set(r.partition, r.position);
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        ready_.push_back(std::move(batch));
      }
      cv_.notify_all();
      if (failed) std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

  EventLog& log_;
  ConsistencyToken at_;  // after the last event read
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Result<std::vector<RecordedEvent>>> ready_;
  bool stop_ = false;
  std::thread thread_;
};

ProjectionRunner::ProjectionRunner(EventLog& log, ViewStore& views)
    : log_(log), views_(views), applied_(views.StoredOffset()), submitted_(applied_) {
  committer_ = std::thread([this] {
    NameThisThread("views-commit");
    CommitLoop();
  });
}

ProjectionRunner::~ProjectionRunner() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (rebuild_thread_.joinable()) {  // stop_ stops its reading too
    {
      std::lock_guard<std::mutex> lock(rebuild_mu_);
      rebuild_taken_ = true;
    }
    rebuild_cv_.notify_all();
    rebuild_thread_.join();
  }
  read_ahead_.reset();
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    stop_committer_ = true;
  }
  commit_cv_.notify_all();
  committer_.join();
}

void ProjectionRunner::CommitLoop() {
  std::unique_lock<std::mutex> lock(commit_mu_);
  rocksdb::WriteBatch batch;  // one buffer for every step (ViewTxn::WriteTo)
  for (;;) {
    commit_cv_.wait(lock, [this] { return stop_committer_ || committing_; });
    if (!committing_) return;  // stopping, nothing left
    Applying& step = *committing_;
    std::unique_ptr<ViewTxn> retired = std::move(retired_);
    lock.unlock();
    // Building the batch and freeing the step before it here, off the applying thread, leaves
    // that thread (the replay's bottleneck) to the projectors.
    batch.Clear();
    step.txn->WriteTo(batch);
    Status committed = views_.Commit(batch, step.to);
    if (committed.ok()) {
      if (observer_) observer_(step.events);
      {
        std::lock_guard<std::mutex> applied_lock(mu_);
        applied_ = step.to;
      }
      events_applied_ += step.applied;
      ++steps_;
      applied_cv_.notify_all();
    }
    lock.lock();
    commit_status_ = committed;
    // Kept as the layer below the next step until that one is handed over.
    below_ = std::move(step.txn);
    committing_.reset();
    commit_cv_.notify_all();
    // Freed once readers and the applying thread have been told, not before.
    lock.unlock();
    retired.reset();
    lock.lock();
  }
}

Status ProjectionRunner::WaitForCommitter() {
  std::unique_lock<std::mutex> lock(commit_mu_);
  commit_cv_.wait(lock, [this] { return !committing_; });
  Status status = commit_status_;
  commit_status_ = Status::Ok();
  return status;
}

void ProjectionRunner::Start() {
  spdlog::info("projections start at {}", Applied().ToString());
  thread_ = std::thread([this] {
    NameThisThread("projectors");
    Loop();
  });
}

void ProjectionRunner::RebuildReports() {
  if (rebuilding_reports_) return;
  spdlog::info("reports: counting the log again with definition {}", kReportDefinitionVersion);
  Status marked = views_.MarkReportsRebuilding();
  if (!marked.ok()) {
    // The old definition stays recorded: a start by a build of that definition would take the
    // cells for complete. Rebuilding anyway, and saying so.
    spdlog::error("reports: cannot record the rebuild in the views: {}", marked.error().message);
  }
  report_rebuild_ = std::make_unique<ReportRebuild>(log_, &stop_);
  rebuild_ready_ = false;
  rebuild_taken_ = false;
  rebuilding_reports_ = true;
  rebuild_thread_ = std::thread([this] {
    NameThisThread("report-rebuild");
    RebuildReportsLoop();
  });
}

void ProjectionRunner::RebuildReportsLoop() {
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    // Up to what the views hold now: the runner is ahead of that, or there.
    const ConsistencyToken target = Applied();
    const uint64_t read_before = report_rebuild_->events_read();
    Status advanced = report_rebuild_->AdvanceTo(target);
    if (stop_) return;
    if (!advanced.ok()) {
      spdlog::error("rebuilding the reports: {}; retrying", advanced.error().message);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    const uint64_t read = report_rebuild_->events_read() - read_before;
    if (!report_rebuild_->position().Covers(target)) {
      // A partitioned log gave events past the target first: read again, without spinning.
      if (read == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    // Caught up with the target. The runner's thread will count what it applied since, at the
    // hand-over: hand over only once a pass had little to read, so that stays a step or two.
    if (read > kCaughtUpPass) continue;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    spdlog::info("reports: {} events counted again in {:.1f} s; handing over at the next step",
                 report_rebuild_->events_read(), seconds);
    std::unique_lock<std::mutex> lock(rebuild_mu_);
    rebuild_ready_ = true;
    rebuild_cv_.wait(lock, [this] { return rebuild_taken_ || !rebuild_ready_; });
    if (rebuild_taken_) return;
    // The runner could not take it at once (reading the rest failed): advance again.
  }
}

bool ProjectionRunner::RebuiltReportsReady() {
  if (!rebuilding_reports_) return false;
  std::lock_guard<std::mutex> lock(rebuild_mu_);
  return rebuild_ready_;
}

void ProjectionRunner::TakeRebuiltReports(ViewTxn& txn) {
  std::unique_lock<std::mutex> lock(rebuild_mu_);
  if (!rebuild_ready_) return;
  // The rebuild's thread waits: what the runner applied since it caught up is counted here.
  Status advanced = report_rebuild_->AdvanceTo(submitted_);
  if (!advanced.ok() || !report_rebuild_->position().Covers(submitted_)) {
    spdlog::warn("reports: the rebuild could not reach {} ({}); it goes on", submitted_.ToString(),
                 advanced.ok() ? "not all read yet" : advanced.error().message);
    rebuild_ready_ = false;
    lock.unlock();
    rebuild_cv_.notify_all();
    return;
  }
  report_rebuild_->WriteInto(txn);
  rebuild_taken_ = true;
  reports_handed_over_ = true;
  lock.unlock();
  rebuild_cv_.notify_all();
  rebuild_thread_.join();
  report_rebuild_.reset();
  rebuilding_reports_ = false;
}

void ProjectionRunner::RestartLostReportRebuild() {
  if (!reports_handed_over_) return;
  reports_handed_over_ = false;
  if (views_.StoredReportDefinition() == kReportDefinitionVersion) return;
  spdlog::warn("reports: the step that took the rebuilt reports in failed; rebuilding again");
  RebuildReports();
}

Status ProjectionRunner::CatchUp() {
  for (;;) {
    auto stepped = Step(std::chrono::milliseconds(100));
    if (!stepped.ok()) return stepped.error();
    if (stepped.value()) continue;
    // Nothing came: the end of the log, or (on a remote log) events not fetched yet.
    auto done = log_.IsCaughtUp(Applied());
    if (!done.ok()) return done.error();
    if (done.value()) return Status::Ok();
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

bool ProjectionRunner::WaitBeyond(const ConsistencyToken& seen,
                                  std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return applied_cv_.wait_for(lock, timeout, [&] { return !seen.Covers(applied_); });
}

Result<bool> ProjectionRunner::Step(std::chrono::milliseconds wait) {
  if (!read_ahead_) read_ahead_ = std::make_unique<ReadAhead>(log_, submitted_);
  auto events = read_ahead_->Next(wait);
  if (!events.ok()) return events.error();
  // A rebuild of the reports that caught up is taken in at once, by a step of its own if the
  // log is idle (else the reports would wait for the next event).
  if (events.value().empty() && !RebuiltReportsReady()) {
    // Idle: let the last step's commit finish, so Applied() shows everything.
    Status committed = WaitForCommitter();
    if (!committed.ok()) {
      read_ahead_.reset();
      submitted_ = Applied();
      RestartLostReportRebuild();
      return committed.error();
    }
    return false;
  }
  // The step being committed, if any, is the layer below this one.
  const ViewTxn* below = nullptr;
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    if (committing_) below = committing_->txn.get();
  }
  auto step = std::make_unique<Applying>();
  step->txn = std::make_unique<ViewTxn>(views_.db(), below);
  if (rebuilding_reports_) TakeRebuiltReports(*step->txn);
  ConversationCache cache(*step->txn);
  ReportAccumulator reports(*step->txn);
  ReportAccumulator* counting = rebuilding_reports_ ? nullptr : &reports;
  step->to = submitted_;
  for (const RecordedEvent& r : events.value()) {
    step->to.Set(r.partition, r.position);
    if (until_ && *until_ < r.event.at) continue;
    ++step->applied;
    try {
      if (r.event.stream.starts_with("conversation/")) {
        conversations_.Apply(r, *step->txn, cache, counting);
      } else {
        directory_.Apply(r, *step->txn, cache);
      }
    } catch (const std::exception& e) {
      // An event whose data breaks a projector (written by another tool into a shared topic):
      // skipped and logged, since stopping here would stop at it again at every start.
      spdlog::error("event {} ({} in {}) skipped by the projectors: {}", r.position, r.event.type,
                    r.event.stream, e.what());
    }
  }
  cache.Flush();
  reports.Flush(*step->txn);
  step->events = std::move(events).value();

  // Hand over once the step below is committed: commits stay in order, one at a time.
  Status committed = WaitForCommitter();
  if (!committed.ok()) {
    // This step read what did not reach the views: read again from what did.
    read_ahead_.reset();
    submitted_ = Applied();
    RestartLostReportRebuild();
    return committed.error();
  }
  step->txn->ForgetBelow();
  submitted_ = step->to;
  {
    std::lock_guard<std::mutex> lock(commit_mu_);
    retired_ = std::move(below_);
    committing_ = std::move(step);
  }
  commit_cv_.notify_all();
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
