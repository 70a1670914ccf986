// EventLog: the append-only source of truth. Implementations: EmbeddedLog (RocksDB, one
// partition, the default) and, later, Kafka. Callers never see which one they talk to.
#pragma once

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <string>
#include <vector>

#include "adapters/consistency_token.h"
#include "domain/event.h"
#include "domain/result.h"

namespace helpdesk {

struct AppendRequest {
  std::vector<NewEvent> events;
  // For every stream the events touch: its version before this append (0 = a new stream).
  // The append fails with kVersionConflict if any stream moved on.
  std::map<std::string, uint64_t> expected_versions;
  // Left empty by callers. A log that encodes on the appending thread (Kafka, so its single
  // writer only produces) puts each event's envelope here.
  std::vector<std::string> encoded = {};
};

struct AppendResult {
  // In append order, with positions and stream versions; each event's data as the request
  // carried it (a tree, or data_text only: see NewEvent).
  std::vector<RecordedEvent> recorded;
  ConsistencyToken token;  // the log up to and including these events
};

// An event as the log stores it.
struct StoredEvent {
  int partition = 0;
  uint64_t position = 0;
  std::string envelope;  // EncodeEnvelope's bytes
};

class EventLog {
 public:
  virtual ~EventLog() = default;

  // Queues an atomic append of all the events; the future resolves once they are durable
  // (synced to disk, or committed in Kafka) or failed. Appends resolve in the order they were
  // queued, and concurrent ones share a commit (group commit).
  // Errors: kVersionConflict (this append wrote nothing), kLogUnavailable (nothing was
  // acknowledged). After a kLogUnavailable every append queued before Reset() fails too: the
  // caller may have decided them on state that includes the failed one.
  // Thread-safe.
  virtual std::future<Result<AppendResult>> AppendAsync(AppendRequest request) = 0;

  // Accepts appends again after a failure (the caller has re-read its state from the log).
  virtual void Reset() = 0;

  // Between HoldAppends and ReleaseAppends the writer leaves what is queued for later, so a
  // batch queued one append at a time goes out as one group (one sync, one transaction) rather
  // than split by the writer waking at its first append. Holds nest; a hold never delays a
  // group by more than AppendQueue::kLongestHold nor past AppendQueue::kHeldAppends appends.
  // Appends keep their order. The default holds nothing. Thread-safe. Use AppendHold.
  virtual void HoldAppends() {}
  virtual void ReleaseAppends() {}

  // Appends and waits.
  Result<AppendResult> Append(AppendRequest request) {
    return AppendAsync(std::move(request)).get();
  }

  // Up to `max` events after `after`, in log order. When none is there yet, waits up to `wait`
  // for one to arrive. Thread-safe.
  virtual Result<std::vector<RecordedEvent>> Read(const ConsistencyToken& after, size_t max,
                                                  std::chrono::milliseconds wait) = 0;

  // The same events as the log stores them: each one's envelope (event_codec.h), not decoded,
  // for replays that decode only part of each event (envelope_scan.h). A log that seals
  // personal data hands it over sealed. The default encodes what Read decodes.
  virtual Result<std::vector<StoredEvent>> ReadStored(const ConsistencyToken& after, size_t max,
                                                      std::chrono::milliseconds wait);

  // The end of the log as this process knows it: at least everything it appended. A command
  // that changed nothing answers this as its position.
  virtual ConsistencyToken Head() const = 0;

  // True when `token` includes every event of the log (asks the log, not only this process).
  virtual Result<bool> IsCaughtUp(const ConsistencyToken& token) = 0;

  // False when `token` names a position the log has not reached anywhere (past its end, or a
  // partition it does not have): no wait would ever see it. A single-process log knows its end;
  // a shared one asks its brokers when this process has not read that far.
  virtual Result<bool> Reaches(const ConsistencyToken& token) { return Head().Covers(token); }
};

// Holds `log`'s appends for its lifetime (EventLog::HoldAppends).
class AppendHold {
 public:
  explicit AppendHold(EventLog& log) : log_(log) { log_.HoldAppends(); }
  ~AppendHold() { log_.ReleaseAppends(); }
  AppendHold(const AppendHold&) = delete;
  AppendHold& operator=(const AppendHold&) = delete;

 private:
  EventLog& log_;
};

// Reads every event after `from`, in log order, until the log says nothing more is there
// (IsCaughtUp), handing each to `visit`. kLogUnavailable after `patience` without progress.
Status ReadToEnd(EventLog& log, ConsistencyToken from,
                 const std::function<void(const RecordedEvent&)>& visit,
                 std::chrono::milliseconds patience = std::chrono::minutes(1));

}  // namespace helpdesk
