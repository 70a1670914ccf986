// ReportRebuild: counts the reports again from the whole log with this build's definitions
// (domain/report_rules.h), apart from every other view: what a new report definition needs.
// It reads the log as stored and decodes only the conversations' events, with EnvelopeScanner
// (no JSON trees), keeps each conversation's state and report marks in memory and the report
// cells as running sums. The views see none of it until WriteInto, which the projection runner
// calls inside one of its steps (ProjectionRunner::RebuildReports): the rebuilt cells replace
// the old ones and each conversation's marks wait under rm/ for its next event.
//
// Memory: one ConversationState per conversation of the log, for the rebuild's length.
// Single-threaded: one thread at a time (the rebuild's, then the runner's for the hand-over).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <unordered_map>

#include "adapters/envelope_scan.h"
#include "adapters/event_log.h"
#include "domain/conversation.h"
#include "domain/report_rules.h"
#include "projections/report_projector.h"
#include "projections/view_txn.h"

namespace helpdesk {

class ReportRebuild {
 public:
  // AdvanceTo returns an error at its next batch once `*stop` is true (when given).
  explicit ReportRebuild(EventLog& log, const std::atomic<bool>* stop = nullptr)
      : log_(log), stop_(stop) {}

  // Counts the events after position() up to `limit` (on every partition it names; events of
  // other partitions are not read), on three threads of its own besides the caller's. Returns
  // when a read found none of them: on a partitioned log, call again until position() covers
  // the limit. An event nothing can read is skipped and logged, as the projection runner does.
  Status AdvanceTo(const ConsistencyToken& limit);
  // Everything counted so far.
  const ConsistencyToken& position() const { return position_; }
  uint64_t events_read() const { return events_read_; }
  uint64_t conversations() const { return conversations_.size(); }

  // Puts the rebuilt reports into `txn`, as of position(): every report cell the views hold is
  // replaced, the marks of every conversation go under rm/ (those left by an earlier rebuild
  // go), and the views' report definition becomes this build's. Call once: the rebuild is
  // spent then (its memory goes with it).
  void WriteInto(ViewTxn& txn);

 private:
  struct Conversation {
    ConversationState state;
    ReportMarks marks;
  };
  class Pipeline;
  void Count(const ScannedEvent& e);

  EventLog& log_;
  const std::atomic<bool>* stop_;
  ConsistencyToken position_;
  uint64_t events_read_ = 0;
  std::unordered_map<std::string, Conversation> conversations_;
  ReportAccumulator cells_;
};

}  // namespace helpdesk
