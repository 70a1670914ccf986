// ProjectionRunner: tails the event log and feeds every projector. Each step takes a batch of
// events, applies them all into one ViewTxn, and commits it with the new offset (exactly-once
// views). Three threads share the work: a read-ahead thread reads and decodes the next batches,
// the runner applies one, and a committer writes the previous one to RocksDB meanwhile (the
// step being applied reads through it). Readers wait on it for read-your-writes
// (X-Min-Position).
//
// Thread-safe: one background thread writes; WaitFor/Applied may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "adapters/event_log.h"
#include "projections/conversation_projector.h"
#include "projections/directory_projector.h"
#include "projections/report_rebuild.h"
#include "projections/view_store.h"
#include "projections/view_txn.h"

namespace helpdesk {

class ProjectionRunner {
 public:
  ProjectionRunner(EventLog& log, ViewStore& views);
  ~ProjectionRunner();  // stops the thread

  // Starts the background thread.
  void Start();
  // Counts the reports again from the whole log with this build's definitions, on a thread of
  // its own (ReportRebuild), while every view serves and this runner goes on (the reports
  // answer from their old cells meanwhile, and the runner stops counting into them). When the
  // rebuild has caught up, a step takes it in before its own events and counts from there.
  // The views record the rebuild at once (report definition 0), so any build's next start
  // rebuilds the reports if this one stops first. Call before Start() (helpdeskd does when
  // the views' report definition is not this build's), or on the runner's thread.
  void RebuildReports();
  // True from RebuildReports() until a step took the rebuilt reports in (the views hold them
  // once that step commits: ViewStore::StoredReportDefinition() says so).
  bool RebuildingReports() const { return rebuilding_reports_; }
  // Applies everything the log holds now, on the calling thread (tools and tests; not with Start).
  Status CatchUp();

  // Called on the committer thread with every batch of events, once the views hold them and
  // before Applied()/WaitFor() show them: whoever waits for a position finds the observer has
  // seen it too. Set before Start().
  using Observer = std::function<void(const std::vector<RecordedEvent>&)>;
  void SetObserver(Observer observer) { observer_ = std::move(observer); }
  // Applies only events whose `at` is at or before `until` (a replay of the past); later ones
  // are read and passed over. Set before the first step.
  void SetUntil(std::optional<Timestamp> until) { until_ = until; }

  // The log position the views include.
  ConsistencyToken Applied() const;
  // Waits until the views include `token`; false on timeout.
  bool WaitFor(const ConsistencyToken& token, std::chrono::milliseconds timeout) const;
  // Waits until the views include something `seen` does not; false on timeout.
  bool WaitBeyond(const ConsistencyToken& seen, std::chrono::milliseconds timeout) const;
  // True when the views include the whole log as it is now.
  bool CaughtUp() const;
  // Events applied (not those passed over by SetUntil) and steps taken since this runner
  // started (for logs and benchmarks).
  uint64_t events_applied() const { return events_applied_; }
  uint64_t steps() const { return steps_; }

 private:
  class ReadAhead;
  // A step applied and waiting for (or in) its commit.
  struct Applying {
    std::unique_ptr<ViewTxn> txn;  // complete: the committer turns it into one batch
    ConsistencyToken to;
    std::vector<RecordedEvent> events;
    size_t applied = 0;  // events not passed over by until_
  };
  // One step: false when nothing was there to apply within `wait` (everything applied before is
  // committed then).
  Result<bool> Step(std::chrono::milliseconds wait);
  void Loop();
  void RebuildReportsLoop();
  // At the start of a step, before its events: takes the rebuilt reports into `txn` once the
  // rebuild has caught up (rebuilding_reports_ is false then).
  void TakeRebuiltReports(ViewTxn& txn);
  bool RebuiltReportsReady();
  // After a failed commit: a rebuild whose hand-over was in it starts again.
  void RestartLostReportRebuild();
  // Waits until the committer is idle; the error of the last commit, if it failed.
  Status WaitForCommitter();
  void CommitLoop();

  EventLog& log_;
  ViewStore& views_;
  ConversationProjector conversations_;
  DirectoryProjector directory_;
  Observer observer_;
  std::optional<Timestamp> until_;

  mutable std::mutex mu_;
  mutable std::condition_variable applied_cv_;
  ConsistencyToken applied_;

  std::atomic<uint64_t> events_applied_{0}, steps_{0};
  std::unique_ptr<ReadAhead> read_ahead_;  // from the first step on
  ConsistencyToken submitted_;             // after the last step handed to the committer

  // The committer: one step at a time.
  std::mutex commit_mu_;
  std::condition_variable commit_cv_;
  std::unique_ptr<Applying> committing_;  // handed over, not committed yet
  std::unique_ptr<ViewTxn> below_;        // the last committed step, read by the next one
  std::unique_ptr<ViewTxn> retired_;      // read by no step any more: the committer frees it
  Status commit_status_ = Status::Ok();
  bool stop_committer_ = false;
  std::thread committer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;

  // The rebuild of the reports, while one runs. Its thread advances it until it has caught up
  // (ready), then leaves it to the runner's thread.
  std::unique_ptr<ReportRebuild> report_rebuild_;
  std::atomic<bool> rebuilding_reports_{false};
  std::mutex rebuild_mu_;
  std::condition_variable rebuild_cv_;
  bool rebuild_ready_ = false;  // the rebuild's thread waits for the runner's
  bool rebuild_taken_ = false;  // the runner took it in: the rebuild's thread ends
  // A step took a rebuild in, and may not be committed yet (runner's thread only).
  bool reports_handed_over_ = false;
  std::thread rebuild_thread_;
};

}  // namespace helpdesk
